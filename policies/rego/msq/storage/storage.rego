# METADATA
# title: Durable storage and export preflight
# description: |
#   Checks IAM policies against what Druid's processes do on S3 for durable storage (shuffle, SELECT results,
#   the Overlord's cleaner) and for export, as spec/druid-semantics.md §4.2 and §4.3 derive it from Druid's code:
#   which process makes which S3 call, and which IAM action and ARN each call needs. It also reports what the
#   policies allow beyond that, and writes the least-privilege policy for the settings.
package msq.storage

import data.msq.result
import data.msq.settings as druid_settings
import data.msq.storage.iam
import data.msq.storage.privilege

# METADATA
# title: Durable storage S3 permissions
# description: |
#   Durable storage on S3 needs s3:GetObject, s3:PutObject and s3:AbortMultipartUpload (push and fetch) and
#   s3:DeleteObject (cleanup) on the objects under druid.msq.intermediate.storage.bucket / .prefix
#   (docs/multi-stage-query/security.md).
# custom:
#   id: R9
r9 := rego.metadata.rule()

# METADATA
# title: S3 ListBucket, export permissions and the export allow-list
# description: |
#   Druid also lists what it cleans up and checks that an export destination is empty (listObjectsV2), which needs
#   s3:ListBucket on the bucket ARN with the prefix as s3:prefix; the docs omit it. S3 export writes only under
#   druid.export.storage.s3.allowedExportPaths, with the object permissions of durable storage there.
# custom:
#   id: F9
f9 := rego.metadata.rule()

rules := {"R9": r9, "F9": f9}

# --- input -----------------------------------------------------------------------------------------------------------

processes := ["indexer", "overlord", "broker"]

default settings := {}

settings := input.settings if is_object(input.settings)

default policies := []

policies := input.policies if is_array(input.policies)

default requested := ["indexer", "overlord", "broker"]

requested := input.processes if is_array(input.processes)

input_problems contains "invalid input: the input must be an object" if not is_object(input)

input_problems contains "invalid input: settings must be an object of Druid properties" if {
	not is_null(object.get(input, "settings", null))
	not is_object(input.settings)
}

input_problems contains "invalid input: policies must be an array of IAM policy documents" if {
	not is_null(object.get(input, "policies", null))
	not is_array(input.policies)
}

input_problems contains sprintf("invalid input: policies[%d] is not an IAM policy document", [i]) if {
	some i, policy in policies
	not iam.document(policy)
}

input_problems contains "invalid input: processes must be an array of indexer, overlord and broker" if {
	not is_null(object.get(input, "processes", null))
	not is_array(input.processes)
}

input_problems contains concat("", [
	"invalid input: unknown process ", result.text(p), " (indexer, overlord or broker)",
]) if {
	some p in requested
	not p in processes
}

# --- settings (property names as Druid spells them; values as JSON or as a runtime.properties file gives them) ---

default setting(_) := ""

setting(key) := trim_space(settings[key]) if is_string(settings[key])

# Booleans and lists are read as the decision's settings read them (msq.settings).
enabled(key) if druid_settings.truthy(settings[key])

default property_list(_) := []

property_list(key) := druid_settings.array_value(settings[key])

json_array(text) if {
	json.is_valid(text)
	is_array(json.unmarshal(text))
}

durable_enabled if enabled("druid.msq.intermediate.storage.enable")

# Druid's type names are case-sensitive JSON subtype ids.
durable_type := setting("druid.msq.intermediate.storage.type")

# The cleaner runs on the Overlord (Druid 25+, PR #13269), off by default.
cleaner_enabled if enabled("druid.msq.intermediate.storage.cleaner.enabled")

durable_bucket := setting("druid.msq.intermediate.storage.bucket")

durable_container := setting("druid.msq.intermediate.storage.container")

# S3OutputConfig joins prefix and path with "/": surrounding slashes are not part of the prefix.
durable_prefix := trim(setting("druid.msq.intermediate.storage.prefix"), "/")

