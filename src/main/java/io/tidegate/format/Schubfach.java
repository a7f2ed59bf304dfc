package io.tidegate.format;

import java.math.BigInteger;

/**
 * The shortest decimal that rounds to a normal double, the closest one when several are as short
 * (ties to even): Raffaello Giulietti's Schubfach algorithm ("The Schubfach way to render
 * doubles", 2020), with 126-bit approximations of powers of ten computed once at class load. For
 * normal doubles this is the same decimal as Go's shortest formatting (Ryū) produces.
 *
 * <p>A double {@code v = c 2^q} is scaled by {@code 10^-k} so that {@code s = floor(v 10^-k)} has
 * 16 or 17 digits; the reals that round to {@code v} span less than 10 units of {@code s} there, so
 * at most one multiple of 10 lies among them: if one does, it is the answer (one digit shorter);
 * otherwise the closer of {@code s} and {@code s + 1} that lies among them. Values are kept
 * multiplied by 4 (so the half-way bounds are integers) and rounded to odd, which keeps every
 * comparison exact.
 */
final class Schubfach {
    private static final int Q_MIN = -1074;
    private static final long C_MIN = 1L << 52;
    private static final int K_MIN = -324;
    private static final int K_MAX = 292;
    private static final long MASK_63 = (1L << 63) - 1;
    /** g(k) = floor(10^-k 2^-r) + 1, split in its high and low 63 bits, r putting it in [2^125, 2^126). */
    private static final long[] G = powersOfTen();

    private Schubfach() {}

    /** The shortest decimal for a positive normal double. */
    static GoFloat.Decimal shortest(double v) {
        long bits = Double.doubleToRawLongBits(v);
        int biasedExponent = (int) (bits >>> 52) & 0x7ff;
        long c = C_MIN | (bits & (C_MIN - 1));
        int q = biasedExponent - 1075;
        return shortest(q, c);
    }

    private static GoFloat.Decimal shortest(int q, long c) {
        int out = (int) c & 1; // an odd significand excludes the bounds
        long cb = c << 2;
        long cbr = cb + 2;
        long cbl;
        int k;
        if (c != C_MIN || q == Q_MIN) {
            cbl = cb - 2;
            k = floorLog10Pow2(q);
        } else {
            cbl = cb - 1; // the gap below a power of two is half the gap above
            k = floorLog10ThreeQuartersPow2(q);
        }
        int h = q + floorLog2Pow10(-k) + 2;
        int index = (k - K_MIN) << 1;
        long g1 = G[index];
        long g0 = G[index + 1];

        long vb = roundToOdd(g1, g0, cb << h);
        long vbl = roundToOdd(g1, g0, cbl << h);
        long vbr = roundToOdd(g1, g0, cbr << h);

        long s = vb >> 2;
        if (s >= 100) {
            long sp10 = 10 * Math.multiplyHigh(s, 115_292_150_460_684_698L << 4); // 10 floor(s / 10)
            long tp10 = sp10 + 10;
            boolean upIn = vbl + out <= sp10 << 2;
            boolean wpIn = (tp10 << 2) + out <= vbr;
            if (upIn != wpIn) {
                return GoFloat.Decimal.of(upIn ? sp10 : tp10, k);
            }
        }
        long t = s + 1;
        boolean uIn = vbl + out <= s << 2;
        boolean wIn = (t << 2) + out <= vbr;
        if (uIn != wIn) {
            return GoFloat.Decimal.of(uIn ? s : t, k);
        }
        long cmp = vb - ((s + t) << 1);
        return GoFloat.Decimal.of(cmp < 0 || cmp == 0 && (s & 1) == 0 ? s : t, k);
    }

    /** floor(g cp / 2^127), with its lowest bit set when the division is inexact (round to odd). */
    private static long roundToOdd(long g1, long g0, long cp) {
        long x1 = Math.multiplyHigh(g0, cp);
        long y0 = g1 * cp;
        long y1 = Math.multiplyHigh(g1, cp);
        long z = (y0 >>> 1) + x1;
        long vbp = y1 + (z >>> 63);
        return vbp | ((z & MASK_63) + MASK_63) >>> 63;
    }

    /** floor(q log10 2), exact for |q| well beyond the double exponent range. */
    static int floorLog10Pow2(int q) {
        return (int) (q * 661_971_961_083L >> 41);
    }

    /** floor(log10(3/4 2^q)). */
    static int floorLog10ThreeQuartersPow2(int q) {
        return (int) (q * 661_971_961_083L + -274_743_187_321L >> 41);
    }

    /** floor(e log2 10). */
    static int floorLog2Pow10(int e) {
        return (int) (e * 913_124_641_741L >> 38);
    }

    private static long[] powersOfTen() {
        long[] table = new long[(K_MAX - K_MIN + 1) * 2];
        BigInteger mask63 = BigInteger.valueOf(MASK_63);
        for (int k = K_MIN; k <= K_MAX; k++) {
            int e = -k;
            int r = floorLog2Pow10(e) - 125; // 10^e = beta 2^r with 2^125 <= beta < 2^126
            BigInteger beta;
            if (e >= 0) {
                BigInteger pow = BigInteger.TEN.pow(e);
                beta = r >= 0 ? pow.shiftRight(r) : pow.shiftLeft(-r);
            } else {
                beta = BigInteger.ONE.shiftLeft(-r).divide(BigInteger.TEN.pow(-e));
            }
            BigInteger g = beta.add(BigInteger.ONE);
            int index = (k - K_MIN) << 1;
            table[index] = g.shiftRight(63).longValueExact();
            table[index + 1] = g.and(mask63).longValueExact();
        }
        return table;
    }
}
