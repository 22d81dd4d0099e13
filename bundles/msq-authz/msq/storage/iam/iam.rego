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

document(policy) := policy if is_object(policy)

document(policy) := json.unmarshal(policy) if {
	is_string(policy)
	json.is_valid(policy)
	is_object(json.unmarshal(policy))
}

documents(policies) := policies if is_array(policies)

else := [policies] if is_object(policies)

else := []

as_array(value) := value if is_array(value)

else := [] if is_null(value)

else := [value]

version(doc) := object.get(doc, "Version", "2008-10-17")

statements(policies) := [normalize(st, i, j, version(doc)) |
	some i, policy in documents(policies)
	doc := document(policy)
	some j, st in as_array(object.get(doc, "Statement", null))
	is_object(st)
]

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

element(st, positive, negative) := {"key": positive, "negated": false, "patterns": texts(st[positive])} if {
	not is_null(object.get(st, positive, null))
} else := {"key": negative, "negated": true, "patterns": texts(st[negative])} if {
	not is_null(object.get(st, negative, null))
} else := {"key": positive, "negated": false, "patterns": []}

texts(value) := [v | some v in as_array(value); is_string(v)]

parts(el) := [object.union(el, {"patterns": [p], "label": p}) | some p in el.patterns] if not el.negated

else := [object.union(el, {"label": sprintf("%s: %s", [el.key, concat(", ", el.patterns)])})]

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

wildcards(pattern, star, one) := concat(star, [concat(one, [literal(x) | some x in split(part, "?")]) |
	some part in split(pattern, "*")
])

anchored(expression) := concat("", ["^(?s:", expression, ")$"])

action_match(pattern, action) if regex.match(anchored(wildcards(lower(pattern), ".*", ".")), lower(action))

arn_match(pattern, arn) if {
	segments := split(concat("", [pattern, ":"]), "*:")
	expression := concat(".*:", [wildcards(s, "[^:]*", "[^:]") | some s in segments])
	regex.match(anchored(expression), concat("", [arn, ":"]))
}

string_like(pattern, value) if regex.match(anchored(wildcards(pattern, ".*", ".")), value)

conjunction(states) := "no" if {
	"no" in states
} else := "unknown" if {
	"unknown" in states
} else := "yes"

element_state(el, true, _) := "no" if el.negated

element_state(el, true, _) := "yes" if not el.negated

element_state(_, false, true) := "unknown"

element_state(el, false, false) := "yes" if el.negated

element_state(el, false, false) := "no" if not el.negated

bool_state(true) := "yes"

bool_state(false) := "no"

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

operators := {
	"StringEquals": "positive",
	"StringLike": "positive",
	"StringNotEquals": "negated",
	"StringNotLike": "negated",
}

keys := {"s3:prefix"}

condition_state(st, context) := conjunction([clause(operator, key, values, context, st.version) |
	some operator, block in st.condition
	some key, values in block
]) if {
	is_object(st.condition)
	every block in st.condition {
		is_object(block)
	}
} else := "unknown"

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
