// Druid basic-security coordinator API outputs -> msq-authz grants. The API answers in several shapes:
//   GET .../users?full                (user -> {name, roles: [full role objects]})
//   GET .../roles?full                (role -> {name, users, permissions})
//   either with ?simplifyPermissions  (permissions: [{resource, action}])
//   or without                        (permissions: [{resourceAction: {resource, action}, resourceNamePattern}])
//   GET .../groupMappings             (name -> {name, groupPattern, roles}), which LDAP group membership resolves.
// A pattern Java refuses, or one whose Java meaning RE2 (what msq-authz matches with) cannot reproduce exactly, is an
// error naming the role, the pattern and the construct, never a silent change of meaning.
import { ConfigError } from "../errors.js";
import { translateJavaPattern } from "../grants/java-pattern.js";
import type { Grants, Permission } from "../types.js";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

export interface ImportResult {
  grants: Grants;
  notes: string[];
}

/** Any mix of the coordinator's users, roles and group-mapping exports, merged into one grants set. */
export function importBasicSecurity(documents: { source: string; value: unknown }[]): ImportResult {
  const roles = new Map<string, Permission[]>();
  const users = new Map<string, Set<string>>();
  const notes: string[] = [];
  const addRole = (source: string, name: string, body: Json): void => {
    const permissions = (Array.isArray(body.permissions) ? body.permissions : []).map((p, index) =>
      permissionOf(p, `${source}: role '${name}' permission ${index}`),
    );
    if (!roles.has(name) || permissions.length > 0) roles.set(name, permissions);
    for (const user of Array.isArray(body.users) ? body.users : []) {
      const userName = isObject(user) ? user.name : user;
      if (typeof userName === "string") (users.get(userName) ?? users.set(userName, new Set()).get(userName))?.add(name);
    }
  };
  for (const { source, value } of documents) {
    if (!isObject(value)) throw new ConfigError(`${source}: expected a JSON object from the basic-security API`);
    for (const [key, entry] of Object.entries(value)) {
      if (!isObject(entry)) throw new ConfigError(`${source}: '${key}' is not an object`);
      const name = typeof entry.name === "string" ? entry.name : key;
      if ("groupPattern" in entry) {
        notes.push(`${source}: group mapping '${name}' (${String(entry.groupPattern)}) grants roles through LDAP group membership, which grants cannot hold; give its members the roles ${JSON.stringify(entry.roles)} directly`);
      } else if ("permissions" in entry) {
        addRole(source, name, entry);
      } else if ("roles" in entry) {
        const held = users.get(name) ?? users.set(name, new Set()).get(name);
        for (const role of Array.isArray(entry.roles) ? entry.roles : []) {
          if (isObject(role)) {
            const roleName = String(role.name);
            addRole(source, roleName, role);
            held?.add(roleName);
          } else if (typeof role === "string") {
            held?.add(role);
          }
        }
      } else {
        throw new ConfigError(`${source}: '${key}' is neither a user (roles), a role (permissions) nor a group mapping (groupPattern)`);
      }
    }
  }
  const sorted = <T>(map: Map<string, T>): [string, T][] => [...map.entries()].sort(([a], [b]) => a.localeCompare(b));
  return {
    grants: {
      users: Object.fromEntries(sorted(users).map(([user, held]) => [user, { roles: [...held].sort() }])),
      roles: Object.fromEntries(sorted(roles).map(([role, permissions]) => [role, { permissions }])),
    },
    notes,
  };
}

function permissionOf(value: unknown, where: string): Permission {
  if (!isObject(value)) throw new ConfigError(`${where}: not an object`);
  // The older shape nests the simplified one under resourceAction and repeats the name as resourceNamePattern.
  const simple = isObject(value.resourceAction) ? value.resourceAction : value;
  const resource = simple.resource;
  if (!isObject(resource) || typeof resource.name !== "string" || typeof resource.type !== "string" || typeof simple.action !== "string") {
    throw new ConfigError(`${where}: expected {"resource": {"name", "type"}, "action"}`);
  }
  const pattern = typeof value.resourceNamePattern === "string" ? value.resourceNamePattern : resource.name;
  checkJavaPattern(pattern, where);
  return { resource: { name: pattern, type: resource.type }, action: simple.action.toUpperCase() };
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
