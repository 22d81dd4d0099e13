package msq.ldap.text_test

import data.msq.ldap.text

test_unescape_without_escapes_drops_one_trailing_space if {
	text.unescape("abc") == {"text": "abc"}
	text.unescape(" a  ") == {"text": " a "}
	text.unescape("") == {"text": ""}
}

test_unescape_escaped_characters if {
	text.unescape(`a\,b\ `) == {"text": "a,b "}
	text.unescape(`\\\"\+\;\<\>\=\#`) == {"text": `\"+;<>=#`}
}

test_unescape_hex_pairs_as_utf8 if {
	text.unescape(`\41\c3\A9\e2\82\ac\F0\9F\98\80`) == {"text": "Aé€😀"}
	text.unescape(`\00`) == {"text": "\u0000"}

	# A space from hex pairs is unescaped trailing whitespace: it goes.
	text.unescape(`a\20`) == {"text": "a"}
	text.unescape(`a\20\20`) == {"text": "a "}
}

test_unescape_ill_formed_utf8 if {
	text.unescape(`\ff\c3\41`) == {"text": "\uFFFD\uFFFDA"}
	text.unescape(`\e2\82`) == {"text": "\uFFFD"}
	text.unescape(`\ed\a0\80`) == {"text": "\uFFFD"}
	text.unescape(`\ed\a0\41`) == {"text": "\uFFFDA"}
	text.unescape(`\f0\80\80\80`) == {"text": "\uFFFD\uFFFD\uFFFD\uFFFD"}
	text.unescape(`\f4\8f\bf\bf`) == {"text": "\uDBFF\uDFFF"}

	# U+CF81F: a code point the WASM runtime's JSON reader gets wrong from its surrogate pair.
	text.unescape(`\f3\8f\a0\9f`) == {"text": "\uDAFE\uDC1F"}
}

test_unescape_problems if {
	text.unescape(`\zz`) == {"status": "error", "reason": "a backslash before a letter or digit that is not a hex pair"}
	text.unescape(`\4`) == {"status": "error", "reason": "a backslash before a letter or digit that is not a hex pair"}
	text.unescape(`\é`) == {"status": "refused", "reason": "a non-ASCII character after a backslash"}
	text.unescape(`\4٣`) == {"status": "refused", "reason": "a non-ASCII character after a backslash"}
}

test_comparable_is_java_upper_case if {
	text.comparable({"text": "Analysts"}) == {"comparable": "ANALYSTS"}
	text.comparable({"text": "straße ﬁx ǰ"}) == {"comparable": "STRASSE FIX J\u030C"}
	text.comparable({"text": "éµ𐐨"}) == {"comparable": "ÉΜ𐐀"}
	text.comparable({"text": "\u2C2F"}) == {"status": "refused", "reason": "a character whose case mapping is not certain"}
	text.comparable({"status": "error", "reason": "x"}) == {"status": "error", "reason": "x"}
}
