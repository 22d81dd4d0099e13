// msq-authz import against a Coordinator on loopback: a node:http(s) server that answers every GET of Druid's
// basic-security authorizer API, in every variant, with the answers Jackson writes for Druid's entity classes
// (test/fixtures/druid-basic-security/responses.json, checked against Jackson by test/import.test.ts), and fails the
// way a Coordinator does (Druid's own error bodies, 401, 404 off a Coordinator) or a network does (a stall, too many
// bytes, a 500). The CLI runs in-process; outputs are asserted whole.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { type IncomingMessage, type ServerResponse, createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CapturedResponse, type Endpoint, importBasicSecurity } from "../src/import/basic-security.js";
import type { Grants } from "../src/types.js";
import { cli } from "./cli-support.js";
import { pointFor, readJson, root } from "./support.js";

const fixtures = join(root, "test/fixtures/druid-basic-security");
type Answers = Record<string, unknown>;
const authorizers = (readJson(join(fixtures, "responses.json")) as { authorizers: Record<string, Answers> }).authorizers;
const basic = authorizers.basic as Answers;
const PREFIX = "/druid-ext/basic-security/authorization/db/";
const env = { MSQ_AUTHZ_DRUID_USER: "msq-authz-sync", MSQ_AUTHZ_DRUID_PASSWORD: "s3cret:with colon" };
const tmp = mkdtempSync(join(tmpdir(), "msq-authz-import-druid-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------------------------
// The Coordinator

type Behaviour = "500" | "stall" | "oversized-declared" | "oversized-streamed";

interface Coordinator {
  url: string;
  /** Every request, `GET <path and query>`, in arrival order. */
  requests: string[];
  maxInFlight: number;
  close(): Promise<void>;
}

interface CoordinatorOptions {
  tls?: boolean;
  /** Off a Coordinator (a Broker, or no druid-basic-security), every path of the API is a 404. */
  notCoordinator?: boolean;
  /** By the answer's key in responses.json ("roles/analyst?full&simplifyPermissions"). */
  behave?: Record<string, Behaviour>;
}

async function startCoordinator(options: CoordinatorOptions = {}): Promise<Coordinator> {
  const requests: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const expected = `Basic ${Buffer.from(`${env.MSQ_AUTHZ_DRUID_USER}:${env.MSQ_AUTHZ_DRUID_PASSWORD}`).toString("base64")}`;
  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    requests.push(`${request.method} ${request.url}`);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let done = false;
    const finished = (): void => {
      if (!done) inFlight -= 1;
      done = true;
    };
    response.once("finish", finished);
    response.once("close", finished);
    // Concurrent calls overlap only if each takes a moment.
    setTimeout(() => answer(request, response), 5);
  };
  const answer = (request: IncomingMessage, response: ServerResponse): void => {
    const json = (status: number, body: unknown): void => {
      const text = JSON.stringify(body);
      response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text);
    };
    if (request.headers.authorization !== expected) {
      response.writeHead(401, { "www-authenticate": 'Basic realm="druid"', "content-type": "text/html" }).end("<html>Unauthorized</html>");
      return;
    }
    const url = new URL(request.url ?? "/", "http://coordinator");
    if (request.method !== "GET" || options.notCoordinator || !url.pathname.startsWith(PREFIX)) {
      response.writeHead(404, { "content-type": "text/html" }).end("<html>Not Found</html>");
      return;
    }
    const [authorizer = "", kind = "", name, ...rest] = url.pathname.slice(PREFIX.length).split("/").map(decodeURIComponent);
    const answers = authorizers[authorizer];
    // CoordinatorBasicAuthorizerResourceHandler.makeResponseForAuthorizerNotFound: a 400, not a 404.
    if (answers === undefined) return json(400, { error: `Basic authorizer with name [${authorizer}] does not exist.` });
    const key = answerKey(kind, name, url.searchParams);
    if (key === undefined || rest.length > 0) {
      response.writeHead(404, { "content-type": "text/html" }).end("<html>Not Found</html>");
      return;
    }
    const behaviour = options.behave?.[key];
    if (behaviour === "500") return json(500, { error: "java.lang.RuntimeException: metadata store unavailable" });
    if (behaviour === "stall") return; // never answers; the client's timeout must end it
    if (behaviour === "oversized-declared") return json(200, { name, padding: "x".repeat(4096) });
    if (behaviour === "oversized-streamed") {
      response.writeHead(200, { "content-type": "application/json" });
      response.write(`{"name":${JSON.stringify(name)},"padding":"`);
      const more = setInterval(() => response.write("x".repeat(1024)), 1);
      response.once("close", () => clearInterval(more));
      return;
    }
    if (key in answers) return json(200, answers[key]);
    const missing = { users: "User", roles: "Role", groupMappings: "Group mapping" }[kind] ?? kind;
    json(400, { error: `${missing} [${name ?? ""}] does not exist.` });
  };
  const tls = { cert: readFileSync(join(fixtures, "tls/cert.pem")), key: readFileSync(join(fixtures, "tls/key.pem")) };
  const server = options.tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The answer a path asks for, as BasicAuthorizerResource reads its query: a parameter counts when present at all
 * (`@QueryParam String`, non-null), so ?full=false is ?full. users/{u} ignores simplifyPermissions without full;
 * groupMappings/{g} has no simplifyPermissions.
 */
function answerKey(kind: string, name: string | undefined, query: URLSearchParams): string | undefined {
  if (!["users", "roles", "groupMappings"].includes(kind)) return undefined;
  if (name === undefined) return kind;
  const full = query.has("full");
  const simplify = query.has("simplifyPermissions");
  const path = `${kind}/${name}`;
  if (kind === "users") return full ? (simplify ? `${path}?full&simplifyPermissions` : `${path}?full`) : path;
  if (kind === "roles") return full ? (simplify ? `${path}?full&simplifyPermissions` : `${path}?full`) : simplify ? `${path}?simplifyPermissions` : path;
  return full ? `${path}?full` : path;
}

// ---------------------------------------------------------------------------------------------------------------
// What the "basic" authorizer's database holds, as grants (DruidBasicSecurityResponses.java builds it)

type Role = { permissions: { resource: { name: string; type: string }; action: string }[] };
const examples = readJson(join(root, "examples/grants.json")) as { users: Grants["users"]; roles: Record<"admin" | "analyst" | "ingest" | "exporter", Role> };
const superuser = ["DATASOURCE", "CONFIG", "STATE"].flatMap((type) =>
  ["READ", "WRITE"].map((action) => ({ resource: { name: ".*", type }, action })),
);
const permissions = (...list: [string, string, string][]) => ({
  permissions: list.map(([name, type, action]) => ({ resource: { name, type }, action })),
});
const expectedGrants: Grants = {
  users: {
    admin: { roles: ["admin"] },
    alice: { roles: ["analyst"] },
    bob: { roles: ["analyst", "ingest"] },
    carol: { roles: [] },
    druid: { roles: ["druidRole", "druidRole2"] },
    druid2: { roles: ["druidRole", "druidRole2"] },
    druid_system: { roles: ["druid_system"] },
    erin: { roles: ["exporter"] },
    "eve+ops@example.com": { roles: ["etl nightly"] },
  },
  roles: {
    admin: examples.roles.admin,
    analyst: examples.roles.analyst,
    druidRole: permissions(["A", "DATASOURCE", "READ"], ["B", "DATASOURCE", "WRITE"], ["C", "CONFIG", "WRITE"]),
    druidRole2: permissions(["D", "STATE", "READ"], ["E", "DATASOURCE", "WRITE"], ["F", "CONFIG", "WRITE"]),
    druid_system: { permissions: superuser },
    "etl nightly": permissions(["[a-z&&[^x]]+_staging", "DATASOURCE", "WRITE"], ["http", "EXTERNAL", "READ"]),
    exporter: examples.roles.exporter,
    ingest: examples.roles.ingest,
    unassigned: { permissions: [] },
  },
  groupMappings: {
    adminGroupMapping: { groupPattern: "cn=druid-admins,ou=groups,dc=example,dc=com", roles: ["admin"] },
    analysts: { groupPattern: "*,ou=analysts,ou=groups,dc=example,dc=com", roles: ["analyst"] },
    druid2GroupMapping: { groupPattern: "cn=druid2,*", roles: ["druidRole"] },
    druidGroupMapping: { groupPattern: "cn=druid,ou=groups,dc=example,dc=com", roles: ["druidRole", "druidRole2"] },
  },
};

const base = (authorizer = "basic") => `${PREFIX}${authorizer}`;

// ---------------------------------------------------------------------------------------------------------------

describe("import --from a Coordinator", () => {
  let coordinator: Coordinator;
  beforeAll(async () => {
    coordinator = await startCoordinator();
  });
  afterAll(() => coordinator.close());

  it("lists names, then asks each role (?full&simplifyPermissions) and group mapping once: the whole grants", async () => {
    coordinator.requests.length = 0;
    const result = await cli(["import", "--from", coordinator.url, "--authorizer", "basic", "--concurrency", "2"], { env });
    expect(result).toEqual({ code: 0, stdout: `${JSON.stringify({ grants: expectedGrants }, null, 2)}\n`, stderr: "" });
    expect([...coordinator.requests].sort()).toEqual(
      [
        "users",
        "roles",
        "groupMappings",
        ...["admin", "druid_system", "analyst", "ingest", "exporter", "etl%20nightly", "druidRole", "druidRole2", "unassigned"].map(
          (role) => `roles/${role}?full&simplifyPermissions`,
        ),
        ...["adminGroupMapping", "druidGroupMapping", "druid2GroupMapping", "analysts"].map((mapping) => `groupMappings/${mapping}`),
      ]
        .map((path) => `GET ${base()}/${path}`)
        .sort(),
    );
    expect(coordinator.maxInFlight).toBe(2);
  });

  it("writes --grants-out only at the end, whole, and prints nothing", async () => {
    const out = join(tmp, "grants.json");
    const result = await cli(["import", "--from", `${coordinator.url}/`, "--authorizer", "basic", "--grants-out", out], { env });
    expect(result).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual(expectedGrants);
    expect(readdirSync(tmp).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("decides the example requests as the example grants do, through createDecisionPoint", async () => {
    const { stdout } = await cli(["import", "--from", coordinator.url, "--authorizer", "basic"], { env });
    const imported = (JSON.parse(stdout) as { grants: Grants }).grants;
    const [fromDruid, fromExamples] = await Promise.all([pointFor("wasm", imported), pointFor("wasm", examples)]);
    // Every line as the service reads a body, the ones that are not JSON included.
    const lines = readFileSync(join(root, "examples/requests.jsonl"), "utf8").trimEnd().split("\n");
    expect(lines.length).toBe(21);
    const decide = (point: Awaited<typeof fromDruid>) => Promise.all(lines.map(async (line) => ({ ...(await point.decideJson(line)), revision: "" })));
    const decisions = await decide(fromDruid);
    expect(decisions).toEqual(await decide(fromExamples));
    expect(decisions.map(({ status }) => status)).toEqual([401, 200, 202, 403, 202, 403, 202, 200, 200, 403, 404, 403, 202, 403, 202, 200, 403, 403, 400, 400, 400]);
  });

  it("gives an LDAP identity the roles its groups map to, through the imported group mappings", async () => {
    const { stdout } = await cli(["import", "--from", coordinator.url, "--authorizer", "basic"], { env });
    const point = await pointFor("wasm", (JSON.parse(stdout) as { grants: Grants }).grants);
    const asks = (groups: string[]) =>
      point.decide({ identity: { authenticated: true, user: "zoe", groups }, operation: "sql.query", sql: "SELECT * FROM wikipedia" });
    const [analyst, stranger] = await Promise.all([asks(["CN=Zoe, OU=Analysts, OU=Groups, DC=example, DC=com"]), asks(["cn=zoe,ou=sales,ou=groups,dc=example,dc=com"])]);
    expect([analyst.allow, analyst.matched, stranger.allow, stranger.code]).toEqual([
      true,
      [{ type: "DATASOURCE", name: "wikipedia", action: "READ", role: "analyst", pattern: "wiki.*" }],
      false,
      "forbidden",
    ]);
  });

  it("refuses a pattern RE2 cannot match as Java does, naming the role and the pattern; nothing written", async () => {
    const out = join(tmp, "refused.json");
    const result = await cli(["import", "--from", coordinator.url, "--authorizer", "patterns", "--grants-out", out], { env });
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr:
        `msq-authz: GET ${base("patterns")}/roles/sneaky?full&simplifyPermissions: role 'sneaky' permission 0: pattern '(?!secret).*' is refused: ` +
        "it uses lookahead (?!...), which RE2 cannot match as Java does: RE2 has no lookaround\n",
    });
    expect(existsSync(out)).toBe(false);
  });

  it("answers an unknown authorizer's 400 with Druid's message, one line per call", async () => {
    const result = await cli(["import", "--from", coordinator.url, "--authorizer", "nope", "--grants-out", join(tmp, "nope.json")], { env });
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: ["users", "roles", "groupMappings"]
        .map((list) => `msq-authz: import: GET ${base("nope")}/${list}: HTTP 400: Basic authorizer with name [nope] does not exist.\n`)
        .join(""),
    });
    expect(existsSync(join(tmp, "nope.json"))).toBe(false);
  });

  it("says which credentials to check on a 401", async () => {
    const result = await cli(["import", "--from", coordinator.url, "--authorizer", "basic"], { env: { ...env, MSQ_AUTHZ_DRUID_PASSWORD: "wrong" } });
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: ["users", "roles", "groupMappings"]
        .map((list) => `msq-authz: import: GET ${base()}/${list}: HTTP 401 (check MSQ_AUTHZ_DRUID_USER and MSQ_AUTHZ_DRUID_PASSWORD)\n`)
        .join(""),
    });
  });

  it("refuses an answer about another entity than the one its path names", () => {
    expect(() =>
      importBasicSecurity([{ source: "GET .../roles/analyst", value: basic["roles/ingest"], endpoint: "roles/{r}", name: "analyst" }]),
    ).toThrow(`GET .../roles/analyst: the answer is about "ingest", not 'analyst'`);
  });
});

