package io.tidegate.web;

import static io.tidegate.TestKeys.key;
import static io.tidegate.differential.ProtobufBodies.delimited;
import static io.tidegate.differential.ProtobufBodies.family;
import static io.tidegate.differential.ProtobufBodies.labelled;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import io.tidegate.TestClock;
import io.tidegate.format.Bucket;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.MetricType;
import io.tidegate.format.ParsedBody;
import io.tidegate.format.ProtobufBodyReader;
import io.tidegate.format.TextFormatParser;
import io.tidegate.key.GroupingKey;
import io.tidegate.store.Source;
import io.tidegate.store.Store;
import io.tidegate.store.Verb;
import io.tidegate.store.WriteRequest;
import io.tidegate.ttl.ExpirySchedule;
import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Histograms pushed as protobuf in {@code GET /api/v1/metrics}, as upstream 1.10+ shows them
 * ({@code api/v1/api.go} and {@code histogram/prometheus_model.go}): classic ones with integer or float
 * counts, native ones with integer or float counts as a list of {@code [boundaries, lower, upper, count]}.
 * The first test is upstream's own {@code TestMetricsAPI} family {@code mfh}, answer for answer.
 */
class ApiV1HistogramTest {
    private static final GroupingKey KEY = key("job", "Björn", "instance", "inst'a\"n\\ce1");
    private static final String KEY_LABELS = "\"instance\":\"inst'a\\\"n\\\\ce1\",\"job\":\"Björn\"";

    private final TestClock clock = new TestClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final Store store = new Store(clock, true, name -> null, new ExpirySchedule());
    private final ApiV1 api = new ApiV1(store::snapshot, store, Map.of(), Map.of(), clock.instant(), List::of,
            store::writesRefused, false);

    private static Metrics.BucketSpan span(int offset, int length) {
        return Metrics.BucketSpan.newBuilder().setOffset(offset).setLength(length).build();
    }

    /** Pushes {@code metrics} as the histogram family {@code mfh} through the protobuf reader and the store. */
    private void push(Metrics.MetricType type, Metrics.Metric... metrics) throws Exception {
        byte[] body = delimited(family("mfh", null, type, metrics));
        ParsedBody parsed = new ProtobufBodyReader().read(new ByteArrayInputStream(body), body.length);
        Map<String, MetricFamily> families = parsed.families();
        store.write(new WriteRequest(KEY, Verb.PUT, families, Source.http("127.0.0.1")));
    }

    private void push(Metrics.Metric... metrics) throws Exception {
        push(Metrics.MetricType.HISTOGRAM, metrics);
    }

    /** The family's metrics as the answer has them, each as compact JSON (field order included). */
    private List<String> shown() {
        JsonObject answer = JsonParser.parseString(api.metricsJson()).getAsJsonObject();
        JsonArray metrics = answer.getAsJsonArray("data").get(0).getAsJsonObject().getAsJsonObject("mfh")
                .getAsJsonArray("metrics");
        List<String> out = new ArrayList<>();
        metrics.forEach(metric -> out.add(metric.toString()));
        return out;
    }

    private static String labels(String testing) {
        return "{" + KEY_LABELS + ",\"testing\":\"" + testing + "\"}";
    }

