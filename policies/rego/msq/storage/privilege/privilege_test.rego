package msq.storage.privilege_test

import data.msq.storage.privilege

# Needs and checks in the shape msq.storage gives them.
need(action, resource, context) := {"action": action, "resource": resource, "context": context}

objects(arn) := [need(a, arn, {}) | some a in ["s3:GetObject", "s3:PutObject"]]

listing(bucket, prefix) := need("s3:ListBucket", bucket, {"s3:prefix": prefix})

# A location as msq.storage.locations gives it.
location(bucket, prefix, list_prefix) := {
	"source": "durable",
	"bucket": bucket,
	"prefix": prefix,
	"uri": sprintf("s3://%s/%s", [bucket, list_prefix]),
	"objects": sprintf("arn:aws:s3:::%s/%s*", [bucket, list_prefix]),
	"bucketArn": sprintf("arn:aws:s3:::%s", [bucket]),
	"listPrefix": list_prefix,
}

allow(sid, actions, resources) := {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources}

policy(statements) := {"Version": "2012-10-17", "Statement": statements}

# --- least privilege -------------------------------------------------------------------------------------------

test_no_needs_no_statements if {
	privilege.least_privilege([]) == {"Version": "2012-10-17", "Statement": []}
}

test_object_statements_group_arns_by_action_set_and_listings_by_bucket if {
	needs := [
		need("s3:GetObject", "arn:aws:s3:::a/p/*", {}),
		need("s3:PutObject", "arn:aws:s3:::a/p/*", {}),
		need("s3:DeleteObject", "arn:aws:s3:::a/p/*", {}),
		need("s3:GetObject", "arn:aws:s3:::b/q/*", {}),
		need("s3:PutObject", "arn:aws:s3:::b/q/*", {}),
		listing("arn:aws:s3:::a", "p/"),
		listing("arn:aws:s3:::b", "q/"),
		listing("arn:aws:s3:::b", "r/"),
		listing("arn:aws:s3:::c", ""),
		listing("arn:aws:s3:::c", "s/"),
	]
	privilege.least_privilege(needs) == {"Version": "2012-10-17", "Statement": [
		allow("DruidObjects1", ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], ["arn:aws:s3:::a/p/*"]),
		allow("DruidObjects2", ["s3:GetObject", "s3:PutObject"], ["arn:aws:s3:::b/q/*"]),
		object.union(allow("DruidListBucket1", ["s3:ListBucket"], ["arn:aws:s3:::a"]), {
			"Condition": {"StringLike": {"s3:prefix": ["p/*"]}},
		}),
		object.union(allow("DruidListBucket2", ["s3:ListBucket"], ["arn:aws:s3:::b"]), {
			"Condition": {"StringLike": {"s3:prefix": ["q/*", "r/*"]}},
		}),
		allow("DruidListBucket3", ["s3:ListBucket"], ["arn:aws:s3:::c"]),
	]}
}

test_an_arn_inside_a_broader_one_with_the_same_actions_is_dropped if {
	needs := array.concat(objects("arn:aws:s3:::a/*"), objects("arn:aws:s3:::a/exports/*"))
	privilege.least_privilege(needs).Statement == [
		allow("DruidObjects1", ["s3:GetObject", "s3:PutObject"], ["arn:aws:s3:::a/*"]),
	]
}

test_an_arn_inside_a_broader_one_that_needs_more_is_kept if {
	needs := array.concat([need("s3:GetObject", "arn:aws:s3:::a/*", {})], objects("arn:aws:s3:::a/exports/*"))
	privilege.least_privilege(needs).Statement == [
		allow("DruidObjects1", ["s3:GetObject"], ["arn:aws:s3:::a/*"]),
		allow("DruidObjects2", ["s3:GetObject", "s3:PutObject"], ["arn:aws:s3:::a/exports/*"]),
	]
}

test_arns_that_match_each_other_are_both_kept if {
	needs := array.concat(objects("arn:aws:s3:::a/x?"), objects("arn:aws:s3:::a/x*"))
	privilege.least_privilege(needs).Statement == [
		allow("DruidObjects1", ["s3:GetObject", "s3:PutObject"], ["arn:aws:s3:::a/x*", "arn:aws:s3:::a/x?"]),
	]
}

# --- excess ----------------------------------------------------------------------------------------------------

reads := [
	object.union(need("s3:GetObject", "arn:aws:s3:::a/p/*", {}), {"result": "allowed"}),
	object.union(listing("arn:aws:s3:::a", "p/"), {"result": "allowed"}),
]

