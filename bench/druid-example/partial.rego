# METADATA
# title: A grant policy written the way Druid's OPA authorizer example is
# description: |
#   Not msq-authz's policy: a stand-in for the policy Druid's druid-opa-authorizer documentation shows, written here
#   from its description (roles by user in data.user_roles, grants by role in data.role_grants, names matched with
#   regex.match). regex.match searches the name for the pattern instead of matching it whole, and reads a Java
#   pattern as RE2, so a grant on wiki also grants wikipedia. test/druid-authorizer-property.test.ts counts the
#   checks it allows that msq/druid/allow does not.
package druid_example

default allow := false

allow if {
	some role in data.user_roles[input.authenticationResult.identity]
	some grant in data.role_grants[role]
	grant.action == input.action
	grant.resource.type == input.resource.type
	regex.match(grant.resource.name, input.resource.name)
}
