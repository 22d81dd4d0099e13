# METADATA
# title: Druid settings
# description: |
#   Normalizes the Druid settings in data.settings (property names as Druid spells them, values as a JSON map or a
#   runtime.properties file gives them) into the switches the rules read.
package msq.settings

import data.msq.result

default_version_string := "35.0.0"

default raw := {}

raw := data.settings if is_object(data.settings)

version_string := given if {
	given := object.get(raw, "druidVersion", default_version_string)
	is_string(given)
} else := result.text(object.get(raw, "druidVersion", default_version_string))

default version := 0

version := major if {
	parts := split(split(version_string, "-")[0], ".")
	major := to_number(parts[0])
	major > 0
} else := to_number(split(split(version_string, "-")[0], ".")[1]) / 100

at_least(v) if version >= v

enabled(key) if truthy(raw[key])

truthy(true)

truthy(value) if {
	is_string(value)
	trim(value, " \t\n\r\f\u000b") in {"true", "True", "TRUE"}
}

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

restricts_context_keys if raw["druid.auth.securedContextKeys"]

secured_context_keys := {k | some k in list("druid.auth.securedContextKeys")}

authorize_system_tables if enabled("druid.sql.planner.authorizeSystemTablesDirectly")

authorize_lookups if {
	enabled("druid.sql.planner.authorizeLookupDirectly")
	at_least(36)
}

durable_storage if enabled("druid.msq.intermediate.storage.enable")

default_context_keys contains key if {
	some property, _ in raw
	startswith(property, "druid.query.default.context.")
	key := substring(property, count("druid.query.default.context."), -1)
}

msq_loaded if at_least(35)

msq_loaded if not raw["druid.extensions.loadList"]

msq_loaded if "druid-multi-stage-query" in list("druid.extensions.loadList")

cancel_action := upper(object.get(raw, "msqAuthz.taskCancelRequires", "WRITE"))

role_provider_values[property] := {value |
	some key, value in raw
	regex.match(`^druid\.auth\.authorizer\.[^.]+\.roleProvider\.[A-Za-z]+$`, key)
	endswith(key, concat("", [".roleProvider.", property]))
} if {
	some property in ["groupFilters", "ldapGroupAttribute"]
}

role_provider_errors contains error if {
	some property, values in role_provider_values
	count(values) > 1
	error := {
		"status": "error",
		"value": sort(values),
		"reason": sprintf("roleProvider.%s is set differently for several authorizers", [property]),
	}
}

default ldap_group_filters := null

ldap_group_filters := _group_filters(value) if {
	values := role_provider_values.groupFilters
	count(values) == 1
	some value in values
}

_group_filters(value) := filters if {
	filters := array_value(value)
} else := value

default ldap_group_attribute := "memberof"

ldap_group_attribute := lower(value) if {
	values := role_provider_values.ldapGroupAttribute
	count(values) == 1
	some value in values
	is_string(value)
}
