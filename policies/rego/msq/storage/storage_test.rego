package msq.storage_test

import data.msq.storage

# --- the examples (examples/storage/*, examples/iam/*) -------------------------------------------------------------

# examples/storage/durable-storage.properties, as a runtime.properties file gives it: every value a string.
durable_settings := {
	"druid.msq.intermediate.storage.enable": "true",
	"druid.msq.intermediate.storage.type": "s3",
	"druid.msq.intermediate.storage.bucket": "acme-druid-msq",
	"druid.msq.intermediate.storage.prefix": "durable/msq",
	"druid.msq.intermediate.storage.tempDir": "/var/druid/msq-tmp",
	"druid.msq.intermediate.storage.cleaner.enabled": "true",
	"druid.msq.intermediate.storage.cleaner.delaySeconds": "86400",
}

# examples/storage/export.json
export_settings := {
	"druid.export.storage.s3.tempLocalDir": "/var/druid/export-tmp",
	"druid.export.storage.s3.allowedExportPaths": ["s3://acme-exports/druid/", "s3://acme-reports/"],
}

# examples/iam/least-privilege-durable-storage.json: what the preflight generates for durable_settings.
least_privilege := {
	"Version": "2012-10-17",
	"Statement": [
		{
			"Sid": "DruidObjects1",
			"Effect": "Allow",
			"Action": ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
			"Resource": ["arn:aws:s3:::acme-druid-msq/durable/msq/*"],
		},
		{
			"Sid": "DruidListBucket1",
			"Effect": "Allow",
			"Action": ["s3:ListBucket"],
			"Resource": ["arn:aws:s3:::acme-druid-msq"],
			"Condition": {"StringLike": {"s3:prefix": ["durable/msq/*"]}},
		},
	],
}

# examples/iam/missing-listbucket.json: the four actions Druid's docs list, and nothing else.
missing_listbucket := {
	"Version": "2012-10-17",
	"Statement": [{
		"Sid": "DurableStorageAsDocumented",
		"Effect": "Allow",
		"Action": ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:DeleteObject"],
		"Resource": "arn:aws:s3:::acme-druid-msq/durable/msq/*",
	}],
}

# examples/iam/overly-broad.json
overly_broad := {
	"Version": "2012-10-17",
	"Statement": [
		{
			"Sid": "DruidBucketFullAccess",
			"Effect": "Allow",
			"Action": "s3:*",
			"Resource": ["arn:aws:s3:::acme-druid-msq", "arn:aws:s3:::acme-druid-msq/*"],
		},
		{
			"Sid": "ListAnyBucket",
			"Effect": "Allow",
			"Action": ["s3:ListBucket", "s3:ListAllMyBuckets", "s3:GetBucketLocation"],
			"Resource": "*",
		},
	],
}

# examples/iam/explicit-deny.json
explicit_deny := {
	"Version": "2012-10-17",
	"Statement": [
		{
			"Sid": "DruidDurableStorage",
			"Effect": "Allow",
			"Action": ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:DeleteObject"],
			"Resource": "arn:aws:s3:::acme-druid-msq/durable/msq/*",
		},
		{
			"Sid": "DruidListDurableStorage",
			"Effect": "Allow",
			"Action": "s3:ListBucket",
			"Resource": "arn:aws:s3:::acme-druid-msq",
			"Condition": {"StringLike": {"s3:prefix": "durable/msq/*"}},
		},
		{
			"Sid": "ProtectBucketFromDeletes",
			"Effect": "Deny",
			"Action": ["s3:DeleteObject", "s3:DeleteObjectVersion"],
			"Resource": "arn:aws:s3:::acme-druid-msq/*",
		},
	],
}

# examples/iam/export.json
export_policy := {
	"Version": "2012-10-17",
	"Statement": [
		{
			"Sid": "ExportWrites",
			"Effect": "Allow",
			"Action": ["s3:PutObject", "s3:AbortMultipartUpload", "s3:GetObject"],
			"Resource": ["arn:aws:s3:::acme-exports/druid/*", "arn:aws:s3:::acme-reports/*"],
		},
		{
			"Sid": "ExportEmptinessCheck",
			"Effect": "Allow",
			"Action": "s3:ListBucket",
			"Resource": "arn:aws:s3:::acme-exports",
			"Condition": {"StringLike": {"s3:prefix": ["druid/*"]}},
		},
		{
			"Sid": "ReportsBucketListing",
			"Effect": "Allow",
			"Action": "s3:ListBucket",
			"Resource": "arn:aws:s3:::acme-reports",
		},
	],
}

# --- expected checks -----------------------------------------------------------------------------------------------

r9 := "R9 (Durable storage S3 permissions): "

