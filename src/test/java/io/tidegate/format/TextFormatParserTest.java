package io.tidegate.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import io.tidegate.fuzz.Renderings;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The text format parser, held to what the upstream Pushgateway 1.5.1 (Debian's build, with
 * prometheus/common v0.39.0) does: every error text below was produced by that binary for the same
 * body, and every accepted body was accepted by it with the same values; except where upstream 1.11
 * (prometheus/common v0.67.5) reads a body differently ({@code \"} in HELP, {@code gaugehistogram},
 * histogram counts that are not whole or are negative, quoted names): those cases come from expfmt's own
 * text_parse_test.go and text_create_test.go, named where they are used, or from its text_parse.go.
 */
class TextFormatParserTest {
    private final TextFormatParser parser = new TextFormatParser();

    private ParsedBody parse(String body) throws BodyFormatException {
        return parser.parse(body);
    }

    /** Bytes of a body written with one char per byte (so invalid UTF-8 can be written). */
    private static byte[] bytes(String oneCharPerByte) {
        return oneCharPerByte.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Label label(String name, String value) {
        return new Label(name, value);
    }

    private static Metric simple(double value, Label... labels) {
        return Metric.simple(List.of(labels), value, null);
    }

    private static MetricFamily family(String name, String help, MetricType type, Metric... metrics) {
        return new MetricFamily(name, help, type, List.of(metrics));
    }

    private static Map<String, MetricFamily> families(MetricFamily... families) {
        Map<String, MetricFamily> byName = new LinkedHashMap<>();
        for (MetricFamily family : families) {
            byName.put(family.name(), family);
        }
        return byName;
    }

    @Nested
    class AcceptedBodies {
        @ParameterizedTest
        @ValueSource(strings = {"", "\n\n", "   \n", "\t\n", "# comment\n", "#\n", "#  \n", "# HELP\n", "# TYPE\n",
                "# HELP foo\n", "# HELP foo some help\n", "# TYPE foo gauge\n", "# HELP foo \n# TYPE foo counter\n",
                "  \n   "})
        void bodiesWithoutSamplesHaveNoFamilies(String body) throws Exception {
            ParsedBody parsed = parse(body);

            assertThat(parsed.families()).isEmpty();
            assertThat(parsed.staleTimeoutSeconds()).isEmpty();
        }

        @Test
        void sampleWithoutTypeIsUntyped() throws Exception {
            assertThat(parse("foo 1\n").families())
                    .containsExactlyEntriesOf(families(family("foo", null, MetricType.UNTYPED, simple(1))));
        }

        @ParameterizedTest
        @ValueSource(strings = {"foo 1\n", "foo\t1\n", " foo 1\n", "\tfoo  1\n", "foo{} 1\n", "foo { } 1\n", "foo{}1\n",
                "foo {\t}\t1\n", "foo 1\n\n", "\n\nfoo 1\n"})
        void blanksAndTabsAroundTheNameLabelsAndValueAreSkipped(String body) throws Exception {
            assertThat(parse(body).families())
                    .containsExactlyEntriesOf(families(family("foo", null, MetricType.UNTYPED, simple(1))));
        }

        @ParameterizedTest
        @ValueSource(strings = {"foo{a=\"1\",b=\"2\"} 3\n", "foo{a=\"1\" , b = \"2\"} 3\n", "foo{ a = \"1\",b=\"2\", } 3\n",
                "foo{a=\"1\",b=\"2\"}3\n", "foo{a\t=\t\"1\"\t,\tb=\"2\"\t}\t3\n"})
        void labelsKeepTheirOrderWhateverTheSpacingAndATrailingComma(String body) throws Exception {
            assertThat(parse(body).families().get("foo").metrics())
                    .containsExactly(simple(3, label("a", "1"), label("b", "2")));
        }

        @Test
        void labelValueEscapesAreBackslashQuoteAndNewline() throws Exception {
            Metric metric = parse("foo{a=\"\\\\x\\\"y\\nz\"} 1\n").families().get("foo").metrics().get(0);

            assertThat(metric.label("a")).isEqualTo("\\x\"y\nz");
        }

        @Test
        void labelValuesAreUtf8AndMayHoldAnyCharacter() throws Exception {
            Metric metric = parse("foo{a=\"é 😀 {},=#\",b=\"\",c=\"\t\"} 1\n").families().get("foo").metrics().get(0);

            assertThat(metric.labels()).containsExactly(label("a", "é 😀 {},=#"), label("b", ""), label("c", "\t"));
        }

        @Test
        void namesFollowTheLegacyCharacterSets() throws Exception {
            ParsedBody parsed = parse("foo:bar 1\n:foo 2\n_foo{_a=\"x\",A9_b=\"y\"} 3\n");

            assertThat(parsed.families().keySet()).containsExactly("foo:bar", ":foo", "_foo");
            assertThat(parsed.families().get("_foo").metrics().get(0).labels())
                    .containsExactly(label("_a", "x"), label("A9_b", "y"));
        }

        @Test
        void labelNamesStartingWithTwoUnderscoresAreLeftToValidation() throws Exception {
            // Upstream's parser accepts them; its push validation then rejects the reserved name.
            assertThat(parse("foo{__x=\"1\"} 1\n").families().get("foo").metrics().get(0).labels())
                    .containsExactly(label("__x", "1"));
        }

        @ParameterizedTest
        @CsvSource({"100,100", "+5,5", "-5,-5", "0,0", "-9223372036854775808,-9223372036854775808",
                "9223372036854775807,9223372036854775807", "007,7"})
        void anIntegerTimestampAfterTheValueIsKept(String written, long expected) throws Exception {
            Metric metric = parse("foo 1 " + written + "\n").families().get("foo").metrics().get(0);

            assertThat(metric.timestampMs()).isEqualTo(expected);
            assertThat(metric.value()).isEqualTo(1);
        }

        @Test
        void aSampleWithoutTimestampHasNone() throws Exception {
            assertThat(parse("foo 1\n").families().get("foo").metrics().get(0).timestampMs()).isNull();
        }

        @Test
        void typesAreReadInAnyCase() throws Exception {
            ParsedBody parsed = parse("# TYPE a COUNTER\na 1\n# TYPE b Gauge\nb 2\n# TYPE c untyped\nc 3\n");

            assertThat(parsed.families().values()).extracting(MetricFamily::type)
                    .containsExactly(MetricType.COUNTER, MetricType.GAUGE, MetricType.UNTYPED);
        }

        @Test
        void aTypeIsUpperCasedAsGoDoesBeyondAscii() throws Exception {
            // Go's strings.ToUpper makes the long s (U+017F) an S
            ParsedBody parsed = parse("# TYPE a \u017fummary\na_sum 1\na_count 1\n# TYPE b HiStOgRaM\nb_count 1\n");

            assertThat(parsed.families().values()).extracting(MetricFamily::type)
                    .containsExactly(MetricType.SUMMARY, MetricType.HISTOGRAM);
        }

        @ParameterizedTest
        @ValueSource(strings = {"# TYPE foo gauge\n", "#TYPE foo gauge\n", "#  TYPE foo gauge\n", "# TYPE foo  gauge\n",
                "# TYPE foo\tgauge\n", "  # TYPE foo gauge\n", "# TYPE foo \n# TYPE foo gauge\n"})
        void typeLinesToleratesSpacingAndAnEmptyTypeLineDoesNotCount(String typeLines) throws Exception {
            assertThat(parse(typeLines + "foo 1\n").families().get("foo").type()).isEqualTo(MetricType.GAUGE);
        }

        @Test
        void helpTextIsTheRestOfTheLineWithBackslashAndNewlineEscapes() throws Exception {
            ParsedBody parsed = parse("# HELP foo a\\\\b\\nc \"q\"  \n# HELP  bar   lots   of  space  \nfoo 1\nbar 1\n");

            assertThat(parsed.families().get("foo").help()).isEqualTo("a\\b\nc \"q\"  ");
            assertThat(parsed.families().get("bar").help()).isEqualTo("lots   of  space  ");
        }

        @Test
        void anEscapedDoubleQuoteInHelpIsADoubleQuoteAsUpstream1_11ReadsIt() throws Exception {
            // expfmt v0.67.5 text_parse.go readTokenUntilNewline (line 732; since v0.56): \\, \n and \" in HELP.
            // Bodies from its text_parse_test.go TestTextParse case 8 (HELP of "gauge.name", here unquoted) and case 2.
            ParsedBody parsed = parse("# HELP gauge_name gauge\\ndoc\\nstr\\\"ing\ngauge_name 1\n"
                    + "# HELP name2  \tdoc str\"ing 2\nname2 1\n"
                    + "# HELP mixed a\\\\\\\"b\\\\\\n\\\"\nmixed 1\n");

            assertThat(parsed.families().get("gauge_name").help()).isEqualTo("gauge\ndoc\nstr\"ing");
            assertThat(parsed.families().get("name2").help()).isEqualTo("doc str\"ing 2");
            assertThat(parsed.families().get("mixed").help()).isEqualTo("a\\\"b\\\n\"");
        }

        @Test
        void helpLineWithoutTextSetsNoHelp() throws Exception {
            ParsedBody parsed = parse("# HELP foo \n# HELP foo x\nfoo 1\n# HELP bar\t\nbar 1\n");

            assertThat(parsed.families().get("foo").help()).isEqualTo("x");
            assertThat(parsed.families().get("bar").help()).isNull();
        }

        @Test
        void helpAndTypeGoWithTheirFamilyAndFamiliesWithoutSamplesAreDropped() throws Exception {
            ParsedBody parsed = parse("# HELP foo x\n# TYPE foo gauge\n# HELP bar y\n# TYPE bar counter\nfoo 1\n");

            assertThat(parsed.families())
                    .containsExactlyEntriesOf(families(family("foo", "x", MetricType.GAUGE, simple(1))));
        }

        @Test
        void familiesAreInTheOrderTheyFirstAppear() throws Exception {
            ParsedBody parsed = parse("# HELP c x\nb 1\na 1\nc 1\n");

            assertThat(parsed.families().keySet()).containsExactly("c", "b", "a");
        }

        @Test
        void samplesOfAFamilyMayComeBackAfterOtherFamilies() throws Exception {
            ParsedBody parsed = parse("foo 1\nbar 2\nfoo{a=\"1\"} 3\n");

            assertThat(parsed.families()).containsExactlyEntriesOf(families(
                    family("foo", null, MetricType.UNTYPED, simple(1), simple(3, label("a", "1"))),
                    family("bar", null, MetricType.UNTYPED, simple(2))));
        }

        @Test
        void repeatedSeriesAreKeptForValidationToReject() throws Exception {
            assertThat(parse("foo{a=\"1\"} 1\nfoo{a=\"1\"} 2\n").families().get("foo").metrics())
                    .containsExactly(simple(1, label("a", "1")), simple(2, label("a", "1")));
        }

        @Test
        void bodyMayEndWithBlanksAfterTheLastNewline() throws Exception {
            assertThat(parse("foo 1\n  \t").families()).containsKey("foo");
        }
    }

    @Nested
    class SummariesAndHistograms {
        @Test
        void summaryLinesBecomeOneSeriesWithQuantilesSumAndCount() throws Exception {
            ParsedBody parsed = parse("# HELP s help\n# TYPE s summary\n"
                    + "s{quantile=\"0.5\"} 1\ns{quantile=\"0.9\"} 2\ns_sum 10\ns_count 3\n");

            assertThat(parsed.families()).containsExactlyEntriesOf(families(family("s", "help", MetricType.SUMMARY,
                    Metric.summary(List.of(), 3, 10, List.of(new Quantile(0.5, 1), new Quantile(0.9, 2)), null))));
        }

        @Test
        void summarySeriesAreGroupedByLabelSetAndLabelledByTheirFirstLine() throws Exception {
            ParsedBody parsed = parse("# TYPE s summary\n"
                    + "s{quantile=\"0.5\",a=\"1\",b=\"x\"} 1\n"
                    + "s{a=\"2\",quantile=\"0.5\"} 5\n"
                    + "s_sum{b=\"x\",a=\"1\"} 2\n"
                    + "s_count{a=\"1\",b=\"x\"} 3\n");

            assertThat(parsed.families().get("s").metrics()).containsExactly(
                    Metric.summary(List.of(label("a", "1"), label("b", "x")), 3, 2, List.of(new Quantile(0.5, 1)), null),
                    Metric.summary(List.of(label("a", "2")), 0, 0, List.of(new Quantile(0.5, 5)), null));
        }

        @Test
        void summaryLineWithoutQuantileMakesAnEmptySeries() throws Exception {
            assertThat(parse("# TYPE s summary\ns{a=\"1\"} 7\n").families().get("s").metrics())
                    .containsExactly(Metric.summary(List.of(label("a", "1")), 0, 0, List.of(), null));
        }

        @Test
        void aRepeatedQuantileLabelIsNoDuplicateAndTheLastOneCounts() throws Exception {
            assertThat(parse("# TYPE s summary\ns{quantile=\"0.5\",quantile=\"0.9\"} 1\n").families().get("s").metrics())
                    .containsExactly(Metric.summary(List.of(), 0, 0, List.of(new Quantile(0.9, 1)), null));
        }

        @Test
        void theLastTimestampOfASeriesLinesCounts() throws Exception {
            assertThat(parse("# TYPE s summary\ns_sum 1 100\ns_count 2\ns{quantile=\"1\"} 3 200\n")
                    .families().get("s").metrics().get(0).timestampMs()).isEqualTo(200L);
        }

        @Test
        void histogramLinesBecomeOneSeriesWithBucketsSumAndCount() throws Exception {
            ParsedBody parsed = parse("# TYPE h histogram\n"
                    + "h_bucket{le=\"0.5\",a=\"1\"} 1\nh_bucket{a=\"1\",le=\"+Inf\"} 4\nh_sum{a=\"1\"} 7.5\nh_count{a=\"1\"} 4\n"
                    + "h{le=\"1\"} 2\nh_count 2\n");

            assertThat(parsed.families()).containsExactlyEntriesOf(families(family("h", null, MetricType.HISTOGRAM,
                    Metric.histogram(List.of(label("a", "1")), 4, 7.5,
                            List.of(new Bucket(0.5, 1), new Bucket(Double.POSITIVE_INFINITY, 4)), null),
                    Metric.histogram(List.of(), 2, 0, List.of(new Bucket(1, 2)), null))));
        }

        @Test
        void histogramLineWithoutLeAddsNoBucket() throws Exception {
            assertThat(parse("# TYPE h histogram\nh_bucket{a=\"1\"} 1\n").families().get("h").metrics())
                    .containsExactly(Metric.histogram(List.of(label("a", "1")), 0, 0, List.of(), null));
        }

        @Test
        void summaryCountsAreTruncatedToIntegersAsUpstreamStillStoresThemAsUint64() throws Exception {
            // expfmt v0.67.5 text_parse.go line 554: SampleCount = proto.Uint64(uint64(value)), as in v0.39.0
            ParsedBody parsed = parse("# TYPE s summary\ns_count 3.7\n");

            assertThat(parsed.families().get("s").metrics().get(0).count()).isEqualTo(3);
        }

        @Test
        void fractionalHistogramCountsAreKeptAsFloatsAsUpstream1_11Does() throws Exception {
            // expfmt v0.67.5 text_parse_test.go, TestTextParse case 12 ("A full float histogram")
            ParsedBody parsed = parse("""
                    # HELP request_duration_microseconds The response latency.
                    # TYPE request_duration_microseconds histogram
                    request_duration_microseconds_bucket{le="100"} 123.5
                    request_duration_microseconds_bucket{le="120"} 412.6
                    request_duration_microseconds_bucket{le="144"} 592.7
                    request_duration_microseconds_bucket{le="172.8"} 1524.8
                    request_duration_microseconds_bucket{le="+Inf"} 2693.9
                    request_duration_microseconds_sum 1.7560473e+06
                    request_duration_microseconds_count 2693.9
                    """);

            Metric histogram = parsed.families().get("request_duration_microseconds").metrics().get(0);
            assertThat(histogram.count()).isEqualTo(2693.9);
            assertThat(histogram.sum()).isEqualTo(1756047.3);
            assertThat(histogram.buckets()).containsExactly(new Bucket(100, 123.5), new Bucket(120, 412.6),
                    new Bucket(144, 592.7), new Bucket(172.8, 1524.8), new Bucket(Double.POSITIVE_INFINITY, 2693.9));
            assertThat(SampleCounts.hasFloatCounts(histogram)).isTrue();
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
            // expfmt v0.67.5 text_parse_test.go, TestTextParse case 13: only the count is a float
            "histogram|123|412|592|1524|2693|2693.9",
            // case 14: only one bucket is a float
            "histogram|123|412|592|1524.8|2693|2693",
            // case 17: the same in a gauge histogram
            "gauge_histogram|123|412|592|1524.8|2693|2693"})
        void oneFloatCountMakesEveryCountOfTheHistogramAFloatAsUpstream1_11Does(String type, double b100, double b120,
                double b144, double b172, double bInf, double count) throws Exception {
            ParsedBody parsed = parse("# TYPE request_duration_microseconds " + type + "\n"
                    + "request_duration_microseconds_bucket{le=\"100\"} " + b100 + "\n"
                    + "request_duration_microseconds_bucket{le=\"120\"} " + b120 + "\n"
                    + "request_duration_microseconds_bucket{le=\"144\"} " + b144 + "\n"
                    + "request_duration_microseconds_bucket{le=\"172.8\"} " + b172 + "\n"
                    + "request_duration_microseconds_bucket{le=\"+Inf\"} " + bInf + "\n"
                    + "request_duration_microseconds_sum 1.7560473e+06\n"
                    + "request_duration_microseconds_count " + count + "\n");

            Metric histogram = parsed.families().get("request_duration_microseconds").metrics().get(0);
            assertThat(histogram.count()).isEqualTo(count);
            assertThat(histogram.buckets()).extracting(Bucket::cumulativeCount).containsExactly(b100, b120, b144, b172, bInf);
            assertThat(SampleCounts.hasFloatCounts(histogram)).isTrue();
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {"0|0", "-0|0", "7|7", "1e19|1e19", "18446744073709549568|18446744073709549568"})
        void wholeHistogramCountsStayIntegers(String written, double expected) throws Exception {
            Metric histogram = parse("# TYPE h histogram\nh_bucket{le=\"1\"} " + written + "\nh_count " + written + "\n")
                    .families().get("h").metrics().get(0);

            assertThat(histogram.count()).isEqualTo(Double.valueOf(expected)); // boxed: -0 would differ from 0
            assertThat(histogram.buckets()).containsExactly(new Bucket(1, expected));
            assertThat(SampleCounts.hasFloatCounts(histogram)).isFalse();
        }

        /** uint64(value) == value fails for these on amd64, so v0.67 keeps them as floats. */
        @ParameterizedTest
        @ValueSource(strings = {"NaN", "+Inf", "1e-3", "18446744073709551616", "1e20"})
        void histogramCountsNoUint64HoldsAreKeptAsFloats(String written) throws Exception {
            Metric histogram = parse("# TYPE h histogram\nh_count " + written + "\n").families().get("h").metrics().get(0);

            assertThat(histogram.count()).isEqualTo(TextFormatParser.parseGoFloat(written));
            assertThat(SampleCounts.hasFloatCounts(histogram)).isTrue();
        }

        /** Values read back from the upstream binary (amd64) after pushing these counts. */
        @ParameterizedTest
        @CsvSource({"-1,1.8446744073709552E19", "-1.5,1.8446744073709552E19", "NaN,9.223372036854776E18",
                "+Inf,9.223372036854776E18", "-Inf,9.223372036854776E18", "1e19,1e19", "2e19,9.223372036854776E18",
                "-9.3e18,9.223372036854776E18", "-0.5,0", "1e-3,0", "-3,1.8446744073709552E19"})
        void negativeNaNAndHugeCountsWrapAsUpstreamOnAmd64(String written, double expected) throws Exception {
            ParsedBody parsed = parse("# TYPE s summary\ns_count " + written + "\n");

            assertThat(parsed.families().get("s").metrics().get(0).count()).isEqualTo(expected);
        }

        @Test
        void sumAndCountOfFamiliesNotDeclaredSummaryOrHistogramAreFamiliesOfTheirOwn() throws Exception {
            ParsedBody parsed = parse("# TYPE s counter\ns_count 1\ns_sum 2\n# HELP t help\nt_count 1\n"
                    + "# TYPE u summary\nu_bucket 1\n# TYPE g gauge\ng_bucket{le=\"1\"} 1\n");

            assertThat(parsed.families()).containsExactlyEntriesOf(families(
                    family("s_count", null, MetricType.UNTYPED, simple(1)),
                    family("s_sum", null, MetricType.UNTYPED, simple(2)),
                    family("t_count", null, MetricType.UNTYPED, simple(1)),
                    family("u_bucket", null, MetricType.UNTYPED, simple(1)),
                    family("g_bucket", null, MetricType.UNTYPED, simple(1, label("le", "1")))));
        }

        @Test
        void sumAndCountBeforeTheSummaryTypeLineAreFamiliesOfTheirOwn() throws Exception {
            ParsedBody parsed = parse("s_count 1\n# TYPE s summary\ns_count 2\ns{quantile=\"0.5\"} 3\n");

            assertThat(parsed.families()).containsExactlyEntriesOf(families(
                    family("s_count", null, MetricType.UNTYPED, simple(1), simple(2)),
                    family("s", null, MetricType.SUMMARY,
                            Metric.summary(List.of(), 0, 0, List.of(new Quantile(0.5, 3)), null))));
        }

        @Test
        void helpLineOfASummarysCountGoesToTheSummary() throws Exception {
            ParsedBody parsed = parse("# TYPE s summary\n# HELP s_count hh\ns_count 1\n");

            assertThat(parsed.families()).containsExactlyEntriesOf(families(
                    family("s", "hh", MetricType.SUMMARY, Metric.summary(List.of(), 1, 0, List.of(), null))));
        }

        @Test
        void quantileAndLeAreOrdinaryLabelsOutsideSummariesAndHistograms() throws Exception {
            ParsedBody parsed = parse("foo{quantile=\"x\",le=\"y\"} 1\n# TYPE s summary\ns{le=\"1\",quantile=\"1\"} 1\n");

            assertThat(parsed.families().get("foo").metrics().get(0).labels())
                    .containsExactly(label("quantile", "x"), label("le", "y"));
            assertThat(parsed.families().get("s").metrics().get(0).labels()).containsExactly(label("le", "1"));
        }

        @Test
        void gaugehistogramAsOpenMetricsSpellsItIsAGaugeHistogramAsUpstream1_11ReadsIt() throws Exception {
            // expfmt v0.67.5 text_parse.go readingType (line 667), text_parse_test.go TestTextParse case 15
            ParsedBody parsed = parse("""
                    # HELP request_duration_microseconds The response latency.
                    # TYPE request_duration_microseconds gaugehistogram
                    request_duration_microseconds_bucket{le="100"} 123
                    request_duration_microseconds_bucket{le="120"} 412
                    request_duration_microseconds_bucket{le="144"} 592
                    request_duration_microseconds_bucket{le="172.8"} 1524
                    request_duration_microseconds_bucket{le="+Inf"} 2693
                    request_duration_microseconds_sum 1.7560473e+06
                    request_duration_microseconds_count 2693
                    # TYPE g GaugeHistogram
                    g_count 1
                    """);

            assertThat(parsed.families()).containsExactlyEntriesOf(families(
                    family("request_duration_microseconds", "The response latency.", MetricType.GAUGE_HISTOGRAM,
                            Metric.histogram(List.of(), 2693, 1756047.3, List.of(new Bucket(100, 123),
                                    new Bucket(120, 412), new Bucket(144, 592), new Bucket(172.8, 1524),
                                    new Bucket(Double.POSITIVE_INFINITY, 2693)), null)),
                    family("g", null, MetricType.GAUGE_HISTOGRAM, Metric.histogram(List.of(), 1, 0, List.of(), null))));
        }

        @Test
        void gaugeHistogramIsReadLikeAHistogramAsLatestUpstreamDoes() throws Exception {
            ParsedBody parsed = parse("# TYPE g GAUGE_HISTOGRAM\ng_bucket{le=\"1\"} 2\ng_bucket{le=\"+Inf\"} 3\n"
                    + "g_sum 4\ng_count 3\n");

            assertThat(parsed.families()).containsExactlyEntriesOf(families(family("g", null, MetricType.GAUGE_HISTOGRAM,
                    Metric.histogram(List.of(), 3, 4,
                            List.of(new Bucket(1, 2), new Bucket(Double.POSITIVE_INFINITY, 3)), null))));
        }
    }

    /** What a scrape of a pushed body shows: as upstream 1.11 (expfmt v0.67.5's writers) shows it. */
    @Nested
    class ServedAsUpstream1_11ServesIt {
        private static final String FLOAT_HISTOGRAM = """
                # HELP name doc string
                # TYPE name histogram
                name_bucket{le="100"} 123.123
                name_bucket{le="120"} 412
                name_bucket{le="144"} 592
                name_bucket{le="172.8"} 1524
                name_bucket{le="+Inf"} 2693.123
                name_sum 1.7560473e+06
                name_count 2693.123
                """;

        @Test
        void aHelpWithAnEscapedQuoteIsServedWithTheQuoteUnescapedInText() throws Exception {
            // expfmt v0.67.5 text_create_test.go TestCreate case 1: help "gauge\ndoc\nstr\"ing" is written so
            // (text_create.go writeEscapedString(w, help, false) escapes only \\ and \n)
            String written = "# HELP gauge_name gauge\\ndoc\\nstr\"ing\n# TYPE gauge_name gauge\ngauge_name 1\n";

            ParsedBody parsed = parse("# HELP gauge_name gauge\\ndoc\\nstr\\\"ing\n# TYPE gauge_name gauge\ngauge_name 1\n");

            assertThat(new String(Renderings.render(WireFormat.TEXT, parsed), StandardCharsets.UTF_8)).isEqualTo(written);
            assertThat(new String(Renderings.render(WireFormat.OPENMETRICS, parsed), StandardCharsets.UTF_8))
                    .startsWith("# HELP gauge_name gauge\\ndoc\\nstr\\\"ing\n"); // OpenMetrics escapes quotes
        }

        @Test
        void aFloatHistogramPushedAsTextIsServedWithItsFloatCounts() throws Exception {
            // expfmt v0.67.5 text_create_test.go TestCreate case 8: what 1.11 writes for a float histogram, pushed
            ParsedBody parsed = parse(FLOAT_HISTOGRAM);

            assertThat(new String(Renderings.render(WireFormat.TEXT, parsed), StandardCharsets.UTF_8))
                    .isEqualTo(FLOAT_HISTOGRAM);
        }

        @Test
        void aFloatHistogramPushedAsTextIsServedInProtobufWithTheFloatFieldsOnly() throws Exception {
            // expfmt v0.67.5 text_parse_test.go TestTextParse case 14: one float bucket makes every count a float
            ParsedBody parsed = parse(FLOAT_HISTOGRAM.replace("123.123", "123").replace("2693.123", "2693")
                    .replace("le=\"172.8\"} 1524", "le=\"172.8\"} 1524.8"));

            Metrics.MetricFamily family = Metrics.MetricFamily.parseDelimitedFrom(
                    new ByteArrayInputStream(Renderings.render(WireFormat.PROTOBUF, parsed)));
            Metrics.Histogram histogram = family.getMetric(0).getHistogram();
            assertThat(histogram.hasSampleCount()).isFalse();
            assertThat(histogram.getSampleCountFloat()).isEqualTo(2693);
            assertThat(histogram.getSampleSum()).isEqualTo(1756047.3);
            assertThat(histogram.getBucketList()).allSatisfy(b -> assertThat(b.hasCumulativeCount()).isFalse());
            assertThat(histogram.getBucketList()).extracting(Metrics.Bucket::getCumulativeCountFloat)
                    .containsExactly(123.0, 412.0, 592.0, 1524.8, 2693.0);
        }

        @Test
        void anIntegerHistogramStaysIntegerInProtobuf() throws Exception {
            ParsedBody parsed = parse("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_count 2\nh_sum 3\n");

            Metrics.Histogram histogram = Metrics.MetricFamily.parseDelimitedFrom(
                    new ByteArrayInputStream(Renderings.render(WireFormat.PROTOBUF, parsed))).getMetric(0).getHistogram();
            assertThat(histogram.getSampleCount()).isEqualTo(2);
            assertThat(histogram.hasSampleCountFloat()).isFalse();
            assertThat(histogram.getBucket(0).getCumulativeCount()).isEqualTo(2);
            assertThat(histogram.getBucket(0).hasCumulativeCountFloat()).isFalse();
        }
    }

    @Nested
    class Floats {
        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {"1|1", "-1|-1", "+1|1", "1.|1", ".5|0.5", "+.5e+3|500", "00012|12",
                "1E5|100000", "1e-400|0", "-0|-0.0", "1.7976931348623157e308|1.7976931348623157e308",
                "1.7976931348623158e308|1.7976931348623157e308", "0.1|0.1", "123456789012345678901234567890|1.2345678901234568E29",
                "3.141592653589793238462643383279|3.141592653589793", "4.9e-324|4.9e-324", "9007199254740993|9007199254740992",
                "Inf|Infinity", "+inf|Infinity", "-INF|-Infinity", "infinity|Infinity", "+Infinity|Infinity",
                "-iNfInItY|-Infinity", "NaN|NaN", "nan|NaN", "nAN|NaN"})
        void valuesAreReadAsGoReadsFloats(String written, double expected) throws Exception {
            Double value = parse("foo " + written + "\n").families().get("foo").metrics().get(0).value();

            assertThat(value).isEqualTo(Double.valueOf(expected)); // boxed: NaN equals NaN, -0 differs from 0
            assertThat(TextFormatParser.parseGoFloat(written)).isEqualTo(Double.valueOf(expected));
        }

        @ParameterizedTest
        @ValueSource(strings = {"infin", "+NaN", "-nan", "0x10", "0x1p-2", "0x1.8p1", "1_000", "1e400", "-1e400", ".", "1e",
                "1e+", "1d", "1f", "--1", "+-1", "", "1.7976931348623159e308", "1,5", "0b1", "0o7", "1e0x", "1..2", "1e5.5",
                "+", "-", "e5", "٣", "1 ", " 1", "Infinityx", "inff", "nana", "NaN1", "1e+-5"})
        void textsGoDoesNotReadAsFloatAreRejected(String written) {
            assertThat(TextFormatParser.parseGoFloat(written)).isNull();
        }

        @Test
        void fastPathAgreesWithJavaForShortDecimals() {
            for (String text : List.of("0.3", "123.456", "999999999999999", "0.000000000000000000001", "-7.25",
                    "12345.6789012345", "0.1234567890123")) {
                assertThat(TextFormatParser.parseGoFloat(text)).as(text).isEqualTo(Double.parseDouble(text));
            }
        }
    }

    @Nested
    class RejectedBodies {
        /** Each expected message is what upstream Pushgateway 1.5.1 answered for the same body. */
        static Stream<Arguments> rejectedBodies() {
            return Stream.of(
                    // End of input inside a line: the last line must end with a newline.
                    arguments("foo 1", "line 1: unexpected end of input stream"),
                    arguments("foo 1 2", "line 1: unexpected end of input stream"),
                    arguments("foo", "line 1: unexpected end of input stream"),
                    arguments("foo ", "line 1: unexpected end of input stream"),
                    arguments("foo{", "line 1: unexpected end of input stream"),
                    arguments("foo{a", "line 1: unexpected end of input stream"),
                    arguments("foo{a=", "line 1: unexpected end of input stream"),
                    arguments("foo{a=\"1\"", "line 1: unexpected end of input stream"),
                    arguments("foo{a=\"1\"}", "line 1: unexpected end of input stream"),
                    arguments("foo{a=\"x\\", "line 1: unexpected end of input stream"),
                    arguments("#", "line 1: unexpected end of input stream"),
                    arguments("# comment", "line 1: unexpected end of input stream"),
                    arguments("# HELP foo", "line 1: unexpected end of input stream"),
                    arguments("# HELP foo ", "line 1: unexpected end of input stream"),
                    arguments("# HELP foo x", "line 1: unexpected end of input stream"),
                    arguments("# TYPE", "line 1: unexpected end of input stream"),
                    arguments("# TYPE foo", "line 1: unexpected end of input stream"),
                    arguments("# TYPE foo gauge", "line 1: unexpected end of input stream"),
                    arguments("#!set stale_timeout = 30", "line 1: unexpected end of input stream"),
                    arguments("foo 1\n# HELP bar x\\", "line 2: unexpected end of input stream"),
                    // Values and timestamps.
                    arguments("foo abc\n", "line 1: expected float as value, got \"abc\""),
                    arguments("foo \n", "line 1: expected float as value, got \"\""),
                    arguments("foo{a=\"1\"}  \n", "line 1: expected float as value, got \"\""),
                    arguments("foo 1\r\n", "line 1: expected float as value, got \"1\\r\""),
                    arguments("foo-bar 1\n", "line 1: expected float as value, got \"-bar\""),
                    arguments("foo{a=\"1\"}} 1\n", "line 1: expected float as value, got \"}\""),
                    arguments("foo 0x1p-2\n", "line 1: expected float as value, got \"0x1p-2\""),
                    arguments("foo 1e400\n", "line 1: expected float as value, got \"1e400\""),
                    arguments("foo +NaN\n", "line 1: expected float as value, got \"+NaN\""),
                    arguments("foo 1_000\n", "line 1: expected float as value, got \"1_000\""),
                    arguments("foo \u00d9\u00a3\n", "line 1: expected float as value, got \"٣\""),
                    arguments("foo \u00c3\u00a9\n", "line 1: expected float as value, got \"é\""),
                    arguments("foo \u00ff\u0001\u007f\u00c2\u0085\n",
                            "line 1: expected float as value, got \"\\xff\\x01\\x7f\\u0085\""),
                    arguments("foo 1 \n", "line 1: expected integer as timestamp, got \"\""),
                    arguments("foo 1 abc\n", "line 1: expected integer as timestamp, got \"abc\""),
                    arguments("foo 1 1.5\n", "line 1: expected integer as timestamp, got \"1.5\""),
                    arguments("foo 1 1_0\n", "line 1: expected integer as timestamp, got \"1_0\""),
                    arguments("foo 1 0x10\n", "line 1: expected integer as timestamp, got \"0x10\""),
                    arguments("foo 1 2\r\n", "line 1: expected integer as timestamp, got \"2\\r\""),
                    arguments("foo 1 99999999999999999999\n",
                            "line 1: expected integer as timestamp, got \"99999999999999999999\""),
                    arguments("foo 1 9223372036854775808\n",
                            "line 1: expected integer as timestamp, got \"9223372036854775808\""),
                    arguments("foo 1 2\u00e2\u0080\u008b\n", "line 1: expected integer as timestamp, got \"2\\u200b\""),
                    arguments("foo 1 2 \n", "line 1: spurious string after timestamp: \" \""),
                    arguments("foo 1 2 3\n", "line 1: spurious string after timestamp: \" 3\""),
                    // Names.
                    arguments("1foo 1\n", "line 1: invalid metric name"),
                    arguments("{a=\"1\"} 1\n", "line 1: invalid metric name"),
                    arguments("# HELP foo{ x\n", "line 1: invalid metric name in comment"),
                    arguments("foo{1a=\"1\"} 1\n", "line 1: invalid label name for metric \"foo\""),
                    arguments("foo{a=\"1\",,b=\"2\"} 1\n", "line 1: invalid label name for metric \"foo\""),
                    arguments("foo{,} 1\n", "line 1: invalid label name for metric \"foo\""),
                    arguments("foo{__name__=\"1\"} 1\n", "line 1: label name \"__name__\" is reserved"),
                    arguments("foo{a=\"1\",a=\"2\"} 1\n", "line 1: duplicate label names for metric \"foo\""),
                    arguments("foo{a=\"1\",a=\"1\"} 1\n", "line 1: duplicate label names for metric \"foo\""),
                    // Quoted names that are not legacy names, without UTF-8 names: 1.11 (expfmt v0.61 and later)
                    // reads the quotes and refuses the name it read (1.5.1 refused the quote itself: "invalid
                    // metric name", "invalid metric name in comment", "invalid label name for metric \"foo\"").
                    arguments("\"foo.bar\" 1\n", "line 1: invalid metric name \"foo.bar\""),
                    arguments("{\"foo.bar\"} 1\n", "line 1: invalid metric name \"foo.bar\""),
                    arguments("# HELP \"foo.bar\" x\n", "line 1: invalid metric name \"foo.bar\""),
                    arguments("# TYPE \"foo-bar\" gauge\n", "line 1: invalid metric name \"foo-bar\""),
                    arguments("foo{\"a.b\"=\"1\"} 1\n", "line 1: invalid label name \"a.b\""),
                    arguments("foo{\"a:b\"=\"1\"} 1\n", "line 1: invalid label name \"a:b\""),
                    arguments("foo{\"\u00c3\u00a9\"=\"1\"} 1\n", "line 1: invalid label name \"é\""),
                    arguments("{\"9foo\"} 1\n", "line 1: invalid metric name \"9foo\""),
                    arguments("{\"\"} 1\n", "line 1: invalid label name for metric \"\""),
                    arguments("# HELP \"\" x\n", "line 1: invalid metric name \"\""),
                    // expfmt v0.67.5 text_parse_test.go TestTextParseError cases 35, 40, 41 and 42 (errLegacy)
                    arguments("{\"one.name\",\"another.name\"} 3.14",
                            "line 1: invalid metric name \"one.name\""),
                    arguments("\n{\"metric.name\",\"new\nline\"=\"bla\"} 3.14\n",
                            "line 2: invalid metric name \"metric.name\""),
                    arguments("{\"metric.name\",foo=\"bla\"} 3.14\n", "line 1: invalid metric name \"metric.name\""),
                    arguments("metric_name{\"foo\"=\"bar\", \"dotted.label\"=\"bla\"} 3.14\n",
                            "line 1: invalid label name \"dotted.label\""),
                    // Label syntax.
                    arguments("foo{a=1} 1\n", "line 1: expected '\"' at start of label value, found '1'"),
                    arguments("foo{a=\u00c3\u00a9} 1\n", "line 1: expected '\"' at start of label value, found 'Ã'"),
                    arguments("foo{a=\u0007} 1\n", "line 1: expected '\"' at start of label value, found '\\a'"),
                    arguments("foo{a='} 1\n", "line 1: expected '\"' at start of label value, found '\\''"),
                    arguments("foo{a-b=\"1\"} 1\n", "line 1: expected '=' after label name, found '-'"),
                    arguments("foo{a:b=\"1\"} 1\n", "line 1: expected '=' after label name, found ':'"),
                    arguments("foo{a} 1\n", "line 1: expected '=' after label name, found '}'"),
                    arguments("foo{a\u00c3=\"1\"} 1\n", "line 1: expected '=' after label name, found 'Ã'"),
                    arguments("foo{a=\"1\"b=\"2\"} 1\n", "line 1: unexpected end of label value \"1\""),
                    arguments("foo{a=\"1\"\u00c3\u00a9} 1\n", "line 1: unexpected end of label value \"1\""),
                    arguments("foo{a=\"\u00c3\u00a9\" x} 1\n", "line 1: unexpected end of label value \"é\""),
                    arguments("foo{a=\"\u00e2\u0080\u008b\" x} 1\n", "line 1: unexpected end of label value \"\\u200b\""),
                    arguments("foo{a=\"'\\\"\" x} 1\n", "line 1: unexpected end of label value \"'\\\"\""),
                    arguments("foo{a=\"\u0007\b\f\r\t\u000b\u001b\" x} 1\n",
                            "line 1: unexpected end of label value \"\\a\\b\\f\\r\\t\\v\\x1b\""),
                    arguments("foo{a=\"x\ny\"} 1\n", "line 1: label value \"x\" contains unescaped new-line"),
                    arguments("foo{a=\"\\\\x\ny\"} 1\n", "line 1: label value \"\\\\x\" contains unescaped new-line"),
                    arguments("foo{a=\"\\t\"} 1\n", "line 1: invalid escape sequence '\\t'"),
                    arguments("foo{a=\"\\\u00c3\u00a9\"} 1\n", "line 1: invalid escape sequence '\\Ã'"),
                    arguments("foo{a=\"\\\u0000\"} 1\n", "line 1: invalid escape sequence: '\\\\' followed by '\\x00'"),
                    arguments("foo 1\n\n  \n\t\nfoo{a=\"\\q\"} 1\n", "line 5: invalid escape sequence '\\q'"),
                    arguments("foo{a=\"\u00ff\"} 1\n", "line 1: invalid label value \"\\xff\""),
                    arguments("foo{a=\"\u00f0\u009f\u0098\u0080\u00ef\u00bf\u00bd\u00ed\u00a0\u0080\" x} 1\n",
                            "line 1: invalid label value \"😀\ufffd\\xed\\xa0\\x80\""),
                    // HELP and TYPE.
                    arguments("# HELP foo a\\tb\nfoo 1\n", "line 1: invalid escape sequence '\\t'"),
                    arguments("# HELP foo \\\u00c3\u00a9\nfoo 1\n", "line 1: invalid escape sequence '\\Ã'"),
                    arguments("# HELP foo a\\\nfoo 1\n", "line 1: invalid escape sequence: '\\\\' followed by '\\n'"),
                    arguments("# HELP foo a\n# HELP foo b\nfoo 1\n", "line 2: second HELP line for metric name \"foo\""),
                    arguments("# TYPE foo gauge\n# TYPE foo gauge\nfoo 1\n",
                            "line 2: second TYPE line for metric name \"foo\", or TYPE reported after samples"),
                    arguments("foo 1\n# TYPE foo gauge\n",
                            "line 2: second TYPE line for metric name \"foo\", or TYPE reported after samples"),
                    arguments("# TYPE foo gauge\n\n\n# TYPE foo counter\n",
                            "line 4: second TYPE line for metric name \"foo\", or TYPE reported after samples"),
                    arguments("# TYPE s summary\n# TYPE s_sum gauge\ns_count 1\n",
                            "line 2: second TYPE line for metric name \"s\", or TYPE reported after samples"),
                    arguments("# TYPE foo blah\nfoo 1\n", "line 1: unknown metric type \"blah\""),
                    arguments("# TYPE foo gauge extra\nfoo 1\n", "line 1: unknown metric type \"gauge extra\""),
                    arguments("# TYPE foo gauge \nfoo 1\n", "line 1: unknown metric type \"gauge \""),
                    // Summaries and histograms.
                    arguments("# TYPE h histogram\nh_bucket{le=\"x\"} 1\n",
                            "line 2: expected float as value for 'le' label, got \"x\""),
                    arguments("# TYPE h histogram\nh_bucket{le=\"0x1p3\"} 1\n",
                            "line 2: expected float as value for 'le' label, got \"0x1p3\""),
                    arguments("# TYPE s summary\ns{quantile=\"x\"} 1\n",
                            "line 2: expected float as value for 'quantile' label, got \"x\""),
                    // Negative histogram counts: refused since expfmt v0.67 (upstream 1.11.2 and later), whose
                    // text_parse_test.go TestTextParseError cases 43 to 46 these are (1.5.1 took them, truncated).
                    arguments(HISTOGRAM_HEAD + "request_duration_microseconds_count -2693\n",
                            "line 10: negative count for histogram \"request_duration_microseconds\""),
                    arguments(HISTOGRAM_HEAD.replace("{le=\"120\"} 412", "{le=\"120\"} -412")
                                    + "request_duration_microseconds_count 2693\n",
                            "line 5: negative bucket population for histogram \"request_duration_microseconds\""),
                    arguments(HISTOGRAM_HEAD + "request_duration_microseconds_count -2693.123\n",
                            "line 10: negative count for histogram \"request_duration_microseconds\""),
                    arguments(HISTOGRAM_HEAD.replace("{le=\"120\"} 412", "{le=\"120\"} -412.456")
                                    + "request_duration_microseconds_count 2693\n",
                            "line 5: negative bucket population for histogram \"request_duration_microseconds\""),
                    arguments("# TYPE h histogram\nh_count -Inf\n", "line 2: negative count for histogram \"h\""),
                    arguments("# TYPE h histogram\nh_bucket{le=\"1\"} -0.5\n",
                            "line 2: negative bucket population for histogram \"h\""),
                    arguments("# TYPE g gaugehistogram\ng_bucket{a=\"1\",le=\"1\"} -1\n",
                            "line 2: negative bucket population for histogram \"g\""));
        }

        /** expfmt v0.67.5 text_parse_test.go TestTextParseError cases 43 to 46, up to their count line. */
        private static final String HISTOGRAM_HEAD = """

                # HELP request_duration_microseconds The response latency.
                # TYPE request_duration_microseconds histogram
                request_duration_microseconds_bucket{le="100"} 123
                request_duration_microseconds_bucket{le="120"} 412
                request_duration_microseconds_bucket{le="144"} 592
                request_duration_microseconds_bucket{le="172.8"} 1524
                request_duration_microseconds_bucket{le="+Inf"} 2693
                request_duration_microseconds_sum 1.7560473e+06
                """;

        @ParameterizedTest
        @MethodSource("rejectedBodies")
        void rejectedWithUpstreamsMessage(String oneCharPerByte, String expected) {
            byte[] body = bytes(oneCharPerByte);

            assertThatThrownBy(() -> parser.parse(body, body.length))
                    .isInstanceOf(BodyFormatException.class)
                    .hasMessage("text format parsing error in " + expected);
        }
    }

    /**
     * Quoted names without UTF-8 names, as upstream 1.11 reads them: expfmt v0.61 and later parse the quotable
     * grammar whatever the validation scheme, and the Pushgateway's parser checks each name read against
     * LegacyValidation without {@code --push.enable-utf8-names} (text_parse.go setOrCreateCurrentMF and
     * startLabelName; handler/push.go {@code expfmt.NewTextParser(ValidationScheme)}). A quoted legacy name is
     * the same name as the one written without quotes.
     */
    @Nested
    class QuotedLegacyNames {
        private final TextFormatParser utf8 = new TextFormatParser(BodyLimits.NONE.withNames(NameValidation.UTF8));

        @ParameterizedTest
        @ValueSource(strings = {
            "{\"my_metric\"} 1\n",
            "\"my_metric\" 1\n",
            "\"my_metric\"{} 1\n",
            "{my_metric} 1\n",
            "{ \"my_metric\" } 1\n",
            "my\"_metric\" 1\n",
        })
        void aQuotedLegacyMetricNameIsTheSameName(String body) throws Exception {
            assertThat(parse(body).families())
                    .containsExactlyEntriesOf(families(family("my_metric", null, MetricType.UNTYPED, simple(1))));
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "my_metric{\"code\"=\"200\"} 1\n",
            "my_metric{ \"code\" = \"200\" } 1\n",
            "\"my_metric\"{\"code\"=\"200\"} 1\n",
            "{\"my_metric\",\"code\"=\"200\"} 1\n",
            "{\"code\"=\"200\",\"my_metric\"} 1\n",
            "{code=\"200\",my_metric} 1\n",
        })
        void aQuotedLegacyLabelNameIsTheSameName(String body) throws Exception {
            assertThat(parse(body).families()).containsExactlyEntriesOf(families(
                    family("my_metric", null, MetricType.UNTYPED, simple(1, label("code", "200")))));
        }

        @Test
        void helpAndTypeLinesTakeAQuotedLegacyName() throws Exception {
            ParsedBody parsed = parse("""
                    # HELP "my_metric" Requests by code.
                    # TYPE "my_metric" counter
                    {"my_metric",code="200"} 3
                    # TYPE "recorded:rate" gauge
                    {"recorded:rate"} 0.5
                    # TYPE "rpc" summary
                    {"rpc",quantile="0.5"} 1
                    "rpc_sum" 2
                    {"rpc_count"} 3
                    """);
            assertThat(parsed.families().get("my_metric")).isEqualTo(family("my_metric", "Requests by code.",
                    MetricType.COUNTER, simple(3, label("code", "200"))));
            assertThat(parsed.families().get("recorded:rate"))
                    .isEqualTo(family("recorded:rate", null, MetricType.GAUGE, simple(0.5)));
            Metric rpc = parsed.families().get("rpc").metrics().get(0);
            assertThat(rpc.quantiles()).containsExactly(new Quantile(0.5, 1));
            assertThat(rpc.sum()).isEqualTo(2);
            assertThat(rpc.count()).isEqualTo(3);
            assertThat(parsed.typeNotGiven()).isEmpty();
        }

        @Test
        void aQuotedLegacyBodyParsesAsItsUnquotedFormAndAsWithUtf8Names() throws Exception {
            String quoted = """
                    # HELP "http_requests_total" The total.
                    # TYPE "http_requests_total" counter
                    {"http_requests_total","method"="post",code="200"} 1027
                    "http_requests_total"{method="get","code"="404"} 3
                    """;
            String unquoted = """
                    # HELP http_requests_total The total.
                    # TYPE http_requests_total counter
                    http_requests_total{method="post",code="200"} 1027
                    http_requests_total{method="get",code="404"} 3
                    """;
            assertThat(parse(quoted)).isEqualTo(parse(unquoted));
            assertThat(parse(quoted)).isEqualTo(utf8.parse(quoted));
        }

        static Stream<Arguments> nonLegacyQuotedNames() {
            return Stream.of(
                    arguments("ok 1\n{\"my.metric\"} 1\n", "line 2: invalid metric name \"my.metric\""),
                    arguments("ok 1\n\"my metric\" 1\n", "line 2: invalid metric name \"my metric\""),
                    arguments("ok 1\n# HELP \"my.metric\" help\n", "line 2: invalid metric name \"my.metric\""),
                    arguments("ok 1\n# TYPE \"my.metric\" counter\n", "line 2: invalid metric name \"my.metric\""),
                    arguments("ok 1\nok{\"code.class\"=\"2xx\"} 1\n", "line 2: invalid label name \"code.class\""),
                    arguments("ok 1\n{code=\"200\",\"my.metric\"} 1\n", "line 2: invalid metric name \"my.metric\""),
                    arguments("ok 1\n{\"my\\nmetric\"} 1\n", "line 2: invalid metric name \"my\\nmetric\""));
        }

        @ParameterizedTest
        @MethodSource("nonLegacyQuotedNames")
        void aQuotedNameThatIsNotLegacyIsRefusedNamingTheNameAndLine(String body, String expected) {
            assertThatThrownBy(() -> parse(body)).isInstanceOf(BodyFormatException.class)
                    .hasMessage("text format parsing error in " + expected);
        }

        @ParameterizedTest
        @MethodSource("nonLegacyQuotedNames")
        void withUtf8NamesTheSameBodiesAreTaken(String body) throws Exception {
            assertThat(utf8.parse(body).families()).containsKey("ok");
        }
    }

    @Nested
    class StaleTimeoutDirective {
        @Test
        void directiveAppliesToTheFamiliesFollowingItUntilTheNextOne() throws Exception {
            ParsedBody parsed = parse("before 1\n"
                    + "#!set stale_timeout = 30\n"
                    + "# HELP a help\na 1\nb 1\n"
                    + "#!set stale_timeout = null\n"
                    + "c 1\n"
                    + "#!set stale_timeout=1.5\n"
                    + "d 1\n");

            Map<String, Double> expected = new LinkedHashMap<>();
            expected.put("a", 30.0);
            expected.put("b", 30.0);
            expected.put("c", null);
            expected.put("d", 1.5);
            assertThat(parsed.staleTimeoutSeconds()).containsExactlyEntriesOf(expected);
            assertThat(parsed.families().keySet()).containsExactly("before", "a", "b", "c", "d");
        }

        @Test
        void aFamilyKeepsTheTimeoutInForceWhereItFirstAppeared() throws Exception {
            ParsedBody parsed = parse("# TYPE s summary\nx 1\n#!set stale_timeout = 5\ns_sum 1\nx 2\ny 1\n");

            assertThat(parsed.staleTimeoutSeconds()).containsExactlyEntriesOf(Map.of("y", 5.0));
        }

        @Test
        void familiesWithoutSamplesGetNoTimeout() throws Exception {
            assertThat(parse("#!set stale_timeout = 5\n# HELP a x\nb 1\n").staleTimeoutSeconds())
                    .containsExactlyEntriesOf(Map.of("b", 5.0));
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {"#!set stale_timeout = 30|30", "#!set stale_timeout=30|30",
                "'#!set\tstale_timeout\t=\t30\t'|30", "'  #!set stale_timeout = 30  '|30", "#!set stale_timeout = 0|0",
                "#!set stale_timeout = -0|0", "#!set stale_timeout = 2.5e1|25", "#!set stale_timeout = .5|0.5"})
        void directiveSpellings(String line, double seconds) throws Exception {
            assertThat(parse(line + "\nfoo 1\n").staleTimeoutSeconds()).containsExactlyEntriesOf(Map.of("foo", seconds));
        }

        @ParameterizedTest
        @ValueSource(strings = {"# !set stale_timeout = abc", "#!settings foo", "# set stale_timeout = 1",
                "#!SET stale_timeout = 1"})
        void otherCommentsAreJustComments(String line) throws Exception {
            ParsedBody parsed = parse(line + "\nfoo 1\n");

            assertThat(parsed.families()).containsKey("foo");
            assertThat(parsed.staleTimeoutSeconds()).isEmpty();
        }

        @ParameterizedTest
        @CsvSource(delimiter = '§', value = {
                "#!set stale_timeout = abc§invalid stale_timeout \"abc\": expected a non-negative number of seconds or null",
                "#!set stale_timeout = -5§invalid stale_timeout \"-5\": expected a non-negative number of seconds or null",
                "#!set stale_timeout = NaN§invalid stale_timeout \"NaN\": expected a non-negative number of seconds or null",
                "#!set stale_timeout = +Inf§invalid stale_timeout \"+Inf\": expected a non-negative number of seconds or null",
                "#!set stale_timeout = 30s§invalid stale_timeout \"30s\": expected a non-negative number of seconds or null",
                "#!set stale_timeout = 3 0§invalid stale_timeout \"3 0\": expected a non-negative number of seconds or null",
                "#!set stale_timeout = Null§invalid stale_timeout \"Null\": expected a non-negative number of seconds or null",
                "#!set stale_timeout =§invalid stale_timeout \"\": expected a non-negative number of seconds or null",
                "#!set ttl = 5§unknown #!set key \"ttl\", expected stale_timeout",
                "#!set stale_timeout 30§invalid #!set directive, expected \"#!set stale_timeout = <seconds>|null\"",
                "#!set = 30§invalid #!set directive, expected \"#!set stale_timeout = <seconds>|null\"",
                "#!set§invalid #!set directive, expected \"#!set stale_timeout = <seconds>|null\"",
                "'#!set   '§invalid #!set directive, expected \"#!set stale_timeout = <seconds>|null\""})
        void malformedDirectiveIsRejectedNamingItsLine(String line, String expected) {
            assertThatThrownBy(() -> parse("foo 1\n" + line + "\nbar 1\n"))
                    .isInstanceOf(BodyFormatException.class)
                    .hasMessage("text format parsing error in line 2: " + expected);
        }
    }

    @Nested
    class BodySize {
        @Test
        void bodyOfExactlyTheLimitIsRead() throws Exception {
            byte[] body = bytes("foo 1\n");

            assertThat(parser.parse(new ByteArrayInputStream(body), body.length).families()).containsKey("foo");
        }

        @Test
        void bodyBeyondTheLimitIsRejectedWithoutReadingMoreThanOneByteTooMany() {
            CountingStream stream = new CountingStream(new ByteArrayInputStream(new byte[1_000_000]));

            assertThatThrownBy(() -> parser.parse(stream, 100))
                    .isInstanceOf(BodyFormatException.class)
                    .hasMessage("request body exceeds the limit of 100 bytes");
            assertThat(stream.count).isLessThanOrEqualTo(101);
        }

        @Test
        void emptyStreamWithZeroLimitIsAnEmptyBody() throws Exception {
            assertThat(parser.parse(new ByteArrayInputStream(new byte[0]), 0).families()).isEmpty();
        }

        @Test
        void streamIsReadAsUtf8Bytes() throws Exception {
            byte[] body = "foo{a=\"é\"} 1\n".getBytes(StandardCharsets.UTF_8);

            assertThat(parser.parse(new ByteArrayInputStream(body), body.length).families().get("foo").metrics().get(0)
                    .label("a")).isEqualTo("é");
        }

        @Test
        void onlyTheGivenLengthOfAnArrayIsParsed() throws Exception {
            byte[] body = bytes("foo 1\ngarbage");

            assertThat(parser.parse(body, 6).families()).containsOnlyKeys("foo");
        }
    }

    private static final class CountingStream extends FilterInputStream {
        long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }

    // --- properties ----------------------------------------------------------------------------------

    @Property(tries = 3000)
    void randomBytesAreParsedOrRejectedWithABodyFormatException(@ForAll byte[] body) {
        parseOrReject(body);
    }

    @Property(tries = 3000)
    void bodiesMadeOfFormatFragmentsAreParsedOrRejectedWithABodyFormatException(@ForAll("fragmentBodies") byte[] body) {
        ParsedBody parsed = parseOrReject(body);
        if (parsed != null) {
            assertThat(parsed.families().values()).allSatisfy(family -> assertThat(family.metrics()).isNotEmpty());
            assertThat(parsed.families().keySet()).containsAll(parsed.staleTimeoutSeconds().keySet());
        }
    }

    @Property(tries = 1000)
    void writtenSamplesReadBackWithTheirLabelValuesAndValues(
            @ForAll("labelValues") List<String> values, @ForAll double value) throws Exception {
        StringBuilder body = new StringBuilder("# TYPE m gauge\nm{");
        for (int k = 0; k < values.size(); k++) {
            String escaped = values.get(k).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
            body.append("l").append(k).append("=\"").append(escaped).append("\",");
        }
        body.append("} ").append(value).append('\n');

        Metric metric = parse(body.toString()).families().get("m").metrics().get(0);

        assertThat(metric.labels()).extracting(Label::value).containsExactlyElementsOf(values);
        assertThat(Double.valueOf(metric.value())).isEqualTo(Double.valueOf(value));
    }

    private ParsedBody parseOrReject(byte[] body) {
        try {
            return parser.parse(body, body.length);
        } catch (BodyFormatException e) {
            assertThat(e.getMessage()).startsWith("text format parsing error in line ");
            return null;
        }
    }

    @Provide
    Arbitrary<byte[]> fragmentBodies() {
        List<String> fragments = List.of("foo", "s", "s_sum", "s_count", "h", "h_bucket", "h_count", "{", "}", "=", "\"",
                "\\", "\\n", " ", "\t", "\n", "\n", "#", "# ", "HELP ", "TYPE ", "summary", "histogram", "gauge_histogram",
                "gauge", "le", "quantile", "a", ",", "1", "0.5", "-1", "NaN", "+Inf", "1e3", "\r", "\u00c3\u00a9", "\u00ff",
                "#!set stale_timeout = 5\n", "#!set stale_timeout = null\n", "s{quantile=\"0.5\"} 1\n",
                "h_bucket{le=\"1\"} 2\n", "# TYPE s summary\n", "# TYPE h histogram\n", "foo{a=\"1\"} 1 100\n");
        Arbitrary<String> fragment = Arbitraries.of(fragments);
        return fragment.list().ofMaxSize(40).map(parts -> bytes(String.join("", parts)));
    }

    @Provide
    Arbitrary<List<String>> labelValues() {
        Arbitrary<String> value = Arbitraries.strings()
                .withCharRange((char) 0, (char) 0x2fff)
                .withChars('"', '\\', '\n')
                .ofMaxLength(20)
                .filter(s -> StandardCharsets.UTF_8.newEncoder().canEncode(s));
        return value.list().ofMaxSize(5);
    }

    @Test
    void parsesFromAStringAsUtf8() throws Exception {
        assertThat(parse("foo{a=\"ü\"} 1\n").families().get("foo").metrics().get(0).label("a")).isEqualTo("ü");
    }

    @Test
    void aFamilyWithoutATypeLineIsUntypedAndSaysItsTypeWasNotGiven() throws Exception {
        ParsedBody parsed = parse("# HELP a no type line\na 1\n# TYPE b untyped\nb 2\n# TYPE c gauge\nc 3\nd 4\n");

        assertThat(parsed.families().get("a").type()).isEqualTo(MetricType.UNTYPED);
        assertThat(parsed.families().get("b").type()).isEqualTo(MetricType.UNTYPED);
        assertThat(parsed.typeNotGiven()).containsExactlyInAnyOrder("a", "d");
        assertThat(parse("# TYPE c gauge\nc 3\n").typeNotGiven()).isEmpty();
    }

    @Test
    void parseResultIsImmutable() throws Exception {
        ParsedBody parsed = parse("foo 1\n");

        assertThatThrownBy(() -> parsed.families().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> parsed.families().get("foo").metrics().clear())
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aManyLineBodyKeepsEverySample() throws Exception {
        StringBuilder body = new StringBuilder("# HELP big many series\n# TYPE big counter\n");
        List<Metric> expected = new ArrayList<>();
        for (int k = 0; k < 5000; k++) {
            body.append("big{instance=\"i").append(k % 7).append("\",n=\"").append(k).append("\"} ").append(k).append('\n');
            expected.add(simple(k, label("instance", "i" + (k % 7)), label("n", Integer.toString(k))));
        }

        assertThat(parse(body.toString()).families().get("big").metrics()).containsExactlyElementsOf(expected);
    }
}
