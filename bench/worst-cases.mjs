// The most expensive requests inside the request limits, built from the limits the request schema states and the
// request size cap, so that a change to either is measured as it is. Used by bench/limits.mjs and the abuse suite
// (test/abuse.test.ts). `run` makes each request distinct, so no cache answers it.

/** How many DATASOURCE READ patterns the caller holds in the measured grants: every one a regular expression. */
export const CALLER_PATTERNS = 64;

const pad = (prefix, length, fill) => prefix.padEnd(length, fill).slice(0, length);

/** A caller holding CALLER_PATTERNS regex patterns for each of DATASOURCE READ and WRITE, and a few more. */
export function worstGrants() {
  const permissions = [];
  for (let i = 0; i < CALLER_PATTERNS; i++) {
    for (const action of ["READ", "WRITE"]) {
      permissions.push({ resource: { name: `team_${i}_.*|logs_${i}_[0-9]+`, type: "DATASOURCE" }, action });
    }
  }
  for (const type of ["VIEW", "LOOKUP", "SYSTEM_TABLE", "EXTERNAL", "QUERY_CONTEXT"]) {
    permissions.push({ resource: { name: `${type.toLowerCase()}_[0-9]+`, type }, action: type === "QUERY_CONTEXT" ? "WRITE" : "READ" });
  }
  return { users: { caller: { roles: ["wide"] } }, roles: { wide: { permissions } } };
}

/** Every setting that adds resource actions to a statement is on. */
export const worstSettings = {
  druidVersion: "36.0.0",
  "druid.auth.enableInputSourceSecurity": true,
  "druid.auth.authorizeQueryContextParams": true,
  "druid.sql.planner.authorizeSystemTablesDirectly": true,
  "druid.sql.planner.authorizeLookupDirectly": true,
};

export function worstCases(schema, maxBytes) {
  const defs = schema.$defs;
  const limits = {
    tasks: schema.properties.tasks.maxItems,
    name: defs.name.maxLength,
    reads: defs.statement.properties.reads.maxItems,
    external: defs.statement.properties.external.maxItems,
    externalName: defs.statement.properties.external.items.maxLength,
    tableFunctions: defs.statement.properties.tableFunctions.maxItems,
    contextKeys: defs.context.maxProperties,
    contextKey: defs.contextKey.maxLength,
    contextValue: defs.contextValue.maxLength,
  };
  const identity = { authenticated: true, user: "caller" };
  const grants = worstGrants();
  // Names share a long prefix, so that every comparison in the policy's sorts reads most of both.
  const name = (run, i, length) => pad(`${String(i).padStart(6, "0")}_${run}_`, length, "n").split("").reverse().join("");
  // Context values fill what the request cap leaves: the policy parses every byte of its input.
  const fill = (request, context) => {
    const room = maxBytes - JSON.stringify(request).length - 4096;
    const keys = Object.keys(context);
    const each = Math.min(limits.contextValue, Math.floor(room / Math.max(1, keys.length)));
    for (const key of keys) context[key] = "v".repeat(Math.max(0, each));
    return request;
  };
  const contextOf = (run, prefix) =>
    Object.fromEntries(Array.from({ length: limits.contextKeys }, (_, i) => [pad(`${prefix}${name(run, i, limits.contextKey)}`, limits.contextKey, "k"), 0]));
  return [
    {
      name: `tasks.list: ${limits.tasks} tasks, every datasource distinct`,
      grants,
      settings: {},
      request: (run) => {
        // Names as long as the request cap allows; half of the datasources match a pattern, so half the ids come back.
        const length = Math.min(limits.name, Math.floor((maxBytes - 1024) / limits.tasks / 2) - 16);
        const tasks = Array.from({ length: limits.tasks }, (_, i) => ({
          id: pad(`query-${run}-${i}-`, length, "i"),
          datasource: pad(`${i % 2 ? "team" : "other"}_${i % 100}_${run}_${i}_`, length, "d"),
        }));
        return { identity, operation: "tasks.list", tasks };
      },
    },
    {
      name: "statement: every list at its limit, denied",
      grants,
      settings: worstSettings,
      request: (run) => {
        const types = ["DATASOURCE", "VIEW", "LOOKUP", "SYSTEM_TABLE"];
        const statement = {
          type: "INSERT",
          target: name(run, 0, limits.name),
          reads: Array.from({ length: limits.reads }, (_, i) => ({ type: types[i % 4], name: name(run, i, limits.name) })),
          external: Array.from({ length: limits.external }, (_, i) => ["http", "s3", "local", "inline", "google", "azureStorage", "hdfs"][i % 7]),
          tableFunctions: Array.from({ length: limits.tableFunctions }, (_, i) => ({ name: ["http", "inline", "localfiles", "s3"][i % 4], extend: true })),
          set: contextOf(run, "s"),
        };
        return fill({ identity, operation: "sql.task.submit", statement, context: contextOf(run, "c") }, statement.set);
      },
    },
    {
      name: "statement: every list at its limit, refused",
      grants,
      settings: worstSettings,
      request: (run) => {
        const statement = {
          type: "INSERT",
          target: name(run, 0, limits.name),
          reads: Array.from({ length: limits.reads }, (_, i) => ({ type: "SYSTEM_TABLE", name: name(run, i, limits.name) })),
          external: Array.from({ length: limits.external }, (_, i) => name(run, i, limits.externalName)),
          tableFunctions: Array.from({ length: limits.tableFunctions }, (_, i) => ({ name: name(run, i, limits.externalName), extend: false })),
          set: contextOf(run, "s"),
        };
        return fill({ identity, operation: "sql.task.submit", statement, context: contextOf(run, "c") }, statement.set);
      },
    },
  ];
}