    @Test
    void upstreamsOwnTestFamilyIsShownAsUpstreamShowsIt() throws Exception {
        push(
                labelled("testing", "int classic histogram").setHistogram(Metrics.Histogram.newBuilder()
                        .setSampleCount(20).setSampleSum(99.23)
                        .addBucket(Metrics.Bucket.newBuilder().setUpperBound(250000).setCumulativeCount(3))
                        .addBucket(Metrics.Bucket.newBuilder().setUpperBound(500000).setCumulativeCount(17)))
                        .build(),
                labelled("testing", "float classic histogram").setHistogram(Metrics.Histogram.newBuilder()
                        .setSampleCountFloat(20).setSampleSum(99.23)
                        .addBucket(Metrics.Bucket.newBuilder().setUpperBound(250000).setCumulativeCountFloat(3))
                        .addBucket(Metrics.Bucket.newBuilder().setUpperBound(500000).setCumulativeCountFloat(17)))
                        .build(),
                labelled("testing", "int native histogram").setHistogram(Metrics.Histogram.newBuilder()
                        .setSampleCount(20).setSampleSum(99.23).setSchema(1)
                        .addAllNegativeDelta(List.of(0L, 2L, -2L, 0L)).addAllPositiveDelta(List.of(0L, 2L, -2L, 0L))
                        .addPositiveSpan(span(0, 2)).addPositiveSpan(span(0, 2))
                        .addNegativeSpan(span(0, 2)).addNegativeSpan(span(0, 2)))
                        .build(),
                labelled("testing", "float native histogram").setHistogram(Metrics.Histogram.newBuilder()
                        .setSampleCountFloat(20).setSampleSum(99.23).setSchema(1)
                        .addAllNegativeCount(List.of(2.0, 2.0, -2.0, 0.0)).addAllPositiveCount(List.of(2.0, 2.0, -2.0, 0.0))
                        .addPositiveSpan(span(0, 2)).addPositiveSpan(span(0, 2))
                        .addNegativeSpan(span(0, 2)).addNegativeSpan(span(0, 2)))
                        .build());

        assertThat(shown()).containsExactly(
                "{\"buckets\":{\"250000\":\"3\",\"500000\":\"17\"},\"count\":\"20\",\"labels\":"
                        + labels("int classic histogram") + ",\"sum\":\"99.23\"}",
                "{\"buckets\":{\"250000\":\"3\",\"500000\":\"17\"},\"count\":\"20\",\"labels\":"
                        + labels("float classic histogram") + ",\"sum\":\"99.23\"}",
                "{\"buckets\":[[1,\"-1.414213562373095\",\"-1\",\"2\"],[0,\"1\",\"1.414213562373095\",\"2\"]],"
                        + "\"count\":\"20\",\"labels\":" + labels("int native histogram") + ",\"sum\":\"99.23\"}",
                "{\"buckets\":[[1,\"-2\",\"-1.414213562373095\",\"-2\"],[1,\"-1.414213562373095\",\"-1\",\"2\"],"
                        + "[1,\"-1\",\"-0.7071067811865475\",\"2\"],[0,\"0.7071067811865475\",\"1\",\"2\"],"
                        + "[0,\"1\",\"1.414213562373095\",\"2\"],[0,\"1.414213562373095\",\"2\",\"-2\"]],"
                        + "\"count\":\"20\",\"labels\":" + labels("float native histogram") + ",\"sum\":\"99.23\"}");
    }

    @Test
    void theZeroBucketSitsBetweenTheNegativeAndPositiveBucketsClosedOnBothSides() throws Exception {
        // Schema 3: eight buckets per power of two. Positive buckets -1 and 0 end at 2^(-1/8) and 1; a gap of
        // 2 after them, then bucket 3 ending at 2^(3/8). Negative bucket 0 spans [-1, -2^(-1/8)).
        push(labelled().setHistogram(Metrics.Histogram.newBuilder()
                .setSampleCount(13).setSampleSum(-0.5).setSchema(3)
                .setZeroThreshold(0.001).setZeroCount(5)
                .addPositiveSpan(span(-1, 2)).addPositiveSpan(span(2, 1)).addAllPositiveDelta(List.of(1L, 1L, -1L))
                .addNegativeSpan(span(0, 1)).addAllNegativeDelta(List.of(4L)))
                .build());

        assertThat(shown()).containsExactly("{\"buckets\":["
                + "[1,\"-1\",\"-0.9170040432046711\",\"4\"],"
                + "[3,\"-0.001\",\"0.001\",\"5\"],"
                + "[0,\"0.8408964152537144\",\"0.9170040432046711\",\"1\"],"
                + "[0,\"0.9170040432046711\",\"1\",\"2\"],"
                + "[0,\"1.189207115002721\",\"1.2968395546510096\",\"1\"]],"
                + "\"count\":\"13\",\"labels\":{" + KEY_LABELS + "},\"sum\":\"-0.5\"}");
    }

