# METADATA
# title: AWS IAM policy evaluation
# description: |
#   Pure functions that evaluate identity-based IAM policy documents against one request
#   {action, resource, context: {"s3:prefix": "..."}}, for the cases AWS documents. Anything this package cannot
#   evaluate (a condition on another key or with another operator, a policy variable, a Principal that names
#   someone) makes the statement "unknown": an Allow that depends on it never yields "allowed", and a Deny that
#   depends on it turns an otherwise allowed request into "unknown".
#   Sources: IAM User Guide, "Policy evaluation logic" and "The difference between explicit and implicit denies"
#   (reference_policies_evaluation-logic*.html) and "IAM JSON policy element reference"
#   (reference_policies_elements_*.html).
package msq.storage.iam

import data.msq.result

# --- documents and statements --------------------------------------------------------------------------------------

# A policy document, or its JSON text as a file holds it.
document(policy) := policy if is_object(policy)

document(policy) := json.unmarshal(policy) if {
	is_string(policy)
	json.is_valid(policy)
	is_object(json.unmarshal(policy))
}

# Policy documents as a list: one document, or several (their statements are evaluated together).
documents(policies) := policies if is_array(policies)

else := [policies] if is_object(policies)

else := []

# Statement, Action, Resource and condition values may each be one value or an array of them.
as_array(value) := value if is_array(value)

else := [] if is_null(value)

else := [value]

# Without Version a policy is "2008-10-17", where "${...}" is literal text, not a policy variable
# (reference_policies_elements_version.html).
version(doc) := object.get(doc, "Version", "2008-10-17")

# Every statement of every document, in document order, normalized.
statements(policies) := [normalize(st, i, j, version(doc)) |
	some i, policy in documents(policies)
	doc := document(policy)
	some j, st in as_array(object.get(doc, "Statement", null))
	is_object(st)
]

# A statement is named by its Sid, or by its place when it has none.
statement_id(st, i, j) := result.text(st.Sid) if {
	not is_null(object.get(st, "Sid", null))
	st.Sid != ""
} else := sprintf("policy[%d].statement[%d]", [i, j])

normalize(st, i, j, version) := {
	"id": statement_id(st, i, j),
	"effect": object.get(st, "Effect", ""),
	"action": element(st, "Action", "NotAction"),
	"resource": element(st, "Resource", "NotResource"),
	"condition": object.get(st, "Condition", {}),
	"principal": principal_state(st),
	"version": version,
}

# Action / NotAction and Resource / NotResource: a list of patterns, and whether the element is negated.
# A statement with neither matches nothing (AWS rejects such a policy).
element(st, positive, negative) := {"key": positive, "negated": false, "patterns": texts(st[positive])} if {
	not is_null(object.get(st, positive, null))
} else := {"key": negative, "negated": true, "patterns": texts(st[negative])} if {
	not is_null(object.get(st, negative, null))
} else := {"key": positive, "negated": false, "patterns": []}

texts(value) := [v | some v in as_array(value); is_string(v)]

# The element split into the parts a reviewer reads: one per pattern, or the whole negated element.
parts(el) := [object.union(el, {"patterns": [p], "label": p}) | some p in el.patterns] if not el.negated

else := [object.union(el, {"label": sprintf("%s: %s", [el.key, concat(", ", el.patterns)])})]

# Identity-based policies have no Principal. A resource-based statement applies to us only when it names everyone;
# whom else it names cannot be told from the policy alone.
principal_state(st) := "unknown" if {
	not is_null(object.get(st, "NotPrincipal", null))
} else := "yes" if {
	is_null(object.get(st, "Principal", null))
} else := "yes" if {
	st.Principal == "*"
} else := "yes" if {
	is_object(st.Principal)
	everyone := as_array(object.get(st.Principal, "AWS", null))
	count(everyone) > 0
	every p in everyone {
		p == "*"
	}
} else := "unknown"

# --- wildcards -------------------------------------------------------------------------------------------------------

