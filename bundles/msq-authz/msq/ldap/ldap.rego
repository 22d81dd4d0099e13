# METADATA
# title: LDAP names and group mappings
# description: |
#   Druid's LDAPRoleProvider (druid-basic-security) maps an LDAP user's memberOf group DNs to roles: each value is
#   parsed as a javax.naming.ldap.LdapName, groupFilters keep the groups one of them matches, and a group mapping
#   applies when its groupPattern matches: "*,<dn>" when the group's name startsWith <dn> (LdapName's index 0 is
#   the rightmost RDN, so the mask names a subtree), "<dn>,*" when it endsWith <dn> (the leftmost RDNs), any other
#   mask when the names are equal. Names are read exactly as JDK 17 reads them (Rfc2253Parser, Rdn.unescapeValue);
#   test/ldap-names.test.ts checks every answer against the JDK. A name parses to a status: "valid" with its RDNs,
#   "invalid" (InvalidNameException: Druid skips such a memberOf value), "error" (another exception, which Druid
#   does not catch: the whole authorization check fails) or "refused" (not certain what the JDK does; nothing
#   refused ever matches). Refused: a name over the limits; a non-ASCII character in an attribute type, in a #hex
#   value, right after a backslash or after a backslash and one hex digit (the JDK reads Unicode letters and digits
#   there); a character whose case mapping the JDK and OPA disagree on (text.unsafe_case_pattern).
#   A normalized RDN is the sorted list of its "<type in lower case>=<value as Rdn compares it>" pairs, the value
#   being its text in upper case (String.toUpperCase(Locale.ENGLISH)) or, for #hex, "#" and lower-case hex.
package msq.ldap

import data.msq.ldap.text

# METADATA
# title: Limits on a name
# description: |
#   A name longer than 1024 characters, with more than 64 RDNs or with more than 64 attribute-value pairs (all RDNs
#   together) is refused; the JDK takes any. They bound the cost: a name is read with a few linear passes of
#   regular expressions (or split, when it has no escapes, quotes, '+' or ';'). group_resolution costs, per group,
#   its RDN count squared (the keys of its prefixes and suffixes) and a comparison with each earlier group and each
#   groupFilter, and one lookup per mapping: not groups x mappings (50 groups, 200 mappings: about 10 ms in WASM).
limits := {"length": 1024, "rdns": 64, "pairs": 64}

_type_char := `[0-9A-Za-z.\-\x{80}-\x{10FFFF}]`

_type := concat("", [_type_char, "(?: *", _type_char, ")*"])

_escape := `\\(?s:.)`

_string_value := concat("", [`(?:`, _escape, `|[^,;+\\#" \r])(?:[ \r]*(?:`, _escape, `|[^,;+\\ \r]))*`])

_quoted_value := concat("", [`"(?:[^"\\]|`, _escape, `)*"`])

_binary_value := `#[0-9A-Za-z\x{80}-\x{10FFFF}]*`

_value := concat("", ["(?:", _binary_value, "|", _quoted_value, "|", _string_value, ")?"])

_pair := concat("", [`[ \r]*(`, _type, `)[ \r]*=[ \r]*(`, _value, `)[ \r]*`])

_name_pattern := concat("", ["^(?:", _pair, "(?:[,;+]", _pair, ")*[,;+]?)?$"])

_pair_pattern := concat("", ["(^|[,;+])", _pair])

# METADATA
# title: Parse a name
# description: |
#   What new LdapName(dn) gives: {"status": "valid", "rdns": [...], "fold": ...} with the normalized RDNs in
#   LdapName's order (index 0 is the rightmost RDN), or {"status": "invalid" | "error" | "refused", "reason": ...}.
#   "fold" is the name as String.equalsIgnoreCase compares it (LdapName.equals and compareTo try that first).
parse_result(dn) := {"status": "error", "reason": "not a string"} if {
	not is_string(dn)
} else := {"status": "refused", "reason": sprintf("longer than %d characters", [limits.length])} if {
	count(dn) > limits.length
} else := _parse(dn)

_case_reason := "a character whose case mapping is not certain"

_parse(dn) := _parse_invalid(dn, regex.find_all_string_submatch_n(_pair_pattern, dn, -1)) if {
	not regex.match(_name_pattern, dn)
} else := _parse_valid(dn, _split_pairs(dn)) if {
	not regex.match(`[\\"+;]`, dn)
} else := _parse_valid(dn, regex.find_all_string_submatch_n(_pair_pattern, dn, -1))

_too_many_pairs := {"status": "refused", "reason": sprintf("more than %d attribute-value pairs", [limits.pairs])}

_parse_invalid(dn, pairs) := _too_many_pairs if {
	count(pairs) > limits.pairs
} else := _first_exception(_read_pairs(dn, pairs), {"status": "invalid", "reason": "not an RFC 2253 name"})

