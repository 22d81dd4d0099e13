package msq.request_test

import data.msq.request

alice := {"authenticated": true, "user": "alice"}

invalid(detail) := {
	"rule": "INPUT",
	"stage": 0,
	"status": 400,
	"code": "invalid_request",
	"reason": sprintf("INPUT (Request shape): %s", [detail]),
}

select_wiki := {"type": "SELECT", "reads": [{"type": "DATASOURCE", "name": "wiki"}]}

# --- what the rules read --------------------------------------------------------------------------------------------

test_sql_submissions_are_analyzed if {
	request.analyzes_statement with input as {"operation": "sql.task.submit"}
	request.analyzes_statement with input as {"operation": "sql.statements.submit"}
	not request.analyzes_statement with input as {"operation": "task.submit"}
	not request.analyzes_statement with input as {"operation": "sql.statements.get"}
}

test_sql_operations_are_msq_endpoints if {
	request.msq_endpoint with input as {"operation": "sql.task.enabled"}
	request.msq_endpoint with input as {"operation": "sql.statements.cancel"}
	not request.msq_endpoint with input as {"operation": "task.status"}
	not request.msq_endpoint with input as {"operation": "tasks.list"}
}

test_statement_parts_default_to_empty if {
	request.statement == {} with input as {"operation": "sql.task.submit"}
	request.statement_type == "" with input as {"operation": "sql.task.submit"}
	request.reads == [] with input as {"operation": "sql.task.submit", "statement": {"type": "SELECT"}}
	request.external == [] with input as {"operation": "sql.task.submit", "statement": {"type": "SELECT"}}
	request.table_functions == [] with input as {"operation": "sql.task.submit", "statement": {"type": "SELECT"}}
	request.set_context == {} with input as {"operation": "sql.task.submit", "statement": {"type": "SELECT"}}
	request.context == {} with input as {"operation": "sql.task.submit"}
	request.task == {} with input as {"operation": "sql.task.submit"}
}

test_insert_and_replace_ingest if {
	request.ingests with input as {"statement": {"type": "INSERT", "target": "wiki"}}
	request.ingests with input as {"statement": {"type": "REPLACE", "target": "wiki"}}
	not request.ingests with input as {"statement": {"type": "SELECT"}}
	not request.ingests with input as {"statement": {"type": "EXPORT", "exportDestination": "s3"}}
}

test_a_task_is_found_when_its_datasource_is_known if {
	request.task_found with input as {"task": {"id": "q1", "datasource": "wiki"}}
	not request.task_found with input as {"task": {"id": "q1"}}
	not request.task_found with input as {"task": {"id": "q1", "datasource": null}}
}

test_identity_user_and_authentication if {
	request.user == "alice" with input as {"identity": alice}
	request.authenticated with input as {"identity": alice}
	not request.authenticated with input as {"identity": {"authenticated": false, "user": "alice"}}
	not request.authenticated with input as {"identity": {"authenticated": "true", "user": "alice"}}
	request.user == "" with input as {}
	request.user == "" with input as "not an object"
	request.user == "" with input as {"identity": "alice"}
}

# --- INPUT: shape checks --------------------------------------------------------------------------------------------

test_a_well_formed_request_has_no_outcome if {
	request.outcomes == set() with input as {"identity": alice, "operation": "sql.task.submit", "statement": select_wiki}
	request.outcomes == set() with input as {"identity": alice, "operation": "tasks.list"}
	request.outcomes == set() with input as {"identity": {"authenticated": false}, "operation": "sql.task.enabled"}
}

test_a_request_that_is_not_an_object_is_invalid if {
	request.outcomes == {invalid("the request must be a JSON object")} with input as ["sql.task.submit"]
}

test_an_unknown_operation_is_invalid if {
	request.outcomes == {invalid("unknown operation sql.drop")} with input as {
		"identity": alice,
		"operation": "sql.drop",
	}
}

test_a_request_without_an_operation_is_invalid if {
	request.outcomes == {invalid("unknown operation null")} with input as {"identity": alice}
}

test_a_request_without_an_identity_is_invalid if {
	request.outcomes == {invalid("identity.authenticated must be a boolean")} with input as {"operation": "tasks.list"}
	request.outcomes == {invalid("identity.authenticated must be a boolean")} with input as {
		"identity": "alice",
		"operation": "tasks.list",
	}
}