f9 := "F9 (S3 ListBucket, export permissions and the export allow-list): "

no_export_note := concat("", [
	f9,
	"druid.export.storage.s3.allowedExportPaths is not set: ",
	"Druid fails every S3 export task, so no export permission is checked",
])

durable_off_note := concat("", [
	r9,
	"durable storage is off (druid.msq.intermediate.storage.enable is not true): it needs no S3 permissions",
])

no_policy := {"google": [], "azure": []}

durable_purposes := {
	"indexer": {
		"s3:GetObject": "controller and workers fetch stage outputs (getObject; HEAD in pathExists)",
		"s3:PutObject": "controller and workers push stage outputs (multipart upload)",
		"s3:AbortMultipartUpload": "controller and workers abort a failed upload (cancelMultiPartUpload)",
		"s3:DeleteObject": "controller and workers remove stage outputs (deleteFile(s), deleteRecursively)",
		"s3:ListBucket": "controller and workers list what they remove (deleteRecursively iterates listObjectsV2)",
	},
	"overlord": {
		"s3:DeleteObject": "the durable storage cleaner deletes stale controller files (deleteFiles)",
		"s3:ListBucket": "the durable storage cleaner lists the prefix (listDir calls listObjectsV2)",
	},
	"broker": {
		"s3:GetObject": "the Broker reads SELECT results written with selectDestination=durableStorage",
		"s3:ListBucket": "inferred: without ListBucket a HEAD on a missing result key answers 403, not 404",
	},
}

export_purposes := {
	"s3:PutObject": "export writes result files (multipart upload)",
	"s3:AbortMultipartUpload": "export aborts a failed upload",
	"s3:GetObject": "export reads back keys that may not exist yet (HEAD in ExportMetadataManager)",
	"s3:ListBucket": "export checks the destination is empty (ensureExportLocationEmpty lists it)",
}

durable_order := [
	["indexer", "s3:GetObject"], ["indexer", "s3:PutObject"], ["indexer", "s3:AbortMultipartUpload"],
	["indexer", "s3:DeleteObject"], ["indexer", "s3:ListBucket"], ["overlord", "s3:DeleteObject"],
	["overlord", "s3:ListBucket"], ["broker", "s3:GetObject"], ["broker", "s3:ListBucket"],
]

export_order := ["s3:PutObject", "s3:AbortMultipartUpload", "s3:GetObject", "s3:ListBucket"]

rule_of("s3:ListBucket") := "F9"

rule_of(action) := "R9" if action != "s3:ListBucket"

# A check on the S3 location bucket/prefix.
check(process, purpose, action, bucket, prefix, result, statements) := {
	"process": process,
	"purpose": purpose,
	"rule": rule_of(action),
	"action": action,
	"resource": sprintf("arn:aws:s3:::%s", [bucket]),
	"context": {"s3:prefix": prefix},
	"result": result,
	"statements": statements,
} if {
	action == "s3:ListBucket"
} else := {
	"process": process,
	"purpose": purpose,
	"rule": rule_of(action),
	"action": action,
	"resource": sprintf("arn:aws:s3:::%s/%s*", [bucket, prefix]),
	"context": {},
	"result": result,
	"statements": statements,
}

durable_check(process, action, result, statements) := check(
	process,
	sprintf("durable storage s3://acme-druid-msq/durable/msq/: %s", [durable_purposes[process][action]]),
	action, "acme-druid-msq", "durable/msq/", result, statements,
)

# Every export check is F9's, whatever the action: export is not durable storage.
export_check(bucket, prefix, action, result, statements) := object.union(
	check(
		"indexer",
		sprintf("export path s3://%s/%s: %s", [bucket, prefix, export_purposes[action]]),
		action, bucket, prefix, result, statements,
	),
	{"rule": "F9"},
)

# The reason line for a check, as "<rule id> (<title>): <process> needs <action> on <ARN> (<purpose>): <outcome>".
reason(c, outcome) := sprintf("%s%s needs %s on %s%s (%s): %s", [
	{"R9": r9, "F9": f9}[c.rule], c.process, c.action, c.resource, with_prefix(c.context), c.purpose, outcome,
])

with_prefix(context) := sprintf(" with s3:prefix '%s'", [context["s3:prefix"]]) if context["s3:prefix"]

else := ""

allowed_by(c) := reason(c, sprintf("allowed by %s", [concat(", ", c.statements)]))

outcome_reason(c) := allowed_by(c) if c.result == "allowed"

outcome_reason(c) := reason(c, "implicitly denied: no statement allows it") if c.result == "implicit_deny"

preflight_of(settings, policies) := preflight_for({"settings": settings, "policies": policies})

