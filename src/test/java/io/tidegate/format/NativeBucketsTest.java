package io.tidegate.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Native histogram buckets as intervals, with Prometheus' bounds to the bit. */
class NativeBucketsTest {

    private static HistogramMessage histogram(Metrics.Histogram.Builder builder) {
        return HistogramMessage.fromValueBytes(Metrics.Metric.newBuilder().setHistogram(builder).build().toByteArray());
    }

    private static Metrics.BucketSpan span(int offset, int length) {
        return Metrics.BucketSpan.newBuilder().setOffset(offset).setLength(length).build();
    }

    @Test
    void boundsAreThoseOfPrometheusTableNotTheCorrectlyRoundedOnes() {
        // sqrt(2)/2 rounds to 0.7071067811865476; Prometheus' table (from Go's math.Exp2) has ...475.
        assertThat(NativeBuckets.bound(-1, 1)).isEqualTo(0.7071067811865475);
        assertThat(NativeBuckets.bound(1, 1)).isEqualTo(1.414213562373095);
        // Entries of Prometheus' exponentialBounds, first, middle and last of the finest schemas.
        assertThat(NativeBuckets.bound(-1, 3)).isEqualTo(0.9170040432046711);
        assertThat(NativeBuckets.bound(-128 + 45, 7)).isEqualTo(0.637970889198196);
        assertThat(NativeBuckets.bound(-256 + 1, 8)).isEqualTo(0.5013556375251013);
        assertThat(NativeBuckets.bound(-256 + 129, 8)).isEqualTo(0.7090239421602076);
        assertThat(NativeBuckets.bound(-256 + 254, 8)).isEqualTo(0.9945994234836328);
        assertThat(NativeBuckets.bound(-1, 8)).isEqualTo(0.9972960560854698);
        assertThat(NativeBuckets.bound(-256 + 254 + 256 * 3, 8)).isEqualTo(0.9945994234836328 * 8);
    }

    @Test
    void theLastFiniteBucketEndsAtTheLargestDoubleAndTheNextAtInfinity() {
        assertThat(NativeBuckets.bound(1024, 0)).isEqualTo(Double.MAX_VALUE);
        assertThat(NativeBuckets.bound(1025, 0)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(NativeBuckets.bound(1024 * 256, 8)).isEqualTo(Double.MAX_VALUE);
        assertThat(NativeBuckets.bound(256, -2)).isEqualTo(Double.MAX_VALUE);
        assertThat(NativeBuckets.bound(257, -2)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(NativeBuckets.bound(-1100, 0)).isEqualTo(0.0);
    }

    @Test
    void schemasBelowMinusFourShiftAsGoDoes() {
        assertThat(NativeBuckets.bound(1, -5)).isEqualTo(0x1p32);
        assertThat(NativeBuckets.bound(1, -64)).as("a shift of 64 or more is 0 in Go").isEqualTo(1.0);
        assertThat(NativeBuckets.bound(-1, -10)).isEqualTo(0x1p-1024);
    }

    @Test
    void negativeBucketsComeLowestFirstThenTheZeroBucketThenPositiveOnes() {
        List<NativeBuckets.Interval> intervals = NativeBuckets.of(histogram(Metrics.Histogram.newBuilder()
                .setSchema(0).setZeroThreshold(0.5).setZeroCount(3)
                .addNegativeSpan(span(1, 2)).addAllNegativeDelta(List.of(1L, 1L))
                .addPositiveSpan(span(2, 1)).addPositiveDelta(5)));

        assertThat(intervals).containsExactly(
                new NativeBuckets.Interval(1, -4, -2, 2, 0),
                new NativeBuckets.Interval(1, -2, -1, 1, 0),
                new NativeBuckets.Interval(3, -0.5, 0.5, 3, 0),
                new NativeBuckets.Interval(0, 2, 4, 5, 0));
    }

    @Test
    void spansOfLengthZeroOnlyMoveTheIndexAndEmptyBucketsAreLeftOut() {
        List<NativeBuckets.Interval> intervals = NativeBuckets.of(histogram(Metrics.Histogram.newBuilder()
                .setSchema(0).setSampleCountFloat(4)
                .addPositiveSpan(span(0, 0)).addPositiveSpan(span(3, 2)).addPositiveSpan(span(0, 0))
                .addPositiveSpan(span(1, 1)).addAllPositiveCount(List.of(0.0, 1.5, 2.5))));

        assertThat(intervals).containsExactly(
                new NativeBuckets.Interval(0, 8, 16, 0, 1.5),
                new NativeBuckets.Interval(0, 32, 64, 0, 2.5));
    }

    @Test
    void integerCountsAddUpTheirDeltasAndWrapAsUint64() {
        List<NativeBuckets.Interval> intervals = NativeBuckets.of(histogram(Metrics.Histogram.newBuilder()
                .setSchema(0).addPositiveSpan(span(0, 2)).addAllPositiveDelta(List.of(2L, -3L))));

        assertThat(intervals).extracting(NativeBuckets.Interval::intCount).containsExactly(2L, -1L);
    }

    @Test
    void whatUpstreamsHandlerFailsOnHasNoIntervals() {
        assertThat(NativeBuckets.of(histogram(Metrics.Histogram.newBuilder()
                .setSchema(9).addPositiveSpan(span(0, 1)).addPositiveDelta(1)))).as("schema 9").isNull();
        assertThat(NativeBuckets.of(histogram(Metrics.Histogram.newBuilder()
                .setSchema(-53).addPositiveSpan(span(0, 1)).addPositiveDelta(1)))).as("custom buckets").isNull();
        assertThat(NativeBuckets.of(histogram(Metrics.Histogram.newBuilder()
                .setSchema(0).addNegativeSpan(span(0, 2)).addNegativeDelta(1)))).as("a bucket short").isNull();
        assertThat(NativeBuckets.of(histogram(Metrics.Histogram.newBuilder()
                .setSchema(0).setSampleCountFloat(1).addPositiveSpan(span(0, 1)).addPositiveDelta(1))))
                .as("float counts wanted, deltas given").isNull();
    }
}
