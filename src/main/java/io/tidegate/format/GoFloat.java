package io.tidegate.format;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * Formats doubles exactly as the Go exposition writers do (prometheus/common {@code expfmt}), so
 * Tidegate's scrapes match the upstream Pushgateway byte for byte.
 *
 * <p>Go writes {@code strconv.FormatFloat(f, 'g', -1, 64)}: the shortest decimal that reads back
 * as the same double (the one closest to the exact value when several are as short), in
 * {@code %e} form ({@code 1.5e+06}, {@code 1e-05}) when the decimal exponent is below -4 or at least
 * 6 (the {@code 'g'} rule with precision 6 used for shortest output), else in {@code %f} form.
 * Java 17's {@link Double#toString} is not always the shortest (it writes {@code 4.9E-324} and
 * {@code 1.27436821689832909E18} where Go writes {@code 5e-324} and {@code 1.274368216898329e+18}),
 * so it is not used: integers below 10^15 are written directly, other normal numbers go through
 * {@link Schubfach} (shortest and closest, like Go's Ryū), subnormal ones through an exact
 * {@link BigDecimal} search.
 */
public final class GoFloat {
    private static final BigDecimal HALF = new BigDecimal("0.5");
    private static final BigDecimal QUARTER = new BigDecimal("0.25");
    private static final MathContext[] FLOOR = contexts(RoundingMode.FLOOR);
    private static final MathContext[] CEILING = contexts(RoundingMode.CEILING);
    private static final MathContext[] HALF_EVEN = contexts(RoundingMode.HALF_EVEN);
    /**
     * Below this an integral double is written as its own digits: doubles there are less than 1
     * apart, so no shorter decimal (a multiple of a power of ten) rounds to it.
     */
    private static final double EXACT_INTEGER_LIMIT = 1e15;
    private static final byte[][] SMALL_INTEGERS = smallIntegers();

    private GoFloat() {}

    /**
     * The text-format rendering of {@code f} ({@code writeFloat} in expfmt's text_create.go):
     * {@code NaN}, {@code +Inf}, {@code -Inf}, {@code 0} for both zeros, otherwise
     * {@link #formatShortest}.
     */
    public static String format(double f) {
        ByteBuilder out = new ByteBuilder(24);
        append(out, f);
        return new String(out.toByteArray(), StandardCharsets.US_ASCII);
    }

    /**
     * The OpenMetrics rendering of {@code f} ({@code writeOpenMetricsFloat}): as {@link #format}, with
     * {@code .0} appended when the result has neither a {@code .} nor an {@code e} ({@code 1.0},
     * {@code 0.0}, {@code 100000.0}).
     */
    public static String formatOpenMetrics(double f) {
        ByteBuilder out = new ByteBuilder(24);
        appendOpenMetrics(out, f);
        return new String(out.toByteArray(), StandardCharsets.US_ASCII);
    }

    /** Go's {@code strconv.FormatFloat(f, 'g', -1, 64)}, including {@code -0}. */
    public static String formatShortest(double f) {
        if (f == 0) {
            return Double.doubleToRawLongBits(f) < 0 ? "-0" : "0";
        }
        return format(f);
    }

    static void append(ByteBuilder out, double f) {
        if (f == 0) {
            out.append('0');
        } else if (f != f) {
            out.appendAscii("NaN");
        } else if (f == Double.POSITIVE_INFINITY) {
            out.appendAscii("+Inf");
        } else if (f == Double.NEGATIVE_INFINITY) {
            out.appendAscii("-Inf");
        } else {
            appendFinite(out, f);
        }
    }

    static void appendOpenMetrics(ByteBuilder out, double f) {
        int start = out.size();
        append(out, f);
        if (f != f || Double.isInfinite(f)) {
            return;
        }
        if (!out.containsSince(start, '.', 'e')) {
            out.append('.').append('0');
        }
    }

    private static void appendFinite(ByteBuilder out, double f) {
        if (f < 0) {
            out.append('-');
            f = -f;
        }
        if (f < EXACT_INTEGER_LIMIT && f == (long) f) {
            long integer = (long) f;
            if (integer < SMALL_INTEGERS.length) {
                out.append(SMALL_INTEGERS[(int) integer]);
                return;
            }
            if (integer < 1_000_000) { // exponent below 6: Go prints the plain integer
                out.appendAscii(Long.toString(integer));
                return;
            }
            int length = decimalLength(integer);
            long digits = integer;
            while (digits % 10 == 0) {
                digits /= 10;
            }
            appendDigits(out, digits, length);
            return;
        }
        Decimal shortest = f >= Double.MIN_NORMAL ? Schubfach.shortest(f) : exactShortest(f);
        appendDigits(out, shortest.digits, shortest.pointPosition);
    }

    /**
     * Writes {@code 0.<digits> x 10^pointPosition} in Go's {@code 'g'} layout; {@code digits} has no
     * trailing zeros.
     */
    private static void appendDigits(ByteBuilder out, long digits, int pointPosition) {
        // the digits in ASCII, most significant first, at d[first..]: no string per value written
        byte[] d = new byte[MAX_DIGITS];
        int first = MAX_DIGITS;
        long rest = digits;
        do {
            d[--first] = (byte) ('0' + rest % 10);
            rest /= 10;
        } while (rest != 0);
        int count = MAX_DIGITS - first;
        int exponent = pointPosition - 1;
        if (exponent < -4 || exponent >= 6) {
            out.append(d[first]);
            if (count > 1) {
                out.append('.');
                out.append(d, first + 1, count - 1);
            }
            out.append('e');
            if (exponent < 0) {
                out.append('-');
                exponent = -exponent;
            } else {
                out.append('+');
            }
            if (exponent < 10) {
                out.append('0');
            }
            if (exponent >= 100) {
                out.append((byte) ('0' + exponent / 100));
            }
            if (exponent >= 10) {
                out.append((byte) ('0' + exponent / 10 % 10));
            }
            out.append((byte) ('0' + exponent % 10));
            return;
        }
        if (pointPosition > 0) {
            if (pointPosition >= count) {
                out.append(d, first, count);
                for (int i = count; i < pointPosition; i++) {
                    out.append('0');
                }
            } else {
                out.append(d, first, pointPosition);
                out.append('.');
                out.append(d, first + pointPosition, count - pointPosition);
            }
        } else {
            out.append('0').append('.');
            for (int i = pointPosition; i < 0; i++) {
                out.append('0');
            }
            out.append(d, first, count);
        }
    }

    /** Digits of the largest long. */
    private static final int MAX_DIGITS = 19;

    /** A positive decimal {@code 0.<digits> x 10^pointPosition}. */
    record Decimal(long digits, int pointPosition) {
        /** {@code significand x 10^exponent} with trailing zeros dropped. */
        static Decimal of(long significand, int exponent) {
            int length = decimalLength(significand);
            while (significand % 10 == 0) {
                significand /= 10;
            }
            return new Decimal(significand, length + exponent);
        }
    }

    /**
     * The shortest decimal in the interval of reals that round to {@code f} (bounds included when
     * the mantissa is even, as IEEE round-half-even reads them); among the shortest, the one
     * nearest the exact value, ties to even. This is what Go's {@code roundShortest} and Ryū
     * produce. Slow (microseconds); used for subnormal numbers only, and by tests as the reference.
     */
    static Decimal exactShortest(double f) {
        BigDecimal exact = new BigDecimal(f);
        long bits = Double.doubleToRawLongBits(f);
        long mantissa = bits & ((1L << 52) - 1);
        int biasedExponent = (int) (bits >>> 52) & 0x7ff;
        boolean inclusive = (mantissa & 1) == 0;
        BigDecimal ulp = new BigDecimal(Math.ulp(f));
        BigDecimal halfUp = ulp.multiply(HALF);
        BigDecimal halfDown = mantissa == 0 && biasedExponent > 1 ? ulp.multiply(QUARTER) : halfUp;
        BigDecimal lower = exact.subtract(halfDown);
        BigDecimal upper = exact.add(halfUp);
        for (int precision = 1; precision <= 17; precision++) {
            BigDecimal down = exact.round(FLOOR[precision]);
            BigDecimal up = exact.round(CEILING[precision]);
            int downVsLower = down.compareTo(lower);
            int upVsUpper = up.compareTo(upper);
            boolean downFits = inclusive ? downVsLower >= 0 : downVsLower > 0;
            boolean upFits = inclusive ? upVsUpper <= 0 : upVsUpper < 0;
            if (downFits && upFits) {
                return toDecimal(exact.round(HALF_EVEN[precision]));
            }
            if (downFits) {
                return toDecimal(down);
            }
            if (upFits) {
                return toDecimal(up);
            }
        }
        throw new AssertionError("no 17-digit decimal rounds to " + f);
    }

    private static Decimal toDecimal(BigDecimal value) {
        return Decimal.of(value.unscaledValue().longValueExact(), -value.scale());
    }

    static int decimalLength(long positive) {
        int length = 1;
        while (positive >= 10) {
            positive /= 10;
            length++;
        }
        return length;
    }

    private static MathContext[] contexts(RoundingMode mode) {
        MathContext[] contexts = new MathContext[18];
        for (int i = 1; i < contexts.length; i++) {
            contexts[i] = new MathContext(i, mode);
        }
        return contexts;
    }

    private static byte[][] smallIntegers() {
        byte[][] table = new byte[1024][];
        for (int i = 0; i < table.length; i++) {
            table[i] = Integer.toString(i).getBytes(StandardCharsets.US_ASCII);
        }
        return table;
    }
}
