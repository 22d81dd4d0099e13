package msq.rules.statements_test

import data.msq.rules.statements

alice := {"authenticated": true, "user": "alice"}

f6_title := "A query's owner, or STATE permission, may read or cancel it"

state(action) := {"rule": "F6", "title": f6_title, "type": "STATE", "name": "STATE", "action": action}

f6(stage, status, code, detail) := {
	"rule": "F6",
	"stage": stage,
	"status": status,
	"code": code,
	"reason": sprintf("F6 (%s): %s", [f6_title, detail]),
}

gets := ["sql.statements.get", "sql.statements.results"]

by_id := ["sql.statements.get", "sql.statements.results", "sql.statements.cancel"]

# A query alice does not own.
bobs(operation) := {
	"identity": alice,
	"operation": operation,
	"task": {"id": "query-abc", "datasource": "wiki", "user": "bob", "type": "query_controller", "status": "SUCCESS"},
}

# A query alice owns.
alices(operation) := {
	"identity": alice,
	"operation": operation,
	"task": {"id": "query-abc", "datasource": "__query_select", "user": "alice", "status": "SUCCESS"},
}

submit(ctx) := {
	"identity": alice,
	"operation": "sql.statements.submit",
	"context": ctx,
	"statement": {"type": "SELECT"},
}

druid(version) := {"druidVersion": version}

not_async(mode) := f6(3, 400, "invalid_request", sprintf(
	"the statements API runs only executionMode=ASYNC, not %s",
	[mode],
))

not_succeeded(state) := f6(6, 400, "invalid_request", sprintf(
	"results are available once the query succeeds; it is %s",
	[state],
))

# --- the API exists from Druid 27 -----------------------------------------------------------------------------------

test_statements_api_does_not_exist_before_druid_27 if {
	too_old := f6(2, 404, "not_found", "Druid 26.0.0 has no statements API (it arrived in Druid 27)")
	every operation in ["sql.statements.submit", "sql.statements.get", "sql.statements.results", "sql.statements.cancel"] {
		statements.outcomes == {too_old} with input as {
			"identity": alice,
			"operation": operation,
			"context": {"executionMode": "ASYNC"},
			"task": {"id": "query-abc", "datasource": "wiki", "user": "alice"},
		}
			with data.settings as {"druidVersion": "26.0.0"}
	}
}

test_statements_api_exists_in_druid_27 if {
	statements.outcomes == set() with input as submit({"executionMode": "ASYNC"}) with data.settings as druid("27.0.0")
	statements.outcomes == set() with input as alices("sql.statements.get") with data.settings as druid("27.0.0")
}

test_other_operations_are_not_statements_api if {
	statements.outcomes == set() with input as {
		"identity": alice,
		"operation": "sql.task.submit",
		"statement": {"type": "SELECT"},
	}
		with data.settings as {"druidVersion": "26.0.0"}
	statements.required == set() with input as {
		"identity": alice,
		"operation": "task.status",
		"task": {"id": "q", "datasource": "wiki", "user": "bob"},
	}
}

# --- submission context checks --------------------------------------------------------------------------------------

test_submission_in_async_mode_passes_the_context_checks if {
	statements.outcomes == set() with input as submit({"executionMode": "ASYNC"})
	statements.outcomes == set() with input as submit({"executionMode": "async"})
}

# opa-wasm's sprintf fails on null: an executionMode of null is refused like any other, not an engine error.
test_a_null_or_composite_execution_mode_is_named_as_json if {
	statements.outcomes == {not_async("null")} with input as submit({"executionMode": null})
	statements.outcomes == {not_async(`["ASYNC"]`)} with input as submit({"executionMode": ["ASYNC"]})
}

test_submission_needs_execution_mode_async if {
	statements.outcomes == {not_async("SYNC")} with input as submit({"executionMode": "SYNC"})
	statements.outcomes == {not_async("")} with input as submit({})
}

test_durable_storage_destination_needs_durable_storage_on_the_broker if {
	statements.outcomes == {f6(
		3, 400, "invalid_request",
		"selectDestination=durableStorage needs durable storage on the Broker (druid.msq.intermediate.storage.enable)",
	)} with input as submit({"executionMode": "ASYNC", "selectDestination": "durableStorage"})
}

test_durable_storage_destination_with_durable_storage_passes if {
	statements.outcomes == set() with input as submit({"executionMode": "ASYNC", "selectDestination": "DURABLESTORAGE"})
		with data.settings as {"druid.msq.intermediate.storage.enable": "true"}
	statements.outcomes == set() with input as submit({"executionMode": "ASYNC", "selectDestination": "taskReport"})
}

# --- unknown queries ------------------------------------------------------------------------------------------------

test_unknown_query_is_404 if {
	every operation in by_id {
		statements.outcomes == {f6(4, 404, "not_found", "Query [query-gone] was not found")} with input as {
			"identity": alice,
			"operation": operation,
			"task": {"id": "query-gone"},
		}
		statements.required == set() with input as {"identity": alice, "operation": operation, "task": {"id": "query-gone"}}
	}
}