    @Test
    void aFloatZeroCountAloneMakesTheHistogramAFloatOne() throws Exception {
        // No float sample count: the integer one (7) is not what is shown, the float one (0) is.
        push(labelled().setHistogram(Metrics.Histogram.newBuilder()
                .setSampleCount(7).setSampleSum(1).setSchema(0).setZeroThreshold(1e-128).setZeroCountFloat(2.5)
                .addPositiveSpan(span(0, 1)).addPositiveCount(0.5).addPositiveDelta(9))
                .build());

        assertThat(shown()).containsExactly("{\"buckets\":[[3,\"-1e-128\",\"1e-128\",\"2.5\"],"
                + "[0,\"0.5\",\"1\",\"0.5\"]],\"count\":\"0\",\"labels\":{" + KEY_LABELS + "},\"sum\":\"1\"}");
    }

    @Test
    void negativeSchemasMergeSeveralPowersOfTwoIntoOneBucket() throws Exception {
        // Schema -2: each bucket spans a factor of 2^4; bucket 1 is (1, 16], bucket -1 is (2^-8, 2^-4].
        push(labelled().setHistogram(Metrics.Histogram.newBuilder()
                .setSampleCount(3).setSampleSum(20).setSchema(-2)
                .addPositiveSpan(span(-1, 1)).addPositiveSpan(span(1, 1)).addAllPositiveDelta(List.of(1L, 1L)))
                .build());

        assertThat(shown()).containsExactly("{\"buckets\":[[0,\"0.00390625\",\"0.0625\",\"1\"],[0,\"1\",\"16\",\"2\"]],"
                + "\"count\":\"3\",\"labels\":{" + KEY_LABELS + "},\"sum\":\"20\"}");
    }

    @Test
    void aHistogramBothClassicAndNativeIsShownAsNative() throws Exception {
        push(labelled().setHistogram(Metrics.Histogram.newBuilder()
                .setSampleCount(4).setSampleSum(3).setSchema(0)
                .addBucket(Metrics.Bucket.newBuilder().setUpperBound(1).setCumulativeCount(3))
                .addPositiveSpan(span(0, 2)).addAllPositiveDelta(List.of(3L, -2L)))
                .build());

        assertThat(shown()).containsExactly("{\"buckets\":[[0,\"0.5\",\"1\",\"3\"],[0,\"1\",\"2\",\"1\"]],"
                + "\"count\":\"4\",\"labels\":{" + KEY_LABELS + "},\"sum\":\"3\"}");
    }

    @Test
    void aNativeHistogramWithoutObservationsHasAnEmptyBucketList() throws Exception {
        // client_golang marks an empty native histogram with one span of length 0.
        push(labelled().setHistogram(Metrics.Histogram.newBuilder()
                .setSampleCount(0).setSampleSum(0).setSchema(3).setZeroThreshold(2.938735877055719e-39)
                .addPositiveSpan(span(0, 0)))
                .build());

        assertThat(shown()).containsExactly(
                "{\"buckets\":[],\"count\":\"0\",\"labels\":{" + KEY_LABELS + "},\"sum\":\"0\"}");
    }

    @Test
    void floatClassicCountsAreGoFloatsAndUsedOnlyWhenAboveZero() throws Exception {
        push(labelled().setHistogram(Metrics.Histogram.newBuilder()
                .setSampleCount(9).setSampleCountFloat(1e6).setSampleSum(2.5e6)
                .addBucket(Metrics.Bucket.newBuilder().setUpperBound(0.5).setCumulativeCountFloat(2.5))
                .addBucket(Metrics.Bucket.newBuilder().setUpperBound(1).setCumulativeCount(4).setCumulativeCountFloat(-1))
                .addBucket(Metrics.Bucket.newBuilder().setUpperBound(Double.POSITIVE_INFINITY)
                        .setCumulativeCountFloat(1e6)))
                .build());

        assertThat(shown()).containsExactly("{\"buckets\":{\"+Inf\":\"1e+06\",\"0.5\":\"2.5\",\"1\":\"4\"},"
                + "\"count\":\"1e+06\",\"labels\":{" + KEY_LABELS + "},\"sum\":\"2.5e+06\"}");
    }

