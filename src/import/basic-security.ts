// Druid's basic-security authorizer API (BasicAuthorizerResource on the Coordinator, base path
// /druid-ext/basic-security/authorization/db/{authorizer}) -> msq-authz grants. What it answers (docs/druid-integration.md
// section 4; the Jackson shapes checked against Druid's entity classes by test/fixtures/druid-basic-security/):
//   GET users | roles | groupMappings      a JSON array of names
//   GET users/{u}                          {name, roles: ["r", ...]}
//       ?full                              {name, roles: [{name, permissions: [old shape]}]}
//       ?full&simplifyPermissions          {name, roles: [{name, users: null, permissions: [simple shape]}]}
//   GET roles/{r}                          {name, permissions: [old shape]}
//       ?simplifyPermissions               {name, users: null, permissions: [simple shape]}
//       ?full                              {name, users: [...], groups: [...], permissions: [old shape]}
//       ?full&simplifyPermissions          {name, users: [...], permissions: [simple shape]}
//   GET groupMappings/{g}                  {name, groupPattern, roles: ["r", ...]}
//       ?full                              {name, roles: [{name, permissions: [old shape]}]}: no groupPattern, because
//                                          BasicAuthorizerGroupMappingFull's getter is not a @JsonProperty
//   old shape:    {"resourceAction": {"resource": {"name", "type"}, "action"}, "resourceNamePattern"}
//   simple shape: {"resource": {"name", "type"}, "action"}
// A group mapping's ?full answer is therefore shaped exactly like a user's ?full answer. Where the endpoint is known
// (a live fetch, a capture directory) it decides; where it is not (a loose file), that shape is refused rather than
// guessed, so a group mapping never becomes a user.
// A pattern Java refuses, or one whose Java meaning RE2 (what msq-authz matches with) cannot reproduce exactly, is an
// error naming the role, the pattern and the construct, never a silent change of meaning. Patterns stay in Java's
// dialect: msq-authz translates them itself when grants load.
import { ConfigError } from "../errors.js";
import { translateJavaPattern } from "../grants/java-pattern.js";
import type { Grants, Permission } from "../types.js";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === "string");

/** The GET endpoints of BasicAuthorizerResource that read the database, relative to db/{authorizer}/. */
export type Endpoint = "users" | "roles" | "groupMappings" | "users/{u}" | "roles/{r}" | "groupMappings/{g}";

/** One answer of the API, fetched or captured in a file. */
export interface CapturedResponse {
  /** Where it came from, for messages: a file, or the method and path of the call. */
  source: string;
  value: unknown;
  /** The endpoint that answered, when it is known (a live fetch, a capture directory); otherwise told from the shape. */
  endpoint?: Endpoint;
  /** The entity the endpoint was asked about (the {u}, {r} or {g} of the path): the answer must name it. */
  name?: string;
}

export interface ImportResult {
  /** Users, roles and group mappings (`{"<name>": {"groupPattern", "roles"}}`, Druid's own entity) as grants. */
  grants: Grants;
  notes: string[];
}

type Kind = "user" | "role" | "groupMapping";

interface RoleAnswer {
  name: string;
  permissions: Permission[];
  /** The role's users, when the answer lists them (?full); Druid writes null or leaves them out otherwise. */
  users?: string[];
  /** The group mappings that grant the role, when the answer lists them (?full without simplifyPermissions). */
  groups?: string[];
  source: string;
}

/**
 * Any mix of the API's answers, merged into one grants set. Each user holds the roles its own answer names and the
 * roles whose ?full answers name it; each group mapping the roles its answer names and those whose ?full answers name
 * it. Name lists (GET users, roles, groupMappings) make the input a complete picture: every name listed must be
 * answered for, and every entity answered for must be listed.
 */
export function importBasicSecurity(responses: CapturedResponse[]): ImportResult {
  return new Importer().run(responses);
}

class Importer {
  private readonly notes: string[] = [];
  private readonly roles = new Map<string, { permissions: Permission[]; source: string }>();
  /** Roles whose answer said who holds them: with all of them, users need no answers of their own. */
  private readonly rolesWithUsers = new Set<string>();
  private readonly users = new Map<string, Set<string>>();
  /** Users with an answer of their own (users/{u}). */
  private readonly answeredUsers = new Map<string, string>();
  private readonly mappings = new Map<string, { groupPattern: string; roles: Set<string>; source: string }>();
  /** group mapping -> roles, from roles/{r}?full answers' "groups". */
  private readonly rolesByGroup = new Map<string, Map<string, string>>();
  private readonly listed: Partial<Record<"users" | "roles" | "groupMappings", Set<string>>> = {};
  /** Entities answered by their own endpoint, to check against the name lists. */
  private readonly answered = { users: new Map<string, string>(), roles: new Map<string, string>(), groupMappings: new Map<string, string>() };

