package msq.grants_test

import data.msq.grants

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
	grants.matches("carol", check("DATASOURCE", "wiki", "READ")) == [] with data.grants as fixture
}

# --- F8: full-match names -------------------------------------------------------------------------------------------

test_name_must_match_whole_so_wiki_does_not_allow_wikipedia if {
	not grants.full_match("wiki", "wikipedia")
	grants.matches("alice", check("DATASOURCE", "wikipedia", "READ")) == [] with data.grants as fixture
}

test_wiki_dot_star_allows_wiki_itself if {
	grants.full_match("wiki.*", "wiki")
	grants.full_match("wiki.*", "wikipedia")
	not grants.full_match("wiki.*", "my_wiki")
}

test_alternation_matches_each_whole_branch if {
	grants.full_match("wiki|metrics", "metrics")
	not grants.full_match("wiki|metrics", "wiki_metrics")
	not grants.full_match("wiki|metrics", "wikimetrics")
}

test_dot_star_matches_every_name if {
	grants.full_match(".*", "__query_select")
	grants.full_match(".*", "")
}

test_matches_lists_every_role_and_pattern_that_allows_the_check if {
	grants.matches("alice", check("DATASOURCE", "wiki", "READ")) == [
		match("analyst", "wiki"),
		match("writer", "wiki|metrics"),
	] with data.grants as fixture
}

# --- F8: exact type and action -------------------------------------------------------------------------------------

test_write_does_not_imply_read if {
	write := check("DATASOURCE", "wikipedia", "WRITE")
	grants.matches("alice", write) == [match("writer", "wiki.*")] with data.grants as fixture
	grants.matches("alice", check("DATASOURCE", "wikipedia", "READ")) == [] with data.grants as fixture
}

test_read_does_not_imply_write if {
	grants.matches("alice", check("DATASOURCE", "logs_1", "WRITE")) == [] with data.grants as fixture
}

test_lower_case_action_in_a_grant_is_accepted if {
	grants.matches("bob", check("DATASOURCE", "wiki", "READ")) == [match("lowercase", "wiki")] with data.grants as fixture
}

test_type_comparison_is_case_sensitive if {
	grants.matches("bob", check("DATASOURCE", "wiki", "READ")) == [match("lowercase", "wiki")] with data.grants as fixture
	grants.matches("bob", check("datasource", "wiki", "READ")) == [match("lowercase", "wiki")] with data.grants as fixture
	grants.matches("bob", check("External", "EXTERNAL", "READ")) == [] with data.grants as fixture
}

# --- F7: listings ---------------------------------------------------------------------------------------------------

test_patterns_list_the_names_a_user_holds_for_a_type_and_action if {
	grants.patterns("alice", "DATASOURCE", "READ") == ["logs_.*", "wiki", "wiki|metrics"] with data.grants as fixture
	grants.patterns("alice", "DATASOURCE", "WRITE") == ["wiki.*"] with data.grants as fixture
	grants.patterns("bob", "DATASOURCE", "READ") == ["wiki"] with data.grants as fixture
	grants.patterns("mallory", "DATASOURCE", "READ") == [] with data.grants as fixture
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
		grants.first_match("ana", read(name)) == match with data.grants as ordered
		grants.first_match("ana", read(name)) == match with data.grants as ordered with data.grant_index as ordered_index
	}
}

test_the_index_gives_no_grant_to_an_unknown_user_or_action if {
	grants.first_match("nobody", read("wiki")) == null with data.grants as ordered with data.grant_index as ordered_index
	write := {"type": "DATASOURCE", "name": "wiki", "action": "WRITE"}
	grants.first_match("ana", write) == null with data.grants as ordered with data.grant_index as ordered_index
}

test_with_the_index_the_roles_need_not_be_in_data_grants if {
	users_only := {"users": ordered.users}
	grants.first_match("ana", read("lags")) == {"role": "a_role", "pattern": "l.gs"}
		with data.grants as users_only with data.grant_index as ordered_index
	grants.patterns("ana", "DATASOURCE", "READ") == ["l.gs", "logs", "wiki", "wiki.*"]
		with data.grants as users_only with data.grant_index as ordered_index
	grants.patterns("ana", "DATASOURCE", "READ") == ["l.gs", "logs", "wiki", "wiki.*"] with data.grants as ordered
}
