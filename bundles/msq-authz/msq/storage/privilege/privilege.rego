# METADATA
# title: Least privilege for durable storage and export
# description: |
#   Pure functions over the S3 needs and checks of msq.storage: the least-privilege policy that grants exactly the
#   needs, and the Allow statements of given policies that grant more (as warnings).
package msq.storage.privilege

import data.msq.storage.iam

object_needs(needs) := {[need.resource, need.action] | some need in needs; need.action != "s3:ListBucket"}

actions_on(needs) := {resource: sort({a | some [r, a] in pairs; r == resource}) |
	pairs := object_needs(needs)
	some [resource, _] in pairs
}

bucket_prefixes(needs) := {need.resource: {other.context["s3:prefix"] |
	some other in needs
	other.resource == need.resource
} |
	some need in needs
	need.action == "s3:ListBucket"
}

subsumed(on, resource) if {
	some other, actions in on
	other != resource
	iam.arn_match(other, resource)
	not iam.arn_match(resource, other)
	every a in on[resource] {
		a in actions
	}
}

object_statements(needs) := [{
	"Sid": sprintf("DruidObjects%d", [i + 1]),
	"Effect": "Allow",
	"Action": actions,
	"Resource": sort([resource | some resource, a in on; a == actions]),
} |
	needed := actions_on(needs)
	on := {resource: actions | some resource, actions in needed; not subsumed(needed, resource)}
	some i, actions in sort({a | some a in on})
]

listing_statement(sid, bucket_arn, prefixes) := {
	"Sid": sid,
	"Effect": "Allow",
	"Action": ["s3:ListBucket"],
	"Resource": [bucket_arn],
} if {
	"" in prefixes
} else := {
	"Sid": sid,
	"Effect": "Allow",
	"Action": ["s3:ListBucket"],
	"Resource": [bucket_arn],
	"Condition": {"StringLike": {"s3:prefix": sort([concat("", [p, "*"]) | some p in prefixes])}},
}

listing_statements(needs) := [listing_statement(sid, bucket_arn, prefixes[bucket_arn]) |
	prefixes := bucket_prefixes(needs)
	some i, bucket_arn in sort({r | some r, _ in prefixes})
	sid := sprintf("DruidListBucket%d", [i + 1])
]

# METADATA
# title: Least-privilege policy
# description: The IAM policy that allows exactly the needs [{action, resource, context}], and nothing else.
least_privilege(needs) := {
	"Version": "2012-10-17",
	"Statement": array.concat(object_statements(needs), listing_statements(needs)),
}

probe_actions := [
	{"action": "s3:GetObject", "on": "object"},
	{"action": "s3:PutObject", "on": "object"},
	{"action": "s3:AbortMultipartUpload", "on": "object"},
	{"action": "s3:DeleteObject", "on": "object"},
	{"action": "s3:ListBucket", "on": "bucket"},
	{"action": "s3:PutObjectAcl", "on": "object"},
	{"action": "s3:DeleteObjectVersion", "on": "object"},
	{"action": "s3:DeleteBucket", "on": "bucket"},
	{"action": "s3:PutBucketPolicy", "on": "bucket"},
]