_parse_valid(dn, pairs) := _too_many_pairs if {
	count(pairs) > limits.pairs
} else := _valid(dn, pairs, [_pair_key(pair[2], pair[3]) | some pair in pairs])

_split_pairs(dn) := [[concat("", [separator, part]), separator, trim(type, " \r"), trim(value, " \r")] |
	some i, part in parts
	_a_pair(part, i, count(parts))
	[type, value] := _cut(part, indexof(part, "="))
	separator := substring(",", 0, min([i, 1]))
] if {
	parts := split(dn, ",")
}

_a_pair(part, _, _) if part != ""

_a_pair(_, i, n) if i < n - 1

_cut(text, at) := [substring(text, 0, at), substring(text, at + 1, -1)]

_first_exception(pairs, otherwise) := _first_problem([_pair_key(pair[2], pair[3]) | some pair in pairs], otherwise)

_first_problem(entries, otherwise) := problems[0] if {
	problems := [entry | some entry in entries; entry.status; entry.reason != _case_reason]
	count(problems) > 0
} else := otherwise

_valid(dn, pairs, entries) := _first_problem(entries, {"status": "refused", "reason": _case_reason}) if {
	some entry in entries
	entry.status
} else := _rdns_after(dn, _trailing(dn, pairs), pairs, entries)

_rdns_after(dn, trailing, pairs, entries) := _rdns(dn, trailing, _rdn_list(trailing, pairs, keys)) if {
	keys := [entry.key | some entry in entries]
}

_read_pairs(dn, pairs) := [pair |
	some i, pair in array.slice(pairs, 0, read)
	_read_in_full(pair, (i + 1) < read, after)
] if {
	breaks := [i | some i, pair in pairs; not _in_place(dn, pair, i, _offset(pairs, i))]
	read := min(array.concat(breaks, [count(pairs)]))
	after := substring(dn, _offset(pairs, read), 1)
}

_offset(pairs, n) := sum([count(pair[0]) | some pair in array.slice(pairs, 0, n)])

_in_place(dn, pair, 0, _) if {
	pair[1] == ""
	startswith(dn, pair[0])
}

_in_place(dn, pair, i, offset) if {
	i > 0
	substring(dn, offset, count(pair[0])) == pair[0]
}

_read_in_full(_, true, _)

_read_in_full(pair, false, _) if regex.match(`^[#"]`, pair[3])

_read_in_full(_, false, next) if next in {",", ";", "+"}

_rdns(dn, trailing, rdns) := {"status": "refused", "reason": "internal: the pairs do not cover the name"} if {
	not trailing in {"", ",", ";", "+"}
} else := {"status": "refused", "reason": sprintf("more than %d RDNs", [limits.rdns])} if {
	count(rdns) > limits.rdns
} else := {"status": "valid", "rdns": _reverse(rdns), "fold": lower(upper(dn))}

_trailing(dn, pairs) := substring(dn, sum([count(pair[0]) | some pair in pairs]), -1)

_rdn_list(trailing, pairs, keys) := array.concat(rdns, [[] | trailing in {",", ";"}]) if {
	starts := [i | some i, pair in pairs; pair[1] != "+"]
	ends := array.concat(array.slice(starts, 1, count(starts)), [count(pairs)])
	rdns := [sort(array.slice(keys, start, ends[k])) | some k, start in starts]
}

_reverse(list) := [list[(count(list) - 1) - i] | some i, _ in list]

_pair_key(type, raw) := {"status": "refused", "reason": "a non-ASCII attribute type"} if {
	regex.match(`[^\x00-\x7F]`, type)
} else := {"key": concat("=", [lower(type), value.comparable])} if {
	value := _comparable_value(raw)
	is_string(value.comparable)
} else := _comparable_value(raw)

_comparable_value(raw) := _binary_comparable(substring(raw, 1, -1)) if {
	startswith(raw, "#")
} else := {"status": "error", "reason": "an empty quoted value"} if {
	raw == `""`
} else := text.comparable(text.unescape(substring(raw, 1, count(raw) - 2))) if {
	startswith(raw, `"`)
} else := text.comparable(text.unescape(raw))

_binary_comparable(digits) := {"status": "refused", "reason": "a non-ASCII character in a #hex value"} if {
	regex.match(`[^\x00-\x7F]`, digits)
} else := {"comparable": concat("", ["#", lower(digits)])} if {
	regex.match(`^(?:[0-9A-Fa-f]{2})*$`, digits)
} else := {"status": "error", "reason": "a #hex value that is not hex pairs"}

