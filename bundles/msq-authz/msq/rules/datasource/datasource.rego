# METADATA
# title: Datasource reads and writes (R2, R3)
# description: |
#   SELECT needs READ on every datasource the statement reads; INSERT and REPLACE need WRITE on the target.
#   REPLACE needs no READ on its target unless the SELECT reads it.
package msq.rules.datasource

import data.msq.request
import data.msq.result

# METADATA
# title: SELECT from a datasource
# description: READ on DATASOURCE for every datasource read (joins, subqueries, CTE bodies, UNION branches).
# custom:
#   id: R2
r2 := rego.metadata.rule()

# METADATA
# title: INSERT or REPLACE into a datasource
# description: WRITE on DATASOURCE for the target of INSERT or REPLACE.
# custom:
#   id: R3
r3 := rego.metadata.rule()

required contains result.require(r2, "DATASOURCE", read.name, "READ") if {
	request.analyzes_statement
	some read in request.reads
	read.type == "DATASOURCE"
}

required contains result.require(r3, "DATASOURCE", request.statement.target, "WRITE") if {
	request.msq_engine
	request.ingests
}

outcomes contains result.outcome(r3, "validation", 400, "invalid_sql", detail) if {
	request.operation == "sql.query"
	request.ingests
	detail := sprintf(
		"Cannot execute [%s] with SQL engine [native]: use /druid/v2/sql/task or /druid/v2/sql/statements",
		[request.statement_type],
	)
}
