package msq.druid_test

import data.msq.druid

# --- fixtures -------------------------------------------------------------------------------------------------------

permission(type, name, action) := {"resource": {"type": type, "name": name}, "action": action}

# Every resource type Druid checks (ResourceType), READ and WRITE on '.*': what Druid gives its admin and druid_system.
everything := [permission(type, ".*", action) |
	some type in ["DATASOURCE", "VIEW", "CONFIG", "STATE", "SYSTEM_TABLE", "QUERY_CONTEXT", "EXTERNAL", "LOOKUP"]
	some action in ["READ", "WRITE"]
]

fixture := {
	"users": {
		"alice": {"roles": ["analyst"]},
		"bob": {"roles": ["ingest"]},
		"druid_system": {"roles": ["superuser"]},
	},
	"roles": {
		"analyst": {"permissions": [
			permission("DATASOURCE", "wiki", "READ"),
			permission("DATASOURCE", "logs_.*", "READ"),
		]},
		"ingest": {"permissions": [
			permission("DATASOURCE", "wiki", "WRITE"),
			permission("EXTERNAL", "http", "READ"),
		]},
		"superuser": {"permissions": everything},
		"sales_reader": {"permissions": [permission("DATASOURCE", "sales_.*", "READ")]},
		"ops": {"permissions": [permission("STATE", "STATE", "READ")]},
	},
	"groupMappings": {
		"everyone in groups": {"groupPattern": "*,ou=groups,dc=example,dc=com", "roles": ["sales_reader"]},
		"ops anywhere": {"groupPattern": "cn=ops,*", "roles": ["ops"]},
		"admins": {"groupPattern": "cn=admins,ou=groups,dc=example,dc=com", "roles": ["superuser"]},
	},
}

# The RE2 translations of the fixture's Java patterns (data.grant_patterns, as `bundle build` writes them).
translated := {
	".*": `[^\n\r\x{85}\x{2028}\x{2029}]*`,
	"logs_.*": `logs_[^\n\r\x{85}\x{2028}\x{2029}]*`,
	"sales_.*": `sales_[^\n\r\x{85}\x{2028}\x{2029}]*`,
}

# A message exactly as Druid's OpaMessage serializes it, for an identity without a context (basic authenticator).
message(identity, action, type, name) := {
	"authenticationResult": {
		"identity": identity,
		"authorizerName": "opaAuthorizer",
		"authenticatedBy": "basicAuthenticator",
		"context": null,
	},
	"action": action,
	"resource": {"name": name, "type": type},
}

# The same for an LDAP identity: the search result as sanitizeContext writes it, attribute ids lower-cased.
ldap_message(identity, groups, action, type, name) := object.union(message(identity, action, type, name), {
	"authenticationResult": {
		"identity": identity,
		"authorizerName": "opaAuthorizer",
		"authenticatedBy": "ldapAuthenticator",
		"context": {"searchResult": {
			"name": concat("", ["uid=", identity]),
			"nameInNamespace": concat("", ["uid=", identity, ",ou=people,dc=example,dc=com"]),
			"attributes": {"memberof": groups, "uid": [identity]},
		}},
	},
})

# The whole answer for a message against the fixture: true or false, never undefined.
answer(msg) := result if {
	# regal ignore:with-outside-test-context
	result := druid.allow with input as msg with data.grants as fixture with data.grant_patterns as translated
}

allowed(msg) if answer(msg) == true

denied(msg) if answer(msg) == false

# --- F8: full match, exact type, exact action ----------------------------------------------------------------------

test_a_grant_on_wiki_allows_wiki_and_nothing_that_contains_it if {
	allowed(message("alice", "READ", "DATASOURCE", "wiki"))
	denied(message("alice", "READ", "DATASOURCE", "wikipedia"))
	denied(message("alice", "READ", "DATASOURCE", "my_wiki"))
	denied(message("alice", "READ", "DATASOURCE", "my_wiki_2"))
	denied(message("alice", "READ", "DATASOURCE", "WIKI"))
}

test_a_pattern_matches_whole_names_through_its_translation if {
	allowed(message("alice", "READ", "DATASOURCE", "logs_2024"))
	allowed(message("alice", "READ", "DATASOURCE", "logs_"))
	denied(message("alice", "READ", "DATASOURCE", "old_logs_2024"))
	denied(message("alice", "READ", "DATASOURCE", "logs_a\nb"))
}

test_a_pattern_without_its_translation_matches_nothing_but_itself if {
	druid.allow == false with input as message("alice", "READ", "DATASOURCE", "logs_2024") with data.grants as fixture
}

test_the_type_must_be_exact if {
	denied(message("alice", "READ", "VIEW", "wiki"))
	denied(message("alice", "READ", "datasource", "wiki"))
	denied(message("bob", "READ", "EXTERNAL", "EXTERNAL"))
	allowed(message("bob", "READ", "EXTERNAL", "http"))
}