# METADATA
# title: LdapName.equals
# description: |
#   Both names are valid and equal: as strings ignoring case (String.equalsIgnoreCase, LdapName's shortcut), or
#   RDN by RDN. False when either name is not valid.
names_equal(a, b) if _equal(parse_result(a), parse_result(b))

# METADATA
# title: LdapName.startsWith
# description: The RDNs of prefix are the first RDNs of name, index 0 being the rightmost RDN.
starts_with(name, prefix) if _starts_with(parse_result(name), parse_result(prefix))

# METADATA
# title: LdapName.endsWith
# description: The RDNs of suffix are the last RDNs of name, the leftmost ones in the string.
ends_with(name, suffix) if _ends_with(parse_result(name), parse_result(suffix))

_equal(a, b) if {
	a.status == "valid"
	b.status == "valid"
	count(a.rdns) == count(b.rdns)
	a.fold == b.fold
}

_equal(a, b) if {
	a.status == "valid"
	b.status == "valid"
	a.rdns == b.rdns
}

_starts_with(name, prefix) if {
	name.status == "valid"
	prefix.status == "valid"
	count(prefix.rdns) <= count(name.rdns)
	array.slice(name.rdns, 0, count(prefix.rdns)) == prefix.rdns
}

_ends_with(name, suffix) if {
	name.status == "valid"
	suffix.status == "valid"
	count(suffix.rdns) <= count(name.rdns)
	array.slice(name.rdns, count(name.rdns) - count(suffix.rdns), count(name.rdns)) == suffix.rdns
}

_mask(mask) := {"relation": "starts_with", "name": parse_result(substring(mask, 2, -1))} if {
	startswith(mask, "*,")
} else := {"relation": "ends_with", "name": parse_result(substring(mask, 0, count(mask) - 2))} if {
	endswith(mask, ",*")
} else := {"relation": "equals", "name": parse_result(mask)} if {
	is_string(mask)
} else := {"relation": "equals", "name": {"status": "error", "reason": "not a string"}}

_mask_applies(mask, group) if {
	mask.relation == "starts_with"
	_starts_with(group, mask.name)
}

_mask_applies(mask, group) if {
	mask.relation == "ends_with"
	_ends_with(group, mask.name)
}

_mask_applies(mask, group) if {
	mask.relation == "equals"
	_equal(group, mask.name)
}

# METADATA
# title: One mask against one group name
# description: |
#   What LDAPRoleProvider makes of a groupPattern (or groupFilter) and a memberOf value: "match", "nomatch",
#   "druid_error" (the mask does not parse: Druid throws "Configuration problem"), "dn_invalid" (Druid skips the
#   value), "dn_error" (Druid throws while reading it) or "refused" (not certain).
mask_outcome(mask, dn) := _mask_outcome(_mask(mask), parse_result(dn))

_mask_outcome(mask, group) := "dn_invalid" if {
	group.status == "invalid"
} else := "dn_error" if {
	group.status == "error"
} else := "refused" if {
	group.status == "refused"
} else := "refused" if {
	mask.name.status == "refused"
} else := "druid_error" if {
	mask.name.status != "valid"
} else := "match" if {
	_mask_applies(mask, group)
} else := "nomatch"

# METADATA
# title: Roles from LDAP groups
# description: |
#   What LDAPRoleProvider.getRoles computes from the user's memberOf values (group_dns, a list of strings), the
#   group mappings ({"<mapping name>": {"groupPattern": "<mask>", "roles": [...]}}) and the provider's groupFilters
#   (a list of masks, or null when none are configured; an empty list keeps no group):
#   {"roles": <set of role names>, "errors": <set of {"status", "value", "reason"}>}. An error is where Druid throws
#   (status "error": a memberOf value it cannot read, an invalid groupPattern, a groupFilter reached before one
#   matched) or may throw (status "refused": this package cannot be sure); Druid then fails the whole authorization
#   check, the user's own roles included, and the caller must deny. Values that do not parse are skipped, as Druid
#   skips them. Of two memberOf names equal as strings ignoring case but not RDN by RDN (the Kelvin sign and "k",
#   "ß" and "ẞ"), Druid's TreeSet keeps the first and perhaps the second: only the first one's roles count here.
group_resolution(group_dns, group_mappings, group_filters) := {"roles": set(), "errors": errors} if {
	errors := _input_errors(group_dns, group_mappings, group_filters)
	count(errors) > 0
} else := {"roles": _roles(effective, mappings), "errors": errors} if {
	names := [{"dn": dn, "name": parse_result(dn)} | some dn in group_dns]
	valid := [group | some group in names; group.name.status == "valid"]
	filters := [{"filter": filter, "mask": _mask(filter)} | some filter in _list(group_filters)]
	kept := _filtered(valid, filters, group_filters == null)
	effective := [group | some i, group in kept; not _shadowed(kept, i, group)]
	mappings := [_mapping(mapping) | some mapping in group_mappings]
	errors := (_name_errors(names) | _filter_errors(valid, filters)) | _mapping_errors(kept, mappings)
}

