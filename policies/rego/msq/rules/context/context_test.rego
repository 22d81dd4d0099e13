package msq.rules.context_test

import data.msq.rules.context

alice := {"authenticated": true, "user": "alice"}

f4_title := "Query context parameters need their own permission"

f4_write(key) := {
	"rule": "F4",
	"title": f4_title,
	"type": "QUERY_CONTEXT",
	"name": key,
	"action": "WRITE",
}

reserved(key) := {
	"rule": "F4",
	"stage": 3.2,
	"status": 400,
	"code": "invalid_sql",
	"reason": sprintf("F4 (%s): Query context parameter [%s] is reserved by Druid and cannot be set", [f4_title, key]),
}

on := {"druid.auth.authorizeQueryContextParams": true}

# The keys druid-semantics.md 1.1 names as reserved by the engine.
reserved_keys := {
	"sqlInsertSegmentGranularity", "sqlReplaceTimeChunks",
	"__timeColumn", "__exportFileFormat", "isReindex",
}

with_settings(extra) := object.union(on, extra)

submit(ctx, set_keys) := {
	"identity": alice,
	"operation": "sql.task.submit",
	"context": ctx,
	"statement": {"type": "SELECT", "reads": [{"type": "DATASOURCE", "name": "wiki"}], "set": set_keys},
}

# --- the switch -----------------------------------------------------------------------------------------------------

test_context_keys_need_nothing_by_default if {
	context.required == set() with input as submit({"maxNumTasks": 3}, {"finalizeAggregations": false})
}

test_context_keys_need_nothing_with_switch_false_string if {
	context.required == set() with input as submit({"maxNumTasks": 3}, {})
		with data.settings as {"druid.auth.authorizeQueryContextParams": "false"}
}

test_each_request_context_and_set_key_needs_write_when_switched_on if {
	keys := {f4_write("maxNumTasks"), f4_write("finalizeAggregations")}
	context.required == keys with input as submit({"maxNumTasks": 3}, {"finalizeAggregations": false})
		with data.settings as on
}

test_switch_given_as_string_true if {
	context.required == {f4_write("maxNumTasks")} with input as submit({"maxNumTasks": 3}, {})
		with data.settings as {"druid.auth.authorizeQueryContextParams": "true"}
}

test_always_allowed_keys_are_never_checked if {
	context.required == {f4_write("maxNumTasks")} with input as submit(
		{"sqlQueryId": "q", "sqlStringifyArrays": false, "dartQueryId": "d", "maxNumTasks": 3},
		{},
	)
		with data.settings as on
}

test_unsecured_keys_are_not_checked if {
	context.required == {f4_write("faultTolerance")} with input as submit({"maxNumTasks": 3, "faultTolerance": true}, {})
		with data.settings as with_settings({"druid.auth.unsecuredContextKeys": ["maxNumTasks"]})
}

test_secured_keys_when_set_are_the_only_keys_checked if {
	context.required == {f4_write("faultTolerance")} with input as submit({"maxNumTasks": 3}, {"faultTolerance": true})
		with data.settings as with_settings({"druid.auth.securedContextKeys": ["faultTolerance", "priority"]})
}

test_empty_secured_keys_check_no_key if {
	context.required == set() with input as submit({"maxNumTasks": 3}, {"faultTolerance": true})
		with data.settings as with_settings({"druid.auth.securedContextKeys": []})
}

test_unsecured_keys_are_removed_before_intersecting_with_secured_keys if {
	context.required == {f4_write("faultTolerance")} with input as submit({"maxNumTasks": 3, "faultTolerance": true}, {})
		with data.settings as with_settings({
			"druid.auth.securedContextKeys": ["maxNumTasks", "faultTolerance"],
			"druid.auth.unsecuredContextKeys": ["maxNumTasks"],
		})
}

test_statements_api_execution_mode_is_a_checked_key if {
	context.required == {f4_write("executionMode")} with input as {
		"identity": alice,
		"operation": "sql.statements.submit",
		"context": {"executionMode": "ASYNC"},
		"statement": {"type": "SELECT"},
	}
		with data.settings as on
}

