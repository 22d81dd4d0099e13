package msq.grants_test

import data.msq.grants

# The tests ask by user: the user's roles, in their order.
first_match(user, check) := grants.first_match_of_roles(grants.roles_of(user), check)

matches(user, check) := grants.matches_of_roles(grants.roles_of(user), check)

patterns(user, type, action) := grants.patterns_of_roles(grants.roles_of(user), type, action)

permission(type, name, action) := {"resource": {"type": type, "name": name}, "action": action}

fixture := {
	"users": {
		"alice": {"roles": ["writer", "analyst"]},
		"bob": {"roles": ["lowercase"]},
		"carol": {"roles": ["ghost"]},
	},
	"roles": {
		"analyst": {"permissions": [
			permission("DATASOURCE", "wiki", "READ"),
			permission("DATASOURCE", "logs_.*", "READ"),
		]},
		"writer": {"permissions": [
			permission("DATASOURCE", "wiki.*", "WRITE"),
			permission("DATASOURCE", "wiki|metrics", "READ"),
		]},
		"lowercase": {"permissions": [
			permission("DATASOURCE", "wiki", "read"),
			permission("datasource", "wiki", "READ"),
			permission("EXTERNAL", "EXTERNAL", "READ"),
		]},
	},
}

# What the decision point gives the policy as data.grant_patterns for the patterns of these tests (src/grants.ts
# grantPatterns; test/grant-index.test.ts checks it is this table): Java's '.' excludes every line terminator.
translated := {
	"logs_.*": `logs_[^\n\r\x{85}\x{2028}\x{2029}]*`,
	"wiki.*": `wiki[^\n\r\x{85}\x{2028}\x{2029}]*`,
	"wiki|metrics": `wiki|metrics`,
	".*": `[^\n\r\x{85}\x{2028}\x{2029}]*`,
	"l.gs": `l[^\n\r\x{85}\x{2028}\x{2029}]gs`,
	"[[:alnum:]_]+": `[\:_al-nu]+`,
	"(?i)kafka": `[Kk][Aa][Ff][Kk][Aa]`,
}

check(type, name, action) := {"type": type, "name": name, "action": action}

match(role, pattern) := {"role": role, "pattern": pattern}

# --- roles ----------------------------------------------------------------------------------------------------------

test_roles_of_a_user_are_sorted if {
	grants.roles_of("alice") == ["analyst", "writer"] with data.grants as fixture
}

test_unknown_user_has_no_roles if {
	grants.roles_of("mallory") == [] with data.grants as fixture
}

test_missing_or_malformed_grants_give_no_roles if {
	grants.roles_of("alice") == []
	grants.roles_of("alice") == [] with data.grants as {"users": ["alice"], "roles": "analyst"}
	grants.permissions_of("analyst") == [] with data.grants as {"users": ["alice"], "roles": "analyst"}
}

test_unknown_role_has_no_permissions if {
	grants.permissions_of("ghost") == [] with data.grants as fixture
	matches("carol", check("DATASOURCE", "wiki", "READ")) == [] with data.grants as fixture
}

# --- F8: full-match names, in Java's dialect through their RE2 translations ---------------------------------------

test_name_must_match_whole_so_wiki_does_not_allow_wikipedia if {
	not grants.full_match("wiki", "wikipedia")
	matches("alice", check("DATASOURCE", "wikipedia", "READ")) == []
		with data.grants as fixture
		with data.grant_patterns as translated
}

test_wiki_dot_star_allows_wiki_itself if {
	grants.full_match("wiki.*", "wiki") with data.grant_patterns as translated
	grants.full_match("wiki.*", "wikipedia") with data.grant_patterns as translated
	not grants.full_match("wiki.*", "my_wiki") with data.grant_patterns as translated
}

test_alternation_matches_each_whole_branch if {
	grants.full_match("wiki|metrics", "metrics") with data.grant_patterns as translated
	not grants.full_match("wiki|metrics", "wiki_metrics") with data.grant_patterns as translated
	not grants.full_match("wiki|metrics", "wikimetrics") with data.grant_patterns as translated
}

test_dot_star_matches_every_name_without_a_line_terminator if {
	grants.full_match(".*", "__query_select") with data.grant_patterns as translated
	grants.full_match(".*", "") with data.grant_patterns as translated
	not grants.full_match(".*", "a\rb") with data.grant_patterns as translated
	not grants.full_match(".*", "a\u2028b") with data.grant_patterns as translated
}

test_a_pattern_means_what_java_reads_not_what_re2_would if {
	# RE2 would read [[:alnum:]_] as a POSIX class; Java reads the characters ':', 'a', 'l', 'n', 'u', 'm', '_'.
	not grants.full_match("[[:alnum:]_]+", "secret") with data.grant_patterns as translated
	grants.full_match("[[:alnum:]_]+", "alnum_:") with data.grant_patterns as translated

	# Java folds only ASCII case: the KELVIN SIGN is not a k.
	grants.full_match("(?i)kafka", "KAFKA") with data.grant_patterns as translated
	not grants.full_match("(?i)kafka", "\u212aafka") with data.grant_patterns as translated
}

