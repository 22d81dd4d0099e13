# The decision is where every rule meets, so its cases outgrow a short file; the layout is one test file per package.
# regal ignore:file-length
package msq.authz_test

import data.msq.authz

# --- fixtures -------------------------------------------------------------------------------------------------------

permission(type, name, action) := {"resource": {"type": type, "name": name}, "action": action}

grants := {
	"users": {
		"alice": {"roles": ["analyst"]},
		"bob": {"roles": ["ingester", "analyst"]},
		"carl": {"roles": ["ingester", "http_reader", "analyst"]},
		"erin": {"roles": ["exporter", "analyst"]},
		"sam": {"roles": ["select_tasks"]},
		"olga": {"roles": ["ops"]},
		"kim": {"roles": ["killer"]},
		"tess": {"roles": ["tuner", "analyst"]},
		"vic": {"roles": ["views"]},
		"leo": {"roles": ["legacy"]},
		"wes": {"roles": ["exact"]},
	},
	"roles": {
		"analyst": {"permissions": [
			permission("DATASOURCE", "wiki.*", "READ"),
			permission("DATASOURCE", "logs", "READ"),
		]},
		"ingester": {"permissions": [
			permission("DATASOURCE", "wiki.*", "WRITE"),
			permission("EXTERNAL", "EXTERNAL", "READ"),
		]},
		"http_reader": {"permissions": [permission("EXTERNAL", "http", "READ")]},
		"exporter": {"permissions": [permission("EXTERNAL", "s3", "WRITE")]},
		"select_tasks": {"permissions": [permission("DATASOURCE", "__query_select", "READ")]},
		"ops": {"permissions": [permission("STATE", "STATE", "READ")]},
		"killer": {"permissions": [
			permission("STATE", "STATE", "WRITE"),
			permission("DATASOURCE", "wiki", "WRITE"),
		]},
		"tuner": {"permissions": [permission("QUERY_CONTEXT", "maxNumTasks", "WRITE")]},
		"views": {"permissions": [
			permission("VIEW", "v_.*", "READ"),
			permission("SYSTEM_TABLE", "segments", "READ"),
		]},
		"legacy": {"permissions": [
			permission("DATASOURCE", "wiki", "read"),
			permission("datasource", "logs", "READ"),
		]},
		"exact": {"permissions": [permission("DATASOURCE", "wiki", "READ")]},
	},
}

# The RE2 translations of the fixture's Java patterns, as the decision point gives them to the policy
# (data.grant_patterns; src/grants.ts grantPatterns). Without them a pattern matches only the name equal to it.
translated := {
	"wiki.*": `wiki[^\n\r\x{85}\x{2028}\x{2029}]*`,
	"v_.*": `v_[^\n\r\x{85}\x{2028}\x{2029}]*`,
	"logs_.*": `logs_[^\n\r\x{85}\x{2028}\x{2029}]*`,
	"logs_[0-9]": `logs_[0-9]`,
	"a|b": `a|b`,
}

titles := {
	"R1": "Only authenticated users may use MSQ, where the extension is loaded",
	"R2": "SELECT from a datasource",
	"R3": "INSERT or REPLACE into a datasource",
	"R4": "EXTERN reads external data",
	"R5": "Input-source table functions read external data",
	"R6": "A query runs as a query_controller task under the Overlord's model",
	"R7": "Interacting with an INSERT or REPLACE task",
	"R8": "Interacting with a SELECT task",
	"F1": "Input-source security",
	"F2": "Export to external storage",
	"F3": "Views, system tables and lookups are authorized by their own resource",
	"F4": "Query context parameters need their own permission",
	"F5": "Overlord task endpoints check the task's datasource by HTTP method",
	"F6": "A query's owner, or STATE permission, may read or cancel it",
	"F7": "Task lists are filtered, bulk status needs STATE",
	"F9": "Export paths must lie under the configured allowed paths",
	"INPUT": "Request shape",
}

no_msq := {"druidVersion": "34.0.0", "druid.extensions.loadList": ["druid-basic-security"]}

security_on := {"druid.auth.enableInputSourceSecurity": true}

druid(version) := {"druidVersion": version}

system_tables_on := {"druid.sql.planner.authorizeSystemTablesDirectly": true}

engine_error := "the policy produced no decision for this input; this is a bug in msq-authz"

# --- builders for requests and expected decisions -----------------------------------------------------------------

who(user) := {"authenticated": true, "user": user}

anonymous := {"authenticated": false}

ds(name) := {"type": "DATASOURCE", "name": name}

submit(user, statement) := {"identity": who(user), "operation": "sql.task.submit", "statement": statement}

select_from(user, reads) := submit(user, {"type": "SELECT", "reads": reads})

on_task(user, operation, task) := {"identity": who(user), "operation": operation, "task": task}

check(type, name, action) := {"type": type, "name": name, "action": action}

# A check the grants matched, as a decision lists it.
hit(c, role, pattern) := object.union(c, {"role": role, "pattern": pattern})

said(rule, detail) := sprintf("%s (%s): %s", [rule, titles[rule], detail])

granted(rule, c, role, pattern) := said(rule, sprintf(
	"%s on %s '%s' granted to role '%s' by pattern '%s'",
	[c.action, c.type, c.name, role, pattern],
))

lacks(rule, c, user_roles) := said(rule, sprintf(
	"needs %s on %s '%s'; %s has no matching permission",
	[c.action, c.type, c.name, user_roles],
))

stopped(status, code, reasons) := {
	"allow": false,
	"status": status,
	"code": code,
	"required": [],
	"missing": [],
	"matched": [],
	"reasons": reasons,
}

forbidden(required, missing, matches, reasons) := {
	"allow": false,
	"status": 403,
	"code": "forbidden",
	"required": required,
	"missing": missing,
	"matched": matches,
	"reasons": reasons,
}

allowed(status, required, matches, reasons) := {
	"allow": true,
	"status": status,
	"code": "ok",
	"required": required,
	"missing": [],
	"matched": matches,
	"reasons": reasons,
}

# --- R1: authentication and the MSQ endpoints -----------------------------------------------------------------------

test_unauthenticated_request_is_401 if {
	request := object.union(select_from("alice", [ds("wiki")]), {"identity": anonymous})
	expected := stopped(401, "unauthenticated", [said("R1", "the request carries no authenticated identity")])
	authz.decision == expected with input as request with data.grants as grants
}

test_msq_endpoint_is_404_where_the_extension_is_not_loaded if {
	request := select_from("alice", [ds("wiki")])
	expected := stopped(404, "msq_not_loaded", [said(
		"R1",
		"Druid 34.0.0 has no MSQ endpoints: druid-multi-stage-query is not in druid.extensions.loadList",
	)])
	authz.decision == expected with input as request with data.grants as grants with data.settings as no_msq
}

test_authentication_comes_before_the_missing_endpoint if {
	request := {"identity": anonymous, "operation": "sql.task.enabled"}
	expected := stopped(401, "unauthenticated", [said("R1", "the request carries no authenticated identity")])
	authz.decision == expected with input as request with data.grants as grants with data.settings as no_msq
}

test_any_authenticated_user_may_use_msq_itself if {
	request := {"identity": who("nobody"), "operation": "sql.task.enabled"}
	expected := allowed(200, [], [], [said("R1", "any authenticated user may use MSQ itself")])
	authz.decision == expected with input as request with data.grants as grants
}

test_msq_endpoints_exist_where_msq_is_in_the_load_list if {
	request := {"identity": who("alice"), "operation": "sql.task.enabled"}
	settings := {"druidVersion": "24.0.0", "druid.extensions.loadList": ["druid-multi-stage-query"]}
	expected := allowed(200, [], [], [said("R1", "any authenticated user may use MSQ itself")])
	authz.decision == expected with input as request with data.grants as grants with data.settings as settings
}

test_select_of_no_datasource_needs_nothing_beyond_authentication if {
	expected := allowed(202, [], [], [said("R1", "the request needs nothing beyond an authenticated identity")])
	authz.decision == expected with input as submit("nobody", {"type": "SELECT"}) with data.grants as grants
}

