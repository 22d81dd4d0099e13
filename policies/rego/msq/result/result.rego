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

# An answer that stops the request before or after authorization. Stages follow Druid's order of checks:
# 1 authentication, 2 endpoint exists, 3 request and SQL validation, 4 task lookup, 6 after authorization.
outcome(rule, stage, status, code, detail) := {
	"rule": rule.custom.id,
	"stage": stage,
	"status": status,
	"code": code,
	"reason": sprintf("%s (%s): %s", [rule.custom.id, rule.title, detail]),
}

# A reason that explains an allow without a permission check (ownership, an open endpoint).
note(rule, detail) := sprintf("%s (%s): %s", [rule.custom.id, rule.title, detail])
