package msq.result_test

import data.msq.result

# A rule's metadata as rego.metadata.rule() returns it.
rule := {"title": "Some rule", "custom": {"id": "X9"}}

test_require_carries_the_rule_and_the_resource_action if {
	result.require(rule, "DATASOURCE", "wiki", "READ") == {
		"rule": "X9",
		"title": "Some rule",
		"type": "DATASOURCE",
		"name": "wiki",
		"action": "READ",
	}
}

test_outcome_carries_stage_status_code_and_a_reason_naming_the_rule if {
	result.outcome(rule, "lookup", 404, "not_found", "no such task") == {
		"rule": "X9",
		"stage": 4,
		"status": 404,
		"code": "not_found",
		"reason": "X9 (Some rule): no such task",
	}
}

test_stages_follow_druids_order_of_checks if {
	result.stages == {
		"input": 0, "authentication": 1, "endpoint": 2, "request": 3, "parse": 3.1,
		"engine_context": 3.2, "validation": 3.3, "lookup": 4, "authorization": 5, "planning": 6,
	}
}

test_note_names_the_rule if {
	result.note(rule, "the owner may read it") == "X9 (Some rule): the owner may read it"
}

test_text_is_a_string_as_it_is_and_anything_else_as_json if {
	result.text("ASYNC") == "ASYNC"
	result.text(null) == "null"
	result.text(1.5) == "1.5"
	result.text(true) == "true"
	result.text(["a", 1]) == `["a",1]`
	result.text({"k": "v"}) == `{"k":"v"}`
}