test_identity_authenticated_must_be_a_boolean if {
	request.outcomes == {invalid("identity.authenticated must be a boolean")} with input as {
		"identity": {"user": "alice", "authenticated": null},
		"operation": "tasks.list",
	}
	request.outcomes == {invalid("identity.authenticated must be a boolean")} with input as {
		"identity": {"authenticated": "true", "user": "alice"},
		"operation": "tasks.list",
	}
}

test_an_authenticated_user_must_be_a_string if {
	request.outcomes == {invalid("identity.user must be a string for an authenticated identity")} with input as {
		"identity": {"authenticated": true},
		"operation": "tasks.list",
	}
	request.outcomes == {invalid("identity.user must be a string for an authenticated identity")} with input as {
		"identity": {"authenticated": true, "user": 42},
		"operation": "tasks.list",
	}
}

needs_statement(operation) := invalid(sprintf("%s needs a statement (raw SQL is analyzed into one first)", [operation]))

test_submissions_need_a_statement if {
	every operation in ["sql.task.submit", "sql.statements.submit"] {
		request.outcomes == {needs_statement(operation)} with input as {"identity": alice, "operation": operation}
		every statement in [null, "INSERT INTO wiki SELECT 1", ["INSERT"]] {
			request.outcomes == {needs_statement(operation)} with input as {
				"identity": alice,
				"operation": operation,
				"statement": statement,
			}
		}
	}
}

controller_needs_statement := invalid("task.submit of a query_controller task needs its statement")

test_a_posted_query_controller_needs_a_statement if {
	request.outcomes == {controller_needs_statement} with input as {"identity": alice, "operation": "task.submit"}
	request.outcomes == {controller_needs_statement} with input as {
		"identity": alice,
		"operation": "task.submit",
		"task": {"type": "query_controller"},
	}
	request.outcomes == set() with input as {"identity": alice, "operation": "task.submit", "task": {"type": "kill"}}
}

test_a_posted_task_names_its_type_and_input_sources_as_strings if {
	request.outcomes == {invalid("task.type must be a string")} with input as {
		"identity": alice,
		"operation": "task.submit",
		"task": {"type": 7},
		"statement": {"type": "SELECT"},
	}
	request.outcomes == {invalid("task.inputSources must be an array of input source type names")} with input as {
		"identity": alice,
		"operation": "task.submit",
		"task": {"type": "index", "inputSources": ["http", 3]},
	}
}

bad_type(type) := invalid(sprintf("statement.type must be one of SELECT, INSERT, REPLACE, EXPORT, not %s", [type]))

test_statement_type_must_be_known if {
	request.outcomes == {bad_type("null")} with input as {
		"identity": alice,
		"operation": "sql.task.submit",
		"statement": {"reads": [{"type": "DATASOURCE", "name": "wiki"}]},
	}
	request.outcomes == {bad_type("DELETE")} with input as {
		"identity": alice,
		"operation": "sql.task.submit",
		"statement": {"type": "DELETE", "target": "wiki"},
	}
	request.outcomes == {bad_type("select")} with input as {
		"identity": alice,
		"operation": "sql.task.submit",
		"statement": {"type": "select"},
	}
}

test_insert_and_replace_need_a_target if {
	request.outcomes == {invalid("a INSERT statement needs a target datasource")} with input as {
		"identity": alice,
		"operation": "sql.task.submit",
		"statement": {"type": "INSERT", "reads": [{"type": "DATASOURCE", "name": "wiki"}]},
	}
	request.outcomes == {invalid("a INSERT statement needs a target datasource")} with input as {
		"identity": alice,
		"operation": "sql.task.submit",
		"statement": {"type": "INSERT", "target": null},
	}
	request.outcomes == {invalid("a REPLACE statement needs a target datasource")} with input as {
		"identity": alice,
		"operation": "task.submit",
		"statement": {"type": "REPLACE", "target": ["wiki"]},
	}
}

test_export_needs_a_destination if {
	request.outcomes == {invalid("an EXPORT statement needs an exportDestination")} with input as {
		"identity": alice,
		"operation": "sql.task.submit",
		"statement": {"type": "EXPORT", "reads": [{"type": "DATASOURCE", "name": "wiki"}]},
	}
	request.outcomes == {invalid("an EXPORT statement needs an exportDestination")} with input as {
		"identity": alice,
		"operation": "sql.task.submit",
		"statement": {"type": "EXPORT", "exportDestination": {"s3": {"bucket": "b"}}},
	}
}

