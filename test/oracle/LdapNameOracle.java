// The JDK's javax.naming.ldap.LdapName, asked on stdin: the oracle for policies/rego/msq/ldap (test/ldap-names.test.ts).
//
// One request a line, tab-separated: <id> <op> <field>...; every field is its string's UTF-16 code units, four hex
// digits each (so any Java string, spaces, tabs and newlines included, crosses intact). A list field is its items,
// each after a '_', joined with '.' (an empty field is an empty list), and "-" stands for null. One JSON answer a line, in request order; output is flushed whenever
// the input has nothing more waiting, so a client may write a batch and then read it back.
//
//   parse <dn>                       status, and the normalized RDNs: [[type, comparable], ...] per RDN, index 0 =
//                                    the rightmost RDN (LdapName's order), each RDN's entries in Rdn's sorted order
//   pair <a> <b>                     both statuses; a.equals(b), a.startsWith(b), a.endsWith(b), a.compareTo(b) == 0
//   mask <mask> <dn>                 the group mask as LDAPRoleProvider reads it: "match", "nomatch" or "throws"
//   roles <groups> <filters> <masks> LDAPRoleProvider.getRoles over memberOf values, groupFilters (or "-") and
//                                    group mappings: mapping i has groupPattern masks[i] and the one role "r<i>"
//   case <from> <to>                 per code point in [from, to) (decimal): String.toUpperCase(Locale.ENGLISH) and
//                                    toLowerCase(toUpperCase(cp)), the per-character fold of equalsIgnoreCase
//
// A status is "valid", "invalid" (InvalidNameException: Druid skips such a memberOf value) or "error:<class>" (any
// other exception, which LDAPRoleProvider does not catch: the whole authorization check fails).
//
// The mask and roles logic restates LDAPRoleProvider.getRoles / getGroupsFromLdap / allowedLdapGroup (apache/druid,
// extensions-core/druid-basic-security, org.apache.druid.security.basic.authorization.LDAPRoleProvider).
//
// Run with --add-opens java.naming/javax.naming.ldap=ALL-UNNAMED (the normalized form is read from Rdn's entries).
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

public final class LdapNameOracle {
  private static Field entriesField;
  private static Field typeField;
  private static Method comparableMethod;