    @Test
    void aNativeHistogramUpstreamCannotListShowsCountAndSumWithoutBuckets() throws Exception {
        // Upstream's handler fails on these: schema 9 has no bounds, and the spans ask for 3 buckets of 2.
        push(
                labelled("testing", "schema 9").setHistogram(Metrics.Histogram.newBuilder()
                        .setSampleCount(1).setSampleSum(1).setSchema(9)
                        .addPositiveSpan(span(0, 1)).addPositiveDelta(1)).build(),
                labelled("testing", "too few buckets").setHistogram(Metrics.Histogram.newBuilder()
                        .setSampleCount(2).setSampleSum(1).setSchema(0)
                        .addPositiveSpan(span(0, 3)).addAllPositiveDelta(List.of(1L, 0L))).build());

        assertThat(shown()).containsExactly(
                "{\"buckets\":[],\"count\":\"1\",\"labels\":" + labels("schema 9") + ",\"sum\":\"1\"}",
                "{\"buckets\":[],\"count\":\"2\",\"labels\":" + labels("too few buckets") + ",\"sum\":\"1\"}");
    }

    @Test
    void aGaugeHistogramIsShownAsAHistogram() throws Exception {
        push(Metrics.MetricType.GAUGE_HISTOGRAM, labelled().setHistogram(Metrics.Histogram.newBuilder()
                .setSampleCountFloat(1.5).setSampleSum(3).setSchema(0)
                .addNegativeSpan(span(1, 1)).addNegativeCount(1.5))
                .build());

        assertThat(shown()).containsExactly("{\"buckets\":[[1,\"-2\",\"-1\",\"1.5\"]],"
                + "\"count\":\"1.5\",\"labels\":{" + KEY_LABELS + "},\"sum\":\"3\"}");
    }

    @Test
    void aHistogramWithoutProtobufBytesAndAFractionalCountShowsEveryCountAsAFloat() {
        MetricFamily floats = new MetricFamily("mfh", null, MetricType.HISTOGRAM, List.of(Metric.histogram(List.of(),
                1e6, 2, List.of(new Bucket(1, 0.5), new Bucket(2, 0), new Bucket(Double.POSITIVE_INFINITY, 1e6)), null)));
        store.write(new WriteRequest(KEY, Verb.PUT, Map.of("mfh", floats), Source.http("127.0.0.1")));

        assertThat(shown()).containsExactly("{\"buckets\":{\"+Inf\":\"1e+06\",\"1\":\"0.5\",\"2\":\"0\"},"
                + "\"count\":\"1e+06\",\"labels\":{" + KEY_LABELS + "},\"sum\":\"2\"}");

        MetricFamily integers = new MetricFamily("mfh", null, MetricType.HISTOGRAM, List.of(Metric.histogram(List.of(),
                1e6, 2, List.of(new Bucket(1, 3), new Bucket(Double.POSITIVE_INFINITY, 1e6)), null)));
        store.write(new WriteRequest(KEY, Verb.PUT, Map.of("mfh", integers), Source.http("127.0.0.1")));

        assertThat(shown()).containsExactly("{\"buckets\":{\"+Inf\":\"1000000\",\"1\":\"3\"},"
                + "\"count\":\"1000000\",\"labels\":{" + KEY_LABELS + "},\"sum\":\"2\"}");
    }

    @Test
    void aHistogramPushedAsTextWithOneFractionalBucketIsShownWithFloatCountsAsUpstream1_11ShowsIt() throws Exception {
        // expfmt v0.67.5 text_parse_test.go TestTextParse case 14 (one bucket is a float: every count becomes one)
        ParsedBody parsed = new TextFormatParser().parse("""
                # TYPE mfh histogram
                mfh_bucket{le="100"} 123
                mfh_bucket{le="120"} 412
                mfh_bucket{le="144"} 592
                mfh_bucket{le="172.8"} 1524.8
                mfh_bucket{le="+Inf"} 2693
                mfh_sum 1.7560473e+06
                mfh_count 2693
                """);
        store.write(new WriteRequest(KEY, Verb.PUT, parsed.families(), Source.http("127.0.0.1")));

        assertThat(shown()).containsExactly("{\"buckets\":{\"+Inf\":\"2693\",\"100\":\"123\",\"120\":\"412\","
                + "\"144\":\"592\",\"172.8\":\"1524.8\"},\"count\":\"2693\",\"labels\":{" + KEY_LABELS + "},"
                + "\"sum\":\"1.7560473e+06\"}");
    }
}
