# METADATA
# title: Export (F2)
# description: |
#   INSERT INTO EXTERN(s3|google|local(...)) exports query results (Druid 29+) and needs WRITE on EXTERNAL
#   '<destination type>', whatever druid.auth.enableInputSourceSecurity says, plus what the SELECT reads.
package msq.rules.export

import data.msq.request
import data.msq.result
import data.msq.settings

destinations := {"s3", "google", "local"}

# METADATA
# title: Export to external storage
# description: WRITE on EXTERNAL '<destination type>' for INSERT INTO EXTERN(...).
# custom:
#   id: F2
f2 := rego.metadata.rule()

is_export if request.statement_type == "EXPORT"

required contains result.require(f2, "EXTERNAL", request.statement.exportDestination, "WRITE") if {
	request.msq_engine
	is_export
	request.statement.exportDestination in destinations
}

outcomes contains result.outcome(f2, "validation", 400, "invalid_sql", detail) if {
	request.operation == "sql.query"
	is_export
	detail := "Cannot execute [EXPORT] with SQL engine [native]: use /druid/v2/sql/task or /druid/v2/sql/statements"
}

outcomes contains result.outcome(f2, "parse", 400, "invalid_sql", detail) if {
	is_export
	not settings.at_least(29)
	detail := sprintf("Druid %s cannot export: INSERT INTO EXTERN arrived in Druid 29", [settings.version_string])
}

outcomes contains result.outcome(f2, "validation", 400, "invalid_sql", detail) if {
	is_export
	is_string(request.statement.exportDestination)
	not request.statement.exportDestination in destinations
	detail := sprintf("unknown export destination '%s' (s3, google or local)", [request.statement.exportDestination])
}

# METADATA
# title: Export paths must lie under the configured allowed paths
# description: |
#   Druid accepts the export, then the task fails when the destination is not allowed: S3 and GCS paths must lie
#   under druid.export.storage.<s3|google>.allowedExportPaths (same bucket, prefix under an allowed prefix, both
#   with a trailing slash); local paths under druid.export.storage.baseDir.
# custom:
#   id: F9
f9 := rego.metadata.rule()

properties := object.get(request.statement, "exportProperties", {})

with_slash(path) := path if endswith(path, "/")

else := concat("", [path, "/"])

allowed_locations(destination) := [[parts[0], with_slash(concat("/", array.slice(parts, 1, count(parts))))] |
	some path in settings.list(sprintf("druid.export.storage.%s.allowedExportPaths", [destination]))
	startswith(path, sprintf("%s://", [scheme[destination]]))
	parts := split(substring(path, count(scheme[destination]) + 3, -1), "/")
]

scheme := {"s3": "s3", "google": "gs"}

allowed_location(destination, bucket, prefix) if {
	some [allowed_bucket, allowed_prefix] in allowed_locations(destination)
	allowed_bucket == bucket
	startswith(with_slash(prefix), trim_left(allowed_prefix, "/"))
}

warnings contains result.note(f9, detail) if {
	request.msq_engine
	is_export
	count(properties) > 0
	destination := request.statement.exportDestination
	scheme[destination]
	bucket := object.get(properties, "bucket", "")
	prefix := object.get(properties, "prefix", "")
	not allowed_location(destination, bucket, prefix)
	allowed := settings.list(sprintf("druid.export.storage.%s.allowedExportPaths", [destination]))
	detail := sprintf(
		"%s://%s/%s is not under druid.export.storage.%s.allowedExportPaths %s: Druid accepts the query and the task fails",
		[scheme[destination], bucket, prefix, destination, json.marshal(allowed)],
	)
}

warnings contains result.note(f9, detail) if {
	request.msq_engine
	is_export
	request.statement.exportDestination == "local"
	path := properties.exportPath
	not local_path_allowed(path)
	detail := sprintf(
		"local export path %s is not under druid.export.storage.baseDir (%v): Druid accepts the query and the task fails",
		[path, object.get(settings.raw, "druid.export.storage.baseDir", "not set")],
	)
}

local_path_allowed(path) if {
	base := settings.raw["druid.export.storage.baseDir"]
	startswith(base, "/")
	startswith(with_slash(path), with_slash(base))
	not "../" in {concat("", [segment, "/"]) | some segment in split(path, "/")}
}