test_the_action_must_be_exact_and_write_does_not_imply_read if {
	denied(message("alice", "WRITE", "DATASOURCE", "wiki"))
	allowed(message("bob", "WRITE", "DATASOURCE", "wiki"))
	denied(message("bob", "READ", "DATASOURCE", "wiki"))
}

test_an_unknown_identity_has_no_roles if {
	denied(message("mallory", "READ", "DATASOURCE", "wiki"))
	druid.allow == false with input as message("alice", "READ", "DATASOURCE", "wiki")
}

# --- LDAP groups (LDAPRoleProvider) ---------------------------------------------------------------------------------

test_a_group_under_a_mapped_subtree_gives_its_roles if {
	groups := ["CN=Sales, OU=Groups, DC=example, DC=com"]
	allowed(ldap_message("lara", groups, "READ", "DATASOURCE", "sales_q1"))
	denied(ldap_message("lara", groups, "READ", "DATASOURCE", "wiki"))
	denied(ldap_message("lara", ["cn=sales,ou=people,dc=example,dc=com"], "READ", "DATASOURCE", "sales_q1"))
}

test_a_group_named_by_its_leftmost_rdns_or_exactly_gives_its_roles if {
	allowed(ldap_message("lara", ["cn=ops,ou=teams,dc=other,dc=org"], "READ", "STATE", "STATE"))
	denied(ldap_message("lara", ["cn=ops2,ou=teams,dc=other,dc=org"], "READ", "STATE", "STATE"))
	allowed(ldap_message("lara", ["cn=Admins,ou=Groups,dc=Example,dc=COM"], "WRITE", "CONFIG", "security"))
}

test_the_user_keeps_its_own_roles_beside_its_groups if {
	groups := ["cn=sales,ou=groups,dc=example,dc=com"]
	allowed(ldap_message("alice", groups, "READ", "DATASOURCE", "wiki"))
	allowed(ldap_message("alice", groups, "READ", "DATASOURCE", "sales_q1"))
	allowed(ldap_message("alice", [], "READ", "DATASOURCE", "wiki"))
}

test_a_value_that_is_not_a_name_is_skipped_as_druid_skips_it if {
	allowed(ldap_message("alice", ["not a dn", "cn=sales,ou=groups,dc=example,dc=com"], "READ", "DATASOURCE", "sales_q1"))
}

test_group_filters_keep_only_the_groups_they_match if {
	msg := ldap_message("lara", ["cn=sales,ou=groups,dc=example,dc=com"], "READ", "DATASOURCE", "sales_q1")
	keep_sales := {"druid.auth.authorizer.ldap.roleProvider.groupFilters": "[\"cn=sales,*\"]"}
	keep_others := {"druid.auth.authorizer.ldap.roleProvider.groupFilters": ["*,ou=other,dc=example,dc=com"]}
	keep_none := {"druid.auth.authorizer.ldap.roleProvider.groupFilters": []}
	druid.allow with input as msg with data.grants as fixture with data.grant_patterns as translated
		with data.settings as keep_sales
	druid.allow == false with input as msg with data.grants as fixture with data.grant_patterns as translated
		with data.settings as keep_others
	druid.allow == false with input as msg with data.grants as fixture with data.grant_patterns as translated
		with data.settings as keep_none
}

test_the_group_attribute_is_a_setting_read_lower_cased if {
	msg := object.union(message("lara", "READ", "DATASOURCE", "sales_q1"), {"authenticationResult": {"context": {
		"searchResult": {"name": "uid=lara", "nameInNamespace": "uid=lara", "attributes": {
			"ismemberof": ["cn=sales,ou=groups,dc=example,dc=com"],
			"memberof": ["cn=nothing,ou=elsewhere"],
		}},
	}}})
	druid.allow == false with input as msg with data.grants as fixture with data.grant_patterns as translated
	attribute := {"druid.auth.authorizer.ldap.roleProvider.ldapGroupAttribute": "isMemberOf"}
	druid.allow with input as msg with data.grants as fixture with data.grant_patterns as translated
		with data.settings as attribute
}

test_a_group_mapping_druid_cannot_read_fails_every_check_even_the_users_own if {
	broken := object.union(fixture, {"groupMappings": {"bad": {"groupPattern": "not a dn", "roles": ["superuser"]}}})
	msg := ldap_message("alice", ["cn=sales,ou=groups,dc=example,dc=com"], "READ", "DATASOURCE", "wiki")
	druid.allow == false with input as msg with data.grants as broken with data.grant_patterns as translated
	druid.allow with input as message("alice", "READ", "DATASOURCE", "wiki")
		with data.grants as broken
		with data.grant_patterns as translated
}

test_a_member_of_value_druid_cannot_read_fails_every_check if {
	denied(ldap_message("alice", ["cn=x,dc=#zz"], "READ", "DATASOURCE", "wiki"))
	denied(ldap_message("alice", "cn=sales,ou=groups,dc=example,dc=com", "READ", "DATASOURCE", "wiki"))
	denied(ldap_message("alice", [42], "READ", "DATASOURCE", "wiki"))
}

