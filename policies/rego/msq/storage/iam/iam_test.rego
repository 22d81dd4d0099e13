package msq.storage.iam_test

import data.msq.storage.iam

# --- helpers -----------------------------------------------------------------------------------------------------

policy(statements) := {"Version": "2012-10-17", "Statement": statements}

get(arn) := {"action": "s3:GetObject", "resource": arn, "context": {}}

put(arn) := {"action": "s3:PutObject", "resource": arn, "context": {}}

abort(arn) := {"action": "s3:AbortMultipartUpload", "resource": arn, "context": {}}

delete(arn) := {"action": "s3:DeleteObject", "resource": arn, "context": {}}

list(bucket, prefix) := {"action": "s3:ListBucket", "resource": bucket, "context": {"s3:prefix": prefix}}

allowed(ids) := {"result": "allowed", "statements": ids}

explicit_deny(ids) := {"result": "explicit_deny", "statements": ids}

unknown(ids) := {"result": "unknown", "statements": ids}

implicit_deny := {"result": "implicit_deny", "statements": []}

bucket := "arn:aws:s3:::acme-druid-msq"

objects := "arn:aws:s3:::acme-druid-msq/durable/msq/*"

stage_file := "arn:aws:s3:::acme-druid-msq/durable/msq/controller_query-1/stage_0/worker_0/part_0"

# --- AWS's own examples ----------------------------------------------------------------------------------------------

# IAM User Guide, "Amazon S3: Allows read and write access to objects in an S3 bucket"
# (reference_policies_examples_s3_rw-bucket.html): ListBucket on the bucket, "s3:*Object" on its objects.
aws_read_write := policy([
	{
		"Sid": "ListObjectsInBucket",
		"Effect": "Allow",
		"Action": ["s3:ListBucket"],
		"Resource": ["arn:aws:s3:::amzn-s3-demo-bucket"],
	},
	{
		"Sid": "AllObjectActions",
		"Effect": "Allow",
		"Action": "s3:*Object",
		"Resource": ["arn:aws:s3:::amzn-s3-demo-bucket/*"],
	},
])

test_aws_read_write_example_allows_object_actions_ending_in_object if {
	iam.evaluate([aws_read_write], get("arn:aws:s3:::amzn-s3-demo-bucket/a/b")) == allowed(["AllObjectActions"])
	iam.evaluate([aws_read_write], put("arn:aws:s3:::amzn-s3-demo-bucket/a")) == allowed(["AllObjectActions"])
	iam.evaluate([aws_read_write], delete("arn:aws:s3:::amzn-s3-demo-bucket/a")) == allowed(["AllObjectActions"])
}

test_aws_read_write_example_does_not_allow_abort_multipart_upload if {
	# "s3:*Object" ends in Object; AbortMultipartUpload does not, so durable storage's uploads cannot be aborted.
	iam.evaluate([aws_read_write], abort("arn:aws:s3:::amzn-s3-demo-bucket/a")) == implicit_deny
}

test_aws_read_write_example_lists_the_bucket_with_any_prefix if {
	demo_bucket := "arn:aws:s3:::amzn-s3-demo-bucket"
	iam.evaluate([aws_read_write], list(demo_bucket, "durable/")) == allowed(["ListObjectsInBucket"])
	iam.evaluate([aws_read_write], list("arn:aws:s3:::other-bucket", "durable/")) == implicit_deny
}

# Amazon S3 User Guide, "Bucket policy examples using condition keys", limiting a listing to the "projects" prefix
# (amazon-s3-policy-keys.html), as an identity-based policy: an Allow with StringEquals and a Deny with
# StringNotEquals on s3:prefix.
aws_projects_only := policy([
	{
		"Sid": "statement1",
		"Effect": "Allow",
		"Action": "s3:ListBucket",
		"Resource": "arn:aws:s3:::amzn-s3-demo-bucket",
		"Condition": {"StringEquals": {"s3:prefix": "projects"}},
	},
	{
		"Sid": "statement2",
		"Effect": "Deny",
		"Action": "s3:ListBucket",
		"Resource": "arn:aws:s3:::amzn-s3-demo-bucket",
		"Condition": {"StringNotEquals": {"s3:prefix": "projects"}},
	},
])

