# METADATA
# title: MSQ authorization decision
# description: |
#   The entrypoints. `decision` answers a request against the grants in data.grants. `required` names the resource
#   actions a request requires (and the grant listings it needs), so that another engine can match them against
#   its own grant store; `finalize` turns that engine's evidence into the same decision. Every rule's
#   requirements and outcomes meet here, and one function shapes the decision.
package msq.authz

import data.msq.authz.decision
import data.msq.authz.finalize
import data.msq.authz.grants_evidence
import data.msq.authz.required

import data.msq.grants
import data.msq.request
import data.msq.result
import data.msq.rules.authn
import data.msq.rules.catalog
import data.msq.rules.context
import data.msq.rules.datasource
import data.msq.rules.export
import data.msq.rules.extern
import data.msq.rules.statements
import data.msq.rules.tasks

requirements contains r if {
	some required in [
		datasource.required, extern.required, export.required, catalog.required,
		context.required, tasks.required, statements.required,
	]
	some r in required
}

outcomes contains o if {
	some each in [
		request.outcomes, authn.outcomes, datasource.outcomes, extern.outcomes, export.outcomes,
		catalog.outcomes, context.outcomes, tasks.outcomes, statements.outcomes,
	]
	some o in each
}

notes contains note if {
	some each in [authn.notes, catalog.notes, tasks.notes, statements.notes]
	some note in each
}

warnings := sort(export.warnings)

blockers := sort([[o.stage, o.reason, o] | some o in outcomes; o.stage < 5])

forbidders contains o if {
	some o in outcomes
	o.stage == 5
}

followers := sort([[o.stage, o.reason, o] | some o in outcomes; o.stage == 6])

key(check) := concat("|", [check.type, check.action, check.name])

checks := [{"type": t[0], "name": t[1], "action": t[2]} |
	some t in sort({[r.type, r.name, r.action] | some r in requirements})
]

listings := sort(tasks.listings)

build(evidence) := blocked if {
	count(blockers) > 0
} else := decide(evidence, matched_by_key(evidence))

decide(evidence, matches) := denied(evidence, matches, gaps) if {
	gaps := missing(matches)
	count(gaps) + count(forbidders) > 0
} else := followed(matches) if {
	count(followers) > 0
} else := allowed(evidence, matches)

blocked := {
	"allow": false,
	"status": blockers[0][2].status,
	"code": blockers[0][2].code,
	"required": [],
	"missing": [],
	"matched": [],
	"reasons": [b[1] | some b in blockers; b[0] == blockers[0][0]],
}

matched_by_key(evidence) := {key(c): c.match | some c in evidence.checks; is_object(c.match)}

missing(matches) := [c | some c in checks; not matches[key(c)]]

matched(matches) := [object.union(c, {"role": m.role, "pattern": m.pattern}) |
	some c in checks
	m := matches[key(c)]
]

who(evidence) := sprintf("user '%s' (roles: %s)", [request.user, concat(", ", sort(evidence.roles))]) if {
	count(evidence.roles) > 0
} else := sprintf("user '%s' (no roles)", [request.user])

denied(evidence, matches, gaps) := {
	"allow": false,
	"status": 403,
	"code": "forbidden",
	"required": checks,
	"missing": gaps,
	"matched": matched(matches),
	"reasons": sort({reason |
		caller := who(evidence)
		some r in requirements
		not matches[key(r)]
		reason := sprintf(
			"%s (%s): needs %s on %s '%s'; %s has no matching permission",
			[r.rule, r.title, r.action, r.type, r.name, caller],
		)
	} | {o.reason | some o in forbidders}),
}

followed(matches) := {
	"allow": false,
	"status": followers[0][2].status,
	"code": followers[0][2].code,
	"required": checks,
	"missing": [],
	"matched": matched(matches),
	"reasons": [f[1] | some f in followers],
}

grant_reasons(matches) := {reason |
	some r in requirements
	m := matches[key(r)]
	reason := sprintf(
		"%s (%s): %s on %s '%s' granted to role '%s' by pattern '%s'",
		[r.rule, r.title, r.action, r.type, r.name, m.role, m.pattern],
	)
}

allow_reasons(matches) := sort(said) if {
	said := grant_reasons(matches) | notes
	count(said) > 0
} else := [result.note(authn.r1, "the request needs nothing beyond an authenticated identity")]

default allowed_status := 200

allowed_status := statements.cancel_status if {
	request.operation == "sql.statements.cancel"
} else := 202 if {
	request.operation == "sql.task.submit"
}

allowed(evidence, matches) := object.union(
	{
		"allow": true,
		"status": allowed_status,
		"code": "ok",
		"required": checks,
		"missing": [],
		"matched": matched(matches),
		"reasons": allow_reasons(matches),
	},
	object.union(filter(evidence), warned),
)

default warned := {}

warned := {"warnings": warnings} if count(warnings) > 0

filter(evidence) := {"filter": object.union(
	{"type": "DATASOURCE", "action": "READ", "patterns": patterns},
	visible_tasks(patterns, object.union(grants.translations, object.get(evidence, "translations", {}))),
)} if {
	request.operation == "tasks.list"
	patterns := sort({pattern |
		some listing in evidence.listings
		listing.type == "DATASOURCE"
		listing.action == "READ"
		some pattern in listing.patterns
	})
} else := {}

visible_tasks(patterns, table) := {"taskIds": [task.id |
	some task in input.tasks
	visible[task.datasource]
]} if {
	is_array(input.tasks)
	visible := grants.names_matching({task.datasource | some task in input.tasks}, patterns, table)
} else := {}