test_overlord_cannot_read_a_posted_task_without_msq if {
	request := {"identity": who("kim"), "operation": "task.submit", "statement": {"type": "INSERT", "target": "wiki"}}
	expected := stopped(400, "msq_not_loaded", [said(
		"R1",
		"the Overlord cannot read a query_controller task: druid-multi-stage-query is not loaded",
	)])
	authz.decision == expected with input as request with data.grants as grants with data.settings as no_msq
}

# --- INPUT ----------------------------------------------------------------------------------------------------------

test_unknown_operation_is_400_invalid_request if {
	request := {"identity": who("alice"), "operation": "sql.drop"}
	expected := stopped(400, "invalid_request", [said("INPUT", "unknown operation sql.drop")])
	authz.decision == expected with input as request with data.grants as grants
}

test_malformed_request_is_400_before_authentication if {
	request := {"identity": anonymous, "operation": "sql.task.submit", "statement": {"type": "DROP"}}
	expected := stopped(400, "invalid_request", [said(
		"INPUT",
		"statement.type must be one of SELECT, INSERT, REPLACE, EXPORT, not DROP",
	)])
	authz.decision == expected with input as request with data.grants as grants
}

test_missing_fields_are_400_never_an_allow if {
	expected := stopped(400, "invalid_request", [said(
		"INPUT",
		"sql.task.submit needs a statement (raw SQL is analyzed into one first)",
	)])
	request := {"identity": who("alice"), "operation": "sql.task.submit", "sql": "INSERT INTO secret SELECT 1"}
	authz.decision == expected with input as request with data.grants as grants
}

test_request_without_operation_is_400 if {
	expected := stopped(400, "invalid_request", [said("INPUT", "unknown operation null")])
	authz.decision == expected with input as {"identity": who("alice")} with data.grants as grants
}

test_input_that_is_not_an_object_is_400 if {
	expected := stopped(400, "invalid_request", [said("INPUT", "the request must be a JSON object")])
	authz.decision == expected with input as "SELECT 1" with data.grants as grants
}

# --- R2, R3 ---------------------------------------------------------------------------------------------------------

test_select_is_allowed_with_read_on_every_datasource if {
	wiki := check("DATASOURCE", "wiki", "READ")
	edits := check("DATASOURCE", "wiki_edits", "READ")
	expected := allowed(
		202,
		[wiki, edits],
		[hit(wiki, "analyst", "wiki.*"), hit(edits, "analyst", "wiki.*")],
		[granted("R2", wiki, "analyst", "wiki.*"), granted("R2", edits, "analyst", "wiki.*")],
	)
	request := select_from("alice", [ds("wiki_edits"), ds("wiki"), ds("wiki_edits")])
	authz.decision == expected with input as request with data.grants as grants with data.grant_patterns as translated
}

test_select_is_forbidden_without_read_on_one_datasource if {
	secret := check("DATASOURCE", "secret", "READ")
	wiki := check("DATASOURCE", "wiki", "READ")
	expected := forbidden(
		[secret, wiki],
		[secret],
		[hit(wiki, "analyst", "wiki.*")],
		[concat("", [
			"R2 (SELECT from a datasource): needs READ on DATASOURCE 'secret'; ",
			"user 'alice' (roles: analyst) has no matching permission",
		])],
	)
	request := select_from("alice", [ds("wiki"), ds("secret")])
	authz.decision == expected with input as request with data.grants as grants with data.grant_patterns as translated
}

test_user_without_roles_is_forbidden if {
	wiki := check("DATASOURCE", "wiki", "READ")
	expected := forbidden([wiki], [wiki], [], [lacks("R2", wiki, "user 'nobody' (no roles)")])
	authz.decision == expected with input as select_from("nobody", [ds("wiki")]) with data.grants as grants
}

test_no_grants_at_all_denies if {
	wiki := check("DATASOURCE", "wiki", "READ")
	expected := forbidden([wiki], [wiki], [], [lacks("R2", wiki, "user 'alice' (no roles)")])
	authz.decision == expected with input as select_from("alice", [ds("wiki")])
}

test_insert_from_extern_is_allowed_with_write_and_external if {
	write := check("DATASOURCE", "wiki", "WRITE")
	external := check("EXTERNAL", "EXTERNAL", "READ")
	expected := allowed(
		202,
		[write, external],
		[hit(write, "ingester", "wiki.*"), hit(external, "ingester", "EXTERNAL")],
		[granted("R3", write, "ingester", "wiki.*"), granted("R4", external, "ingester", "EXTERNAL")],
	)
	request := submit("bob", {"type": "INSERT", "target": "wiki", "external": ["http"]})
	authz.decision == expected with input as request with data.grants as grants with data.grant_patterns as translated
}

test_replace_needs_no_read_on_its_target if {
	write := check("DATASOURCE", "wiki", "WRITE")
	expected := allowed(202, [write], [hit(write, "killer", "wiki")], [concat("", [
		"R3 (INSERT or REPLACE into a datasource): ",
		"WRITE on DATASOURCE 'wiki' granted to role 'killer' by pattern 'wiki'",
	])])
	request := submit("kim", {"type": "REPLACE", "target": "wiki"})
	authz.decision == expected with input as request with data.grants as grants
}

# --- F8: matching ---------------------------------------------------------------------------------------------------

test_grant_wiki_does_not_allow_wikipedia if {
	wikipedia := check("DATASOURCE", "wikipedia", "READ")
	expected := forbidden([wikipedia], [wikipedia], [], [lacks("R2", wikipedia, "user 'wes' (roles: exact)")])
	authz.decision == expected with input as select_from("wes", [ds("wikipedia")]) with data.grants as grants
}

test_grant_wiki_dot_star_allows_wiki if {
	wiki := check("DATASOURCE", "wiki", "READ")
	expected := allowed(202, [wiki], [hit(wiki, "analyst", "wiki.*")], [granted("R2", wiki, "analyst", "wiki.*")])
	authz.decision == expected
		with input as select_from("alice", [ds("wiki")])
		with data.grants as grants
		with data.grant_patterns as translated
}

test_write_does_not_imply_read if {
	wiki := check("DATASOURCE", "wiki", "READ")
	expected := forbidden([wiki], [wiki], [], [lacks("R2", wiki, "user 'kim' (roles: killer)")])
	authz.decision == expected with input as select_from("kim", [ds("wiki")]) with data.grants as grants
}

test_lower_case_action_in_a_grant_is_accepted if {
	wiki := check("DATASOURCE", "wiki", "READ")
	expected := allowed(202, [wiki], [hit(wiki, "legacy", "wiki")], [granted("R2", wiki, "legacy", "wiki")])
	authz.decision == expected with input as select_from("leo", [ds("wiki")]) with data.grants as grants
}

test_type_comparison_is_case_sensitive if {
	logs := check("DATASOURCE", "logs", "READ")
	expected := forbidden([logs], [logs], [], [lacks("R2", logs, "user 'leo' (roles: legacy)")])
	authz.decision == expected with input as select_from("leo", [ds("logs")]) with data.grants as grants
}

# --- R4, R5, F1: external data --------------------------------------------------------------------------------------

test_extern_without_external_permission_is_403 if {
	write := check("DATASOURCE", "wiki", "WRITE")
	external := check("EXTERNAL", "EXTERNAL", "READ")
	expected := forbidden(
		[write, external],
		[external],
		[hit(write, "killer", "wiki")],
		[concat("", [
			"R4 (EXTERN reads external data): needs READ on EXTERNAL 'EXTERNAL'; ",
			"user 'kim' (roles: killer) has no matching permission",
		])],
	)
	request := submit("kim", {"type": "INSERT", "target": "wiki", "external": ["http"]})
	authz.decision == expected with input as request with data.grants as grants
}

