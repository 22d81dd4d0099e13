# METADATA
# title: Overlord task APIs (R6, R7, R8, F5, F7)
# description: |
#   An MSQ query runs as a query_controller task, and its task APIs follow the Overlord's model: whoever holds the
#   permission on the task's datasource may act on it, not only its submitter. GET needs READ, POST and DELETE
#   (cancel) need WRITE; an unknown task is a 404 before any check.
package msq.rules.tasks

import data.msq.request
import data.msq.result
import data.msq.rules.extern
import data.msq.settings

select_datasource := "__query_select"

export_datasource := "__query_export"

interactions := {"task.status", "task.payload", "task.reports", "task.log", "task.cancel"}

# METADATA
# title: A query runs as a query_controller task under the Overlord's model
# description: A query_controller task posted to the Overlord is checked for WRITE on its destination only.
# custom:
#   id: R6
r6 := rego.metadata.rule()

# METADATA
# title: Interacting with an INSERT or REPLACE task
# description: READ on DATASOURCE '<output datasource>'.
# custom:
#   id: R7
r7 := rego.metadata.rule()

# METADATA
# title: Interacting with a SELECT task
# description: READ on DATASOURCE '__query_select', the stub datasource of every SELECT task.
# custom:
#   id: R8
r8 := rego.metadata.rule()

# METADATA
# title: Overlord task endpoints check the task's datasource by HTTP method
# description: GET needs READ, POST and DELETE (cancel is shutdown) need WRITE; unknown tasks are 404 first.
# custom:
#   id: F5
f5 := rego.metadata.rule()

# METADATA
# title: Task lists are filtered, bulk status needs STATE
# description: |
#   A task list shows the tasks whose datasource the caller can READ; ?datasource=X needs READ on X up front;
#   POST /taskStatus needs WRITE on STATE 'STATE'.
# custom:
#   id: F7
f7 := rego.metadata.rule()

interacts if request.operation in interactions

datasource := request.task.datasource

default action := "READ"

action := settings.cancel_action if request.operation == "task.cancel"

# Which rule speaks for the check: the seed rules name READ on the output datasource or the SELECT stub; the
# WRITE that Druid's code checks for cancel, and the export stub, come from F5.
rule := f5 if action == "WRITE"

else := r8 if datasource == select_datasource

else := f5 if datasource == export_datasource

else := r7

# Since Druid 29 the Overlord checks the task's destination resource; before, WRITE on the task's datasource,
# which is the same resource for INSERT, REPLACE and SELECT.
destination := ["EXTERNAL", request.statement.exportDestination] if {
	request.statement_type == "EXPORT"
} else := ["DATASOURCE", request.statement.target] if {
	request.ingests
} else := ["DATASOURCE", select_datasource]

required contains result.require(rule, "DATASOURCE", datasource, action) if {
	interacts
	request.task_found
}

required contains result.require(r6, destination[0], destination[1], "WRITE") if {
	request.submitted_task_type == "query_controller"
	request.statement_type in request.statement_types
}

required contains result.require(f5, "DATASOURCE", request.task.datasource, "WRITE") if {
	native_kind
	is_string(request.task.datasource)
}

required contains result.require(extern.f1, "EXTERNAL", type, "READ") if {
	native_kind == "input source"
	settings.input_source_security
	some type in submitted_inputs
	type in extern.secured_types
}

required contains result.require(extern.f1, "EXTERNAL", stream_sources[request.submitted_task_type], "READ") if {
	native_kind == "stream"
	settings.input_source_security
}

required contains result.require(f7, "DATASOURCE", input.datasource, "READ") if {
	request.operation == "tasks.list"
	is_string(input.datasource)
}

required contains result.require(f7, "STATE", "STATE", "WRITE") if request.operation == "tasks.status.bulk"

# What taskPost checks for each task type besides WRITE on the task's datasource, with input-source security on
# (OverlordResource.getNeededResourceActionsForTask, Task.getInputSourceResources):
# "input source": READ on EXTERNAL '<type>' for each type its ioConfig.inputSource reads;
# "stream": READ on EXTERNAL '<the type itself>'; "none": nothing; "unsupported": the Overlord refuses the task.
native_task_types := {
	"index": "input source", "index_parallel": "input source",
	"index_kafka": "stream", "index_kinesis": "stream",
	"index_hadoop": "unsupported",
	"compact": "none", "kill": "none", "noop": "none", "archive": "none", "restore": "none", "move": "none",
}

stream_sources := {"index_kafka": "kafka", "index_kinesis": "kinesis"}

native_kind := native_task_types[request.submitted_task_type]

submitted_inputs := {type | some type in object.get(request.task, "inputSources", [])}

outcomes contains result.outcome(f5, "request", 400, "invalid_request", detail) if {
	request.operation == "task.submit"
	is_string(request.submitted_task_type)
	request.submitted_task_type != "query_controller"
	not native_kind
	detail := sprintf("the Overlord knows no task type '%s'", [request.submitted_task_type])
}

outcomes contains result.outcome(f5, "request", 400, "invalid_request", detail) if {
	native_kind
	not is_string(object.get(request.task, "datasource", null))
	detail := sprintf("a %s task names its datasource (task.datasource)", [request.submitted_task_type])
}

outcomes contains result.outcome(extern.f1, "validation", 400, "unsupported_input_source", detail) if {
	settings.input_source_security
	some type in unsupported_inputs
	detail := sprintf("%s does not support input source based security; the Overlord refuses the task", [type])
}

outcomes contains result.outcome(extern.f1, "request", 400, "invalid_request", detail) if {
	native_kind == "input source"
	some type in submitted_inputs
	not type in extern.secured_types
	not type in extern.unsupported_types
	not type in extern.composite_types
	detail := sprintf("unknown input source type '%s'", [type])
}

outcomes contains result.outcome(f5, "lookup", 404, "not_found", detail) if {
	interacts
	not request.task_found
	detail := sprintf("Cannot find any task with id: [%s]", [result.text(object.get(request.task, "id", ""))])
}

unsupported_inputs contains request.submitted_task_type if native_kind == "unsupported"

unsupported_inputs contains type if {
	native_kind == "input source"
	some type in submitted_inputs
	type in extern.unsupported_types
}

notes contains result.note(r6, "the Overlord does not check what a posted task reads, only its destination") if {
	request.submitted_task_type == "query_controller"
}

notes contains result.note(f7, "the task list is filtered to datasources the caller can READ") if {
	request.operation == "tasks.list"
}

# Grant listings the decision needs besides its checks: the patterns that filter a task list.
listings contains {"type": "DATASOURCE", "action": "READ"} if request.operation == "tasks.list"