test_a_pattern_without_a_translation_is_never_read_as_a_regex if {
	# No table at all, a table that is not an object, a translation that is not a string: only a literal name matches.
	grants.full_match("wiki", "wiki")
	not grants.full_match("wiki.*", "wikipedia")
	not grants.full_match("wiki.*", "wiki.*")
	not grants.full_match(".*", "anything") with data.grant_patterns as ["not", "an", "object"]
	not grants.full_match(".*", ".*") with data.grant_patterns as {".*": 42}
	grants.full_match("wiki", "wiki") with data.grant_patterns as {"wiki": 42}
	matches("alice", check("DATASOURCE", "wiki", "READ")) == [match("analyst", "wiki")] with data.grants as fixture
}

test_matches_lists_every_role_and_pattern_that_allows_the_check if {
	matches("alice", check("DATASOURCE", "wiki", "READ")) == [
		match("analyst", "wiki"),
		match("writer", "wiki|metrics"),
	]
		with data.grants as fixture
		with data.grant_patterns as translated
}

# --- F8: exact type and action -------------------------------------------------------------------------------------

test_write_does_not_imply_read if {
	write := check("DATASOURCE", "wikipedia", "WRITE")
	matches("alice", write) == [match("writer", "wiki.*")]
		with data.grants as fixture
		with data.grant_patterns as translated
	matches("alice", check("DATASOURCE", "wikipedia", "READ")) == []
		with data.grants as fixture
		with data.grant_patterns as translated
}

test_read_does_not_imply_write if {
	matches("alice", check("DATASOURCE", "logs_1", "WRITE")) == []
		with data.grants as fixture
		with data.grant_patterns as translated
	matches("alice", check("DATASOURCE", "logs_1", "READ")) == [match("analyst", "logs_.*")]
		with data.grants as fixture
		with data.grant_patterns as translated
}

test_lower_case_action_in_a_grant_is_accepted if {
	matches("bob", check("DATASOURCE", "wiki", "READ")) == [match("lowercase", "wiki")] with data.grants as fixture
}

test_type_comparison_is_case_sensitive if {
	matches("bob", check("DATASOURCE", "wiki", "READ")) == [match("lowercase", "wiki")] with data.grants as fixture
	matches("bob", check("datasource", "wiki", "READ")) == [match("lowercase", "wiki")] with data.grants as fixture
	matches("bob", check("External", "EXTERNAL", "READ")) == [] with data.grants as fixture
}

# --- F7: listings ---------------------------------------------------------------------------------------------------

test_patterns_list_the_names_a_user_holds_for_a_type_and_action if {
	patterns("alice", "DATASOURCE", "READ") == ["logs_.*", "wiki", "wiki|metrics"] with data.grants as fixture
	patterns("alice", "DATASOURCE", "WRITE") == ["wiki.*"] with data.grants as fixture
	patterns("bob", "DATASOURCE", "READ") == ["wiki"] with data.grants as fixture
	patterns("mallory", "DATASOURCE", "READ") == [] with data.grants as fixture
}

# --- the first grant in order, scanned or looked up in data.grant_index -----------------------------------------

ordered := {
	"users": {"ana": {"roles": ["b_role", "a_role"]}},
	"roles": {
		"a_role": {"permissions": [
			{"resource": {"name": "wiki.*", "type": "DATASOURCE"}, "action": "READ"},
			{"resource": {"name": "wiki", "type": "DATASOURCE"}, "action": "read"},
			{"resource": {"name": "logs", "type": "DATASOURCE"}, "action": "READ"},
			{"resource": {"name": "l.gs", "type": "DATASOURCE"}, "action": "READ"},
		]},
		"b_role": {"permissions": [{"resource": {"name": "logs", "type": "DATASOURCE"}, "action": "READ"}]},
	},
}

# What the decision point builds from `ordered` (src/grants.ts grantIndex).
ordered_index := {"roles": {
	"a_role": {"DATASOURCE": {"READ": {"literals": {"wiki": 1, "logs": 2}, "patterns": [[0, "wiki.*"], [3, "l.gs"]]}}},
	"b_role": {"DATASOURCE": {"READ": {"literals": {"logs": 0}, "patterns": []}}},
}}

read(name) := {"type": "DATASOURCE", "name": name, "action": "READ"}

test_the_first_match_is_the_first_role_then_the_first_permission_in_order if {
	expected := {
		"wiki": {"role": "a_role", "pattern": "wiki.*"},
		"wikipedia": {"role": "a_role", "pattern": "wiki.*"},
		"logs": {"role": "a_role", "pattern": "logs"},
		"lags": {"role": "a_role", "pattern": "l.gs"},
		"secret": null,
	}
	every name, match in expected {
		first_match("ana", read(name)) == match with data.grants as ordered with data.grant_patterns as translated
		first_match("ana", read(name)) == match
			with data.grants as ordered
			with data.grant_index as ordered_index
			with data.grant_patterns as translated
	}
}

