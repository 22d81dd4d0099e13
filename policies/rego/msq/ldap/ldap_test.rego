package msq.ldap_test

import data.msq.ldap

# The tests' views of the package's answers: a valid name's RDNs (index 0 the rightmost), whether a mask certainly
# matches, and group_resolution's roles (none when it has errors) and errors.
parse(dn) := parsed.rdns if {
	parsed := ldap.parse_result(dn)
	parsed.status == "valid"
}

mask_matches(mask, dn) if ldap.mask_outcome(mask, dn) == "match"

group_roles(group_dns, group_mappings, group_filters) := resolved.roles if {
	resolved := ldap.group_resolution(group_dns, group_mappings, group_filters)
	count(resolved.errors) == 0
} else := set()

group_errors(dns, mappings, filters) := ldap.group_resolution(dns, mappings, filters).errors

# --- Reading names ---

test_parse_normalizes_the_spec_example if {
	ldap.parse_result("CN=Analysts, OU=Groups, DC=example, DC=com") == {
		"status": "valid",
		"rdns": [["dc=COM"], ["dc=EXAMPLE"], ["ou=GROUPS"], ["cn=ANALYSTS"]],
		"fold": "cn=analysts, ou=groups, dc=example, dc=com",
	}
}

test_parse_multi_valued_rdns_sort_their_pairs if {
	parse("OU=B + CN=A,dc=x") == [["dc=X"], ["cn=A", "ou=B"]]
	parse("cn=a+cn=A") == [["cn=A", "cn=A"]]
}

test_parse_escapes if {
	parse(`cn=a\,b\+c\"d\\e\3Cf\;g`) == [[`cn=A,B+C"D\E<F;G`]]
	parse(`cn=\c3\a9t\C3\A9,o=\E2\82\AC`) == [["o=€"], ["cn=ÉTÉ"]]
	parse(`uid=a=b<c>#d`) == [["uid=A=B<C>#D"]]
}

# Java's UTF-8 decoder: E0 80 is three bad bytes, ED A0 80 (a surrogate) one, a cut F0 9F 98 one.
test_parse_ill_formed_utf8_as_java_decodes_it if {
	parse(`cn=\e0\80\80\ed\a0\80\f0\9f\98`) == [["cn=\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD"]]
	parse(`cn=\f0\9f\98\80`) == [["cn=😀"]]
}

test_parse_binary_values if {
	parse("cn=#0A1b") == [["cn=#0a1b"]]
	parse("cn=#") == [["cn=#"]]
	ldap.parse_result("cn=#abc") == {"status": "error", "reason": "a #hex value that is not hex pairs"}
}

test_parse_whitespace_rules if {
	parse(` cn = a b ,ou= "  c, d  " `) == [["ou=  C, D "], ["cn=A B"]]
	parse(`cn=a\ `) == [["cn=A "]]
	parse(`cn=a\20`) == [["cn=A"]]
	parse("cn=a\r") == [["cn=A"]]
	parse("cn=a\t") == [["cn=A\t"]]
}

test_parse_separators if {
	parse("cn=a;ou=b") == [["ou=B"], ["cn=A"]]
	parse("cn=a,") == [[], ["cn=A"]]
	parse("cn=a+") == [["cn=A"]]
	parse("") == []
}

