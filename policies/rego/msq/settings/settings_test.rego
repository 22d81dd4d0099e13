package msq.settings_test

import data.msq.settings

# A Druid release version as a user writes it in druidVersion.
v(major) := sprintf("%d.0.0", [major])

input_source_security_at(version) := {"druidVersion": version, "druid.auth.enableInputSourceSecurity": true}

lookups_at(version, switch) := {"druidVersion": version, "druid.sql.planner.authorizeLookupDirectly": switch}

load_list_at(version, extensions) := {"druidVersion": version, "druid.extensions.loadList": extensions}

# --- version ------------------------------------------------------------------------------------------------------

test_without_settings_the_rules_follow_druid_35 if {
	settings.version_string == "35.0.0"
	settings.version == 35
	settings.raw == {}
}

test_settings_that_are_not_an_object_are_ignored if {
	settings.raw == {} with data.settings as "druid.auth.enableInputSourceSecurity=true"
	settings.version == 35 with data.settings as ["druidVersion", "24.0.0"]
}

test_release_version_is_its_major_number if {
	settings.version == 29 with data.settings as {"druidVersion": "29.0.1"}
	settings.version_string == "29.0.1" with data.settings as {"druidVersion": "29.0.1"}
}

test_snapshot_version_is_its_major_number if {
	settings.version == 36 with data.settings as {"druidVersion": "36.0.0-SNAPSHOT"}
}

test_pre_24_version_sorts_below_24 if {
	settings.version == 0.23 with data.settings as {"druidVersion": "0.23.0"}
	not settings.at_least(24) with data.settings as {"druidVersion": "0.23.0"}
}

test_at_least_holds_from_each_threshold_on if {
	every threshold in [24, 25, 26, 27, 28, 29, 33, 35, 36] {
		settings.at_least(threshold) with data.settings as {"druidVersion": v(threshold)}
		not settings.at_least(threshold) with data.settings as {"druidVersion": v(threshold - 1)}
	}
}

# --- switches: booleans and the strings a runtime.properties file gives ---------------------------------------------

test_switch_is_on_for_boolean_true if {
	settings.enabled("k") with data.settings as {"k": true}
}

test_switch_is_on_for_the_strings_jackson_reads_as_true if {
	every value in ["true", "True", "TRUE", "true ", " TRUE\t", "true\r\n"] {
		settings.enabled("k") with data.settings as {"k": value}
	}
}

test_switch_is_off_for_false_other_spellings_and_unset if {
	not settings.enabled("k") with data.settings as {"k": false}
	not settings.enabled("k") with data.settings as {}
	every value in ["false", "tRUE", "yes", "1", "t rue"] {
		not settings.enabled("k") with data.settings as {"k": value}
	}
}

test_input_source_security_is_off_by_default if {
	not settings.input_source_security
}

test_input_source_security_is_on_from_druid_26_with_boolean_or_string if {
	settings.input_source_security with data.settings as input_source_security_at("26.0.0")
	settings.input_source_security with data.settings as {"druid.auth.enableInputSourceSecurity": "true"}
}

test_input_source_security_does_not_exist_before_druid_26 if {
	not settings.input_source_security with data.settings as input_source_security_at("25.0.0")
}

test_input_source_security_is_off_for_string_false if {
	not settings.input_source_security with data.settings as {"druid.auth.enableInputSourceSecurity": "false"}
}

test_context_authorization_follows_its_switch if {
	not settings.authorize_context
	settings.authorize_context with data.settings as {"druid.auth.authorizeQueryContextParams": true}
	settings.authorize_context with data.settings as {"druid.auth.authorizeQueryContextParams": "true"}
	not settings.authorize_context with data.settings as {"druid.auth.authorizeQueryContextParams": "false"}
}

test_unsecured_context_keys_are_a_set if {
	unsecured := {"druid.auth.unsecuredContextKeys": ["maxNumTasks", "finalizeAggregations", "maxNumTasks"]}
	settings.unsecured_context_keys == {"maxNumTasks", "finalizeAggregations"} with data.settings as unsecured
	settings.unsecured_context_keys == set()
}

test_secured_context_keys_are_a_set if {
	keys := ["maxNumTasks"]
	settings.secured_context_keys == {"maxNumTasks"} with data.settings as {"druid.auth.securedContextKeys": keys}
	settings.secured_context_keys == set() with data.settings as {"druid.auth.securedContextKeys": []}
	settings.secured_context_keys == set()
}

test_system_tables_are_authorized_only_when_switched_on if {
	not settings.authorize_system_tables
	settings.authorize_system_tables with data.settings as {"druid.sql.planner.authorizeSystemTablesDirectly": true}
	settings.authorize_system_tables with data.settings as {"druid.sql.planner.authorizeSystemTablesDirectly": "true"}
	not settings.authorize_system_tables with data.settings as {"druid.sql.planner.authorizeSystemTablesDirectly": "false"}
}

test_lookups_are_authorized_only_after_druid_35 if {
	settings.authorize_lookups with data.settings as lookups_at("36.0.0", true)
	settings.authorize_lookups with data.settings as lookups_at("36.0.0-SNAPSHOT", "true")
	not settings.authorize_lookups with data.settings as lookups_at("35.0.0", true)
	not settings.authorize_lookups with data.settings as {"druidVersion": "36.0.0"}
}

