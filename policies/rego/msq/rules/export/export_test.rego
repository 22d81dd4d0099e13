package msq.rules.export_test

import data.msq.rules.export

alice := {"authenticated": true, "user": "alice"}

f2_title := "Export to external storage"

f2_write(type) := {
	"rule": "F2",
	"title": f2_title,
	"type": "EXTERNAL",
	"name": type,
	"action": "WRITE",
}

invalid_sql(stage, detail) := {
	"rule": "F2",
	"stage": stage,
	"status": 400,
	"code": "invalid_sql",
	"reason": sprintf("F2 (%s): %s", [f2_title, detail]),
}

export_to(destination) := {
	"identity": alice,
	"operation": "sql.task.submit",
	"statement": {"type": "EXPORT", "exportDestination": destination, "reads": [{"type": "DATASOURCE", "name": "wiki"}]},
}

test_export_needs_write_on_its_destination_type if {
	every destination in ["s3", "google", "local"] {
		export.required == {f2_write(destination)} with input as export_to(destination)
		export.outcomes == set() with input as export_to(destination)
	}
}

test_export_needs_write_whatever_input_source_security_says if {
	export.required == {f2_write("s3")} with input as export_to("s3")
		with data.settings as {"druid.auth.enableInputSourceSecurity": true}
}

test_export_arrived_in_druid_29 if {
	export.required == {f2_write("s3")} with input as export_to("s3") with data.settings as {"druidVersion": "29.0.0"}
	export.outcomes == set() with input as export_to("s3") with data.settings as {"druidVersion": "29.0.0"}
}

test_export_before_druid_29_is_invalid_sql if {
	too_old := invalid_sql(3.1, "Druid 28.0.0 cannot export: INSERT INTO EXTERN arrived in Druid 29")
	export.outcomes == {too_old} with input as export_to("s3")
		with data.settings as {"druidVersion": "28.0.0"}
}

test_unknown_export_destination_is_invalid_sql if {
	unknown := invalid_sql(3.3, "unknown export destination 'azure' (s3, google or local)")
	export.outcomes == {unknown} with input as export_to("azure")
	export.required == set() with input as export_to("azure")
}

test_statements_api_export_needs_the_same if {
	request := object.union(export_to("google"), {"operation": "sql.statements.submit"})
	export.required == {f2_write("google")} with input as request
}

test_insert_is_not_an_export if {
	export.required == set() with input as {
		"identity": alice,
		"operation": "sql.task.submit",
		"statement": {"type": "INSERT", "target": "wiki", "external": ["s3"]},
	}
}

# --- F9: where an export may go -------------------------------------------------------------------------------------

f9_title := "Export paths must lie under the configured allowed paths"

export_at(destination, properties) := {
	"identity": alice,
	"operation": "sql.task.submit",
	"statement": {"type": "EXPORT", "exportDestination": destination, "exportProperties": properties},
}

test_s3_export_under_an_allowed_path_has_no_warning if {
	export.warnings == set() with input as export_at("s3", {"bucket": "exports", "prefix": "wiki/daily"})
		with data.settings as {"druid.export.storage.s3.allowedExportPaths": ["s3://exports/wiki/"]}
	export.warnings == set() with input as export_at("s3", {"bucket": "exports", "prefix": "wiki"})
		with data.settings as {"druid.export.storage.s3.allowedExportPaths": "[\"s3://exports/wiki\"]"}
	export.warnings == set() with input as export_at("google", {"bucket": "b", "prefix": "any/where"})
		with data.settings as {"druid.export.storage.google.allowedExportPaths": ["gs://b"]}
}

test_s3_export_outside_the_allowed_paths_warns_that_the_task_will_fail if {
	allowed := ["s3://exports/wiki/"]
	warning := sprintf("F9 (%s): %s", [f9_title, concat("", [
		"s3://other/wiki/daily is not under druid.export.storage.s3.allowedExportPaths ",
		"[\"s3://exports/wiki/\"]: Druid accepts the query and the task fails",
	])])
	export.warnings == {warning} with input as export_at("s3", {"bucket": "other", "prefix": "wiki/daily"})
		with data.settings as {"druid.export.storage.s3.allowedExportPaths": allowed}

	# a prefix that only shares characters with the allowed one is outside it: the trailing slash decides
	count(export.warnings) == 1 with input as export_at("s3", {"bucket": "exports", "prefix": "wikipedia"})
		with data.settings as {"druid.export.storage.s3.allowedExportPaths": allowed}
}

test_export_without_allowed_paths_configured_warns if {
	count(export.warnings) == 1 with input as export_at("s3", {"bucket": "exports", "prefix": "wiki"})
}

test_local_export_must_stay_under_the_base_directory if {
	base := {"druid.export.storage.baseDir": "/var/druid/exports"}
	export.warnings == set() with input as export_at("local", {"exportPath": "/var/druid/exports/wiki"})
		with data.settings as base
	warning := sprintf("F9 (%s): %s", [f9_title, concat("", [
		"local export path /var/druid/exports/../etc is not under druid.export.storage.baseDir ",
		"(/var/druid/exports): Druid accepts the query and the task fails",
	])])
	export.warnings == {warning} with input as export_at("local", {"exportPath": "/var/druid/exports/../etc"})
		with data.settings as base
	count(export.warnings) == 1 with input as export_at("local", {"exportPath": "/tmp/x"}) with data.settings as base
}

test_a_pre_analyzed_export_without_a_location_is_not_judged if {
	export.warnings == set() with input as export_at("s3", {})
}
