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

# --- F5, F1: other task types posted to the Overlord ------------------------------------------------------------------

f1_title := "Input-source security"

read_external(type) := {"rule": "F1", "title": f1_title, "type": "EXTERNAL", "name": type, "action": "READ"}

post_native(task) := {"identity": alice, "operation": "task.submit", "task": task}

secured := {"druid.auth.enableInputSourceSecurity": true, "druidVersion": "35.0.0"}

index_secret := {"type": "index_parallel", "datasource": "secret", "inputSources": ["local"]}

test_a_native_ingestion_task_needs_write_on_its_datasource if {
	tasks.required == {need("F5", "DATASOURCE", "secret", "WRITE")} with input as post_native(index_secret)
	tasks.outcomes == set() with input as post_native(index_secret)
	tasks.notes == set() with input as post_native(index_secret)
}

test_with_input_source_security_it_also_needs_read_on_each_input_source_type if {
	combining := object.union(index_secret, {"inputSources": ["combining", "local", "http"]})
	tasks.required == {
		need("F5", "DATASOURCE", "secret", "WRITE"),
		read_external("local"),
		read_external("http"),
	} with input as post_native(combining)
		with data.settings as secured
}

test_stream_tasks_need_read_on_their_stream_type if {
	kafka := {"type": "index_kafka", "datasource": "events"}
	tasks.required == {need("F5", "DATASOURCE", "events", "WRITE"), read_external("kafka")}
		with input as post_native(kafka)
		with data.settings as secured
}

test_tasks_without_inputs_need_only_write if {
	tasks.required == {need("F5", "DATASOURCE", "wiki", "WRITE")}
		with input as post_native({"type": "compact", "datasource": "wiki"})
		with data.settings as secured
}

test_an_unknown_task_type_is_a_400 if {
	tasks.outcomes == {{
		"rule": "F5",
		"stage": 3,
		"status": 400,
		"code": "invalid_request",
		"reason": concat(": ", [
			"F5 (Overlord task endpoints check the task's datasource by HTTP method)",
			"the Overlord knows no task type 'index_magic'",
		]),
	}} with input as post_native({"type": "index_magic", "datasource": "wiki"})
	tasks.required == set() with input as post_native({"type": "index_magic", "datasource": "wiki"})
}

test_a_native_task_without_a_datasource_is_a_400 if {
	tasks.outcomes == {{
		"rule": "F5",
		"stage": 3,
		"status": 400,
		"code": "invalid_request",
		"reason": concat(": ", [
			"F5 (Overlord task endpoints check the task's datasource by HTTP method)",
			"a kill task names its datasource (task.datasource)",
		]),
	}} with input as post_native({"type": "kill"})
}

test_input_sources_without_security_support_are_refused_with_security_on if {
	hadoop := {"type": "index_hadoop", "datasource": "wiki"}
	tasks.outcomes == {{
		"rule": "F1",
		"stage": 3.3,
		"status": 400,
		"code": "unsupported_input_source",
		"reason": concat(": ", [
			"F1 (Input-source security)",
			"index_hadoop does not support input source based security; the Overlord refuses the task",
		]),
	}} with input as post_native(hadoop)
		with data.settings as secured
	tasks.outcomes == set() with input as post_native(hadoop)
	delta := object.union(index_secret, {"inputSources": ["delta"]})
	tasks.outcomes == {{
		"rule": "F1",
		"stage": 3.3,
		"status": 400,
		"code": "unsupported_input_source",
		"reason": concat(": ", [
			"F1 (Input-source security)",
			"delta does not support input source based security; the Overlord refuses the task",
		]),
	}} with input as post_native(delta)
		with data.settings as secured
}

test_an_unknown_input_source_type_is_a_400 if {
	tasks.outcomes == {{
		"rule": "F1",
		"stage": 3,
		"status": 400,
		"code": "invalid_request",
		"reason": "F1 (Input-source security): unknown input source type 'ftp'",
	}} with input as post_native(object.union(index_secret, {"inputSources": ["ftp"]}))
}

test_a_query_controller_named_by_type_is_decided_by_its_statement if {
	posted := object.union(post_task({"type": "INSERT", "target": "wiki"}), {"task": {"type": "query_controller"}})
	tasks.required == {write_wiki} with input as posted
}