test_the_index_gives_no_grant_to_an_unknown_user_or_action if {
	first_match("nobody", read("wiki")) == null with data.grants as ordered with data.grant_index as ordered_index
	write := {"type": "DATASOURCE", "name": "wiki", "action": "WRITE"}
	first_match("ana", write) == null with data.grants as ordered with data.grant_index as ordered_index
}

test_with_the_index_the_roles_need_not_be_in_data_grants if {
	users_only := {"users": ordered.users}
	first_match("ana", read("lags")) == {"role": "a_role", "pattern": "l.gs"}
		with data.grants as users_only
		with data.grant_index as ordered_index
		with data.grant_patterns as translated
	patterns("ana", "DATASOURCE", "READ") == ["l.gs", "logs", "wiki", "wiki.*"]
		with data.grants as users_only with data.grant_index as ordered_index
	patterns("ana", "DATASOURCE", "READ") == ["l.gs", "logs", "wiki", "wiki.*"] with data.grants as ordered
}

test_without_translations_neither_path_reads_a_pattern_as_a_regex if {
	first_match("ana", read("lags")) == null with data.grants as ordered
	first_match("ana", read("lags")) == null with data.grants as ordered with data.grant_index as ordered_index
	first_match("ana", read("wiki")) == {"role": "a_role", "pattern": "wiki"}
		with data.grants as ordered
		with data.grant_index as ordered_index
}

# --- F7: which names a task list's patterns let through ----------------------------------------------------------

test_names_matching_takes_literals_by_lookup_and_patterns_through_their_translations if {
	names := {"wiki", "wikipedia", "logs_1", "secret", "alnum_", "l\ngs"}
	grants.names_matching(names, ["wiki", "logs_.*", "[[:alnum:]_]+"], translated) == {"wiki", "logs_1", "alnum_"}
	grants.names_matching(names, {"l.gs", "secret"}, translated) == {"secret"}
	grants.names_matching(names, ["wiki"], {}) == {"wiki"}
	grants.names_matching(names, [], translated) == set()
}

test_names_matching_never_reads_an_untranslated_pattern_as_a_regex if {
	grants.names_matching({"wiki", "wikipedia", "wiki.*"}, ["wiki.*"], {}) == set()
}

test_names_matching_tries_each_translation_when_their_alternation_does_not_compile if {
	# A table with a broken translation (the decision point never builds one): it matches nothing, the rest still do.
	table := {"a.": `a[^\n]`, "b(": "("}
	grants.names_matching({"ax", "b(", "a\n"}, ["a.", "b("], table) == {"ax"}
}

# --- an identity's roles: the user's and its LDAP groups' ---------------------------------------------------------

with_groups := object.union(fixture, {
	"roles": {"group_reader": {"permissions": [permission("DATASOURCE", "sales", "READ")]}},
	"groupMappings": {
		"sales": {"groupPattern": "*,ou=groups,dc=example,dc=com", "roles": ["group_reader", "analyst"]},
		"unrelated": {"groupPattern": "cn=admins,ou=groups,dc=other,dc=org", "roles": ["writer"]},
	},
})

test_identity_roles_without_groups_are_the_users if {
	grants.identity_roles("alice", []) == {"roles": ["analyst", "writer"], "errors": set()} with data.grants as with_groups
	grants.identity_roles("mallory", []) == {"roles": [], "errors": set()} with data.grants as with_groups
}

test_identity_roles_add_the_roles_the_groups_map_to if {
	groups := ["CN=Sales,OU=Groups,DC=Example,DC=com"]
	grants.identity_roles("bob", groups) == {"roles": ["analyst", "group_reader", "lowercase"], "errors": set()}
		with data.grants as with_groups
	grants.identity_roles("nobody", groups) == {"roles": ["analyst", "group_reader"], "errors": set()}
		with data.grants as with_groups
	grants.identity_roles("nobody", ["cn=sales,ou=people,dc=example,dc=com"]) == {"roles": [], "errors": set()}
		with data.grants as with_groups
}

test_identity_roles_are_none_when_druid_cannot_read_the_groups if {
	roles := grants.identity_roles("alice", ["cn=x,dc=#zz"]) with data.grants as with_groups
	roles == {"roles": [], "errors": {{
		"status": "error",
		"value": "cn=x,dc=#zz",
		"reason": "a #hex value that is not hex pairs",
	}}}
}

test_first_match_of_roles_takes_the_roles_in_their_order if {
	wiki := check("DATASOURCE", "wiki", "READ")
	grants.first_match_of_roles(["analyst", "writer"], wiki) == match("analyst", "wiki") with data.grants as fixture
	grants.first_match_of_roles(["writer"], wiki) == match("writer", "wiki|metrics")
		with data.grants as fixture
		with data.grant_patterns as translated
	grants.first_match_of_roles([], wiki) == null with data.grants as fixture
	grants.patterns_of_roles(["analyst", "writer"], "DATASOURCE", "READ") == ["logs_.*", "wiki", "wiki|metrics"]
		with data.grants as fixture
}
