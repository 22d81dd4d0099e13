// Generated from src/schemas/*.schema.json by scripts/generate-types.mjs: do not edit. The JSON Schemas are the
// contract; `make generate` rebuilds this file and `make lint` fails when it is stale.
/* eslint-disable */

/**
 * One question to the decision point: may this identity do this operation? SQL operations carry a pre-analyzed statement (or raw SQL); task operations carry the task as the Overlord reports it.
 */
export type DecisionRequest = {
  identity: {
    authenticated: boolean;
    user?: Name;
    /**
     * The identity's LDAP group DNs (its memberOf values): they add the roles data.grants.groupMappings maps them to, as Druid's LDAPRoleProvider adds them. At most 50 names of at most 512 characters and 16 attribute-value pairs, so that a decision stays within its time budget.
     *
     * @maxItems 50
     */
    groups?: string[];
  };
  operation:
    | "sql.query"
    | "sql.task.submit"
    | "sql.task.enabled"
    | "sql.statements.submit"
    | "sql.statements.get"
    | "sql.statements.results"
    | "sql.statements.cancel"
    | "task.status"
    | "task.payload"
    | "task.reports"
    | "task.log"
    | "task.cancel"
    | "task.submit"
    | "tasks.list"
    | "tasks.status.bulk";
  sql?: string;
  /**
   * @maxItems 1000
   */
  parameters?: {
    type: string;
    value: ContextValue;
  }[];
  statement?: Statement;
  context?: Context;
  task?: Task;
  datasource?: Name;
  /**
   * The tasks a task list would show, to be filtered (F7). At most 1,000 per request: split a longer list.
   *
   * @maxItems 1000
   */
  tasks?: {
    id: Name;
    datasource: Name;
  }[];
};
export type Name = string;
/**
 * @maxItems 10000
 */
export type ContextValue = string | number | boolean | null | unknown[] | {};
export type Statement = {
  type: "SELECT" | "INSERT" | "REPLACE" | "EXPORT";
  target?: Name;
  /**
   * @maxItems 64
   */
  reads?: {
    type: "DATASOURCE" | "VIEW" | "SYSTEM_TABLE" | "INFORMATION_SCHEMA" | "LOOKUP";
    name: Name;
  }[];
  /**
   * Input source types read through EXTERN (a combining source lists its delegates' types).
   *
   * @maxItems 64
   */
  external?: string[];
  /**
   * @maxItems 64
   */
  tableFunctions?: {
    name: string;
    extend?: boolean;
  }[];
  exportDestination?: string;
  /**
   * The export destination's properties (bucket, prefix, exportPath).
   */
  exportProperties?: {
    [k: string]: string;
  };
  set?: Context;
};

export interface Context {
  [k: string]: ContextValue;
}
/**
 * The task as the Overlord reports it; for task.submit, the task posted (a query_controller carries its statement instead). A task without a datasource is one the Overlord does not know (404).
 */
export interface Task {
  id?: Name;
  datasource?: Name;
  user?: Name;
  type?: string;
  status?: "ACCEPTED" | "PENDING" | "WAITING" | "RUNNING" | "SUCCESS" | "FAILED";
  /**
   * For task.submit: the input source types the task's ioConfig.inputSource reads (a combining source lists its delegates' types too).
   *
   * @maxItems 100
   */
  inputSources?: Name[];
}

/**
 * The one normalized shape every engine returns.
 */
export type Decision = {
  allow: boolean;
  status: 200 | 202 | 400 | 401 | 403 | 404 | 500;
  code:
    | "ok"
    | "invalid_request"
    | "invalid_sql"
    | "unsupported_sql"
    | "unauthenticated"
    | "msq_not_loaded"
    | "forbidden"
    | "not_found"
    | "unsupported_input_source"
    | "engine_error";
  required: ResourceAction[];
  missing: ResourceAction[];
  /**
   * For each required resource action that is granted: the role and pattern that grant it.
   */
  matched: {
    type: string;
    name: string;
    action: "READ" | "WRITE";
    role: string;
    pattern: string;
  }[];
  /**
   * @minItems 1
   */
  reasons: string[];
  /**
   * What Druid will accept now and fail later (an export path outside the allowed paths fails the task).
   */
  warnings?: string[];
  /**
   * tasks.list (F7): the patterns that filter the list, and the visible ids of the tasks passed in.
   */
  filter?: {
    type: "DATASOURCE";
    action: "READ";
    patterns: string[];
    taskIds?: string[];
  };
  /**
   * Who matched the grants: wasm (the policy over its own data), casbin, or the name a custom grant matcher gives.
   */
  engine: string;
  revision: string;
};

export interface ResourceAction {
  type: string;
  name: string;
  action: "READ" | "WRITE";
}

/**
 * Druid basic-security users and roles with simplified permissions. A permission's name is a Java-style regular expression that must match the whole resource name.
 */
export interface Grants {
  users?: {
    [k: string]: {
      /**
       * @maxItems 10000
       */
      roles: Name[];
    };
  };
  roles?: {
    [k: string]: {
      /**
       * @maxItems 1000000
       */
      permissions: Permission[];
    };
  };
  /**
   * Druid basic-security LDAP group mappings by name, as LDAPRoleProvider applies them: an LDAP group whose DN the groupPattern matches gives its roles. '*,<dn>' matches a group under <dn>, '<dn>,*' a group whose leftmost RDNs are <dn>, any other pattern the group itself (names compared as javax.naming.ldap.LdapName compares them).
   */
  groupMappings?: {
    [k: string]: {
      groupPattern: string;
      /**
       * @maxItems 10000
       */
      roles?: Name[];
    };
  };
}
export interface Permission {
  resource: {
    name: string;
    type: string;
  };
  /**
   * READ or WRITE; Druid upper-cases the action it is given.
   */
  action: string;
}

