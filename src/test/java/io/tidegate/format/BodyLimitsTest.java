package io.tidegate.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import io.tidegate.differential.ProtobufBodies;
import java.io.ByteArrayInputStream;
import org.junit.jupiter.api.Test;

/**
 * The readers stop at the first series or label past their {@link BodyLimits}: what follows is not
 * read at all (a line that would not parse after it is never reached), and the refusal carries the
 * bound's reason, for the adapters to answer as the store's own check.
 */
class BodyLimitsTest {
    private static final BodyLimits LIMITS = new BodyLimits(3, 2, 5, 8);
    private final TextFormatParser text = new TextFormatParser(LIMITS);
    private final ProtobufBodyReader protobuf = new ProtobufBodyReader(LIMITS);

    private static void assertRefused(ThrowingRead read, Refusal.Reason reason, String message) {
        assertThatThrownBy(read::run).isInstanceOfSatisfying(BodyFormatException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    private interface ThrowingRead {
        void run() throws Exception;
    }

    @Test
    void theTextParseStopsAtTheFirstLabelOneTooManyAndReadsNoFurther() {
        assertRefused(() -> text.parse("x{a=\"1\",b=\"2\",c=\"3\"} 1\nthis is no sample\n"),
                Refusal.Reason.OVERSIZED_LABELS, "a series of \"x\" has more than 2 labels (--push.max-labels-per-series)");
        assertThat(catchParse("x{a=\"1\",b=\"2\"} 1\nthis is no sample\n")).as("at the bound, the parse goes on")
                .startsWith(TextFormatParser.ERROR_PREFIX + "2:");
    }

    @Test
    void theTextParseStopsAtTheFirstSeriesOneTooMany() {
        assertRefused(() -> text.parse("a 1\nb 1\nb{n=\"2\"} 1\nc 1\nthis is no sample\n"),
                Refusal.Reason.TOO_MANY_SERIES, "the push has more than 3 series (--push.max-series)");
        // a summary's lines of one label set are one series, as the store counts them
        assertThat(catchParse("# TYPE s summary\ns{quantile=\"0.5\"} 1\ns{quantile=\"0.9\"} 1\ns_sum 2\ns_count 3\n"
                + "t 1\nu 1\n")).isNull();
    }

    @Test
    void quantileAndLeAreNoLabelsOfTheSeries() {
        assertThat(catchParse("# TYPE s summary\ns{a=\"1\",b=\"2\",quantile=\"0.5\"} 1\n")).isNull();
        assertThat(catchParse("# TYPE h histogram\nh_bucket{a=\"1\",b=\"2\",le=\"+Inf\"} 1\n")).isNull();
    }

    @Test
    void theTextParseStopsAtALabelNameOrValueTooLong() {
        assertRefused(() -> text.parse("x{abcdef=\"1\"} 1\n"), Refusal.Reason.OVERSIZED_LABELS,
                "a label name in the series of \"x\" has 6 characters, more than 5 (--push.max-label-name-length): "
                        + "\"abcdef\"");
        // characters, not bytes: eight two-byte characters fit
        assertThat(catchParse("x{a=\"éééééééé\"} 1\n")).isNull();
        assertRefused(() -> text.parse("x{a=\"ééééééééé\"} 1\n"), Refusal.Reason.OVERSIZED_LABELS,
                "the value of label \"a\" in the series of \"x\" has 9 characters, more than 8 "
                        + "(--push.max-label-value-length)");
    }

    @Test
    void theProtobufReadStopsAtTheSameBounds() {
        assertRefused(() -> readProtobuf(ProtobufBodies.family("x", null, Metrics.MetricType.GAUGE,
                ProtobufBodies.gauge(1, "a", "1", "b", "2", "c", "3"))), Refusal.Reason.OVERSIZED_LABELS,
                "a series of \"x\" has more than 2 labels (--push.max-labels-per-series)");
        assertRefused(() -> readProtobuf(ProtobufBodies.family("x", null, Metrics.MetricType.GAUGE,
                ProtobufBodies.gauge(1, "a", "123456789"))), Refusal.Reason.OVERSIZED_LABELS,
                "the value of label \"a\" in the series of \"x\" has 9 characters, more than 8 "
                        + "(--push.max-label-value-length)");
        assertRefused(() -> readProtobuf(ProtobufBodies.family("x", null, Metrics.MetricType.GAUGE,
                ProtobufBodies.gauge(1), ProtobufBodies.gauge(2, "n", "2")), ProtobufBodies.family("y", null,
                Metrics.MetricType.GAUGE, ProtobufBodies.gauge(1), ProtobufBodies.gauge(2, "n", "2"))),
                Refusal.Reason.TOO_MANY_SERIES, "the push has more than 3 series (--push.max-series)");
    }

    @Test
    void aLaterProtobufFamilyOfTheSameNameReplacesTheEarlierInTheCountToo() throws Exception {
        Metrics.MetricFamily two = ProtobufBodies.family("x", null, Metrics.MetricType.GAUGE,
                ProtobufBodies.gauge(1), ProtobufBodies.gauge(2, "n", "2"));
        assertThat(readProtobuf(two, two, two).families().get("x").metrics()).hasSize(2);
    }

    private ParsedBody readProtobuf(Metrics.MetricFamily... families) throws Exception {
        return protobuf.read(new ByteArrayInputStream(ProtobufBodies.delimited(families)), 1 << 20);
    }

    /** The parse's message, or null when the body parses. */
    private String catchParse(String body) {
        try {
            text.parse(body);
            return null;
        } catch (BodyFormatException e) {
            return e.getMessage();
        }
    }
}
