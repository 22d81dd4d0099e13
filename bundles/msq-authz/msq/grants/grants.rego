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

identity_roles(user, group_dns) := {"roles": roles_of(user), "errors": set()} if {
	group_dns == []
} else := _with_groups(user, ldap.group_resolution(group_dns, group_mappings, settings.ldap_group_filters))

_with_groups(user, resolution) := {"roles": [], "errors": errors} if {
	errors := resolution.errors | settings.role_provider_errors
	count(errors) > 0
} else := {"roles": sort({role | some role in roles_of(user)} | resolution.roles), "errors": set()}

permissions_of(role) := object.get(object.get(roles_by_name, role, {}), "permissions", [])

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

matches_of_roles(roles, check) := [{"role": role, "pattern": permission.resource.name} |
	some role in roles
	some permission in permissions_of(role)
	permission.resource.type == check.type
	upper(permission.action) == check.action
	full_match(permission.resource.name, check.name)
]

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
