package msq.authz.rules_test

import data.msq.authz.rules

bob := {"authenticated": true, "user": "bob"}

need(rule, title, type, name, action) := {"rule": rule, "title": title, "type": type, "name": name, "action": action}

test_requirements_are_gathered_from_every_package_that_has_them if {
	insert := {"type": "INSERT", "target": "wiki", "reads": [{"type": "DATASOURCE", "name": "logs"}], "external": ["http"]}
	rules.required == {
		need("R2", "SELECT from a datasource", "DATASOURCE", "logs", "READ"),
		need("R3", "INSERT or REPLACE into a datasource", "DATASOURCE", "wiki", "WRITE"),
		need("R4", "EXTERN reads external data", "EXTERNAL", "EXTERNAL", "READ"),
	} with input as {"identity": bob, "operation": "sql.task.submit", "statement": insert}
}

test_outcomes_notes_and_listings_are_gathered_too if {
	request := {"identity": {"authenticated": false}, "operation": "tasks.list"}
	[outcome.rule | some outcome in rules.outcomes] == ["R1"] with input as request
	rules.listings == {{"type": "DATASOURCE", "action": "READ"}} with input as request
	[note | some note in rules.notes; startswith(note, "F7 (")] == [concat(": ", [
		"F7 (Task lists are filtered, bulk status needs STATE)",
		"the task list is filtered to datasources the caller can READ",
	])] with input as request
}

test_warnings_are_gathered if {
	export := {"type": "EXPORT", "exportDestination": "local", "exportProperties": {"exportPath": "/elsewhere"}}
	[warning | some warning in rules.warnings; startswith(warning, "F9 (")] == [concat(": ", [
		"F9 (Export paths must lie under the configured allowed paths)",
		concat(" ", [
			"local export path /elsewhere is not under druid.export.storage.baseDir (/exports):",
			"Druid accepts the query and the task fails",
		]),
	])] with input as {"identity": bob, "operation": "sql.task.submit", "statement": export}
		with data.settings as {"druid.export.storage.baseDir": "/exports"}
}
