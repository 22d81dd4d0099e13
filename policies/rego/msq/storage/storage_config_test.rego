package msq.storage_test

import data.msq.storage

# Settings, export paths, storage types the preflight lists instead of evaluating, and settings or input it cannot use.
# Fixtures and helpers are in storage_test.rego (the same package).

# --- settings --------------------------------------------------------------------------------------------------------

test_durable_storage_off_needs_nothing if {
	off := [{}, {"druid.msq.intermediate.storage.enable": "false"}, {"druid.msq.intermediate.storage.type": "s3"}]
	every settings in off {
		preflight_of(settings, [overly_broad]) == {
			"ok": true,
			"checks": [],
			"missing": [],
			"excess": [],
			"leastPrivilegePolicy": {"Version": "2012-10-17", "Statement": []},
			"checklists": no_policy,
			"reasons": [no_export_note, durable_off_note],
		}
	}
}

test_switches_may_be_booleans_or_strings_in_any_case if {
	settings := object.union(durable_settings, {
		"druid.msq.intermediate.storage.enable": true,
		"druid.msq.intermediate.storage.cleaner.enabled": "TRUE",
	})
	count(preflight_of(settings, [least_privilege]).checks) == 9
}

test_cleaner_off_means_no_overlord_checks if {
	settings := object.union(durable_settings, {"druid.msq.intermediate.storage.cleaner.enabled": "false"})
	result := preflight_of(settings, [least_privilege])
	[c.process | some c in result.checks] == ["indexer", "indexer", "indexer", "indexer", "indexer", "broker", "broker"]
	result.reasons[8] == concat("", [
		f9, "the durable storage cleaner is off (druid.msq.intermediate.storage.cleaner.enabled): ",
		"the Overlord needs no access to durable storage",
	])
}

test_processes_narrow_the_checks if {
	result := storage.preflight with input as {
		"settings": durable_settings,
		"processes": ["broker"],
		"policies": [least_privilege],
	}
	result.checks == [
		durable_check("broker", "s3:GetObject", "allowed", ["DruidObjects1"]),
		durable_check("broker", "s3:ListBucket", "allowed", ["DruidListBucket1"]),
	]
	result.leastPrivilegePolicy.Statement == [
		{
			"Sid": "DruidObjects1",
			"Effect": "Allow",
			"Action": ["s3:GetObject"],
			"Resource": ["arn:aws:s3:::acme-druid-msq/durable/msq/*"],
		},
		least_privilege.Statement[1],
	]

	# The durable storage policy gives the Broker more than it reads.
	result.excess == [
	{
		"statement": "DruidObjects1",
		"action": action,
		"resource": "arn:aws:s3:::acme-druid-msq/durable/msq/*",
		"reason": sprintf("grants actions no checked Druid process calls: %s", [action]),
	} |
		some action in ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:PutObject"]
	]
}

test_processes_the_settings_do_not_involve_get_no_checks if {
	result := preflight_for({"settings": export_settings, "processes": ["broker", "overlord"]})
	result.checks == []
	result.ok == true
}

test_an_empty_prefix_is_the_whole_bucket if {
	settings := object.union(durable_settings, {"druid.msq.intermediate.storage.prefix": ""})
	result := preflight_of(settings, [])
	result.checks[0].resource == "arn:aws:s3:::acme-druid-msq/*"
	result.checks[4] == check(
		"indexer",
		concat("", [
			"durable storage s3://acme-druid-msq/: ",
			"controller and workers list what they remove (deleteRecursively iterates listObjectsV2)",
		]),
		"s3:ListBucket", "acme-druid-msq", "", "implicit_deny", [],
	)
	result.leastPrivilegePolicy.Statement == [
		{
			"Sid": "DruidObjects1",
			"Effect": "Allow",
			"Action": ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
			"Resource": ["arn:aws:s3:::acme-druid-msq/*"],
		},
		{"Sid": "DruidListBucket1", "Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [
			"arn:aws:s3:::acme-druid-msq",
		]},
	]
	preflight_of(settings, [result.leastPrivilegePolicy]).ok == true
	preflight_of(settings, [result.leastPrivilegePolicy]).excess == []
}

