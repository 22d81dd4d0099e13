# METADATA
# title: MSQ authorization decision
# description: |
#   The entrypoints. `decision` answers a request against the grants in data.grants. `required` names the resource
#   actions a request requires (and the grant listings it needs), so that another engine can match them against
#   its own grant store; `finalize` turns that engine's evidence into the same decision. `shape` and `caller` are
#   the two halves of a decision a host can remember apart: what the request requires, whoever sends it, and who
#   the caller is. Every rule's requirements and outcomes meet here, and one function shapes the decision.
package msq.authz

import data.msq.authz.rules
import data.msq.grants
import data.msq.request
import data.msq.result
import data.msq.rules.authn
import data.msq.rules.statements

# What every rules package requires, and says (policies/rego/msq/authz/rules, generated from the rules folders).
requirements := rules.required

outcomes := rules.outcomes | request.outcomes

notes := rules.notes

# What Druid accepts now and fails later; said with an allow.
warnings := sort(rules.warnings)

# Outcomes before authorization stop the request (see msq.result.stages); at authorization they deny it; after
# it (planning) they follow an allow.
blockers := sort([[o.stage, o.reason, o] | some o in outcomes; o.stage < result.stages.authorization])

followers := sort([[o.stage, o.reason, o] | some o in outcomes; o.stage == result.stages.planning])

key(check) := concat("|", [check.type, check.action, check.name])

# Reasons are joined with concat, not sprintf: opa-wasm runs sprintf in JavaScript, and each call moves its
# arguments out of the WASM memory and its result back in (about 7 µs; concat runs inside). Every part is a string.

# The de-duplicated resource actions, ordered by type, name and action.
checks := [{"type": t[0], "name": t[1], "action": t[2]} |
	some t in sort({[r.type, r.name, r.action] | some r in requirements})
]

# A task list's tasks, which its filter shows or hides (F7); null for every other operation.
default listing := null

listing := {"tasks": object.get(input, "tasks", null)} if request.operation == "tasks.list"

# METADATA
# title: What a request requires, whoever sends it
# description: |
#   Everything the decision needs of the request besides who sends it: what it requires, and every outcome, note
#   and warning of the rules. The rules read the caller's name only where `vary` says so (a statement's owner), and
#   never its groups: a host may remember a shape for every caller of the same request, evaluating it with the
#   identity's name blanked, and again with the name where `vary` names it. `blocked` is the refusal its own
#   blockers make, which is the decision unless the caller's identity is refused too.
# entrypoint: true
shape := {
	"vary": vary,
	"blockers": blockers,
	"blocked": refusal_of(blockers),
	"requirements": sort(requirements),
	"checks": checks,
	"listings": sort(rules.listings),
	"listing": listing,
	"forbidden": sort({o.reason | some o in outcomes; o.stage == result.stages.authorization}),
	"followers": followers,
	"notes": sort(notes),
	"warnings": warnings,
	"status": allowed_status,
}

default vary := []

vary := ["user"] if statements.reads_caller

# METADATA
# title: Who the caller is
# description: |
#   What the decision needs of the identity alone (input.identity): the user, the roles the policy's own grants
#   give it (the user's and its LDAP groups'), why Druid's LDAP role provider would fail on its groups, and the
#   identity's own refusals.
# entrypoint: true
caller := {
	"user": request.user,
	"roles": identity.roles,
	"unreadable": sort({detail |
		some error in identity.errors
		detail := result.outcome(grants.group_roles_rule, "authorization", 403, "forbidden", sprintf(
			"user '%s': Druid's LDAP role provider fails on %s (%s), so every permission check fails",
			[request.user, json.marshal(error.value), error.reason],
		)).reason
	}),
	"blockers": sort([[o.stage, o.reason, o] | some o in request.caller_outcomes]),
}

# The caller's roles: the user's, and those its LDAP groups (identity.groups) map to (msq.grants.identity_roles).
# Groups the request shape refuses (too many, not DN strings) are never read: the refusal is the decision, and
# reading ten thousand names would cost what the bound is there to prevent.
default identity := {"roles": [], "errors": set()}

identity := grants.identity_roles(request.user, request.groups) if count(request.caller_outcomes) == 0

# The earliest stage's refusal among the blockers, or null.
default refusal_of(_) := null

refusal_of(stoppers) := result.refusal(
	stoppers[0][2].status, stoppers[0][2].code,
	[b[1] | some b in stoppers; b[0] == stoppers[0][0]],
) if {
	count(stoppers) > 0
}

