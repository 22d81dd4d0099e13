# METADATA
# title: LDAP attribute values as the JDK reads them
# description: |
#   The text of an attribute value (javax.naming.ldap.Rdn.unescapeValue) and the string Rdn compares it by
#   (String.toUpperCase(Locale.ENGLISH)), for msq.ldap. Escapes: '\\' and two hex digits, repeated, are UTF-8 bytes,
#   decoded as Java 17's new String(bytes, UTF_8) decodes them; '\\' and any other ASCII character that is not a letter
#   or a digit is that character; '\\' and a letter or digit otherwise throws IllegalArgumentException. Results are
#   {"text": ...} or {"comparable": ...}, or {"status": "error" | "refused", "reason": ...} (see msq.ldap).
package msq.ldap.text

# METADATA
# title: Characters whose case mapping is not certain
# description: |
#   Code points where java.lang.String.toUpperCase(Locale.ENGLISH) or Character.toLowerCase(Character.toUpperCase)
#   in Java 17 (Unicode 13) differs from OPA's upper/lower in Go (Unicode 15) or in WASM (Unicode 12), which no
#   replacement in full_upper_case can reconcile. A name holding one is refused. test/ldap-names.test.ts checks
#   every code point outside this class against the JDK.
unsafe_case_pattern := concat("", [
	`[\x{2C2F}\x{2C5F}\x{A7C0}-\x{A7C1}\x{A7C7}\x{A7C9}\x{A7D0}-\x{A7D1}\x{A7D6}-\x{A7D9}\x{A7F5}`,
	`\x{10570}-\x{1057A}\x{1057C}-\x{1058A}\x{1058C}-\x{10592}\x{10594}-\x{10595}\x{10597}-\x{105A1}`,
	`\x{105A3}-\x{105B1}\x{105B3}-\x{105B9}\x{105BB}-\x{105BC}]`,
])