/**
 * @maxItems 10000
 */
export type Keys = string[];
/**
 * A boolean, or a string Druid's Jackson reads as one: true, True, TRUE, false, False or FALSE, with the whitespace a properties file leaves around it.
 */
export type Switch = boolean | string;

/**
 * Druid settings by their own property names, plus druidVersion and msq-authz's own switches. Booleans may be the strings a runtime.properties file gives.
 */
export interface Settings {
  druidVersion?: string;
  "druid.extensions.loadList"?: Keys;
  "druid.auth.enableInputSourceSecurity"?: Switch;
  "druid.auth.authorizeQueryContextParams"?: Switch;
  "druid.auth.unsecuredContextKeys"?: Keys;
  "druid.auth.securedContextKeys"?: Keys;
  "druid.sql.planner.authorizeSystemTablesDirectly"?: Switch;
  "druid.sql.planner.authorizeLookupDirectly"?: Switch;
  "druid.msq.intermediate.storage.enable"?: Switch;
  /**
   * The internal system user Druid's processes call one another as (the escalator, conventionally druid_system): authorized like any user, it needs READ and WRITE on every resource type; audit reports when the grants do not give it that.
   */
  "druid.escalator.internalClientUsername"?: string;
  /**
   * WRITE (Druid's code, the default) or READ (the seed documents' reading of R7/R8).
   */
  "msqAuthz.taskCancelRequires"?: "READ" | "WRITE";
  /**
   * This interface was referenced by `Settings`'s JSON-Schema definition
   * via the `patternProperty` "^druid\.query\.default\.context\.[^.]+$".
   *
   * This interface was referenced by `Settings`'s JSON-Schema definition
   * via the `patternProperty` "^druid\.msq\.intermediate\.storage\.(?!enable$)[A-Za-z.]+$".
   *
   * This interface was referenced by `Settings`'s JSON-Schema definition
   * via the `patternProperty` "^druid\.export\.storage\.[A-Za-z0-9.]+$".
   *
   * LDAPRoleProvider's groupFilters: the masks a group DN must match for its mappings to count (unset: every group; an empty list: none). A JSON list, or its text as runtime.properties holds it.
   *
   * This interface was referenced by `Settings`'s JSON-Schema definition
   * via the `patternProperty` "^druid\.auth\.authorizer\.[^.]+\.roleProvider\.groupFilters$".
   *
   * LDAPRoleProvider's ldapGroupAttribute: the attribute of the user's LDAP entry that lists its groups (default memberOf).
   *
   * This interface was referenced by `Settings`'s JSON-Schema definition
   * via the `patternProperty` "^druid\.auth\.authorizer\.[^.]+\.roleProvider\.ldapGroupAttribute$".
   */
  [k: string]: string | number | boolean | unknown[] | string[] | Keys | Switch | "READ" | "WRITE" | undefined;
}

export type Expectation = {
  name?: string;
  /**
   * The authenticated user making the request.
   */
  as?: string;
  /**
   * The request carries no authenticated identity.
   */
  anonymous?: boolean;
  /**
   * The operation to ask about. Default: sql.task.submit when the expectation gives sql or a statement, sql.task.enabled otherwise.
   */
  operation?:
    | "sql.query"
    | "sql.task.submit"
    | "sql.task.enabled"
    | "sql.statements.submit"
    | "sql.statements.get"
    | "sql.statements.results"
    | "sql.statements.cancel"
    | "task.status"
    | "task.payload"
    | "task.reports"
    | "task.log"
    | "task.cancel"
    | "task.submit"
    | "tasks.list"
    | "tasks.status.bulk";
  sql?: string;
  parameters?: Parameters;
  statement?: Statement;
  context?: Context;
  task?: Task;
  datasource?: string;
  tasks?: Tasks;
  /**
   * allow, or deny. A 400 (invalid_request, invalid_sql, unsupported_sql: a request that could not be judged) satisfies deny only when the expectation also names that code.
   */
  expect: "allow" | "deny";
  status?: number;
  code?: string;
  /**
   * Exactly these resource actions are missing.
   */
  missing?: ResourceAction[];
  /**
   * Exactly these resource actions are required.
   */
  required?: ResourceAction[];
} & Expectation1;
/**
 * @maxItems 10000
 */
/**
 * @maxItems 1000
 */
export type Parameters = {
  type: string;
  value: ContextValue;
}[];
/**
 * The tasks a task list would show, to be filtered (F7). At most 1,000 per request: split a longer list.
 *
 * @maxItems 1000
 */
export type Tasks = {
  id: string;
  datasource: string;
}[];
export type Expectation1 = {};

/**
 * A security team's expectations over a grants set: who may do what, checked on both engines by `msq-authz review`.
 */
export interface ReviewFile {
  name?: string;
  /**
   * Druid basic-security grants, inline or a path relative to the review file.
   */
  grants?: string | {};
  /**
   * Druid settings, inline, or a path to a settings JSON or a runtime.properties file.
   */
  settings?: string | {};
  /**
   * @minItems 1
   * @maxItems 10000
   */
  expectations: Expectation[];
}
/**
 * The task as the Overlord reports it; for task.submit, the task posted (a query_controller carries its statement instead). A task without a datasource is one the Overlord does not know (404).
 */