# The preflight's answer for an input (a helper of the tests below).
preflight_for(request) := result if {
	# regal ignore:with-outside-test-context
	result := storage.preflight with input as request
}

# --- durable storage on S3 -----------------------------------------------------------------------------------------

test_least_privilege_policy_passes_every_check if {
	ordered := [durable_check(p, a, "allowed", [statement]) |
		some [p, a] in durable_order
		statement := object.get({"s3:ListBucket": "DruidListBucket1"}, a, "DruidObjects1")
	]
	preflight_of(durable_settings, [least_privilege]) == {
		"ok": true,
		"checks": ordered,
		"missing": [],
		"excess": [],
		"leastPrivilegePolicy": least_privilege,
		"checklists": no_policy,
		"reasons": array.concat([allowed_by(c) | some c in ordered], [no_export_note]),
	}
}

test_documented_four_actions_miss_listbucket_for_every_process if {
	ordered := [documented_check(p, a) | some [p, a] in durable_order]
	missing := [durable_check(p, "s3:ListBucket", "implicit_deny", []) | some p in ["indexer", "overlord", "broker"]]
	preflight_of(durable_settings, [missing_listbucket]) == {
		"ok": false,
		"checks": ordered,
		"missing": missing,
		"excess": [],
		"leastPrivilegePolicy": least_privilege,
		"checklists": no_policy,
		"reasons": array.concat(
			array.concat(
				[outcome_reason(c) | some c in missing],
				[outcome_reason(c) | some c in ordered; c.result == "allowed"],
			),
			[no_export_note],
		),
	}
}

documented_check(p, "s3:ListBucket") := durable_check(p, "s3:ListBucket", "implicit_deny", [])

documented_check(p, a) := durable_check(p, a, "allowed", ["DurableStorageAsDocumented"]) if a != "s3:ListBucket"

test_missing_listbucket_reasons_say_which_process_and_why if {
	reasons := preflight_of(durable_settings, [missing_listbucket]).reasons

	# What fails is listed first: the three ListBucket checks, then what is allowed.
	reasons[0] == concat("", [
		f9, "indexer needs s3:ListBucket on arn:aws:s3:::acme-druid-msq with s3:prefix 'durable/msq/' ",
		"(durable storage s3://acme-druid-msq/durable/msq/: controller and workers list what they remove ",
		"(deleteRecursively iterates listObjectsV2)): implicitly denied: no statement allows it",
	])
	reasons[1] == concat("", [
		f9, "overlord needs s3:ListBucket on arn:aws:s3:::acme-druid-msq with s3:prefix 'durable/msq/' ",
		"(durable storage s3://acme-druid-msq/durable/msq/: the durable storage cleaner lists the prefix ",
		"(listDir calls listObjectsV2)): implicitly denied: no statement allows it",
	])
	reasons[3] == concat("", [
		r9, "indexer needs s3:GetObject on arn:aws:s3:::acme-druid-msq/durable/msq/* ",
		"(durable storage s3://acme-druid-msq/durable/msq/: controller and workers fetch stage outputs ",
		"(getObject; HEAD in pathExists)): allowed by DurableStorageAsDocumented",
	])
	count(reasons) == 10
	reasons[9] == no_export_note
}

test_a_deny_on_deletes_breaks_cleanup if {
	result := preflight_of(durable_settings, [explicit_deny])
	result.ok == false
	denied := [durable_check(p, "s3:DeleteObject", "explicit_deny", ["ProtectBucketFromDeletes"]) |
		some p in ["indexer", "overlord"]
	]
	result.missing == denied
	result.excess == []
	reason(denied[1], "explicitly denied by ProtectBucketFromDeletes") in result.reasons
	[c.statements | some c in result.checks; c.result == "allowed"] == [
		["DruidDurableStorage"], ["DruidDurableStorage"], ["DruidDurableStorage"], ["DruidListDurableStorage"],
		["DruidListDurableStorage"], ["DruidDurableStorage"], ["DruidListDurableStorage"],
	]
}