durable_configured if {
	durable_enabled
	durable_type in {"s3", "google"}
	durable_bucket != ""
}

durable_configured if {
	durable_enabled
	durable_type == "azure"
	durable_container != ""
}

# --- S3 locations ----------------------------------------------------------------------------------------------------

with_slash("") := ""

with_slash(prefix) := concat("", [prefix, "/"]) if prefix != ""

location(source, bucket, prefix) := {
	"source": source,
	"bucket": bucket,
	"prefix": prefix,
	"uri": sprintf("s3://%s/%s", [bucket, with_slash(prefix)]),
	"objects": sprintf("arn:aws:s3:::%s/%s*", [bucket, with_slash(prefix)]),
	"bucketArn": sprintf("arn:aws:s3:::%s", [bucket]),
	"listPrefix": with_slash(prefix),
}

durable_locations := [location("durable", durable_bucket, durable_prefix) |
	durable_configured
	durable_type == "s3"
]

export_paths := property_list("druid.export.storage.s3.allowedExportPaths")

# "s3://bucket/prefix/" -> [bucket, prefix] (S3ExportStorageProvider: the bucket is the URI's host).
s3_uri(uri) := [parts[0], trim(concat("/", array.slice(parts, 1, count(parts))), "/")] if {
	is_string(uri)
	lower(substring(uri, 0, 5)) == "s3://"
	parts := split(substring(uri, 5, -1), "/")
	parts[0] != ""
}

export_locations := [location("export", bucket, prefix) |
	some [bucket, prefix] in sort({s3_uri(path) | some path in export_paths})
]

locations := array.concat(durable_locations, export_locations)

# --- which process needs what (druid-semantics.md §4.2 and §4.3) -----------------------------------------------------

relevant contains "indexer" if durable_configured

relevant contains "indexer" if count(export_locations) > 0

relevant contains "overlord" if {
	durable_configured
	cleaner_enabled
}

relevant contains "broker" if durable_configured

selected := [p | some p in processes; p in relevant; p in requested]

# [action, rule, purpose] per source and process. The S3 calls and their IAM actions are §4.2's table:
# multipart upload (initiate, upload part, complete) is s3:PutObject; getObject and getObjectMetadata / HEAD are
# s3:GetObject; deleteObject and deleteObjects are s3:DeleteObject; listObjectsV2 is s3:ListBucket on the bucket.
needs_of := {
	"durable": {
		# Indexers / MiddleManagers / Peons run the controller and the workers: read, write, delete, list.
		"indexer": [
			["s3:GetObject", "R9", "controller and workers fetch stage outputs (getObject; HEAD in pathExists)"],
			["s3:PutObject", "R9", "controller and workers push stage outputs (multipart upload)"],
			["s3:AbortMultipartUpload", "R9", "controller and workers abort a failed upload (cancelMultiPartUpload)"],
			["s3:DeleteObject", "R9", "controller and workers remove stage outputs (deleteFile(s), deleteRecursively)"],
			[
				"s3:ListBucket", "F9",
				"controller and workers list what they remove (deleteRecursively iterates listObjectsV2)",
			],
		],
		# DurableStorageCleaner: listDir("") and deleteFiles, only when the cleaner is enabled.
		"overlord": [
			["s3:DeleteObject", "R9", "the durable storage cleaner deletes stale controller files (deleteFiles)"],
			["s3:ListBucket", "F9", "the durable storage cleaner lists the prefix (listDir calls listObjectsV2)"],
		],
		# selectDestination=durableStorage (Druid 27+): the Broker reads results back for /sql/statements.
		"broker": [
			["s3:GetObject", "R9", "the Broker reads SELECT results written with selectDestination=durableStorage"],
			[
				"s3:ListBucket", "F9",
				"inferred: without ListBucket a HEAD on a missing result key answers 403, not 404",
			],
		],
	},
	# Export (Druid 29+) runs in the controller task on an indexer.
	"export": {"indexer": [
		["s3:PutObject", "F9", "export writes result files (multipart upload)"],
		["s3:AbortMultipartUpload", "F9", "export aborts a failed upload"],
		["s3:GetObject", "F9", "export reads back keys that may not exist yet (HEAD in ExportMetadataManager)"],
		# The destination is the allowed path or below it: the check lists the allowed prefix, and the generated
		# policy's StringLike "P/*" covers every destination under it.
		["s3:ListBucket", "F9", "export checks the destination is empty (ensureExportLocationEmpty lists it)"],
	]},
}