test_task_interactions_need_a_task if {
	every operation in ["task.status", "task.payload", "task.reports", "task.log", "task.cancel"] {
		request.outcomes == {invalid(sprintf("%s needs a task", [operation]))} with input as {
			"identity": alice,
			"operation": operation,
		}
		request.outcomes == {invalid(sprintf("%s needs a task", [operation]))} with input as {
			"identity": alice,
			"operation": operation,
			"task": "query-abc",
		}
	}
}

test_statement_interactions_need_a_task if {
	every operation in ["sql.statements.get", "sql.statements.results", "sql.statements.cancel"] {
		request.outcomes == {invalid(sprintf("%s needs a task", [operation]))} with input as {
			"identity": alice,
			"operation": operation,
		}
		request.outcomes == {invalid(sprintf("%s needs a task", [operation]))} with input as {
			"identity": alice,
			"operation": operation,
			"task": "query-abc",
		}
	}
}

test_every_malformation_is_reported if {
	request.outcomes == {
		invalid("identity.authenticated must be a boolean"),
		bad_type("UPSERT"),
	} with input as {"identity": {"authenticated": "yes"}, "operation": "sql.task.submit", "statement": {"type": "UPSERT"}}
}

# --- malformed parts of a statement are a 400, never an allow with nothing required ------------------------------

submit_with(statement) := {"identity": alice, "operation": "sql.task.submit", "statement": statement}

test_reads_that_are_not_an_array_are_invalid if {
	request.outcomes == {invalid("statement.reads must be an array")}
		with input as submit_with({"type": "SELECT", "reads": "secret"})
}

test_a_read_without_a_name_or_with_an_unknown_type_is_invalid if {
	types := "[\"DATASOURCE\",\"INFORMATION_SCHEMA\",\"LOOKUP\",\"SYSTEM_TABLE\",\"VIEW\"]"
	detail := sprintf("statement.reads[%d] must be {type, name} with a type in %s", [1, types])
	statement := {"type": "SELECT", "reads": [{"type": "DATASOURCE", "name": "wiki"}, {"type": "TABLE", "name": "x"}]}
	request.outcomes == {invalid(detail)} with input as submit_with(statement)
	nameless := {"type": "SELECT", "reads": [{"type": "VIEW", "name": "v"}, {"type": "DATASOURCE"}]}
	request.outcomes == {invalid(detail)} with input as submit_with(nameless)
}

test_external_and_table_functions_must_be_arrays_of_the_right_items if {
	request.outcomes == {invalid("statement.external must be an array")}
		with input as submit_with({"type": "SELECT", "external": "http"})
	request.outcomes == {invalid("statement.external[0] must be an input source type name")}
		with input as submit_with({"type": "SELECT", "external": [7]})
	request.outcomes == {invalid("statement.tableFunctions must be an array")}
		with input as submit_with({"type": "SELECT", "tableFunctions": "http"})
	request.outcomes == {invalid("statement.tableFunctions[0] must be {name, extend}")}
		with input as submit_with({"type": "SELECT", "tableFunctions": [{"name": "http", "extend": "yes"}]})
}

test_context_and_set_must_be_objects if {
	request.outcomes == {invalid("context must be an object")}
		with input as object.union(submit_with(select_wiki), {"context": "maxNumTasks=3"})
	request.outcomes == {invalid("statement.set must be an object")}
		with input as submit_with(object.union(select_wiki, {"set": ["maxNumTasks"]}))
}

test_identity_groups_are_at_most_max_groups if {
	fifty := [sprintf("cn=g%d,dc=x", [i]) | some i in numbers.range(1, request.max_groups)]
	request.caller_outcomes == set() with input as {"identity": object.union(alice, {"groups": fifty})}
	request.caller_outcomes == {invalid("identity.groups names more than 50 groups")}
		with input as {"identity": object.union(alice, {"groups": array.concat(fifty, ["cn=one,dc=more"])})}
}

test_identity_groups_must_be_an_array_of_strings if {
	request.groups == [] with input as {"identity": alice, "operation": "tasks.list"}
	request.groups == ["cn=a,dc=b"] with input as {"identity": object.union(alice, {"groups": ["cn=a,dc=b"]})}
	every groups in ["cn=a,dc=b", [7], {"cn": "a"}, null] {
		request.caller_outcomes == {invalid("identity.groups must be an array of group DN strings")} with input as {
			"identity": object.union(alice, {"groups": groups}),
			"operation": "tasks.list",
		}
	}
}