test_input_source_security_replaces_external_external if {
	write := check("DATASOURCE", "wiki", "WRITE")
	http_read := check("EXTERNAL", "http", "READ")
	expected := forbidden(
		[write, http_read],
		[http_read],
		[hit(write, "ingester", "wiki.*")],
		[concat("", [
			"F1 (Input-source security): needs READ on EXTERNAL 'http'; ",
			"user 'bob' (roles: analyst, ingester) has no matching permission",
		])],
	)
	request := submit("bob", {"type": "INSERT", "target": "wiki", "external": ["http"]})
	authz.decision == expected
		with input as request
		with data.grants as grants
		with data.grant_patterns as translated
		with data.settings as security_on
}

test_input_source_security_allows_read_on_the_source_type if {
	write := check("DATASOURCE", "wiki", "WRITE")
	http_read := check("EXTERNAL", "http", "READ")
	expected := allowed(
		202,
		[write, http_read],
		[hit(write, "ingester", "wiki.*"), hit(http_read, "http_reader", "http")],
		[granted("F1", http_read, "http_reader", "http"), granted("R3", write, "ingester", "wiki.*")],
	)
	request := submit("carl", {"type": "INSERT", "target": "wiki", "external": ["http"]})
	settings := {"druidVersion": "26.0.0", "druid.auth.enableInputSourceSecurity": "true"}
	authz.decision == expected
		with input as request
		with data.grants as grants
		with data.grant_patterns as translated
		with data.settings as settings
}

test_source_without_type_support_is_500_not_403 if {
	expected := stopped(500, "unsupported_input_source", [said(
		"F1",
		"input source 'delta' does not support input source based security; Druid fails the query",
	)])
	request := submit("carl", {"type": "INSERT", "target": "wiki", "external": ["delta"]})
	authz.decision == expected with input as request with data.grants as grants with data.settings as security_on
}

test_unknown_input_source_is_400_invalid_sql if {
	expected := stopped(400, "invalid_sql", [said("R4", "unknown input source type 'ftp'")])
	request := submit("carl", {"type": "INSERT", "target": "wiki", "external": ["ftp"]})
	authz.decision == expected with input as request with data.grants as grants
}

test_table_function_without_extend_needs_external_external_even_with_security if {
	write := check("DATASOURCE", "wiki", "WRITE")
	external := check("EXTERNAL", "EXTERNAL", "READ")
	expected := allowed(
		202,
		[write, external],
		[hit(write, "ingester", "wiki.*"), hit(external, "ingester", "EXTERNAL")],
		[
			granted("R3", write, "ingester", "wiki.*"),
			concat("", [
				"R5 (Input-source table functions read external data): ",
				"READ on EXTERNAL 'EXTERNAL' granted to role 'ingester' by pattern 'EXTERNAL'",
			]),
		],
	)
	request := submit("bob", {"type": "INSERT", "target": "wiki", "tableFunctions": [{"name": "http"}]})
	authz.decision == expected
		with input as request
		with data.grants as grants
		with data.grant_patterns as translated
		with data.settings as security_on
}

test_one_check_required_by_two_rules_is_one_check_with_both_reasons if {
	external := check("EXTERNAL", "EXTERNAL", "READ")
	expected := forbidden(
		[external],
		[external],
		[],
		[lacks("R4", external, "user 'alice' (roles: analyst)"), lacks("R5", external, "user 'alice' (roles: analyst)")],
	)
	request := submit("alice", {
		"type": "SELECT",
		"external": ["http"],
		"tableFunctions": [{"name": "inline", "extend": true}],
	})
	authz.decision == expected with input as request with data.grants as grants
}

# --- F2: export -----------------------------------------------------------------------------------------------------

test_export_is_allowed_with_write_on_the_destination_and_read_on_the_source if {
	wiki := check("DATASOURCE", "wiki", "READ")
	s3 := check("EXTERNAL", "s3", "WRITE")
	expected := allowed(
		202,
		[wiki, s3],
		[hit(wiki, "analyst", "wiki.*"), hit(s3, "exporter", "s3")],
		[granted("F2", s3, "exporter", "s3"), granted("R2", wiki, "analyst", "wiki.*")],
	)
	request := submit("erin", {"type": "EXPORT", "exportDestination": "s3", "reads": [ds("wiki")]})
	authz.decision == expected
		with input as request
		with data.grants as grants
		with data.grant_patterns as translated
		with data.settings as druid("29.0.0")
}

test_export_to_another_destination_is_403 if {
	wiki := check("DATASOURCE", "wiki", "READ")
	google := check("EXTERNAL", "google", "WRITE")
	expected := forbidden(
		[wiki, google],
		[google],
		[hit(wiki, "analyst", "wiki.*")],
		[lacks("F2", google, "user 'erin' (roles: analyst, exporter)")],
	)
	request := submit("erin", {"type": "EXPORT", "exportDestination": "google", "reads": [ds("wiki")]})
	authz.decision == expected with input as request with data.grants as grants with data.grant_patterns as translated
}

test_export_before_druid_29_is_400 if {
	expected := stopped(400, "invalid_sql", [said(
		"F2",
		"Druid 28.0.0 cannot export: INSERT INTO EXTERN arrived in Druid 29",
	)])
	request := submit("erin", {"type": "EXPORT", "exportDestination": "s3", "reads": [ds("wiki")]})
	authz.decision == expected with input as request with data.grants as grants with data.settings as druid("28.0.0")
}

# --- F3: views, sys, INFORMATION_SCHEMA, lookups --------------------------------------------------------------------

not_for_msq := said("F3", "Cannot query table(s) [sys.segments] with SQL engine [msq-task]")

test_view_needs_read_on_the_view_only if {
	view := check("VIEW", "v_top", "READ")
	expected := allowed(202, [view], [hit(view, "views", "v_.*")], [granted("F3", view, "views", "v_.*")])
	request := select_from("vic", [{"type": "VIEW", "name": "v_top"}])
	authz.decision == expected with input as request with data.grants as grants with data.grant_patterns as translated
}

test_view_without_view_permission_is_403_whatever_the_datasource_grants if {
	view := check("VIEW", "wiki_view", "READ")
	expected := forbidden([view], [view], [], [lacks("F3", view, "user 'alice' (roles: analyst)")])
	request := select_from("alice", [{"type": "VIEW", "name": "wiki_view"}])
	authz.decision == expected with input as request with data.grants as grants
}

test_sys_table_is_rejected_by_msq_after_authorization if {
	expected := stopped(400, "invalid_sql", [not_for_msq])
	request := select_from("alice", [{"type": "SYSTEM_TABLE", "name": "segments"}])
	authz.decision == expected with input as request with data.grants as grants
}

test_sys_table_authorized_directly_is_403_before_the_planning_error if {
	segments := check("SYSTEM_TABLE", "segments", "READ")
	expected := forbidden([segments], [segments], [], [lacks("F3", segments, "user 'alice' (roles: analyst)")])
	request := select_from("alice", [{"type": "SYSTEM_TABLE", "name": "segments"}])
	authz.decision == expected with input as request with data.grants as grants with data.settings as system_tables_on
}

test_sys_table_authorized_directly_and_granted_still_fails_planning if {
	segments := check("SYSTEM_TABLE", "segments", "READ")
	expected := {
		"allow": false,
		"status": 400,
		"code": "invalid_sql",
		"required": [segments],
		"missing": [],
		"matched": [hit(segments, "views", "segments")],
		"reasons": [not_for_msq],
	}
	request := select_from("vic", [{"type": "SYSTEM_TABLE", "name": "segments"}])
	authz.decision == expected with input as request with data.grants as grants with data.settings as system_tables_on
}

test_information_schema_is_rejected_by_msq if {
	expected := stopped(400, "invalid_sql", [said(
		"F3",
		"Cannot query table(s) [INFORMATION_SCHEMA.TABLES] with SQL engine [msq-task]",
	)])
	request := select_from("nobody", [{"type": "INFORMATION_SCHEMA", "name": "TABLES"}])
	authz.decision == expected with input as request with data.grants as grants
}