# METADATA
# title: Full upper-case mappings
# description: |
#   Characters whose String.toUpperCase(Locale.ENGLISH) is not the simple mapping OPA's upper applies (SpecialCasing:
#   "ß" is "SS"), or that the WASM runtime's older tables do not map; each is replaced before upper.
full_upper_case := {
	"\u00DF": "SS", "\u0149": "\u02BCN", "\u01F0": "J\u030C", "\u0390": "\u0399\u0308\u0301",
	"\u03B0": "\u03A5\u0308\u0301", "\u0587": "\u0535\u0552", "\u1E96": "H\u0331", "\u1E97": "T\u0308",
	"\u1E98": "W\u030A", "\u1E99": "Y\u030A", "\u1E9A": "A\u02BE", "\u1F50": "\u03A5\u0313",
	"\u1F52": "\u03A5\u0313\u0300", "\u1F54": "\u03A5\u0313\u0301", "\u1F56": "\u03A5\u0313\u0342",
	"\u1F80": "\u1F08\u0399", "\u1F81": "\u1F09\u0399", "\u1F82": "\u1F0A\u0399", "\u1F83": "\u1F0B\u0399",
	"\u1F84": "\u1F0C\u0399", "\u1F85": "\u1F0D\u0399", "\u1F86": "\u1F0E\u0399", "\u1F87": "\u1F0F\u0399",
	"\u1F88": "\u1F08\u0399", "\u1F89": "\u1F09\u0399", "\u1F8A": "\u1F0A\u0399", "\u1F8B": "\u1F0B\u0399",
	"\u1F8C": "\u1F0C\u0399", "\u1F8D": "\u1F0D\u0399", "\u1F8E": "\u1F0E\u0399", "\u1F8F": "\u1F0F\u0399",
	"\u1F90": "\u1F28\u0399", "\u1F91": "\u1F29\u0399", "\u1F92": "\u1F2A\u0399", "\u1F93": "\u1F2B\u0399",
	"\u1F94": "\u1F2C\u0399", "\u1F95": "\u1F2D\u0399", "\u1F96": "\u1F2E\u0399", "\u1F97": "\u1F2F\u0399",
	"\u1F98": "\u1F28\u0399", "\u1F99": "\u1F29\u0399", "\u1F9A": "\u1F2A\u0399", "\u1F9B": "\u1F2B\u0399",
	"\u1F9C": "\u1F2C\u0399", "\u1F9D": "\u1F2D\u0399", "\u1F9E": "\u1F2E\u0399", "\u1F9F": "\u1F2F\u0399",
	"\u1FA0": "\u1F68\u0399", "\u1FA1": "\u1F69\u0399", "\u1FA2": "\u1F6A\u0399", "\u1FA3": "\u1F6B\u0399",
	"\u1FA4": "\u1F6C\u0399", "\u1FA5": "\u1F6D\u0399", "\u1FA6": "\u1F6E\u0399", "\u1FA7": "\u1F6F\u0399",
	"\u1FA8": "\u1F68\u0399", "\u1FA9": "\u1F69\u0399", "\u1FAA": "\u1F6A\u0399", "\u1FAB": "\u1F6B\u0399",
	"\u1FAC": "\u1F6C\u0399", "\u1FAD": "\u1F6D\u0399", "\u1FAE": "\u1F6E\u0399", "\u1FAF": "\u1F6F\u0399",
	"\u1FB2": "\u1FBA\u0399", "\u1FB3": "\u0391\u0399", "\u1FB4": "\u0386\u0399", "\u1FB6": "\u0391\u0342",
	"\u1FB7": "\u0391\u0342\u0399", "\u1FBC": "\u0391\u0399", "\u1FC2": "\u1FCA\u0399", "\u1FC3": "\u0397\u0399",
	"\u1FC4": "\u0389\u0399", "\u1FC6": "\u0397\u0342", "\u1FC7": "\u0397\u0342\u0399", "\u1FCC": "\u0397\u0399",
	"\u1FD2": "\u0399\u0308\u0300", "\u1FD3": "\u0399\u0308\u0301", "\u1FD6": "\u0399\u0342",
	"\u1FD7": "\u0399\u0308\u0342", "\u1FE2": "\u03A5\u0308\u0300", "\u1FE3": "\u03A5\u0308\u0301",
	"\u1FE4": "\u03A1\u0313", "\u1FE6": "\u03A5\u0342", "\u1FE7": "\u03A5\u0308\u0342", "\u1FF2": "\u1FFA\u0399",
	"\u1FF3": "\u03A9\u0399", "\u1FF4": "\u038F\u0399", "\u1FF6": "\u03A9\u0342", "\u1FF7": "\u03A9\u0342\u0399",
	"\u1FFC": "\u03A9\u0399", "\uA7C8": "\uA7C7", "\uA7CA": "\uA7C9", "\uA7F6": "\uA7F5", "\uFB00": "FF",
	"\uFB01": "FI", "\uFB02": "FL", "\uFB03": "FFI", "\uFB04": "FFL", "\uFB05": "ST", "\uFB06": "ST",
	"\uFB13": "\u0544\u0546", "\uFB14": "\u0544\u0535", "\uFB15": "\u0544\u053B", "\uFB16": "\u054E\u0546",
	"\uFB17": "\u0544\u053D",
}

# METADATA
# title: The string Rdn compares a value by
# description: |
#   From unescape's result: {"comparable": <text in upper case>}, or the problem passed on, or a refusal when the
#   text holds a character of unsafe_case_pattern.
comparable(text) := text if {
	text.status
} else := {"comparable": upper(text.text)} if {
	regex.match(`^[\x00-\x7F]*$`, text.text)
} else := {"status": "refused", "reason": "a character whose case mapping is not certain"} if {
	regex.match(unsafe_case_pattern, text.text)
} else := {"comparable": upper(strings.replace_n(full_upper_case, text.text))}

_unescape_pattern := concat("|", [
	`((?:\\[0-9A-Fa-f]{2})+)`,
	`\\([\x00-\x2F\x3A-\x40\x5B-\x60\x7B-\x7F])`,
	`(\\(?s:.)(?s:.)?)`,
	`([^\\]+)`,
])