sites(loc) := [
	{"on": "object", "resource": sprintf("arn:aws:s3:::%s/%smsq-authz-probe", [loc.bucket, loc.listPrefix])},
	{
		"on": "object",
		"resource": sprintf("arn:aws:s3:::%s/msq-authz-probe/object", [loc.bucket]),
		"scope": sprintf("objects of %s outside %s", [loc.bucket, loc.listPrefix]),
		"prefixed": true,
	},
	{
		"on": "object",
		"resource": sprintf("arn:aws:s3:::%s/%s-msq-authz-probe/object", [loc.bucket, loc.prefix]),
		"scope": sprintf("objects of %s outside %s", [loc.bucket, loc.listPrefix]),
		"prefixed": true,
	},
	{
		"on": "object",
		"resource": sprintf("arn:aws:s3:::%s-msq-authz-probe/%smsq-authz-probe", [loc.bucket, loc.listPrefix]),
		"scope": sprintf("buckets other than %s", [loc.bucket]),
	},
	{"on": "bucket", "resource": loc.bucketArn, "prefix": loc.listPrefix},
	{
		"on": "bucket",
		"resource": loc.bucketArn,
		"prefix": "msq-authz-probe/",
		"scope": sprintf("listing %s outside %s", [loc.bucket, loc.listPrefix]),
		"prefixed": true,
	},
	{
		"on": "bucket",
		"resource": loc.bucketArn,
		"prefix": sprintf("%s-msq-authz-probe/", [loc.prefix]),
		"scope": sprintf("listing %s outside %s", [loc.bucket, loc.listPrefix]),
		"prefixed": true,
	},
	{
		"on": "bucket",
		"resource": sprintf("arn:aws:s3:::%s-msq-authz-probe", [loc.bucket]),
		"prefix": loc.listPrefix,
		"scope": sprintf("buckets other than %s", [loc.bucket]),
	},
]

probe_sites(loc) := [site | some site in sites(loc); object.get(site, "prefixed", false) == false] if loc.prefix == ""

else := sites(loc)

probe_context("s3:ListBucket", site) := {"s3:prefix": site.prefix}

probe_context(action, _) := {} if action != "s3:ListBucket"

needed(checks, probe) if {
	some check in checks
	lower(check.action) == lower(probe.action)
	iam.arn_match(check.resource, probe.resource)
	covered(check.context, probe.context)
}

covered(context, _) if not is_string(object.get(context, "s3:prefix", null))

covered(context, probe_context) if startswith(object.get(probe_context, "s3:prefix", ""), context["s3:prefix"])

probe_kind(checks, probe) := "scope" if {
	some check in checks
	lower(check.action) == lower(probe.action)
} else := "action"

probes(checks, locations) := {object.union(probe, {"kind": probe_kind(checks, probe), "scope": scope}) |
	some loc in locations
	some site in probe_sites(loc)
	some candidate in probe_actions
	candidate.on == site.on
	probe := {
		"action": candidate.action,
		"resource": site.resource,
		"context": probe_context(candidate.action, site),
	}
	not needed(checks, probe)
	scope := object.get(site, "scope", sprintf("%s on %s", [candidate.action, site.resource]))
}

# METADATA
# title: Allowed beyond least privilege
# description: |
#   [{statement, action, resource, reason}]: each Allow statement's Action and Resource element (a pattern, or the
#   whole NotAction / NotResource) that lets a probe through which no check needs. A probe the policies deny
#   explicitly elsewhere does not count.
excess(policies, checks, locations) := [{
	"statement": st.id,
	"action": a.label,
	"resource": r.label,
	"reason": excess_reason(granted),
} |
	results := [object.union(probe, {"decision": iam.evaluate(policies, probe).result}) |
		some probe in probes(checks, locations)
	]
	some st in iam.statements(policies)
	st.effect == "Allow"
	some a in iam.parts(st.action)
	some r in iam.parts(st.resource)
	narrowed := object.union(st, {"action": a, "resource": r})
	granted := [probe |
		some probe in results
		probe.decision != "explicit_deny"
		iam.applies(narrowed, probe) != "no"
	]
	count(granted) > 0
]

excess_reason(granted) := concat("; ", array.concat(
	[sprintf("grants actions no checked Druid process calls: %s", [concat(", ", actions)]) |
		actions := sort({p.action | some p in granted; p.kind == "action"})
		count(actions) > 0
	],
	[sprintf("reaches beyond what Druid uses: %s", [concat("; ", scopes)]) |
		scopes := sort({p.scope | some p in granted; p.kind == "scope"})
		count(scopes) > 0
	],
))