  run(responses: CapturedResponse[]): ImportResult {
    for (const response of responses) this.read(response);
    this.checkLists();
    return { grants: this.grants(), notes: this.notes };
  }

  private read({ source, value, endpoint, name }: CapturedResponse): void {
    if (endpoint === "users" || endpoint === "roles" || endpoint === "groupMappings") {
      if (!isStrings(value)) throw new ConfigError(`${source}: expected a JSON array of names from GET ${endpoint}`);
      const names = (this.listed[endpoint] ??= new Set());
      for (const listed of value) names.add(listed);
      return;
    }
    if (endpoint !== undefined) {
      const kind: Kind = endpoint === "users/{u}" ? "user" : endpoint === "roles/{r}" ? "role" : "groupMapping";
      if (!isObject(value)) throw new ConfigError(`${source}: expected a JSON object from GET ${endpoint}`);
      if (name !== undefined && value.name !== name) {
        throw new ConfigError(`${source}: the answer is about ${JSON.stringify(value.name)}, not '${name}'`);
      }
      this.entity(kind, value, source);
      return;
    }
    if (Array.isArray(value)) {
      throw new ConfigError(
        `${source}: a list of names (GET users, roles or groupMappings) says neither what kind they are nor what they are granted; ` +
          "import a capture directory (users.json beside users/), or the entities' own answers",
      );
    }
    if (!isObject(value)) throw new ConfigError(`${source}: expected a JSON object from the basic-security API`);
    if (typeof value.name === "string" && ("roles" in value || "permissions" in value || "groupPattern" in value)) {
      this.inferred(value, source);
      return;
    }
    // A map of name -> answer, as earlier versions of this command read.
    for (const [key, entry] of Object.entries(value)) {
      if (!isObject(entry)) throw new ConfigError(`${source}: '${key}' is not an object`);
      this.inferred(typeof entry.name === "string" ? entry : { ...entry, name: key }, `${source}: '${key}'`);
    }
  }

  /** An answer whose endpoint is not known, told from its shape; a shape two endpoints share is refused. */
  private inferred(value: Json, source: string): void {
    if ("groupPattern" in value) return this.entity("groupMapping", value, source);
    if ("permissions" in value) return this.entity("role", value, source);
    if (Array.isArray(value.roles)) {
      const roles: unknown[] = value.roles;
      if (roles.length === 0) {
        this.notes.push(
          `${source}: '${String(value.name)}' holds no roles and is left out: a user's answer and a group mapping's ?full answer look the same then`,
        );
        return;
      }
      if (roles.every((role) => typeof role === "string")) return this.entity("user", value, source);
      // users/{u}?full&simplifyPermissions nests BasicAuthorizerRoleSimplifiedPermissions (with "users"); users/{u}?full
      // and groupMappings/{g}?full both nest BasicAuthorizerRole, and groupMappings/{g}?full has no groupPattern.
      if (roles.every((role) => isObject(role) && "users" in role)) return this.entity("user", value, source);
      throw new ConfigError(
        `${source}: '${String(value.name)}' could be GET users/{u}?full or GET groupMappings/{g}?full (which leaves out groupPattern); ` +
          "put it in a capture directory under users/, or capture users/{u} or users/{u}?full&simplifyPermissions",
      );
    }
    throw new ConfigError(`${source}: '${String(value.name)}' is neither a user (roles), a role (permissions) nor a group mapping (groupPattern)`);
  }

