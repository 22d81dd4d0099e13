# METADATA
# title: Druid's OPA authorizer
# description: |
#   The policy behind Druid's own OPA authorizer (extensions-contrib/druid-opa-authorizer, apache/druid PR #19670).
#   For every resource action it checks, Druid POSTs {"input": {"authenticationResult": {"identity",
#   "authorizerName", "authenticatedBy", "context"}, "action", "resource": {"name", "type"}}} (OpaMessage) to its
#   opaUri and allows only on {"result": true}. The answer is F8's: a permission of one of the identity's roles
#   (its user's, and those its LDAP groups map to) grants the check with the exact type, the exact action and a
#   name its Java pattern matches whole, by the same msq.grants matching every decision uses.
# custom:
#   id: F8
package msq.druid

import data.msq.grants
import data.msq.settings

# METADATA
# title: Allow one resource action
# description: |
#   True exactly when the message is well formed (OpaMessage's fields and nothing else, action READ or WRITE,
#   resource {name, type} strings) and one of the identity's roles grants the check. The roles are the identity's
#   user's (data.grants.users) and, for an LDAP identity, those of its groups: the values of the role provider's
#   group attribute in context.searchResult.attributes (Druid writes attribute ids lower-cased) through
#   data.grants.groupMappings and groupFilters, as LDAPRoleProvider maps them. Where that role provider would fail,
#   every check fails. Anything else is false (the default), never undefined.
# entrypoint: true
default allow := false

allow if grants.first_match_of_roles(plan.roles, plan.check) != null

# METADATA
# title: The check and the roles it is matched against
# description: |
#   What `allow` decides with besides matching: {"check": {type, name, action}, "roles": [...]}, the identity's
#   roles by the policy's own grants, its LDAP groups' included; null when the message is malformed, names more
#   groups than max_groups, or Druid's role provider would fail on them. The decision point matches the check
#   against the roles itself, with each pattern compiled once per revision (src/grants/indexed.ts).
# entrypoint: true
default plan := null

plan := {"check": check, "roles": roles.roles} if {
	well_formed
	count(group_dns) <= max_groups
	roles := grants.identity_roles(input.authenticationResult.identity, group_dns)
	count(roles.errors) == 0
}

check := {"type": input.resource.type, "name": input.resource.name, "action": input.action}

# Druid's Action enum is serialized by name.
actions := {"READ", "WRITE"}

# AuthenticationResult's properties as Jackson writes them.
result_keys := {"identity", "authorizerName", "authenticatedBy", "context"}

keys(value) := {key | some key, _ in value}

well_formed if {
	is_object(input)
	keys(input) == {"authenticationResult", "action", "resource"}
	authentication_result_well_formed(input.authenticationResult)
	input.action in actions
	keys(input.resource) == {"name", "type"}
	is_string(input.resource.name)
	is_string(input.resource.type)
	input.resource.type != ""
	context_well_formed(object.get(input.authenticationResult, "context", null))
}

authentication_result_well_formed(result) if {
	is_object(result)
	count(keys(result) - result_keys) == 0
	is_string(result.identity)
	result.identity != ""
	every key in ["authorizerName", "authenticatedBy"] {
		null_or_string(object.get(result, key, null))
	}
}

null_or_string(null)

null_or_string(value) if is_string(value)

# No context, another authenticator's context, or an LDAP one whose search result has its attributes.
context_well_formed(null)

context_well_formed(context) if {
	is_object(context)
	object.get(context, "searchResult", null) == null
}

context_well_formed(context) if {
	is_object(context.searchResult)
	is_object(context.searchResult.attributes)
	count(settings.role_provider_errors) == 0
}

# The most groups a message may name: reading a name costs about 0.1 ms in WASM, and a check should cost well under
# Druid's authorizer timeout. An identity in more groups is denied every check (the README says so).
max_groups := 256

# The values of the group attribute of an LDAP identity's search result; none for any other identity.
default group_dns := []

group_dns := object.get(input.authenticationResult.context.searchResult.attributes, settings.ldap_group_attribute, [])
