package io.tidegate.format;

import java.util.ArrayList;
import java.util.List;

/**
 * The buckets of a native histogram as intervals, the way upstream's {@code /api/v1/metrics} lists them
 * (its {@code histogram.GetAPIBuckets}, on Prometheus' {@code model/histogram} bucket iterators): the
 * negative buckets from the lowest up, then the zero bucket, then the positive buckets; only those
 * whose count is not 0.
 *
 * <p>Bucket {@code i} of schema {@code s} ends at {@code 2^(i * 2^-s)}: positive buckets are
 * {@code (lower, upper]}, negative ones {@code [lower, upper)}, the zero bucket
 * {@code [-threshold, threshold]}. Bounds are computed as Prometheus does, to the bit.
 */
public final class NativeBuckets {
    /**
     * One interval: {@code boundaries} says which ends are inside (0: {@code (lower, upper]}, 1:
     * {@code [lower, upper)}, 2: {@code (lower, upper)}, 3: {@code [lower, upper]}, as upstream codes
     * them); {@code count} is the bucket's count, a whole number (the bits of a {@code uint64}) in
     * {@code intCount} for an integer histogram, else in {@code floatCount}.
     */
    public record Interval(int boundaries, double lower, double upper, long intCount, double floatCount) {}

    private static final int CUSTOM_BUCKETS_SCHEMA = -53;
    private static final double[][] BOUNDS = new double[9][];
    /**
     * Half of Go's {@code math.Exp2(2^-schema)} for schemas 0 to 8, the factor between neighbouring
     * bounds; which is also each schema's second bound.
     */
    private static final double[] FACTOR_HALVES = {
        1.0, 0.7071067811865475, 0.5946035575013605, 0.5452538663326288, 0.5221368912137069,
        0.5109485743270583, 0.5054446430258502, 0.5027149505564014, 0.5013556375251013,
    };

    private NativeBuckets() {}

    /**
     * The intervals of {@code histogram} (a native one: see {@link HistogramMessage#isNative}), with
     * integer counts unless {@link HistogramMessage#hasFloatCounts}; or null where upstream's handler
     * fails on the histogram (a schema above 8, the custom-bucket schema -53, whose bounds the protobuf
     * message does not carry, or spans that call for more buckets than the message has).
     */
    public static List<Interval> of(HistogramMessage histogram) {
        boolean floats = histogram.hasFloatCounts();
        int schema = histogram.schema();
        // Go panics on a schema above 8 (no table) and on -2^31 (a negative shift count, -schema).
        if (schema > 8 || schema == CUSTOM_BUCKETS_SCHEMA || schema == Integer.MIN_VALUE) {
            return null;
        }
        List<Interval> negative = floats
                ? side(histogram.negativeSpans(), null, histogram.negativeCounts(), schema, false)
                : side(histogram.negativeSpans(), histogram.negativeDeltas(), null, schema, false);
        List<Interval> positive = floats
                ? side(histogram.positiveSpans(), null, histogram.positiveCounts(), schema, true)
                : side(histogram.positiveSpans(), histogram.positiveDeltas(), null, schema, true);
        if (negative == null || positive == null) {
            return null;
        }
        List<Interval> out = new ArrayList<>(negative.size() + positive.size() + 1);
        for (int i = negative.size() - 1; i >= 0; i--) {
            out.add(negative.get(i));
        }
        double threshold = histogram.zeroThreshold();
        if (floats ? histogram.zeroCountFloat() != 0 : histogram.zeroCount() != 0) {
            out.add(new Interval(3, -threshold, threshold, histogram.zeroCount(), histogram.zeroCountFloat()));
        }
        out.addAll(positive);
        return out;
    }

