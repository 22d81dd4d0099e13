package msq.rules.datasource_test

import data.msq.rules.datasource

alice := {"authenticated": true, "user": "alice"}

r2_read(name) := {
	"rule": "R2",
	"title": "SELECT from a datasource",
	"type": "DATASOURCE",
	"name": name,
	"action": "READ",
}

r3_write(name) := {
	"rule": "R3",
	"title": "INSERT or REPLACE into a datasource",
	"type": "DATASOURCE",
	"name": name,
	"action": "WRITE",
}

submit(statement) := {"identity": alice, "operation": "sql.task.submit", "statement": statement}

ds(name) := {"type": "DATASOURCE", "name": name}

test_select_needs_read_on_its_datasource if {
	datasource.required == {r2_read("wiki")} with input as submit({"type": "SELECT", "reads": [ds("wiki")]})
}

test_select_needs_read_on_every_datasource_it_reads_once_each if {
	# A join of wiki with a subquery over logs, a UNION branch over metrics and wiki again.
	datasource.required == {r2_read("wiki"), r2_read("logs"), r2_read("metrics")} with input as submit({
		"type": "SELECT",
		"reads": [ds("wiki"), ds("logs"), ds("metrics"), ds("wiki")],
	})
}

test_reads_of_other_resource_types_are_not_datasource_reads if {
	datasource.required == {r2_read("wiki")} with input as submit({
		"type": "SELECT",
		"reads": [ds("wiki"), {"type": "VIEW", "name": "v"}, {"type": "SYSTEM_TABLE", "name": "segments"}],
	})
}

test_insert_needs_write_on_its_target_and_read_on_what_it_reads if {
	datasource.required == {r3_write("wiki"), r2_read("wiki_raw")} with input as submit({
		"type": "INSERT",
		"target": "wiki",
		"reads": [ds("wiki_raw")],
	})
}

test_replace_needs_no_read_on_its_target if {
	datasource.required == {r3_write("wiki")} with input as submit({
		"type": "REPLACE",
		"target": "wiki",
		"external": ["http"],
	})
}

test_replace_that_reads_its_target_needs_read_and_write if {
	datasource.required == {r3_write("wiki"), r2_read("wiki")} with input as submit({
		"type": "REPLACE",
		"target": "wiki",
		"reads": [ds("wiki")],
	})
}

test_statements_api_submission_is_analyzed_the_same_way if {
	datasource.required == {r3_write("wiki"), r2_read("logs")} with input as {
		"identity": alice,
		"operation": "sql.statements.submit",
		"statement": {"type": "INSERT", "target": "wiki", "reads": [ds("logs")]},
	}
}

test_overlord_task_post_is_not_analyzed_for_reads if {
	datasource.required == set() with input as {
		"identity": alice,
		"operation": "task.submit",
		"statement": {"type": "INSERT", "target": "wiki", "reads": [ds("logs")]},
	}
}

test_export_needs_read_on_what_it_reads_only if {
	datasource.required == {r2_read("wiki")} with input as submit({
		"type": "EXPORT",
		"exportDestination": "s3",
		"reads": [ds("wiki")],
	})
}
