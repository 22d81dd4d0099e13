# METADATA
# title: Result helpers
# description: |
#   The one place that shapes what rules produce. A rule passes its own metadata (rego.metadata.rule()), so every
#   requirement and outcome carries the rule id and title that the decision's reasons are built from.
package msq.result

require(rule, type, name, action) := {
	"rule": rule.custom.id,
	"title": rule.title,
	"type": type,
	"name": name,
	"action": action,
}

stages := {
	"input": 0, "authentication": 1, "endpoint": 2, "request": 3, "parse": 3.1,
	"engine_context": 3.2, "validation": 3.3, "lookup": 4, "authorization": 5, "planning": 6,
}

outcome(rule, stage, status, code, detail) := {
	"rule": rule.custom.id,
	"stage": stages[stage],
	"status": status,
	"code": code,
	"reason": reason(rule, detail),
}

text(value) := value if is_string(value)

else := json.marshal(value)

note(rule, detail) := reason(rule, detail)

reason(rule, detail) := concat("", [rule.custom.id, " (", rule.title, "): ", detail])

decision(allow, status, code, checks, missing, matched, reasons) := {
	"allow": allow,
	"status": status,
	"code": code,
	"required": checks,
	"missing": missing,
	"matched": matched,
	"reasons": reasons,
}

refusal(status, code, reasons) := decision(false, status, code, [], [], [], reasons)
