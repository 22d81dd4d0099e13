package msq.rules.authn_test

import data.msq.rules.authn

alice := {"authenticated": true, "user": "alice"}

anonymous := {"authenticated": false}

r1_title := "Only authenticated users may use MSQ, where the extension is loaded"

r1_outcome(stage, status, code, detail) := {
	"rule": "R1",
	"stage": stage,
	"status": status,
	"code": code,
	"reason": sprintf("R1 (%s): %s", [r1_title, detail]),
}

unauthenticated := r1_outcome(1, 401, "unauthenticated", "the request carries no authenticated identity")

not_loaded_24 := r1_outcome(
	2, 404, "msq_not_loaded",
	"Druid 24.0.0 has no MSQ endpoints: druid-multi-stage-query is not in druid.extensions.loadList",
)

without_msq := {"druidVersion": "24.0.0", "druid.extensions.loadList": ["druid-basic-security"]}

test_authenticated_user_passes_r1 if {
	authn.outcomes == set() with input as {"identity": alice, "operation": "sql.task.submit"}
}

test_unauthenticated_request_is_401 if {
	authn.outcomes == {unauthenticated} with input as {"identity": anonymous, "operation": "sql.task.submit"}
}

test_unauthenticated_is_401_on_task_endpoints_too if {
	authn.outcomes == {unauthenticated} with input as {
		"identity": {"authenticated": false, "user": "alice"},
		"operation": "task.status",
		"task": {"id": "q1", "datasource": "wiki"},
	}
}

test_sql_endpoints_are_404_where_msq_is_not_loaded if {
	every operation in ["sql.task.enabled", "sql.task.submit", "sql.statements.submit", "sql.statements.get"] {
		authn.outcomes == {not_loaded_24} with input as {"identity": alice, "operation": operation}
			with data.settings as without_msq
	}
}

test_unauthenticated_and_not_loaded_reports_both_stages if {
	authn.outcomes == {unauthenticated, not_loaded_24} with input as {
		"identity": anonymous,
		"operation": "sql.task.submit",
	}
		with data.settings as without_msq
}

test_sql_endpoints_exist_where_msq_is_loaded if {
	authn.outcomes == set() with input as {"identity": alice, "operation": "sql.task.submit"}
		with data.settings as {"druidVersion": "24.0.0", "druid.extensions.loadList": ["druid-multi-stage-query"]}
	authn.outcomes == set() with input as {"identity": alice, "operation": "sql.task.submit"}
		with data.settings as {"druidVersion": "35.0.0", "druid.extensions.loadList": []}
}

test_overlord_endpoints_exist_without_msq if {
	authn.outcomes == set() with input as {
		"identity": alice,
		"operation": "task.status",
		"task": {"id": "q1", "datasource": "wiki"},
	}
		with data.settings as without_msq
}

test_overlord_cannot_read_a_posted_query_controller_task_without_msq if {
	authn.outcomes == {r1_outcome(
		3, 400, "msq_not_loaded",
		"the Overlord cannot read a query_controller task: druid-multi-stage-query is not loaded",
	)} with input as {"identity": alice, "operation": "task.submit"}
		with data.settings as without_msq
}

test_any_authenticated_user_may_use_msq_itself if {
	authn.notes == {sprintf("R1 (%s): any authenticated user may use MSQ itself", [r1_title])} with input as {
		"identity": alice,
		"operation": "sql.task.enabled",
	}
	authn.notes == set() with input as {"identity": alice, "operation": "sql.task.submit"}
}
