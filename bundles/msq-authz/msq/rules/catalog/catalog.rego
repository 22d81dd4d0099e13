# METADATA
# title: Views, system tables, INFORMATION_SCHEMA and lookups (F3)
# description: |
#   A view needs READ on VIEW '<name>' only (its datasources are not checked). sys.<table> needs READ on
#   SYSTEM_TABLE '<table>' only with druid.sql.planner.authorizeSystemTablesDirectly; INFORMATION_SCHEMA needs
#   nothing (rows are filtered); lookups need READ on LOOKUP '<name>' only with
#   druid.sql.planner.authorizeLookupDirectly (after Druid 35).
package msq.rules.catalog

import data.msq.request
import data.msq.result
import data.msq.settings

# METADATA
# title: Views, system tables and lookups are authorized by their own resource
# description: VIEW READ for views; SYSTEM_TABLE and LOOKUP READ only where Druid is set to check them.
# custom:
#   id: F3
f3 := rego.metadata.rule()

reads_of(type) := {read.name | some read in request.reads; read.type == type}

required contains result.require(f3, "VIEW", name, "READ") if {
	request.analyzes_statement
	some name in reads_of("VIEW")
}

required contains result.require(f3, "SYSTEM_TABLE", name, "READ") if {
	request.analyzes_statement
	settings.authorize_system_tables
	some name in reads_of("SYSTEM_TABLE")
}

required contains result.require(f3, "LOOKUP", name, "READ") if {
	request.analyzes_statement
	settings.authorize_lookups
	some name in reads_of("LOOKUP")
}

notes contains result.note(f3, sprintf("sys.%s needs no permission; Druid filters its rows", [name])) if {
	request.analyzes_statement
	not settings.authorize_system_tables
	some name in reads_of("SYSTEM_TABLE")
}

notes contains result.note(f3, detail) if {
	request.analyzes_statement
	some name in reads_of("INFORMATION_SCHEMA")
	detail := sprintf("INFORMATION_SCHEMA.%s needs no permission; Druid filters its rows", [name])
}

notes contains result.note(f3, sprintf("lookup '%s' needs no permission", [name])) if {
	request.analyzes_statement
	not settings.authorize_lookups
	some name in reads_of("LOOKUP")
}

outcomes contains result.outcome(f3, "planning", 400, "invalid_sql", detail) if {
	request.msq_engine
	tables := [sprintf("%s.%s", [schema, name]) |
		some read in request.reads
		schema := {"SYSTEM_TABLE": "sys", "INFORMATION_SCHEMA": "INFORMATION_SCHEMA"}[read.type]
		name := read.name
	]
	count(tables) > 0
	detail := sprintf("Cannot query table(s) [%s] with SQL engine [msq-task]", [concat(", ", sort(tables))])
}
