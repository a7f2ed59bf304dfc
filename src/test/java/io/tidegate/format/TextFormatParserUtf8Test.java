package io.tidegate.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The text parser with {@code --push.enable-utf8-names}: quoted metric and label names and the metric
 * name inside the braces, as expfmt's TextParser reads them with UTF8Validation (prometheus/common
 * v0.61.0 to v0.67.5, the versions upstream Pushgateway 1.11.x is built with). The bodies and messages
 * are those of expfmt/text_parse_test.go of v0.67.5 (cases named by their number there). Without the
 * flag the grammar is the same and each name read must be a legacy one, as expfmt's LegacyValidation
 * has it: the same bodies are refused naming the first name that is not (the errLegacy of those cases);
 * quoted legacy names are taken ({@code TextFormatParserTest.QuotedLegacyNames}).
 */
class TextFormatParserUtf8Test {
    private static final BodyLimits UTF8 = BodyLimits.NONE.withNames(NameValidation.UTF8);
    private final TextFormatParser parser = new TextFormatParser(UTF8);
    private final TextFormatParser legacy = new TextFormatParser();

    private static Label label(String name, String value) {
        return new Label(name, value);
    }

    private static Metric simple(double value, Label... labels) {
        return Metric.simple(List.of(labels), value, null);
    }

    private static Map<String, MetricFamily> families(MetricFamily... families) {
        Map<String, MetricFamily> byName = new LinkedHashMap<>();
        for (MetricFamily family : families) {
            byName.put(family.name(), family);
        }
        return byName;
    }

    @Test
    void quotedMetricAndLabelNamesWithDotsAreRead() throws BodyFormatException {
        // text_parse_test.go case 5
        ParsedBody body = parser.parse("""
                # HELP "my.noncompliant.metric" help text
                # TYPE "my.noncompliant.metric" counter
                {"my.noncompliant.metric","label.name"="value"} 1
                """);
        assertThat(body.families()).isEqualTo(families(new MetricFamily("my.noncompliant.metric", "help text",
                MetricType.COUNTER, List.of(simple(1, label("label.name", "value"))))));
    }

    @Test
    void quotedNamesHoldAnyCharacterAndTheEscapesOfLabelValues() throws BodyFormatException {
        // text_parse_test.go cases 8 and 9
        ParsedBody body = parser.parse("""
                # HELP "gauge.name" gauge\\ndoc\\nstr\\"ing
                # TYPE "gauge.name" gauge
                {"gauge.name","name.1"="val with\\nnew line","name*2"="val with \\\\backslash and \\"quotes\\""} +Inf
                {"gauge.name","name.1"="Björn","name*2"="佖佥"} 3.14e+42
                {"my\\"noncompliant\\nmetric\\\\","label\\"name\\n"="value"} 1
                """);
        assertThat(body.families()).isEqualTo(families(
                new MetricFamily("gauge.name", "gauge\ndoc\nstr\"ing", MetricType.GAUGE, List.of(
                        simple(Double.POSITIVE_INFINITY, label("name.1", "val with\nnew line"),
                                label("name*2", "val with \\backslash and \"quotes\"")),
                        simple(3.14e42, label("name.1", "Björn"), label("name*2", "佖佥")))),
                new MetricFamily("my\"noncompliant\nmetric\\", null, MetricType.UNTYPED,
                        List.of(simple(1, label("label\"name\n", "value"))))));
    }

    @Test
    void theMetricNameMayFollowLabelsInsideTheBraces() throws BodyFormatException {
        // text_parse_test.go case 10
        ParsedBody body = parser.parse("""
                # TYPE "my.noncompliant.metric" counter
                {labelname="value", "my.noncompliant.metric"} 1
                """);
        assertThat(body.families()).isEqualTo(families(new MetricFamily("my.noncompliant.metric", null,
                MetricType.COUNTER, List.of(simple(1, label("labelname", "value"))))));
    }

    @Test
    void minimalQuotedNamesAndQuotedNamesOutsideBraces() throws BodyFormatException {
        // text_parse_test.go case 11, then a quoted name before the braces and a legacy name inside them
        ParsedBody body = parser.parse("""
                {"name.1"} 1
                "name.2" 2
                "name.3"{"a.b"="c"} 3
                {name_4,x="y"} 4
                """);
        assertThat(body.families()).isEqualTo(families(
                new MetricFamily("name.1", null, MetricType.UNTYPED, List.of(simple(1))),
                new MetricFamily("name.2", null, MetricType.UNTYPED, List.of(simple(2))),
                new MetricFamily("name.3", null, MetricType.UNTYPED, List.of(simple(3, label("a.b", "c")))),
                new MetricFamily("name_4", null, MetricType.UNTYPED, List.of(simple(4, label("x", "y"))))));
    }