test_durable_storage_follows_its_switch if {
	not settings.durable_storage
	settings.durable_storage with data.settings as {"druid.msq.intermediate.storage.enable": true}
	settings.durable_storage with data.settings as {"druid.msq.intermediate.storage.enable": "true"}
}

test_default_context_keys_come_from_default_context_properties if {
	settings.default_context_keys == {"maxNumTasks", "priority"} with data.settings as {
		"druid.query.default.context.maxNumTasks": 4,
		"druid.query.default.context.priority": "10",
		"druid.query.default.timeout": 1000,
	}
	settings.default_context_keys == set()
}

# --- druid.extensions.loadList ------------------------------------------------------------------------------------

test_msq_is_core_from_druid_35_whatever_the_load_list if {
	settings.msq_loaded with data.settings as load_list_at("35.0.0", ["druid-basic-security"])
	settings.msq_loaded with data.settings as load_list_at("36.0.0", [])
}

test_before_druid_35_msq_is_loaded_when_in_the_load_list if {
	settings.msq_loaded with data.settings as load_list_at("34.0.0", ["druid-basic-security", "druid-multi-stage-query"])
}

test_before_druid_35_druid_loads_every_extension_without_a_load_list if {
	settings.msq_loaded with data.settings as {"druidVersion": "24.0.0"}
}

test_before_druid_35_msq_is_missing_when_not_in_the_load_list if {
	not settings.msq_loaded with data.settings as load_list_at("34.0.0", ["druid-basic-security"])
	not settings.msq_loaded with data.settings as load_list_at("24.0.0", [])
}

# --- msqAuthz.taskCancelRequires ----------------------------------------------------------------------------------

test_cancel_needs_write_by_default if {
	settings.cancel_action == "WRITE"
}

test_doc_literal_cancel_needs_read_in_any_case if {
	settings.cancel_action == "READ" with data.settings as {"msqAuthz.taskCancelRequires": "READ"}
	settings.cancel_action == "READ" with data.settings as {"msqAuthz.taskCancelRequires": "read"}
}

# A runtime.properties file holds lists as JSON text.
test_list_settings_may_be_json_text if {
	settings.msq_loaded with data.settings as load_list_at("30.0.0", "[\"druid-multi-stage-query\"]")
	not settings.msq_loaded with data.settings as load_list_at("30.0.0", "[\"druid-s3-extensions\"]")
	settings.secured_context_keys == {"priority"}
		with data.settings as {"druid.auth.securedContextKeys": "[\"priority\"]"}
	settings.unsecured_context_keys == {"maxNumTasks"}
		with data.settings as {"druid.auth.unsecuredContextKeys": "[\"maxNumTasks\"]"}
	settings.unsecured_context_keys == set() with data.settings as {"druid.auth.unsecuredContextKeys": "maxNumTasks"}
}

test_a_numeric_version_reads_as_its_text if {
	settings.version == 30 with data.settings as {"druidVersion": 30}
	settings.version_string == "30" with data.settings as {"druidVersion": 30}
}

# --- LDAPRoleProvider's properties ----------------------------------------------------------------------------------

test_the_role_provider_is_unconfigured_by_default if {
	settings.ldap_group_filters == null
	settings.ldap_group_attribute == "memberof"
	settings.role_provider_errors == set()
}

test_group_filters_are_a_list_or_the_json_text_of_one if {
	props := "druid.auth.authorizer.ldap.roleProvider.groupFilters"
	settings.ldap_group_filters == ["*,dc=com"] with data.settings as {props: ["*,dc=com"]}
	settings.ldap_group_filters == ["*,dc=com"] with data.settings as {props: "[\"*,dc=com\"]"}
	settings.ldap_group_filters == [] with data.settings as {props: "[]"}
	settings.ldap_group_filters == "*,dc=com" with data.settings as {props: "*,dc=com"}
	settings.ldap_group_filters == null with data.settings as {"druid.auth.authorizer.ldap.groupFilters": ["x"]}
}

test_the_group_attribute_is_lower_cased if {
	attribute := {"druid.auth.authorizer.MyBasicLDAPAuthorizer.roleProvider.ldapGroupAttribute": "isMemberOf"}
	settings.ldap_group_attribute == "ismemberof" with data.settings as attribute
}

test_role_providers_that_disagree_are_an_error if {
	props := {
		"druid.auth.authorizer.a.roleProvider.ldapGroupAttribute": "memberOf",
		"druid.auth.authorizer.b.roleProvider.ldapGroupAttribute": "isMemberOf",
		"druid.auth.authorizer.c.roleProvider.groupFilters": ["*,dc=com"],
		"druid.auth.authorizer.d.roleProvider.groupFilters": ["*,dc=com"],
	}
	settings.role_provider_errors == {{
		"status": "error",
		"value": ["isMemberOf", "memberOf"],
		"reason": "roleProvider.ldapGroupAttribute is set differently for several authorizers",
	}} with data.settings as props
	settings.ldap_group_attribute == "memberof" with data.settings as props
	settings.ldap_group_filters == ["*,dc=com"] with data.settings as props
}