test_unknown_query_is_404_from_druid_28 if {
	statements.outcomes == {f6(4, 404, "not_found", "Query [query-gone] was not found")} with input as {
		"identity": alice,
		"operation": "sql.statements.get",
		"task": {"id": "query-gone"},
	}
		with data.settings as druid("28.0.0")
}

test_unknown_query_is_a_500_in_druid_27 if {
	statements.outcomes == {f6(4, 500, "not_found", "Query [query-gone] was not found")} with input as {
		"identity": alice,
		"operation": "sql.statements.cancel",
		"task": {"id": "query-gone"},
	}
		with data.settings as druid("27.0.0")
}

test_task_that_is_not_a_query_controller_is_404 if {
	statements.outcomes == {f6(4, 404, "not_found", "Query [index_wiki] was not found")} with input as {
		"identity": alice,
		"operation": "sql.statements.get",
		"task": {"id": "index_wiki", "datasource": "wiki", "user": "alice", "type": "index_parallel"},
	}
}

# --- ownership and STATE (Druid 28+) --------------------------------------------------------------------------------

test_owner_may_read_and_cancel_without_any_permission if {
	every operation in by_id {
		statements.required == set() with input as alices(operation)
		statements.outcomes == set() with input as alices(operation)
		statements.notes == {sprintf("F6 (%s): 'alice' owns the query", [f6_title])} with input as alices(operation)
	}
}

test_non_owner_needs_state_read_to_read if {
	every operation in gets {
		statements.required == {state("READ")} with input as bobs(operation)
		statements.outcomes == set() with input as bobs(operation)
		statements.notes == set() with input as bobs(operation)
	}
}

test_non_owner_needs_state_write_to_cancel if {
	statements.required == {state("WRITE")} with input as bobs("sql.statements.cancel")
}

test_non_owner_state_override_exists_from_druid_28 if {
	statements.required == {state("READ")} with input as bobs("sql.statements.get") with data.settings as druid("28.0.0")
}

test_unauthenticated_caller_is_never_the_owner if {
	request := object.union(alices("sql.statements.get"), {"identity": {"authenticated": false, "user": "alice"}})
	statements.required == {state("READ")} with input as request
}

# --- Druid 27: owner only -------------------------------------------------------------------------------------------

test_druid_27_lets_only_the_owner_use_a_query if {
	owner_only := f6(5, 403, "forbidden", "Druid 27.0.0 lets only the query's owner 'bob' use it")
	every operation in by_id {
		statements.outcomes == {owner_only} with input as bobs(operation)
			with data.settings as {"druidVersion": "27.0.0"}
		statements.required == set() with input as bobs(operation)
			with data.settings as {"druidVersion": "27.0.0"}
	}
}

# --- results and cancel statuses ------------------------------------------------------------------------------------

test_results_of_an_unfinished_query_are_400_after_authorization if {
	statements.outcomes == {not_succeeded("RUNNING")} with input as {
		"identity": alice,
		"operation": "sql.statements.results",
		"task": {"id": "query-abc", "datasource": "__query_select", "user": "alice", "status": "RUNNING"},
	}
	statements.outcomes == {not_succeeded("FAILED")} with input as {
		"identity": alice,
		"operation": "sql.statements.results",
		"task": {"id": "query-abc", "datasource": "__query_select", "user": "bob", "status": "FAILED"},
	}
}

test_status_of_an_unfinished_query_is_fine if {
	statements.outcomes == set() with input as {
		"identity": alice,
		"operation": "sql.statements.get",
		"task": {"id": "query-abc", "datasource": "__query_select", "user": "alice", "status": "RUNNING"},
	}
}

test_cancelling_a_running_query_is_accepted if {
	statements.cancel_status == 202 with input as {"task": {"id": "q", "datasource": "wiki"}}
	every status in ["ACCEPTED", "RUNNING"] {
		statements.cancel_status == 202 with input as {"task": {"id": "q", "datasource": "wiki", "status": status}}
	}
}

test_cancelling_a_finished_query_is_a_200_no_op if {
	every status in ["SUCCESS", "FAILED"] {
		statements.cancel_status == 200 with input as {"task": {"id": "q", "datasource": "wiki", "status": status}}
	}
}

test_execution_mode_and_select_destination_may_come_from_set_statements if {
	set_async := {
		"identity": {"authenticated": true, "user": "alice"},
		"operation": "sql.statements.submit",
		"statement": {"type": "SELECT", "set": {"executionMode": "ASYNC"}},
	}
	statements.outcomes == set() with input as set_async
	set_durable := object.union(set_async, {"statement": {"set": {"selectDestination": "durableStorage"}}})
	statements.outcomes == {{
		"rule": "F6",
		"stage": 3,
		"status": 400,
		"code": "invalid_request",
		"reason": concat("", [
			"F6 (A query's owner, or STATE permission, may read or cancel it): selectDestination=durableStorage ",
			"needs durable storage on the Broker (druid.msq.intermediate.storage.enable)",
		]),
	}} with input as set_durable

	# SET wins over the request's context, as in Druid.
	statements.outcomes == set() with input as object.union(set_async, {"context": {"executionMode": "SYNC"}})
}