    @Test
    void summaryAndHistogramOfUtf8NamesGroupTheirSamples() throws BodyFormatException {
        ParsedBody body = parser.parse("""
                # TYPE "rpc.duration" summary
                {"rpc.duration",quantile="0.5","service.name"="a"} 1
                {quantile="0.9","rpc.duration","service.name"="a"} 2
                {"rpc.duration_sum","service.name"="a"} 3
                {"rpc.duration_count","service.name"="a"} 4
                # TYPE "req.size" histogram
                {"req.size_bucket",le="1"} 1
                {"req.size_bucket",le="+Inf"} 2
                {"req.size_sum"} 3
                {"req.size_count"} 2
                """);
        Metric summary = body.families().get("rpc.duration").metrics().get(0);
        assertThat(body.families().get("rpc.duration").metrics()).hasSize(1);
        assertThat(summary.labels()).containsExactly(label("service.name", "a"));
        assertThat(summary.quantiles()).containsExactly(new Quantile(0.5, 1), new Quantile(0.9, 2));
        assertThat(summary.sum()).isEqualTo(3);
        assertThat(summary.count()).isEqualTo(4);
        Metric histogram = body.families().get("req.size").metrics().get(0);
        assertThat(histogram.buckets()).containsExactly(new Bucket(1, 1), new Bucket(Double.POSITIVE_INFINITY, 2));
        assertThat(histogram.count()).isEqualTo(2);
    }

    static Stream<Arguments> malformedUtf8Names() {
        return Stream.of(
            // text_parse_test.go case 35
            arguments("{\"one.name\",\"another.name\"} 3.14\n", "text format parsing error in line 1: multiple metric names for metric \"one.name\""),
            // case 36
            arguments("{\"a\\xc5z\",label=\"bla\"} 3.14\n", "text format parsing error in line 1: invalid escape sequence '\\x'"),
            // case 37
            arguments("{\"metric.name\".label=\"bla\"} 3.14\n", "text format parsing error in line 1: unexpected end of metric name '.'"),
            // case 38
            arguments("\n# TYPE \"metric.name\\t\" counter\n", "text format parsing error in line 2: invalid escape sequence '\\t'"),
            // case 39
            arguments("\n# TYPE \"metric\nname\" counter\n", "text format parsing error in line 2: metric name \"metric\" contains unescaped new-line"),
            // case 40
            arguments("\n{\"metric.name\",\"new\nline\"=\"bla\"} 3.14\n", "text format parsing error in line 2: label name \"new\" contains unescaped new-line"),
            // braces that name no metric
            arguments("{a=\"b\"} 1\n", "text format parsing error in line 1: invalid metric name"),
            arguments("{} 1\n", "text format parsing error in line 1: invalid metric name"),
            arguments("x 1\n{ } 1\n", "text format parsing error in line 2: invalid metric name"),
            arguments("{a=\"b\",} 1\n", "text format parsing error in line 1: invalid metric name"),
            arguments("{\"\"} 1\n", "text format parsing error in line 1: invalid label name for metric \"\""),
            arguments("\"\" 1\n", "text format parsing error in line 1: invalid metric name"),
            arguments("# HELP \"\" x\n", "text format parsing error in line 1: invalid metric name \"\""),
            arguments("x{\"__name__\"=\"y\"} 1\n", "text format parsing error in line 1: label name \"__name__\" is reserved"),
            arguments("x{\"a.b\"} 1\n", "text format parsing error in line 1: expected '=' after label name, found '}'"),
            arguments("{\"x.y\"\n", "text format parsing error in line 1: unexpected end of metric name '\\n'"),
            arguments("{\"x.y\"", "text format parsing error in line 1: unexpected end of input stream")
        );
    }

    @ParameterizedTest
    @MethodSource("malformedUtf8Names")
    void malformedUtf8NamesAreRefusedAsExpfmtRefusesThem(String body, String message) {
        assertThatThrownBy(() -> parser.parse(body)).isInstanceOf(BodyFormatException.class).hasMessage(message);
    }