test_overlord_task_post_has_no_context_check if {
	context.required == set() with input as {
		"identity": alice,
		"operation": "task.submit",
		"context": {"maxNumTasks": 3},
		"statement": {"type": "SELECT"},
	}
		with data.settings as on
}

# --- which keys count, by Druid version --------------------------------------------------------------------------

test_druid_25_to_34_also_checks_default_context_keys if {
	every version in ["25.0.0", "34.0.0"] {
		context.required == {f4_write("maxNumTasks"), f4_write("priority")} with input as submit({"maxNumTasks": 3}, {})
			with data.settings as with_settings({"druidVersion": version, "druid.query.default.context.priority": 5})
	}
}

test_druid_35_checks_only_user_supplied_keys if {
	context.required == {f4_write("maxNumTasks")} with input as submit({"maxNumTasks": 3}, {})
		with data.settings as with_settings({"druidVersion": "35.0.0", "druid.query.default.context.priority": 5})
}

test_druid_24_checks_only_user_supplied_keys if {
	context.required == {f4_write("maxNumTasks")} with input as submit({"maxNumTasks": 3}, {})
		with data.settings as with_settings({"druidVersion": "24.0.0", "druid.query.default.context.priority": 5})
}

test_druid_27_to_34_statements_api_checks_the_injected_result_format if {
	context.required == {f4_write("executionMode"), f4_write("__resultFormat")} with input as {
		"identity": alice,
		"operation": "sql.statements.submit",
		"context": {"executionMode": "ASYNC"},
		"statement": {"type": "SELECT"},
	}
		with data.settings as with_settings({"druidVersion": "28.0.0"})
}

test_druid_25_to_34_task_api_has_no_injected_result_format if {
	context.required == {f4_write("maxNumTasks")} with input as submit({"maxNumTasks": 3}, {})
		with data.settings as with_settings({"druidVersion": "30.0.0"})
}

test_default_context_keys_still_honour_unsecured_keys if {
	context.required == {f4_write("maxNumTasks")} with input as submit({"maxNumTasks": 3}, {})
		with data.settings as with_settings({
			"druidVersion": "30.0.0",
			"druid.query.default.context.priority": 5,
			"druid.auth.unsecuredContextKeys": ["priority"],
		})
}

# --- reserved keys --------------------------------------------------------------------------------------------------

test_reserved_keys_are_400_before_authorization_whatever_the_switch if {
	every key in reserved_keys {
		context.outcomes == {reserved(key)} with input as submit({key: "x"}, {})
	}
}

test_reserved_key_set_with_set_statement_is_400 if {
	context.outcomes == {reserved("sqlReplaceTimeChunks")} with input as submit({}, {"sqlReplaceTimeChunks": "all"})
		with data.settings as on
}

test_user_supplied_result_format_is_400_on_the_statements_api if {
	context.outcomes == {reserved("__resultFormat")} with input as {
		"identity": alice,
		"operation": "sql.statements.submit",
		"context": {"executionMode": "ASYNC", "__resultFormat": "array"},
		"statement": {"type": "SELECT"},
	}
}

test_ordinary_keys_are_not_reserved if {
	context.outcomes == set() with input as submit({"maxNumTasks": 3}, {"finalizeAggregations": false})
}

test_an_ingestion_with_a_row_limit_is_refused if {
	insert := object.union(submit({"sqlOuterLimit": 10}, {}), {"statement": {"type": "INSERT", "target": "wiki"}})
	context.outcomes == {{
		"rule": "F4",
		"stage": 3.3,
		"status": 400,
		"code": "invalid_sql",
		"reason": sprintf("F4 (%s): Context parameter [sqlOuterLimit] cannot be provided on operator [INSERT]", [f4_title]),
	}} with input as insert
	context.outcomes == set() with input as submit({"sqlOuterLimit": 10}, {})
}