test_lookup_needs_nothing_by_default if {
	wiki := check("DATASOURCE", "wiki", "READ")
	expected := allowed(
		202,
		[wiki],
		[hit(wiki, "analyst", "wiki.*")],
		[said("F3", "lookup 'country' needs no permission"), granted("R2", wiki, "analyst", "wiki.*")],
	)
	request := select_from("alice", [ds("wiki"), {"type": "LOOKUP", "name": "country"}])
	authz.decision == expected with input as request with data.grants as grants with data.grant_patterns as translated
}

test_lookup_authorized_directly_after_druid_35_needs_read_on_lookup if {
	wiki := check("DATASOURCE", "wiki", "READ")
	country := check("LOOKUP", "country", "READ")
	expected := forbidden(
		[wiki, country],
		[country],
		[hit(wiki, "analyst", "wiki.*")],
		[lacks("F3", country, "user 'alice' (roles: analyst)")],
	)
	request := select_from("alice", [ds("wiki"), {"type": "LOOKUP", "name": "country"}])
	settings := {"druidVersion": "36.0.0", "druid.sql.planner.authorizeLookupDirectly": true}
	authz.decision == expected
		with input as request
		with data.grants as grants
		with data.grant_patterns as translated
		with data.settings as settings
}

# --- F4: query context ----------------------------------------------------------------------------------------------

test_context_keys_are_not_checked_by_default if {
	wiki := check("DATASOURCE", "wiki", "READ")
	expected := allowed(202, [wiki], [hit(wiki, "analyst", "wiki.*")], [granted("R2", wiki, "analyst", "wiki.*")])
	request := object.union(select_from("alice", [ds("wiki")]), {"context": {"maxNumTasks": 3}})
	authz.decision == expected with input as request with data.grants as grants with data.grant_patterns as translated
}

test_each_context_and_set_key_needs_write_when_checked if {
	wiki := check("DATASOURCE", "wiki", "READ")
	finalize := check("QUERY_CONTEXT", "finalizeAggregations", "WRITE")
	tasks := check("QUERY_CONTEXT", "maxNumTasks", "WRITE")
	expected := forbidden(
		[wiki, finalize, tasks],
		[finalize],
		[hit(wiki, "analyst", "wiki.*"), hit(tasks, "tuner", "maxNumTasks")],
		[lacks("F4", finalize, "user 'tess' (roles: analyst, tuner)")],
	)
	request := {
		"identity": who("tess"),
		"operation": "sql.task.submit",
		"context": {"maxNumTasks": 3, "sqlQueryId": "q1"},
		"statement": {"type": "SELECT", "reads": [ds("wiki")], "set": {"finalizeAggregations": false}},
	}
	settings := {"druid.auth.authorizeQueryContextParams": "true"}
	authz.decision == expected
		with input as request
		with data.grants as grants
		with data.grant_patterns as translated
		with data.settings as settings
}

test_reserved_context_keys_are_400_before_authorization if {
	expected := stopped(400, "invalid_sql", [
		said("F4", "Query context parameter [__timeColumn] is reserved by Druid and cannot be set"),
		said("F4", "Query context parameter [sqlInsertSegmentGranularity] is reserved by Druid and cannot be set"),
	])
	request := {
		"identity": who("nobody"),
		"operation": "sql.task.submit",
		"context": {"sqlInsertSegmentGranularity": "DAY", "__timeColumn": "t"},
		"statement": {"type": "INSERT", "target": "wiki"},
	}
	authz.decision == expected with input as request with data.grants as grants
}

# --- R6: a query_controller task posted to the Overlord -------------------------------------------------------------

posted_note := said("R6", "the Overlord does not check what a posted task reads, only its destination")

post_task(user, statement) := {"identity": who(user), "operation": "task.submit", "statement": statement}

test_posted_task_needs_write_on_its_destination_only if {
	write := check("DATASOURCE", "wiki", "WRITE")
	reasons := [
		concat("", [
			"R6 (A query runs as a query_controller task under the Overlord's model): ",
			"WRITE on DATASOURCE 'wiki' granted to role 'killer' by pattern 'wiki'",
		]),
		posted_note,
	]
	expected := allowed(200, [write], [hit(write, "killer", "wiki")], reasons)
	request := post_task("kim", {"type": "INSERT", "target": "wiki", "reads": [ds("secret")], "external": ["http"]})
	authz.decision == expected with input as request with data.grants as grants
}

test_posted_select_task_needs_write_on_query_select if {
	select := check("DATASOURCE", "__query_select", "WRITE")
	expected := forbidden([select], [select], [], [lacks("R6", select, "user 'sam' (roles: select_tasks)")])
	request := post_task("sam", {"type": "SELECT", "reads": [ds("wiki")]})
	authz.decision == expected with input as request with data.grants as grants
}

test_posted_export_task_needs_write_on_its_external_destination if {
	s3 := check("EXTERNAL", "s3", "WRITE")
	expected := allowed(200, [s3], [hit(s3, "exporter", "s3")], [granted("R6", s3, "exporter", "s3"), posted_note])
	request := post_task("erin", {"type": "EXPORT", "exportDestination": "s3", "reads": [ds("secret")]})
	authz.decision == expected with input as request with data.grants as grants
}

# --- R7, R8, F5: Overlord task endpoints ----------------------------------------------------------------------------

ingest_task := {"id": "query-1", "datasource": "wiki", "user": "bob"}

select_task := {"id": "query-2", "datasource": "__query_select", "user": "bob"}

test_anyone_with_read_on_the_output_datasource_may_read_an_ingestion_task if {
	wiki := check("DATASOURCE", "wiki", "READ")
	expected := allowed(200, [wiki], [hit(wiki, "analyst", "wiki.*")], [concat("", [
		"R7 (Interacting with an INSERT or REPLACE task): ",
		"READ on DATASOURCE 'wiki' granted to role 'analyst' by pattern 'wiki.*'",
	])])
	authz.decision == expected
		with input as on_task("alice", "task.status", ingest_task)
		with data.grants as grants
		with data.grant_patterns as translated
}

test_reading_a_select_task_needs_read_on_query_select if {
	select := check("DATASOURCE", "__query_select", "READ")
	expected := allowed(
		200,
		[select],
		[hit(select, "select_tasks", "__query_select")],
		[granted("R8", select, "select_tasks", "__query_select")],
	)
	authz.decision == expected with input as on_task("sam", "task.reports", select_task) with data.grants as grants
}

test_reading_a_select_task_without_query_select_is_403 if {
	select := check("DATASOURCE", "__query_select", "READ")
	expected := forbidden([select], [select], [], [concat("", [
		"R8 (Interacting with a SELECT task): needs READ on DATASOURCE '__query_select'; ",
		"user 'alice' (roles: analyst) has no matching permission",
	])])
	authz.decision == expected with input as on_task("alice", "task.reports", select_task) with data.grants as grants
}

test_cancelling_a_task_needs_write_not_read if {
	write := check("DATASOURCE", "wiki", "WRITE")
	expected := forbidden([write], [write], [], [lacks("F5", write, "user 'alice' (roles: analyst)")])
	authz.decision == expected with input as on_task("alice", "task.cancel", ingest_task) with data.grants as grants
}

test_cancelling_a_task_with_write_on_its_datasource_is_allowed if {
	write := check("DATASOURCE", "wiki", "WRITE")
	expected := allowed(200, [write], [hit(write, "killer", "wiki")], [granted("F5", write, "killer", "wiki")])
	authz.decision == expected with input as on_task("kim", "task.cancel", ingest_task) with data.grants as grants
}

test_doc_literal_cancel_needs_read if {
	wiki := check("DATASOURCE", "wiki", "READ")
	expected := allowed(200, [wiki], [hit(wiki, "analyst", "wiki.*")], [granted("R7", wiki, "analyst", "wiki.*")])
	request := on_task("alice", "task.cancel", ingest_task)
	settings := {"msqAuthz.taskCancelRequires": "READ"}
	authz.decision == expected
		with input as request
		with data.grants as grants
		with data.grant_patterns as translated
		with data.settings as settings
}