test_slashes_around_the_prefix_are_not_part_of_it if {
	settings := object.union(durable_settings, {"druid.msq.intermediate.storage.prefix": "/durable/msq/"})
	preflight_of(settings, [least_privilege]).checks == preflight_of(durable_settings, [least_privilege]).checks
}

# --- export ----------------------------------------------------------------------------------------------------------

test_export_paths_need_write_read_and_list if {
	checks := array.concat(
		[export_check("acme-exports", "druid/", a, "allowed", [statement]) |
			some a in export_order
			statement := object.get({"s3:ListBucket": "ExportEmptinessCheck"}, a, "ExportWrites")
		],
		[export_check("acme-reports", "", a, "allowed", [statement]) |
			some a in export_order
			statement := object.get({"s3:ListBucket": "ReportsBucketListing"}, a, "ExportWrites")
		],
	)
	preflight_of(export_settings, [export_policy]) == {
		"ok": true,
		"checks": checks,
		"missing": [],
		"excess": [],
		"leastPrivilegePolicy": {"Version": "2012-10-17", "Statement": [
			{
				"Sid": "DruidObjects1",
				"Effect": "Allow",
				"Action": ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
				"Resource": ["arn:aws:s3:::acme-exports/druid/*", "arn:aws:s3:::acme-reports/*"],
			},
			{
				"Sid": "DruidListBucket1",
				"Effect": "Allow",
				"Action": ["s3:ListBucket"],
				"Resource": ["arn:aws:s3:::acme-exports"],
				"Condition": {"StringLike": {"s3:prefix": ["druid/*"]}},
			},
			{
				"Sid": "DruidListBucket2",
				"Effect": "Allow",
				"Action": ["s3:ListBucket"],
				"Resource": ["arn:aws:s3:::acme-reports"],
			},
		]},
		"checklists": no_policy,
		"reasons": array.concat([allowed_by(c) | some c in checks], [durable_off_note]),
	}
}

test_export_without_listbucket_fails_the_emptiness_check if {
	writes_only := {"Version": "2012-10-17", "Statement": [export_policy.Statement[0]]}
	result := preflight_of(export_settings, [writes_only])
	result.missing == [
		export_check("acme-exports", "druid/", "s3:ListBucket", "implicit_deny", []),
		export_check("acme-reports", "", "s3:ListBucket", "implicit_deny", []),
	]
}

test_export_paths_may_be_properties_text if {
	settings := {"druid.export.storage.s3.allowedExportPaths": "[\"s3://acme-reports/\", \"s3://acme-exports/druid\"]"}
	preflight_of(settings, [export_policy]).checks == preflight_of(export_settings, [export_policy]).checks
}

test_export_paths_that_are_not_s3_uris_are_problems if {
	settings := {"druid.export.storage.s3.allowedExportPaths": [
		"s3://acme-reports/", "gs://acme-gcs/exports/", "s3://",
		7,
	]}
	result := preflight_of(settings, [export_policy])
	result.ok == false
	[c.resource | some c in result.checks] == [
		"arn:aws:s3:::acme-reports/*", "arn:aws:s3:::acme-reports/*", "arn:aws:s3:::acme-reports/*",
		"arn:aws:s3:::acme-reports",
	]
	array.slice(result.reasons, 0, 3) == [
		concat("", [f9, "druid.export.storage.s3.allowedExportPaths entry 7 is not an s3://bucket/prefix URI"]),
		concat("", [
			f9,
			"druid.export.storage.s3.allowedExportPaths entry gs://acme-gcs/exports/ is not an s3://bucket/prefix URI",
		]),
		concat("", [f9, "druid.export.storage.s3.allowedExportPaths entry s3:// is not an s3://bucket/prefix URI"]),
	]
}

