package msq.rules.catalog_test

import data.msq.rules.catalog

alice := {"authenticated": true, "user": "alice"}

f3_title := "Views, system tables and lookups are authorized by their own resource"

f3_read(type, name) := {
	"rule": "F3",
	"title": f3_title,
	"type": type,
	"name": name,
	"action": "READ",
}

f3_note(detail) := sprintf("F3 (%s): %s", [f3_title, detail])

not_for_msq(tables) := {
	"rule": "F3",
	"stage": 6,
	"status": 400,
	"code": "invalid_sql",
	"reason": sprintf("F3 (%s): Cannot query table(s) [%s] with SQL engine [msq-task]", [f3_title, tables]),
}

select_from(reads) := {
	"identity": alice,
	"operation": "sql.task.submit",
	"statement": {"type": "SELECT", "reads": reads},
}

segments := select_from([{"type": "SYSTEM_TABLE", "name": "segments"}])

tables := select_from([{"type": "INFORMATION_SCHEMA", "name": "TABLES"}])

country := select_from([{"type": "LOOKUP", "name": "country"}])

system_tables_on := {"druid.sql.planner.authorizeSystemTablesDirectly": true}

lookups_on := {"druidVersion": "36.0.0", "druid.sql.planner.authorizeLookupDirectly": true}

# --- views ----------------------------------------------------------------------------------------------------------

test_view_needs_read_on_the_view_only if {
	catalog.required == {f3_read("VIEW", "v")} with input as select_from([{"type": "VIEW", "name": "v"}])
	catalog.outcomes == set() with input as select_from([{"type": "VIEW", "name": "v"}])
	catalog.notes == set() with input as select_from([{"type": "VIEW", "name": "v"}])
}

# --- sys tables -----------------------------------------------------------------------------------------------------

test_sys_table_needs_nothing_by_default_and_msq_rejects_it_after_authorization if {
	catalog.required == set() with input as segments
	catalog.notes == {f3_note("sys.segments needs no permission; Druid filters its rows")} with input as segments
	catalog.outcomes == {not_for_msq("sys.segments")} with input as segments
}

test_sys_table_needs_read_on_the_bare_table_name_when_authorized_directly if {
	catalog.required == {f3_read("SYSTEM_TABLE", "segments")} with input as segments
		with data.settings as system_tables_on
	catalog.notes == set() with input as segments
		with data.settings as system_tables_on
	catalog.outcomes == {not_for_msq("sys.segments")} with input as segments
		with data.settings as system_tables_on
}

test_sys_table_switch_given_as_string if {
	sys_tasks := select_from([{"type": "SYSTEM_TABLE", "name": "tasks"}])
	catalog.required == {f3_read("SYSTEM_TABLE", "tasks")} with input as sys_tasks
		with data.settings as {"druid.sql.planner.authorizeSystemTablesDirectly": "true"}
	catalog.required == set() with input as sys_tasks
		with data.settings as {"druid.sql.planner.authorizeSystemTablesDirectly": "false"}
}

# --- INFORMATION_SCHEMA ---------------------------------------------------------------------------------------------

test_information_schema_needs_nothing_and_msq_rejects_it if {
	catalog.required == set() with input as tables
		with data.settings as system_tables_on
	filtered := f3_note("INFORMATION_SCHEMA.TABLES needs no permission; Druid filters its rows")
	catalog.notes == {filtered} with input as tables
	catalog.outcomes == {not_for_msq("INFORMATION_SCHEMA.TABLES")} with input as tables
}

test_every_catalog_table_is_named_in_the_planning_error if {
	catalog.outcomes == {not_for_msq("INFORMATION_SCHEMA.COLUMNS, sys.servers")} with input as select_from([
		{"type": "SYSTEM_TABLE", "name": "servers"},
		{"type": "DATASOURCE", "name": "wiki"},
		{"type": "INFORMATION_SCHEMA", "name": "COLUMNS"},
	])
}

# --- lookups --------------------------------------------------------------------------------------------------------

test_lookup_needs_nothing_by_default if {
	catalog.required == set() with input as country
	catalog.notes == {f3_note("lookup 'country' needs no permission")} with input as country
	catalog.outcomes == set() with input as country
}

test_lookup_needs_read_when_authorized_directly_after_druid_35 if {
	catalog.required == {f3_read("LOOKUP", "country")} with input as country
		with data.settings as lookups_on
	catalog.notes == set() with input as country
		with data.settings as lookups_on
}

test_lookup_switch_does_not_exist_in_druid_35 if {
	catalog.required == set() with input as country
		with data.settings as {"druidVersion": "35.0.0", "druid.sql.planner.authorizeLookupDirectly": true}
}

# --- not analyzed -----------------------------------------------------------------------------------------------------

test_overlord_task_post_is_not_analyzed if {
	catalog.required == set() with input as {
		"identity": alice,
		"operation": "task.submit",
		"statement": {"type": "SELECT", "reads": [
			{"type": "VIEW", "name": "v"},
			{"type": "SYSTEM_TABLE", "name": "segments"},
		]},
	}
	catalog.outcomes == set() with input as {
		"identity": alice,
		"operation": "task.submit",
		"statement": {"type": "SELECT", "reads": [{"type": "SYSTEM_TABLE", "name": "segments"}]},
	}
}