test_unknown_task_is_404_before_any_check if {
	expected := stopped(404, "not_found", [said("F5", "Cannot find any task with id: [query-gone]")])
	authz.decision == expected with input as on_task("nobody", "task.log", {"id": "query-gone"}) with data.grants as grants
}

# --- F6: statements API ---------------------------------------------------------------------------------------------

bobs_query := {"id": "query-3", "datasource": "__query_select", "user": "bob", "status": "RUNNING"}

bob_owns := said("F6", "'bob' owns the query")

statements_submit(ctx) := {
	"identity": who("alice"),
	"operation": "sql.statements.submit",
	"context": ctx,
	"statement": {"type": "SELECT", "reads": [ds("wiki")]},
}

test_statements_submission_is_200_after_the_sql_checks if {
	wiki := check("DATASOURCE", "wiki", "READ")
	expected := allowed(200, [wiki], [hit(wiki, "analyst", "wiki.*")], [granted("R2", wiki, "analyst", "wiki.*")])
	authz.decision == expected
		with input as statements_submit({"executionMode": "ASYNC"})
		with data.grants as grants
		with data.grant_patterns as translated
}

test_statements_submission_needs_async_mode if {
	expected := stopped(400, "invalid_request", [said("F6", "the statements API runs only executionMode=ASYNC, not SYNC")])
	authz.decision == expected with input as statements_submit({"executionMode": "SYNC"}) with data.grants as grants
}

test_statements_api_is_404_before_druid_27 if {
	expected := stopped(404, "not_found", [said("F6", "Druid 26.0.0 has no statements API (it arrived in Druid 27)")])
	request := on_task("bob", "sql.statements.get", bobs_query)
	authz.decision == expected with input as request with data.grants as grants with data.settings as druid("26.0.0")
}

test_owner_may_read_their_query_without_any_grant if {
	expected := allowed(200, [], [], [bob_owns])
	authz.decision == expected with input as on_task("bob", "sql.statements.get", bobs_query) with data.grants as grants
}

test_owner_cancelling_a_running_query_is_202 if {
	expected := allowed(202, [], [], [bob_owns])
	authz.decision == expected with input as on_task("bob", "sql.statements.cancel", bobs_query) with data.grants as grants
}

test_cancelling_a_finished_query_is_200 if {
	request := on_task("bob", "sql.statements.cancel", object.union(bobs_query, {"status": "SUCCESS"}))
	authz.decision == allowed(200, [], [], [bob_owns]) with input as request with data.grants as grants
}

test_non_owner_without_state_is_403 if {
	state := check("STATE", "STATE", "READ")
	expected := forbidden([state], [state], [], [lacks("F6", state, "user 'sam' (roles: select_tasks)")])
	authz.decision == expected with input as on_task("sam", "sql.statements.get", bobs_query) with data.grants as grants
}

test_non_owner_with_state_read_may_read if {
	read := check("STATE", "STATE", "READ")
	expected := allowed(200, [read], [hit(read, "ops", "STATE")], [granted("F6", read, "ops", "STATE")])
	authz.decision == expected with input as on_task("olga", "sql.statements.get", bobs_query) with data.grants as grants
}

test_non_owner_with_state_read_may_not_cancel if {
	write := check("STATE", "STATE", "WRITE")
	expected := forbidden([write], [write], [], [lacks("F6", write, "user 'olga' (roles: ops)")])
	request := on_task("olga", "sql.statements.cancel", bobs_query)
	authz.decision == expected with input as request with data.grants as grants
}

test_non_owner_with_state_write_may_cancel if {
	write := check("STATE", "STATE", "WRITE")
	expected := allowed(202, [write], [hit(write, "killer", "STATE")], [granted("F6", write, "killer", "STATE")])
	authz.decision == expected with input as on_task("kim", "sql.statements.cancel", bobs_query) with data.grants as grants
}

test_non_owner_with_state_write_may_not_read_results if {
	read := check("STATE", "STATE", "READ")
	expected := forbidden([read], [read], [], [lacks("F6", read, "user 'kim' (roles: killer)")])
	request := on_task("kim", "sql.statements.results", object.union(bobs_query, {"status": "SUCCESS"}))
	authz.decision == expected with input as request with data.grants as grants
}

test_druid_27_lets_only_the_owner_use_a_query if {
	expected := forbidden([], [], [], [said("F6", "Druid 27.0.0 lets only the query's owner 'bob' use it")])
	request := on_task("olga", "sql.statements.get", bobs_query)
	authz.decision == expected with input as request with data.grants as grants with data.settings as druid("27.0.0")
}

test_unknown_query_is_404 if {
	expected := stopped(404, "not_found", [said("F6", "Query [query-gone] was not found")])
	request := on_task("olga", "sql.statements.get", {"id": "query-gone"})
	authz.decision == expected with input as request with data.grants as grants
}

test_unknown_query_in_druid_27_is_the_overlord_error_as_500 if {
	expected := stopped(500, "not_found", [said("F6", "Query [query-gone] was not found")])
	request := on_task("olga", "sql.statements.get", {"id": "query-gone"})
	authz.decision == expected with input as request with data.grants as grants with data.settings as druid("27.0.0")
}

test_results_of_a_running_query_are_400_after_authorization if {
	expected := stopped(400, "invalid_request", [said(
		"F6",
		"results are available once the query succeeds; it is RUNNING",
	)])
	request := on_task("bob", "sql.statements.results", bobs_query)
	authz.decision == expected with input as request with data.grants as grants
}

test_missing_state_permission_comes_before_results_not_ready if {
	read := check("STATE", "STATE", "READ")
	expected := forbidden([read], [read], [], [lacks("F6", read, "user 'alice' (roles: analyst)")])
	request := on_task("alice", "sql.statements.results", bobs_query)
	authz.decision == expected with input as request with data.grants as grants
}

# --- F7: task lists and bulk status ---------------------------------------------------------------------------------

listed_tasks := [
	{"id": "q1", "datasource": "wiki"},
	{"id": "q2", "datasource": "secret"},
	{"id": "q3", "datasource": "logs"},
	{"id": "q4", "datasource": "wikipedia"},
	{"id": "q5", "datasource": "logs_old"},
]

filtered_note := said("F7", "the task list is filtered to datasources the caller can READ")

task_list(user) := {"identity": who(user), "operation": "tasks.list", "tasks": listed_tasks}

with_filter(decision, patterns, task_ids) := object.union(decision, {"filter": {
	"type": "DATASOURCE",
	"action": "READ",
	"patterns": patterns,
	"taskIds": task_ids,
}})

test_task_list_is_filtered_to_readable_datasources if {
	expected := with_filter(allowed(200, [], [], [filtered_note]), ["logs", "wiki.*"], ["q1", "q3", "q4"])
	authz.decision == expected with input as task_list("alice") with data.grants as grants
		with data.grant_patterns as translated
}

test_task_list_filter_uses_full_match if {
	expected := with_filter(allowed(200, [], [], [filtered_note]), ["wiki"], ["q1"])
	authz.decision == expected with input as task_list("wes") with data.grants as grants
}

test_task_list_without_tasks_returns_the_filter_only if {
	expected := object.union(allowed(200, [], [], [filtered_note]), {"filter": {
		"type": "DATASOURCE",
		"action": "READ",
		"patterns": [],
	}})
	request := {"identity": who("nobody"), "operation": "tasks.list"}
	authz.decision == expected with input as request with data.grants as grants
}

test_task_list_for_one_datasource_needs_read_on_it if {
	secret := check("DATASOURCE", "secret", "READ")
	expected := forbidden([secret], [secret], [], [lacks("F7", secret, "user 'alice' (roles: analyst)")])
	request := {"identity": who("alice"), "operation": "tasks.list", "datasource": "secret"}
	authz.decision == expected with input as request with data.grants as grants
}

