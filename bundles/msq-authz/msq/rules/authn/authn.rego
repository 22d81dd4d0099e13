# METADATA
# title: Authentication and the MSQ endpoints (R1)
# description: |
#   Only authenticated users may use MSQ, and only where the MSQ extension is loaded; any authenticated user may
#   use MSQ itself. Druid authenticates before it routes, so 401 comes before the 404 of a missing endpoint.
package msq.rules.authn

import data.msq.request
import data.msq.result
import data.msq.settings

# METADATA
# title: Only authenticated users may use MSQ, where the extension is loaded
# custom:
#   id: R1
r1 := rego.metadata.rule()

outcomes contains result.outcome(r1, "authentication", 401, "unauthenticated", detail) if {
	is_object(input)
	not request.authenticated
	detail := "the request carries no authenticated identity"
}

outcomes contains result.outcome(r1, "endpoint", 404, "msq_not_loaded", detail) if {
	request.msq_endpoint
	not settings.msq_loaded
	detail := sprintf(
		"Druid %s has no MSQ endpoints: druid-multi-stage-query is not in druid.extensions.loadList",
		[settings.version_string],
	)
}

outcomes contains result.outcome(r1, "request", 400, "msq_not_loaded", detail) if {
	request.submitted_task_type == "query_controller"
	not settings.msq_loaded
	detail := "the Overlord cannot read a query_controller task: druid-multi-stage-query is not loaded"
}

notes contains result.note(r1, "any authenticated user may use MSQ itself") if request.operation == "sql.task.enabled"