test_aws_prefix_example_allows_listing_the_prefix if {
	iam.evaluate([aws_projects_only], list("arn:aws:s3:::amzn-s3-demo-bucket", "projects")) == allowed(["statement1"])
}

test_aws_prefix_example_denies_listing_another_prefix if {
	iam.evaluate([aws_projects_only], list("arn:aws:s3:::amzn-s3-demo-bucket", "projects/")) == explicit_deny([
		"statement2",
	])
}

test_aws_prefix_example_denies_a_listing_without_prefix if {
	# A key missing from the request makes StringNotEquals true (reference_policies_elements_condition_operators.html).
	request := {"action": "s3:ListBucket", "resource": "arn:aws:s3:::amzn-s3-demo-bucket"}
	iam.evaluate([aws_projects_only], request) == explicit_deny(["statement2"])
}

# IAM User Guide, NotAction with Allow: every S3 action on any S3 resource except deleting a bucket
# (reference_policies_elements_notaction.html).
aws_not_delete_bucket := policy([{"Effect": "Allow", "NotAction": "s3:DeleteBucket", "Resource": "arn:aws:s3:::*"}])

test_not_action_allows_every_other_action if {
	iam.evaluate([aws_not_delete_bucket], get(stage_file)) == allowed(["policy[0].statement[0]"])
	iam.evaluate([aws_not_delete_bucket], list(bucket, "durable/msq/")) == allowed(["policy[0].statement[0]"])
	iam.evaluate([aws_not_delete_bucket], {"action": "s3:DeleteBucket", "resource": bucket}) == implicit_deny
}

