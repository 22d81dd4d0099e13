# METADATA
# title: Query context parameters (F4)
# description: |
#   With druid.auth.authorizeQueryContextParams, each user-supplied context key (request context and SET)
#   needs WRITE on QUERY_CONTEXT '<key>', minus the always-allowed and unsecured keys, intersected with the
#   secured keys when those are set. Keys the engine reserves are a 400 before any authorization.
package msq.rules.context

import data.msq.request
import data.msq.result
import data.msq.settings

reserved_keys := {
	"sqlInsertSegmentGranularity", "sqlReplaceTimeChunks", "__timeColumn", "__exportFileFormat", "isReindex",
	"maxTimeArrayOutputName", "minTimeArrayOutputName", "timestampResultField",
	"timestampResultFieldGranularity", "timestampResultFieldInOriginalDimensions", "scanSignature",
	"__resultFormat",
}

allowed_keys := {"sqlStringifyArrays", "dartQueryId", "sqlQueryId"}

# METADATA
# title: Query context parameters need their own permission
# description: WRITE on QUERY_CONTEXT '<key>' for each checked context key.
# custom:
#   id: F4
f4 := rego.metadata.rule()

user_keys := {key | some key, _ in request.context} | {key | some key, _ in request.set_context}

merged_keys := (user_keys | settings.default_context_keys) | statements_keys if {
	settings.at_least(25)
	not settings.at_least(35)
} else := user_keys

default statements_keys := set()

statements_keys := {"__resultFormat"} if request.operation == "sql.statements.submit"

candidate_keys := (merged_keys - allowed_keys) - settings.unsecured_context_keys

checked_keys := candidate_keys & settings.secured_context_keys if {
	settings.restricts_context_keys
} else := candidate_keys

required contains result.require(f4, "QUERY_CONTEXT", key, "WRITE") if {
	request.analyzes_statement
	settings.authorize_context
	some key in checked_keys
}

outcomes contains result.outcome(f4, "engine_context", 400, "invalid_sql", detail) if {
	request.analyzes_statement
	some key in user_keys
	key in reserved_keys
	detail := sprintf("Query context parameter [%s] is reserved by Druid and cannot be set", [key])
}

outcomes contains result.outcome(f4, "validation", 400, "invalid_sql", detail) if {
	request.analyzes_statement
	request.ingests
	"sqlOuterLimit" in user_keys
	detail := sprintf("Context parameter [sqlOuterLimit] cannot be provided on operator [%s]", [request.statement_type])
}
