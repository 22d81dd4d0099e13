# METADATA
# title: Request shape
# description: |
#   What the rules read from the request, and the shape checks that keep the policy total when it is called
#   without the TypeScript adapter's schema validation (a stock OPA agent, for one).
package msq.request

import data.msq.result

operations := {
	"sql.query", "sql.task.submit", "sql.task.enabled",
	"sql.statements.submit", "sql.statements.get", "sql.statements.results", "sql.statements.cancel",
	"task.status", "task.payload", "task.reports", "task.log", "task.cancel", "task.submit",
	"tasks.list", "tasks.status.bulk",
}

statement_types := {"SELECT", "INSERT", "REPLACE", "EXPORT"}

read_types := {"DATASOURCE", "VIEW", "SYSTEM_TABLE", "INFORMATION_SCHEMA", "LOOKUP"}

operation := input.operation

analyzes_statement if operation == "sql.query"

analyzes_statement if msq_engine

msq_engine if operation in {"sql.task.submit", "sql.statements.submit"}

msq_endpoint if {
	startswith(operation, "sql.")
	operation != "sql.query"
}

statement := object.get(input, "statement", {})

statement_type := object.get(statement, "type", "")

ingests if statement_type in {"INSERT", "REPLACE"}

reads := object.get(statement, "reads", [])

external := object.get(statement, "external", [])

table_functions := object.get(statement, "tableFunctions", [])

context := object.get(input, "context", {})

set_context := object.get(statement, "set", {})

query_context := object.union(context, set_context) if {
	is_object(context)
	is_object(set_context)
} else := context

task := object.get(input, "task", {})

task_found if is_string(task.datasource)

submitted_task_type := object.get(task, "type", "query_controller") if operation == "task.submit"

default identity := {}

identity := object.get(input, "identity", {}) if is_object(input)

default user := ""

user := object.get(identity, "user", "") if is_object(identity)

authenticated if identity.authenticated == true

default groups := []

groups := object.get(identity, "groups", []) if is_object(identity)

# METADATA
# title: Request shape
# custom:
#   id: INPUT
input_rule := rego.metadata.rule()

invalid(detail) := result.outcome(input_rule, "input", 400, "invalid_request", detail)

default field(_, _) := null

field(value, key) := object.get(value, key, null) if is_object(value)

outcomes contains invalid("the request must be a JSON object") if not is_object(input)

outcomes contains invalid(sprintf("unknown operation %s", [result.text(field(input, "operation"))])) if {
	is_object(input)
	not field(input, "operation") in operations
}

outcomes contains invalid("identity.authenticated must be a boolean") if {
	is_object(input)
	not is_boolean(field(identity, "authenticated"))
}

outcomes contains invalid("identity.user must be a string for an authenticated identity") if {
	authenticated
	not is_string(field(identity, "user"))
}

outcomes contains invalid(sprintf("%s needs a statement (raw SQL is analyzed into one first)", [operation])) if {
	operation in {"sql.query", "sql.task.submit", "sql.statements.submit"}
	not is_object(field(input, "statement"))
}

outcomes contains invalid("task.submit of a query_controller task needs its statement") if {
	submitted_task_type == "query_controller"
	not is_object(field(input, "statement"))
}

outcomes contains invalid("task.type must be a string") if {
	operation == "task.submit"
	not is_string(object.get(field(input, "task"), "type", ""))
}

outcomes contains invalid("task.inputSources must be an array of input source type names") if {
	inputs := field(field(input, "task"), "inputSources")
	inputs != null
	not every_string(inputs)
}

outcomes contains invalid(concat("", [
	"statement.type must be one of SELECT, INSERT, REPLACE, EXPORT, not ",
	result.text(type),
])) if {
	is_object(field(input, "statement"))
	type := field(statement, "type")
	not type in statement_types
}

outcomes contains invalid(sprintf("a %s statement needs a target datasource", [statement_type])) if {
	ingests
	not is_string(field(statement, "target"))
}

outcomes contains invalid("an EXPORT statement needs an exportDestination") if {
	statement_type == "EXPORT"
	not is_string(field(statement, "exportDestination"))
}

outcomes contains invalid(sprintf("%s needs a task", [operation])) if {
	operation in {
		"task.status", "task.payload", "task.reports", "task.log", "task.cancel",
		"sql.statements.get", "sql.statements.results", "sql.statements.cancel",
	}
	not is_object(field(input, "task"))
}

outcomes contains invalid(sprintf("%s must be an object", [name])) if {
	some name, value in {"context": field(input, "context"), "statement.set": field(field(input, "statement"), "set")}
	value != null
	not is_object(value)
}

outcomes contains invalid(sprintf("statement.%s must be an array", [key])) if {
	some key in ["reads", "external", "tableFunctions"]
	value := field(field(input, "statement"), key)
	value != null
	not is_array(value)
}

outcomes contains invalid(detail) if {
	some i, read in array_field(field(input, "statement"), "reads")
	not valid_read(read)
	detail := sprintf("statement.reads[%d] must be {type, name} with a type in %s", [i, json.marshal(sort(read_types))])
}

outcomes contains invalid(sprintf("statement.external[%d] must be an input source type name", [i])) if {
	some i, type in array_field(field(input, "statement"), "external")
	not is_string(type)
}

outcomes contains invalid(sprintf("statement.tableFunctions[%d] must be {name, extend}", [i])) if {
	some i, function in array_field(field(input, "statement"), "tableFunctions")
	not valid_function(function)
}

caller_outcomes contains invalid("identity.groups must be an array of group DN strings") if {
	is_object(input)
	not every_string(groups)
}

caller_outcomes contains invalid(sprintf("identity.groups names more than %d groups", [max_groups])) if {
	every_string(groups)
	count(groups) > max_groups
}

max_groups := 50

default array_field(_, _) := []

array_field(value, key) := field(value, key) if is_array(field(value, key))

every_string(values) if {
	is_array(values)
	every value in values {
		is_string(value)
	}
}

valid_read(read) if {
	read.type in read_types
	is_string(read.name)
}

valid_function(function) if {
	is_string(function.name)
	is_boolean(object.get(function, "extend", false))
}
