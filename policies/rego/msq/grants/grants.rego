# METADATA
# title: Grant matching
# description: |
#   Matches a required resource action against Druid basic-security grants in data.grants
#   ({"users": {user: {"roles": [...]}}, "roles": {role: {"permissions": [...]}}}). Grants are keyed by user and
#   by role, so a lookup costs what the caller's own roles hold, not what the whole grant set holds.
# custom:
#   id: F8
package msq.grants

import data.msq.ldap
import data.msq.settings

default users := {}

users := data.grants.users if is_object(data.grants.users)

default roles_by_name := {}

roles_by_name := data.grants.roles if is_object(data.grants.roles)

roles_of(user) := sort({role | some role in object.get(object.get(users, user, {}), "roles", [])})

# Druid's group mappings entity: {"<mapping name>": {"groupPattern": "<DN mask>", "roles": [...]}}.
default group_mappings := {}

group_mappings := data.grants.groupMappings if is_object(data.grants.groupMappings)

# METADATA
# title: Roles from LDAP groups
# description: |
#   An identity's roles are its user's roles (data.grants.users) and the roles its LDAP groups map to, as Druid's
#   LDAPRoleProvider adds them together: the group DNs (memberOf) through data.grants.groupMappings and the role
#   provider's groupFilters (msq.ldap.group_resolution). Where Druid's role provider would throw reading the groups
#   (a memberOf value or a mask it cannot read, settings that disagree), it fails every check the identity makes,
#   its own roles included: then no role counts.
# custom:
#   id: F8
group_roles_rule := rego.metadata.rule()

# {"roles": the sorted roles every check matches against, "errors": why the groups cannot be read; no roles when
# there are any}. Without groups nothing is resolved: Druid's role provider then maps no group and reads no mapping.
identity_roles(user, group_dns) := {"roles": roles_of(user), "errors": set()} if {
	group_dns == []
} else := _with_groups(user, ldap.group_resolution(group_dns, group_mappings, settings.ldap_group_filters))

_with_groups(user, resolution) := {"roles": [], "errors": errors} if {
	errors := resolution.errors | settings.role_provider_errors
	count(errors) > 0
} else := {"roles": sort({role | some role in roles_of(user)} | resolution.roles), "errors": set()}

permissions_of(role) := object.get(object.get(roles_by_name, role, {}), "permissions", [])

# Druid matches a name with Java's Pattern.matches(pattern, name). The policy never reads a grant's pattern as a
# regex itself: data.grant_patterns maps each pattern that is more than a literal name to an RE2 pattern with the
# same full-match meaning (built by src/grants/java-pattern.ts; `bundle build` writes it into data.json), which is
# anchored here. A pattern without a translation fails closed: it matches only the name equal to it, and only if it
# has no regex metacharacters (Java reads such a pattern as that very name).
default translations := {}

translations := data.grant_patterns if is_object(data.grant_patterns)

full_match(pattern, name) if {
	re2 := object.get(translations, pattern, null)
	is_string(re2)
	regex.match(concat("", ["^(?:", re2, ")$"]), name)
}

full_match(pattern, name) if {
	not is_string(object.get(translations, pattern, null))
	pattern == name
	literal(pattern)
}

literal(pattern) if not regex.match(`[\\^$.|?*+()\[\]{}]`, pattern)

# The names (a set) that one of the patterns fully matches, as full_match decides, for a task list's filter (F7):
# literal names by set intersection, the rest with one regex per name (the alternation of their translations).
# `table` is data.grant_patterns, or that and the translations another engine's evidence brings for its patterns
# (passed in, not swapped in with `with`: replacing data costs opa-wasm a copy of it on every evaluation).
names_matching(names, patterns, table) := (names & literals) | translated_matching(names, regexes) if {
	literals := {pattern | some pattern in patterns; literal(pattern)}
	regexes := {re2 | some pattern in patterns; not literal(pattern); re2 := table[pattern]; is_string(re2)}
}

translated_matching(names, regexes) := set() if {
	count(regexes) == 0
} else := {name |
	some name in names
	regex.match(alternation, name)
} if {
	alternation := concat("", ["^(?:", concat("|", [concat("", ["(?:", re2, ")"]) | some re2 in regexes]), ")$"])
	regex.is_valid(alternation)
} else := {name |
	some name in names
	some re2 in regexes
	regex.match(concat("", ["^(?:", re2, ")$"]), name)
}

# The first (role, pattern) that grants the check, for a list of roles (the user's and its groups', see
# identity_roles) in their order, each role's permissions in their order. With data.grant_index (built from
# data.grants by the decision point, once per grants revision) a literal name is one lookup and only patterns that
# could come first run a regex; without it, every permission is scanned. Both paths give the same answer: the
# differential tests run one against the other.
default first_match_of_roles(_, _) := null

first_match_of_roles(roles, check) := found[0] if {
	indexed
	found := [match | some role in roles; match := indexed_match(role, check)]
	count(found) > 0
} else := found[0] if {
	not indexed
	found := matches_of_roles(roles, check)
	count(found) > 0
}

indexed if is_object(data.grant_index)

# data.grant_index.roles[role][type][ACTION] = {"literals": {name: position}, "patterns": [[position, pattern]]},
# positions being indexes into the role's permissions. With the index, data.grants need not hold the roles.
indexed_match(role, check) := {"role": role, "pattern": first[1]} if {
	entry := data.grant_index.roles[role][check.type][check.action]
	literal := object.get(entry.literals, check.name, -1)
	candidates := {[position, pattern] |
		some [position, pattern] in entry.patterns
		earlier(position, literal)
		full_match(pattern, check.name)
	} | {[literal, check.name] | literal >= 0}
	first := min(candidates)
}

earlier(_, literal) if literal < 0

earlier(position, literal) if position < literal

# Every (role, pattern) of the roles that grants the action: exact type, exact action (WRITE does not
# imply READ; Druid upper-cases actions when they are stored), full-match name.
matches_of_roles(roles, check) := [{"role": role, "pattern": permission.resource.name} |
	some role in roles
	some permission in permissions_of(role)
	permission.resource.type == check.type
	upper(permission.action) == check.action
	full_match(permission.resource.name, check.name)
]

# The name patterns the roles hold for a type and action, for list filtering (F7).
patterns_of_roles(roles, type, action) := sort({name |
	some role in roles
	entry := data.grant_index.roles[role][type][action]
	names := {literal | some literal, _ in entry.literals} | {pattern | some [_, pattern] in entry.patterns}
	some name in names
}) if {
	indexed
} else := sort({permission.resource.name |
	some role in roles
	some permission in permissions_of(role)
	permission.resource.type == type
	upper(permission.action) == action
})
