# METADATA
# title: Result helpers
# description: |
#   The one place that shapes what rules produce. A rule passes its own metadata (rego.metadata.rule()), so every
#   requirement and outcome carries the rule id and title that the decision's reasons are built from.
package msq.result

# A resource action the request requires, and the rule that requires it.
require(rule, type, name, action) := {
	"rule": rule.custom.id,
	"title": rule.title,
	"type": type,
	"name": name,
	"action": action,
}

# Druid's order of checks (druid-semantics.md §1.1): when several outcomes apply, the earliest stage answers.
# The statements API checks its context before it parses; the SQL engine checks reserved context keys after
# parsing and before validation, which collects the resources; the task lookup comes before any permission check.
stages := {
	"input": 0, "authentication": 1, "endpoint": 2, "request": 3, "parse": 3.1,
	"engine_context": 3.2, "validation": 3.3, "lookup": 4, "authorization": 5, "planning": 6,
}

# An answer that stops the request before or after authorization, at the named stage.
outcome(rule, stage, status, code, detail) := {
	"rule": rule.custom.id,
	"stage": stages[stage],
	"status": status,
	"code": code,
	"reason": reason(rule, detail),
}

# A value as text: a string as it is, anything else as its JSON. Not sprintf's %v: opa-wasm runs sprintf in
# JavaScript, which fails on null, and prints composite values differently from OPA's Go evaluator.
text(value) := value if is_string(value)

else := json.marshal(value)

# A reason that explains an allow without a permission check (ownership, an open endpoint).
note(rule, detail) := reason(rule, detail)

# "<id> (<title>): <detail>". With concat, not sprintf: opa-wasm runs sprintf in JavaScript, moving its arguments out
# of the WASM memory and its result back in. A detail is always a string.
reason(rule, detail) := concat("", [rule.custom.id, " (", rule.title, "): ", detail])

# The one shape of a decision (src/schemas/decision.schema.json; the decision point stamps engine and revision).
decision(allow, status, code, checks, missing, matched, reasons) := {
	"allow": allow,
	"status": status,
	"code": code,
	"required": checks,
	"missing": missing,
	"matched": matched,
	"reasons": reasons,
}

# A decision that stops a request before any permission is checked.
refusal(status, code, reasons) := decision(false, status, code, [], [], [], reasons)
