package msq.rules.tasks_test

import data.msq.rules.tasks

alice := {"authenticated": true, "user": "alice"}

titles := {
	"R6": "A query runs as a query_controller task under the Overlord's model",
	"R7": "Interacting with an INSERT or REPLACE task",
	"R8": "Interacting with a SELECT task",
	"F5": "Overlord task endpoints check the task's datasource by HTTP method",
	"F7": "Task lists are filtered, bulk status needs STATE",
}

need(rule, type, name, action) := {"rule": rule, "title": titles[rule], "type": type, "name": name, "action": action}

note(rule, detail) := sprintf("%s (%s): %s", [rule, titles[rule], detail])

reads := ["task.status", "task.payload", "task.reports", "task.log"]

on_task(operation, datasource) := {
	"identity": alice,
	"operation": operation,
	"task": {"id": "query-abc", "datasource": datasource, "user": "bob"},
}

post_task(statement) := {"identity": alice, "operation": "task.submit", "statement": statement}

task_list := {"identity": alice, "operation": "tasks.list"}

select_stub := "__query_select"

export_stub := "__query_export"

write_wiki := need("R6", "DATASOURCE", "wiki", "WRITE")

# --- R7, R8: reading a task -----------------------------------------------------------------------------------------

test_reading_an_ingestion_task_needs_read_on_its_output_datasource if {
	every operation in reads {
		tasks.required == {need("R7", "DATASOURCE", "wiki", "READ")} with input as on_task(operation, "wiki")
	}
}

test_reading_a_select_task_needs_read_on_query_select if {
	every operation in reads {
		tasks.required == {need("R8", "DATASOURCE", select_stub, "READ")} with input as on_task(operation, select_stub)
	}
}

test_reading_an_export_task_needs_read_on_query_export if {
	tasks.required == {need("F5", "DATASOURCE", export_stub, "READ")} with input as on_task("task.reports", export_stub)
}

test_anyone_with_the_permission_may_act_on_a_task_not_only_its_submitter if {
	tasks.required == {need("R7", "DATASOURCE", "wiki", "READ")} with input as {
		"identity": {"authenticated": true, "user": "bob"},
		"operation": "task.status",
		"task": {"id": "query-abc", "datasource": "wiki", "user": "bob"},
	}
}

# --- F5: cancel is shutdown, a POST -----------------------------------------------------------------------------------

test_cancelling_a_task_needs_write_on_its_datasource if {
	tasks.required == {need("F5", "DATASOURCE", "wiki", "WRITE")} with input as on_task("task.cancel", "wiki")
	tasks.required == {need("F5", "DATASOURCE", select_stub, "WRITE")} with input as on_task("task.cancel", select_stub)
	tasks.required == {need("F5", "DATASOURCE", export_stub, "WRITE")} with input as on_task("task.cancel", export_stub)
}

test_doc_literal_cancel_needs_read if {
	tasks.required == {need("R7", "DATASOURCE", "wiki", "READ")} with input as on_task("task.cancel", "wiki")
		with data.settings as {"msqAuthz.taskCancelRequires": "READ"}
	tasks.required == {need("R8", "DATASOURCE", select_stub, "READ")} with input as on_task("task.cancel", select_stub)
		with data.settings as {"msqAuthz.taskCancelRequires": "read"}
}

test_unknown_task_is_404_before_any_check if {
	tasks.outcomes == {{
		"rule": "F5",
		"stage": 4,
		"status": 404,
		"code": "not_found",
		"reason": sprintf("F5 (%s): Cannot find any task with id: [query-gone]", [titles.F5]),
	}} with input as {"identity": alice, "operation": "task.cancel", "task": {"id": "query-gone"}}
	tasks.required == set() with input as {"identity": alice, "operation": "task.cancel", "task": {"id": "query-gone"}}
}

test_known_task_has_no_outcome if {
	tasks.outcomes == set() with input as on_task("task.log", "wiki")
}

# --- R6: a query_controller task posted to the Overlord -------------------------------------------------------------

test_posted_ingestion_task_needs_write_on_its_target_only if {
	tasks.required == {write_wiki} with input as post_task({
		"type": "INSERT",
		"target": "wiki",
		"reads": [{"type": "DATASOURCE", "name": "secret"}],
		"external": ["http"],
	})
	tasks.required == {write_wiki} with input as post_task({"type": "REPLACE", "target": "wiki"})
}

test_posted_select_task_needs_write_on_query_select if {
	tasks.required == {need("R6", "DATASOURCE", "__query_select", "WRITE")} with input as post_task({
		"type": "SELECT",
		"reads": [{"type": "DATASOURCE", "name": "secret"}],
	})
}

test_posted_export_task_needs_write_on_its_external_destination if {
	tasks.required == {need("R6", "EXTERNAL", "s3", "WRITE")} with input as post_task({
		"type": "EXPORT",
		"exportDestination": "s3",
	})
		with data.settings as {"druidVersion": "29.0.0"}
}

test_posted_task_before_druid_29_needs_write_on_its_datasource if {
	tasks.required == {write_wiki} with input as post_task({"type": "INSERT", "target": "wiki"})
		with data.settings as {"druidVersion": "28.0.0"}
}

test_posted_task_with_input_source_security_adds_no_input_check if {
	tasks.required == {write_wiki} with input as post_task({"type": "INSERT", "target": "wiki", "external": ["http"]})
		with data.settings as {"druid.auth.enableInputSourceSecurity": true}
}

test_posted_task_says_its_reads_are_not_checked if {
	unchecked := note("R6", "the Overlord does not check what a posted task reads, only its destination")
	tasks.notes == {unchecked} with input as post_task({"type": "INSERT", "target": "wiki"})
}

test_posted_task_of_unknown_type_needs_no_destination if {
	tasks.required == set() with input as post_task({"type": "DELETE"})
}

# --- F7: lists and bulk status --------------------------------------------------------------------------------------

test_task_list_needs_no_check_and_lists_read_patterns if {
	tasks.required == set() with input as task_list
	tasks.listings == {{"type": "DATASOURCE", "action": "READ"}} with input as task_list
	tasks.notes == {note("F7", "the task list is filtered to datasources the caller can READ")} with input as task_list
}

test_task_list_for_one_datasource_needs_read_on_it_up_front if {
	one_datasource := object.union(task_list, {"datasource": "wiki"})
	tasks.required == {need("F7", "DATASOURCE", "wiki", "READ")} with input as one_datasource
}

test_bulk_task_status_needs_write_on_state if {
	tasks.required == {need("F7", "STATE", "STATE", "WRITE")} with input as {
		"identity": alice,
		"operation": "tasks.status.bulk",
	}
	tasks.listings == set() with input as {"identity": alice, "operation": "tasks.status.bulk"}
}

test_sql_submission_has_no_task_check if {
	tasks.required == set() with input as {
		"identity": alice,
		"operation": "sql.task.submit",
		"statement": {"type": "INSERT", "target": "wiki"},
	}
	tasks.notes == set() with input as {
		"identity": alice,
		"operation": "sql.task.submit",
		"statement": {"type": "INSERT", "target": "wiki"},
	}
}
