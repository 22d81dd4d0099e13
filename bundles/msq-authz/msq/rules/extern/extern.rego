# METADATA
# title: External data (R4, R5, F1)
# description: |
#   EXTERN and the input-source table functions read external data. With input-source security off (Druid's
#   default) they need READ on EXTERNAL 'EXTERNAL'; with druid.auth.enableInputSourceSecurity (Druid 26+) that
#   action is replaced by READ on EXTERNAL '<input source type>' for each type the statement reads.
package msq.rules.extern

import data.msq.request
import data.msq.result
import data.msq.settings

secured_types := {
	"inline", "local", "http", "s3", "google", "azure", "azureStorage",
	"hdfs", "druid", "sql", "oss", "generator",
}

unsupported_types := {"delta", "iceberg"}

composite_types := {"combining"}

function_types := {"http": "http", "inline": "inline", "localfiles": "local", "s3": "s3"}

# METADATA
# title: EXTERN reads external data
# description: READ on EXTERNAL 'EXTERNAL' for a statement that uses EXTERN, with input-source security off.
# custom:
#   id: R4
r4 := rego.metadata.rule()

# METADATA
# title: Input-source table functions read external data
# description: |
#   http(), inline(), localfiles() and s3() need what EXTERN needs; without EXTEND Druid always checks
#   READ on EXTERNAL 'EXTERNAL'.
# custom:
#   id: R5
r5 := rego.metadata.rule()

# METADATA
# title: Input-source security
# description: READ on EXTERNAL '<type>' for each input source type, replacing EXTERNAL 'EXTERNAL'.
# custom:
#   id: F1
f1 := rego.metadata.rule()

input_types := {type | some type in request.external}

required contains result.require(r4, "EXTERNAL", "EXTERNAL", "READ") if {
	request.msq_engine
	count(input_types) > 0
	not settings.input_source_security
}

required contains result.require(f1, "EXTERNAL", type, "READ") if {
	request.msq_engine
	settings.input_source_security
	some type in input_types
	type in secured_types
}

required contains result.require(r5, "EXTERNAL", "EXTERNAL", "READ") if {
	request.msq_engine
	some function in request.table_functions
	not function.extend == true
}

required contains result.require(r5, "EXTERNAL", "EXTERNAL", "READ") if {
	request.msq_engine
	not settings.input_source_security
	some function in request.table_functions
	function.extend == true
}

required contains result.require(f1, "EXTERNAL", function_types[function.name], "READ") if {
	request.msq_engine
	settings.input_source_security
	some function in request.table_functions
	function.extend == true
}

outcomes contains result.outcome(f1, "validation", 500, "unsupported_input_source", detail) if {
	request.msq_engine
	settings.input_source_security
	some type in input_types
	type in unsupported_types
	detail := sprintf("input source '%s' does not support input source based security; Druid fails the query", [type])
}

outcomes contains result.outcome(r4, "validation", 400, "invalid_sql", detail) if {
	request.msq_engine
	some type in input_types
	not type in secured_types
	not type in unsupported_types
	not type in composite_types
	detail := sprintf("unknown input source type '%s'", [type])
}

outcomes contains result.outcome(r5, "validation", 400, "invalid_sql", detail) if {
	request.msq_engine
	some function in request.table_functions
	object.get(function_types, function.name, null) == null
	detail := sprintf("unknown table function '%s'", [function.name])
}

outcomes contains result.outcome(f1, "validation", 400, "invalid_sql", detail) if {
	request.msq_engine
	settings.input_source_security
	count(input_types & composite_types) > 0
	count(input_types - composite_types) == 0
	detail := "a combining input source must list its delegates' types in statement.external"
}

outcomes contains result.outcome(r4, "validation", 400, "invalid_sql", detail) if {
	request.operation == "sql.query"
	count(input_types) + count(request.table_functions) > 0
	detail := "Cannot read external data with SQL engine [native]: use /druid/v2/sql/task or /druid/v2/sql/statements"
}