test_parse_invalid_names if {
	invalid := {"status": "invalid", "reason": "not an RFC 2253 name"}
	ldap.parse_result("cn=a, ") == invalid
	ldap.parse_result("cn=a+ ") == invalid
	ldap.parse_result(";") == invalid
	ldap.parse_result("cn") == invalid
	ldap.parse_result(`cn="a"b`) == invalid
	ldap.parse_result(`cn=a\`) == invalid
}

# The JDK unescapes each value as it reads it: an earlier value's exception comes before a later syntax error,
# but a value cut by a trailing backslash fails before it is unescaped.
test_parse_first_exception_wins if {
	ldap.parse_result(`cn=\zz,x`) == {
		"status": "error",
		"reason": "a backslash before a letter or digit that is not a hex pair",
	}
	ldap.parse_result(`cn=\zz\`).status == "invalid"
	ldap.parse_result(`cn="",`).status == "error"
	ldap.parse_result(`cn=a,ou=#zz x,o=b`).status == "error"
	ldap.parse_result(`cn=\41,ou="b" x`).status == "invalid"
	ldap.parse_result(`cn=a+ou=\zz+`).status == "error"
	ldap.parse_result(`cn=a,ü=x,ou=\zz,`).status == "refused"
}

test_parse_errors if {
	ldap.parse_result(`cn=""`) == {"status": "error", "reason": "an empty quoted value"}
	ldap.parse_result(`cn=\4`).status == "error"
	ldap.parse_result(42) == {"status": "error", "reason": "not a string"}
}

test_parse_refusals if {
	ldap.parse_result("ü=x") == {"status": "refused", "reason": "a non-ASCII attribute type"}
	ldap.parse_result(`cn=\é`) == {"status": "refused", "reason": "a non-ASCII character after a backslash"}
	ldap.parse_result("cn=#٣٤") == {"status": "refused", "reason": "a non-ASCII character in a #hex value"}
	ldap.parse_result("cn=\u2C2F") == {"status": "refused", "reason": "a character whose case mapping is not certain"}
	ldap.parse_result(`cn=\e2\b0\af`) == {"status": "refused", "reason": "a character whose case mapping is not certain"}
	ldap.parse_result(concat("", ["cn=", concat("", ["a" | some _ in numbers.range(1, 1030)])])) == {
		"status": "refused", "reason": "longer than 1024 characters",
	}
	ldap.parse_result(concat("", [concat(",", ["c=x" | some _ in numbers.range(1, 64)]), ","])) == {
		"status": "refused", "reason": "more than 64 RDNs",
	}
	ldap.parse_result(concat("+", ["c=x" | some _ in numbers.range(1, 65)])) == {
		"status": "refused", "reason": "more than 64 attribute-value pairs",
	}
}

# --- Comparing names ---

test_names_equal_ignores_case_and_spaces if {
	ldap.names_equal("CN=Analysts, OU=Groups, DC=example, DC=com", "cn=analysts,ou=groups,dc=example,dc=com")
	ldap.names_equal(`cn=Ana\6cysts;ou=groups`, `CN="ANALYSTS" , OU=GROUPS`)
	ldap.names_equal("cn=a+ou=b", "OU=B + CN=A")
	ldap.names_equal(`cn=\#12`, "cn=#12")
	ldap.names_equal("cn=ß,dc=x", "CN=SS, dc=x")
	not ldap.names_equal("cn=a+cn=a", "cn=a")
	not ldap.names_equal("cn=a", "cn=b")
	not ldap.names_equal("cn=a", "cn=a,")
}

# LdapName.equals first compares the strings with equalsIgnoreCase: the Kelvin sign is "k" there, not RDN by RDN.
test_names_equal_string_shortcut if {
	ldap.names_equal("cn=\u212A", "cn=k")
	not ldap.starts_with("cn=\u212A", "cn=k")
	not ldap.names_equal("cn=\u212A,dc=x", "cn=k, dc=x")
	ldap.names_equal("cn=ß", "cn=ẞ")
}

test_names_equal_needs_valid_names if {
	not ldap.names_equal("cn=a, ", "cn=a, ")
	not ldap.names_equal(`cn=""`, `cn=""`)
	not ldap.names_equal("ü=x", "ü=x")
}

test_starts_with_counts_from_the_right if {
	ldap.starts_with("cn=x,ou=groups,dc=example,dc=com", "ou=groups,DC=Example;DC=COM")
	ldap.starts_with("cn=x,ou=groups", "cn=x,ou=groups")
	ldap.starts_with("cn=x,ou=groups", "")
	not ldap.starts_with("cn=x,ou=groups", "cn=x")
	not ldap.starts_with("ou=groups", "cn=x,ou=groups")
}

test_ends_with_counts_from_the_left if {
	ldap.ends_with("cn=x,ou=groups,dc=example,dc=com", "CN=X, OU=Groups")
	ldap.ends_with("cn=x,ou=groups", "")
	not ldap.ends_with("cn=x,ou=groups,dc=example,dc=com", "ou=groups,dc=example,dc=com")
}

# --- Masks ---

test_mask_outcomes if {
	ldap.mask_outcome("*,ou=groups,dc=example,dc=com", "cn=x,ou=groups,dc=example,dc=com") == "match"
	ldap.mask_outcome("*,ou=groups,dc=example,dc=com", "ou=groups,dc=example,dc=com") == "match"
	ldap.mask_outcome("*,ou=groups,dc=example,dc=com", "cn=x,ou=other,dc=example,dc=com") == "nomatch"
	ldap.mask_outcome("cn=x,ou=groups,*", "cn=x,ou=groups,dc=example,dc=com") == "match"
	ldap.mask_outcome("cn=x,*", "cn=y,ou=groups") == "nomatch"
	ldap.mask_outcome("CN=X, OU=Groups", "cn=x,ou=groups") == "match"
	ldap.mask_outcome("*,", "cn=x") == "match"
	ldap.mask_outcome(",*", "cn=x") == "match"
}

test_mask_outcomes_when_something_does_not_parse if {
	ldap.mask_outcome("*,*", "cn=x") == "druid_error"
	ldap.mask_outcome("*", "cn=x") == "druid_error"
	ldap.mask_outcome(" *,cn=x", "cn=x") == "druid_error"
	ldap.mask_outcome("*,cn=x", "cn=x, ") == "dn_invalid"
	ldap.mask_outcome("*,cn=x", `cn=\zz`) == "dn_error"
	ldap.mask_outcome("*,ü=x", "cn=x") == "refused"
	ldap.mask_outcome("*,cn=x", "ü=x") == "refused"
	ldap.mask_outcome(null, "cn=x") == "druid_error"
}

test_mask_matches if {
	mask_matches("*,ou=groups,dc=example,dc=com", "cn=analysts,ou=groups,dc=example,dc=com")
	not mask_matches("*,ou=groups,dc=example,dc=com", "cn=analysts,ou=other,dc=example,dc=com")
	not mask_matches("*,*", "cn=x")
	not mask_matches("*,cn=x", "ü=x,cn=x")
}

# --- Groups to roles ---

mappings := {
	"analysts": {"groupPattern": "*,ou=groups,dc=example,dc=com", "roles": ["analyst"]},
	"admins": {"groupPattern": "cn=admins,ou=groups,dc=example,dc=com", "roles": ["admin", "analyst"]},
	"ops": {"groupPattern": "cn=ops,*", "roles": ["operator"]},
	"none": {"groupPattern": "cn=nobody,dc=example,dc=com"},
}

test_group_resolution_maps_groups_to_roles if {
	groups := ["CN=Admins, OU=Groups, DC=example, DC=com", "cn=ops,ou=teams,o=acme", "not a name", "cn=x,o=other"]
	ldap.group_resolution(groups, mappings, null) == {"roles": {"admin", "analyst", "operator"}, "errors": set()}
	group_roles(groups, mappings, null) == {"admin", "analyst", "operator"}
	group_errors(groups, mappings, null) == set()
}

test_group_filters_keep_matching_groups if {
	groups := ["cn=admins,ou=groups,dc=example,dc=com", "cn=ops,ou=teams,o=acme"]
	group_roles(groups, mappings, ["*,o=acme"]) == {"operator"}
	group_roles(groups, mappings, ["*,o=acme", "cn=admins,*"]) == {"admin", "analyst", "operator"}
	group_roles(groups, mappings, []) == set()
}

# Filters are tried in String order until one matches: an invalid filter after a match is never read.
test_group_filters_that_do_not_parse if {
	groups := ["cn=ops,ou=teams,o=acme"]
	group_roles(groups, mappings, ["*,o=acme", "zzz"]) == {"operator"}
	group_errors(groups, mappings, ["yyy", "*,o=acme"]) == set()
	group_errors(groups, mappings, ["*,o=other", "zzz"]) == {{
		"status": "error", "value": "zzz", "reason": "groupFilter: not an RFC 2253 name",
	}}
	group_roles(groups, mappings, ["*,o=other", "zzz"]) == set()

	# Past U+E000, Rego's order of strings is not String.compareTo's: the filter may have been reached.
	group_errors(groups, mappings, ["*,o=acme", "\uE000"]) == {{
		"status": "refused", "value": "\uE000", "reason": "groupFilter: not an RFC 2253 name",
	}}
}

test_group_mappings_that_do_not_parse if {
	broken := object.union(mappings, {"broken": {"groupPattern": "*,*", "roles": ["x"]}})
	group_errors(["cn=ops,o=acme"], broken, null) == {{
		"status": "error", "value": "*,*", "reason": "groupPattern: not an RFC 2253 name",
	}}
	group_roles(["cn=ops,o=acme"], broken, null) == set()

	# Without a group, Druid reads no pattern.
	ldap.group_resolution(["not a name"], broken, null) == {"roles": set(), "errors": set()}
}

test_group_values_druid_cannot_read if {
	group_errors(["cn=ops,o=acme", `cn=\zz`], mappings, null) == {{
		"status": "error", "value": `cn=\zz`,
		"reason": "a backslash before a letter or digit that is not a hex pair",
	}}
	group_errors(["cn=ops,o=acme", "ü=x"], mappings, null) == {{
		"status": "refused", "value": "ü=x", "reason": "a non-ASCII attribute type",
	}}
	group_roles(["cn=ops,o=acme", "ü=x"], mappings, null) == set()
}

# Druid's TreeSet keeps the first of two names equal ignoring case; only its roles count.
test_groups_equal_ignoring_case_but_not_by_rdn if {
	kelvin := {
		"k": {"groupPattern": "*,cn=k", "roles": ["k"]},
		"kelvin": {"groupPattern": "*,cn=\u212A", "roles": ["kelvin"]},
	}
	group_roles(["cn=\u212A", "cn=k"], kelvin, null) == {"kelvin"}
	group_roles(["cn=k", "cn=\u212A"], kelvin, null) == {"k"}
}

test_group_inputs_of_the_wrong_shape if {
	group_errors("cn=x", mappings, null) == {{
		"status": "error", "value": "cn=x", "reason": "memberOf is not a list of strings",
	}}
	group_errors(["cn=x"], mappings, "cn=x") == {{
		"status": "error", "value": "cn=x", "reason": "groupFilters is neither null nor a list of strings",
	}}
	group_errors(["cn=x"], {"m": {"groupPattern": "cn=x", "roles": "r"}}, null) == {{
		"status": "error", "value": "m", "reason": "a group mapping is not {\"groupPattern\": ..., \"roles\": [...]}",
	}}
	group_errors(["cn=x"], [], null) == {{
		"status": "error", "value": [], "reason": "group mappings are not an object",
	}}
	group_errors(["cn=x"], {"m": {"roles": ["r"]}}, null) == {{
		"status": "error", "value": null, "reason": "groupPattern: not a string",
	}}
}
