// The names measured rows carry, shared by the sections that measure them and the tables and chart that read them.

/** Decisions against grant-set size (scale.mjs). */
export const scale = {
  firstTime: "embedded, first-time, distinct pre-analyzed requests",
  perUser: "embedded, first-time, same requests, the caller's grants alone",
  otherUsers: "embedded, first-time, requests other users sent before",
  repeated: "embedded, repeated request (remembered)",
  casbin: "naive Casbin, regexMatch over every line, same requests' checks",
  opaGo: "OPA Go evaluator (opa bench), same Rego and a SELECT",
  opaServer: "OPA server, HTTP keep-alive, one connection, distinct requests",
};

/** Raw SQL (raw-sql.mjs). */
export const sql = {
  insertExtern: "raw SQL, first-time: INSERT ... FROM TABLE(EXTERN(...))",
  join5: "raw SQL, first-time: 5-way join",
  cte: "raw SQL, first-time: CTE-heavy SELECT",
  repeated: "raw SQL, repeated: INSERT ... FROM TABLE(EXTERN(...))",
};

/** Druid's authorizer, embedded (druid-check.mjs). */
export const druid = {
  embeddedFirst: "Druid check, embedded, first-time message",
  embeddedRepeated: "Druid check, embedded, repeated message",
};