test_task_list_for_a_readable_datasource_is_allowed_and_filtered if {
	wiki := check("DATASOURCE", "wiki", "READ")
	expected := object.union(
		allowed(200, [wiki], [hit(wiki, "analyst", "wiki.*")], [granted("F7", wiki, "analyst", "wiki.*"), filtered_note]),
		{"filter": {"type": "DATASOURCE", "action": "READ", "patterns": ["logs", "wiki.*"]}},
	)
	request := {"identity": who("alice"), "operation": "tasks.list", "datasource": "wiki"}
	authz.decision == expected with input as request with data.grants as grants with data.grant_patterns as translated
}

test_bulk_task_status_needs_write_on_state if {
	write := check("STATE", "STATE", "WRITE")
	expected := forbidden([write], [write], [], [concat("", [
		"F7 (Task lists are filtered, bulk status needs STATE): needs WRITE on STATE 'STATE'; ",
		"user 'olga' (roles: ops) has no matching permission",
	])])
	request := {"identity": who("olga"), "operation": "tasks.status.bulk"}
	authz.decision == expected with input as request with data.grants as grants
}

test_bulk_task_status_with_write_on_state_is_allowed if {
	write := check("STATE", "STATE", "WRITE")
	expected := allowed(200, [write], [hit(write, "killer", "STATE")], [granted("F7", write, "killer", "STATE")])
	request := {"identity": who("kim"), "operation": "tasks.status.bulk"}
	authz.decision == expected with input as request with data.grants as grants
}

# --- the decision is total ----------------------------------------------------------------------------------------

# Stands in for a broken build: its result is undefined for every evidence.
no_build(s, c, evidence) := [s, c, evidence.no_such_field][2]

test_no_decision_is_an_engine_error_never_an_allow if {
	request := select_from("alice", [ds("wiki")])
	expected := stopped(500, "engine_error", [engine_error])
	authz.decision == expected with input as request with data.grants as grants with authz.build as no_build
}

# --- required: what another engine must match --------------------------------------------------------------------

test_required_lists_deduplicated_checks_in_order if {
	expected := {
		"user": "bob",
		"checks": [
			check("DATASOURCE", "wiki", "READ"),
			check("DATASOURCE", "wiki", "WRITE"),
			check("EXTERNAL", "EXTERNAL", "READ"),
		],
		"listings": [],
	}
	request := submit("bob", {
		"type": "REPLACE",
		"target": "wiki",
		"reads": [ds("wiki"), ds("wiki")],
		"external": ["http", "s3"],
	})
	authz.required == expected with input as request
}

test_required_is_empty_when_druid_stops_the_request_first if {
	request := submit("alice", {"type": "INSERT", "target": "wiki", "external": ["delta"]})
	expected := {"user": "alice", "checks": [], "listings": []}
	authz.required == expected with input as request with data.settings as security_on
}

test_required_of_a_task_list_names_its_listing if {
	expected := {
		"user": "alice",
		"checks": [check("DATASOURCE", "wiki", "READ")],
		"listings": [{"type": "DATASOURCE", "action": "READ"}],
	}
	authz.required == expected with input as {"identity": who("alice"), "operation": "tasks.list", "datasource": "wiki"}
}

# --- finalize: another engine's evidence --------------------------------------------------------------------------

bob_insert := submit("bob", {"type": "INSERT", "target": "wiki", "external": ["http"]})

wiki_write := check("DATASOURCE", "wiki", "WRITE")

external_read := check("EXTERNAL", "EXTERNAL", "READ")

# A check as another engine reports it: with the (role, pattern) that matched it, or null.
evidence_check(c, role, pattern) := object.union(c, {"match": {"role": role, "pattern": pattern}})

no_match(c) := object.union(c, {"match": null})

test_finalize_allows_when_the_evidence_matches_every_check if {
	expected := allowed(
		202,
		[wiki_write, external_read],
		[hit(wiki_write, "writers", "wiki"), hit(external_read, "readers", "EXT.*")],
		[granted("R3", wiki_write, "writers", "wiki"), granted("R4", external_read, "readers", "EXT.*")],
	)
	evidence := {
		"roles": ["writers", "readers"],
		"checks": [evidence_check(wiki_write, "writers", "wiki"), evidence_check(external_read, "readers", "EXT.*")],
		"listings": [],
	}
	authz.finalize == expected with input as {"request": bob_insert, "evidence": evidence}
}

test_finalize_treats_checks_absent_from_the_evidence_as_missing if {
	expected := forbidden(
		[wiki_write, external_read],
		[external_read],
		[hit(wiki_write, "writers", "wiki")],
		[lacks("R4", external_read, "user 'bob' (roles: readers, writers)")],
	)
	evidence := {
		"roles": ["writers", "readers"],
		"checks": [evidence_check(wiki_write, "writers", "wiki")],
		"listings": [],
	}
	authz.finalize == expected with input as {"request": bob_insert, "evidence": evidence}
}

test_finalize_treats_a_null_match_as_missing if {
	expected := forbidden(
		[wiki_write, external_read],
		[wiki_write, external_read],
		[],
		[lacks("R3", wiki_write, "user 'bob' (no roles)"), lacks("R4", external_read, "user 'bob' (no roles)")],
	)
	evidence := {"roles": [], "checks": [no_match(wiki_write), no_match(external_read)], "listings": []}
	authz.finalize == expected with input as {"request": bob_insert, "evidence": evidence}
}

test_finalize_ignores_evidence_for_checks_that_are_not_required if {
	expected := forbidden(
		[wiki_write, external_read],
		[wiki_write, external_read],
		[],
		[lacks("R3", wiki_write, "user 'bob' (roles: admin)"), lacks("R4", external_read, "user 'bob' (roles: admin)")],
	)
	evidence := {
		"roles": ["admin"],
		"checks": [
			evidence_check(check("DATASOURCE", "wikipedia", "WRITE"), "admin", ".*"),
			evidence_check(check("EXTERNAL", "EXTERNAL", "WRITE"), "admin", ".*"),
		],
		"listings": [],
	}
	authz.finalize == expected with input as {"request": bob_insert, "evidence": evidence}
}

test_finalize_with_empty_evidence_fails_closed if {
	expected := forbidden(
		[wiki_write, external_read],
		[wiki_write, external_read],
		[],
		[lacks("R3", wiki_write, "user 'bob' (no roles)"), lacks("R4", external_read, "user 'bob' (no roles)")],
	)
	authz.finalize == expected with input as {"request": bob_insert, "evidence": {}}
}

test_finalize_without_evidence_is_an_engine_error if {
	authz.finalize == stopped(500, "engine_error", [engine_error]) with input as {"request": bob_insert}
}

test_finalize_stops_a_blocked_request_whatever_the_evidence if {
	expected := stopped(401, "unauthenticated", [said("R1", "the request carries no authenticated identity")])
	request := {"identity": anonymous, "operation": "task.status", "task": ingest_task}
	evidence := {"roles": ["admin"], "checks": [evidence_check(check("DATASOURCE", "wiki", "READ"), "admin", ".*")]}
	authz.finalize == expected with input as {"request": request, "evidence": evidence}
}

test_finalize_filters_a_task_list_with_the_evidence_listings if {
	expected := with_filter(allowed(200, [], [], [filtered_note]), ["logs_.*", "secret"], ["q2", "q5"])
	evidence := {
		"roles": ["auditor"], "checks": [], "listings": [
			{"type": "DATASOURCE", "action": "READ", "patterns": ["secret", "logs_.*"]},
			{"type": "DATASOURCE", "action": "WRITE", "patterns": ["wiki"]},
		],
		"translations": {"logs_.*": translated["logs_.*"]},
	}
	authz.finalize == expected with input as {"request": task_list("alice"), "evidence": evidence}
}

