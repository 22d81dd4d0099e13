# METADATA
# title: MSQ authorization decision
# description: |
#   The entrypoints. `decision` answers a request against the grants in data.grants. `required` names the resource
#   actions a request requires (and the grant listings it needs), so that another engine can match them against
#   its own grant store; `finalize` turns that engine's evidence into the same decision. `shape` and `caller` are
#   the two halves of a decision a host can remember apart: what the request requires, whoever sends it, and who
#   the caller is. Every rule's requirements and outcomes meet here, and one function shapes the decision.
package msq.authz

import data.msq.authz.caller
import data.msq.authz.decision
import data.msq.authz.finalize
import data.msq.authz.grants_evidence
import data.msq.authz.required
import data.msq.authz.shape

import data.msq.authz.rules
import data.msq.grants
import data.msq.request
import data.msq.result
import data.msq.rules.authn
import data.msq.rules.statements

requirements := rules.required

outcomes := rules.outcomes | request.outcomes

notes := rules.notes

warnings := sort(rules.warnings)

blockers := sort([[o.stage, o.reason, o] | some o in outcomes; o.stage < result.stages.authorization])

followers := sort([[o.stage, o.reason, o] | some o in outcomes; o.stage == result.stages.planning])

key(check) := concat("|", [check.type, check.action, check.name])

checks := [{"type": t[0], "name": t[1], "action": t[2]} |
	some t in sort({[r.type, r.name, r.action] | some r in requirements})
]

default listing := null

listing := {"tasks": object.get(input, "tasks", null)} if request.operation == "tasks.list"

default vary := []

vary := ["user"] if statements.reads_caller

default identity := {"roles": [], "errors": set()}

identity := grants.identity_roles(request.user, request.groups) if count(request.caller_outcomes) == 0

default refusal_of(_) := null

refusal_of(stoppers) := result.refusal(
	stoppers[0][2].status, stoppers[0][2].code,
	[b[1] | some b in stoppers; b[0] == stoppers[0][0]],
) if {
	count(stoppers) > 0
}

blocked_by(s, c) := refusal_of(sort(array.concat(s.blockers, c.blockers)))

groups_need_the_policys_grants := result.refusal(400, "invalid_request", [request.invalid(concat(" ", [
	"identity.groups needs the grants the policy holds (engine wasm):",
	"a grant matcher's store maps users to roles, not LDAP groups",
])).reason])

build(s, c, evidence) := refusal if {
	refusal := blocked_by(s, c)
	refusal != null
} else := decide(with_caller(s, c), usable(c, evidence), matched_by_key(usable(c, evidence)))

with_caller(s, c) := object.union(s, {
	"user": c.user,
	"forbidden": sort({reason | some reason in s.forbidden} | {reason | count(s.checks) > 0; some reason in c.unreadable}),
})

usable(c, evidence) := {
	"roles": [],
	"checks": [object.union(check, {"match": null}) | some check in evidence.checks],
	"listings": [object.union(listing, {"patterns": [], "matching": []}) | some listing in evidence.listings],
} if {
	count(c.unreadable) > 0
} else := evidence

decide(p, evidence, matches) := denied(p, evidence, matches, gaps) if {
	gaps := missing(p, matches)
	count(gaps) + count(p.forbidden) > 0
} else := followed(p, matches) if {
	count(p.followers) > 0
} else := allowed(p, evidence, matches)

matched_by_key(evidence) := {key(c): c.match | some c in evidence.checks; is_object(c.match)}

missing(p, matches) := [c | some c in p.checks; not matches[key(c)]]

matched(p, matches) := [object.union(c, {"role": m.role, "pattern": m.pattern}) |
	some c in p.checks
	m := matches[key(c)]
]

who(p, evidence) := concat("", ["user '", p.user, "' (roles: ", concat(", ", sort(evidence.roles)), ")"]) if {
	count(evidence.roles) > 0
} else := concat("", ["user '", p.user, "' (no roles)"])

denied(p, evidence, matches, gaps) := result.decision(
	false, 403, "forbidden", p.checks, gaps, matched(p, matches),
	sort(lacking(p, evidence, matches) | {reason | some reason in p.forbidden}),
)

lacking(p, evidence, matches) := {reason |
	caller_is := who(p, evidence)
	some r in p.requirements
	not matches[key(r)]
	reason := concat("", [
		r.rule, " (", r.title, "): needs ", r.action, " on ", r.type, " '", r.name, "'; ", caller_is,
		" has no matching permission",
	])
}

followed(p, matches) := result.decision(
	false, p.followers[0][2].status, p.followers[0][2].code, p.checks, [], matched(p, matches),
	[f[1] | some f in p.followers],
)

grant_reasons(p, matches) := {reason |
	some r in p.requirements
	m := matches[key(r)]
	reason := concat("", [
		r.rule, " (", r.title, "): ", r.action, " on ", r.type, " '", r.name, "' granted to role '", m.role,
		"' by pattern '", m.pattern, "'",
	])
}

allow_reasons(p, matches) := sort(said) if {
	said := grant_reasons(p, matches) | {note | some note in p.notes}
	count(said) > 0
} else := [result.note(authn.r1, "the request needs nothing beyond an authenticated identity")]

default allowed_status := 200

allowed_status := statements.cancel_status if {
	request.operation == "sql.statements.cancel"
} else := 202 if {
	request.operation == "sql.task.submit"
}

allowed(p, evidence, matches) := object.union(
	result.decision(true, p.status, "ok", p.checks, [], matched(p, matches), allow_reasons(p, matches)),
	object.union(filter(p, evidence), warned(p)),
)

warned(p) := {"warnings": p.warnings} if count(p.warnings) > 0

else := {}

filter(p, evidence) := {"filter": object.union(
	{"type": "DATASOURCE", "action": "READ", "patterns": patterns},
	visible_tasks(p.listing.tasks, patterns, reads, object.get(evidence, "translations", {})),
)} if {
	p.listing != null
	reads := [listing |
		some listing in evidence.listings
		listing.type == "DATASOURCE"
		listing.action == "READ"
	]
	patterns := sort({pattern | some listing in reads; some pattern in listing.patterns})
} else := {}

visible_tasks(tasks, patterns, reads, translations) := {"taskIds": [task.id |
	some task in tasks
	visible[task.datasource]
]} if {
	is_array(tasks)
	visible := visible_datasources(tasks, patterns, reads, translations)
} else := {}

visible_datasources(tasks, patterns, reads, translations) := {name |
	some listing in reads
	some name in listing.matching
} if {
	count(reads) > 0
	every listing in reads {
		is_array(listing.matching)
	}
} else := grants.names_matching(
	{task.datasource | some task in tasks},
	patterns,
	object.union(grants.translations, translations),
)
