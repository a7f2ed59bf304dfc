package io.tidegate.format;

import static io.tidegate.differential.ProtobufBodies.delimited;
import static io.tidegate.differential.ProtobufBodies.family;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import io.prometheus.metrics.shaded.com_google_protobuf_4_36_2.Timestamp;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class ProtobufBodyReaderTest {
    private static final long LIMIT = 1 << 20;
    private final ProtobufBodyReader reader = new ProtobufBodyReader();

    // ---- Bodies built with the generated classes read as they were written ----

    @Test
    void gaugeCounterAndUntypedFamiliesReadWithLabelsHelpAndValues() throws Exception {
        Metrics.Metric gauge = metric(label("a", "1"), label("b", "zwei ü")).setGauge(gauge(1.5)).build();
        Metrics.Metric counter = metric(label("path", "/x")).setCounter(Metrics.Counter.newBuilder()
                .setValue(42).setCreatedTimestamp(Timestamp.newBuilder().setSeconds(17).setNanos(3))
                .setExemplar(Metrics.Exemplar.newBuilder().addLabel(label("trace_id", "abc")).setValue(0.5)))
                .build();
        Metrics.Metric untyped = metric().setUntyped(Metrics.Untyped.newBuilder().setValue(-3)).build();
        byte[] body = delimited(
                family("temperature", "Current temperature.", Metrics.MetricType.GAUGE, gauge),
                family("requests_total", "Requests.", Metrics.MetricType.COUNTER, counter),
                family("thing", null, Metrics.MetricType.UNTYPED, untyped));

        ParsedBody parsed = read(body);

        assertThat(parsed.families().keySet()).containsExactly("temperature", "requests_total", "thing");
        MetricFamily temperature = parsed.families().get("temperature");
        assertThat(temperature.help()).isEqualTo("Current temperature.");
        assertThat(temperature.type()).isEqualTo(MetricType.GAUGE);
        Metric g = temperature.metrics().get(0);
        assertThat(g.labels()).containsExactly(new Label("a", "1"), new Label("b", "zwei ü"));
        assertThat(g.value()).isEqualTo(1.5);
        assertThat(g.timestampMs()).isNull();
        assertThat(g.hasValueOf(MetricType.GAUGE)).isTrue();
        assertThat(g.protoValue()).isEqualTo(valueOnly(gauge));

        Metric c = parsed.families().get("requests_total").metrics().get(0);
        assertThat(c.value()).isEqualTo(42);
        assertThat(c.protoValue()).isEqualTo(valueOnly(counter));
        assertThat(Metrics.Metric.parseFrom(c.protoValue()).getCounter()).isEqualTo(counter.getCounter());

        MetricFamily thing = parsed.families().get("thing");
        assertThat(thing.help()).isNull();
        assertThat(thing.metrics().get(0).value()).isEqualTo(-3);
    }

    @Test
    void summaryReadsCountSumAndQuantiles() throws Exception {
        Metrics.Metric summary = metric(label("job_kind", "batch")).setSummary(Metrics.Summary.newBuilder()
                .setSampleCount(7).setSampleSum(12.25)
                .addQuantile(Metrics.Quantile.newBuilder().setQuantile(0.5).setValue(1.5))
                .addQuantile(Metrics.Quantile.newBuilder().setQuantile(0.99).setValue(Double.NaN)))
                .build();

        Metric m = read(delimited(family("latency", "L.", Metrics.MetricType.SUMMARY, summary)))
                .families().get("latency").metrics().get(0);

        assertThat(m.count()).isEqualTo(7);
        assertThat(m.sum()).isEqualTo(12.25);
        assertThat(m.quantiles()).containsExactly(new Quantile(0.5, 1.5), new Quantile(0.99, Double.NaN));
        assertThat(m.protoValue()).isEqualTo(valueOnly(summary));
    }

    @Test
    void classicHistogramReadsIntegerCountsAndFloatCountsOverrideThem() throws Exception {
        Metrics.Metric integers = metric(label("le_not", "x")).setHistogram(Metrics.Histogram.newBuilder()
                .setSampleCount(-1L) // uint64 max: counts are unsigned
                .setSampleSum(3.5)
                .addBucket(Metrics.Bucket.newBuilder().setUpperBound(0.1).setCumulativeCount(1))
                .addBucket(Metrics.Bucket.newBuilder().setUpperBound(Double.POSITIVE_INFINITY)
                        .setCumulativeCount(4)))
                .build();
        Metrics.Metric floats = metric(label("kind", "float")).setHistogram(Metrics.Histogram.newBuilder()
                .setSampleCount(99).setSampleCountFloat(2.5).setSampleSum(1)
                .addBucket(Metrics.Bucket.newBuilder().setUpperBound(1).setCumulativeCount(9)
                        .setCumulativeCountFloat(0.5)))
                .build();

        List<Metric> metrics = read(delimited(family("size", "S.", Metrics.MetricType.HISTOGRAM, integers, floats)))
                .families().get("size").metrics();

        assertThat(metrics.get(0).count()).isEqualTo(1.8446744073709552E19);
        assertThat(metrics.get(0).sum()).isEqualTo(3.5);
        assertThat(metrics.get(0).buckets())
                .containsExactly(new Bucket(0.1, 1), new Bucket(Double.POSITIVE_INFINITY, 4));
        assertThat(metrics.get(1).count()).isEqualTo(2.5);
        assertThat(metrics.get(1).buckets()).containsExactly(new Bucket(1, 0.5));
        assertThat(metrics.get(1).protoValue()).isEqualTo(valueOnly(floats));
    }

    @Test
    void nativeHistogramFieldsArePreservedByteForByte() throws Exception {
        Metrics.Histogram nativeHistogram = Metrics.Histogram.newBuilder()
                .setSampleCount(12).setSampleSum(-4.5).setSchema(-3).setZeroThreshold(1e-128)
                .setZeroCount(2).setZeroCountFloat(0)
                .addNegativeSpan(Metrics.BucketSpan.newBuilder().setOffset(-2).setLength(2))
                .addNegativeDelta(3).addNegativeDelta(-1)
                .addPositiveSpan(Metrics.BucketSpan.newBuilder().setOffset(0).setLength(1))
                .addPositiveSpan(Metrics.BucketSpan.newBuilder().setOffset(5).setLength(1))
                .addPositiveCount(1.5).addPositiveCount(2.5)
                .setCreatedTimestamp(Timestamp.newBuilder().setSeconds(1_700_000_000).setNanos(999))
                .addExemplars(Metrics.Exemplar.newBuilder().addLabel(label("trace_id", "t1")).setValue(2)
                        .setTimestamp(Timestamp.newBuilder().setSeconds(5)))
                .build();
        Metrics.Metric metric = metric(label("a", "b")).setHistogram(nativeHistogram).build();

        MetricFamily family = read(delimited(family("native", "N.", Metrics.MetricType.HISTOGRAM, metric)))
                .families().get("native");

        Metric m = family.metrics().get(0);
        assertThat(m.protoValue()).isEqualTo(valueOnly(metric));
        assertThat(Metrics.Metric.parseFrom(m.protoValue()).getHistogram()).isEqualTo(nativeHistogram);
        assertThat(m.count()).isEqualTo(12);
        assertThat(m.buckets()).isEmpty();
        assertThat(m.hasValueOf(MetricType.HISTOGRAM)).isTrue();
    }

    @Test
    void gaugeHistogramFamilyTakesItsValueFromTheHistogramField() throws Exception {
        Metrics.Metric metric = metric().setHistogram(Metrics.Histogram.newBuilder().setSampleCount(3)
                .addBucket(Metrics.Bucket.newBuilder().setUpperBound(5).setCumulativeCount(3))).build();

        MetricFamily family = read(delimited(family("queue", null, Metrics.MetricType.GAUGE_HISTOGRAM, metric)))
                .families().get("queue");

        assertThat(family.type()).isEqualTo(MetricType.GAUGE_HISTOGRAM);
        assertThat(family.metrics().get(0).hasValueOf(MetricType.GAUGE_HISTOGRAM)).isTrue();
        assertThat(family.metrics().get(0).buckets()).containsExactly(new Bucket(5, 3));
    }

    @Test
    void helpAbsentIsNullAndHelpEmptyIsEmpty() throws Exception {
        byte[] body = delimited(
                family("no_help", null, Metrics.MetricType.GAUGE, metric().setGauge(gauge(1)).build()),
                family("empty_help", "", Metrics.MetricType.GAUGE, metric().setGauge(gauge(1)).build()));

        ParsedBody parsed = read(body);

        assertThat(parsed.families().get("no_help").help()).isNull();
        assertThat(parsed.families().get("empty_help").help()).isEmpty();
    }

    @Test
    void absentTypeIsCounterAsInGo() throws Exception {
        byte[] body = delimited(Metrics.MetricFamily.newBuilder().setName("c")
                .addMetric(metric().setCounter(Metrics.Counter.newBuilder().setValue(2))).build());

        MetricFamily family = read(body).families().get("c");

        assertThat(family.type()).isEqualTo(MetricType.COUNTER);
        assertThat(family.metrics().get(0).value()).isEqualTo(2);
    }

    @Test
    void timestampIsKeptWhenPresentEvenIfZero() throws Exception {
        byte[] body = delimited(family("t", null, Metrics.MetricType.GAUGE,
                metric(label("n", "0")).setGauge(gauge(1)).setTimestampMs(0).build(),
                metric(label("n", "1")).setGauge(gauge(1)).setTimestampMs(-1_234_567).build(),
                metric(label("n", "2")).setGauge(gauge(1)).build()));

        List<Metric> metrics = read(body).families().get("t").metrics();

        assertThat(metrics).extracting(Metric::timestampMs).containsExactly(0L, -1_234_567L, null);
    }

    @Test
    void laterFamilyOfTheSameNameReplacesTheEarlierOneAsUpstream() throws Exception {
        byte[] body = delimited(
                family("a", null, Metrics.MetricType.GAUGE, metric().setGauge(gauge(1)).build()),
                family("b", null, Metrics.MetricType.GAUGE, metric().setGauge(gauge(2)).build()),
                family("a", "second", Metrics.MetricType.COUNTER,
                        metric().setCounter(Metrics.Counter.newBuilder().setValue(3)).build()));

        ParsedBody parsed = read(body);

        assertThat(parsed.families().keySet()).containsExactly("a", "b");
        MetricFamily a = parsed.families().get("a");
        assertThat(a.help()).isEqualTo("second");
        assertThat(a.type()).isEqualTo(MetricType.COUNTER);
        assertThat(a.metrics()).singleElement().extracting(Metric::value).isEqualTo(3.0);
    }

    @Test
    void emptyBodyHasNoFamiliesAndAnEmptyMessageIsANamelessCounterFamilyAsInGo() throws Exception {
        assertThat(read(new byte[0]).families()).isEmpty();

        MetricFamily nameless = read(new byte[] {0}).families().get("");

        assertThat(nameless.type()).isEqualTo(MetricType.COUNTER);
        assertThat(nameless.help()).isNull();
        assertThat(nameless.metrics()).isEmpty();
    }

    @Test
    void valueOfAnotherKindThanTheFamilyTypeIsRecordedForTheStoreToReject() throws Exception {
        Metrics.Metric gaugeOnly = metric().setGauge(gauge(1)).build();
        Metrics.Metric nothing = metric(label("x", "y")).build();

        ParsedBody parsed = read(delimited(family("c", null, Metrics.MetricType.COUNTER, gaugeOnly, nothing)));

        Metric first = parsed.families().get("c").metrics().get(0);
        assertThat(first.hasValueOf(MetricType.COUNTER)).isFalse();
        assertThat(first.hasValueOf(MetricType.GAUGE)).isTrue();
        assertThat(first.value()).isZero();
        assertThat(first.protoValue()).isEqualTo(valueOnly(gaugeOnly));
        Metric second = parsed.families().get("c").metrics().get(1);
        assertThat(second.valueKinds()).isZero();
        assertThat(second.protoValue()).isNull();
    }

    @Test
    void metricWithGaugeAndCounterInAGaugeFamilyIsTheGaugeAndKeepsBothValueMessages() throws Exception {
        Metrics.Metric both = metric().setGauge(gauge(5)).setCounter(Metrics.Counter.newBuilder().setValue(7)).build();

        Metric m = read(delimited(family("gc", null, Metrics.MetricType.GAUGE, both))).families().get("gc")
                .metrics().get(0);

        assertThat(m.value()).isEqualTo(5);
        assertThat(m.hasValueOf(MetricType.GAUGE)).isTrue();
        assertThat(m.hasValueOf(MetricType.COUNTER)).isTrue();
        assertThat(Metrics.Metric.parseFrom(m.protoValue())).isEqualTo(both);
    }

    @Test
    void repeatedValueMessagesMergeAsInGoAndAreAllKept() throws Exception {
        // gauge{value:4} label{...} gauge{} gauge{value:6}: Go merges to 6; an empty one changes nothing.
        Bytes metric = new Bytes()
                .message(2, new Bytes().fixed64(1, 4.0))
                .message(1, new Bytes().string(1, "a").string(2, "b"))
                .message(2, new Bytes())
                .message(2, new Bytes().fixed64(1, 6.0));
        Bytes mergedToFour = new Bytes().message(2, new Bytes().fixed64(1, 4.0)).message(2, new Bytes());

        Metric m = read(familyBytes("g", 1, metric)).families().get("g").metrics().get(0);
        Metric four = read(familyBytes("g", 1, mergedToFour)).families().get("g").metrics().get(0);

        assertThat(m.value()).isEqualTo(6);
        assertThat(m.labels()).containsExactly(new Label("a", "b"));
        assertThat(Metrics.Metric.parseFrom(m.protoValue()).getGauge().getValue()).isEqualTo(6);
        assertThat(m.protoValue()).hasSize(metric.size() - new Bytes()
                .message(1, new Bytes().string(1, "a").string(2, "b")).size());
        assertThat(four.value()).isEqualTo(4);
    }

    @Test
    void unknownFieldsAreSkippedEverywhere() throws Exception {
        Bytes label = new Bytes().string(1, "a").varint(7, 1).string(2, "b").fixed32(9);
        Bytes gauge = new Bytes().fixed64(1, 2.0).string(15, "future");
        Bytes metric = new Bytes().message(1, label).message(2, gauge).varint(99, 5);
        Bytes family = new Bytes().string(1, "u").fixed32(6).varint(3, 1).message(4, metric)
                .string(5, "seconds").fixed64(1000, 1.0);

        MetricFamily parsed = read(lengthPrefixed(family)).families().get("u");

        assertThat(parsed.type()).isEqualTo(MetricType.GAUGE);
        Metric m = parsed.metrics().get(0);
        assertThat(m.labels()).containsExactly(new Label("a", "b"));
        assertThat(m.value()).isEqualTo(2);
        assertThat(m.protoValue()).isEqualTo(new Bytes().message(2, gauge).toByteArray());
    }

    @Test
    void equalLabelNamesOfSuccessiveMetricsShareOneString() throws Exception {
        byte[] body = delimited(family("s", null, Metrics.MetricType.GAUGE,
                metric(label("instance", "1"), label("zone", "a")).setGauge(gauge(1)).build(),
                metric(label("instance", "2"), label("zone", "b")).setGauge(gauge(2)).build()));

        List<Metric> metrics = read(body).families().get("s").metrics();

        assertThat(metrics.get(1).labels().get(0).name()).isSameAs(metrics.get(0).labels().get(0).name());
        assertThat(metrics.get(1).labels().get(1).name()).isSameAs(metrics.get(0).labels().get(1).name());
    }

    @Test
    void bodyUpToTheLimitIsReadAndOneByteMoreIsRejected() throws Exception {
        byte[] body = delimited(family("g", null, Metrics.MetricType.GAUGE, metric().setGauge(gauge(1)).build()));

        assertThat(reader.read(new ByteArrayInputStream(body), body.length).families()).containsKey("g");
        assertThatThrownBy(() -> reader.read(new ByteArrayInputStream(body), body.length - 1))
                .isInstanceOf(BodyFormatException.class)
                .hasMessage("request body exceeds the limit of " + (body.length - 1) + " bytes");
    }

    @Test
    void bodyArrivingInSmallPiecesIsReadWhole() throws Exception {
        List<Metrics.Metric> many = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            many.add(metric(label("i", Integer.toString(i))).setGauge(gauge(i)).build());
        }
        byte[] body = delimited(family("many", null, Metrics.MetricType.GAUGE, many.toArray(new Metrics.Metric[0])));
        InputStream trickle = new ByteArrayInputStream(body) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 7));
            }
        };

        assertThat(reader.read(trickle, LIMIT).families().get("many").metrics()).hasSize(2000);
    }

    // ---- What upstream dies of or wrongly accepts: rejected, cheaply ----

    @Test
    void sevenByteBodyClaimingTensOfGigabytesIsRejectedWithoutAllocatingIt() {
        byte[] body = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01, 'x'};
        long before = allocatedBytes();

        assertThatThrownBy(() -> reader.read(new ByteArrayInputStream(body), Long.MAX_VALUE))
                .isInstanceOf(BodyFormatException.class)
                .hasMessage("unexpected EOF: protobuf body: metric family 1 at byte 0: length 34359738368 exceeds the 1 bytes left");
        assertThat(allocatedBytes() - before).isLessThan(1 << 20);
    }

    @Test
    void giantLengthAfterAValidFamilyNamesTheFamilyAndOffset() throws Exception {
        byte[] first = delimited(family("ok", null, Metrics.MetricType.GAUGE, metric().setGauge(gauge(1)).build()));
        byte[] body = concat(first, varint(34359738368L), new byte[11]);

        assertThatThrownBy(() -> read(body)).hasMessage("unexpected EOF: protobuf body: metric family 2 at byte "
                + first.length + ": length 34359738368 exceeds the 11 bytes left");
    }

    @Test
    void lengthPrefixWithNoMessageAfterItIsRejected() {
        assertThatThrownBy(() -> read(new byte[] {5})).isInstanceOf(BodyFormatException.class)
                .hasMessage("unexpected EOF: protobuf body: metric family 1 at byte 0: length 5 exceeds the 0 bytes left");
    }

    @Test
    void truncatedLengthPrefixIsRejected() throws Exception {
        byte[] first = delimited(family("ok", null, Metrics.MetricType.GAUGE, metric().setGauge(gauge(1)).build()));

        assertThatThrownBy(() -> read(concat(first, new byte[] {(byte) 0x80})))
                .hasMessage("protobuf body: metric family 2 at byte " + first.length
                        + ": length prefix: truncated varint");
    }

    @Test
    void truncatedMessageIsRejected() throws Exception {
        byte[] whole = delimited(family("g", null, Metrics.MetricType.GAUGE, metric().setGauge(gauge(1)).build()));
        byte[] cut = Arrays.copyOf(whole, whole.length - 3);

        assertThatThrownBy(() -> read(cut)).hasMessage("unexpected EOF: protobuf body: metric family 1 at byte 0: length "
                + (whole.length - 1) + " exceeds the " + (cut.length - 1) + " bytes left");
    }

    @Test
    void varintsLongerThanTenBytesOrOverflowingAreRejected() {
        // field 10 is unknown to MetricFamily: skipped, but its varint must still be one
        byte[] elevenBytes = concat(new byte[] {(byte) 0x50}, repeat((byte) 0xFF, 10), new byte[] {1});
        byte[] overflow = concat(new byte[] {(byte) 0x50}, repeat((byte) 0xFF, 9), new byte[] {2});

        assertThatThrownBy(() -> read(lengthPrefixed(elevenBytes)))
                .hasMessage("protobuf body: metric family 1 at byte 1: MetricFamily field 10: varint longer than 10 bytes");
        assertThatThrownBy(() -> read(concat(repeat((byte) 0xFF, 11))))
                .hasMessage("protobuf body: metric family 1 at byte 0: length prefix: varint longer than 10 bytes");
        assertThatThrownBy(() -> read(lengthPrefixed(overflow)))
                .hasMessageContaining("varint overflows 64 bits");
    }

    @Test
    void lengthBeyondTheEnclosingMessageIsRejectedEvenIfTheBodyHasTheBytes() {
        // MetricFamily of 4 bytes: metric field claiming 10 bytes; 20 more bytes follow in the body.
        byte[] body = concat(new byte[] {4, 0x22, 10, 0x12, 0x00}, new byte[20]);

        assertThatThrownBy(() -> read(body)).hasMessage("protobuf body: metric family 1 at byte 2: "
                + "MetricFamily.metric (field 4): length 10 exceeds the 2 bytes left in MetricFamily");
    }

    @Test
    void negativeLengthsAreRejected() {
        // name field whose length is 2^64-1 (-1 as a signed number), and 2^32-1 (-1 as an int32)
        Bytes minusOne = new Bytes().tag(1, 2).raw(repeat((byte) 0xFF, 9)).raw(new byte[] {1});
        Bytes minusOne32 = new Bytes().tag(1, 2).raw(new byte[] {-1, -1, -1, -1, 0x0F});

        assertThatThrownBy(() -> read(lengthPrefixed(minusOne))).hasMessage("protobuf body: metric family 1 at byte 2: "
                + "MetricFamily.name (field 1): length 18446744073709551615 exceeds the 0 bytes left in MetricFamily");
        assertThatThrownBy(() -> read(lengthPrefixed(minusOne32)))
                .hasMessageContaining("length 4294967295 exceeds the 0 bytes left");
    }

    @Test
    void wrongWireTypesOfKnownFieldsAreRejected() {
        assertThatThrownBy(() -> read(lengthPrefixed(new Bytes().varint(1, 5))))
                .hasMessage("protobuf body: metric family 1 at byte 1: MetricFamily.name (field 1): "
                        + "wire type 0 (varint), expected 2 (length-delimited)");
        assertThatThrownBy(() -> read(lengthPrefixed(new Bytes().string(1, "t").string(3, "x"))))
                .hasMessageContaining("MetricFamily.type (field 3): wire type 2 (length-delimited), expected 0");
        assertThatThrownBy(() -> read(familyBytes("g", 1, new Bytes().message(2, new Bytes().varint(1, 1)))))
                .hasMessageContaining(", metric 1 at byte ")
                .hasMessageContaining("Gauge.value (field 1): wire type 0 (varint), expected 1 (64-bit)");
        assertThatThrownBy(() -> read(familyBytes("c", 0, new Bytes().message(3,
                new Bytes().message(2, new Bytes().fixed64(2, 1.0).varint(3, 1))))))
                .hasMessageContaining("Exemplar.timestamp (field 3): wire type 0 (varint), expected 2");
        assertThatThrownBy(() -> read(familyBytes("h", 4, new Bytes().message(7,
                new Bytes().fixed32(12)))))
                .hasMessageContaining("Histogram.positive_span (field 12): wire type 5 (32-bit)");
    }

    @Test
    void invalidUtf8InAnyStringIsRejectedWithItsOffset() {
        Bytes badName = new Bytes().raw(new byte[] {0x0A, 3, 'a', 'b', (byte) 0xFF});
        Bytes badValue = new Bytes().message(1, new Bytes().string(1, "a")
                .raw(new byte[] {0x12, 2, (byte) 0xC3, 'x'})).message(2, new Bytes().fixed64(1, 1));
        Bytes surrogate = new Bytes().raw(new byte[] {0x12, 3, (byte) 0xED, (byte) 0xA0, (byte) 0x80});
        Bytes overlong = new Bytes().raw(new byte[] {0x0A, 2, (byte) 0xC0, (byte) 0xAF});

        assertThatThrownBy(() -> read(lengthPrefixed(badName)))
                .hasMessage("protobuf body: metric family 1 at byte 5: MetricFamily.name (field 1): invalid UTF-8");
        assertThatThrownBy(() -> read(familyBytes("g", 1, badValue)))
                .hasMessageContaining("metric family 1, metric 1 at byte ")
                .hasMessageEndingWith("LabelPair.value (field 2): invalid UTF-8");
        assertThatThrownBy(() -> read(lengthPrefixed(surrogate)))
                .hasMessageEndingWith("MetricFamily.help (field 2): invalid UTF-8");
        assertThatThrownBy(() -> read(lengthPrefixed(overlong))).hasMessageEndingWith("invalid UTF-8");
    }

    @Test
    void unknownMetricTypesAreRejected() {
        assertThatThrownBy(() -> read(lengthPrefixed(new Bytes().string(1, "t").varint(3, 6))))
                .hasMessage("protobuf body: metric family 1 at byte 4: MetricFamily.type (field 3): unknown metric type 6");
        assertThatThrownBy(() -> read(lengthPrefixed(new Bytes().string(1, "t").varint(3, -1))))
                .hasMessageEndingWith("unknown metric type -1");
        // the last type given wins, as in Go: a bad one overridden is fine
        assertThat(catching(() -> read(lengthPrefixed(new Bytes().string(1, "t").varint(3, 99).varint(3, 1)))))
                .isNull();
    }

    @Test
    void groupsAndInvalidWireTypesAndFieldNumberZeroAreRejected() {
        assertThatThrownBy(() -> read(lengthPrefixed(new Bytes().string(1, "g").tag(9, 3).varint(1, 1).tag(9, 4))))
                .hasMessage("protobuf body: metric family 1 at byte 4: MetricFamily field 9: wire type 3 (group) "
                        + "is not supported");
        assertThatThrownBy(() -> read(lengthPrefixed(new Bytes().tag(9, 4))))
                .hasMessageEndingWith("MetricFamily field 9: wire type 4 (group) is not supported");
        assertThatThrownBy(() -> read(lengthPrefixed(new Bytes().tag(9, 6))))
                .hasMessageEndingWith("MetricFamily field 9: invalid wire type 6");
        assertThatThrownBy(() -> read(lengthPrefixed(new Bytes().varint(0, 1))))
                .hasMessage("protobuf body: metric family 1 at byte 1: MetricFamily: invalid field number 0");
    }

    @Test
    void truncatedFixedWidthValuesAndBadPackedDoublesAreRejected() {
        Bytes shortDouble = new Bytes().message(2, new Bytes().tag(1, 1).raw(new byte[] {1, 2, 3}));
        Bytes packed = new Bytes().message(7, new Bytes().message(14, new Bytes().raw(new byte[12])));

        assertThatThrownBy(() -> read(familyBytes("g", 1, shortDouble)))
                .hasMessageEndingWith("Gauge.value (field 1): truncated 64-bit value (3 of 8 bytes left)");
        assertThatThrownBy(() -> read(familyBytes("h", 4, packed)))
                .hasMessageEndingWith("Histogram.positive_count (field 14): packed doubles of length 12, "
                        + "not a multiple of 8");
    }

    @Test
    void packedAndUnpackedNativeBucketsAreBothAccepted() throws Exception {
        Bytes packed = new Bytes().message(7, new Bytes()
                .message(13, new Bytes().raw(new byte[] {2, 3, 0x7F}))
                .message(11, new Bytes().raw(new byte[16])));
        Bytes unpacked = new Bytes().message(7, new Bytes().varint(13, 2).varint(13, 3).fixed64(11, 1.0));

        Metric p = read(familyBytes("h", 4, packed)).families().get("h").metrics().get(0);
        Metric u = read(familyBytes("h", 4, unpacked)).families().get("h").metrics().get(0);

        assertThat(Metrics.Metric.parseFrom(p.protoValue()).getHistogram().getPositiveDeltaList())
                .containsExactly(1L, -2L, -64L);
        assertThat(Metrics.Metric.parseFrom(u.protoValue()).getHistogram().getPositiveDeltaList())
                .containsExactly(1L, -2L);
    }

    // ---- Properties: nothing but BodyFormatException, and what is accepted is what protobuf-java reads ----

    @Property(tries = 3000)
    void randomBytesNeverThrowAnythingButBodyFormatException(@ForAll("randomBodies") byte[] body) {
        Throwable thrown = catching(() -> read(body));
        assertThat(thrown).satisfiesAnyOf(
                t -> assertThat(t).isNull(),
                t -> assertThat(t).isInstanceOf(BodyFormatException.class));
    }

    @Property(tries = 3000)
    void mutatedValidBodiesAreRejectedCleanlyOrReadAsProtobufJavaReadsThem(@ForAll("mutatedBodies") byte[] body)
            throws Exception {
        ParsedBody parsed;
        try {
            parsed = read(body);
        } catch (BodyFormatException e) {
            assertThat(e.getMessage()).containsPattern("^(unexpected EOF: )?protobuf body: metric family ");
            return;
        }
        assertReadsAsProtobufJava(body, parsed);
    }

    @Property(tries = 500)
    void validBodiesReadAsProtobufJavaReadsThem(@ForAll("validBodies") byte[] body) throws Exception {
        assertReadsAsProtobufJava(body, read(body));
    }

    @Provide
    Arbitrary<byte[]> randomBodies() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    }

    @Provide
    Arbitrary<byte[]> validBodies() {
        return Arbitraries.longs().map(seed -> randomValidBody(new Random(seed)));
    }

    @Provide
    Arbitrary<byte[]> mutatedBodies() {
        return Arbitraries.longs().map(seed -> {
            Random random = new Random(seed);
            byte[] body = randomValidBody(random);
            int mutations = 1 + random.nextInt(3);
            for (int i = 0; i < mutations && body.length > 0; i++) {
                body = mutate(body, random);
            }
            return body;
        });
    }

    static byte[] mutate(byte[] body, Random random) {
        int at = random.nextInt(body.length);
        switch (random.nextInt(6)) {
            case 0:
                return Arrays.copyOf(body, at); // truncation
            case 1:
                body[at] ^= (byte) (1 << random.nextInt(8)); // bit flip
                return body;
            case 2:
                body[at] = (byte) random.nextInt(256);
                return body;
            case 3: { // a length (or any varint) replaced by another, possibly huge one
                long value = random.nextBoolean() ? random.nextInt(300) : random.nextLong();
                byte[] replacement = varint(value);
                return concat(Arrays.copyOf(body, at), replacement,
                        Arrays.copyOfRange(body, Math.min(body.length, at + 1), body.length));
            }
            case 4: { // inserted bytes
                byte[] inserted = new byte[1 + random.nextInt(4)];
                random.nextBytes(inserted);
                return concat(Arrays.copyOf(body, at), inserted, Arrays.copyOfRange(body, at, body.length));
            }
            default: // a removed byte
                return concat(Arrays.copyOf(body, at), Arrays.copyOfRange(body, at + 1, body.length));
        }
    }

    /** Checks a body this reader accepted against protobuf-java's reading of it. */
    static void assertReadsAsProtobufJava(byte[] body, ParsedBody parsed) throws IOException {
        Map<String, Metrics.MetricFamily> expected = new LinkedHashMap<>();
        ByteArrayInputStream in = new ByteArrayInputStream(body);
        Metrics.MetricFamily family;
        while ((family = Metrics.MetricFamily.parseDelimitedFrom(in)) != null) {
            expected.put(family.getName(), family);
        }
        assertThat(parsed.families().keySet()).containsExactlyElementsOf(expected.keySet());
        for (Metrics.MetricFamily want : expected.values()) {
            MetricFamily got = parsed.families().get(want.getName());
            assertThat(got.help()).isEqualTo(want.hasHelp() ? want.getHelp() : null);
            assertThat(got.type().protoNumber()).isEqualTo(want.getType().getNumber());
            assertThat(got.metrics()).hasSize(want.getMetricCount());
            for (int i = 0; i < want.getMetricCount(); i++) {
                assertMetric(got.type(), got.metrics().get(i), want.getMetric(i));
            }
        }
    }

    private static void assertMetric(MetricType type, Metric got, Metrics.Metric want) throws IOException {
        assertThat(got.labels()).extracting(Label::name, Label::value).containsExactlyElementsOf(
                want.getLabelList().stream().map(l -> org.assertj.core.groups.Tuple.tuple(l.getName(), l.getValue()))
                        .toList());
        assertThat(got.timestampMs()).isEqualTo(want.hasTimestampMs() ? want.getTimestampMs() : null);
        Metrics.Metric fromProtoValue = got.protoValue() == null
                ? Metrics.Metric.getDefaultInstance()
                : Metrics.Metric.parseFrom(got.protoValue());
        assertThat(fromProtoValue.getLabelCount()).isZero();
        assertThat(fromProtoValue.hasTimestampMs()).isFalse();
        assertThat(fromProtoValue.hasGauge()).isEqualTo(want.hasGauge());
        assertThat(fromProtoValue.getGauge()).isEqualTo(want.getGauge());
        assertThat(fromProtoValue.getCounter()).isEqualTo(want.getCounter());
        assertThat(fromProtoValue.getSummary()).isEqualTo(want.getSummary());
        assertThat(fromProtoValue.getUntyped()).isEqualTo(want.getUntyped());
        assertThat(fromProtoValue.getHistogram()).isEqualTo(want.getHistogram());
        assertThat(got.hasValueOf(MetricType.GAUGE)).isEqualTo(want.hasGauge());
        assertThat(got.hasValueOf(MetricType.COUNTER)).isEqualTo(want.hasCounter());
        assertThat(got.hasValueOf(MetricType.SUMMARY)).isEqualTo(want.hasSummary());
        assertThat(got.hasValueOf(MetricType.UNTYPED)).isEqualTo(want.hasUntyped());
        assertThat(got.hasValueOf(MetricType.HISTOGRAM)).isEqualTo(want.hasHistogram());
        if (!got.hasValueOf(type)) {
            return;
        }
        switch (type) {
            case GAUGE -> assertSame(got.value(), want.getGauge().getValue());
            case COUNTER -> assertSame(got.value(), want.getCounter().getValue());
            case UNTYPED -> assertSame(got.value(), want.getUntyped().getValue());
            case SUMMARY -> {
                assertSame(got.count(), ProtobufBodyReader.unsignedToDouble(want.getSummary().getSampleCount()));
                assertSame(got.sum(), want.getSummary().getSampleSum());
                assertThat(got.quantiles()).hasSize(want.getSummary().getQuantileCount());
            }
            default -> {
                Metrics.Histogram h = want.getHistogram();
                double count = h.getSampleCountFloat() != 0 ? h.getSampleCountFloat()
                        : ProtobufBodyReader.unsignedToDouble(h.getSampleCount());
                assertSame(got.count(), count);
                assertSame(got.sum(), h.getSampleSum());
                assertThat(got.buckets()).hasSize(h.getBucketCount());
            }
        }
    }

    private static void assertSame(double got, double want) {
        assertThat(Double.compare(got, want)).as("%s vs %s", got, want).isZero();
    }

    /** A body of a few families of random types, values and labels, some sharing a name. */
    static byte[] randomValidBody(Random random) {
        List<Metrics.MetricFamily> families = new ArrayList<>();
        int familyCount = random.nextInt(4);
        for (int f = 0; f < familyCount; f++) {
            Metrics.MetricType type = Metrics.MetricType.forNumber(random.nextInt(6));
            Metrics.MetricFamily.Builder family = Metrics.MetricFamily.newBuilder()
                    .setName("m" + random.nextInt(3)).setType(type);
            if (random.nextBoolean()) {
                family.setHelp(random.nextBoolean() ? "" : "help ✓ " + random.nextInt());
            }
            int metricCount = random.nextInt(4);
            for (int m = 0; m < metricCount; m++) {
                Metrics.Metric.Builder metric = Metrics.Metric.newBuilder();
                for (int l = random.nextInt(3); l > 0; l--) {
                    metric.addLabel(label("l" + l, random.nextBoolean() ? "" : "v" + random.nextInt(5) + "é"));
                }
                if (random.nextInt(5) == 0) {
                    metric.setTimestampMs(random.nextLong());
                }
                int kind = random.nextInt(7);
                if (kind == 0 || kind == 6) {
                    metric.setGauge(gauge(random.nextGaussian()));
                }
                if (kind == 1 || kind == 6) {
                    metric.setCounter(Metrics.Counter.newBuilder().setValue(random.nextDouble())
                            .setExemplar(Metrics.Exemplar.newBuilder().addLabel(label("t", "x")).setValue(1)));
                }
                if (kind == 2) {
                    metric.setSummary(Metrics.Summary.newBuilder().setSampleCount(random.nextLong())
                            .setSampleSum(random.nextDouble())
                            .addQuantile(Metrics.Quantile.newBuilder().setQuantile(0.5).setValue(1)));
                }
                if (kind == 3) {
                    metric.setUntyped(Metrics.Untyped.newBuilder().setValue(random.nextInt()));
                }
                if (kind == 4 || kind == 5) {
                    Metrics.Histogram.Builder h = Metrics.Histogram.newBuilder()
                            .setSampleCount(random.nextInt(100)).setSampleSum(random.nextDouble())
                            .addBucket(Metrics.Bucket.newBuilder().setUpperBound(1).setCumulativeCount(3));
                    if (kind == 5) {
                        h.setSchema(random.nextInt(9) - 4).setZeroThreshold(1e-9).setSampleCountFloat(2.5)
                                .addPositiveSpan(Metrics.BucketSpan.newBuilder().setOffset(-1).setLength(2))
                                .addPositiveDelta(random.nextLong()).addPositiveDelta(-1)
                                .addNegativeCount(0.25);
                    }
                    metric.setHistogram(h);
                }
                family.addMetric(metric);
            }
            families.add(family.build());
        }
        return delimited(families.toArray(new Metrics.MetricFamily[0]));
    }

    // ---- Helpers ----

    private ParsedBody read(byte[] body) throws BodyFormatException, IOException {
        return reader.read(new ByteArrayInputStream(body), LIMIT);
    }

    private interface Action {
        void run() throws Exception;
    }

    private static Throwable catching(Action action) {
        try {
            action.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static Metrics.LabelPair label(String name, String value) {
        return Metrics.LabelPair.newBuilder().setName(name).setValue(value).build();
    }

    private static Metrics.Gauge gauge(double value) {
        return Metrics.Gauge.newBuilder().setValue(value).build();
    }

    private static Metrics.Metric.Builder metric(Metrics.LabelPair... labels) {
        return Metrics.Metric.newBuilder().addAllLabel(List.of(labels));
    }

    /** The value fields of a metric, encoded as protobuf-java encodes them. */
    private static byte[] valueOnly(Metrics.Metric metric) {
        return metric.toBuilder().clearLabel().clearTimestampMs().build().toByteArray();
    }

    /** A family of {@code name} and type number {@code type} holding one hand-built metric. */
    private static byte[] familyBytes(String name, int type, Bytes metric) {
        return lengthPrefixed(new Bytes().string(1, name).varint(3, type).message(4, metric));
    }

    /** A hand-built message behind its varint length, as a delimited body carries each family. */
    private static byte[] lengthPrefixed(Bytes message) {
        return lengthPrefixed(message.toByteArray());
    }

    private static byte[] lengthPrefixed(byte[] message) {
        return concat(varint(message.length), message);
    }

    static byte[] varint(long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((value & ~0x7FL) != 0) {
            out.write((int) (value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write((int) value);
        return out.toByteArray();
    }

    private static byte[] repeat(byte b, int n) {
        byte[] bytes = new byte[n];
        Arrays.fill(bytes, b);
        return bytes;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** Hand-built protobuf, for what the generated classes cannot write. */
    private static final class Bytes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Bytes tag(int field, int wire) {
            out.writeBytes(ProtobufBodyReaderTest.varint((long) field << 3 | wire));
            return this;
        }

        Bytes varint(int field, long value) {
            tag(field, 0);
            out.writeBytes(ProtobufBodyReaderTest.varint(value));
            return this;
        }

        Bytes fixed64(int field, double value) {
            tag(field, 1);
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(value).array());
            return this;
        }

        Bytes fixed32(int field) {
            tag(field, 5);
            out.writeBytes(new byte[4]);
            return this;
        }

        Bytes string(int field, String value) {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            tag(field, 2);
            out.writeBytes(ProtobufBodyReaderTest.varint(bytes.length));
            out.writeBytes(bytes);
            return this;
        }

        Bytes message(int field, Bytes message) {
            byte[] bytes = message.toByteArray();
            tag(field, 2);
            out.writeBytes(ProtobufBodyReaderTest.varint(bytes.length));
            out.writeBytes(bytes);
            return this;
        }

        Bytes raw(byte[] bytes) {
            out.writeBytes(bytes);
            return this;
        }

        int size() {
            return out.size();
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }
}