# The decision point matches the tasks' datasources itself (each pattern compiled once) and says which in `matching`.
test_finalize_shows_the_tasks_of_the_datasources_the_evidence_says_match if {
	expected := with_filter(allowed(200, [], [], [filtered_note]), ["logs_.*", "secret"], ["q2", "q5"])
	evidence := {"roles": ["auditor"], "checks": [], "listings": [
		{"type": "DATASOURCE", "action": "READ", "patterns": ["secret", "logs_.*"], "matching": ["logs_old", "secret"]},
	]}
	authz.finalize == expected with input as {"request": task_list("alice"), "evidence": evidence}
}

test_visible_tasks_takes_the_listings_matching_over_the_patterns if {
	reads := [{"type": "DATASOURCE", "action": "READ", "patterns": ["wiki"], "matching": ["Q"]}]
	authz.visible_tasks(many_tasks, ["wiki"], reads, {}) == {"taskIds": ["t7"]}
	partly := array.concat(reads, [{"type": "DATASOURCE", "action": "READ", "patterns": ["wiki"]}])
	authz.visible_tasks(many_tasks, ["wiki"], partly, {}) == {"taskIds": ["t1", "t2"]}
}

test_finalize_matches_an_untranslated_listing_pattern_only_as_its_literal_name if {
	expected := with_filter(allowed(200, [], [], [filtered_note]), ["logs_.*", "secret"], ["q2"])
	evidence := {"roles": ["auditor"], "checks": [], "listings": [
		{"type": "DATASOURCE", "action": "READ", "patterns": ["secret", "logs_.*"]},
	]}
	authz.finalize == expected with input as {"request": task_list("alice"), "evidence": evidence}
}

test_finalize_agrees_with_decision_on_the_grants_evidence if {
	request := submit("erin", {"type": "EXPORT", "exportDestination": "s3", "reads": [ds("wiki")]})
	evidence := authz.grants_evidence with input as request with data.grants as grants
	expected := authz.decision with input as request with data.grants as grants
	authz.finalize == expected with input as {"request": request, "evidence": evidence}
}

# --- when several checks fail, the one Druid runs first answers ---------------------------------------------------

test_a_reserved_context_key_is_refused_before_an_unsupported_input_source if {
	request := object.union(
		submit("bob", {"type": "INSERT", "target": "wiki", "external": ["delta"]}),
		{"context": {"isReindex": true}},
	)
	reason := said("F4", "Query context parameter [isReindex] is reserved by Druid and cannot be set")
	expected := stopped(400, "invalid_sql", [reason])
	authz.decision == expected with input as request with data.grants as grants with data.settings as security_on
}

test_export_on_druid_28_is_a_parse_error_before_input_source_checks if {
	statement := {"type": "EXPORT", "exportDestination": "s3", "external": ["delta"]}
	reason := said("F2", "Druid 28.0.0 cannot export: INSERT INTO EXTERN arrived in Druid 29")
	expected := stopped(400, "invalid_sql", [reason])
	authz.decision == expected
		with input as submit("bob", statement)
		with data.grants as grants
		with data.settings as object.union(druid("28.0.0"), security_on)
}

test_the_statements_api_checks_its_context_before_the_sql_engine if {
	expected := stopped(400, "invalid_request", [said("F6", "the statements API runs only executionMode=ASYNC, not ")])
	authz.decision == expected with input as statements_submit({"__timeColumn": "t"}) with data.grants as grants
}

# --- interactive SQL (POST /druid/v2/sql, native engine) -------------------------------------------------------------

interactive(user, statement) := {"identity": who(user), "operation": "sql.query", "statement": statement}

test_interactive_select_needs_read_and_answers_200 if {
	wiki := check("DATASOURCE", "wiki", "READ")
	expected := allowed(200, [wiki], [hit(wiki, "analyst", "wiki.*")], [granted("R2", wiki, "analyst", "wiki.*")])
	authz.decision == expected with input as interactive("alice", {"type": "SELECT", "reads": [ds("wiki")]})
		with data.grants as grants with data.grant_patterns as translated
}

test_interactive_sql_needs_no_msq_extension_and_may_read_sys if {
	statement := {"type": "SELECT", "reads": [{"type": "SYSTEM_TABLE", "name": "segments"}]}
	expected := allowed(200, [], [], [said("F3", "sys.segments needs no permission; Druid filters its rows")])
	authz.decision == expected with input as interactive("alice", statement) with data.grants as grants
		with data.settings as no_msq
}

test_interactive_sql_cannot_insert_export_or_read_external_data if {
	insert := {"type": "INSERT", "target": "wiki", "reads": [ds("wiki")]}
	authz.decision == stopped(400, "invalid_sql", [said(
		"R3",
		"Cannot execute [INSERT] with SQL engine [native]: use /druid/v2/sql/task or /druid/v2/sql/statements",
	)]) with input as interactive("admin", insert) with data.grants as grants
	export := {"type": "EXPORT", "exportDestination": "s3"}
	authz.decision == stopped(400, "invalid_sql", [said(
		"F2",
		"Cannot execute [EXPORT] with SQL engine [native]: use /druid/v2/sql/task or /druid/v2/sql/statements",
	)]) with input as interactive("admin", export) with data.grants as grants
	extern := {"type": "SELECT", "external": ["http"]}
	authz.decision == stopped(400, "invalid_sql", [said(
		"R4",
		"Cannot read external data with SQL engine [native]: use /druid/v2/sql/task or /druid/v2/sql/statements",
	)]) with input as interactive("admin", extern) with data.grants as grants
}

test_an_allowed_export_carries_the_warning_that_its_task_will_fail if {
	statement := {"type": "EXPORT", "exportDestination": "s3", "exportProperties": {"bucket": "b", "prefix": "p"}}
	s3_write := check("EXTERNAL", "s3", "WRITE")
	warning := said("F9", concat("", [
		"s3://b/p is not under druid.export.storage.s3.allowedExportPaths []: ",
		"Druid accepts the query and the task fails",
	]))
	expected := object.union(
		allowed(202, [s3_write], [hit(s3_write, "exporter", "s3")], [granted("F2", s3_write, "exporter", "s3")]),
		{"warnings": [warning]},
	)
	authz.decision == expected with input as submit("erin", statement) with data.grants as grants
}

# Each distinct datasource is matched once: literal patterns by lookup, the rest by their alternation, or one by
# one when the alternation does not compile. Every path gives what full_match gives pattern by pattern.
many_tasks := [
	{"id": "t1", "datasource": "wiki"},
	{"id": "t2", "datasource": "wiki"},
	{"id": "t3", "datasource": "logs_2"},
	{"id": "t4", "datasource": "logs_x"},
	{"id": "t5", "datasource": "a|b"},
	{"id": "t6", "datasource": "wikipedia"},
	{"id": "t7", "datasource": "Q"},
]

test_visible_tasks_literals_and_regexes if {
	visible := authz.visible_tasks(many_tasks, ["wiki", "logs_[0-9]", "a|b"], [], translated)
	visible == {"taskIds": ["t1", "t2", "t3"]}
}

test_visible_tasks_only_literals if {
	visible := authz.visible_tasks(many_tasks, ["wiki", "Q"], [], {})
	visible == {"taskIds": ["t1", "t2", "t7"]}
}

test_visible_tasks_without_patterns if {
	visible := authz.visible_tasks(many_tasks, [], [], translated)
	visible == {"taskIds": []}
}

# --- F8: the caller's LDAP groups (identity.groups) -----------------------------------------------------------------

with_groups := object.union(grants, {"groupMappings": {
	"etl": {"groupPattern": "*,ou=etl,ou=groups,dc=example,dc=com", "roles": ["ingester"]},
	"readers": {"groupPattern": "cn=readers,*", "roles": ["analyst"]},
}})

member_of(request, groups) := object.union(request, {"identity": {"groups": groups}})

group_reason(user, value, reason) := sprintf(
	"F8 (Roles from LDAP groups): user '%s': Druid's LDAP role provider fails on %s (%s), so every permission check fails",
	[user, json.marshal(value), reason],
)