label := {"durable": "durable storage", "export": "export path"}

resource_of("s3:ListBucket", loc) := loc.bucketArn

resource_of(action, loc) := loc.objects if action != "s3:ListBucket"

context_of("s3:ListBucket", loc) := {"s3:prefix": loc.listPrefix}

context_of(action, _) := {} if action != "s3:ListBucket"

needs := [{
	"process": process,
	"purpose": sprintf("%s %s: %s", [label[loc.source], loc.uri, purpose]),
	"rule": rule,
	"action": action,
	"resource": resource_of(action, loc),
	"context": context_of(action, loc),
} |
	some process in selected
	some loc in locations
	some [action, rule, purpose] in object.get(needs_of[loc.source], process, [])
]

checks := [object.union(need, iam.evaluate(policies, need)) | some need in needs]

missing := [check | some check in checks; check.result != "allowed"]

# --- reasons ---------------------------------------------------------------------------------------------------------

prefix_text(context) := sprintf(" with s3:prefix '%s'", [context["s3:prefix"]]) if is_string(context["s3:prefix"])

else := ""

outcome_text(check) := sprintf("allowed by %s", [concat(", ", check.statements)]) if {
	check.result == "allowed"
} else := sprintf("explicitly denied by %s", [concat(", ", check.statements)]) if {
	check.result == "explicit_deny"
} else := "implicitly denied: no statement allows it" if {
	check.result == "implicit_deny"
} else := sprintf("unknown: %s cannot be evaluated here (a condition, policy variable or Principal)", [
	concat(", ", check.statements),
])

check_reason(check) := result.note(rules[check.rule], sprintf("%s needs %s on %s%s (%s): %s", [
	check.process, check.action, check.resource, prefix_text(check.context), check.purpose, outcome_text(check),
]))

problems contains result.note(r9, detail) if {
	durable_enabled
	not durable_type in {"s3", "google", "azure"}
	detail := sprintf(
		"durable storage is enabled but druid.msq.intermediate.storage.type is '%s' (s3, google or azure)",
		[durable_type],
	)
}

problems contains result.note(r9, detail) if {
	durable_enabled
	durable_type in {"s3", "google"}
	durable_bucket == ""
	detail := sprintf("durable storage on %s needs druid.msq.intermediate.storage.bucket", [durable_type])
}

problems contains result.note(r9, "durable storage on azure needs druid.msq.intermediate.storage.container") if {
	durable_enabled
	durable_type == "azure"
	durable_container == ""
}

problems contains result.note(f9, detail) if {
	some path in export_paths
	not s3_uri(path)
	detail := concat("", [
		"druid.export.storage.s3.allowedExportPaths entry ", result.text(path), " is not an s3://bucket/prefix URI",
	])
}

problems contains result.note(f9, detail) if {
	setting("druid.export.storage.s3.allowedExportPaths") != ""
	not json_array(setting("druid.export.storage.s3.allowedExportPaths"))
	detail := "druid.export.storage.s3.allowedExportPaths is not a JSON array of s3:// URIs"
}

notes contains result.note(r9, detail) if {
	not durable_enabled
	detail := "durable storage is off (druid.msq.intermediate.storage.enable is not true): it needs no S3 permissions"
}