describe("import --from: failed calls", () => {
  const failing = async (behave: Record<string, Behaviour>, extra: string[] = []) => {
    const coordinator = await startCoordinator({ behave });
    const out = join(tmp, `failed-${Object.values(behave).join("-")}.json`);
    try {
      const result = await cli(["import", "--from", coordinator.url, "--authorizer", "basic", "--grants-out", out, ...extra], { env });
      return { result, written: existsSync(out), requests: coordinator.requests };
    } finally {
      await coordinator.close();
    }
  };
  const path = `${base()}/roles/analyst?full&simplifyPermissions`;

  it("a 500 on one entity: exit 2, one line, nothing written", async () => {
    const { result, written } = await failing({ "roles/analyst?full&simplifyPermissions": "500" });
    expect(result).toEqual({ code: 2, stdout: "", stderr: `msq-authz: import: GET ${path}: HTTP 500: java.lang.RuntimeException: metadata store unavailable\n` });
    expect(written).toBe(false);
  });

  it("a call that stalls fails at --timeout, and no call starts after a failure", async () => {
    const { result, written, requests } = await failing({ "roles/admin?full&simplifyPermissions": "stall" }, ["--timeout", "0.3", "--concurrency", "1"]);
    expect(result).toEqual({ code: 2, stdout: "", stderr: `msq-authz: import: GET ${base()}/roles/admin?full&simplifyPermissions: no complete answer within 0.3 s\n` });
    expect(written).toBe(false);
    // admin is the first role listed: with one call at a time, nothing follows it.
    expect(requests.slice(3)).toEqual([`GET ${base()}/roles/admin?full&simplifyPermissions`]);
  });

  const declared = Buffer.byteLength(JSON.stringify({ name: "analyst", padding: "x".repeat(4096) }));
  it.each([
    ["oversized-declared" as const, `the answer has ${declared} bytes, more than --max-response-bytes 2048`],
    ["oversized-streamed" as const, "the answer is larger than --max-response-bytes 2048"],
  ])("an answer over --max-response-bytes (%s) is cut and fails its call", async (behaviour, reason) => {
    const { result, written } = await failing({ "roles/analyst?full&simplifyPermissions": behaviour }, ["--max-response-bytes", "2048"]);
    expect(result).toEqual({ code: 2, stdout: "", stderr: `msq-authz: import: GET ${path}: ${reason}\n` });
    expect(written).toBe(false);
  });

  it("answers over --max-total-bytes together fail the fetch, each call within its own limit", async () => {
    const { result, written } = await failing({}, ["--max-total-bytes", "1024", "--concurrency", "1"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^msq-authz: import: GET \S+: the answers so far hold \d+ bytes, more than --max-total-bytes 1024\n$/u);
    expect(written).toBe(false);
  });

  it("a fetch that outlasts --total-timeout fails, though each call is within --timeout", async () => {
    const { result, written } = await failing({ "roles/admin?full&simplifyPermissions": "stall" }, ["--total-timeout", "0.3", "--timeout", "30", "--concurrency", "1"]);
    expect(result).toEqual({ code: 2, stdout: "", stderr: `msq-authz: import: GET ${base()}/roles/admin?full&simplifyPermissions: the import did not finish within --total-timeout 0.3 s\n` });
    expect(written).toBe(false);
  });

  it("off a Coordinator, every path is a 404", async () => {
    const coordinator = await startCoordinator({ notCoordinator: true });
    try {
      const result = await cli(["import", "--from", coordinator.url, "--authorizer", "basic"], { env });
      expect(result).toEqual({
        code: 2,
        stdout: "",
        stderr: ["users", "roles", "groupMappings"]
          .map((list) => `msq-authz: import: GET ${base()}/${list}: HTTP 404 (not a Coordinator with druid-basic-security loaded?)\n`)
          .join(""),
      });
    } finally {
      await coordinator.close();
    }
  });

  it("nothing listens: one line per call", async () => {
    const coordinator = await startCoordinator();
    await coordinator.close();
    const result = await cli(["import", "--from", coordinator.url, "--authorizer", "basic"], { env });
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split("\n")).toEqual(
      ["users", "roles", "groupMappings"].map((list) => `msq-authz: import: GET ${base()}/${list}: connect ECONNREFUSED ${coordinator.url.slice("http://".length)}`),
    );
  });
});