test_not_action_with_deny_denies_what_it_does_not_list if {
	# IAM User Guide: NotAction with Deny denies everything not listed (here: everything but reads).
	policies := [policy([
		{"Sid": "All", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
		{"Sid": "ReadOnly", "Effect": "Deny", "NotAction": ["s3:Get*", "s3:List*"], "Resource": "*"},
	])]
	iam.evaluate(policies, get(stage_file)) == allowed(["All"])
	iam.evaluate(policies, list(bucket, "durable/msq/")) == allowed(["All"])
	iam.evaluate(policies, put(stage_file)) == explicit_deny(["ReadOnly"])
}

# IAM User Guide, NotResource with Deny: nothing in S3 but the Payroll folder
# (reference_policies_elements_notresource.html).
aws_payroll_only := policy([
	{"Sid": "AllowS3", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
	{
		"Sid": "DenyAllButPayroll",
		"Effect": "Deny",
		"Action": "s3:*",
		"NotResource": ["arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"],
	},
])

test_not_resource_deny_spares_only_the_listed_resources if {
	iam.evaluate([aws_payroll_only], get("arn:aws:s3:::HRBucket/Payroll/2024.csv")) == allowed(["AllowS3"])
	iam.evaluate([aws_payroll_only], get("arn:aws:s3:::HRBucket/Other/2024.csv")) == explicit_deny(["DenyAllButPayroll"])
	iam.evaluate([aws_payroll_only], get(stage_file)) == explicit_deny(["DenyAllButPayroll"])
}

test_not_resource_allow_grants_everything_else if {
	policies := [policy([{"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secrets/*"}])]
	iam.evaluate(policies, get(stage_file)) == allowed(["policy[0].statement[0]"])
	iam.evaluate(policies, get("arn:aws:s3:::secrets/key")) == implicit_deny
}

# --- explicit and implicit deny ------------------------------------------------------------------------------------

test_explicit_deny_overrides_an_allow if {
	policies := [policy([
		{"Sid": "Objects", "Effect": "Allow", "Action": "s3:*Object", "Resource": "arn:aws:s3:::acme-druid-msq/*"},
		{"Sid": "NoDeletes", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"},
	])]
	iam.evaluate(policies, delete(stage_file)) == explicit_deny(["NoDeletes"])
	iam.evaluate(policies, get(stage_file)) == allowed(["Objects"])
}

test_every_applicable_statement_is_named if {
	policies := [policy([
		{"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": objects},
		{"Sid": "B", "Effect": "Allow", "Action": "s3:Get*", "Resource": "*"},
		{"Sid": "C", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"},
		{"Sid": "D", "Effect": "Deny", "Action": "s3:Put*", "Resource": objects},
	])]
	iam.evaluate(policies, get(stage_file)) == allowed(["A", "B"])
	iam.evaluate(policies, put(stage_file)) == explicit_deny(["C", "D"])
}

test_no_matching_allow_is_an_implicit_deny if {
	reads := policy([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": objects}])
	iam.evaluate([reads], put(stage_file)) == implicit_deny
	iam.evaluate([], get(stage_file)) == implicit_deny
	iam.evaluate([policy([])], get(stage_file)) == implicit_deny
}

test_two_policy_documents_are_evaluated_together if {
	grants := policy([{"Effect": "Allow", "Action": ["s3:GetObject", "s3:DeleteObject"], "Resource": objects}])
	guardrail := policy([{"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}])
	iam.evaluate([grants, guardrail], get(stage_file)) == allowed(["policy[0].statement[0]"])
	iam.evaluate([grants, guardrail], delete(stage_file)) == explicit_deny(["policy[1].statement[0]"])
	iam.evaluate([guardrail, grants], delete(stage_file)) == explicit_deny(["policy[0].statement[0]"])
}

# --- actions -----------------------------------------------------------------------------------------------------

test_service_wildcard_matches_every_s3_action if {
	policies := [policy([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}])]
	requests := [get(stage_file), put(stage_file), abort(stage_file), delete(stage_file), list(bucket, "durable/msq/")]
	every request in requests {
		iam.evaluate(policies, request) == allowed(["policy[0].statement[0]"])
	}
}

test_prefix_wildcard_matches_only_its_actions if {
	policies := [policy([{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}])]
	iam.evaluate(policies, get(stage_file)) == allowed(["policy[0].statement[0]"])
	iam.evaluate(policies, put(stage_file)) == implicit_deny
	iam.evaluate(policies, list(bucket, "")) == implicit_deny
}

test_action_names_are_case_insensitive if {
	policies := [policy([{"Effect": "Allow", "Action": ["S3:getobject", "s3:LISTbucket"], "Resource": "*"}])]
	iam.evaluate(policies, get(stage_file)) == allowed(["policy[0].statement[0]"])
	iam.evaluate(policies, list(bucket, "durable/msq/")) == allowed(["policy[0].statement[0]"])
	iam.evaluate(policies, {"action": "S3:GETOBJECT", "resource": stage_file}) == allowed(["policy[0].statement[0]"])
}

test_question_mark_matches_one_character_of_an_action if {
	iam.action_match("s3:?etObject", "s3:GetObject")
	not iam.action_match("s3:?Object", "s3:GetObject")
	iam.action_match("*", "s3:GetObject")
	not iam.action_match("s3:Get", "s3:GetObject")
}

# --- resources ---------------------------------------------------------------------------------------------------

test_bucket_arn_does_not_match_its_objects if {
	policies := [policy([{"Effect": "Allow", "Action": "s3:*", "Resource": bucket}])]
	iam.evaluate(policies, list(bucket, "durable/msq/")) == allowed(["policy[0].statement[0]"])
	iam.evaluate(policies, get(stage_file)) == implicit_deny
}

test_object_wildcard_does_not_match_the_bucket if {
	# A common mistake: ListBucket on bucket/* grants nothing, ListBucket is checked against the bucket ARN.
	policies := [policy([{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::acme-druid-msq/*"}])]
	iam.evaluate(policies, get(stage_file)) == allowed(["policy[0].statement[0]"])
	iam.evaluate(policies, list(bucket, "durable/msq/")) == implicit_deny
}

test_trailing_wildcard_without_slash_matches_bucket_and_objects_and_more_buckets if {
	policies := [policy([{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::acme-druid-msq*"}])]
	iam.evaluate(policies, get(stage_file)) == allowed(["policy[0].statement[0]"])
	iam.evaluate(policies, list(bucket, "durable/msq/")) == allowed(["policy[0].statement[0]"])
	iam.evaluate(policies, list("arn:aws:s3:::acme-druid-msq-backup", "")) == allowed(["policy[0].statement[0]"])
}

test_prefix_wildcard_matches_only_objects_under_it if {
	policies := [policy([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": objects}])]
	iam.evaluate(policies, get(stage_file)) == allowed(["policy[0].statement[0]"])
	iam.evaluate(policies, get("arn:aws:s3:::acme-druid-msq/durable/other")) == implicit_deny
	iam.evaluate(policies, get("arn:aws:s3:::acme-druid-msq/durable/msq")) == implicit_deny
}

test_arns_are_case_sensitive if {
	policies := [policy([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::Acme-Druid-MSQ/*"}])]
	iam.evaluate(policies, get(stage_file)) == implicit_deny
}

test_arn_wildcards_stay_within_a_segment_unless_they_end_it if {
	# reference_policies_elements_resource.html: a * that is the last character of a segment can match across
	# colons; elsewhere * and ? match within the segment.
	iam.arn_match("arn:aws:s3:::*", "arn:aws:s3:::bucket/key:with:colons")
	iam.arn_match("*", "arn:aws:s3:::bucket")
	iam.arn_match("arn:aws:s3:*:*:bucket", "arn:aws:s3:::bucket")
	iam.arn_match("arn:aws:s3:::bucket/*/part", "arn:aws:s3:::bucket/a/b/part")
	not iam.arn_match("arn:aws:s3:::a*b", "arn:aws:s3:::a:x:b")
	iam.arn_match("arn:aws:s3:::bucket-?", "arn:aws:s3:::bucket-1")
	not iam.arn_match("arn:aws:s3:::bucket-?", "arn:aws:s3:::bucket-10")
	not iam.arn_match("arn:aws:s3:::bucket?x", "arn:aws:s3:::bucket:x")
}

test_regex_characters_in_arns_are_literal if {
	iam.arn_match("arn:aws:s3:::acme.data+x/(a)[b]{c}^$|\\/*", "arn:aws:s3:::acme.data+x/(a)[b]{c}^$|\\/key")
	not iam.arn_match("arn:aws:s3:::acme.data/*", "arn:aws:s3:::acmeXdata/key")
	not iam.arn_match("arn:aws:s3:::a+/*", "arn:aws:s3:::aa/key")
}

test_policy_variables_are_unknown_in_2012_policies if {
	# IAM User Guide home-directory example: objects under home/${aws:username}/.
	policies := [policy([{
		"Sid": "HomeDirectory",
		"Effect": "Allow",
		"Action": "s3:*",
		"Resource": "arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/*",
	}])]
	iam.evaluate(policies, get("arn:aws:s3:::amzn-s3-demo-bucket/home/alice/x")) == unknown(["HomeDirectory"])
}

test_policy_variables_are_literal_text_without_version if {
	policies := [{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/${x}/*"}]}]
	iam.evaluate(policies, get("arn:aws:s3:::b/${x}/k")) == allowed(["policy[0].statement[0]"])
	iam.evaluate(policies, get("arn:aws:s3:::b/y/k")) == implicit_deny
}

test_a_plain_resource_decides_before_a_variable_one if {
	st := {"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::b/home/${aws:username}/*", "arn:aws:s3:::b/*"]}
	iam.evaluate([policy([st])], get("arn:aws:s3:::b/home/alice/x")) == allowed(["policy[0].statement[0]"])
}

test_not_resource_with_a_variable_is_unknown_unless_a_plain_pattern_matches if {
	st := {
		"Effect": "Deny",
		"Action": "s3:*",
		"NotResource": ["arn:aws:s3:::b/home/${aws:username}/*", "arn:aws:s3:::b/public/*"],
	}
	allow := {"Sid": "All", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}
	iam.evaluate([policy([allow, st])], get("arn:aws:s3:::b/public/x")) == allowed(["All"])
	iam.evaluate([policy([allow, st])], get("arn:aws:s3:::b/home/alice/x")) == unknown(["policy[0].statement[1]"])
}

# --- conditions --------------------------------------------------------------------------------------------------

listing(condition) := policy([{
	"Sid": "List",
	"Effect": "Allow",
	"Action": "s3:ListBucket",
	"Resource": bucket,
	"Condition": condition,
}])

test_string_like_on_s3_prefix if {
	policies := [listing({"StringLike": {"s3:prefix": "durable/msq/*"}})]
	iam.evaluate(policies, list(bucket, "durable/msq/")) == allowed(["List"])
	iam.evaluate(policies, list(bucket, "durable/msq/controller_query-1")) == allowed(["List"])
	iam.evaluate(policies, list(bucket, "durable/")) == implicit_deny
	iam.evaluate(policies, {"action": "s3:ListBucket", "resource": bucket}) == implicit_deny
}

test_several_values_are_any_of if {
	policies := [listing({"StringLike": {"s3:prefix": ["", "home/", "home/*/logs/?"]}})]
	iam.evaluate(policies, list(bucket, "")) == allowed(["List"])
	iam.evaluate(policies, list(bucket, "home/")) == allowed(["List"])
	iam.evaluate(policies, list(bucket, "home/alice/logs/1")) == allowed(["List"])
	iam.evaluate(policies, list(bucket, "home/alice/logs/12")) == implicit_deny
}

test_string_equals_is_exact_and_case_sensitive if {
	policies := [listing({"StringEquals": {"s3:prefix": ["durable/msq/"]}})]
	iam.evaluate(policies, list(bucket, "durable/msq/")) == allowed(["List"])
	iam.evaluate(policies, list(bucket, "Durable/msq/")) == implicit_deny
	iam.evaluate(policies, list(bucket, "durable/msq/controller_x")) == implicit_deny
}

test_condition_key_names_are_case_insensitive if {
	policies := [listing({"StringEquals": {"S3:Prefix": "durable/msq/"}})]
	iam.evaluate(policies, list(bucket, "durable/msq/")) == allowed(["List"])
	upper_case_key := {"action": "s3:ListBucket", "resource": bucket, "context": {"S3:PREFIX": "durable/msq/"}}
	iam.evaluate(policies, upper_case_key) == allowed(["List"])
}

test_negated_operators_are_nor_of_their_values if {
	policies := [listing({"StringNotLike": {"s3:prefix": ["private/*", "secret/*"]}})]
	iam.evaluate(policies, list(bucket, "durable/msq/")) == allowed(["List"])
	iam.evaluate(policies, list(bucket, "secret/x")) == implicit_deny
	iam.evaluate(policies, {"action": "s3:ListBucket", "resource": bucket, "context": {}}) == allowed(["List"])
	iam.evaluate(policies, {"action": "s3:ListBucket", "resource": bucket, "context": "no context"}) == allowed(["List"])
}

test_several_operators_are_all_of if {
	policies := [listing({
		"StringLike": {"s3:prefix": "durable/*"},
		"StringNotEquals": {"s3:prefix": "durable/secret/"},
	})]
	iam.evaluate(policies, list(bucket, "durable/msq/")) == allowed(["List"])
	iam.evaluate(policies, list(bucket, "durable/secret/")) == implicit_deny
}

test_allow_on_another_condition_key_is_unknown if {
	# The S3 docs' IP example: a condition on aws:SourceIp cannot be evaluated from the policy alone.
	policies := [listing({"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}})]
	iam.evaluate(policies, list(bucket, "durable/msq/")) == unknown(["List"])
}

test_deny_on_another_condition_key_makes_an_allowed_request_unknown if {
	policies := [policy([
		{"Sid": "Objects", "Effect": "Allow", "Action": "s3:*", "Resource": objects},
		{
			"Sid": "OnlyFromVpc",
			"Effect": "Deny",
			"Action": "s3:*",
			"Resource": "*",
			"Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
		},
	])]
	iam.evaluate(policies, get(stage_file)) == unknown(["OnlyFromVpc"])
	iam.evaluate(policies, get("arn:aws:s3:::elsewhere/x")) == implicit_deny
}

test_an_unknown_allow_with_an_unknown_deny_names_both if {
	policies := [policy([
		{
			"Sid": "A", "Effect": "Allow", "Action": "s3:*", "Resource": "*",
			"Condition": {"Bool": {"aws:SecureTransport": "true"}},
		},
		{
			"Sid": "D", "Effect": "Deny", "Action": "s3:*", "Resource": "*",
			"Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
		},
	])]
	iam.evaluate(policies, get(stage_file)) == unknown(["A", "D"])
}

test_a_known_false_part_decides_before_an_unknown_one if {
	policies := [listing({
		"IpAddress": {"aws:SourceIp": "192.0.2.0/24"},
		"StringEquals": {"s3:prefix": "other/"},
	})]
	iam.evaluate(policies, list(bucket, "durable/msq/")) == implicit_deny
}

test_unsupported_operators_on_s3_prefix_are_unknown if {
	every operator in ["StringEqualsIgnoreCase", "StringLikeIfExists", "ForAnyValue:StringLike", "Null"] {
		iam.evaluate([listing({operator: {"s3:prefix": "durable/msq/"}})], list(bucket, "durable/msq/")) == unknown(["List"])
	}
}

test_malformed_conditions_are_unknown if {
	iam.evaluate([listing({"StringLike": "durable/*"})], list(bucket, "durable/msq/")) == unknown(["List"])
	iam.evaluate([listing("durable/*")], list(bucket, "durable/msq/")) == unknown(["List"])
	iam.evaluate([listing({"StringEquals": {"s3:prefix": 7}})], list(bucket, "7")) == unknown(["List"])
}

test_policy_variables_in_condition_values_are_unknown if {
	policies := [listing({"StringLike": {"s3:prefix": "home/${aws:username}/*"}})]
	iam.evaluate(policies, list(bucket, "home/alice/")) == unknown(["List"])
}

# --- principals and malformed statements --------------------------------------------------------------------------

test_a_statement_for_everyone_applies if {
	every principal in ["*", {"AWS": "*"}, {"AWS": ["*"]}] {
		st := {"Sid": "Public", "Effect": "Allow", "Principal": principal, "Action": "s3:GetObject", "Resource": objects}
		iam.evaluate([policy([st])], get(stage_file)) == allowed(["Public"])
	}
}

test_a_statement_for_someone_else_is_unknown if {
	every principal in [{"AWS": "arn:aws:iam::111122223333:role/druid"}, {"Service": "ec2.amazonaws.com"}] {
		st := {"Sid": "Named", "Effect": "Allow", "Principal": principal, "Action": "s3:GetObject", "Resource": objects}
		iam.evaluate([policy([st])], get(stage_file)) == unknown(["Named"])
	}
	not_principal := {"Sid": "Named", "Effect": "Allow", "NotPrincipal": {"AWS": "x"}, "Action": "s3:*", "Resource": "*"}
	iam.evaluate([policy([not_principal])], get(stage_file)) == unknown(["Named"])
}

test_statements_without_effect_action_or_resource_grant_nothing if {
	policies := [policy([
		{"Effect": "allow", "Action": "s3:*", "Resource": "*"},
		{"Effect": "Allow", "Resource": "*"},
		{"Effect": "Allow", "Action": "s3:*"},
		"not a statement",
	])]
	iam.evaluate(policies, get(stage_file)) == implicit_deny
}

test_statement_may_be_one_object_and_policy_json_text if {
	one := {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": objects}}
	iam.evaluate([one], get(stage_file)) == allowed(["policy[0].statement[0]"])
	iam.evaluate(one, get(stage_file)) == allowed(["policy[0].statement[0]"])
	iam.evaluate([json.marshal(one)], get(stage_file)) == allowed(["policy[0].statement[0]"])
	iam.evaluate(["{not json"], get(stage_file)) == implicit_deny
	iam.evaluate("text", get(stage_file)) == implicit_deny
}

test_empty_sid_names_the_statement_by_place if {
	st := {"Sid": "", "Effect": "Allow", "Action": "s3:GetObject", "Resource": objects}
	iam.evaluate([policy([]), policy([{}, st])], get(stage_file)) == allowed(["policy[1].statement[1]"])
}

# --- elements as a reviewer reads them ----------------------------------------------------------------------------

test_statements_are_normalized if {
	iam.statements([policy([{"Sid": "S", "Effect": "Deny", "NotAction": "s3:Get*", "Resource": [bucket, objects]}])]) == [{
		"id": "S",
		"effect": "Deny",
		"action": {"key": "NotAction", "negated": true, "patterns": ["s3:Get*"]},
		"resource": {"key": "Resource", "negated": false, "patterns": [bucket, objects]},
		"condition": {},
		"principal": "yes",
		"version": "2012-10-17",
	}]
}

test_parts_split_a_positive_element_and_keep_a_negated_one_whole if {
	iam.parts({"key": "Action", "negated": false, "patterns": ["s3:GetObject", "s3:PutObject"]}) == [
		{"key": "Action", "negated": false, "patterns": ["s3:GetObject"], "label": "s3:GetObject"},
		{"key": "Action", "negated": false, "patterns": ["s3:PutObject"], "label": "s3:PutObject"},
	]
	iam.parts({"key": "NotResource", "negated": true, "patterns": ["a", "b"]}) == [
		{"key": "NotResource", "negated": true, "patterns": ["a", "b"], "label": "NotResource: a, b"},
	]
}