test_exactly_what_is_needed_is_no_excess if {
	policies := [policy([
		allow("Read", "s3:GetObject", "arn:aws:s3:::a/p/*"),
		object.union(allow("List", "s3:ListBucket", "arn:aws:s3:::a"), {
			"Condition": {"StringEquals": {"s3:prefix": "p/"}},
		}),
	])]
	privilege.excess(policies, reads, [location("a", "p", "p/")]) == []
}

test_excess_names_each_statement_element_and_what_it_reaches if {
	policies := [policy([
		allow("Everything", "*", "*"),
		allow("Unrelated", "s3:*", "arn:aws:s3:::ingest-bucket/*"),
		{"Sid": "DenyIsNotExcess", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::elsewhere"},
	])]
	privilege.excess(policies, reads, [location("a", "p", "p/")]) == [{
		"statement": "Everything",
		"action": "*",
		"resource": "*",
		"reason": concat("", [
			"grants actions no checked Druid process calls: s3:AbortMultipartUpload, s3:DeleteBucket, ",
			"s3:DeleteObject, s3:DeleteObjectVersion, s3:PutBucketPolicy, s3:PutObject, s3:PutObjectAcl; ",
			"reaches beyond what Druid uses: buckets other than a; listing a outside p/; objects of a outside p/",
		]),
	}]
}

test_without_a_prefix_nothing_in_the_bucket_is_outside if {
	checks := [
		object.union(need("s3:GetObject", "arn:aws:s3:::a/*", {}), {"result": "allowed"}),
		object.union(listing("arn:aws:s3:::a", ""), {"result": "allowed"}),
	]
	policies := [policy([allow("Bucket", ["s3:GetObject", "s3:ListBucket"], ["arn:aws:s3:::a", "arn:aws:s3:::a/*"])])]
	privilege.excess(policies, checks, [location("a", "", "")]) == []
}

test_a_statement_that_may_apply_is_reported if {
	# Whether the condition holds cannot be told; the grant is reported rather than hidden.
	policies := [policy([object.union(allow("FromVpc", "s3:PutObject", "arn:aws:s3:::a/p/*"), {
		"Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}},
	})])]
	privilege.excess(policies, reads, [location("a", "p", "p/")]) == [{
		"statement": "FromVpc",
		"action": "s3:PutObject",
		"resource": "arn:aws:s3:::a/p/*",
		"reason": "grants actions no checked Druid process calls: s3:PutObject",
	}]
}

test_a_needed_action_on_another_location_is_reported_by_place if {
	checks := array.concat(reads, [object.union(need("s3:PutObject", "arn:aws:s3:::b/*", {}), {"result": "allowed"})])
	policies := [policy([allow("Put", "s3:PutObject", ["arn:aws:s3:::a/p/*", "arn:aws:s3:::b/*"])])]
	privilege.excess(policies, checks, [location("a", "p", "p/"), location("b", "", "")]) == [{
		"statement": "Put",
		"action": "s3:PutObject",
		"resource": "arn:aws:s3:::a/p/*",
		"reason": "reaches beyond what Druid uses: s3:PutObject on arn:aws:s3:::a/p/msq-authz-probe",
	}]
}

test_a_grant_on_the_parent_prefix_reaches_beside_the_prefix if {
	policies := [policy([
		allow("ReadParent", "s3:GetObject", "arn:aws:s3:::a/durable/*"),
		object.union(allow("ListParent", "s3:ListBucket", "arn:aws:s3:::a"), {
			"Condition": {"StringLike": {"s3:prefix": "durable/*"}},
		}),
		allow("ReadSiblings", "s3:GetObject", "arn:aws:s3:::a/durable/msq*"),
	])]
	checks := [
		object.union(need("s3:GetObject", "arn:aws:s3:::a/durable/msq/*", {}), {"result": "allowed"}),
		object.union(listing("arn:aws:s3:::a", "durable/msq/"), {"result": "allowed"}),
	]
	privilege.excess(policies, checks, [location("a", "durable/msq", "durable/msq/")]) == [
		{
			"statement": "ReadParent",
			"action": "s3:GetObject",
			"resource": "arn:aws:s3:::a/durable/*",
			"reason": "reaches beyond what Druid uses: objects of a outside durable/msq/",
		},
		{
			"statement": "ListParent",
			"action": "s3:ListBucket",
			"resource": "arn:aws:s3:::a",
			"reason": "reaches beyond what Druid uses: listing a outside durable/msq/",
		},
		{
			"statement": "ReadSiblings",
			"action": "s3:GetObject",
			"resource": "arn:aws:s3:::a/durable/msq*",
			"reason": "reaches beyond what Druid uses: objects of a outside durable/msq/",
		},
	]
}
