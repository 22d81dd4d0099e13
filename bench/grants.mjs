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
