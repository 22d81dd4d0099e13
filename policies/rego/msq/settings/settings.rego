# METADATA
# title: Druid settings
# description: |
#   Normalizes the Druid settings in data.settings (property names as Druid spells them, values as a JSON map or a
#   runtime.properties file gives them) into the switches the rules read.
package msq.settings

import data.msq.result

# Druid 35 is the newest release the rules are checked against (MSQ moved into core there).
default_version_string := "35.0.0"

default raw := {}

raw := data.settings if is_object(data.settings)

# Read as it is when it is a string, which the settings schema requires: opa-wasm runs sprintf in JavaScript, and
# this is read by nearly every decision.
version_string := given if {
	given := object.get(raw, "druidVersion", default_version_string)
	is_string(given)
} else := result.text(object.get(raw, "druidVersion", default_version_string))

# "35.0.0" -> 35, "36.0.0-SNAPSHOT" -> 36; "0.23.0" -> 0.23 so that pre-24 releases sort below 24.
default version := 0

version := major if {
	parts := split(split(version_string, "-")[0], ".")
	major := to_number(parts[0])
	major > 0
} else := to_number(split(split(version_string, "-")[0], ".")[1]) / 100

at_least(v) if version >= v

# A switch is on when it is true, or a string Druid's Jackson reads as true: true, True or TRUE, with the
# whitespace a properties file leaves around it trimmed (StdDeserializer._parseBooleanPrimitive).
enabled(key) if truthy(raw[key])

truthy(true)

truthy(value) if {
	is_string(value)
	trim(value, " \t\n\r\f\u000b") in {"true", "True", "TRUE"}
}

# A list is a JSON array, or the JSON text of one, as a runtime.properties file holds it.
default list(_) := []

list(key) := array_value(raw[key])

array_value(value) := value if is_array(value)

array_value(value) := json.unmarshal(value) if {
	is_string(value)
	json.is_valid(value)
	is_array(json.unmarshal(value))
}

input_source_security if {
	enabled("druid.auth.enableInputSourceSecurity")
	at_least(26)
}

authorize_context if enabled("druid.auth.authorizeQueryContextParams")

unsecured_context_keys := {k | some k in list("druid.auth.unsecuredContextKeys")}

# Druid distinguishes "not set" (check every key) from an empty set (check none).
restricts_context_keys if raw["druid.auth.securedContextKeys"]

secured_context_keys := {k | some k in list("druid.auth.securedContextKeys")}

authorize_system_tables if enabled("druid.sql.planner.authorizeSystemTablesDirectly")

# The LOOKUP resource type exists only after Druid 35.
authorize_lookups if {
	enabled("druid.sql.planner.authorizeLookupDirectly")
	at_least(36)
}

durable_storage if enabled("druid.msq.intermediate.storage.enable")

# Context defaults (druid.query.default.context.<key>) are merged into the checked keys by Druid 25-34.
default_context_keys contains key if {
	some property, _ in raw
	startswith(property, "druid.query.default.context.")
	key := substring(property, count("druid.query.default.context."), -1)
}

# Before Druid 35 MSQ is an extension: it exists only if loaded. No loadList means Druid loads every extension.
msq_loaded if at_least(35)

msq_loaded if not raw["druid.extensions.loadList"]

msq_loaded if "druid-multi-stage-query" in list("druid.extensions.loadList")

# The doc-literal variant of R7/R8 checks READ for cancel; Druid's code checks WRITE.
cancel_action := upper(object.get(raw, "msqAuthz.taskCancelRequires", "WRITE"))

# LDAPRoleProvider's own properties, under the name of the authorizer it provides roles for:
# druid.auth.authorizer.<name>.roleProvider.groupFilters (druid-basic-security.md, "Properties for LDAP user
# authorization"; a JSON list of masks) and druid.auth.authorizer.<name>.roleProvider.ldapGroupAttribute
# (LDAPRoleProvider's @JsonProperty("ldapGroupAttribute"), default BasicAuthUtils.LDAP_GROUP_ATTRIBUTE_ID, memberOf;
# releases before it read "memberOf" itself). The values of every authorizer name that sets the property: a rule,
# so the settings are scanned once per evaluation (WASM does not remember a function's results).
role_provider_values[property] := {value |
	some key, value in raw
	regex.match(`^druid\.auth\.authorizer\.[^.]+\.roleProvider\.[A-Za-z]+$`, key)
	endswith(key, concat("", [".roleProvider.", property]))
} if {
	some property in ["groupFilters", "ldapGroupAttribute"]
}

# Two authorizers whose role providers disagree: msq-authz cannot tell which one Druid would use, and refuses.
role_provider_errors contains error if {
	some property, values in role_provider_values
	count(values) > 1
	error := {
		"status": "error",
		"value": sort(values),
		"reason": sprintf("roleProvider.%s is set differently for several authorizers", [property]),
	}
}

# null when unset (every group is kept); a list, or what was given when it is not one (msq.ldap reports it).
default ldap_group_filters := null

ldap_group_filters := _group_filters(value) if {
	values := role_provider_values.groupFilters
	count(values) == 1
	some value in values
}

_group_filters(value) := filters if {
	filters := array_value(value)
} else := value

# The attribute that holds the group DNs, lower-cased: attribute ids are case-insensitive in LDAP, and Druid's OPA
# authorizer lower-cases them when it writes the LDAP search result into its message.
default ldap_group_attribute := "memberof"

ldap_group_attribute := lower(value) if {
	values := role_provider_values.ldapGroupAttribute
	count(values) == 1
	some value in values
	is_string(value)
}
