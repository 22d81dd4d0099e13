// The differential oracle for src/json/druid-json.ts: Debian's Jackson, configured as Druid's DefaultObjectMapper
// (processing/src/main/java/org/apache/druid/jackson/DefaultObjectMapper.java in apache/druid), binds each input
// line to an input source and answers the types it bound, or the exception. Compiled at test time into
// .build/oracle/ (never committed as a class file); one process answers every case of a run.
//
// Protocol, one line each way:
//   in:  S<base64 of the document's UTF-16LE code units>  read from a String, as EXTERN's JSON string is read;
//                                                          code units travel as such: lone surrogates arrive intact
//        B<base64 of the document's bytes>                 read from a byte[], as a request body is read
//   out: OK<TAB><types, depth-first, comma-separated>  or  ERR<TAB><exception class><TAB><message on one line>
// Each document gets a fresh JsonFactory, so fresh symbol tables: the answer is that of a Druid that just started.
// (A long-lived factory remembers every field name it has read, and Jackson 2.14's CharsToNameCanonicalizer can
// then fail on a later, valid document with "Internal error on SymbolTable.rehash()": found by this test.)

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.json.PackageVersion;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

public final class JacksonOracle
{
  /** Druid's InputSource: the type id is the "type" property, by name. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
      @JsonSubTypes.Type(name = "inline", value = Leaf.Inline.class),
      @JsonSubTypes.Type(name = "http", value = Leaf.Http.class),
      @JsonSubTypes.Type(name = "local", value = Leaf.Local.class),
      @JsonSubTypes.Type(name = "s3", value = Leaf.S3.class),
      @JsonSubTypes.Type(name = "google", value = Leaf.Google.class),
      @JsonSubTypes.Type(name = "azure", value = Leaf.Azure.class),
      @JsonSubTypes.Type(name = "hdfs", value = Leaf.Hdfs.class),
      @JsonSubTypes.Type(name = "druid", value = Leaf.Druid.class),
      @JsonSubTypes.Type(name = "sql", value = Leaf.Sql.class),
      @JsonSubTypes.Type(name = "combining", value = Combining.class)
  })
  public interface InputSource
  {
    void collect(List<String> types);
  }

  /** A source with no nested sources; its other properties are unknown here and ignored, as Druid ignores them. */
  public abstract static class Leaf implements InputSource
  {
    private final String name;

    Leaf(String name)
    {
      this.name = name;
    }

    @Override
    public void collect(List<String> types)
    {
      types.add(name);
    }

    public static final class Inline extends Leaf { public Inline() { super("inline"); } }
    public static final class Http extends Leaf { public Http() { super("http"); } }
    public static final class Local extends Leaf { public Local() { super("local"); } }
    public static final class S3 extends Leaf { public S3() { super("s3"); } }
    public static final class Google extends Leaf { public Google() { super("google"); } }
    public static final class Azure extends Leaf { public Azure() { super("azure"); } }
    public static final class Hdfs extends Leaf { public Hdfs() { super("hdfs"); } }
    public static final class Druid extends Leaf { public Druid() { super("druid"); } }
    public static final class Sql extends Leaf { public Sql() { super("sql"); } }
  }

  /** Druid's CombiningInputSource: a list of delegate input sources. */
  public static final class Combining implements InputSource
  {
    private final List<InputSource> delegates;

    @JsonCreator
    public Combining(@JsonProperty("delegates") List<InputSource> delegates)
    {
      this.delegates = delegates;
    }

    @Override
    public void collect(List<String> types)
    {
      types.add("combining");
      if (delegates != null) {
        for (InputSource delegate : delegates) {
          if (delegate == null) {
            types.add("null");
          } else {
            delegate.collect(types);
          }
        }
      }
    }
  }

  /** The features Druid's DefaultObjectMapper sets; it enables no JsonParser or JsonReadFeature. */
  static ObjectMapper druidMapper()
  {
    return JsonMapper.builder()
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
        .configure(MapperFeature.AUTO_DETECT_GETTERS, false)
        .configure(MapperFeature.AUTO_DETECT_FIELDS, false)
        .configure(MapperFeature.AUTO_DETECT_IS_GETTERS, false)
        .configure(MapperFeature.AUTO_DETECT_SETTERS, false)
        .configure(MapperFeature.ALLOW_FINAL_FIELDS_AS_MUTATORS, false)
        .build();
  }

  public static void main(String[] args) throws Exception
  {
    final ObjectMapper mapper = druidMapper();
    final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
    final BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
    if (args.length > 0 && "--version".equals(args[0])) {
      out.write("jackson-core " + PackageVersion.VERSION + ", jackson-databind "
                + com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION + "\n");
      out.flush();
      return;
    }
    String line;
    while ((line = in.readLine()) != null) {
      out.write(answer(mapper, line));
      out.write('\n');
      if (!in.ready()) {
        out.flush();
      }
    }
    out.flush();
  }

  static String answer(ObjectMapper mapper, String line)
  {
    try {
      final byte[] bytes = Base64.getDecoder().decode(line.substring(1));
      final JsonFactory factory = mapper.getFactory().copy();
      final InputSource source;
      try (JsonParser parser = line.charAt(0) == 'B' ? factory.createParser(bytes) : factory.createParser(fromUtf16Le(bytes))) {
        source = mapper.readValue(parser, InputSource.class);
      }
      final List<String> types = new ArrayList<>();
      if (source == null) {
        types.add("null");
      } else {
        source.collect(types);
      }
      return "OK\t" + String.join(",", types);
    }
    catch (Throwable t) {
      // StackOverflowError included: Jackson 2.14 has no nesting limit of its own. A parse error met while binding
      // arrives wrapped in a JsonMappingException: name the parse error, so "could not read" is one class.
      Throwable named = t;
      for (Throwable cause = t; cause != null; cause = cause.getCause()) {
        if (cause instanceof StreamReadException) {
          named = cause;
          break;
        }
      }
      final String message = String.valueOf(named.getMessage()).replaceAll("[\\x00-\\x1f]", " ");
      return "ERR\t" + named.getClass().getSimpleName() + "\t" + message;
    }
  }

  /** Code units as they are: no decoder, so a lone surrogate stays one. */
  static String fromUtf16Le(byte[] bytes)
  {
    final char[] chars = new char[bytes.length / 2];
    for (int i = 0; i < chars.length; i++) {
      chars[i] = (char) ((bytes[2 * i] & 0xff) | ((bytes[2 * i + 1] & 0xff) << 8));
    }
    return new String(chars);
  }
}
