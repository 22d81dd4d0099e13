package msq.rules.extern_test

import data.msq.rules.extern

alice := {"authenticated": true, "user": "alice"}

security_on := {"druid.auth.enableInputSourceSecurity": true}

# The input sources whose types Druid reports (druid-semantics.md 1.3).
secured_types := {
	"inline", "local", "http", "s3", "google", "azure",
	"azureStorage", "hdfs", "druid", "sql", "oss", "generator",
}

unknown_source(type) := outcome(
	"R4", "EXTERN reads external data", 400, "invalid_sql",
	sprintf("unknown input source type '%s'", [type]),
)

r4_external := {
	"rule": "R4",
	"title": "EXTERN reads external data",
	"type": "EXTERNAL",
	"name": "EXTERNAL",
	"action": "READ",
}

r5_external := {
	"rule": "R5",
	"title": "Input-source table functions read external data",
	"type": "EXTERNAL",
	"name": "EXTERNAL",
	"action": "READ",
}

f1_read(type) := {
	"rule": "F1",
	"title": "Input-source security",
	"type": "EXTERNAL",
	"name": type,
	"action": "READ",
}

outcome(rule, title, status, code, detail) := {
	"rule": rule,
	"stage": 3.3,
	"status": status,
	"code": code,
	"reason": sprintf("%s (%s): %s", [rule, title, detail]),
}

unsupported(type) := outcome(
	"F1", "Input-source security", 500, "unsupported_input_source",
	sprintf("input source '%s' does not support input source based security; Druid fails the query", [type]),
)

submit(statement) := {"identity": alice, "operation": "sql.task.submit", "statement": statement}

insert_from(types) := submit({"type": "INSERT", "target": "wiki", "external": types})

with_functions(functions) := submit({"type": "INSERT", "target": "wiki", "tableFunctions": functions})

# --- R4: EXTERN, input-source security off (Druid's default) ------------------------------------------------------

test_extern_needs_read_on_external_external if {
	extern.required == {r4_external} with input as insert_from(["http"])
	extern.outcomes == set() with input as insert_from(["http"])
}

test_extern_of_several_sources_needs_external_external_once if {
	extern.required == {r4_external} with input as insert_from(["http", "s3", "inline", "s3"])
}

test_statement_without_extern_needs_nothing_external if {
	extern.required == set() with input as submit({"type": "SELECT", "reads": [{"type": "DATASOURCE", "name": "wiki"}]})
}

test_extern_setting_false_string_keeps_external_external if {
	extern.required == {r4_external} with input as insert_from(["http"])
		with data.settings as {"druid.auth.enableInputSourceSecurity": "false"}
}

test_extern_of_source_without_type_support_is_fine_with_security_off if {
	extern.required == {r4_external} with input as insert_from(["delta"])
	extern.outcomes == set() with input as insert_from(["delta"])
}

test_extern_is_checked_on_the_statements_api_too if {
	extern.required == {r4_external} with input as {
		"identity": alice,
		"operation": "sql.statements.submit",
		"statement": {"type": "SELECT", "external": ["inline"]},
	}
}

test_overlord_task_post_does_not_check_extern if {
	extern.required == set() with input as {
		"identity": alice,
		"operation": "task.submit",
		"statement": {"type": "INSERT", "target": "wiki", "external": ["http"]},
	}
}

# --- F1: input-source security ------------------------------------------------------------------------------------

test_extern_with_input_source_security_needs_read_per_type if {
	extern.required == {f1_read("http"), f1_read("s3")} with input as insert_from(["http", "s3", "http"])
		with data.settings as security_on
}

test_input_source_security_replaces_external_external if {
	every type in secured_types {
		extern.required == {f1_read(type)} with input as insert_from([type])
			with data.settings as security_on
	}
}

test_input_source_security_given_as_string_true if {
	extern.required == {f1_read("inline")} with input as insert_from(["inline"])
		with data.settings as {"druid.auth.enableInputSourceSecurity": "true"}
}

test_input_source_security_has_no_effect_before_druid_26 if {
	extern.required == {r4_external} with input as insert_from(["http"])
		with data.settings as {"druidVersion": "25.0.0", "druid.auth.enableInputSourceSecurity": true}
	extern.required == {f1_read("http")} with input as insert_from(["http"])
		with data.settings as {"druidVersion": "26.0.0", "druid.auth.enableInputSourceSecurity": true}
}

test_source_without_type_support_is_an_error_not_a_403 if {
	extern.outcomes == {unsupported("delta")} with input as insert_from(["delta"])
		with data.settings as security_on
	extern.required == set() with input as insert_from(["delta"])
		with data.settings as security_on
}

test_each_source_without_type_support_is_reported if {
	unsupported_types := {unsupported("delta"), unsupported("iceberg")}
	extern.outcomes == unsupported_types with input as insert_from(["iceberg", "http", "delta"])
		with data.settings as security_on
	extern.required == {f1_read("http")} with input as insert_from(["iceberg", "http", "delta"])
		with data.settings as security_on
}

test_unknown_input_source_type_is_invalid_sql if {
	extern.outcomes == {unknown_source("ftp")} with input as insert_from(["ftp"])
	extern.outcomes == {unknown_source("S3")} with input as insert_from(["S3"])
		with data.settings as security_on
}

# --- R5: input-source table functions ----------------------------------------------------------------------------

test_table_function_without_extend_always_needs_external_external if {
	extern.required == {r5_external} with input as with_functions([{"name": "http"}])
	extern.required == {r5_external} with input as with_functions([{"name": "http", "extend": false}])
		with data.settings as security_on
	extern.required == {r5_external} with input as with_functions([{"name": "localfiles"}])
		with data.settings as security_on
}

test_table_function_with_extend_needs_external_external_with_security_off if {
	extern.required == {r5_external} with input as with_functions([{"name": "inline", "extend": true}])
}

test_table_function_with_extend_needs_read_on_its_source_type_with_security_on if {
	extern.required == {f1_read("http"), f1_read("inline"), f1_read("local"), f1_read("s3")} with input as with_functions([
		{"name": "http", "extend": true},
		{"name": "inline", "extend": true},
		{"name": "localfiles", "extend": true},
		{"name": "s3", "extend": true},
	])
		with data.settings as security_on
}

test_extern_and_table_function_together if {
	extern.required == {r4_external, r5_external} with input as submit({
		"type": "SELECT",
		"external": ["http"],
		"tableFunctions": [{"name": "inline"}],
	})
	extern.required == {f1_read("hdfs"), r5_external} with input as submit({
		"type": "SELECT",
		"external": ["hdfs"],
		"tableFunctions": [{"name": "inline"}],
	})
		with data.settings as security_on
}

test_unknown_table_function_is_invalid_sql if {
	extern.outcomes == {outcome(
		"R5", "Input-source table functions read external data", 400, "invalid_sql",
		"unknown table function 'ftp'",
	)} with input as with_functions([{"name": "ftp", "extend": true}])
}

test_combining_needs_external_with_security_off if {
	extern.required == {r4_external} with input as submit({"type": "INSERT", "target": "wiki", "external": ["combining"]})
}

test_combining_counts_its_delegates_with_security_on if {
	extern.required == {f1_read("http"), f1_read("s3")}
		with input as submit({"type": "INSERT", "target": "wiki", "external": ["combining", "http", "s3"]})
		with data.settings as security_on
	extern.outcomes == {outcome(
		"F1", "Input-source security", 400, "invalid_sql",
		"a combining input source must list its delegates' types in statement.external",
	)}
		with input as submit({"type": "INSERT", "target": "wiki", "external": ["combining"]})
		with data.settings as security_on
}