# METADATA
# title: The text of an attribute value
# description: |
#   Rdn.unescapeValue over a value's content (a quoted value without its quotes): {"text": ...}, or
#   {"status": "error"} where the JDK throws, {"status": "refused"} where it is not certain what the JDK reads.
unescape(content) := {"text": _drop_last_space(content)} if {
	not contains(content, `\`)
} else := problems[0] if {
	tokens := regex.find_all_string_submatch_n(_unescape_pattern, content, -1)
	problems := [_bad_escape(token[3]) | some token in tokens; token[3] != ""]
	count(problems) > 0
} else := {"text": text} if {
	tokens := regex.find_all_string_submatch_n(_unescape_pattern, content, -1)
	decoded := concat("", [_unescaped(token) | some token in tokens])

	text := _keep_or_drop_last_space(decoded, tokens[count(tokens) - 1][2] != "")
}

_unescaped(token) := _utf8(lower(replace(token[1], `\`, ""))) if token[1] != ""

_unescaped(token) := token[2] if token[2] != ""

_unescaped(token) := token[4] if token[4] != ""

_keep_or_drop_last_space(text, true) := text

_keep_or_drop_last_space(text, false) := _drop_last_space(text)

_drop_last_space(text) := substring(text, 0, count(text) - 1) if {
	regex.match(`[ \r]$`, text)
} else := text

_bad_escape(token) := {"status": "refused", "reason": "a non-ASCII character after a backslash"} if {
	regex.match(`^\\(?:[^\x00-\x7F]|[0-9A-Fa-f][^\x00-\x7F])`, token)
} else := {"status": "error", "reason": "a backslash before a letter or digit that is not a hex pair"}

_utf8_pattern := concat("", [
	"(",
	`[0-7][0-9a-f]|(?:c[2-9a-f]|d[0-9a-f])[89ab][0-9a-f]`,
	`|e0[ab][0-9a-f][89ab][0-9a-f]|e[1-9a-cef][89ab][0-9a-f][89ab][0-9a-f]|ed[89][0-9a-f][89ab][0-9a-f]`,
	`|f0[9ab][0-9a-f](?:[89ab][0-9a-f]){2}|f[1-3](?:[89ab][0-9a-f]){3}|f48[0-9a-f](?:[89ab][0-9a-f]){2}`,
	")|",
	`ed[ab][0-9a-f][89ab][0-9a-f]|e0[ab][0-9a-f]|e[1-9a-f][89ab][0-9a-f]`,
	`|(?:f0[9ab][0-9a-f]|f[1-3][89ab][0-9a-f]|f48[0-9a-f])(?:[89ab][0-9a-f])?|[0-9a-f]{2}`,
])

_utf8(digits) := base64.decode(_base64(concat("", [_utf8_bytes(sequence[1]) |
	some sequence in regex.find_all_string_submatch_n(_utf8_pattern, digits, -1)
])))

_utf8_bytes("") := "efbfbd"

_utf8_bytes(sequence) := sequence if sequence != ""

_base64(digits) := concat("", [_base64_group(substring(digits, 6 * i, 6)) |
	some i in numbers.range(0, ceil(count(digits) / 6) - 1)
])

_base64_group(group) := concat("", [substring(encoded, 0, n + 1), substring("==", 0, 3 - n)]) if {
	n := count(group) / 2
	value := ((_byte(group, 0) * 65536) + (_byte(group, 1) * 256)) + _byte(group, 2)
	encoded := concat("", [_sextet(value, 262144), _sextet(value, 4096), _sextet(value, 64), _sextet(value, 1)])
}

_byte(group, i) := (_hex_digits[substring(group, 2 * i, 1)] * 16) + _hex_digits[substring(group, (2 * i) + 1, 1)] if {
	2 * i < count(group)
} else := 0

_sextet(value, unit) := substring(_base64_alphabet, floor(value / unit) % 64, 1)

_base64_alphabet := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

_hex_digits := {
	"0": 0, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "7": 7,
	"8": 8, "9": 9, "a": 10, "b": 11, "c": 12, "d": 13, "e": 14, "f": 15,
}
