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

import data.msq.druid.allow
import data.msq.druid.plan

import data.msq.grants
import data.msq.settings

check := {"type": input.resource.type, "name": input.resource.name, "action": input.action}

actions := {"READ", "WRITE"}

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

max_groups := 256

default group_dns := []

group_dns := object.get(input.authenticationResult.context.searchResult.attributes, settings.ldap_group_attribute, [])
