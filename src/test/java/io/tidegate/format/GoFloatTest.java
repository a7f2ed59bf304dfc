package io.tidegate.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class GoFloatTest {
    /**
     * Java literal, then the text the upstream Pushgateway 1.5.1 (Go 1.19, expfmt writeFloat) wrote
     * for that value when it was pushed as a gauge and scraped. Tricky values first, then random
     * ones (uniform bits, scaled decimals, neighbours of powers of ten, powers of two), then values
     * for which Java 17's Double.toString is longer than the shortest.
     */
    private static final String UPSTREAM_TABLE = """
            NaN                        NaN
            Infinity                   +Inf
            -Infinity                  -Inf
            -1.0E-5                    -1e-05
            1.0E21                     1e+21
            1.0E20                     1e+20
            1.23456789E8               1.23456789e+08
            1.0E-5                     1e-05
            1.0E-4                     0.0001
            4.9E-324                   5e-324
            1.7976931348623157E308     1.7976931348623157e+308
            -0.0                       0
            0.30000000000000004        0.30000000000000004
            1.0                        1
            0.0                        0
            -1.0                       -1
            0.5                        0.5
            1000000.0                  1e+06
            999999.0                   999999
            100000.0                   100000
            100000.5                   100000.5
            1234567.0                  1.234567e+06
            1.2345E-4                  0.00012345
            1.9999999999999998E23      2e+23
            9.999999999999999E22       1e+23
            9.007199254740992E15       9.007199254740992e+15
            4.503599627370498E15       4.503599627370498e+15
            1.0E15                     1e+15
            1.0E16                     1e+16
            1.2345678901234568E17      1.2345678901234568e+17
            2.2250738585072014E-308    2.2250738585072014e-308
            2.225073858507201E-308     2.225073858507201e-308
            1.0E-323                   1e-323
            1.5                        1.5
            3.14159                    3.14159
            2.5E-7                     2.5e-07
            0.1                        0.1
            0.2                        0.2
            0.3                        0.3
            0.3333333333333333         0.3333333333333333
            0.6666666666666666         0.6666666666666666
            100.0                      100
            1024.0                     1024
            65536.0                    65536
            1.0E300                    1e+300
            1.0E-300                   1e-300
            5.0E-5                     5e-05
            123.456                    123.456
            -123.456                   -123.456
            0.001                      0.001
            1.0E7                      1e+07
            1.2345678E7                1.2345678e+07
            1.0E-6                     1e-06
            2.82879384806159008E17     2.82879384806159e+17
            8.409999999999999E21       8.41e+21
            1.0E22                     1e+22
            2.99792458E8               2.99792458e+08
            6.02214076E23              6.02214076e+23
            1.602176634E-19            1.602176634e-19
            1.0000000000000002         1.0000000000000002
            0.9999999999999999         0.9999999999999999
            4.294967295E9              4.294967295e+09
            4.294967296E9              4.294967296e+09
            1.8446744073709552E19      1.8446744073709552e+19
            9.223372036854776E18       9.223372036854776e+18
            3.141592653589793          3.141592653589793
            2.718281828459045          2.718281828459045
            1.0E-7                     1e-07
            2.0E-7                     2e-07
            1.7E9                      1.7e+09
            1.700000000123E9           1.700000000123e+09
            86400.0                    86400
            3600.5                     3600.5
            0.05                       0.05
            0.95                       0.95
            0.99                       0.99
            0.999                      0.999
            0.025                      0.025
            0.075                      0.075
            2.5                        2.5
            7.5                        7.5
            10.0                       10
            25.0                       25
            50.0                       50
            250.0                      250
            500.0                      500
            1000.0                     1000
            2500.0                     2500
            5000.0                     5000
            10000.0                    10000
            -4.446421636188976E-28     -4.446421636188976e-28
            -9.773730481407064E-83     -9.773730481407064e-83
            5.353072455204317E72       5.353072455204317e+72
            4.967612493611081E33       4.967612493611081e+33
            -1.518811735223662E-104    -1.518811735223662e-104
            -2.70188080721057E189      -2.70188080721057e+189
            6.132869304281319E146      6.132869304281319e+146
            1.1878217972734457E32      1.1878217972734457e+32
            5.668065954393482E263      5.668065954393482e+263
            -7.690443792409689E40      -7.690443792409689e+40
            -1.2876124188040096E209    -1.2876124188040096e+209
            6.394588115485262E-270     6.394588115485262e-270
            -1.9211382243897451E31     -1.9211382243897451e+31
            -1.149793098341559E290     -1.149793098341559e+290
            -3.060841555809315E-120    -3.060841555809315e-120
            -3.0870182836082795E97     -3.0870182836082795e+97
            1.4684236080724903E-279    1.4684236080724903e-279
            2.075363270193994E230      2.075363270193994e+230
            -3.7283776022776634E-28    -3.7283776022776634e-28
            -4.135097172076413E188     -4.135097172076413e+188
            1.5686471591281356E-54     1.5686471591281356e-54
            -1.2209309461978248E-64    -1.2209309461978248e-64
            7.019200686669857E197      7.019200686669857e+197
            3.813895010319882E-142     3.813895010319882e-142
            -3.491366354512065E265     -3.491366354512065e+265
            1.772640951278242E-19      1.772640951278242e-19
            -2.772571013101943E305     -2.772571013101943e+305
            -2.2557786087886547E-234   -2.2557786087886547e-234
            -1.7254335618982802E-182   -1.7254335618982802e-182
            1.4156128972659275E144     1.4156128972659275e+144
            -54579.33339263686         -54579.33339263686
            -11472.328670891275        -11472.328670891275
            2.06494540624006E283       2.06494540624006e+283
            -1.4896891684220428E-21    -1.4896891684220428e-21
            1.9042359365902715E-51     1.9042359365902715e-51
            7.839404564753255E49       7.839404564753255e+49
            5.613680299072524E198      5.613680299072524e+198
            2.24607633954893E-278      2.24607633954893e-278
            2.2721981112854156E-135    2.2721981112854156e-135
            -1.5146517243861277E-260   -1.5146517243861277e-260
            9.886745877664999E-20      9.886745877664999e-20
            88900.52478682852          88900.52478682852
            6.657629371215022          6.657629371215022
            3.130588706382335E-5       3.130588706382335e-05
            9.7399112925820016E16      9.739911292582002e+16
            4.2315341432272047E-20     4.2315341432272047e-20
            7.6345788919732787E17      7.634578891973279e+17
            5.116087492764965E-21      5.116087492764965e-21
            8.026116418045464E11       8.026116418045464e+11
            3690777.873939749          3.690777873939749e+06
            8.912860926517559E17       8.912860926517559e+17
            71138.51667114478          71138.51667114478
            0.24900904026635418        0.24900904026635418
            5.320756521048422E-19      5.320756521048422e-19
            3.986467985983126E-21      3.986467985983126e-21
            2.6333228676271836E13      2.6333228676271836e+13
            5.15792822824458E-12       5.15792822824458e-12
            4.6093183312815986E-7      4.6093183312815986e-07
            1.3048368172074043         1.3048368172074043
            4.056630819933008          4.056630819933008
            3.943716391301044E-9       3.943716391301044e-09
            5.341415138442068E-4       0.0005341415138442068
            3.3122                     3.3122
            7.645E-6                   7.645e-06
            7.7201E-7                  7.7201e-07
            0.0048042                  0.0048042
            0.0033515                  0.0033515
            1.41E-7                    1.41e-07
            5.4471E-4                  0.00054471
            50.343                     50.343
            42586.0                    42586
            0.0074921                  0.0074921
            140.44                     140.44
            2.9728E-4                  0.00029728
            2.6798898458337904E17      2.6798898458337904e+17
            4.27063221860592E14        4.27063221860592e+14
            1057.0                     1057
            5.369133743E10             5.369133743e+10
            4.49754300254E11           4.49754300254e+11
            246002.0                   246002
            1.5938058965637442E16      1.5938058965637442e+16
            3.5652754599062E13         3.5652754599062e+13
            17682.0                    17682
            1.6795687644667964E16      1.6795687644667964e+16
            1.0E-68                    1e-68
            1.0E296                    1e+296
            1.0E-189                   1e-189
            1.0E231                    1e+231
            1.0E-251                   1e-251
            1.0E128                    1e+128
            1.0E211                    1e+211
            1.0E-173                   1e-173
            1.0E-289                   1e-289
            1.0E-193                   1e-193
            1.0E-135                   1e-135
            1.0E-196                   1e-196
            1.0E-286                   1e-286
            1.0E193                    1e+193
            1.0E238                    1e+238
            1.0E63                     1e+63
            1.0E-254                   1e-254
            1.0E-226                   1e-226
            1.0E-217                   1e-217
            1.0E-88                    1e-88
            1.0E88                     1e+88
            3.343920783175297E-309     3.343920783175297e-309
            1.6478610290769916E-308    1.6478610290769916e-308
            5.33344087801909E-309      5.33344087801909e-309
            4.58809673224957E-309      4.58809673224957e-309
            1.295930292653545E-309     1.295930292653545e-309
            7.51668873010456E-309      7.51668873010456e-309
            8.78694100496718E158       8.78694100496718e+158
            1.4396524142538228E163     1.439652414253823e+163
            1.8152061871066688E280     1.8152061871066688e+280
            1.3164036458569648E64      1.3164036458569648e+64
            4.4263237302544523E-221    4.4263237302544523e-221
            1.27436821689832909E18     1.274368216898329e+18
            2.23986702789620864E17     2.2398670278962086e+17
            9.2902861566096614E17      9.290286156609661e+17
            7.7524865252053664E16      7.752486525205366e+16
            1.78086425143336288E17     1.780864251433363e+17
            1.74256896320552384E17     1.742568963205524e+17
            2.9755369701039242E18      2.975536970103924e+18
            7.1953947742257392E16      7.195394774225739e+16
            4.2886066640198192E16      4.288606664019819e+16
            4.9894172891714544E16      4.989417289171454e+16
            2.25205971581183872E17     2.2520597158118387e+17
            6.8160754799784678E17      6.816075479978468e+17
            7.5569188473979249E18      7.556918847397925e+18
            2.06904860310449894E18     2.069048603104499e+18
            1.62477919610534816E17     1.6247791961053482e+17
            1.09063076154245184E17     1.0906307615424518e+17
            1.41194753201768512E17     1.4119475320176851e+17
            8.5206471531549184E18      8.520647153154918e+18
            1.10874163942374176E17     1.1087416394237418e+17
            1.35837918392601488E17     1.3583791839260149e+17
            -8.7843328793534003E18     -8.7843328793534e+18
            -5.9832222439660401E18     -5.98322224396604e+18
            4.5672905294084442E17      4.567290529408444e+17
            6.3340190361962086E18      6.334019036196209e+18
            """;

    @Test
    void formatsEveryValueAsTheUpstreamPushgatewayDoes() {
        List<String> mismatches = new ArrayList<>();
        int rows = 0;
        for (String line : UPSTREAM_TABLE.split("\n")) {
            String[] columns = line.trim().split("\\s+");
            double value = Double.parseDouble(columns[0]);
            rows++;
            if (!GoFloat.format(value).equals(columns[1])) {
                mismatches.add(columns[0] + " -> " + GoFloat.format(value) + ", upstream " + columns[1]);
            }
        }
        assertThat(rows).isGreaterThan(200);
        assertThat(mismatches).isEmpty();
    }

    @Test
    void switchesToExponentFormAtExponentSixAndBelowMinusFour() {
        assertThat(GoFloat.format(999999)).isEqualTo("999999");
        assertThat(GoFloat.format(1e6)).isEqualTo("1e+06");
        assertThat(GoFloat.format(123456.7)).isEqualTo("123456.7");
        assertThat(GoFloat.format(1234567.8)).isEqualTo("1.2345678e+06");
        assertThat(GoFloat.format(0.0001)).isEqualTo("0.0001");
        assertThat(GoFloat.format(0.00001)).isEqualTo("1e-05");
        assertThat(GoFloat.format(1e100)).isEqualTo("1e+100");
        assertThat(GoFloat.format(-2.5e-300)).isEqualTo("-2.5e-300");
    }

    @Test
    void openMetricsAlwaysShowsAPointOrAnExponent() {
        assertThat(GoFloat.formatOpenMetrics(1)).isEqualTo("1.0");
        assertThat(GoFloat.formatOpenMetrics(0)).isEqualTo("0.0");
        assertThat(GoFloat.formatOpenMetrics(-0.0)).isEqualTo("0.0");
        assertThat(GoFloat.formatOpenMetrics(-1)).isEqualTo("-1.0");
        assertThat(GoFloat.formatOpenMetrics(100000)).isEqualTo("100000.0");
        assertThat(GoFloat.formatOpenMetrics(1e6)).isEqualTo("1e+06");
        assertThat(GoFloat.formatOpenMetrics(0.25)).isEqualTo("0.25");
        assertThat(GoFloat.formatOpenMetrics(Double.NaN)).isEqualTo("NaN");
        assertThat(GoFloat.formatOpenMetrics(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
        assertThat(GoFloat.formatOpenMetrics(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
    }

    @Test
    void shortestFormKeepsTheSignOfZeroAsStrconvDoes() {
        assertThat(GoFloat.formatShortest(-0.0)).isEqualTo("-0");
        assertThat(GoFloat.formatShortest(0.0)).isEqualTo("0");
        assertThat(GoFloat.format(-0.0)).isEqualTo("0");
    }

    @Property(tries = 20000)
    void everyFiniteValueReadsBackAsItself(@ForAll double value) {
        String text = GoFloat.format(value);
        if (Double.isFinite(value)) {
            assertThat(Double.parseDouble(text)).isEqualTo(value == 0 ? 0.0 : value);
        }
    }

    /** Schubfach (fast) and the exact BigDecimal search (slow, checked against upstream above) agree. */
    @Test
    void schubfachFindsTheSameDigitsAsTheExactSearch() {
        SplittableRandom random = new SplittableRandom(20240611);
        for (int i = 0; i < 100_000; i++) {
            double value = switch (i % 4) {
                case 0 -> Double.longBitsToDouble(random.nextLong() & Long.MAX_VALUE);
                case 1 -> random.nextDouble() * Math.pow(10, random.nextInt(40) - 20);
                case 2 -> Double.longBitsToDouble(((long) random.nextInt(1, 2047) << 52) | random.nextInt(4));
                default -> Math.nextUp(Math.pow(10, random.nextInt(-300, 300)));
            };
            if (value >= Double.MIN_NORMAL && Double.isFinite(value)) {
                assertThat(Schubfach.shortest(value)).as("%s", value).isEqualTo(GoFloat.exactShortest(value));
            }
        }
    }

    /** The exact search is the shortest round-tripping decimal, and the nearest of that length. */
    @Test
    void exactSearchIsShortestAndNearest() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 3000; i++) {
            double value = i % 2 == 0
                    ? Double.longBitsToDouble(random.nextLong() & Long.MAX_VALUE)
                    : Double.longBitsToDouble(random.nextLong(1, 1L << 52)); // subnormal
            if (!(value > 0) || Double.isInfinite(value)) {
                continue;
            }
            GoFloat.Decimal found = GoFloat.exactShortest(value);
            BigDecimal decimal = new BigDecimal(BigInteger.valueOf(found.digits()),
                    Long.toString(found.digits()).length() - found.pointPosition());
            assertThat(decimal.doubleValue()).isEqualTo(value);
            int length = Long.toString(found.digits()).length();
            BigDecimal exact = new BigDecimal(value);
            if (length > 1) {
                MathContext shorter = new MathContext(length - 1, RoundingMode.FLOOR);
                MathContext shorterUp = new MathContext(length - 1, RoundingMode.CEILING);
                assertThat(exact.round(shorter).doubleValue()).isNotEqualTo(value);
                assertThat(exact.round(shorterUp).doubleValue()).isNotEqualTo(value);
            }
            BigDecimal nearest = exact.round(new MathContext(length, RoundingMode.HALF_EVEN));
            if (nearest.doubleValue() == value) {
                assertThat(decimal.compareTo(nearest)).isZero();
            }
        }
    }

    @Test
    void scaleEstimatesAreExactOverTheDoubleExponentRange() {
        MathContext precise = new MathContext(60);
        BigDecimal log10Of2 = new BigDecimal("0.301029995663981195213738894724493026768189881462108541310430");
        BigDecimal log2Of10 = new BigDecimal("3.32192809488736234787031942948939017586483139302458061205476");
        BigDecimal log10Of3Quarters = new BigDecimal("-0.124938736608299953132449886193870744055646330707971833414");
        for (int q = -1100; q <= 1100; q++) {
            BigDecimal qq = BigDecimal.valueOf(q);
            assertThat(Schubfach.floorLog10Pow2(q)).isEqualTo(floor(qq.multiply(log10Of2, precise)));
            assertThat(Schubfach.floorLog2Pow10(q)).isEqualTo(floor(qq.multiply(log2Of10, precise)));
            assertThat(Schubfach.floorLog10ThreeQuartersPow2(q))
                    .isEqualTo(floor(qq.multiply(log10Of2, precise).add(log10Of3Quarters)));
        }
    }

    private static int floor(BigDecimal value) {
        return value.setScale(0, RoundingMode.FLOOR).intValueExact();
    }
}
