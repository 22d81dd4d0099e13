# METADATA
# title: Grant matching
# description: |
#   Matches a required resource action against Druid basic-security grants in data.grants
#   ({"users": {user: {"roles": [...]}}, "roles": {role: {"permissions": [...]}}}). Grants are keyed by user and
#   by role, so a lookup costs what the caller's own roles hold, not what the whole grant set holds.
# custom:
#   id: F8
package msq.grants

default users := {}

users := data.grants.users if is_object(data.grants.users)

default roles_by_name := {}

roles_by_name := data.grants.roles if is_object(data.grants.roles)

roles_of(user) := sort({role | some role in object.get(object.get(users, user, {}), "roles", [])})

permissions_of(role) := object.get(object.get(roles_by_name, role, {}), "permissions", [])

full_match(pattern, name) if regex.match(concat("", ["^(?:", pattern, ")$"]), name)

default first_match(_, _) := null

first_match(user, check) := found[0] if {
	indexed
	found := [match | some role in roles_of(user); match := indexed_match(role, check)]
	count(found) > 0
} else := found[0] if {
	not indexed
	found := matches(user, check)
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

matches(user, check) := [{"role": role, "pattern": permission.resource.name} |
	some role in roles_of(user)
	some permission in permissions_of(role)
	permission.resource.type == check.type
	upper(permission.action) == check.action
	full_match(permission.resource.name, check.name)
]

patterns(user, type, action) := sort({name |
	some role in roles_of(user)
	entry := data.grant_index.roles[role][type][action]
	names := {literal | some literal, _ in entry.literals} | {pattern | some [_, pattern] in entry.patterns}
	some name in names
}) if {
	indexed
} else := sort({permission.resource.name |
	some role in roles_of(user)
	some permission in permissions_of(role)
	permission.resource.type == type
	upper(permission.action) == action
})
