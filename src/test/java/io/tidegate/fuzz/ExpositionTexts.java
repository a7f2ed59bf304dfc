package io.tidegate.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Bodies in the Prometheus text format 0.0.4, mostly valid: families of every type with help,
 * samples with label sets up to forty deep, values and timestamps at the edges of what Go reads,
 * and {@code #!set stale_timeout} directives, well and badly spelled. Shared by the parser's and the
 * MQTT ingest's fuzzing, where text is one payload kind among others.
 */
public final class ExpositionTexts {
    private ExpositionTexts() {}

    private static final List<String> TYPES = List.of("counter", "gauge", "untyped", "summary", "histogram",
            "gauge_histogram");

    /** Values at the edges: signs, huge and tiny magnitudes, out-of-range ones Go refuses, Go-only spellings. */
    private static final List<String> EDGE_VALUES = List.of("0", "-0", "+0", "1", "-1", "3.25", ".5", "5.", "1e3",
            "1E-3", "+Inf", "-Inf", "inf", "Infinity", "NaN", "nan", "1.7976931348623157e308", "1.7976931348623159e308",
            "1e309", "-1e309", "4.9e-324", "2e-324", "1e-400", "123456789012345678901234567890", "0.000000000000000000001",
            "18446744073709551615", "18446744073709551616", "9223372036854775807", "-9223372036854775809",
            "00012", "1_000", "0x10", "1p3", "1d", "1f", "", "-", "e5", "1e", "1e+", "1.2.3");

    private static final List<String> TIMESTAMPS = List.of("0", "-1", "1700000000000", "9223372036854775807",
            "-9223372036854775808", "9223372036854775808", "-9223372036854775809", "1.5", "1e3", "+5", "0x1");

    private static final List<String> LABEL_NAMES = List.of("a", "job", "instance", "le", "quantile", "__name__",
            "_", "a1", "room", "x_y", "A");

    private static final List<String> LABEL_VALUES = List.of("", "a", "é", "😀", "with space", "quote\\\"d",
            "back\\\\slash", "line\\nbreak", "{},=", "0.5", "+Inf", "1e3", "\\t");

    private static final List<String> DIRECTIVES = List.of("#!set stale_timeout = 5", "#!set stale_timeout = null",
            "#!set stale_timeout=0", "#!set\tstale_timeout\t=\t1.5\t", "#!set stale_timeout = -1",
            "#!set stale_timeout = NaN", "#!set stale_timeout = +Inf", "#!set stale_timeout = 1e400",
            "#!set stale_timeout = -0", "#!set stale_timeout = 1e308", "#!set stale_timeout = 4.9e-324",
            "#!set stale_timeout =", "#!set stale_timeout", "#!set", "#!set ", "#!set = 5", "#!set other = 5",
            "#!set stale_timeout = 5 6", "#!set stale_timeout = nul", "#!set stale_timeout = NULL",
            "#!setstale_timeout = 5", "#! set stale_timeout = 5", "#!set stale_timeout == 5",
            "#!set stale_timeout = \"5\"", "#!set stale_timeout = 0x10");

    /** Fragments worth inserting into text: the format's own punctuation and keywords. */
    public static final List<byte[]> TOKENS = Mutations.utf8("\n", " ", "\t", "{", "}", "=", ",", "\"", "\\",
            "\\n", "#", "# HELP ", "# TYPE ", "#!set stale_timeout = ", "null", "_sum", "_count", "_bucket",
            "le=\"", "quantile=\"", "+Inf", "NaN", "1e309", "9223372036854775808", "summary", "histogram", "é", "\r\n");

    public static Arbitrary<String> value() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(EDGE_VALUES)),
                Tuple.of(2, Arbitraries.doubles().map(ExpositionTexts::goSpelling)),
                Tuple.of(1, Arbitraries.longs().map(String::valueOf)));
    }

    private static String goSpelling(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        return Double.toString(value);
    }

    private static Arbitrary<String> labelName() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(LABEL_NAMES)),
                Tuple.of(1, Arbitraries.strings().withCharRange('a', 'z').withChars('_', '0').ofMinLength(1).ofMaxLength(6)));
    }

    /** A label value as written between the quotes, escapes included. */
    private static Arbitrary<String> labelValue() {
        Arbitrary<String> unicode = Arbitraries.strings().withCharRange(' ', '\u2fff').ofMaxLength(12)
                .map(s -> s.replace("\\", "\\\\").replace("\"", "\\\""));
        return Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.of(LABEL_VALUES)), Tuple.of(1, unicode));
    }

    private static Arbitrary<String> labels() {
        Arbitrary<String> pair = Combinators.combine(labelName(), labelValue()).as((n, v) -> n + "=\"" + v + "\"");
        return Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.just("")),
                Tuple.of(4, pair.list().ofMinSize(1).ofMaxSize(4).map(p -> "{" + String.join(",", p) + "}")),
                Tuple.of(1, pair.list().ofMinSize(5).ofMaxSize(40).map(p -> "{" + String.join(",", p) + ",}")),
                Tuple.of(1, Arbitraries.just("{}")));
    }

    private static Arbitrary<String> sample(String name, String type) {
        List<String> suffixes = switch (type) {
            case "summary" -> List.of("", "_sum", "_count");
            case "histogram", "gauge_histogram" -> List.of("_bucket", "_sum", "_count");
            default -> List.of("", "", "", "_sum");
        };
        Arbitrary<String> timestamp = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just("")),
                Tuple.of(1, Arbitraries.of(TIMESTAMPS).map(t -> " " + t)));
        return Combinators.combine(Arbitraries.of(suffixes), labels(), value(), value(), timestamp)
                .as((suffix, labels, extra, value, ts) -> {
                    String extraLabel = suffix.equals("_bucket") ? "le" : type.equals("summary") && suffix.isEmpty()
                            ? "quantile" : null;
                    String inner = labels.length() < 2 ? "" : labels.substring(1, labels.length() - 1);
                    String separator = inner.isEmpty() || inner.endsWith(",") ? "" : ",";
                    String withExtra = extraLabel == null ? labels
                            : "{" + inner + separator + extraLabel + "=\"" + extra + "\"}";
                    return name + suffix + withExtra + " " + value + ts + "\n";
                });
    }

    private static Arbitrary<String> family() {
        Arbitrary<String> name = Arbitraries.of("m", "temp_celsius", "requests_total", "job:rate5m", "s", "h");
        Arbitrary<String> help = Arbitraries.frequencyOf(Tuple.of(2, Arbitraries.just("")),
                Tuple.of(1, Arbitraries.strings().withCharRange(' ', '\u2fff').ofMaxLength(20)
                        .map(h -> h.replace("\\", "\\\\"))));
        Arbitrary<String> type = Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just("")),
                Tuple.of(4, Arbitraries.of(TYPES)));
        Arbitrary<String> directive = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just("")),
                Tuple.of(1, Arbitraries.of(DIRECTIVES).map(d -> d + "\n")));
        return Combinators.combine(name, help, type, directive).flatAs((n, h, t, d) -> {
            String header = d + (h.isEmpty() ? "" : "# HELP " + n + " " + h + "\n")
                    + (t.isEmpty() ? "" : "# TYPE " + n + " " + t + "\n");
            return sample(n, t.isEmpty() ? "untyped" : t).list().ofMinSize(1).ofMaxSize(6)
                    .map(samples -> header + String.join("", samples));
        });
    }

    /** A whole body: up to four families, sometimes with a comment or a blank line between them. */
    public static Arbitrary<String> bodies() {
        Arbitrary<String> block = Arbitraries.frequencyOf(Tuple.of(8, family()),
                Tuple.of(1, Arbitraries.of("\n", "# a comment\n", "#\n", "  \n")));
        return block.list().ofMinSize(1).ofMaxSize(4).map(blocks -> String.join("", blocks));
    }

    public static Arbitrary<byte[]> bodyBytes() {
        return bodies().map(body -> body.getBytes(StandardCharsets.UTF_8));
    }

    public static Arbitrary<byte[]> mutatedBodies() {
        return Mutations.of(bodyBytes(), TOKENS, 4);
    }
}
