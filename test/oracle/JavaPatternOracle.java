// The JDK's own java.util.regex as an oracle for test/java-pattern.test.ts: what Druid's basic authorizer does with a
// grant pattern, Pattern.compile(pattern).matcher(name).matches(), answered by the real thing.
//
// One request per line on stdin, one answer per line on stdout, in order. Strings travel as '=' followed by their
// UTF-16 code units in hex (4 digits each), so any string, line terminators and lone surrogates included, is one
// space-free field.
//   M <pattern> <name>...  ->  E <message>     Pattern.compile(pattern) throws
//                              R <bits>        '1' or '0' per name: matcher(name).matches(), or 'X' when
//                                              matching throws (Java 17 compiles a few classes it cannot run)
//   S <pattern>            ->  E <message>     Pattern.compile(pattern) throws
//                              S <ranges>      the code points c (surrogates left out) whose one-character string
//                                              the pattern matches, as lo-hi hex pairs joined by ','
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

public final class JavaPatternOracle {
    private JavaPatternOracle() {}

    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.US_ASCII));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isEmpty()) continue;
            out.write(answer(line.split(" ")));
            out.write('\n');
            if (!in.ready()) out.flush();
        }
        out.flush();
    }

    private static String answer(String[] fields) {
        Pattern pattern;
        try {
            pattern = Pattern.compile(decode(fields[1]));
        } catch (Throwable refused) { // PatternSyntaxException, and anything else compile throws
            return "E " + encode(refused.getClass().getSimpleName() + ": " + refused.getMessage());
        }
        StringBuilder result = new StringBuilder();
        if (fields[0].equals("M")) {
            result.append("R ");
            for (int i = 2; i < fields.length; i++) {
                try {
                    result.append(pattern.matcher(decode(fields[i])).matches() ? '1' : '0');
                } catch (RuntimeException | StackOverflowError failed) {
                    result.append('X');
                }
            }
        } else if (fields[0].equals("S")) {
            result.append("S ");
            int start = -1;
            boolean first = true;
            for (int c = 0; c <= Character.MAX_CODE_POINT + 1; c++) {
                boolean in;
                try {
                    in = c <= Character.MAX_CODE_POINT && (c < 0xD800 || c > 0xDFFF)
                            && pattern.matcher(new String(Character.toChars(c))).matches();
                } catch (RuntimeException failed) {
                    return "E " + encode("matching throws " + failed);
                }
                if (c >= 0xD800 && c <= 0xDFFF) continue; // surrogates neither start nor end a range
                if (in && start < 0) start = c;
                if (!in && start >= 0) {
                    if (!first) result.append(',');
                    result.append(Integer.toHexString(start)).append('-').append(Integer.toHexString(previous(c)));
                    first = false;
                    start = -1;
                }
            }
        } else {
            return "E " + encode("unknown request " + fields[0]);
        }
        return result.toString();
    }

    private static int previous(int c) {
        return c == 0xE000 ? 0xD7FF : c - 1;
    }

    private static String decode(String field) {
        if (field.isEmpty() || field.charAt(0) != '=' || (field.length() - 1) % 4 != 0) {
            throw new IllegalArgumentException("bad field " + field);
        }
        char[] chars = new char[(field.length() - 1) / 4];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = (char) Integer.parseInt(field.substring(1 + 4 * i, 5 + 4 * i), 16);
        }
        return new String(chars);
    }

    private static String encode(String value) {
        StringBuilder encoded = new StringBuilder("=");
        for (int i = 0; i < value.length(); i++) {
            encoded.append(String.format("%04x", (int) value.charAt(i)));
        }
        return encoded.toString();
    }
}