test_export_paths_that_are_not_a_json_array_are_a_problem if {
	result := preflight_of({"druid.export.storage.s3.allowedExportPaths": "s3://acme-reports/"}, [])
	result.ok == false
	result.checks == []
	result.reasons[0] == concat("", [
		f9,
		"druid.export.storage.s3.allowedExportPaths is not a JSON array of s3:// URIs",
	])
}

test_durable_storage_and_export_share_a_bucket if {
	settings := object.union(durable_settings, {"druid.export.storage.s3.allowedExportPaths": [
		"s3://acme-druid-msq/exports/",
	]})
	result := preflight_of(settings, [least_privilege])
	result.leastPrivilegePolicy.Statement == [
		least_privilege.Statement[0],
		{
			"Sid": "DruidObjects2",
			"Effect": "Allow",
			"Action": ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
			"Resource": ["arn:aws:s3:::acme-druid-msq/exports/*"],
		},
		{
			"Sid": "DruidListBucket1",
			"Effect": "Allow",
			"Action": ["s3:ListBucket"],
			"Resource": ["arn:aws:s3:::acme-druid-msq"],
			"Condition": {"StringLike": {"s3:prefix": ["durable/msq/*", "exports/*"]}},
		},
	]
	[[c.action, c.result] | some c in result.missing] == [
		["s3:PutObject", "implicit_deny"], ["s3:AbortMultipartUpload", "implicit_deny"],
		["s3:GetObject", "implicit_deny"], ["s3:ListBucket", "implicit_deny"],
	]
	preflight_of(settings, [result.leastPrivilegePolicy]).ok == true
	preflight_of(settings, [result.leastPrivilegePolicy]).excess == []
}

test_an_export_path_inside_a_broader_grant_needs_no_statement_of_its_own if {
	settings := object.union(durable_settings, {
		"druid.msq.intermediate.storage.prefix": "",
		"druid.export.storage.s3.allowedExportPaths": ["s3://acme-druid-msq/exports/"],
	})
	[s.Resource | some s in preflight_of(settings, []).leastPrivilegePolicy.Statement] == [
		["arn:aws:s3:::acme-druid-msq/*"],
		["arn:aws:s3:::acme-druid-msq"],
	]
}

# --- storage the preflight does not evaluate ----------------------------------------------------------------------

test_google_durable_storage_gets_a_checklist if {
	settings := object.union(durable_settings, {"druid.msq.intermediate.storage.type": "google"})
	preflight_of(settings, [overly_broad]) == {
		"ok": true,
		"checks": [],
		"missing": [],
		"excess": [],
		"leastPrivilegePolicy": {"Version": "2012-10-17", "Statement": []},
		"checklists": {"azure": [], "google": [
			{
				"permission": "storage.objects.get", "rule": "R9", "processes": ["indexer", "broker"],
				"scope": "gs://acme-druid-msq/durable/msq/", "source": "inferred",
			},
			{
				"permission": "storage.objects.create", "rule": "R9", "processes": ["indexer"],
				"scope": "gs://acme-druid-msq/durable/msq/", "source": "inferred",
			},
			{
				"permission": "storage.objects.delete", "rule": "R9", "processes": ["indexer", "overlord"],
				"scope": "gs://acme-druid-msq/durable/msq/", "source": "inferred",
			},
			{
				"permission": "storage.objects.list", "rule": "F9", "processes": ["indexer", "overlord", "broker"],
				"scope": "gs://acme-druid-msq/durable/msq/", "source": "inferred",
			},
		]},
		"reasons": [
			no_export_note,
			concat("", [r9, "durable storage is on google: policies are not evaluated for it; see checklists.google"]),
		],
	}
}

test_azure_durable_storage_gets_the_documented_checklist if {
	result := storage.preflight with input as {
		"settings": {
			"druid.msq.intermediate.storage.enable": "true",
			"druid.msq.intermediate.storage.type": "azure",
			"druid.msq.intermediate.storage.container": "druid-msq",
			"druid.msq.intermediate.storage.prefix": "durable",
		},
		"processes": ["overlord", "broker"],
	}
	result.checks == []
	result.checklists == {"google": [], "azure": [
		{
			"permission": "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
			"rule": "R9", "processes": ["broker"], "scope": "container druid-msq, prefix 'durable/'",
			"source": "documented",
		},
	]}
	result.reasons[1] == concat("", [
		f9, "the durable storage cleaner is off (druid.msq.intermediate.storage.cleaner.enabled): ",
		"the Overlord needs no access to durable storage",
	])
}