# Regular-expression text for a literal piece of a pattern (RE2 metacharacters; * and ? are split out before).
literal(text) := escaped if {
	a := replace(text, `\`, `\\`)
	b := replace(a, ".", `\.`)
	c := replace(b, "+", `\+`)
	d := replace(c, "(", `\(`)
	e := replace(d, ")", `\)`)
	f := replace(e, "|", `\|`)
	g := replace(f, "[", `\[`)
	h := replace(g, "]", `\]`)
	k := replace(h, "{", `\{`)
	m := replace(k, "}", `\}`)
	n := replace(m, "^", `\^`)
	escaped := replace(n, "$", `\$`)
}

# A pattern with * (any run) and ? (any one character) as a regular expression.
wildcards(pattern, star, one) := concat(star, [concat(one, [literal(x) | some x in split(part, "?")]) |
	some part in split(pattern, "*")
])

anchored(expression) := concat("", ["^(?s:", expression, ")$"])

# Action names are case-insensitive: "iam:ListAccessKeys" is "IAM:listaccesskeys"; * and ? match any characters
# (reference_policies_elements_action.html).
action_match(pattern, action) if regex.match(anchored(wildcards(lower(pattern), ".*", ".")), lower(action))

# ARNs are case-sensitive. * and ? match within one colon-separated segment, and a * that ends a segment can
# expand beyond the colons (reference_policies_elements_resource.html, "Using wildcards in resource ARNs").
# Appending ":" to both sides makes a trailing * end a segment too.
arn_match(pattern, arn) if {
	segments := split(concat("", [pattern, ":"]), "*:")
	expression := concat(".*:", [wildcards(s, "[^:]*", "[^:]") | some s in segments])
	regex.match(anchored(expression), concat("", [arn, ":"]))
}

# StringLike: case-sensitive, * and ? anywhere in the value (reference_policies_elements_condition_operators.html).
string_like(pattern, value) if regex.match(anchored(wildcards(pattern, ".*", ".")), value)

# --- three-valued logic ------------------------------------------------------------------------------------------

# Every part must hold: one "no" decides, then one "unknown".
conjunction(states) := "no" if {
	"no" in states
} else := "unknown" if {
	"unknown" in states
} else := "yes"

# Whether a Resource element matches, given whether a plain pattern matched and whether a policy variable
# (which only the request's principal could resolve) might have.
element_state(el, true, _) := "no" if el.negated

element_state(el, true, _) := "yes" if not el.negated

element_state(_, false, true) := "unknown"

element_state(el, false, false) := "yes" if el.negated

element_state(el, false, false) := "no" if not el.negated

bool_state(true) := "yes"

bool_state(false) := "no"

# Policy variables are substituted only in Version 2012-10-17 documents (reference_policies_variables.html).
variable(text, "2012-10-17") if contains(text, "${")

action_state(el, action) := element_state(el, any_action(el, action), false)

default any_action(_, _) := false

any_action(el, action) if {
	some p in el.patterns
	action_match(p, action)
}

resource_state(el, arn, version) := element_state(
	el,
	any_resource(el, arn, version),
	has_variable(el.patterns, version),
)

default any_resource(_, _, _) := false

any_resource(el, arn, version) if {
	some p in el.patterns
	not variable(p, version)
	arn_match(p, arn)
}

default has_variable(_, _) := false

has_variable(values, version) if {
	some v in values
	variable(v, version)
}

# --- conditions --------------------------------------------------------------------------------------------------

# The operators this package evaluates, and whether each is negated. Keys it evaluates: s3:prefix.
operators := {
	"StringEquals": "positive",
	"StringLike": "positive",
	"StringNotEquals": "negated",
	"StringNotLike": "negated",
}

keys := {"s3:prefix"}

# Multiple operators, and multiple keys under one operator, are ANDed; multiple values of one key are ORed, and
# NORed for a negated operator (reference_policies_multi-value-conditions.html).
condition_state(st, context) := conjunction([clause(operator, key, values, context, st.version) |
	some operator, block in st.condition
	some key, values in block
]) if {
	is_object(st.condition)
	every block in st.condition {
		is_object(block)
	}
} else := "unknown"

# Context key names are not case-sensitive; values are, for these operators
# (reference_policies_elements_condition.html).
clause(operator, key, values, context, version) := "unknown" if {
	not operators[operator]
} else := "unknown" if {
	not lower(key) in keys
} else := "unknown" if {
	has_variable(texts(values), version)
} else := "unknown" if {
	some v in as_array(values)
	not is_string(v)
} else := bool_state(held == (operators[operator] == "positive")) if {
	held := holds(operator, as_array(values), request_values(context, key))
}

# A key missing from the request matches nothing: the positive operators are false and the negated ones true
# (reference_policies_elements_condition_operators.html).
request_values(context, key) := [v | some k, v in context; lower(k) == lower(key)] if is_object(context)

else := []

default holds(_, _, _) := false

holds(operator, values, actual) if {
	operator in {"StringEquals", "StringNotEquals"}
	some v in actual
	v in values
}

holds(operator, values, actual) if {
	operator in {"StringLike", "StringNotLike"}
	some v in actual
	is_string(v)
	some pattern in values
	string_like(pattern, v)
}

# --- evaluation --------------------------------------------------------------------------------------------------

# Whether a statement applies to a request: "yes", "no" or "unknown".
applies(st, request) := conjunction([
	st.principal,
	action_state(st.action, request.action),
	resource_state(st.resource, request.resource, st.version),
	condition_state(st, object.get(request, "context", {})),
])

ids(evaluated, effect, state) := [e.id | some e in evaluated; e.effect == effect; e.state == state]

# METADATA
# title: Evaluate a request
# description: |
#   {"result": "allowed"|"explicit_deny"|"implicit_deny"|"unknown", "statements": [deciding statement ids]}.
#   An explicit Deny overrides any Allow; without an applicable Allow the request is implicitly denied
#   (reference_policies_evaluation-logic_AccessPolicyLanguage_Interplay.html).
evaluate(policies, request) := decide(
	ids(evaluated, "Deny", "yes"),
	ids(evaluated, "Allow", "yes"),
	ids(evaluated, "Deny", "unknown"),
	ids(evaluated, "Allow", "unknown"),
) if {
	evaluated := [object.union(st, {"state": applies(st, request)}) | some st in statements(policies)]
}

decide(deny, allow, maybe_deny, maybe_allow) := {"result": "explicit_deny", "statements": deny} if {
	count(deny) > 0
} else := {"result": "allowed", "statements": allow} if {
	count(allow) > 0
	count(maybe_deny) == 0
} else := {"result": "unknown", "statements": maybe_deny} if {
	count(allow) > 0
} else := {"result": "unknown", "statements": array.concat(maybe_allow, maybe_deny)} if {
	count(maybe_allow) > 0
} else := {"result": "implicit_deny", "statements": []}
