package io.tidegate.format;

/**
 * Sample counts as the Go data model holds them: a summary's count is a {@code uint64} (the text
 * parser converts with Go's {@code uint64(float64)}); a histogram's counts are {@code uint64} unless
 * one of them is not a whole non-negative number, then all are floats.
 */
public final class SampleCounts {
    private static final double TWO_TO_63 = 9.223372036854775808E18;
    private static final double TWO_TO_64 = 1.8446744073709551616E19;

    private SampleCounts() {}

    /**
     * Go's {@code uint64(f)} on amd64, as the bits of a long: truncation toward zero; a negative
     * number wraps around (two's complement); what does not fit becomes {@code 1 << 63}. The one
     * exception is 2^64, the double a protobuf count of {@code 2^64 - 1} arrives as, which maps back
     * to {@code 2^64 - 1}.
     */
    public static long toUint64(double f) {
        if (f >= 0 && f < TWO_TO_63) {
            return (long) f;
        }
        if (f >= TWO_TO_63 && f < TWO_TO_64) {
            return (long) (f - TWO_TO_63) ^ Long.MIN_VALUE;
        }
        if (f == TWO_TO_64) {
            return -1L;
        }
        if (f < 0 && f > -TWO_TO_63) {
            return (long) f;
        }
        return Long.MIN_VALUE;
    }

    /** Go's {@code float64(u)} of an unsigned 64-bit value. */
    static double uint64ToDouble(long u) {
        if (u >= 0) {
            return u;
        }
        // Halve keeping the lowest bit sticky so the final rounding is still correct.
        return (double) ((u >>> 1) | (u & 1)) * 2.0;
    }

    /** Whether {@code f} is exactly a {@code uint64} (Go: {@code f == float64(uint64(f))}). */
    static boolean isUint64(double f) {
        return f >= 0 && f < TWO_TO_64 && f == Math.rint(f);
    }

    /** A summary count as Go stores it (a {@code uint64}), back as the double Go writes in text. */
    static double summaryCount(double count) {
        return count >= 0 && count <= TWO_TO_64 ? Math.floor(count) : uint64ToDouble(toUint64(count));
    }

    /** Whether a histogram is written with float counts: some count is not a whole uint64. */
    public static boolean hasFloatCounts(Metric histogram) {
        if (!isUint64(histogram.count())) {
            return true;
        }
        for (Bucket bucket : histogram.buckets()) {
            if (!isUint64(bucket.cumulativeCount())) {
                return true;
            }
        }
        return false;
    }

    static void appendUnsigned(ByteBuilder out, long u) {
        out.appendAscii(Long.toUnsignedString(u));
    }
}