  public static void main(String[] args) throws Exception {
    entriesField = Rdn.class.getDeclaredField("entries");
    entriesField.setAccessible(true);
    Class<?> entryClass = Class.forName("javax.naming.ldap.Rdn$RdnEntry");
    typeField = entryClass.getDeclaredField("type");
    typeField.setAccessible(true);
    comparableMethod = entryClass.getDeclaredMethod("getValueComparable");
    comparableMethod.setAccessible(true);

    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split("\t", -1);
      StringBuilder answer = new StringBuilder("{\"id\":").append(json(f[0]));
      try {
        switch (f[1]) {
          case "parse" -> parse(answer, decode(f[2]));
          case "pair" -> pair(answer, decode(f[2]), decode(f[3]));
          case "mask" -> answer.append(",\"result\":").append(json(mask(decode(f[2]), decode(f[3]))));
          case "roles" -> roles(answer, list(f[2]), f[3].equals("-") ? null : list(f[3]), list(f[4]));
          case "case" -> caseTable(answer, Integer.parseInt(f[2]), Integer.parseInt(f[3]));
          default -> throw new IllegalArgumentException("unknown op " + f[1]);
        }
      } catch (RuntimeException e) {
        answer = new StringBuilder("{\"id\":").append(json(f[0])).append(",\"oracleError\":").append(json(e.toString()));
      }
      out.append(answer).append("}\n");
      if (!in.ready()) {
        out.flush();
      }
    }
    out.flush();
  }

  /** The outcome of new LdapName(s): the name, or the status that says why there is none. */
  private record Parsed(LdapName name, String status) {}

  private static Parsed ldapName(String s) {
    try {
      return new Parsed(new LdapName(s), "valid");
    } catch (InvalidNameException e) {
      return new Parsed(null, "invalid");
    } catch (RuntimeException e) {
      return new Parsed(null, "error:" + e.getClass().getSimpleName());
    }
  }

  private static void parse(StringBuilder answer, String dn) throws Exception {
    Parsed p = ldapName(dn);
    answer.append(",\"status\":").append(json(p.status()));
    if (p.name() == null) {
      return;
    }
    answer.append(",\"rdns\":[");
    List<Rdn> rdns = p.name().getRdns();
    for (int i = 0; i < rdns.size(); i++) {
      answer.append(i == 0 ? "[" : ",[");
      List<?> entries = (List<?>) entriesField.get(rdns.get(i));
      for (int j = 0; j < entries.size(); j++) {
        Object entry = entries.get(j);
        answer.append(j == 0 ? "[" : ",[").append(json((String) typeField.get(entry))).append(',')
            .append(json((String) comparableMethod.invoke(entry))).append(']');
      }
      answer.append(']');
    }
    answer.append(']');
  }

  private static void pair(StringBuilder answer, String a, String b) {
    Parsed pa = ldapName(a);
    Parsed pb = ldapName(b);
    answer.append(",\"a\":").append(json(pa.status())).append(",\"b\":").append(json(pb.status()));
    if (pa.name() != null && pb.name() != null) {
      answer.append(",\"equals\":").append(pa.name().equals(pb.name()))
          .append(",\"startsWith\":").append(pa.name().startsWith(pb.name()))
          .append(",\"endsWith\":").append(pa.name().endsWith(pb.name()))
          .append(",\"compareZero\":").append(pa.name().compareTo(pb.name()) == 0);
    }
  }

  /** One mask against one group name, as LDAPRoleProvider tests a groupPattern or a groupFilter. */
  private static boolean maskMatches(String mask, LdapName group) throws InvalidNameException {
    if (mask.startsWith("*,")) {
      return group.startsWith(new LdapName(mask.substring(2)));
    } else if (mask.endsWith(",*")) {
      return group.endsWith(new LdapName(mask.substring(0, mask.length() - 2)));
    }
    return group.equals(new LdapName(mask));
  }

  private static String mask(String mask, String dn) {
    Parsed group = ldapName(dn);
    if (group.name() == null) {
      return "dn-" + group.status();
    }
    try {
      return maskMatches(mask, group.name()) ? "match" : "nomatch";
    } catch (InvalidNameException | RuntimeException e) {
      return "throws";
    }
  }

  private static void roles(StringBuilder answer, List<String> memberOf, List<String> filters, List<String> masks) {
    // getGroupsFromLdap: a TreeSet of the parsed names (LdapName.compareTo decides duplicates); names that do not
    // parse are skipped; other exceptions propagate.
    Set<LdapName> groups = new TreeSet<>();
    try {
      for (String dn : memberOf) {
        LdapName ln;
        try {
          ln = new LdapName(dn);
        } catch (InvalidNameException e) {
          continue;
        }
        if (filters == null || allowed(ln, new TreeSet<>(filters))) {
          groups.add(ln);
        }
      }
      // getRoles: an empty mapping map or no groups give no roles; otherwise every group meets every mapping.
      Set<String> roles = new TreeSet<>();
      if (!groups.isEmpty() && !masks.isEmpty()) {
        for (LdapName group : groups) {
          for (int i = 0; i < masks.size(); i++) {
            try {
              if (maskMatches(masks.get(i), group)) {
                roles.add("r" + i);
              }
            } catch (InvalidNameException e) {
              throw new RuntimeException("Configuration problem - Invalid groupMapping", e);
            }
          }
        }
      }
      answer.append(",\"roles\":[");
      int n = 0;
      for (String role : roles) {
        answer.append(n++ == 0 ? "" : ",").append(json(role));
      }
      answer.append(']');
    } catch (RuntimeException e) {
      answer.append(",\"throws\":").append(json(e.getClass().getSimpleName()));
    }
  }

  /** allowedLdapGroup: filters in TreeSet (String) order, the first match wins, an invalid filter reached throws. */
  private static boolean allowed(LdapName group, Set<String> filters) {
    for (String filter : filters) {
      try {
        if (maskMatches(filter, group)) {
          return true;
        }
      } catch (InvalidNameException e) {
        throw new RuntimeException("Configuration problem - Invalid groupFilter", e);
      }
    }
    return false;
  }

  private static void caseTable(StringBuilder answer, int from, int to) {
    answer.append(",\"cases\":[");
    for (int cp = from; cp < to; cp++) {
      if (cp >= 0xD800 && cp <= 0xDFFF) {
        continue;
      }
      String s = new String(Character.toChars(cp));
      String upper = s.toUpperCase(Locale.ENGLISH);
      int fold = Character.toLowerCase(Character.toUpperCase(cp));
      if (!upper.equals(s) || fold != cp) {
        answer.append(answer.charAt(answer.length() - 1) == '[' ? "" : ",").append('[').append(cp).append(',')
            .append(json(upper)).append(',').append(fold).append(']');
      }
    }
    answer.append(']');
  }

  private static String decode(String hex) {
    if (hex.length() % 4 != 0) {
      throw new IllegalArgumentException("field is not UTF-16 hex: " + hex);
    }
    char[] chars = new char[hex.length() / 4];
    for (int i = 0; i < chars.length; i++) {
      chars[i] = (char) Integer.parseInt(hex.substring(4 * i, 4 * i + 4), 16);
    }
    return new String(chars);
  }

  private static List<String> list(String field) {
    List<String> items = new ArrayList<>();
    if (!field.isEmpty()) {
      for (String item : field.split("\\.", -1)) {
        if (!item.startsWith("_")) {
          throw new IllegalArgumentException("list item without '_': " + item);
        }
        items.add(decode(item.substring(1)));
      }
    }
    return items;
  }

  private static String json(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