# --- problems and invalid input -----------------------------------------------------------------------------------

test_durable_storage_without_its_location_is_a_problem if {
	no_bucket := object.remove(durable_settings, ["druid.msq.intermediate.storage.bucket"])
	preflight_of(no_bucket, []).ok == false
	preflight_of(no_bucket, []).checks == []
	preflight_of(no_bucket, []).reasons[0] == concat("", [
		r9,
		"durable storage on s3 needs druid.msq.intermediate.storage.bucket",
	])
	azure := {"druid.msq.intermediate.storage.enable": "true", "druid.msq.intermediate.storage.type": "azure"}
	preflight_of(azure, []).reasons[0] == concat("", [
		r9,
		"durable storage on azure needs druid.msq.intermediate.storage.container",
	])
}

test_durable_storage_of_unknown_type_is_a_problem if {
	upper_case := object.union(durable_settings, {"druid.msq.intermediate.storage.type": "S3"})
	preflight_of(upper_case, [least_privilege]).reasons[0] == concat("", [
		r9,
		"durable storage is enabled but druid.msq.intermediate.storage.type is 'S3' (s3, google or azure)",
	])
	settings := object.remove(durable_settings, ["druid.msq.intermediate.storage.type"])
	result := preflight_of(settings, [least_privilege])
	result.ok == false
	result.checks == []
	result.reasons[0] == concat("", [
		r9,
		"durable storage is enabled but druid.msq.intermediate.storage.type is '' (s3, google or azure)",
	])
}

invalid(reasons) := {
	"ok": false,
	"checks": [],
	"missing": [],
	"excess": [],
	"leastPrivilegePolicy": {"Version": "2012-10-17", "Statement": []},
	"checklists": no_policy,
	"reasons": reasons,
}

test_invalid_input_is_an_answer_not_an_allow if {
	preflight_for({"settings": "druid.msq.intermediate.storage.enable=true"}) == invalid([
		"invalid input: settings must be an object of Druid properties",
	])
	preflight_for({"settings": durable_settings, "policies": least_privilege}) == invalid([
		"invalid input: policies must be an array of IAM policy documents",
	])
	preflight_for({"settings": durable_settings, "policies": [least_privilege, 7, "{"]}) == invalid([
		"invalid input: policies[1] is not an IAM policy document",
		"invalid input: policies[2] is not an IAM policy document",
	])
	preflight_for({"settings": durable_settings, "processes": "indexer"}) == invalid([
		"invalid input: processes must be an array of indexer, overlord and broker",
	])
	preflight_for({"settings": durable_settings, "processes": ["indexer", "historical"]}) == invalid([
		"invalid input: unknown process historical (indexer, overlord or broker)",
	])
	preflight_for(["not", "an", "object"]) == invalid(["invalid input: the input must be an object"])
}

test_without_settings_or_policies_nothing_is_needed if {
	preflight_for({}) == {
		"ok": true,
		"checks": [],
		"missing": [],
		"excess": [],
		"leastPrivilegePolicy": {"Version": "2012-10-17", "Statement": []},
		"checklists": no_policy,
		"reasons": [no_export_note, durable_off_note],
	}
}

test_the_entrypoint_answers_even_when_a_part_fails if {
	# A part that cannot be computed (here: problems that are not a set) must not leave the entrypoint undefined,
	# which the WASM host would see as an empty result.
	storage.preflight == {
		"ok": false,
		"checks": [],
		"missing": [],
		"excess": [],
		"leastPrivilegePolicy": {"Version": "2012-10-17", "Statement": []},
		"checklists": no_policy,
		"reasons": ["the policy produced no preflight for this input; this is a bug in msq-authz"],
	} with input as {"settings": durable_settings} with storage.problems as 7
}