  private entity(kind: Kind, value: Json, source: string): void {
    const name = value.name;
    if (typeof name !== "string") throw new ConfigError(`${source}: expected a string "name"`);
    if (kind === "role") {
      const role = roleOf(value, source);
      this.defineRole(role);
      this.answered.roles.set(name, source);
      return;
    }
    if (kind === "user" && "groupPattern" in value) {
      throw new ConfigError(`${source}: '${name}' is a group mapping (it has a groupPattern), not a user`);
    }
    if (!Array.isArray(value.roles)) throw new ConfigError(`${source}: '${name}': expected "roles" to be an array`);
    const roleNames = this.heldRoles(value.roles, `${source}: '${name}'`);
    if (kind === "user") {
      const held = this.user(name);
      for (const role of roleNames) held.add(role);
      this.answeredUsers.set(name, source);
      this.answered.users.set(name, source);
      return;
    }
    const groupPattern = value.groupPattern;
    if (groupPattern === undefined) {
      throw new ConfigError(
        `${source}: group mapping '${name}' has no groupPattern: GET groupMappings/{g}?full leaves it out; capture groupMappings/{g} without ?full`,
      );
    }
    if (typeof groupPattern !== "string") {
      throw new ConfigError(`${source}: group mapping '${name}': groupPattern is ${JSON.stringify(groupPattern)}, which matches no LDAP group`);
    }
    const known = this.mappings.get(name);
    if (known && known.groupPattern !== groupPattern) {
      throw new ConfigError(
        `group mapping '${name}' has groupPattern '${known.groupPattern}' in ${known.source} and '${groupPattern}' in ${source}; capture them at the same time`,
      );
    }
    const mapping = known ?? { groupPattern, roles: new Set<string>(), source };
    for (const role of roleNames) mapping.roles.add(role);
    this.mappings.set(name, mapping);
    this.answered.groupMappings.set(name, source);
  }

  /** A user's or group mapping's roles: names, or role objects (?full), which define the roles as well. */
  private heldRoles(roles: unknown[], where: string): string[] {
    return roles.map((role, index) => {
      if (typeof role === "string") return role;
      if (!isObject(role)) throw new ConfigError(`${where}: role ${index} is neither a name nor a role object`);
      const answer = roleOf(role, `${where}: role ${index}`);
      // Nested roles carry "users": null: they say nothing of who else holds the role.
      this.defineRole({ name: answer.name, permissions: answer.permissions, source: answer.source });
      return answer.name;
    });
  }

  private defineRole(role: RoleAnswer): void {
    const known = this.roles.get(role.name);
    if (known && JSON.stringify(known.permissions) !== JSON.stringify(role.permissions)) {
      throw new ConfigError(`role '${role.name}' has other permissions in ${known.source} than in ${role.source}; capture them at the same time`);
    }
    if (!known) this.roles.set(role.name, { permissions: role.permissions, source: role.source });
    if (role.users !== undefined) {
      this.rolesWithUsers.add(role.name);
      for (const user of role.users) this.user(user).add(role.name);
    }
    for (const group of role.groups ?? []) {
      const roles = this.rolesByGroup.get(group) ?? this.rolesByGroup.set(group, new Map()).get(group);
      roles?.set(role.name, role.source);
    }
  }

  private user(name: string): Set<string> {
    return this.users.get(name) ?? (this.users.set(name, new Set()).get(name) as Set<string>);
  }

  private checkLists(): void {
    const { users, roles, groupMappings } = this.listed;
    for (const [kind, list, answers] of [
      ["users", users, this.answered.users],
      ["roles", roles, this.answered.roles],
      ["groupMappings", groupMappings, this.answered.groupMappings],
    ] as const) {
      if (list === undefined) continue;
      for (const [name, source] of answers) {
        if (!list.has(name)) throw new ConfigError(`${source}: '${name}' is not in the ${kind} list (captured at another time?)`);
      }
    }
    for (const role of roles ?? []) {
      if (!this.roles.has(role)) throw new ConfigError(`the roles list names '${role}', but no answer for it (GET roles/{r}) is in the input`);
    }
    for (const mapping of groupMappings ?? []) {
      if (!this.mappings.has(mapping)) {
        throw new ConfigError(`the groupMappings list names '${mapping}', but no answer for it (GET groupMappings/{g}) is in the input`);
      }
    }
    if (users !== undefined) {
      // Without its own answer, a user's roles are known only if every role's answer said who holds it (?full).
      const membershipKnown = [...this.roles.keys()].every((role) => this.rolesWithUsers.has(role));
      for (const user of users) {
        if (!this.answeredUsers.has(user) && !membershipKnown) {
          throw new ConfigError(
            `the users list names '${user}', but neither its answer (GET users/{u}) nor ?full answers of every role are in the input`,
          );
        }
        this.user(user);
      }
    }
  }

