# METADATA
# title: SQL statements API (F6)
# description: |
#   /druid/v2/sql/statements (Druid 27+): the query's owner (the task's __user) may read and cancel it; anyone
#   else needs READ (GET) or WRITE (DELETE) on STATE 'STATE' (Druid 28+; Druid 27 was owner-only). Unknown
#   queries are 404. Submission runs the same SQL checks as /druid/v2/sql/task after its own context checks.
package msq.rules.statements

import data.msq.request
import data.msq.result
import data.msq.settings

by_id := {"sql.statements.get", "sql.statements.results", "sql.statements.cancel"}

finished_states := {"SUCCESS", "FAILED"}

# METADATA
# title: A query's owner, or STATE permission, may read or cancel it
# description: Owner (the task's __user), else READ on STATE 'STATE' for GET and WRITE for DELETE.
# custom:
#   id: F6
f6 := rego.metadata.rule()

on_endpoint if startswith(request.operation, "sql.statements.")

msq_task if object.get(request.task, "type", "query_controller") == "query_controller"

known if {
	request.task_found
	msq_task
}

owner if {
	request.authenticated
	request.user == request.task.user
}

# The one place a rule reads who the caller is beyond being authenticated: what a request requires is otherwise the
# same for every caller, and msq.authz.shape says when it is not.
reads_caller if {
	request.operation in by_id
	known
}

default action := "READ"

action := "WRITE" if request.operation == "sql.statements.cancel"

# Druid 28 answers an unknown query with 404; Druid 27 let the Overlord's error through as a 500.
default unknown_status := 500

unknown_status := 404 if settings.at_least(28)

# Cancelling a finished query is a no-op that Druid answers with 200; a running one is accepted with 202.
default cancel_status := 202

cancel_status := 200 if object.get(request.task, "status", "RUNNING") in finished_states

required contains result.require(f6, "STATE", "STATE", action) if {
	request.operation in by_id
	known
	not owner
	settings.at_least(28)
}

notes contains result.note(f6, sprintf("'%s' owns the query", [request.user])) if {
	request.operation in by_id
	known
	owner
}

outcomes contains result.outcome(f6, "endpoint", 404, "not_found", detail) if {
	on_endpoint
	not settings.at_least(27)
	detail := sprintf("Druid %s has no statements API (it arrived in Druid 27)", [settings.version_string])
}

outcomes contains result.outcome(f6, "request", 400, "invalid_request", detail) if {
	request.operation == "sql.statements.submit"
	mode := object.get(request.query_context, "executionMode", "")
	not upper(result.text(mode)) == "ASYNC"
	detail := sprintf("the statements API runs only executionMode=ASYNC, not %s", [result.text(mode)])
}

outcomes contains result.outcome(f6, "request", 400, "invalid_request", detail) if {
	request.operation == "sql.statements.submit"
	upper(result.text(object.get(request.query_context, "selectDestination", ""))) == "DURABLESTORAGE"
	not settings.durable_storage
	detail := concat(" ", [
		"selectDestination=durableStorage needs durable storage on the Broker",
		"(druid.msq.intermediate.storage.enable)",
	])
}

outcomes contains result.outcome(f6, "lookup", unknown_status, "not_found", detail) if {
	request.operation in by_id
	not known
	detail := sprintf("Query [%s] was not found", [result.text(object.get(request.task, "id", ""))])
}

outcomes contains result.outcome(f6, "authorization", 403, "forbidden", detail) if {
	request.operation in by_id
	known
	not owner
	not settings.at_least(28)
	detail := concat("", [
		"Druid ", settings.version_string, " lets only the query's owner '", result.text(request.task.user), "' use it",
	])
}

outcomes contains result.outcome(f6, "planning", 400, "invalid_request", detail) if {
	request.operation == "sql.statements.results"
	known
	state := object.get(request.task, "status", "SUCCESS")
	state != "SUCCESS"
	detail := sprintf("results are available once the query succeeds; it is %s", [result.text(state)])
}