test_overly_broad_policy_passes_with_warnings if {
	result := preflight_of(durable_settings, [overly_broad])
	result.ok == true
	result.missing == []
	[c.statements | some c in result.checks; c.action == "s3:ListBucket"] == [
		["DruidBucketFullAccess", "ListAnyBucket"],
		["DruidBucketFullAccess", "ListAnyBucket"],
		["DruidBucketFullAccess", "ListAnyBucket"],
	]
	result.excess == [
		{
			"statement": "DruidBucketFullAccess",
			"action": "s3:*",
			"resource": "arn:aws:s3:::acme-druid-msq",
			"reason": concat("", [
				"grants actions no checked Druid process calls: s3:DeleteBucket, s3:PutBucketPolicy; ",
				"reaches beyond what Druid uses: listing acme-druid-msq outside durable/msq/",
			]),
		},
		{
			"statement": "DruidBucketFullAccess",
			"action": "s3:*",
			"resource": "arn:aws:s3:::acme-druid-msq/*",
			"reason": concat("", [
				"grants actions no checked Druid process calls: s3:DeleteObjectVersion, s3:PutObjectAcl; ",
				"reaches beyond what Druid uses: objects of acme-druid-msq outside durable/msq/",
			]),
		},
		{
			"statement": "ListAnyBucket",
			"action": "s3:ListBucket",
			"resource": "*",
			"reason": concat("", [
				"reaches beyond what Druid uses: buckets other than acme-druid-msq; ",
				"listing acme-druid-msq outside durable/msq/",
			]),
		},
	]
	every c in result.checks {
		c.result == "allowed"
	}
}

test_a_deny_takes_excess_back if {
	guarded := {"Version": "2012-10-17", "Statement": array.concat(overly_broad.Statement, [{
		"Sid": "NoBucketAdmin",
		"Effect": "Deny",
		"Action": ["s3:DeleteBucket", "s3:PutBucketPolicy", "s3:PutObjectAcl", "s3:DeleteObjectVersion"],
		"Resource": "*",
	}])}
	[e.reason | some e in preflight_of(durable_settings, [guarded]).excess] == [
		"reaches beyond what Druid uses: listing acme-druid-msq outside durable/msq/",
		"reaches beyond what Druid uses: objects of acme-druid-msq outside durable/msq/",
		"reaches beyond what Druid uses: buckets other than acme-druid-msq; listing acme-druid-msq outside durable/msq/",
	]
}

test_not_action_and_not_resource_are_reported_whole if {
	policy := {"Version": "2012-10-17", "Statement": [
		{"Sid": "AllButDeleteBucket", "Effect": "Allow", "NotAction": "s3:DeleteBucket", "Resource": "arn:aws:s3:::*"},
		{"Sid": "AllButSecrets", "Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secrets/*"},
	]}
	result := preflight_of(durable_settings, [policy])
	result.ok == true
	[[e.statement, e.action, e.resource] | some e in result.excess] == [
		["AllButDeleteBucket", "NotAction: s3:DeleteBucket", "arn:aws:s3:::*"],
		["AllButSecrets", "s3:GetObject", "NotResource: arn:aws:s3:::secrets/*"],
	]
	result.excess[0].reason == concat("", [
		"grants actions no checked Druid process calls: s3:DeleteObjectVersion, s3:PutBucketPolicy, s3:PutObjectAcl; ",
		"reaches beyond what Druid uses: buckets other than acme-druid-msq; ",
		"listing acme-druid-msq outside durable/msq/; objects of acme-druid-msq outside durable/msq/",
	])
	result.excess[1].reason == concat("", [
		"reaches beyond what Druid uses: buckets other than acme-druid-msq; ",
		"objects of acme-druid-msq outside durable/msq/",
	])
}

test_a_condition_on_source_ip_is_unknown_not_allowed if {
	policy := {"Version": "2012-10-17", "Statement": [
		object.union(least_privilege.Statement[0], {
			"Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
		}),
		least_privilege.Statement[1],
	]}
	result := preflight_of(durable_settings, [policy])
	result.ok == false
	[[c.process, c.action] | some c in result.missing] == [
		["indexer", "s3:GetObject"], ["indexer", "s3:PutObject"], ["indexer", "s3:AbortMultipartUpload"],
		["indexer", "s3:DeleteObject"], ["overlord", "s3:DeleteObject"], ["broker", "s3:GetObject"],
	]
	reason(result.missing[0], concat("", [
		"unknown: DruidObjects1 cannot be evaluated here ",
		"(a condition, policy variable or Principal)",
	])) in result.reasons
	every c in result.missing {
		c.result == "unknown"
		c.statements == ["DruidObjects1"]
	}
}

test_two_policy_documents_are_one_grant if {
	objects_only := {"Version": "2012-10-17", "Statement": [least_privilege.Statement[0]]}
	listing_only := {"Version": "2012-10-17", "Statement": {
		"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::acme-druid-msq",
		"Condition": {"StringLike": {"s3:prefix": "durable/msq/*"}},
	}}
	result := preflight_of(durable_settings, [objects_only, listing_only])
	result.ok == true
	[c.statements | some c in result.checks; c.process == "overlord"] == [["DruidObjects1"], ["policy[1].statement[0]"]]
}

test_the_policy_may_come_as_json_text if {
	preflight_of(durable_settings, [json.marshal(least_privilege)]).ok == true
}