_list(null) := []

_list(value) := value if is_array(value)

_mapping(mapping) := {
	"pattern": object.get(mapping, "groupPattern", null),
	"mask": mask,
	"keys": _mask_keys(mask),
	"roles": _list(object.get(mapping, "roles", null)),
} if {
	mask := _mask(object.get(mapping, "groupPattern", null))
}

_error(status, value, reason) := {"status": "refused", "value": value, "reason": reason} if {
	status == "refused"
} else := {"status": "error", "value": value, "reason": reason}

_input_errors(group_dns, group_mappings, group_filters) := (_shape_errors(group_dns, group_filters) | {
_error("error", group_mappings, "group mappings are not an object") |
	not is_object(group_mappings)
}) | {_error("error", name, "a group mapping is not {\"groupPattern\": ..., \"roles\": [...]}") |
	some name, mapping in group_mappings
	not _mapping_shape(mapping)
}

_shape_errors(group_dns, group_filters) := {_error("error", group_dns, "memberOf is not a list of strings") |
	not _strings(group_dns)
} | {_error("error", group_filters, "groupFilters is neither null nor a list of strings") |
	group_filters != null
	not _strings(group_filters)
}

_strings(list) if {
	is_array(list)
	every item in list {
		is_string(item)
	}
}

_mapping_shape(mapping) if {
	is_object(mapping)
	object.get(mapping, "roles", null) == null
}

_mapping_shape(mapping) if {
	is_object(mapping)
	_strings(object.get(mapping, "roles", null))
}

_name_errors(names) := {_error(group.name.status, group.dn, group.name.reason) |
	some group in names
	group.name.status in {"error", "refused"}
}

_filtered(valid, _, true) := valid

_filtered(valid, filters, false) := [group |
	some group in valid
	_kept(group, filters)
]

_kept(group, filters) if {
	some filter in filters
	filter.mask.name.status == "valid"
	_mask_applies(filter.mask, group.name)
}

_filter_errors(valid, filters) := {_error(status, bad.filter, concat(": ", ["groupFilter", bad.mask.name.reason])) |
	some group in valid
	some bad in filters
	bad.mask.name.status != "valid"
	not _matched_before(group, filters, bad.filter, "certainly")
	status := _reach(group, filters, bad)
}

_reach(group, filters, bad) := "refused" if {
	_matched_before(group, filters, bad.filter, "possibly")
} else := bad.mask.name.status

_matched_before(group, filters, filter, certainty) if {
	some earlier in filters
	earlier.mask.name.status == "valid"
	_before(earlier.filter, filter, certainty)
	_mask_applies(earlier.mask, group.name)
}

_before(a, b, "certainly") if {
	a < b
	not _uncertain_order(a, b)
}

_before(a, b, "possibly") if a < b

_before(a, b, "possibly") if _uncertain_order(a, b)

_uncertain_order(a, b) if regex.match(`[\x{E000}-\x{10FFFF}]`, concat("", [a, b]))

_shadowed(kept, i, group) if {
	some j, earlier in kept
	j < i
	earlier.name.fold == group.name.fold
	earlier.name.rdns != group.name.rdns
}

_mapping_errors(kept, mappings) := {_error(mapping.mask.name.status, mapping.pattern, reason) |
	count(kept) > 0
	some mapping in mappings
	mapping.mask.name.status != "valid"
	reason := concat(": ", ["groupPattern", mapping.mask.name.reason])
}

_roles(groups, mappings) := {role |
	some mapping in mappings
	some key in mapping.keys
	keys[key]
	some role in mapping.roles
} if {
	keys := {key | some group in groups; some key in _group_keys(group.name)}
}

_mask_keys(mask) := set() if {
	mask.name.status != "valid"
} else := {_key("s", mask.name.rdns)} if {
	mask.relation == "starts_with"
} else := {_key("e", mask.name.rdns)} if {
	mask.relation == "ends_with"
} else := {_key("q", mask.name.rdns), _fold_key(mask.name)}

_group_keys(name) := (prefixes | suffixes) | {_key("q", name.rdns), _fold_key(name)} if {
	n := count(name.rdns)
	prefixes := {_key("s", array.slice(name.rdns, 0, k)) | some k in numbers.range(0, n)}
	suffixes := {_key("e", array.slice(name.rdns, n - k, n)) | some k in numbers.range(0, n)}
}

_key(relation, rdns) := concat(":", [relation, json.marshal(rdns)])

_fold_key(name) := concat(":", ["f", format_int(count(name.rdns), 10), name.fold])