notes contains result.note(r9, detail) if {
	durable_configured
	durable_type in {"google", "azure"}
	detail := sprintf("durable storage is on %s: policies are not evaluated for it; see checklists.%s", [
		durable_type,
		durable_type,
	])
}

notes contains result.note(f9, detail) if {
	durable_configured
	not cleaner_enabled
	"overlord" in requested
	detail := concat("", [
		"the durable storage cleaner is off (druid.msq.intermediate.storage.cleaner.enabled): ",
		"the Overlord needs no access to durable storage",
	])
}

notes contains result.note(f9, detail) if {
	count(export_paths) == 0
	detail := concat("", [
		"druid.export.storage.s3.allowedExportPaths is not set: ",
		"Druid fails every S3 export task, so no export permission is checked",
	])
}

# What fails comes first: problems with the settings, then the checks that are not allowed, then the rest.
reasons := array.concat(
	array.concat(
		array.concat(sort(problems), [check_reason(check) | some check in checks; check.result != "allowed"]),
		[check_reason(check) | some check in checks; check.result == "allowed"],
	),
	sort(notes),
)

# --- checklists for storage this package does not evaluate ----------------------------------------------------------

# [permission, rule, processes that need it]. Azure's list is documented (druid-semantics.md §4.2); Druid's docs say
# "TBD GCS", so the GCS permissions are those of the calls the connector makes (inferred).
checklist_of := {
	"azure": [
		["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", "R9", ["indexer", "broker"]],
		["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write", "R9", ["indexer"]],
		["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action", "R9", ["indexer"]],
		["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete", "R9", ["indexer", "overlord"]],
	],
	"google": [
		["storage.objects.get", "R9", ["indexer", "broker"]],
		["storage.objects.create", "R9", ["indexer"]],
		["storage.objects.delete", "R9", ["indexer", "overlord"]],
		["storage.objects.list", "F9", ["indexer", "overlord", "broker"]],
	],
}

checklist_source := {"azure": "documented", "google": "inferred"}

checklist_scope := {
	"azure": sprintf("container %s, prefix '%s'", [durable_container, with_slash(durable_prefix)]),
	"google": sprintf("gs://%s/%s", [durable_bucket, with_slash(durable_prefix)]),
}

checklist(type) := [{
	"permission": permission,
	"rule": rule,
	"processes": who,
	"scope": checklist_scope[type],
	"source": checklist_source[type],
} |
	durable_configured
	durable_type == type
	some [permission, rule, needed_by] in checklist_of[type]
	who := [p | some p in selected; p in needed_by]
	count(who) > 0
]

# --- the entrypoint --------------------------------------------------------------------------------------------------

# METADATA
# title: Durable storage and export preflight
# description: |
#   input = {"settings": {Druid properties}, "processes": ["indexer"|"overlord"|"broker"] (optional),
#   "policies": [IAM policy documents]}. Answers the checks per process, what is missing, what is allowed beyond
#   least privilege, the least-privilege policy, checklists for GCS / Azure, and reasons.
# entrypoint: true
default preflight := {
	"ok": false,
	"checks": [],
	"missing": [],
	"excess": [],
	"leastPrivilegePolicy": {"Version": "2012-10-17", "Statement": []},
	"checklists": {"google": [], "azure": []},
	"reasons": ["the policy produced no preflight for this input; this is a bug in msq-authz"],
}

preflight := {
	"ok": false,
	"checks": [],
	"missing": [],
	"excess": [],
	"leastPrivilegePolicy": {"Version": "2012-10-17", "Statement": []},
	"checklists": {"google": [], "azure": []},
	"reasons": sort(input_problems),
} if {
	count(input_problems) > 0
} else := {
	"ok": (count(missing) + count(problems)) == 0,
	"checks": checks,
	"missing": missing,
	"excess": privilege.excess(policies, checks, locations),
	"leastPrivilegePolicy": privilege.least_privilege(needs),
	"checklists": {"google": checklist("google"), "azure": checklist("azure")},
	"reasons": reasons,
}