blocked_by(s, c) := refusal_of(sort(array.concat(s.blockers, c.blockers)))

# METADATA
# title: Required resource actions
# description: What the request requires; empty when Druid stops it before authorization.
# entrypoint: true
required := {"user": request.user, "checks": [], "listings": []} if {
	blocked_by(shape, caller) != null
} else := {"user": request.user, "checks": shape.checks, "listings": shape.listings}

# Evidence from the grants in data.grants, in the shape another engine supplies to `finalize`.
grants_evidence := {
	"roles": identity.roles,
	"checks": [object.union(check, {"match": grants.first_match_of_roles(identity.roles, check)}) |
		some check in required.checks
	],
	"listings": [object.union(listing, {"patterns": patterns}) |
		some listing in required.listings
		patterns := grants.patterns_of_roles(identity.roles, listing.type, listing.action)
	],
}

# METADATA
# title: Decision
# description: The decision for the request in `input`, against the grants in data.grants.
# entrypoint: true
default decision := {
	"allow": false,
	"status": 500,
	"code": "engine_error",
	"required": [],
	"missing": [],
	"matched": [],
	"reasons": ["the policy produced no decision for this input; this is a bug in msq-authz"],
}

decision := build(shape, caller, grants_evidence)

# METADATA
# title: Decision from another engine's evidence
# description: |
#   input = {"request": <request>, "evidence": {"roles": [...], "checks": [{type, name, action, match}],
#   "listings": [{type, action, patterns}], "translations": {pattern: re2}}}, or, instead of the request, this
#   policy's own `shape` and `caller` for it ({"shape": ..., "caller": ..., "evidence": ...}): the rules then do not
#   run again. Checks the evidence does not match count as missing. `translations` gives the RE2 translation of
#   listed patterns that data.grant_patterns lacks (the engine's grant store is not data.grants): a task list's
#   filter matches with them.
# entrypoint: true
default finalize := {
	"allow": false,
	"status": 500,
	"code": "engine_error",
	"required": [],
	"missing": [],
	"matched": [],
	"reasons": ["the policy produced no decision for this input; this is a bug in msq-authz"],
}

# The roles of LDAP groups come from data.grants alone: with groups, only the evidence of the policy's own grants
# (a caller's roles) counts; a grant matcher's store maps users to roles.
finalize := build(input.shape, input.caller, input.evidence) if {
	is_object(input.shape)
} else := groups_need_the_policys_grants if {
	object.get(object.get(input.request, "identity", {}), "groups", []) != []
} else := result if {
	evidence := input.evidence

	# regal ignore:with-outside-test-context
	result := build(shape, caller, evidence) with input as input.request
}

groups_need_the_policys_grants := result.refusal(400, "invalid_request", [request.invalid(concat(" ", [
	"identity.groups needs the grants the policy holds (engine wasm):",
	"a grant matcher's store maps users to roles, not LDAP groups",
])).reason])

# The evidence's matches are computed once, here, and handed down: WASM does not memoize function calls.
build(s, c, evidence) := refusal if {
	refusal := blocked_by(s, c)
	refusal != null
} else := decide(with_caller(s, c), usable(c, evidence), matched_by_key(usable(c, evidence)))

# The shape, said of this caller: where Druid's LDAP role provider would throw reading the caller's groups, every
# check the request needs fails.
with_caller(s, c) := object.union(s, {
	"user": c.user,
	"forbidden": sort({reason | some reason in s.forbidden} | {reason | count(s.checks) > 0; some reason in c.unreadable}),
})

# With groups Druid could not read, no role counts, whatever an engine's own grant store says.
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

# An allow always says why: the grants that allowed it, the notes of rules that needed no grant, or R1 itself.
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

# F7: a task list carries the patterns that filter it, and the ids it may show when the caller passed the tasks.
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

# Each distinct datasource is matched once, and then each task is a set lookup: the cost grows with the tasks and the
# distinct datasources, not with the tasks times the patterns.
visible_tasks(tasks, patterns, reads, translations) := {"taskIds": [task.id |
	some task in tasks
	visible[task.datasource]
]} if {
	is_array(tasks)
	visible := visible_datasources(tasks, patterns, reads, translations)
} else := {}

# The tasks' datasources the patterns match: as the evidence's listing says (`matching`: the decision point matches
# the tasks' datasources with each pattern compiled once, in Java's dialect), or else matched here
# (grants.names_matching reads the patterns in Java's dialect too, through the translations data.grant_patterns and
# the evidence give; only then are the two tables joined).
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