describe("import --from an https Coordinator", () => {
  let coordinator: Coordinator;
  beforeAll(async () => {
    coordinator = await startCoordinator({ tls: true });
  });
  afterAll(() => coordinator.close());

  it("trusts the certificates --ca names", async () => {
    const result = await cli(["import", "--from", coordinator.url, "--authorizer", "basic", "--ca", join(fixtures, "tls/cert.pem")], { env });
    expect(result).toEqual({ code: 0, stdout: `${JSON.stringify({ grants: expectedGrants }, null, 2)}\n`, stderr: "" });
  });

  it("refuses a certificate nobody vouches for", async () => {
    const result = await cli(["import", "--from", coordinator.url, "--authorizer", "basic"], { env });
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: ["users", "roles", "groupMappings"]
        .map((list) => `msq-authz: import: GET ${base()}/${list}: DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate (--ca FILE trusts the authority that signed it)\n`)
        .join(""),
    });
  });
});

describe("import --from: usage", () => {
  it.each([
    [["--from", "http://127.0.0.1:1"], {}, "import --from needs --authorizer NAME (one of druid.auth.authorizers)"],
    [["--authorizer", "basic", "x.json"], {}, "import: --authorizer is for --from URL"],
    [["--from", "http://admin:pw@127.0.0.1:1", "--authorizer", "basic"], {}, "--from must not hold credentials: set MSQ_AUTHZ_DRUID_USER and MSQ_AUTHZ_DRUID_PASSWORD"],
    [["--from", "ftp://127.0.0.1", "--authorizer", "basic"], {}, "--from must be an http or https URL, not 'ftp://127.0.0.1'"],
    [["--from", "http://127.0.0.1:1", "--authorizer", "basic", "--ca", "ca.pem"], {}, "--ca is for an https --from URL"],
    [["--from", "http://127.0.0.1:1", "--authorizer", "basic"], { MSQ_AUTHZ_DRUID_USER: "a" }, "set both MSQ_AUTHZ_DRUID_USER and MSQ_AUTHZ_DRUID_PASSWORD, or neither"],
    [["--from", "http://127.0.0.1:1", "--authorizer", "basic", "users.json"], {}, "import --from reads users, roles and group mappings from the Coordinator, not from 'users.json'"],
    [["--from", "http://127.0.0.1:1", "--authorizer", "basic", "--timeout", "0"], {}, "--timeout must be a number of seconds, more than 0 and at most 3600, not '0'"],
    [[], {}, "import needs --from URL --authorizer NAME, or at least one captured answer (FILE or DIR) or a .properties file"],
  ])("refuses %j in one line, exit 2", async (args, extraEnv, message) => {
    expect(await cli(["import", ...args], { env: extraEnv })).toEqual({ code: 2, stdout: "", stderr: `msq-authz: ${message}\n` });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Captured answers: every endpoint and variant read from the same fixtures

/** The answers of one endpoint, in one variant, for every entity the name list holds. */
function answersOf(kind: "users" | "roles" | "groupMappings", variant = ""): CapturedResponse[] {
  const endpoint = { users: "users/{u}", roles: "roles/{r}", groupMappings: "groupMappings/{g}" }[kind] as Endpoint;
  return (basic[kind] as string[]).map((name) => ({ source: `${kind}/${name}${variant}`, value: basic[`${kind}/${name}${variant}`], endpoint, name }));
}
const lists = (["users", "roles", "groupMappings"] as const).map((kind) => ({ source: kind, value: basic[kind], endpoint: kind }));
const held = new Set(Object.values(expectedGrants.users ?? {}).flatMap(({ roles }) => roles));
const heldRoles = Object.fromEntries(Object.entries(expectedGrants.roles ?? {}).filter(([role]) => held.has(role)));

describe("every endpoint and variant", () => {
  it.each(["", "?simplifyPermissions", "?full", "?full&simplifyPermissions"])("roles/{r}%s: the roles' permissions, whole", (variant) => {
    const { grants } = importBasicSecurity(answersOf("roles", variant));
    expect(grants.roles).toEqual(expectedGrants.roles);
  });

  it.each(["?full", "?full&simplifyPermissions"])("roles/{r}%s with the users and group mappings: the whole grants", (variant) => {
    expect(importBasicSecurity([...lists, ...answersOf("roles", variant), ...answersOf("groupMappings")])).toEqual({ grants: expectedGrants, notes: [] });
  });

  it("users/{u}: the users' role names", () => {
    expect(importBasicSecurity(answersOf("users"))).toEqual({ grants: { users: expectedGrants.users, roles: {} }, notes: [] });
  });

  it.each(["?full", "?full&simplifyPermissions"])("users/{u}%s: the users and the roles they hold", (variant) => {
    expect(importBasicSecurity(answersOf("users", variant))).toEqual({ grants: { users: expectedGrants.users, roles: heldRoles }, notes: [] });
  });

  it("groupMappings/{g}: the mappings, never users", () => {
    expect(importBasicSecurity(answersOf("groupMappings"))).toEqual({ grants: { users: {}, roles: {}, groupMappings: expectedGrants.groupMappings }, notes: [] });
  });

  it("groupMappings/{g}?full has no groupPattern: refused, never read as a user", () => {
    expect(() => importBasicSecurity(answersOf("groupMappings", "?full"))).toThrow(
      "groupMappings/adminGroupMapping?full: group mapping 'adminGroupMapping' has no groupPattern: GET groupMappings/{g}?full leaves it out; capture groupMappings/{g} without ?full",
    );
  });

  it("roles/{r}?full alone: the roles and their holders, and a note for each group mapping it cannot place", () => {
    const { grants, notes } = importBasicSecurity(answersOf("roles", "?full"));
    const { carol, ...holders } = expectedGrants.users ?? {};
    expect(carol).toEqual({ roles: [] });
    expect(grants).toEqual({ users: holders, roles: expectedGrants.roles });
    expect(notes.sort()).toEqual(
      [
        ["admin", "adminGroupMapping"],
        ["analyst", "analysts"],
        ["druidRole", "druid2GroupMapping"],
        ["druidRole", "druidGroupMapping"],
      ].map(
        ([role, mapping]) =>
          `roles/${role}?full: role '${role}' is granted through group mapping '${mapping}', which is not in the input; without its groupPattern it is left out`,
      ),
    );
  });

  it("a users list needs each user's answer, or every role's holders", () => {
    expect(() => importBasicSecurity([...lists, ...answersOf("roles", "?simplifyPermissions"), ...answersOf("groupMappings")])).toThrow(
      "the users list names 'admin', but neither its answer (GET users/{u}) nor ?full answers of every role are in the input",
    );
  });

  it("a listed role without its answer, or an answer for an unlisted one, is refused", () => {
    const roles = answersOf("roles", "?full&simplifyPermissions");
    expect(() => importBasicSecurity([...lists, ...roles.slice(1), ...answersOf("groupMappings")])).toThrow(
      "the roles list names 'admin', but no answer for it (GET roles/{r}) is in the input",
    );
    const ghost = { ...roles[0], source: "roles/ghost", value: { ...(roles[0]?.value as object), name: "ghost" }, name: "ghost" } as CapturedResponse;
    expect(() => importBasicSecurity([...lists, ...roles, ghost, ...answersOf("groupMappings")])).toThrow(
      "roles/ghost: 'ghost' is not in the roles list (captured at another time?)",
    );
  });
});

describe("import DIR: a capture directory", () => {
  /** Writes the fixtures' answers as a capture directory, with a different variant for different entities. */
  const capture = (name: string, pick: (kind: string, index: number) => string, options: { lists?: boolean } = {}) => {
    const dir = join(tmp, name);
    for (const kind of ["users", "roles", "groupMappings"] as const) {
      mkdirSync(join(dir, kind), { recursive: true });
      if (options.lists !== false) writeFileSync(join(dir, `${kind}.json`), JSON.stringify(basic[kind]));
      (basic[kind] as string[]).forEach((entity, index) =>
        writeFileSync(join(dir, kind, `${encodeURIComponent(entity)}.json`), JSON.stringify(basic[`${kind}/${entity}${pick(kind, index)}`])),
      );
    }
    return dir;
  };
  const mixed = (kind: string, index: number): string =>
    kind === "groupMappings" ? "" : kind === "users" ? (["", "?full", "?full&simplifyPermissions"][index % 3] as string) : (["", "?simplifyPermissions", "?full", "?full&simplifyPermissions"][index % 4] as string);

  it("reads every variant, mixed, into the same grants as --from, with the settings", async () => {
    const dir = capture("mixed", mixed);
    const properties = join(root, "examples/storage/durable-storage.properties");
    const result = await cli(["import", dir, properties]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as { grants: Grants; settings: Record<string, unknown> };
    expect(printed.grants).toEqual(expectedGrants);
    expect(Object.keys(printed)).toEqual(["grants", "settings"]);
  });

  it("refuses a group mapping captured with ?full, which has no groupPattern", async () => {
    const dir = capture("full-mappings", (kind, index) => (kind === "groupMappings" ? "?full" : mixed(kind, index)));
    const result = await cli(["import", dir]);
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: `msq-authz: ${join(dir, "groupMappings/adminGroupMapping.json")}: group mapping 'adminGroupMapping' has no groupPattern: GET groupMappings/{g}?full leaves it out; capture groupMappings/{g} without ?full\n`,
    });
  });

  it("refuses a user's ?full answer as a loose file: it could be a group mapping's", async () => {
    const file = join(tmp, "alice-full.json");
    writeFileSync(file, JSON.stringify(basic["users/alice?full"]));
    expect(await cli(["import", file])).toEqual({
      code: 2,
      stdout: "",
      stderr:
        `msq-authz: ${file}: 'alice' could be GET users/{u}?full or GET groupMappings/{g}?full (which leaves out groupPattern); ` +
        "put it in a capture directory under users/, or capture users/{u} or users/{u}?full&simplifyPermissions\n",
    });
  });
});