    @Test
    void aNameThatIsNotUtf8IsRefused() {
        byte[] body = "{\"a\u00ffb\"} 1\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> parser.parse(body, body.length)).isInstanceOf(BodyFormatException.class)
                .hasMessage("text format parsing error in line 1: invalid metric name \"a\\xffb\"");
        byte[] label = "x{\"a\u00ffb\"=\"1\"} 1\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> parser.parse(label, label.length)).isInstanceOf(BodyFormatException.class)
                .hasMessage("text format parsing error in line 1: invalid label name \"a\\xffb\"");
    }

    static Stream<Arguments> utf8NamesWithoutTheFlag() {
        return Stream.of(
            arguments("{\"my.metric\"} 1\n", "invalid metric name \"my.metric\""),
            arguments("\"my.metric\" 1\n", "invalid metric name \"my.metric\""),
            arguments("x{\"label.name\"=\"v\"} 1\n", "invalid label name \"label.name\""),
            arguments("# TYPE \"my.metric\" gauge\nx 1\n", "invalid metric name \"my.metric\""),
            // text_parse_test.go case 35 (errLegacy): the first name read is refused before a second one is seen
            arguments("{\"one.name\",\"another.name\"} 3.14\n", "invalid metric name \"one.name\""),
            // case 41 (errLegacy)
            arguments("{\"metric.name\",foo=\"bla\"} 3.14\n", "invalid metric name \"metric.name\""),
            // case 42 (errLegacy): "foo" is a legacy name, quoted or not
            arguments("metric_name{\"foo\"=\"bar\", \"dotted.label\"=\"bla\"} 3.14\n",
                    "invalid label name \"dotted.label\""));
    }

    @ParameterizedTest
    @MethodSource("utf8NamesWithoutTheFlag")
    void withoutTheFlagAQuotedNameThatIsNotLegacyIsRefusedAsExpfmtsLegacyValidationRefusesIt(String body,
            String message) {
        assertThatThrownBy(() -> legacy.parse(body)).isInstanceOf(BodyFormatException.class)
                .hasMessage(TextFormatParser.ERROR_PREFIX + "1: " + message);
    }

    static Stream<Arguments> malformedQuotedNamesWithoutTheFlag() {
        return Stream.of(
            // text_parse_test.go cases 36 to 39: refused as with the flag (no errLegacy of their own)
            arguments("{\"a\\xc5z\",label=\"bla\"} 3.14\n", "text format parsing error in line 1: invalid escape sequence '\\x'"),
            arguments("{\"metric.name\".label=\"bla\"} 3.14\n", "text format parsing error in line 1: unexpected end of metric name '.'"),
            arguments("\n# TYPE \"metric.name\\t\" counter\n", "text format parsing error in line 2: invalid escape sequence '\\t'"),
            arguments("\n# TYPE \"metric\nname\" counter\n", "text format parsing error in line 2: metric name \"metric\" contains unescaped new-line"),
            // case 40 (errLegacy): the metric name is refused before the label name's newline is reached
            arguments("\n{\"metric.name\",\"new\nline\"=\"bla\"} 3.14\n", "text format parsing error in line 2: invalid metric name \"metric.name\""),
            arguments("{\"\"} 1\n", "text format parsing error in line 1: invalid label name for metric \"\""),
            arguments("# HELP \"\" x\n", "text format parsing error in line 1: invalid metric name \"\""),
            arguments("x{\"__name__\"=\"y\"} 1\n", "text format parsing error in line 1: label name \"__name__\" is reserved")
        );
    }

    @ParameterizedTest
    @MethodSource("malformedQuotedNamesWithoutTheFlag")
    void withoutTheFlagMalformedQuotedNamesAreRefusedAsExpfmtRefusesThem(String body, String message) {
        assertThatThrownBy(() -> legacy.parse(body)).isInstanceOf(BodyFormatException.class).hasMessage(message);
    }

    @Test
    void aNameThatIsNotUtf8IsRefusedWithoutTheFlagToo() {
        byte[] body = "{\"a\u00ffb\"} 1\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> legacy.parse(body, body.length)).isInstanceOf(BodyFormatException.class)
                .hasMessage("text format parsing error in line 1: invalid metric name \"a\\xffb\"");
    }

    @Test
    void legacyBodiesParseTheSameWithAndWithoutTheFlag() throws BodyFormatException {
        String body = """
                # HELP http_requests_total The total.
                # TYPE http_requests_total counter
                http_requests_total{method="post",code="200"} 1027
                # TYPE rpc summary
                rpc{quantile="0.5"} 1
                rpc_sum 2
                rpc_count 3
                plain 4
                """;
        assertThat(parser.parse(body)).isEqualTo(legacy.parse(body));
    }
}
