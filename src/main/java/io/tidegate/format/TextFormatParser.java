package io.tidegate.format;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses a push body in the Prometheus text exposition format 0.0.4.
 *
 * <p>The grammar, the quirks and the error texts are those of {@code expfmt.TextParser} of
 * prometheus/common v0.39.0, the version the upstream Pushgateway we are compared against (Debian's
 * 1.5.1) is built with; the state machine below follows it state by state, so that every body is
 * accepted or rejected as upstream does, with the same message and line number. In particular:
 * <ul>
 *   <li>every line, the last one included, must end with {@code \n} ("unexpected end of input
 *       stream" otherwise); {@code \r} is an ordinary byte, so CRLF bodies fail on the value;
 *   <li>a value is followed by nothing, or by blanks and an integer timestamp and nothing more;
 *   <li>{@code _sum}, {@code _count} (and {@code _bucket}) samples belong to the summary (histogram)
 *       of the stripped name only if that family was declared as such before; otherwise they are
 *       families of their own. A summary's or histogram's samples are grouped into one series per
 *       label set (without {@code quantile} / {@code le}), labelled by the first line of the set;
 *   <li>samples of a family may come back after other families (they are appended); a TYPE line
 *       after samples of its family, or a second HELP or TYPE line, is an error. HELP and TYPE lines
 *       of {@code x_sum}/{@code x_count} apply to summary {@code x} when it is one;
 *   <li>families that end up without samples (only HELP/TYPE lines) are dropped.
 * </ul>
 *
 * <p>Where the parser of today's upstream (Pushgateway 1.11.3, prometheus/common v0.67.5) takes what
 * v0.39.0 refused or kept differently, it reads as v0.67.5 does, so that no push gets a 400 the latest
 * upstream would not give:
 * <ul>
 *   <li>{@code \"} in a HELP text is a double quote (v0.56 and later);
 *   <li>a histogram's count or bucket count that is not a whole number is kept as a float, where
 *       v0.39.0 truncated it to an integer, and a negative one is refused ("negative count for
 *       histogram", "negative bucket population for histogram"), v0.67 and later; a summary's count is
 *       still truncated, as v0.67.5 still does;
 *   <li>{@code gaugehistogram} (OpenMetrics' spelling) is a TYPE as {@code gauge_histogram} is (v0.67);
 *   <li>names may be quoted ({@code "my_metric" 1}, {@code m{"code"="200"} 1}, {@code # HELP "my_metric" ...})
 *       and the metric name may be inside the braces ({@code {"my_metric"} 1}, {@code {code="200",my_metric} 1}),
 *       with or without UTF-8 names (v0.61 and later): the grammar is one, and only the check of each name read
 *       depends on {@link NameValidation}. Without UTF-8 names a name read must be a legacy one, so a quoted
 *       legacy name is taken as if written without quotes and any other is refused with expfmt's
 *       {@code invalid metric name "my.metric"} or {@code invalid label name "my.label"}, where v0.39 refused
 *       every quote and brace in those places with texts of its own ({@code invalid metric name},
 *       {@code invalid label name for metric "m"}, {@code invalid metric name in comment}).
 * </ul>
 *
 * <p>Deliberate differences from upstream 1.5.1, where its behaviour is a bug: a
 * {@code gauge_histogram} family is parsed like a histogram (as later upstream versions do), where
 * v0.39.0 silently stores series without a value; and a HELP text that is not valid UTF-8 is decoded
 * with U+FFFD replacing the bad bytes (a Java string cannot hold them), where upstream keeps the raw
 * bytes.
 *
 * <p>One extension: a line {@code #!set stale_timeout = <seconds>|null} (a comment to upstream)
 * sets the stale timeout of every family first appearing after it, up to the next such line; see
 * {@link ParsedBody#staleTimeoutSeconds()}.
 *
 * <p>The parse stops at the first series past one of its {@link BodyLimits} (one series too many,
 * one label too many for its series, a label name or value too long), with the refusal of that
 * bound, and costs time linear in the body's size whatever the labels: a series' label names are
 * checked for duplicates through a set once it has more than a few.
 *
 * <p>Instances hold no state but their limits and may be shared between threads.
 */
public final class TextFormatParser {
    /** The start of every parse error message, followed by the line number, as upstream. */
    public static final String ERROR_PREFIX = "text format parsing error in line ";

    /** The directive that sets the stale timeout of the families following it. */
    public static final String STALE_TIMEOUT_DIRECTIVE = "#!set";

    /** The only key the {@code #!set} directive knows. */
    public static final String STALE_TIMEOUT_KEY = "stale_timeout";

    private static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 16;

    private final BodyLimits limits;

    /** A parser that stops at the first series past {@code limits}. */
    public TextFormatParser(BodyLimits limits) {
        this.limits = limits;
    }

    /** A parser that bounds no series' labels (the store still checks every write against its limits). */
    public TextFormatParser() {
        this(BodyLimits.NONE);
    }

    /**
     * Reads {@code body} to its end, but never more than {@code maxBytes} bytes of it, and parses it.
     *
     * @throws BodyFormatException if the body is longer than {@code maxBytes} or does not parse
     */
    public ParsedBody parse(InputStream body, long maxBytes) throws BodyFormatException, IOException {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
        }
        int limit = (int) Math.min(maxBytes, MAX_ARRAY_LENGTH);
        byte[] bytes = body.readNBytes(limit + 1);
        if (bytes.length > limit) {
            throw new BodyFormatException("request body exceeds the limit of " + limit + " bytes");
        }
        return parse(bytes, bytes.length);
    }

    /** Parses the first {@code length} bytes of {@code body}. */
    public ParsedBody parse(byte[] body, int length) throws BodyFormatException {
        if (length < 0 || length > body.length) {
            throw new IndexOutOfBoundsException("length " + length + " outside 0.." + body.length);
        }
        return new Run(body, length, limits).parse();
    }

    /** Parses {@code body}, encoded as UTF-8. Meant for tests and for bodies already in memory. */
    public ParsedBody parse(String body) throws BodyFormatException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return parse(bytes, bytes.length);
    }

    // ---------------------------------------------------------------------------------------------
    // Floats and counts exactly as Go reads and converts them.

    /**
     * The value of {@code text} as the Go parser reads a float ({@code strconv.ParseFloat} after
     * rejecting {@code p}, {@code P} and {@code _}), or null if Go rejects it. Accepted: decimal
     * numbers with optional sign, fraction and exponent ({@code 1}, {@code -1.}, {@code .5},
     * {@code +1e-3}), {@code inf}/{@code infinity} with optional sign and {@code nan} without one, in
     * any case. Rejected: hexadecimal and other bases, underscores, Java's {@code d}/{@code f}
     * suffixes, surrounding space, and numbers beyond the float64 range (rounding to infinity).
     */
    public static Double parseGoFloat(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        double value = goFloat(bytes, 0, bytes.length);
        return Double.isNaN(value) && !isNanSpelling(bytes, 0, bytes.length) ? null : value;
    }

    /** Go's float reading of the bytes, NaN both for "nan" and for a rejected text (check with isNanSpelling). */
    private static double goFloat(byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        boolean negative = false;
        if (i < end && (b[i] == '+' || b[i] == '-')) {
            negative = b[i] == '-';
            i++;
        }
        if (i == end) {
            return Double.NaN;
        }
        int first = b[i] | 0x20;
        if (first == 'i') {
            int rest = end - i;
            if ((rest == 3 && equalsIgnoreCase(b, i, "inf")) || (rest == 8 && equalsIgnoreCase(b, i, "infinity"))) {
                return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            }
            return Double.NaN;
        }
        if (first == 'n') {
            // "nan" is accepted only without a sign; the caller tells a real NaN from a rejection.
            return Double.NaN;
        }
        // Decimal: digits [ '.' digits ] [ (e|E) [sign] digits ], at least one mantissa digit.
        long mantissa = 0;
        int digits = 0;
        int fractionDigits = 0;
        boolean seenDot = false;
        for (; i < end; i++) {
            int c = b[i];
            if (c >= '0' && c <= '9') {
                if (digits < 18) {
                    mantissa = mantissa * 10 + (c - '0');
                }
                digits++;
                if (seenDot) {
                    fractionDigits++;
                }
            } else if (c == '.' && !seenDot) {
                seenDot = true;
            } else {
                break;
            }
        }
        if (digits == 0) {
            return Double.NaN;
        }
        if (i == end) {
            if (digits <= 15 && fractionDigits <= 22) {
                // Both operands are exact doubles, so the division is correctly rounded.
                double value = fractionDigits == 0 ? mantissa : mantissa / POWERS_OF_TEN[fractionDigits];
                return negative ? -value : value;
            }
        } else {
            int c = b[i];
            if (c != 'e' && c != 'E') {
                return Double.NaN;
            }
            i++;
            if (i < end && (b[i] == '+' || b[i] == '-')) {
                i++;
            }
            if (i == end) {
                return Double.NaN;
            }
            for (; i < end; i++) {
                if (b[i] < '0' || b[i] > '9') {
                    return Double.NaN;
                }
            }
        }
        // The text is in Go's decimal grammar, a subset of Java's; both round correctly.
        double value = Double.parseDouble(new String(b, off, len, StandardCharsets.ISO_8859_1));
        if (Double.isInfinite(value)) {
            return Double.NaN; // Go: "value out of range"
        }
        return value;
    }

    private static boolean isNanSpelling(byte[] b, int off, int len) {
        return len == 3 && equalsIgnoreCase(b, off, "nan");
    }

    private static boolean equalsIgnoreCase(byte[] b, int off, String lowerCase) {
        for (int k = 0; k < lowerCase.length(); k++) {
            if ((b[off + k] | 0x20) != lowerCase.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static final double[] POWERS_OF_TEN = new double[23];

    static {
        POWERS_OF_TEN[0] = 1;
        for (int k = 1; k < POWERS_OF_TEN.length; k++) {
            POWERS_OF_TEN[k] = POWERS_OF_TEN[k - 1] * 10;
        }
    }

    /**
     * What a summary count becomes upstream: the parser stores it as {@code uint64(value)} and the
     * Pushgateway serves {@code float64} of that (histogram counts too in v0.39.0; v0.67 keeps those
     * as floats, see histogramCount). For 0 &le; value
     * &lt; 2^64 that is the value truncated toward zero. Go leaves other conversions to the
     * platform; on amd64 (the upstream build we compare against, checked against it) a negative
     * value above -2^63 wraps around, i.e. becomes 2^64 + trunc(value) (-1 gives 1.8446744073709552e19),
     * and NaN, infinities, values &le; -2^63 and values &ge; 2^64 all become 2^63 (9.223372036854776e18).
     */
    static double goUint64Count(double value) {
        long bits;
        if (value < 0x1p63) { // false for NaN
            bits = truncateLikeAmd64(value);
        } else {
            bits = truncateLikeAmd64(value - 0x1p63) | Long.MIN_VALUE;
        }
        return unsignedToDouble(bits);
    }

    /** CVTTSD2SQ: truncation, and 0x8000000000000000 for NaN and anything outside the int64 range. */
    private static long truncateLikeAmd64(double value) {
        if (Double.isNaN(value) || value >= 0x1p63 || value < -0x1p63) {
            return Long.MIN_VALUE;
        }
        return (long) value;
    }

    /** Go's float64(uint64), correctly rounded. */
    private static double unsignedToDouble(long bits) {
        if (bits >= 0) {
            return bits;
        }
        double half = (bits >>> 1) | (bits & 1);
        return half + half;
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * The two name grammars of the text format. They differ only in the colon, which metric names
     * allow (for recording rules) and label names do not, so one reading loop serves both. Each
     * grammar is a table over the 256 byte values: on the hot push path a name byte costs one
     * lookup instead of up to seven comparisons (measured faster than the comparisons, and nothing
     * is allocated).
     */
    private enum NameGrammar {
        /** {@code [a-zA-Z_:][a-zA-Z0-9_:]*} */
        METRIC(true),
        /** {@code [a-zA-Z_][a-zA-Z0-9_]*} */
        LABEL(false);

        /** Indexed by the unsigned byte value. */
        final boolean[] isStart = new boolean[256];
        /** Indexed by the unsigned byte value. */
        final boolean[] isContinuation = new boolean[256];

        NameGrammar(boolean allowsColon) {
            for (int b = 0; b < 256; b++) {
                isStart[b] = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || b == '_' || (b == ':' && allowsColon);
                isContinuation[b] = isStart[b] || (b >= '0' && b <= '9');
            }
        }
    }

    /** A family while it is being read. */
    private static final class FamilyBuilder {
        final String name;
        String help;
        MetricType type; // null until a TYPE line or the first sample
        boolean typeGiven; // by a TYPE line, rather than untyped for want of one
        final List<MetricBuilder> metrics = new ArrayList<>();
        Map<List<Label>, MetricBuilder> byLabels; // summaries and histograms: the series per label set
        boolean hasStaleTimeout;
        Double staleTimeoutSeconds;

        FamilyBuilder(String name) {
            this.name = name;
        }

        boolean isSummaryOrHistogram() {
            return type == MetricType.SUMMARY || type == MetricType.HISTOGRAM || type == MetricType.GAUGE_HISTOGRAM;
        }

        MetricFamily build() {
            List<Metric> built = new ArrayList<>(metrics.size());
            for (MetricBuilder metric : metrics) {
                built.add(metric.build(type));
            }
            return new MetricFamily(name, help, type, built);
        }
    }

    /** A series while it is being read. */
    private static final class MetricBuilder {
        /** Up to this many labels, a name is looked for among them one by one; beyond, in {@link #names}. */
        private static final int SCANNED_LABELS = 8;

        private static final List<Label> NO_LABELS = List.of();

        List<Label> labels = NO_LABELS; // a list of its own from the first label on: a device's series often have none
        private HashSet<String> names; // made at the first label past SCANNED_LABELS
        double value;
        double count;
        double sum;
        List<Quantile> quantiles;
        List<Bucket> buckets;
        Long timestampMs;

        boolean hasLabel(String name) {
            if (names != null) {
                return names.contains(name);
            }
            for (int k = 0; k < labels.size(); k++) {
                if (labels.get(k).name().equals(name)) {
                    return true;
                }
            }
            return false;
        }

        void addLabel(Label label) {
            if (labels == NO_LABELS) {
                labels = new ArrayList<>(4);
            }
            labels.add(label);
            if (names != null) {
                names.add(label.name());
            } else if (labels.size() > SCANNED_LABELS) {
                names = new HashSet<>();
                for (Label each : labels) {
                    names.add(each.name());
                }
            }
        }

        Metric build(MetricType type) {
            List<Label> labels = keptLabels();
            return switch (type) {
                case SUMMARY -> Metric.summary(labels, count, sum, quantiles, timestampMs);
                case HISTOGRAM, GAUGE_HISTOGRAM -> Metric.histogram(labels, count, sum, buckets, timestampMs);
                default -> Metric.simple(labels, value, timestampMs);
            };
        }

        /** The labels as an immutable list, made at once for up to two (a copy of the list would copy its array twice). */
        private List<Label> keptLabels() {
            return switch (labels.size()) {
                case 0 -> NO_LABELS;
                case 1 -> List.of(labels.get(0));
                case 2 -> List.of(labels.get(0), labels.get(1));
                default -> List.copyOf(labels);
            };
        }
    }

    /** One parse: the state machine of Go's TextParser over the bytes of one body. */
    private static final class Run {
        private static final int DONE = 0;
        private static final int START_OF_LINE = 1;
        private static final int START_COMMENT = 2;
        private static final int READING_METRIC_NAME = 3;
        private static final int READING_LABELS = 4;
        private static final int START_LABEL_NAME = 5;
        private static final int START_LABEL_VALUE = 6;
        private static final int READING_VALUE = 7;
        private static final int START_TIMESTAMP = 8;
        private static final int READING_HELP = 9;
        private static final int READING_TYPE = 10;

        private static final String LABEL_QUANTILE = "quantile";
        private static final String LABEL_LE = "le";
        private static final String INVALID_DIRECTIVE =
                "invalid " + STALE_TIMEOUT_DIRECTIVE + " directive, expected \"" + STALE_TIMEOUT_DIRECTIVE + " "
                        + STALE_TIMEOUT_KEY + " = <seconds>|null\"";

        private final byte[] in;
        private final int end;
        private final BodyLimits limits;
        /**
         * {@code --push.enable-utf8-names}: a name read may be any UTF-8 text (expfmt's UTF8Validation); without,
         * it must be a legacy name (LegacyValidation). The grammar is the same either way.
         */
        private final boolean utf8Names;
        private boolean nameInsideBraces; // the line started with '{': its metric name is one of the tokens inside
        private boolean nameInsideBracesRead; // ... and that name has been read
        private int seriesCount; // over all families, as the store counts them
        private int pos; // the next byte to read
        private int cur; // the byte read last (Go's currentByte)
        private int lineCount;

        // The token read last (Go's currentToken): a slice of the input or of the scratch buffer.
        private byte[] tokenBytes;
        private int tokenOffset;
        private int tokenLength;
        private boolean tokenAscii = true; // false once a quoted name holds a byte above 0x7f
        private boolean tokenQuoted; // the name read last had a quoted part: only such a name may not be legacy
        private byte[] scratch = new byte[64];

        private final Map<String, FamilyBuilder> familiesByName = new HashMap<>();
        private final List<FamilyBuilder> familiesInOrder = new ArrayList<>();
        private FamilyBuilder currentFamily;
        private MetricBuilder currentMetric;
        private String currentLabelName;
        private boolean currentLabelIsSpecial; // quantile of a summary, le of a histogram
        private double currentQuantile = Double.NaN;
        private double currentBucket = Double.NaN;
        private boolean currentIsSummaryCount;
        private boolean currentIsSummarySum;
        private boolean currentIsHistogramCount;
        private boolean currentIsHistogramSum;

        // The metric name of the last sample, HELP or TYPE line and what it resolved to. A name always
        // resolves to the same family and flags within one body, so consecutive lines skip the lookup.
        private byte[] lastName = new byte[0];
        private FamilyBuilder lastNameFamily;
        private int lastNameFlags;

        private final StringCache strings = StringCache.CACHES.get();

        private boolean staleTimeoutActive;
        private Double staleTimeoutSeconds;

        Run(byte[] in, int end, BodyLimits limits) {
            this.in = in;
            this.end = end;
            this.limits = limits;
            this.utf8Names = limits.names() == NameValidation.UTF8;
        }

        ParsedBody parse() throws BodyFormatException {
            int state = START_OF_LINE;
            while (true) {
                switch (state) {
                    case START_OF_LINE -> state = startOfLine();
                    case START_COMMENT -> state = startComment();
                    case READING_METRIC_NAME -> state = readingMetricName();
                    case READING_LABELS -> state = readingLabels();
                    case START_LABEL_NAME -> state = startLabelName();
                    case START_LABEL_VALUE -> state = startLabelValue();
                    case READING_VALUE -> state = readingValue();
                    case START_TIMESTAMP -> state = startTimestamp();
                    case READING_HELP -> state = readingHelp();
                    case READING_TYPE -> state = readingType();
                    default -> {
                        return result();
                    }
                }
            }
        }

        private ParsedBody result() {
            Map<String, MetricFamily> families = new LinkedHashMap<>();
            Map<String, Double> staleTimeouts = new LinkedHashMap<>();
            Set<String> typeNotGiven = null; // made only for a body that leaves a type out
            for (FamilyBuilder family : familiesInOrder) {
                if (family.metrics.isEmpty()) {
                    continue; // as upstream: families with only HELP/TYPE lines are dropped
                }
                families.put(family.name, family.build());
                if (family.hasStaleTimeout) {
                    staleTimeouts.put(family.name, family.staleTimeoutSeconds);
                }
                if (!family.typeGiven) {
                    if (typeNotGiven == null) {
                        typeNotGiven = new HashSet<>();
                    }
                    typeNotGiven.add(family.name);
                }
            }
            return new ParsedBody(families, staleTimeouts, typeNotGiven == null ? Set.of() : typeNotGiven);
        }

        // --- states -------------------------------------------------------------------------------

        private int startOfLine() {
            lineCount++;
            nameInsideBraces = false;
            nameInsideBracesRead = false;
            if (!skipBlankTab()) {
                return DONE; // the only place where the end of the input is not an error
            }
            return switch (cur) {
                case '#' -> START_COMMENT;
                case '\n' -> START_OF_LINE;
                case '{' -> startNameInsideBraces();
                default -> READING_METRIC_NAME;
            };
        }

        /**
         * A line {@code {"my.metric",a="b"} 1}: the series starts before its family is known; the family is
         * the one token inside the braces not followed by {@code =} (expfmt's currentMetricIsInsideBraces).
         */
        private int startNameInsideBraces() {
            nameInsideBraces = true;
            currentFamily = null;
            currentMetric = new MetricBuilder();
            return READING_LABELS;
        }

        /** The current family's name for messages, empty while a line's name inside braces is still to come. */
        private String familyName() {
            return currentFamily == null ? "" : currentFamily.name;
        }

        private int startComment() throws BodyFormatException {
            int hashPosition = pos - 1;
            skipBlankTabOrFail();
            if (cur == '\n') {
                return START_OF_LINE;
            }
            int keywordPosition = pos - 1;
            readTokenUntilWhitespace();
            boolean directive = keywordPosition == hashPosition + 1 && tokenEquals("!set");
            if (cur == '\n') {
                if (directive) {
                    applyDirective(pos - 1, pos - 1);
                }
                return START_OF_LINE;
            }
            boolean help = tokenEquals("HELP");
            if (!help && !tokenEquals("TYPE")) {
                // A plain comment: skip to the end of the line.
                int restStart = pos - 1;
                int newline = indexOfNewline(restStart);
                if (newline < 0) {
                    pos = end;
                    throw unexpectedEnd();
                }
                if (directive) {
                    applyDirective(restStart, newline);
                }
                cur = '\n';
                pos = newline + 1;
                return START_OF_LINE;
            }
            skipBlankTabOrFail();
            readTokenAsQuotableName(NameGrammar.METRIC);
            if (cur == '\n') {
                return START_OF_LINE; // "# HELP name" without text is no error
            }
            if (!isBlankOrTab(cur)) {
                throw parseError("invalid metric name in comment");
            }
            setOrCreateCurrentFamily();
            skipBlankTabOrFail();
            if (cur == '\n') {
                return START_OF_LINE;
            }
            return help ? READING_HELP : READING_TYPE;
        }

        private int readingMetricName() throws BodyFormatException {
            readTokenAsQuotableName(NameGrammar.METRIC);
            if (tokenLength == 0) {
                throw parseError("invalid metric name");
            }
            setOrCreateCurrentFamily();
            if (currentFamily.type == null) {
                currentFamily.type = MetricType.UNTYPED;
            }
            currentMetric = new MetricBuilder();
            skipBlankTabIfCurrentBlankTab();
            return READING_LABELS;
        }

        private int readingLabels() {
            currentQuantile = Double.NaN;
            currentBucket = Double.NaN;
            return cur == '{' ? START_LABEL_NAME : READING_VALUE;
        }

        private int startLabelName() throws BodyFormatException {
            skipBlankTabOrFail();
            if (cur == '}') {
                if (currentFamily == null) {
                    throw parseError("invalid metric name"); // braces that named no metric: "{} 1"
                }
                skipBlankTabOrFail();
                return READING_VALUE;
            }
            readTokenAsQuotableName(NameGrammar.LABEL);
            if (tokenLength == 0) {
                throw parseError("invalid label name for metric " + GoQuote.string(familyName()));
            }
            // expfmt v0.61+: what follows the name decides first whether it is a label or the metric name
            skipBlankTabIfCurrentBlankTab();
            if (cur != '=') {
                return metricNameInsideBraces();
            }
            String name = strings.get(tokenBytes, tokenOffset, tokenLength, tokenAscii);
            if (name.equals("__name__")) {
                throw parseError("label name \"__name__\" is reserved");
            }
            if (!isValidName(NameGrammar.LABEL)) {
                throw parseError("invalid label name " + GoQuote.string(tokenBytes, tokenOffset, tokenLength));
            }
            MetricType type = currentFamily == null ? null : currentFamily.type;
            currentLabelIsSpecial = (type == MetricType.SUMMARY && name.equals(LABEL_QUANTILE))
                    || ((type == MetricType.HISTOGRAM || type == MetricType.GAUGE_HISTOGRAM) && name.equals(LABEL_LE));
            if (!currentLabelIsSpecial && currentMetric.hasLabel(name)) {
                throw parseError("duplicate label names for metric " + GoQuote.string(familyName()));
            }
            if (!currentLabelIsSpecial) { // quantile and le are no labels of the series
                if (currentMetric.labels.size() == limits.maxLabelsPerSeries()) {
                    throw new BodyFormatException(limits.tooManyLabelsRead(familyName()));
                }
                if (name.length() > limits.maxLabelNameLength()) {
                    throw new BodyFormatException(limits.oversized(BodyLimits.seriesOf(familyName()),
                            new Label(name, "")));
                }
            }
            currentLabelName = name;
            return START_LABEL_VALUE;
        }

        /**
         * The name just read inside braces is not followed by {@code =}: on a line that started with
         * {@code {} it is the metric name, followed by {@code ,} or {@code }}; anywhere else an error.
         */
        private int metricNameInsideBraces() throws BodyFormatException {
            if (!nameInsideBraces) {
                throw parseError("expected '=' after label name, found " + GoQuote.byteLiteral(cur));
            }
            if (nameInsideBracesRead) {
                throw parseError("multiple metric names for metric " + GoQuote.string(familyName()));
            }
            if (cur != ',' && cur != '}') {
                throw parseError("unexpected end of metric name " + GoQuote.byteLiteral(cur));
            }
            setOrCreateCurrentFamily();
            if (currentFamily.type == null) {
                currentFamily.type = MetricType.UNTYPED;
            }
            nameInsideBracesRead = true;
            if (currentFamily.isSummaryOrHistogram() && !currentMetric.labels.isEmpty()) {
                boundsReadBeforeName();
            }
            if (cur == ',') {
                return START_LABEL_NAME;
            }
            skipBlankTabOrFail();
            return READING_VALUE;
        }

        /**
         * Labels read before the metric name inside braces, now that the family is known to be a summary or
         * histogram: its {@code quantile} or {@code le} is the series' bound, not a label.
         */
        private void boundsReadBeforeName() throws BodyFormatException {
            boolean summary = currentFamily.type == MetricType.SUMMARY;
            String special = summary ? LABEL_QUANTILE : LABEL_LE;
            if (!currentMetric.hasLabel(special)) {
                return;
            }
            MetricBuilder relabelled = new MetricBuilder();
            for (Label label : currentMetric.labels) {
                if (!label.name().equals(special)) {
                    relabelled.addLabel(label);
                    continue;
                }
                byte[] value = label.value().getBytes(StandardCharsets.UTF_8);
                double bound = goFloat(value, 0, value.length);
                if (Double.isNaN(bound) && !isNanSpelling(value, 0, value.length)) {
                    throw parseError("expected float as value for '" + special + "' label, got "
                            + GoQuote.string(label.value()));
                }
                if (summary) {
                    currentQuantile = bound;
                } else {
                    currentBucket = bound;
                }
            }
            currentMetric = relabelled;
        }

        private int startLabelValue() throws BodyFormatException {
            skipBlankTabOrFail();
            if (cur != '"') {
                throw parseError("expected '\"' at start of label value, found " + GoQuote.byteLiteral(cur));
            }
            readTokenAsLabelValue();
            if (!GoQuote.Utf8.isValid(tokenBytes, tokenOffset, tokenLength)) {
                throw parseError("invalid label value " + GoQuote.string(tokenBytes, tokenOffset, tokenLength));
            }
            if (currentLabelIsSpecial) { // never while the family is still to come (nameInsideBraces)
                double bound = goFloat(tokenBytes, tokenOffset, tokenLength);
                if (Double.isNaN(bound) && !isNanSpelling(tokenBytes, tokenOffset, tokenLength)) {
                    String label = currentFamily.type == MetricType.SUMMARY ? LABEL_QUANTILE : LABEL_LE;
                    throw parseError("expected float as value for '" + label + "' label, got "
                            + GoQuote.string(tokenBytes, tokenOffset, tokenLength));
                }
                if (currentFamily.type == MetricType.SUMMARY) {
                    currentQuantile = bound;
                } else {
                    currentBucket = bound;
                }
            } else {
                String value = strings.get(tokenBytes, tokenOffset, tokenLength, false);
                Label label = new Label(currentLabelName, value);
                if (value.length() > limits.maxLabelValueLength()) {
                    throw new BodyFormatException(limits.oversized(BodyLimits.seriesOf(familyName()), label));
                }
                currentMetric.addLabel(label);
            }
            skipBlankTabOrFail(); // keeps the token: the value is still there for the message below
            switch (cur) {
                case ',':
                    return START_LABEL_NAME;
                case '}':
                    if (currentFamily == null) {
                        throw parseError("invalid metric name"); // braces that named no metric
                    }
                    skipBlankTabOrFail();
                    return READING_VALUE;
                default:
                    throw parseError("unexpected end of label value " + GoQuote.string(tokenBytes, tokenOffset, tokenLength));
            }
        }

        private int readingValue() throws BodyFormatException {
            FamilyBuilder family = currentFamily;
            MetricBuilder metric = currentMetric;
            if (family.isSummaryOrHistogram()) {
                // All labels are read: now we know whether this series exists already.
                if (family.byLabels == null) {
                    family.byLabels = new HashMap<>();
                }
                List<Label> signature = signature(metric.labels);
                MetricBuilder existing = family.byLabels.get(signature);
                if (existing != null) {
                    metric = existing;
                    currentMetric = existing;
                } else {
                    family.byLabels.put(signature, metric);
                    addSeries(family, metric);
                }
            } else {
                addSeries(family, metric);
            }
            readTokenUntilWhitespace();
            double value = goFloat(tokenBytes, tokenOffset, tokenLength);
            if (Double.isNaN(value) && !isNanSpelling(tokenBytes, tokenOffset, tokenLength)) {
                throw parseError("expected float as value, got " + GoQuote.string(tokenBytes, tokenOffset, tokenLength));
            }
            switch (family.type) {
                case SUMMARY -> {
                    if (currentIsSummaryCount) {
                        metric.count = goUint64Count(value);
                    } else if (currentIsSummarySum) {
                        metric.sum = value;
                    } else if (!Double.isNaN(currentQuantile)) {
                        if (metric.quantiles == null) {
                            metric.quantiles = new ArrayList<>();
                        }
                        metric.quantiles.add(new Quantile(currentQuantile, value));
                    }
                }
                case HISTOGRAM, GAUGE_HISTOGRAM -> {
                    if (currentIsHistogramCount) {
                        metric.count = histogramCount(value, "negative count for histogram ");
                    } else if (currentIsHistogramSum) {
                        metric.sum = value;
                    } else if (!Double.isNaN(currentBucket)) {
                        double count = histogramCount(value, "negative bucket population for histogram ");
                        if (metric.buckets == null) {
                            metric.buckets = new ArrayList<>();
                        }
                        metric.buckets.add(new Bucket(currentBucket, count));
                    }
                }
                default -> metric.value = value;
            }
            return cur == '\n' ? START_OF_LINE : START_TIMESTAMP;
        }

        /**
         * A histogram's count or bucket count as expfmt v0.67 and later keep it: a whole number below 2^64 as it
         * is ({@code uint64}), any other number as a float ({@code sample_count_float},
         * {@code cumulative_count_float}: fractions, NaN, +Inf, 2^64 and beyond), and a negative one refused
         * with {@code what} and the family's name. A histogram with one float count has all its counts
         * written as floats ({@link SampleCounts#hasFloatCounts}), as expfmt's normalizeHistogram makes
         * them. v0.39 (upstream 1.5.1) truncated every count to an integer instead.
         */
        private double histogramCount(double value, String what) throws BodyFormatException {
            if (value < 0) { // -0 is 0, as uint64(-0) == -0 in Go
                throw parseError(what + GoQuote.string(currentFamily.name));
            }
            return value + 0.0;
        }

        private void addSeries(FamilyBuilder family, MetricBuilder metric) throws BodyFormatException {
            if (++seriesCount > limits.maxSeries()) {
                throw new BodyFormatException(limits.tooManySeries());
            }
            family.metrics.add(metric);
        }

        private int startTimestamp() throws BodyFormatException {
            skipBlankTabOrFail();
            readTokenUntilWhitespace();
            if (!parseInt64(tokenBytes, tokenOffset, tokenLength)) {
                throw parseError("expected integer as timestamp, got "
                        + GoQuote.string(tokenBytes, tokenOffset, tokenLength));
            }
            currentMetric.timestampMs = parsedInt64;
            readTokenUntilNewline(false);
            if (tokenLength > 0) {
                throw parseError("spurious string after timestamp: " + GoQuote.string(tokenBytes, tokenOffset, tokenLength));
            }
            return START_OF_LINE;
        }

        private int readingHelp() throws BodyFormatException {
            if (currentFamily.help != null) {
                throw parseError("second HELP line for metric name " + GoQuote.string(currentFamily.name));
            }
            readTokenUntilNewline(true);
            // a device sends the same help push after push: a short one is decoded once and shared
            currentFamily.help = strings.get(tokenBytes, tokenOffset, tokenLength, false);
            return START_OF_LINE;
        }

        private int readingType() throws BodyFormatException {
            if (currentFamily.type != null) {
                throw parseError("second TYPE line for metric name " + GoQuote.string(currentFamily.name)
                        + ", or TYPE reported after samples");
            }
            readTokenUntilNewline(false);
            MetricType type = metricType(tokenBytes, tokenOffset, tokenLength);
            if (type == null) {
                throw parseError("unknown metric type " + GoQuote.string(tokenBytes, tokenOffset, tokenLength));
            }
            currentFamily.type = type;
            currentFamily.typeGiven = true;
            return START_OF_LINE;
        }

        // --- families -----------------------------------------------------------------------------

        private static final int FLAG_SUMMARY_COUNT = 1;
        private static final int FLAG_SUMMARY_SUM = 2;
        private static final int FLAG_HISTOGRAM_COUNT = 4;
        private static final int FLAG_HISTOGRAM_SUM = 8;

        /** Go's setOrCreateCurrentMF: the family the current token (a metric name) belongs to. */
        private void setOrCreateCurrentFamily() throws BodyFormatException {
            if (lastNameFamily != null
                    && Arrays.equals(lastName, 0, lastName.length, tokenBytes, tokenOffset, tokenOffset + tokenLength)) {
                currentFamily = lastNameFamily;
                setFlags(lastNameFlags);
                return;
            }
            if (!isValidName(NameGrammar.METRIC)) {
                throw parseError("invalid metric name " + GoQuote.string(tokenBytes, tokenOffset, tokenLength));
            }
            String name = strings.get(tokenBytes, tokenOffset, tokenLength, tokenAscii);
            int flags = 0;
            FamilyBuilder family = familiesByName.get(name);
            if (family == null) {
                // Perhaps the _sum or _count of a summary, or the _bucket, _sum or _count of a histogram.
                FamilyBuilder summary = familiesByName.get(summaryName(name));
                if (summary != null && summary.type == MetricType.SUMMARY) {
                    family = summary;
                    flags = (isCount(name) ? FLAG_SUMMARY_COUNT : 0) | (isSum(name) ? FLAG_SUMMARY_SUM : 0);
                } else {
                    FamilyBuilder histogram = familiesByName.get(histogramName(name));
                    if (histogram != null
                            && (histogram.type == MetricType.HISTOGRAM || histogram.type == MetricType.GAUGE_HISTOGRAM)) {
                        family = histogram;
                        flags = (isCount(name) ? FLAG_HISTOGRAM_COUNT : 0) | (isSum(name) ? FLAG_HISTOGRAM_SUM : 0);
                    } else {
                        family = new FamilyBuilder(name);
                        family.hasStaleTimeout = staleTimeoutActive;
                        family.staleTimeoutSeconds = staleTimeoutSeconds;
                        familiesByName.put(name, family);
                        familiesInOrder.add(family);
                    }
                }
            }
            lastName = Arrays.copyOfRange(tokenBytes, tokenOffset, tokenOffset + tokenLength);
            lastNameFamily = family;
            lastNameFlags = flags;
            currentFamily = family;
            setFlags(flags);
        }

        private void setFlags(int flags) {
            currentIsSummaryCount = (flags & FLAG_SUMMARY_COUNT) != 0;
            currentIsSummarySum = (flags & FLAG_SUMMARY_SUM) != 0;
            currentIsHistogramCount = (flags & FLAG_HISTOGRAM_COUNT) != 0;
            currentIsHistogramSum = (flags & FLAG_HISTOGRAM_SUM) != 0;
        }

        private static boolean isCount(String name) {
            return name.length() > 6 && name.endsWith("_count");
        }

        private static boolean isSum(String name) {
            return name.length() > 4 && name.endsWith("_sum");
        }

        private static boolean isBucket(String name) {
            return name.length() > 7 && name.endsWith("_bucket");
        }

        private static String summaryName(String name) {
            if (isCount(name)) {
                return name.substring(0, name.length() - 6);
            }
            if (isSum(name)) {
                return name.substring(0, name.length() - 4);
            }
            return name;
        }

        private static String histogramName(String name) {
            if (isBucket(name)) {
                return name.substring(0, name.length() - 7);
            }
            return summaryName(name);
        }

        /** The key of a summary's or histogram's series: its labels (quantile and le not among them), sorted. */
        private static List<Label> signature(List<Label> labels) {
            if (labels.size() <= 1) {
                return List.copyOf(labels);
            }
            Label[] sorted = labels.toArray(new Label[0]);
            Arrays.sort(sorted);
            return List.of(sorted);
        }

        /**
         * Go looks the upper-cased word up among the protobuf enum names (gauge_histogram included), and
         * since v0.67 takes {@code gaugehistogram} too.
         */
        private static MetricType metricType(byte[] b, int off, int len) {
            for (MetricType type : ASCII_SPELLINGS) { // what nearly every body says, compared without a string
                if (equalsIgnoringAsciiCase(b, off, len, type.name())) {
                    return type;
                }
            }
            String word = new String(b, off, len, StandardCharsets.UTF_8);
            StringBuilder upper = new StringBuilder(word.length());
            word.codePoints().forEach(cp -> upper.appendCodePoint(Character.toUpperCase(cp)));
            return switch (upper.toString()) {
                case "COUNTER" -> MetricType.COUNTER;
                case "GAUGE" -> MetricType.GAUGE;
                case "SUMMARY" -> MetricType.SUMMARY;
                case "UNTYPED" -> MetricType.UNTYPED;
                case "HISTOGRAM" -> MetricType.HISTOGRAM;
                // expfmt v0.67+ also takes OpenMetrics' spelling
                case "GAUGE_HISTOGRAM", "GAUGEHISTOGRAM" -> MetricType.GAUGE_HISTOGRAM;
                default -> null;
            };
        }

        private static final List<MetricType> ASCII_SPELLINGS = List.of(MetricType.GAUGE, MetricType.COUNTER,
                MetricType.UNTYPED, MetricType.SUMMARY, MetricType.HISTOGRAM);

        /** Whether the bytes are {@code upper}'s letters, each in either ASCII case. */
        private static boolean equalsIgnoringAsciiCase(byte[] b, int off, int len, String upper) {
            if (len != upper.length()) {
                return false;
            }
            for (int i = 0; i < len; i++) {
                int c = b[off + i];
                if (c >= 'a' && c <= 'z') {
                    c -= 'a' - 'A';
                }
                if (c != upper.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        // --- the stale timeout directive -----------------------------------------------------------

        /** Applies {@code #!set <rest>}, where the rest of the line is in[from, to). */
        private void applyDirective(int from, int to) throws BodyFormatException {
            int i = skipBlanks(from, to);
            int keyStart = i;
            while (i < to && !isBlankOrTab(in[i]) && in[i] != '=') {
                i++;
            }
            if (i == keyStart) {
                throw parseError(INVALID_DIRECTIVE);
            }
            int keyEnd = i;
            if (!regionEquals(keyStart, keyEnd, STALE_TIMEOUT_KEY)) {
                throw parseError("unknown " + STALE_TIMEOUT_DIRECTIVE + " key "
                        + GoQuote.string(in, keyStart, keyEnd - keyStart) + ", expected " + STALE_TIMEOUT_KEY);
            }
            i = skipBlanks(i, to);
            if (i == to || in[i] != '=') {
                throw parseError(INVALID_DIRECTIVE);
            }
            int valueStart = skipBlanks(i + 1, to);
            int valueEnd = to;
            while (valueEnd > valueStart && isBlankOrTab(in[valueEnd - 1])) {
                valueEnd--;
            }
            int valueLength = valueEnd - valueStart;
            if (regionEquals(valueStart, valueEnd, "null")) {
                staleTimeoutActive = true;
                staleTimeoutSeconds = null;
                return;
            }
            double seconds = goFloat(in, valueStart, valueLength);
            if (Double.isNaN(seconds) || Double.isInfinite(seconds) || seconds < 0) {
                throw parseError("invalid " + STALE_TIMEOUT_KEY + " " + GoQuote.string(in, valueStart, valueLength)
                        + ": expected a non-negative number of seconds or null");
            }
            staleTimeoutActive = true;
            staleTimeoutSeconds = seconds + 0.0; // -0 becomes 0
        }

        private int skipBlanks(int from, int to) {
            int i = from;
            while (i < to && isBlankOrTab(in[i])) {
                i++;
            }
            return i;
        }

        private boolean regionEquals(int from, int to, String ascii) {
            if (to - from != ascii.length()) {
                return false;
            }
            for (int k = 0; k < ascii.length(); k++) {
                if (in[from + k] != ascii.charAt(k)) {
                    return false;
                }
            }
            return true;
        }

        // --- reading bytes and tokens ----------------------------------------------------------------

        private boolean read() {
            if (pos < end) {
                cur = in[pos++] & 0xff;
                return true;
            }
            cur = 0;
            return false;
        }

        /** Go's skipBlankTab: reads up to the first byte that is no blank or tab; false at the end. */
        private boolean skipBlankTab() {
            while (read()) {
                if (cur != ' ' && cur != '\t') {
                    return true;
                }
            }
            return false;
        }

        private void skipBlankTabOrFail() throws BodyFormatException {
            if (!skipBlankTab()) {
                throw unexpectedEnd();
            }
        }

        private void skipBlankTabIfCurrentBlankTab() throws BodyFormatException {
            if (cur == ' ' || cur == '\t') {
                skipBlankTabOrFail();
            }
        }

        private static boolean isBlankOrTab(int b) {
            return b == ' ' || b == '\t';
        }

        private int indexOfNewline(int from) {
            for (int i = from; i < end; i++) {
                if (in[i] == '\n') {
                    return i;
                }
            }
            return -1;
        }

        private void setToken(byte[] bytes, int offset, int length) {
            tokenBytes = bytes;
            tokenOffset = offset;
            tokenLength = length;
        }

        private boolean tokenEquals(String ascii) {
            if (tokenLength != ascii.length()) {
                return false;
            }
            for (int k = 0; k < tokenLength; k++) {
                if (tokenBytes[tokenOffset + k] != ascii.charAt(k)) {
                    return false;
                }
            }
            return true;
        }

        /** From the current byte up to (not including) the next blank, tab or newline, which becomes current. */
        private void readTokenUntilWhitespace() throws BodyFormatException {
            int start = pos - 1;
            int i = start;
            while (i < end) {
                byte c = in[i];
                if (c == ' ' || c == '\t' || c == '\n') {
                    setToken(in, start, i - start);
                    cur = c;
                    pos = i + 1;
                    return;
                }
                i++;
            }
            pos = end;
            throw unexpectedEnd();
        }

        /**
         * From the current byte up to (not including) the next newline, which becomes current. With
         * escapes (a HELP text), {@code \\} is a backslash, {@code \n} a newline and {@code \"} a double
         * quote (expfmt v0.56 and later; v0.39 refused it); any other escape is an error.
         */
        private void readTokenUntilNewline(boolean recognizeEscapes) throws BodyFormatException {
            int start = pos - 1;
            int i = start;
            while (i < end) {
                byte c = in[i];
                if (c == '\n') {
                    setToken(in, start, i - start);
                    cur = '\n';
                    pos = i + 1;
                    return;
                }
                if (c == '\\' && recognizeEscapes) {
                    readEscapedUntilNewline(start, i);
                    return;
                }
                i++;
            }
            pos = end;
            throw unexpectedEnd();
        }

        /**
         * Appends to the scratch what a backslash followed by {@code c} stands for, as expfmt reads it:
         * {@code \\}, {@code "} or a newline.
         */
        private int appendEscaped(int length, int c) throws BodyFormatException {
            return switch (c) {
                case '\\', '"' -> appendToScratch(length, c);
                case 'n' -> appendToScratch(length, '\n');
                default -> throw invalidEscape(c);
            };
        }

        private void readEscapedUntilNewline(int start, int firstBackslash) throws BodyFormatException {
            int length = copyToScratch(start, firstBackslash);
            boolean escaped = false;
            for (int i = firstBackslash; i < end; i++) {
                int c = in[i] & 0xff;
                if (escaped) {
                    length = appendEscaped(length, c);
                    escaped = false;
                } else if (c == '\n') {
                    setToken(scratch, 0, length);
                    cur = '\n';
                    pos = i + 1;
                    return;
                } else if (c == '\\') {
                    escaped = true;
                } else {
                    length = appendToScratch(length, c);
                }
            }
            pos = end;
            throw unexpectedEnd();
        }

        /**
         * expfmt's readTokenAsMetricName / readTokenAsLabelName of v0.61+, with or without UTF-8 names: a name
         * of {@code grammar} in which a double quote opens a quoted part that may hold any byte and the escapes
         * {@code \\}, {@code \n} and {@code \"}; the byte after the closing quote becomes current. An unquoted
         * name, the usual case, is a slice of the input; it is empty if the current byte cannot start a name.
         * Whether the name may be used is for {@link #isValidName} to say.
         */
        private void readTokenAsQuotableName(NameGrammar grammar) throws BodyFormatException {
            tokenAscii = true;
            tokenQuoted = false;
            int start = pos - 1;
            if (!grammar.isStart[cur & 0xff] && cur != '"') {
                setToken(in, start, 0);
                return;
            }
            boolean[] isContinuation = grammar.isContinuation;
            int k = start;
            if (cur != '"') {
                k = pos;
                while (k < end && isContinuation[in[k] & 0xff]) {
                    k++;
                }
                if (k == end) {
                    pos = end;
                    throw unexpectedEnd();
                }
                if (in[k] != '"') {
                    setToken(in, start, k - start);
                    cur = in[k] & 0xff;
                    pos = k + 1;
                    return;
                }
            }
            String what = grammar == NameGrammar.METRIC ? "metric name " : "label name ";
            int length = copyToScratch(start, k);
            boolean quoted = false;
            boolean escaped = false;
            while (true) {
                int c = in[k] & 0xff;
                if (escaped) {
                    length = appendEscaped(length, c);
                    escaped = false;
                } else if (c == '"') {
                    quoted = !quoted;
                    if (!quoted) { // the closing quote ends the name
                        k++;
                        if (k == end) {
                            pos = end;
                            throw unexpectedEnd();
                        }
                        setQuotedToken(length);
                        cur = in[k] & 0xff;
                        pos = k + 1;
                        return;
                    }
                } else if (c == '\n') {
                    throw parseError(what + GoQuote.string(scratch, 0, length) + " contains unescaped new-line");
                } else if (c == '\\') {
                    escaped = true;
                } else {
                    length = appendToScratch(length, c);
                }
                k++;
                if (k == end) {
                    pos = end;
                    throw unexpectedEnd();
                }
                int next = in[k] & 0xff;
                if (!quoted && !isContinuation[next] && next != '"') {
                    setQuotedToken(length);
                    cur = next;
                    pos = k + 1;
                    return;
                }
            }
        }

        private void setQuotedToken(int length) {
            setToken(scratch, 0, length);
            tokenQuoted = true;
            for (int k = 0; k < length; k++) {
                if (scratch[k] < 0) {
                    tokenAscii = false;
                    break;
                }
            }
        }

        /**
         * Whether the name just read ({@link #readTokenAsQuotableName}) may be used as a name of {@code grammar}:
         * with UTF-8 names any non-empty UTF-8 text (model.UTF8Validation), without them a legacy name
         * (model.LegacyValidation: {@code [a-zA-Z_:][a-zA-Z0-9_:]*} for a metric, no colon in a label name). A
         * name without quotes is one by the grammar it was read with, so only a quoted one is looked at. A metric
         * name read inside braces was read as a label name, which is always a valid metric name too.
         */
        private boolean isValidName(NameGrammar grammar) {
            if (utf8Names) {
                return tokenLength > 0 && GoQuote.Utf8.isValid(tokenBytes, tokenOffset, tokenLength);
            }
            if (!tokenQuoted && tokenLength > 0) {
                return true;
            }
            if (tokenLength == 0 || !grammar.isStart[tokenBytes[tokenOffset] & 0xff]) {
                return false;
            }
            for (int k = tokenOffset + 1; k < tokenOffset + tokenLength; k++) {
                if (!grammar.isContinuation[tokenBytes[k] & 0xff]) {
                    return false;
                }
            }
            return true;
        }

        /**
         * A label value after the opening quote (the current byte), up to the closing quote, which
         * becomes current; escapes {@code \\}, {@code \"} and {@code \n}.
         */
        private void readTokenAsLabelValue() throws BodyFormatException {
            int start = pos;
            for (int i = start; i < end; i++) {
                byte c = in[i];
                if (c == '"') {
                    setToken(in, start, i - start);
                    cur = '"';
                    pos = i + 1;
                    return;
                }
                if (c == '\\') {
                    readEscapedLabelValue(start, i);
                    return;
                }
                if (c == '\n') {
                    throw parseError("label value " + GoQuote.string(in, start, i - start) + " contains unescaped new-line");
                }
            }
            pos = end;
            throw unexpectedEnd();
        }

        private void readEscapedLabelValue(int start, int firstBackslash) throws BodyFormatException {
            int length = copyToScratch(start, firstBackslash);
            boolean escaped = false;
            for (int i = firstBackslash; i < end; i++) {
                int c = in[i] & 0xff;
                if (escaped) {
                    if (c == '"' || c == '\\') {
                        length = appendToScratch(length, c);
                    } else if (c == 'n') {
                        length = appendToScratch(length, '\n');
                    } else {
                        throw invalidEscape(c);
                    }
                    escaped = false;
                } else if (c == '"') {
                    setToken(scratch, 0, length);
                    cur = '"';
                    pos = i + 1;
                    return;
                } else if (c == '\n') {
                    throw parseError("label value " + GoQuote.string(scratch, 0, length) + " contains unescaped new-line");
                } else if (c == '\\') {
                    escaped = true;
                } else {
                    length = appendToScratch(length, c);
                }
            }
            pos = end;
            throw unexpectedEnd();
        }

        private int copyToScratch(int from, int to) {
            int length = to - from;
            if (scratch.length < length + 16) {
                scratch = new byte[Math.max(scratch.length * 2, length + 16)];
            }
            System.arraycopy(in, from, scratch, 0, length);
            return length;
        }

        private int appendToScratch(int length, int b) {
            if (length == scratch.length) {
                scratch = Arrays.copyOf(scratch, scratch.length * 2);
            }
            scratch[length] = (byte) b;
            return length + 1;
        }

        private long parsedInt64;

        /** Go's strconv.ParseInt(s, 10, 64): optional sign, decimal digits, within the int64 range. */
        private boolean parseInt64(byte[] b, int off, int len) {
            int i = off;
            int end = off + len;
            boolean negative = false;
            if (i < end && (b[i] == '+' || b[i] == '-')) {
                negative = b[i] == '-';
                i++;
            }
            if (i == end) {
                return false;
            }
            // Accumulated negatively, so that Long.MIN_VALUE fits (as Long.parseLong does).
            long result = 0;
            long limit = negative ? Long.MIN_VALUE : -Long.MAX_VALUE;
            long multiplicationLimit = limit / 10;
            for (; i < end; i++) {
                int digit = b[i] - '0';
                if (digit < 0 || digit > 9 || result < multiplicationLimit) {
                    return false;
                }
                result *= 10;
                if (result < limit + digit) {
                    return false;
                }
                result -= digit;
            }
            parsedInt64 = negative ? result : -result;
            return true;
        }

        // --- errors --------------------------------------------------------------------------------

        private BodyFormatException parseError(String message) {
            return new BodyFormatException(ERROR_PREFIX + lineCount + ": " + message);
        }

        /**
         * Upstream's text, which shows the byte after the backslash as it is; a byte Go would not
         * print (a newline, NUL, a C1 control) is quoted instead, so the message stays one clean line.
         */
        private BodyFormatException invalidEscape(int c) {
            return parseError(GoQuote.isPrint(c) ? "invalid escape sequence '\\" + (char) c + "'"
                    : "invalid escape sequence: '\\\\' followed by " + GoQuote.byteLiteral(c));
        }

        private BodyFormatException unexpectedEnd() {
            return parseError("unexpected end of input stream");
        }
    }

    /**
     * Strings of label names, metric names and short label values, reused while their bytes repeat:
     * a body names the same labels (and often values) on every line, and the store keeps one copy.
     */
    private static final class StringCache {
        /**
         * One per thread, kept across bodies: a device sends the same names and label values push
         * after push, so they are decoded once and then shared by every stored series that has them,
         * and a parse allocates no cache of its own.
         */
        static final ThreadLocal<StringCache> CACHES = ThreadLocal.withInitial(StringCache::new);
        private static final int SLOTS = 256;
        private static final int MAX_LENGTH = 64;
        private final byte[][] keys = new byte[SLOTS][];
        private final String[] values = new String[SLOTS];

        /** The string of the bytes ({@code ascii}: known to be ASCII; otherwise valid UTF-8). */
        String get(byte[] b, int off, int len, boolean ascii) {
            if (len > MAX_LENGTH) {
                return decode(b, off, len, ascii);
            }
            int hash = len;
            for (int k = off; k < off + len; k++) {
                hash = 31 * hash + b[k];
            }
            int slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
            byte[] key = keys[slot];
            if (key != null && Arrays.equals(key, 0, key.length, b, off, off + len)) {
                return values[slot];
            }
            String value = decode(b, off, len, ascii);
            keys[slot] = Arrays.copyOfRange(b, off, off + len);
            values[slot] = value;
            return value;
        }

        private static String decode(byte[] b, int off, int len, boolean ascii) {
            return new String(b, off, len, ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
        }
    }
}