test_role_providers_that_disagree_fail_every_ldap_check if {
	settings := {
		"druid.auth.authorizer.one.roleProvider.groupFilters": ["*,dc=com"],
		"druid.auth.authorizer.two.roleProvider.groupFilters": ["*,dc=org"],
	}
	druid.allow == false with input as ldap_message("alice", [], "READ", "DATASOURCE", "wiki")
		with data.grants as fixture
		with data.settings as settings
	druid.allow with input as message("alice", "READ", "DATASOURCE", "wiki")
		with data.grants as fixture
		with data.settings as settings
}

# --- the escalator (druid.escalator.internalClientUsername) --------------------------------------------------------

test_the_escalator_is_authorized_like_anyone_else if {
	every type in ["DATASOURCE", "VIEW", "CONFIG", "STATE", "SYSTEM_TABLE", "QUERY_CONTEXT", "EXTERNAL", "LOOKUP"] {
		allowed(message("druid_system", "READ", type, "anything"))
		allowed(message("druid_system", "WRITE", type, "__query_select"))
	}
	without := object.union(fixture, {"users": {"druid_system": {"roles": ["ops"]}}})
	druid.allow == false with input as message("druid_system", "READ", "DATASOURCE", "wiki")
		with data.grants as without
		with data.grant_patterns as translated
}

# --- malformed messages are false ----------------------------------------------------------------------------------

test_a_malformed_message_is_false if {
	good := message("alice", "READ", "DATASOURCE", "wiki")
	allowed(good)
	denied("alice")
	denied([good])
	denied({"input": good})
	denied(object.remove(good, ["resource"]))
	denied(object.union(good, {"extra": true}))
	denied(object.union(good, {"action": "read"}))
	denied(object.union(good, {"action": "DELETE"}))
	denied(object.union(good, {"action": ["READ"]}))
	denied(object.union(object.remove(good, ["resource"]), {"resource": {"name": "wiki"}}))
	denied(object.union(good, {"resource": {"name": "wiki", "type": "DATASOURCE", "tier": "hot"}}))
	denied(object.union(good, {"resource": {"name": ["wiki"], "type": "DATASOURCE"}}))
	denied(object.union(good, {"resource": {"name": "wiki", "type": ""}}))
}

test_a_malformed_authentication_result_is_false if {
	good := message("alice", "READ", "DATASOURCE", "wiki")
	denied(object.union(good, {"authenticationResult": null}))
	denied(object.union(good, {"authenticationResult": {"identity": null}}))
	denied(object.union(good, {"authenticationResult": {"identity": 7}}))
	denied(object.union(good, {"authenticationResult": {"identity": ""}}))
	denied(object.union(good, {"authenticationResult": {"identity": ["alice"]}}))
	denied(object.union(good, {"authenticationResult": {"authorizerName": 1}}))
	denied(object.union(good, {"authenticationResult": {"roles": ["superuser"]}}))
	denied(object.union(good, {"authenticationResult": {"context": "ldap"}}))
	denied(object.union(good, {"authenticationResult": {"context": {"searchResult": "cn=admins"}}}))
	denied(object.union(good, {"authenticationResult": {"context": {"searchResult": {"name": "uid=alice"}}}}))
	denied({"authenticationResult": {"authorizerName": "opaAuthorizer"}, "action": "READ", "resource": good.resource})
	allowed({"authenticationResult": {"identity": "alice"}, "action": "READ", "resource": good.resource})
	allowed(object.union(good, {"authenticationResult": {"context": {"another": "authenticator's"}}}))
	allowed(object.union(good, {"authenticationResult": {"context": {"searchResult": null}}}))
}

test_an_identity_in_more_groups_than_the_limit_is_denied_every_check if {
	others := [sprintf("cn=g%d,ou=none,dc=x", [i]) | some i in numbers.range(1, 255)]
	under := array.concat(["cn=sales,ou=groups,dc=example,dc=com"], others)
	allowed(ldap_message("lara", under, "READ", "DATASOURCE", "sales_q1"))
	denied(ldap_message("lara", array.concat(under, ["cn=one_more,ou=none,dc=x"]), "READ", "DATASOURCE", "sales_q1"))
}

# --- the plan the decision point matches itself ---------------------------------------------------------------------

test_the_plan_names_the_check_and_the_identitys_roles if {
	msg := ldap_message("lara", ["CN=Sales, OU=Groups, DC=example, DC=com"], "READ", "DATASOURCE", "sales_q1")
	druid.plan == {
		"check": {"type": "DATASOURCE", "name": "sales_q1", "action": "READ"},
		"roles": ["sales_reader"],
	} with input as msg with data.grants as fixture
}

test_there_is_no_plan_for_a_malformed_message_or_groups_druid_cannot_read if {
	druid.plan == null with input as {"action": "READ"} with data.grants as fixture
	unreadable := ldap_message("lara", ["cn=x,dc=#zz"], "READ", "DATASOURCE", "sales_q1")
	druid.plan == null with input as unreadable with data.grants as fixture
}