test_the_callers_groups_add_the_roles_they_map_to if {
	groups := ["cn=nightly,ou=ETL,ou=groups,dc=example,dc=com"]
	request := member_of(submit("nobody", {"type": "INSERT", "target": "wiki"}), groups)
	expected := allowed(
		202,
		[wiki_write],
		[hit(wiki_write, "ingester", "wiki.*")],
		[granted("R3", wiki_write, "ingester", "wiki.*")],
	)
	authz.decision == expected with input as request with data.grants as with_groups with data.grant_patterns as translated
}

test_the_users_own_roles_and_its_groups_roles_count_together if {
	request := member_of(
		submit("alice", {"type": "INSERT", "target": "wiki", "reads": [ds("logs")]}),
		["cn=nightly,ou=etl,ou=groups,dc=example,dc=com"],
	)
	logs_read := check("DATASOURCE", "logs", "READ")
	expected := allowed(
		202,
		[logs_read, wiki_write],
		[hit(logs_read, "analyst", "logs"), hit(wiki_write, "ingester", "wiki.*")],
		[granted("R2", logs_read, "analyst", "logs"), granted("R3", wiki_write, "ingester", "wiki.*")],
	)
	authz.decision == expected with input as request with data.grants as with_groups with data.grant_patterns as translated
}

test_a_group_that_maps_to_nothing_adds_nothing if {
	request := member_of(submit("nobody", {"type": "INSERT", "target": "wiki"}), ["cn=nightly,ou=sales,dc=example,dc=com"])
	expected := forbidden([wiki_write], [wiki_write], [], [lacks("R3", wiki_write, "user 'nobody' (no roles)")])
	authz.decision == expected with input as request with data.grants as with_groups with data.grant_patterns as translated
}

test_groups_druid_cannot_read_deny_every_check_and_say_why if {
	request := member_of(submit("alice", {"type": "SELECT", "reads": [ds("logs")]}), ["cn=readers,dc=x", "cn=x,dc=#zz"])
	logs_read := check("DATASOURCE", "logs", "READ")
	expected := forbidden([logs_read], [logs_read], [], [
		group_reason("alice", "cn=x,dc=#zz", "a #hex value that is not hex pairs"),
		lacks("R2", logs_read, "user 'alice' (no roles)"),
	])
	authz.decision == expected with input as request with data.grants as with_groups
}

test_unreadable_groups_do_not_matter_where_nothing_is_checked if {
	request := member_of({"identity": who("alice"), "operation": "sql.task.enabled"}, ["cn=x,dc=#zz"])
	expected := allowed(200, [], [], [said("R1", "any authenticated user may use MSQ itself")])
	authz.decision == expected with input as request with data.grants as with_groups
}

test_unreadable_groups_void_another_engines_matches if {
	request := member_of(bob_insert, ["cn=x,dc=#zz"])
	evidence := {
		"roles": ["writers", "readers"],
		"checks": [evidence_check(wiki_write, "writers", "wiki"), evidence_check(external_read, "readers", "EXT.*")],
		"listings": [],
	}
	expected := forbidden([wiki_write, external_read], [wiki_write, external_read], [], [
		group_reason("bob", "cn=x,dc=#zz", "a #hex value that is not hex pairs"),
		lacks("R3", wiki_write, "user 'bob' (no roles)"),
		lacks("R4", external_read, "user 'bob' (no roles)"),
	])
	authz.build(authz.shape, authz.caller, evidence) == expected with input as request with data.grants as with_groups
}

test_finalize_refuses_groups_its_grant_store_cannot_map if {
	detail := concat(" ", [
		"identity.groups needs the grants the policy holds (engine wasm):",
		"a grant matcher's store maps users to roles, not LDAP groups",
	])
	evidence := {"roles": ["writers"], "checks": [evidence_check(wiki_write, "writers", "wiki")], "listings": []}
	request := member_of(bob_insert, ["cn=readers,dc=x"])
	authz.finalize == stopped(400, "invalid_request", [said("INPUT", detail)])
		with input as {"request": request, "evidence": evidence}
	no_groups := member_of(bob_insert, [])
	expected := authz.decision with input as no_groups with data.grants as grants
	ours := authz.grants_evidence with input as no_groups with data.grants as grants
	authz.finalize == expected with input as {"request": no_groups, "evidence": ours}
}

# --- shape and caller: the rules run once, and finalize assembles ------------------------------------------------

# The request as a host evaluates its shape: no groups, and the user's name blanked; and again with the name, where
# the shape says it varies with it.
blank_caller(request) := object.union(request, {"identity": object.union(
	object.remove(request.identity, ["groups"]),
	{"user": ""},
)})

named_caller(request) := object.union(request, {"identity": object.remove(request.identity, ["groups"])})

host_shape(blank, _) := blank if blank.vary == []

host_shape(blank, named) := named if blank.vary == ["user"]

# Staged as the decision point stages it: the shape, the caller from the identity alone, then finalize.
test_finalize_with_shape_and_caller_decides_as_decision if {
	owned := {"id": "q1", "datasource": "wiki", "user": "alice", "type": "query_controller", "status": "RUNNING"}
	every pair in [
		[submit("erin", {"type": "EXPORT", "exportDestination": "s3", "reads": [ds("wiki")]}), grants],
		[bob_insert, grants],
		[select_from("alice", [ds("wiki"), ds("secret")]), grants],
		[task_list("alice"), grants],
		[{"identity": anonymous, "operation": "sql.task.submit"}, grants],
		[{"identity": who("alice"), "operation": "sql.statements.cancel", "task": owned}, grants],
		[{"identity": who("bob"), "operation": "sql.statements.cancel", "task": owned}, grants],
		[member_of(bob_insert, ["cn=readers,dc=x"]), with_groups],
		[member_of(bob_insert, ["cn=x,dc=#zz"]), with_groups],
	] {
		[request, grant_set] := pair
		blank := authz.shape with input as blank_caller(request) with data.grants as grant_set
		named := authz.shape with input as named_caller(request) with data.grants as grant_set
		c := authz.caller with input as {"identity": request.identity} with data.grants as grant_set
		e := authz.grants_evidence with input as request with data.grants as grant_set
		decided := authz.finalize with input as {"shape": host_shape(blank, named), "caller": c, "evidence": e}
		decided == authz.decision with input as request with data.grants as grant_set
	}
}

test_the_caller_carries_group_roles if {
	request := member_of(bob_insert, ["cn=readers,dc=x"])
	caller := authz.caller with input as {"identity": request.identity} with data.grants as with_groups
	caller.roles == ["analyst", "ingester"]
}

test_the_caller_names_the_roles_of_the_policys_own_grants if {
	authz.caller.roles == ["analyst"] with input as {"identity": who("alice")} with data.grants as grants
}

# Groups over the bound are refused without being read: every one of them here would be unreadable.
test_the_caller_reads_no_group_it_refuses if {
	unreadable := [sprintf("cn=g%d,dc=#zz", [i]) | some i in numbers.range(1, 51)]
	caller := authz.caller with input as {"identity": object.union(who("alice"), {"groups": unreadable})}
		with data.grants as with_groups
	caller.unreadable == []
	caller.roles == []
	caller.blockers[0][1] == said("INPUT", "identity.groups names more than 50 groups")
}

test_the_caller_refuses_groups_that_are_not_dn_strings if {
	caller := authz.caller with input as {"identity": object.union(who("alice"), {"groups": [7]})}
	caller.blockers[0][1] == said("INPUT", "identity.groups must be an array of group DN strings")
	authz.decision.code == "invalid_request" with input as member_of(bob_insert, [7])
}

# Only a statement's owner is read from the caller's name, and only there does the shape say it varies.
test_the_shape_varies_with_the_user_only_for_a_statements_owner if {
	owned := {"id": "q1", "datasource": "wiki", "user": "alice", "type": "query_controller", "status": "RUNNING"}
	cancel := {"identity": who("alice"), "operation": "sql.statements.cancel", "task": owned}
	authz.shape.vary == ["user"] with input as cancel
	authz.shape.vary == [] with input as bob_insert
	authz.shape.vary == [] with input as select_from("alice", [ds("wiki")])
}