    /**
     * The buckets of one side with a count other than 0, from the zero bucket outwards, as Prometheus'
     * iterator walks them (a span of length 0 included); null when the spans run past the counts.
     */
    private static List<Interval> side(List<HistogramMessage.Span> spans, long[] deltas, double[] counts,
            int schema, boolean positive) {
        List<Interval> out = new ArrayList<>();
        int available = deltas != null ? deltas.length : counts.length;
        int bucketIndex = 0;
        int index = 0; // Go's currIdx
        long currentDelta = 0;
        double currentFloat = 0;
        for (HistogramMessage.Span span : spans) {
            index += span.offset(); // the first span's offset is its first index; int arithmetic, as Go's int32
            for (long inSpan = 0; inSpan < span.length(); inSpan++) {
                if (bucketIndex > 0) {
                    index++;
                }
                if (bucketIndex >= available) {
                    return null;
                }
                boolean nonZero;
                if (deltas != null) {
                    currentDelta += deltas[bucketIndex];
                    nonZero = currentDelta != 0;
                } else {
                    currentFloat = counts[bucketIndex];
                    nonZero = currentFloat != 0;
                }
                bucketIndex++;
                if (nonZero) {
                    out.add(interval(index, schema, positive, currentDelta, currentFloat));
                }
            }
        }
        return out;
    }

    private static Interval interval(int index, int schema, boolean positive, long intCount, double floatCount) {
        double lower;
        double upper;
        if (positive) {
            upper = bound(index, schema);
            lower = bound(index - 1, schema);
        } else {
            lower = -bound(index, schema);
            upper = -bound(index - 1, schema);
        }
        boolean lowerInclusive = lower < 0;
        boolean upperInclusive = upper > 0;
        int boundaries = lowerInclusive ? (upperInclusive ? 3 : 1) : (upperInclusive ? 0 : 2);
        return new Interval(boundaries, lower, upper, intCount, floatCount);
    }

    /**
     * The upper bound of bucket {@code index} of an exponential {@code schema} (at most 8), as
     * Prometheus' {@code getBoundExponential}: a power of two for schemas below 0, a table entry times
     * a power of two for 0 to 8; the bucket just below the one of infinite observations ends at the
     * largest double rather than at infinity.
     */
    static double bound(int index, int schema) {
        if (schema < 0) {
            int shift = -schema;
            long exp = shift >= 64 ? 0 : (long) index << shift;
            if (exp == 1024) {
                return Double.MAX_VALUE;
            }
            return Math.scalb(1.0, clamp(exp));
        }
        double frac = bounds(schema)[index & ((1 << schema) - 1)];
        long exp = (long) (index >> schema) + 1;
        if (frac == 0.5 && exp == 1025) {
            return Double.MAX_VALUE;
        }
        return Math.scalb(frac, clamp(exp));
    }

    /** An exponent past which every power of two is 0 or infinite, kept within an int. */
    private static int clamp(long exp) {
        return (int) Math.max(-4096, Math.min(4096, exp));
    }

    /**
     * The bounds of schema {@code schema} (0 to 8) in [0.5, 1): about {@code 2^(k/2^schema - 1)}, to
     * the bit as Prometheus' table has them. That table is not the correctly rounded values
     * ({@code 0.7071067811865475} where {@code sqrt(2)/2} rounds to {@code 0.7071067811865476}): it was
     * generated from Go's {@code math.Exp2(2^-schema)}, each bound the one before times that factor,
     * every other one taken from the schema below. The same generation from the same factors gives the
     * same table, every entry checked against it.
     */
    private static synchronized double[] bounds(int schema) {
        double[] bounds = BOUNDS[schema];
        if (bounds == null) {
            bounds = new double[1 << schema];
            bounds[0] = 0.5;
            double factor = 2 * FACTOR_HALVES[schema];
            for (int k = 1; k < bounds.length; k++) {
                bounds[k] = k % 2 == 0 ? bounds(schema - 1)[k / 2] : bounds[k - 1] * factor;
            }
            BOUNDS[schema] = bounds;
        }
        return bounds;
    }
}
