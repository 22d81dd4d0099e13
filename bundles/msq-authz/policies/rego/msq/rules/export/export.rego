# METADATA
# title: Export (F2)
# description: |
#   INSERT INTO EXTERN(s3|google|local(...)) exports query results (Druid 29+) and needs WRITE on EXTERNAL
#   '<destination type>', whatever druid.auth.enableInputSourceSecurity says, plus what the SELECT reads.
package msq.rules.export

import data.msq.request
import data.msq.result
import data.msq.settings

destinations := {"s3", "google", "local"}

# METADATA
# title: Export to external storage
# description: WRITE on EXTERNAL '<destination type>' for INSERT INTO EXTERN(...).
# custom:
#   id: F2
f2 := rego.metadata.rule()

is_export if request.statement_type == "EXPORT"

required contains result.require(f2, "EXTERNAL", request.statement.exportDestination, "WRITE") if {
	request.msq_engine
	is_export
	request.statement.exportDestination in destinations
}

outcomes contains result.outcome(f2, "validation", 400, "invalid_sql", detail) if {
	request.operation == "sql.query"
	is_export
	detail := "Cannot execute [EXPORT] with SQL engine [native]: use /druid/v2/sql/task or /druid/v2/sql/statements"
}

outcomes contains result.outcome(f2, "parse", 400, "invalid_sql", detail) if {
	is_export
	not settings.at_least(29)
	detail := sprintf("Druid %s cannot export: INSERT INTO EXTERN arrived in Druid 29", [settings.version_string])
}

outcomes contains result.outcome(f2, "validation", 400, "invalid_sql", detail) if {
	is_export
	is_string(request.statement.exportDestination)
	not request.statement.exportDestination in destinations
	detail := sprintf("unknown export destination '%s' (s3, google or local)", [request.statement.exportDestination])
}
