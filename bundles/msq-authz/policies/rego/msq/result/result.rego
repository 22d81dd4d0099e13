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

outcome(rule, stage, status, code, detail) := {
	"rule": rule.custom.id,
	"stage": stage,
	"status": status,
	"code": code,
	"reason": sprintf("%s (%s): %s", [rule.custom.id, rule.title, detail]),
}

note(rule, detail) := sprintf("%s (%s): %s", [rule.custom.id, rule.title, detail])
