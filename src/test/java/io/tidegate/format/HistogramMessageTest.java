package io.tidegate.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Reading a stored histogram back from the value bytes a protobuf push kept, as Go's reader holds it. */
class HistogramMessageTest {

    private static byte[] valueBytes(Metrics.Histogram... histograms) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Metrics.Histogram histogram : histograms) {
            out.writeBytes(Metrics.Metric.newBuilder().setHistogram(histogram).build().toByteArray());
        }
        return out.toByteArray();
    }

    private static Metrics.Histogram randomHistogram(Random random) {
        Metrics.Histogram.Builder h = Metrics.Histogram.newBuilder();
        if (random.nextBoolean()) {
            h.setSampleCount(random.nextLong());
        }
        if (random.nextBoolean()) {
            h.setSampleCountFloat(random.nextGaussian());
        }
        if (random.nextBoolean()) {
            h.setSampleSum(random.nextGaussian());
        }
        for (int i = random.nextInt(3); i > 0; i--) {
            h.addBucket(Metrics.Bucket.newBuilder().setUpperBound(random.nextGaussian())
                    .setCumulativeCount(random.nextLong()).setCumulativeCountFloat(random.nextDouble())
                    .setExemplar(Metrics.Exemplar.newBuilder().setValue(1)));
        }
        if (random.nextBoolean()) {
            h.setSchema(random.nextInt()); // sint32: negative ones too
        }
        if (random.nextBoolean()) {
            h.setZeroThreshold(random.nextDouble()).setZeroCount(random.nextLong())
                    .setZeroCountFloat(random.nextDouble());
        }
        for (int i = random.nextInt(3); i > 0; i--) {
            h.addNegativeSpan(Metrics.BucketSpan.newBuilder().setOffset(random.nextInt()).setLength(random.nextInt()));
            h.addPositiveSpan(Metrics.BucketSpan.newBuilder().setOffset(random.nextInt()).setLength(random.nextInt()));
        }
        for (int i = random.nextInt(4); i > 0; i--) {
            h.addNegativeDelta(random.nextLong()).addPositiveDelta(random.nextLong());
            h.addNegativeCount(random.nextGaussian()).addPositiveCount(random.nextGaussian());
        }
        if (random.nextInt(4) == 0) {
            h.addExemplars(Metrics.Exemplar.newBuilder().setValue(2));
        }
        return h.build();
    }

    private static void assertSameFields(HistogramMessage got, Metrics.Histogram want) {
        assertThat(got.sampleCount()).isEqualTo(want.getSampleCount());
        assertThat(got.sampleCountFloat()).isEqualTo(want.getSampleCountFloat());
        assertThat(got.sampleSum()).isEqualTo(want.getSampleSum());
        assertThat(got.buckets()).extracting(HistogramMessage.ClassicBucket::upperBound,
                        HistogramMessage.ClassicBucket::cumulativeCount, HistogramMessage.ClassicBucket::cumulativeCountFloat)
                .containsExactlyElementsOf(want.getBucketList().stream().map(b -> org.assertj.core.groups.Tuple.tuple(
                        b.getUpperBound(), b.getCumulativeCount(), b.getCumulativeCountFloat())).toList());
        assertThat(got.schema()).isEqualTo(want.getSchema());
        assertThat(got.zeroThreshold()).isEqualTo(want.getZeroThreshold());
        assertThat(got.zeroCount()).isEqualTo(want.getZeroCount());
        assertThat(got.zeroCountFloat()).isEqualTo(want.getZeroCountFloat());
        assertThat(got.negativeSpans()).containsExactlyElementsOf(want.getNegativeSpanList().stream()
                .map(s -> new HistogramMessage.Span(s.getOffset(), Integer.toUnsignedLong(s.getLength()))).toList());
        assertThat(got.positiveSpans()).containsExactlyElementsOf(want.getPositiveSpanList().stream()
                .map(s -> new HistogramMessage.Span(s.getOffset(), Integer.toUnsignedLong(s.getLength()))).toList());
        assertThat(got.negativeDeltas()).containsExactly(want.getNegativeDeltaList().stream().mapToLong(Long::longValue).toArray());
        assertThat(got.positiveDeltas()).containsExactly(want.getPositiveDeltaList().stream().mapToLong(Long::longValue).toArray());
        assertThat(got.negativeCounts()).containsExactly(want.getNegativeCountList().stream().mapToDouble(Double::doubleValue).toArray());
        assertThat(got.positiveCounts()).containsExactly(want.getPositiveCountList().stream().mapToDouble(Double::doubleValue).toArray());
    }

    @Test
    void everyFieldReadsAsProtobufJavaReadsItAndTwoHistogramsMergeAsInGo() throws Exception {
        Random random = new Random(21);
        for (int i = 0; i < 2000; i++) {
            Metrics.Histogram first = randomHistogram(random);
            byte[] bytes = random.nextBoolean() ? valueBytes(first) : valueBytes(first, randomHistogram(random));
            Metrics.Histogram merged = Metrics.Metric.parseFrom(bytes).getHistogram();

            assertSameFields(HistogramMessage.fromValueBytes(bytes), merged);
        }
    }

    @Test
    void whateverTheBodyReaderAcceptsReadsBackAsProtobufJavaReadsIt() throws Exception {
        Random random = new Random(2110);
        ProtobufBodyReader reader = new ProtobufBodyReader();
        int histograms = 0;
        int nativeOnes = 0;
        for (int i = 0; i < 5000; i++) {
            byte[] body = ProtobufBodyReaderTest.randomValidBody(random);
            for (int m = random.nextInt(3); m > 0 && body.length > 0; m--) {
                body = ProtobufBodyReaderTest.mutate(body, random);
            }
            ParsedBody parsed;
            try {
                parsed = reader.read(new ByteArrayInputStream(body), body.length);
            } catch (BodyFormatException refused) {
                continue;
            }
            for (MetricFamily family : parsed.families().values()) {
                for (Metric metric : family.metrics()) {
                    HistogramMessage read = HistogramMessage.fromValueBytes(metric.protoValue());
                    Metrics.Metric java = metric.protoValue() == null ? Metrics.Metric.getDefaultInstance()
                            : Metrics.Metric.parseFrom(metric.protoValue());
                    assertThat(read != null).isEqualTo(java.hasHistogram());
                    if (read != null) {
                        assertSameFields(read, java.getHistogram());
                        histograms++;
                        if (read.isNative()) {
                            NativeBuckets.of(read); // no exception, whatever the spans, schema and counts
                            nativeOnes++;
                        }
                    }
                }
            }
        }
        assertThat(histograms).isGreaterThan(500);
        assertThat(nativeOnes).isGreaterThan(100);
    }

    @Test
    void packedDeltasAndCountsReadAsUnpackedOnes() {
        ByteArrayOutputStream histogram = new ByteArrayOutputStream();
        histogram.writeBytes(new byte[] {13 << 3 | 2, 3, 2, 3, 0x7F}); // positive_delta, packed: 1, -2, -64
        byte[] counts = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.5).putDouble(-1).array();
        histogram.writeBytes(new byte[] {11 << 3 | 2, 16}); // negative_count, packed
        histogram.writeBytes(counts);
        histogram.writeBytes(new byte[] {13 << 3, 4}); // and one more positive_delta, unpacked: 2
        byte[] value = histogram.toByteArray();
        ByteArrayOutputStream metric = new ByteArrayOutputStream();
        metric.writeBytes(new byte[] {7 << 3 | 2, (byte) value.length});
        metric.writeBytes(value);

        HistogramMessage read = HistogramMessage.fromValueBytes(metric.toByteArray());

        assertThat(read.positiveDeltas()).containsExactly(1, -2, -64, 2);
        assertThat(read.negativeCounts()).containsExactly(0.5, -1.0);
    }

    @Test
    void aMetricWithoutAHistogramHasNone() {
        byte[] gauge = Metrics.Metric.newBuilder().setGauge(Metrics.Gauge.newBuilder().setValue(1)).build().toByteArray();

        assertThat(HistogramMessage.fromValueBytes(gauge)).isNull();
        assertThat(HistogramMessage.fromValueBytes(null)).isNull();
    }

    @Test
    void nativeMeansAtLeastOneSpanAndFloatMeansAFloatCountAboveZero() {
        Metrics.BucketSpan empty = Metrics.BucketSpan.newBuilder().setOffset(0).setLength(0).build();
        HistogramMessage classic = HistogramMessage.fromValueBytes(valueBytes(Metrics.Histogram.newBuilder()
                .setSampleCountFloat(3).setSchema(3).addPositiveDelta(1).build()));
        HistogramMessage negativeOnly = HistogramMessage.fromValueBytes(valueBytes(Metrics.Histogram.newBuilder()
                .addNegativeSpan(empty).setSampleCountFloat(-1).build()));
        HistogramMessage zeroFloat = HistogramMessage.fromValueBytes(valueBytes(Metrics.Histogram.newBuilder()
                .addPositiveSpan(empty).setZeroCountFloat(0.5).build()));

        assertThat(List.of(classic.isNative(), negativeOnly.isNative(), zeroFloat.isNative()))
                .containsExactly(false, true, true);
        assertThat(List.of(classic.hasFloatCounts(), negativeOnly.hasFloatCounts(), zeroFloat.hasFloatCounts()))
                .containsExactly(true, false, true);
    }
}