  private grants(): Grants {
    const rolesKnown = this.listed.roles !== undefined;
    // Druid skips a role name whose role is gone; with the whole roles list at hand, so does the import.
    const existing = (owner: string, names: Iterable<string>): string[] =>
      [...names].filter((role) => {
        if (!rolesKnown || this.roles.has(role)) return true;
        this.notes.push(`${owner} names role '${role}', which does not exist; Druid skips it, and so do the grants`);
        return false;
      });
    for (const [group, roles] of this.rolesByGroup) {
      const mapping = this.mappings.get(group);
      if (mapping) for (const role of roles.keys()) mapping.roles.add(role);
      else {
        const [role, source] = [...roles][0] as [string, string];
        this.notes.push(
          `${source}: role '${role}' is granted through group mapping '${group}', which is not in the input; without its groupPattern it is left out`,
        );
      }
    }
    const grants: Grants = {
      users: Object.fromEntries(sorted(this.users).map(([user, held]) => [user, { roles: existing(`user '${user}'`, held).sort(byCodeUnit) }])),
      roles: Object.fromEntries(sorted(this.roles).map(([role, { permissions }]) => [role, { permissions }])),
    };
    if (this.mappings.size > 0) {
      grants.groupMappings = Object.fromEntries(
        sorted(this.mappings).map(([name, { groupPattern, roles }]) => [
          name,
          { groupPattern, roles: existing(`group mapping '${name}'`, roles).sort(byCodeUnit) },
        ]),
      );
    }
    return grants;
  }
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const sorted = <T>(map: Map<string, T>): [string, T][] => [...map.entries()].sort(([a], [b]) => byCodeUnit(a, b));

/** Any variant of GET roles/{r}, or a role object nested in a user's or group mapping's ?full answer. */
function roleOf(value: Json, source: string): RoleAnswer {
  const name = value.name;
  if (typeof name !== "string") throw new ConfigError(`${source}: a role without a string "name"`);
  if (!Array.isArray(value.permissions)) throw new ConfigError(`${source}: role '${name}': expected "permissions" to be an array`);
  const permissions = value.permissions.map((permission: unknown, index) => permissionOf(permission, `${source}: role '${name}' permission ${index}`));
  const listOf = (field: "users" | "groups"): string[] | undefined => {
    const names = value[field];
    if (names === undefined || names === null) return undefined;
    if (!isStrings(names)) throw new ConfigError(`${source}: role '${name}': expected "${field}" to be an array of names or null`);
    return names;
  };
  const users = listOf("users");
  const groups = listOf("groups");
  return { name, permissions, source, ...(users ? { users } : {}), ...(groups ? { groups } : {}) };
}

function permissionOf(value: unknown, where: string): Permission {
  if (!isObject(value)) throw new ConfigError(`${where}: not an object`);
  // The older shape (BasicAuthorizerPermission) nests the simple one (ResourceAction) under resourceAction, and adds
  // the compiled pattern Druid matches names with, written out as its source.
  const simple = isObject(value.resourceAction) ? value.resourceAction : value;
  const resource = simple.resource;
  if (!isObject(resource) || typeof resource.name !== "string" || typeof resource.type !== "string" || typeof simple.action !== "string") {
    throw new ConfigError(`${where}: expected {"resource": {"name", "type"}, "action"} or {"resourceAction": ..., "resourceNamePattern"}`);
  }
  const action = simple.action.toUpperCase();
  if (action !== "READ" && action !== "WRITE") throw new ConfigError(`${where}: action '${simple.action}' is neither READ nor WRITE`);
  const pattern = typeof value.resourceNamePattern === "string" ? value.resourceNamePattern : resource.name;
  checkJavaPattern(pattern, where);
  return { resource: { name: pattern, type: resource.type }, action };
}

/**
 * Druid compiles names as Java regular expressions; msq-authz matches each through an RE2 translation with the same
 * full-match meaning (src/grants/java-pattern.ts), the one checkGrants makes when the grants load. A pattern Java
 * refuses, or one with no such translation (lookaround, backreferences, possessive quantifiers, Unicode classes,
 * ...), is refused here, naming the construct.
 */
function checkJavaPattern(pattern: string, where: string): void {
  const translation = translateJavaPattern(pattern);
  if ("refusal" in translation) {
    throw new ConfigError(`${where}: pattern '${pattern}' is refused: ${translation.refusal.message}`);
  }
}
