// Synthetic Druid grant sets for benchmarks: `size` permissions over size/10 roles, literals and regexes mixed,
// 1,000 users holding 3 roles each. Deterministic (a seeded generator), so runs compare.
export function grantSet(size) {
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const roleCount = Math.max(1, Math.floor(size / 10));
  const roles = {};
  for (let r = 0; r < roleCount; r++) {
    const permissions = [];
    for (let j = 0; j < Math.min(10, size); j++) {
      const literal = j < 7;
      permissions.push({
        resource: { name: literal ? `ds_${r}_${j}` : `ds_${r}_.*|logs_${r}_[0-9]+`, type: j === 9 ? "EXTERNAL" : "DATASOURCE" },
        action: j % 2 === 0 ? "READ" : "WRITE",
      });
    }
    roles[`role_${r}`] = { permissions };
  }
  const users = { bench: { roles: ["role_0", `role_${Math.floor(roleCount / 2)}`, `role_${roleCount - 1}`] } };
  for (let u = 0; u < 1000; u++) {
    users[`user_${u}`] = { roles: [0, 1, 2].map(() => `role_${Math.floor(random() * roleCount)}`) };
  }
  return { users, roles };
}

/** The pre-analyzed mix: SELECT, INSERT from EXTERN, REPLACE, task status, task cancel. */
export function requestMix(size) {
  const last = Math.max(1, Math.floor(size / 10)) - 1;
  const identity = { authenticated: true, user: "bench" };
  return [
    { identity, operation: "sql.task.submit", statement: { type: "SELECT", reads: [{ type: "DATASOURCE", name: "ds_0_0" }, { type: "DATASOURCE", name: `ds_${last}_2` }] } },
    { identity, operation: "sql.task.submit", statement: { type: "INSERT", target: "ds_0_1", external: ["http"] } },
    { identity, operation: "sql.task.submit", statement: { type: "REPLACE", target: "ds_0_3", reads: [{ type: "DATASOURCE", name: "ds_0_7" }] } },
    { identity, operation: "task.status", task: { id: "query-1", datasource: "ds_0_4", user: "someone" } },
    { identity, operation: "task.cancel", task: { id: "query-2", datasource: "ds_0_5", user: "someone" } },
  ];
}

/** The same grants as Casbin lines, for the naive enforcer a user writes first. */
export function casbinLines(grants) {
  const lines = [];
  for (const [role, { permissions }] of Object.entries(grants.roles)) {
    for (const p of permissions) lines.push(["p", role, p.resource.type, p.resource.name, p.action]);
  }
  for (const [user, { roles }] of Object.entries(grants.users)) for (const role of roles) lines.push(["g", user, role]);
  return lines;
}

const roleCountOf = (size) => Math.max(1, Math.floor(size / 10));

/**
 * The i-th of an endless run of distinct pre-analyzed requests, in the mix's five shapes (SELECT, INSERT from
 * EXTERN, REPLACE, task status, task cancel). Each names a resource no other request names, one that a regex grant
 * matches, and carries its own sqlQueryId: no cache of whole decisions, of what a statement requires, or of grant
 * matches has seen it. The caller is `bench`, so the same requests can be decided against perUserGrants(size).
 */
export function distinctRequest(size, i) {
  const last = roleCountOf(size) - 1;
  const middle = Math.floor(roleCountOf(size) / 2);
  const identity = { authenticated: true, user: "bench" };
  const context = { sqlQueryId: `bench-${i}` };
  switch (i % 5) {
    case 0:
      return { identity, operation: "sql.task.submit", statement: { type: "SELECT", reads: [{ type: "DATASOURCE", name: "ds_0_0" }, { type: "DATASOURCE", name: `ds_${last}_q${i}` }] }, context };
    case 1:
      return { identity, operation: "sql.task.submit", statement: { type: "INSERT", target: `ds_0_w${i}`, external: ["http"] }, context };
    case 2:
      return { identity, operation: "sql.task.submit", statement: { type: "REPLACE", target: "ds_0_3", reads: [{ type: "DATASOURCE", name: `logs_${middle}_${i}` }] }, context };
    case 3:
      return { identity, operation: "task.status", task: { id: `query-${i}`, datasource: `ds_${middle}_s${i}`, user: "someone" }, context };
    default:
      return { identity, operation: "task.cancel", task: { id: `query-${i}`, datasource: `ds_0_c${i}`, user: "someone" }, context };
  }
}

/**
 * The n-th of a run of decisions whose requests other users sent before: distinctRequest(size, n mod 500) from
 * user_(n mod 1,000). Each decision is new; what its request requires (msq/authz/shape) is not.
 */
export function requestFromAnotherUser(size, n) {
  return { ...distinctRequest(size, n % 500), identity: { authenticated: true, user: `user_${n % 1000}` } };
}

/** The grants `bench` holds in grantSet(size), alone: its roles and nothing else (30 permissions from 1,000 up). */
export function perUserGrants(size) {
  const { users, roles } = grantSet(size);
  const own = [...new Set(users.bench.roles)];
  return { users: { bench: users.bench }, roles: Object.fromEntries(own.map((role) => [role, roles[role]])) };
}

/**
 * The i-th of a run of distinct messages Druid's OPA authorizer sends (OpaMessage's input): user_(i mod 1,000) of
 * grantSet(size) asks about a resource only this message names; half of them one of the user's regex grants allows,
 * the other half nothing does (every pattern of the user's roles is tried).
 */
export function druidMessage(grants, i) {
  const user = `user_${i % 1000}`;
  const roles = grants.users[user].roles;
  const role = roles[Math.floor(i / 1000) % roles.length].slice("role_".length);
  const allowed = i % 2 === 0;
  return {
    authenticationResult: { identity: user, authorizerName: "opaAuthorizer", authenticatedBy: "basicAuthenticator", context: null },
    action: "READ",
    resource: { name: allowed ? `ds_${role}_m${i}` : `other_${role}_m${i}`, type: "DATASOURCE" },
  };
}

/** The same grants in the data shape of bench/druid-example/partial.rego: roles by user, grants by role. */
export function druidExampleData(grants) {
  return {
    user_roles: Object.fromEntries(Object.entries(grants.users).map(([user, { roles }]) => [user, roles])),
    role_grants: Object.fromEntries(
      Object.entries(grants.roles).map(([role, { permissions }]) => [role, permissions.map((p) => ({ ...p, action: p.action.toUpperCase() }))]),
    ),
  };
}
