package io.tidegate.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import io.tidegate.differential.ProtobufBodies;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Expected texts marked "upstream" are what the upstream Pushgateway wrote for the same push
 * (scraped from prometheus-pushgateway 1.5.1; the grouping key there was job="cmp", inst="hi").
 */
class PrometheusTextFormatTest {
    private final PrometheusTextFormat format = new PrometheusTextFormat();

    static List<Label> labels(String... namesAndValues) {
        List<Label> labels = new ArrayList<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            labels.add(new Label(namesAndValues[i], namesAndValues[i + 1]));
        }
        return labels;
    }

    /** The grouping key labels upstream added, merged and sorted with the sample's own. */
    static List<Label> grouped(String... namesAndValues) {
        List<Label> labels = labels(namesAndValues);
        labels.addAll(labels("inst", "hi", "instance", "", "job", "cmp"));
        labels.sort(null);
        return labels;
    }

    /** A shared label list renders its labels once, as any list of the same labels renders them, in every text format. */
    @Test
    void aSharedLabelListRendersAsAnyListOfItsLabels() {
        List<Label> plain = labels("device", "hall \"north\"\\\n", "instance", "", "job", "zigbee2mqtt", "région", "été");
        List<Label> shared = LabelList.of(plain.toArray(new Label[0]));
        assertThat(shared).isEqualTo(plain).hasSameHashCodeAs(plain);
        for (ExpositionFormat each : List.of(format, new OpenMetricsFormat())) {
            for (MetricType type : List.of(MetricType.GAUGE, MetricType.SUMMARY)) {
                MetricFamily withShared = new MetricFamily("t", "help", type, List.of(sample(shared, type), sample(shared, type)));
                MetricFamily withPlain = new MetricFamily("t", "help", type, List.of(sample(plain, type), sample(plain, type)));
                String expected = new String(each.renderSeries(withPlain), StandardCharsets.UTF_8);
                assertThat(new String(each.renderSeries(withShared), StandardCharsets.UTF_8)).isEqualTo(expected)
                        .contains("device=\"hall \\\"north\\\"\\\\\\n\"");
                assertThat(withShared.metrics().get(0).labels()).isSameAs(shared);
            }
        }
    }

    private static Metric sample(List<Label> labels, MetricType type) {
        return type == MetricType.SUMMARY ? Metric.summary(labels, 3, 1.5, List.of(new Quantile(0.5, 0.4)), null)
                : Metric.simple(labels, 21.5, null);
    }

    static String scrape(ExpositionFormat format, MetricFamily family) {
        return scrape(format, family, List.of(format.renderSeries(family)));
    }

    static String scrape(ExpositionFormat format, MetricFamily family, List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            format.writeFamily(family.name(), family.help(), family.type(), parts, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * A whole scrape of {@code families}, each series rendered as a part of its own, as when every
     * series was pushed by another group, so that the parts are joined under one header.
     */
    static String scrapeOnePartPerSeries(ExpositionFormat format, List<MetricFamily> families) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (MetricFamily family : families) {
                List<byte[]> parts = family.metrics().stream()
                        .map(metric -> format.renderSeries(family.withMetrics(List.of(metric))))
                        .toList();
                format.writeFamily(family.name(), family.help(), family.type(), parts, out);
            }
            format.writeEnd(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static MetricFamily escapedGauge() {
        return new MetricFamily("esc_gauge", "A gauge with \\ backslash and \n newline and \"quotes\".",
                MetricType.GAUGE, List.of(
                        Metric.simple(grouped("a", "plain"), -0.0, null),
                        Metric.simple(grouped("a", "x\\y", "b", "line\nbreak", "c", "q\"uote", "d", "ünïcødé ✓ 😀"),
                                3.25, null)));
    }

    static MetricFamily summary() {
        return new MetricFamily("rpc_seconds", "RPC latency.", MetricType.SUMMARY, List.of(Metric.summary(grouped(),
                2000, 1234.5,
                List.of(new Quantile(0.5, 0.0123), new Quantile(0.9, 0.1), new Quantile(0.99, Double.NaN)), null)));
    }

    static MetricFamily histogramWithoutInfBucket() {
        return new MetricFamily("lat_seconds", "Latency.", MetricType.HISTOGRAM, List.of(Metric.histogram(grouped(), 9,
                0.3, List.of(new Bucket(0.005, 1), new Bucket(0.1, 5), new Bucket(1e6, 7)), null)));
    }

    @Test
    void answersWithTheTextContentType() {
        assertThat(format.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
    }

    @Test
    void gaugeEscapesHelpAndLabelValuesAsUpstream() {
        assertThat(scrape(format, escapedGauge())).isEqualTo("""
                # HELP esc_gauge A gauge with \\\\ backslash and \\n newline and "quotes".
                # TYPE esc_gauge gauge
                esc_gauge{a="plain",inst="hi",instance="",job="cmp"} 0
                esc_gauge{a="x\\\\y",b="line\\nbreak",c="q\\"uote",d="ünïcødé ✓ 😀",inst="hi",instance="",job="cmp"} 3.25
                """); // upstream
    }

    @Test
    void counterWithoutHelpHasOnlyATypeLine() {
        MetricFamily counter = new MetricFamily("nohelp_total", null, MetricType.COUNTER, List.of(
                Metric.simple(grouped(), 17, null), Metric.simple(grouped("k", "v"), 1e21, null)));
        assertThat(scrape(format, counter)).isEqualTo("""
                # TYPE nohelp_total counter
                nohelp_total{inst="hi",instance="",job="cmp"} 17
                nohelp_total{inst="hi",instance="",job="cmp",k="v"} 1e+21
                """); // upstream
    }

    @Test
    void untypedUsesTheGoExponentForm() {
        MetricFamily untyped = new MetricFamily("some_untyped", "Untyped thing.", MetricType.UNTYPED,
                List.of(Metric.simple(grouped(), 1234567, null)));
        assertThat(scrape(format, untyped)).isEqualTo("""
                # HELP some_untyped Untyped thing.
                # TYPE some_untyped untyped
                some_untyped{inst="hi",instance="",job="cmp"} 1.234567e+06
                """); // upstream
    }

    @Test
    void summaryWritesQuantilesSumAndCount() {
        assertThat(scrape(format, summary())).isEqualTo("""
                # HELP rpc_seconds RPC latency.
                # TYPE rpc_seconds summary
                rpc_seconds{inst="hi",instance="",job="cmp",quantile="0.5"} 0.0123
                rpc_seconds{inst="hi",instance="",job="cmp",quantile="0.9"} 0.1
                rpc_seconds{inst="hi",instance="",job="cmp",quantile="0.99"} NaN
                rpc_seconds_sum{inst="hi",instance="",job="cmp"} 1234.5
                rpc_seconds_count{inst="hi",instance="",job="cmp"} 2000
                """); // upstream
    }

    @Test
    void summaryCountIsTheWholeNumberGoStores() {
        MetricFamily summary = new MetricFamily("s", null, MetricType.SUMMARY,
                List.of(Metric.summary(labels("instance", "", "job", "cnt"), 3.7, 1, List.of(), null)));
        assertThat(scrape(format, summary)).isEqualTo("""
                # TYPE s summary
                s_sum{instance="",job="cnt"} 1
                s_count{instance="",job="cnt"} 3
                """); // upstream
    }

    @Test
    void histogramGainsTheMissingInfBucketWithTheSampleCount() {
        assertThat(scrape(format, histogramWithoutInfBucket())).isEqualTo("""
                # HELP lat_seconds Latency.
                # TYPE lat_seconds histogram
                lat_seconds_bucket{inst="hi",instance="",job="cmp",le="0.005"} 1
                lat_seconds_bucket{inst="hi",instance="",job="cmp",le="0.1"} 5
                lat_seconds_bucket{inst="hi",instance="",job="cmp",le="1e+06"} 7
                lat_seconds_bucket{inst="hi",instance="",job="cmp",le="+Inf"} 9
                lat_seconds_sum{inst="hi",instance="",job="cmp"} 0.3
                lat_seconds_count{inst="hi",instance="",job="cmp"} 9
                """); // upstream
    }

    @Test
    void histogramWithInfBucketKeepsItOnce() {
        MetricFamily histogram = new MetricFamily("full_hist", null, MetricType.HISTOGRAM, List.of(Metric.histogram(
                grouped("x", "1"), 3, 1.5, List.of(new Bucket(1, 0), new Bucket(Double.POSITIVE_INFINITY, 3)), null)));
        assertThat(scrape(format, histogram)).isEqualTo("""
                # TYPE full_hist histogram
                full_hist_bucket{inst="hi",instance="",job="cmp",x="1",le="1"} 0
                full_hist_bucket{inst="hi",instance="",job="cmp",x="1",le="+Inf"} 3
                full_hist_sum{inst="hi",instance="",job="cmp",x="1"} 1.5
                full_hist_count{inst="hi",instance="",job="cmp",x="1"} 3
                """); // upstream
    }

    @Test
    void histogramWithFractionalCountsKeepsThem() {
        MetricFamily histogram = new MetricFamily("h", null, MetricType.HISTOGRAM, List.of(Metric.histogram(
                List.of(), 2.5, 1, List.of(new Bucket(1, 1.5)), null)));
        assertThat(scrape(format, histogram)).isEqualTo("""
                # TYPE h histogram
                h_bucket{le="1"} 1.5
                h_bucket{le="+Inf"} 2.5
                h_sum 1
                h_count 2.5
                """);
    }

    @Test
    void gaugeHistogramIsTypedHistogram() {
        MetricFamily histogram = new MetricFamily("queue_size", "Queue.", MetricType.GAUGE_HISTOGRAM, List.of(
                Metric.histogram(List.of(), 10, 12.5, List.of(new Bucket(1, 3), new Bucket(5, 8)), null)));
        assertThat(scrape(format, histogram)).isEqualTo("""
                # HELP queue_size Queue.
                # TYPE queue_size histogram
                queue_size_bucket{le="1"} 3
                queue_size_bucket{le="5"} 8
                queue_size_bucket{le="+Inf"} 10
                queue_size_sum 12.5
                queue_size_count 10
                """);
    }

    @Test
    void seriesWithoutLabelsHasNoBraces() {
        MetricFamily gauge = new MetricFamily("up", null, MetricType.GAUGE, List.of(Metric.simple(List.of(), 1, null)));
        assertThat(scrape(format, gauge)).isEqualTo("# TYPE up gauge\nup 1\n");
    }

    @Test
    void timestampFollowsTheValueInMilliseconds() {
        MetricFamily summary = new MetricFamily("t", null, MetricType.SUMMARY,
                List.of(Metric.summary(labels("a", "b"), 1, 2, List.of(new Quantile(0.5, 3)), 1700000000123L)));
        assertThat(scrape(format, summary)).isEqualTo("""
                # TYPE t summary
                t{a="b",quantile="0.5"} 3 1700000000123
                t_sum{a="b"} 2 1700000000123
                t_count{a="b"} 1 1700000000123
                """);
    }

    @Test
    void namesOutsideTheLegacyCharacterSetAreQuoted() {
        MetricFamily gauge = new MetricFamily("temp.celsius", "Temp \"C\".", MetricType.GAUGE, List.of(
                Metric.simple(labels("room.name", "hall"), 21.5, null), Metric.simple(List.of(), 20, null)));
        assertThat(scrape(format, gauge)).isEqualTo("""
                # HELP "temp.celsius" Temp "C".
                # TYPE "temp.celsius" gauge
                {"temp.celsius","room.name"="hall"} 21.5
                {"temp.celsius"} 20
                """);
    }

    @Test
    void partsRenderedSeparatelyShareOneHeader() {
        MetricFamily first = new MetricFamily("jobs_total", "Jobs.", MetricType.COUNTER,
                List.of(Metric.simple(labels("job", "a"), 1, null)));
        MetricFamily second = first.withMetrics(List.of(Metric.simple(labels("job", "b"), 2, null),
                Metric.simple(labels("job", "c"), 3, null)));
        List<byte[]> parts = List.of(format.renderSeries(first), format.renderSeries(second));
        assertThat(scrape(format, first, parts)).isEqualTo("""
                # HELP jobs_total Jobs.
                # TYPE jobs_total counter
                jobs_total{job="a"} 1
                jobs_total{job="b"} 2
                jobs_total{job="c"} 3
                """);
    }

    @Test
    void familyWithoutSeriesIsLeftOut() {
        MetricFamily empty = new MetricFamily("gone", "Gone.", MetricType.GAUGE, List.of());
        assertThat(format.renderSeries(empty)).isEmpty();
        assertThat(scrape(format, empty, List.of())).isEmpty();
        assertThat(scrape(format, empty, List.of(new byte[0]))).isEmpty();
    }

    @Test
    void writesNothingAtTheEnd() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        format.writeEnd(out);
        assertThat(out.size()).isZero();
    }

    @Test
    void aNativeOnlyHistogramIsWrittenAsGosTextWriterWritesIt() throws Exception {
        // No classic buckets: expfmt writes the +Inf bucket with the sample count, the sum and the count;
        // the float count when it is not 0. The native buckets exist only in a protobuf scrape.
        Metrics.BucketSpan span = Metrics.BucketSpan.newBuilder().setOffset(0).setLength(2).build();
        byte[] body = ProtobufBodies.delimited(ProtobufBodies.family("rtt_seconds", "RTT.", Metrics.MetricType.HISTOGRAM,
                ProtobufBodies.labelled("kind", "int").setHistogram(Metrics.Histogram.newBuilder()
                        .setSampleCount(7).setSampleSum(3.5).setSchema(0).setZeroThreshold(0.001).setZeroCount(1)
                        .addPositiveSpan(span).addAllPositiveDelta(List.of(4L, -2L))).build(),
                ProtobufBodies.labelled("kind", "float").setHistogram(Metrics.Histogram.newBuilder()
                        .setSampleCountFloat(2.5).setSampleSum(1).setSchema(0)
                        .addPositiveSpan(span).addAllPositiveCount(List.of(1.0, 1.5))).build()));
        MetricFamily family = new ProtobufBodyReader().read(new java.io.ByteArrayInputStream(body), body.length)
                .families().get("rtt_seconds");

        assertThat(scrape(format, family)).isEqualTo("""
                # HELP rtt_seconds RTT.
                # TYPE rtt_seconds histogram
                rtt_seconds_bucket{kind="int",le="+Inf"} 7
                rtt_seconds_sum{kind="int"} 3.5
                rtt_seconds_count{kind="int"} 7
                rtt_seconds_bucket{kind="float",le="+Inf"} 2.5
                rtt_seconds_sum{kind="float"} 1
                rtt_seconds_count{kind="float"} 2.5
                """);
    }
}
