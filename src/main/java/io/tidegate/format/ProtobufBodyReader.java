package io.tidegate.format;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a push body in delimited protobuf ({@code application/vnd.google.protobuf;
 * proto=io.prometheus.client.MetricFamily; encoding=delimited}): a sequence of MetricFamily messages
 * of client_model's {@code metrics.proto}, each after its length as a varint.
 *
 * <p>Semantics are upstream's (Go's proto reader): the last occurrence of a scalar field wins, a
 * message field given twice is merged, unknown fields are skipped, an absent type is COUNTER, an
 * absent help is no help (null), and a later family of the same name replaces an earlier one (its
 * place in the order stays the first one's).
 *
 * <p>Unlike upstream, every length is checked against what is left of the body or of the enclosing
 * message before anything is done with it, so a forged length costs nothing, and the whole body is
 * checked against the schema down to exemplars and native histogram spans: a malformed body is a
 * {@link BodyFormatException} naming the family, the byte offset and the problem, never a stored
 * half-read family or bytes that would break a protobuf scrape. Wrong wire types for known fields,
 * invalid UTF-8 in strings, unknown metric types and groups are rejected too (Go accepts the first
 * three and breaks later, on the scrape).
 *
 * <p>Each metric keeps its value sub-messages exactly as received in {@link Metric#protoValue()} and
 * the kinds of value it carried in {@link Metric#valueKinds()}.
 *
 * <p>The read stops at the first family or label past its {@link BodyLimits} (one series too many, one
 * label too many for its series, a name or value too long), with the refusal of that bound: a million
 * labels cost what reading the first few does. An instance holds no state between calls but its limits and may be shared.
 */
public final class ProtobufBodyReader {
    private static final int MIN_BUFFER_SIZE = 512;
    private static final int FIRST_BUFFER_SIZE = 8192;
    private static final int MAX_HINTED_SIZE = 1 << 20;
    private static final int MAX_BUFFER_SIZE = Integer.MAX_VALUE - 16;

    private final BodyLimits limits;

    /** A reader that stops at the first series past {@code limits}. */
    public ProtobufBodyReader(BodyLimits limits) {
        this.limits = limits;
    }

    /** A reader that bounds no series' labels (the store still checks every write against its limits). */
    public ProtobufBodyReader() {
        this(BodyLimits.NONE);
    }

    /**
     * Reads {@code body} to its end, at most {@code maxBytes} bytes of it.
     *
     * @throws BodyFormatException the body is longer than {@code maxBytes} or not a valid sequence
     *     of delimited MetricFamily messages; the message is fit to show the client
     * @throws IOException reading {@code body} failed
     */
    public ParsedBody read(InputStream body, long maxBytes) throws BodyFormatException, IOException {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
        }
        int limit = (int) Math.min(maxBytes, MAX_BUFFER_SIZE);
        // Sized by what the stream has at hand (often all of a small body), plus one byte to see its
        // end without growing; grown only as bytes arrive, to one byte past the limit at most, which
        // is how a body too long shows.
        int available = body.available();
        int first = available > 0 ? Math.min(available, MAX_HINTED_SIZE) + 1 : FIRST_BUFFER_SIZE;
        byte[] buffer = new byte[Math.min(limit + 1, Math.max(first, MIN_BUFFER_SIZE))];
        int length = 0;
        while (true) {
            if (length == buffer.length) {
                if (length > limit) {
                    throw new BodyFormatException("request body exceeds the limit of " + limit + " bytes");
                }
                buffer = Arrays.copyOf(buffer, (int) Math.min(limit + 1L, 2L * buffer.length));
            }
            int n = body.read(buffer, length, buffer.length - length);
            if (n < 0) {
                break;
            }
            length += n;
        }
        return new Decoder(buffer, length, limits).readFamilies();
    }

    // ---- The schema: client_model's metrics.proto, as far as this reader checks it. ----

    private static final int VARINT = 0;
    private static final int I64 = 1;
    private static final int LEN = 2;
    private static final int I32 = 5;
    private static final int MAX_FIELD_NUMBER = (1 << 29) - 1;

    /** How a field is encoded; repeated scalars may come one by one or packed. */
    private enum Kind {
        VARINT, DOUBLE, STRING, MESSAGE, REPEATED_VARINT, REPEATED_DOUBLE
    }

    private record Field(int number, String name, Kind kind, Schema message) {
        static Field of(int number, String name, Kind kind) {
            return new Field(number, name, kind, null);
        }

        static Field of(int number, String name, Schema message) {
            return new Field(number, name, Kind.MESSAGE, message);
        }
    }

    private static final class Schema {
        final String name;
        private final Field[] byNumber;

        Schema(String name, Field... fields) {
            this.name = name;
            int max = 0;
            for (Field field : fields) {
                max = Math.max(max, field.number());
            }
            byNumber = new Field[max + 1];
            for (Field field : fields) {
                byNumber[field.number()] = field;
            }
        }

        Field field(int number) {
            return number < byNumber.length ? byNumber[number] : null;
        }

        /** {@code Metric.label (field 1)}, or {@code Metric field 9} for an unknown field. */
        String describe(int number) {
            Field field = field(number);
            return field == null
                    ? name + " field " + number
                    : name + "." + field.name() + " (field " + number + ")";
        }
    }

    private static final Schema TIMESTAMP = new Schema("Timestamp",
            Field.of(1, "seconds", Kind.VARINT),
            Field.of(2, "nanos", Kind.VARINT));
    private static final Schema LABEL_PAIR = new Schema("LabelPair",
            Field.of(1, "name", Kind.STRING),
            Field.of(2, "value", Kind.STRING));
    private static final Schema EXEMPLAR = new Schema("Exemplar",
            Field.of(1, "label", LABEL_PAIR),
            Field.of(2, "value", Kind.DOUBLE),
            Field.of(3, "timestamp", TIMESTAMP));
    private static final Schema GAUGE = new Schema("Gauge",
            Field.of(1, "value", Kind.DOUBLE));
    private static final Schema COUNTER = new Schema("Counter",
            Field.of(1, "value", Kind.DOUBLE),
            Field.of(2, "exemplar", EXEMPLAR),
            Field.of(3, "created_timestamp", TIMESTAMP));
    private static final Schema QUANTILE = new Schema("Quantile",
            Field.of(1, "quantile", Kind.DOUBLE),
            Field.of(2, "value", Kind.DOUBLE));
    private static final Schema SUMMARY = new Schema("Summary",
            Field.of(1, "sample_count", Kind.VARINT),
            Field.of(2, "sample_sum", Kind.DOUBLE),
            Field.of(3, "quantile", QUANTILE),
            Field.of(4, "created_timestamp", TIMESTAMP));
    private static final Schema UNTYPED = new Schema("Untyped",
            Field.of(1, "value", Kind.DOUBLE));
    private static final Schema BUCKET = new Schema("Bucket",
            Field.of(1, "cumulative_count", Kind.VARINT),
            Field.of(2, "upper_bound", Kind.DOUBLE),
            Field.of(3, "exemplar", EXEMPLAR),
            Field.of(4, "cumulative_count_float", Kind.DOUBLE));
    private static final Schema BUCKET_SPAN = new Schema("BucketSpan",
            Field.of(1, "offset", Kind.VARINT),
            Field.of(2, "length", Kind.VARINT));
    private static final Schema HISTOGRAM = new Schema("Histogram",
            Field.of(1, "sample_count", Kind.VARINT),
            Field.of(2, "sample_sum", Kind.DOUBLE),
            Field.of(3, "bucket", BUCKET),
            Field.of(4, "sample_count_float", Kind.DOUBLE),
            Field.of(5, "schema", Kind.VARINT),
            Field.of(6, "zero_threshold", Kind.DOUBLE),
            Field.of(7, "zero_count", Kind.VARINT),
            Field.of(8, "zero_count_float", Kind.DOUBLE),
            Field.of(9, "negative_span", BUCKET_SPAN),
            Field.of(10, "negative_delta", Kind.REPEATED_VARINT),
            Field.of(11, "negative_count", Kind.REPEATED_DOUBLE),
            Field.of(12, "positive_span", BUCKET_SPAN),
            Field.of(13, "positive_delta", Kind.REPEATED_VARINT),
            Field.of(14, "positive_count", Kind.REPEATED_DOUBLE),
            Field.of(15, "created_timestamp", TIMESTAMP),
            Field.of(16, "exemplars", EXEMPLAR));
    private static final Schema METRIC = new Schema("Metric",
            Field.of(1, "label", LABEL_PAIR),
            Field.of(2, "gauge", GAUGE),
            Field.of(3, "counter", COUNTER),
            Field.of(4, "summary", SUMMARY),
            Field.of(5, "untyped", UNTYPED),
            Field.of(6, "timestamp_ms", Kind.VARINT),
            Field.of(7, "histogram", HISTOGRAM));
    private static final Schema METRIC_FAMILY = new Schema("MetricFamily",
            Field.of(1, "name", Kind.STRING),
            Field.of(2, "help", Kind.STRING),
            Field.of(3, "type", Kind.VARINT),
            Field.of(4, "metric", METRIC),
            Field.of(5, "unit", Kind.STRING));

    /** Metric's value fields by field number: the {@link Metric#valueKindBit} each one stands for. */
    private static final int[] VALUE_KIND_BY_FIELD = new int[8];

    static {
        VALUE_KIND_BY_FIELD[2] = Metric.valueKindBit(MetricType.GAUGE);
        VALUE_KIND_BY_FIELD[3] = Metric.valueKindBit(MetricType.COUNTER);
        VALUE_KIND_BY_FIELD[4] = Metric.valueKindBit(MetricType.SUMMARY);
        VALUE_KIND_BY_FIELD[5] = Metric.valueKindBit(MetricType.UNTYPED);
        VALUE_KIND_BY_FIELD[7] = Metric.valueKindBit(MetricType.HISTOGRAM);
    }

    /** One body being decoded: the bytes, a position, and scratch space reused for every metric. */
    private static final class Decoder {
        private static final int CACHED_LABEL_NAMES = 16;

        private final byte[] buf;
        private final int length;
        private final BodyLimits limits;
        private final Map<String, MetricFamily> families = new LinkedHashMap<>();
        private int seriesCount; // of the families read so far, as the store counts them
        private int pos;
        private int familyIndex;
        private int metricIndex;

        // The metric being read; reset for each one.
        private final ArrayList<Label> labels = new ArrayList<>();
        private final ArrayList<Quantile> quantiles = new ArrayList<>();
        private final ArrayList<Bucket> buckets = new ArrayList<>();
        private double simpleValue;
        private long sampleCount;
        private double sampleCountFloat;
        private double sampleSum;
        private int[] valueRanges = new int[4];
        private int valueRangeCount;

        // Label names by position in their metric: the next metric usually repeats them.
        private final String[] labelNames = new String[CACHED_LABEL_NAMES];
        private final int[] labelNameStarts = new int[CACHED_LABEL_NAMES];

        Decoder(byte[] buf, int length, BodyLimits limits) {
            this.buf = buf;
            this.length = length;
            this.limits = limits;
        }

        ParsedBody readFamilies() throws BodyFormatException {
            while (pos < length) {
                familyIndex++;
                metricIndex = 0;
                int prefixAt = pos;
                long size = readVarint(length, prefixAt, null, 0);
                int left = length - pos;
                if (Long.compareUnsigned(size, left) > 0) {
                    // upstream's words for a body that ends before its family does, then where and by how much
                    throw new BodyFormatException("unexpected EOF: " + fail(prefixAt, "length "
                            + Long.toUnsignedString(size) + " exceeds the " + left + " bytes left").getMessage());
                }
                MetricFamily family = readFamily(pos, pos + (int) size);
                families.put(family.name(), family);
            }
            return ParsedBody.of(families);
        }

        /** Two passes: the family's own fields first, as its type decides how its metrics are read. */
        private MetricFamily readFamily(int start, int end) throws BodyFormatException {
            String name = "";
            String help = null;
            int typeNumber = 0;
            int typeAt = start;
            int metricCount = 0;
            while (pos < end) {
                int at = pos;
                long tag = readTag(end, METRIC_FAMILY);
                int field = (int) (tag >>> 3);
                int wire = (int) tag & 7;
                switch (field) {
                    case 1 -> {
                        expectWire(METRIC_FAMILY, field, wire, LEN, at);
                        name = readString(end, METRIC_FAMILY, field);
                    }
                    case 2 -> {
                        expectWire(METRIC_FAMILY, field, wire, LEN, at);
                        help = readString(end, METRIC_FAMILY, field);
                    }
                    case 3 -> {
                        expectWire(METRIC_FAMILY, field, wire, VARINT, at);
                        typeAt = at;
                        typeNumber = (int) readVarint(end, at, METRIC_FAMILY, field); // Go: int32(v)
                    }
                    case 4 -> {
                        expectWire(METRIC_FAMILY, field, wire, LEN, at);
                        int size = readLength(end, METRIC_FAMILY, field);
                        pos += size;
                        metricCount++;
                    }
                    default -> checkField(METRIC_FAMILY, field, wire, at, end);
                }
            }
            MetricFamily replaced = families.get(name); // a later family of a name replaces the earlier
            seriesCount += metricCount - (replaced == null ? 0 : replaced.metrics().size());
            if (seriesCount > limits.maxSeries()) {
                throw new BodyFormatException(limits.tooManySeries());
            }
            MetricType type = MetricType.fromProtoNumber(typeNumber);
            if (type == null) {
                throw fail(typeAt, METRIC_FAMILY.describe(3) + ": unknown metric type " + typeNumber);
            }
            List<Metric> metrics = List.of();
            if (metricCount > 0) {
                metrics = new ArrayList<>(metricCount);
                pos = start;
                while (pos < end) {
                    int at = pos;
                    long tag = readTag(end, METRIC_FAMILY);
                    int field = (int) (tag >>> 3);
                    int wire = (int) tag & 7;
                    if (field == 4) {
                        int size = readLength(end, METRIC_FAMILY, field);
                        metricIndex++;
                        metrics.add(readMetric(pos, pos + size, name, type));
                    } else {
                        skipField(METRIC_FAMILY, field, wire, at, end); // checked by the first pass
                    }
                }
                metricIndex = 0;
            }
            return new MetricFamily(name, help, type, metrics);
        }

        private Metric readMetric(int start, int end, String familyName, MetricType familyType)
                throws BodyFormatException {
            labels.clear();
            quantiles.clear();
            buckets.clear();
            simpleValue = 0;
            sampleCount = 0;
            sampleCountFloat = 0;
            sampleSum = 0;
            valueRangeCount = 0;
            int familyKind = Metric.valueKindBit(familyType);
            int kinds = 0;
            Long timestampMs = null;
            while (pos < end) {
                int at = pos;
                long tag = readTag(end, METRIC);
                int field = (int) (tag >>> 3);
                int wire = (int) tag & 7;
                switch (field) {
                    case 1 -> {
                        expectWire(METRIC, field, wire, LEN, at);
                        if (labels.size() == limits.maxLabelsPerSeries()) {
                            throw new BodyFormatException(limits.tooManyLabelsRead(familyName));
                        }
                        int size = readLength(end, METRIC, field);
                        Label label = readLabelPair(pos + size, labels.size());
                        if (!limits.fits(label)) {
                            throw new BodyFormatException(limits.oversized(BodyLimits.seriesOf(familyName), label));
                        }
                        labels.add(label);
                    }
                    case 2, 3, 4, 5, 7 -> {
                        expectWire(METRIC, field, wire, LEN, at);
                        int size = readLength(end, METRIC, field);
                        int kind = VALUE_KIND_BY_FIELD[field];
                        kinds |= kind;
                        if (kind == familyKind) {
                            readValue(field, pos + size);
                        } else {
                            checkMessage(METRIC.field(field).message(), pos + size);
                        }
                        addValueRange(at, pos);
                    }
                    case 6 -> {
                        expectWire(METRIC, field, wire, VARINT, at);
                        timestampMs = readVarint(end, at, METRIC, field);
                    }
                    default -> checkField(METRIC, field, wire, at, end);
                }
            }
            double value = 0;
            double count = 0;
            double sum = 0;
            List<Quantile> metricQuantiles = null;
            List<Bucket> metricBuckets = null;
            if ((kinds & familyKind) != 0) {
                switch (familyType) {
                    case COUNTER, GAUGE, UNTYPED -> value = simpleValue;
                    case SUMMARY -> {
                        count = unsignedToDouble(sampleCount);
                        sum = sampleSum;
                        metricQuantiles = quantiles;
                    }
                    case HISTOGRAM, GAUGE_HISTOGRAM -> {
                        // As Go's text writer: the float count overrides the integer one unless 0.
                        count = sampleCountFloat != 0 ? sampleCountFloat : unsignedToDouble(sampleCount);
                        sum = sampleSum;
                        metricBuckets = buckets;
                    }
                }
            }
            return new Metric(labels, value, count, sum, metricQuantiles, metricBuckets, timestampMs,
                    valueBytes(), kinds);
        }

        private Label readLabelPair(int end, int index) throws BodyFormatException {
            String name = "";
            String value = "";
            while (pos < end) {
                int at = pos;
                long tag = readTag(end, LABEL_PAIR);
                int field = (int) (tag >>> 3);
                int wire = (int) tag & 7;
                switch (field) {
                    case 1 -> {
                        expectWire(LABEL_PAIR, field, wire, LEN, at);
                        name = readLabelName(end, index);
                    }
                    case 2 -> {
                        expectWire(LABEL_PAIR, field, wire, LEN, at);
                        value = readString(end, LABEL_PAIR, field);
                    }
                    default -> checkField(LABEL_PAIR, field, wire, at, end);
                }
            }
            return new Label(name, value);
        }

        /** A label name, the same String as the previous metric's at this position if it is equal. */
        private String readLabelName(int end, int index) throws BodyFormatException {
            int size = readLength(end, LABEL_PAIR, 1);
            if (index >= CACHED_LABEL_NAMES) {
                return decodeString(size, LABEL_PAIR, 1);
            }
            String cached = labelNames[index];
            int cachedStart = labelNameStarts[index];
            if (cached != null && cached.length() == size
                    && Arrays.equals(buf, cachedStart, cachedStart + size, buf, pos, pos + size)) {
                pos += size; // equal bytes, so valid UTF-8; and ASCII, as its length says
                return cached;
            }
            int start = pos;
            String name = decodeString(size, LABEL_PAIR, 1);
            if (name.length() == size) {
                labelNames[index] = name;
                labelNameStarts[index] = start;
            }
            return name;
        }

        /** Reads the value sub-message of the family's type into the scratch fields. */
        private void readValue(int field, int end) throws BodyFormatException {
            switch (field) {
                case 2 -> readSimpleValue(GAUGE, end);
                case 3 -> readSimpleValue(COUNTER, end);
                case 5 -> readSimpleValue(UNTYPED, end);
                case 4 -> readSummary(end);
                default -> readHistogram(end);
            }
        }

        /** Gauge, Counter or Untyped: field 1 is the value; Counter's others are only checked. */
        private void readSimpleValue(Schema schema, int end) throws BodyFormatException {
            while (pos < end) {
                int at = pos;
                long tag = readTag(end, schema);
                int field = (int) (tag >>> 3);
                int wire = (int) tag & 7;
                if (field == 1) {
                    expectWire(schema, field, wire, I64, at);
                    simpleValue = readDouble(end, schema, field);
                } else {
                    checkField(schema, field, wire, at, end);
                }
            }
        }

        private void readSummary(int end) throws BodyFormatException {
            while (pos < end) {
                int at = pos;
                long tag = readTag(end, SUMMARY);
                int field = (int) (tag >>> 3);
                int wire = (int) tag & 7;
                switch (field) {
                    case 1 -> {
                        expectWire(SUMMARY, field, wire, VARINT, at);
                        sampleCount = readVarint(end, at, SUMMARY, field);
                    }
                    case 2 -> {
                        expectWire(SUMMARY, field, wire, I64, at);
                        sampleSum = readDouble(end, SUMMARY, field);
                    }
                    case 3 -> {
                        expectWire(SUMMARY, field, wire, LEN, at);
                        int size = readLength(end, SUMMARY, field);
                        quantiles.add(readQuantile(pos + size));
                    }
                    default -> checkField(SUMMARY, field, wire, at, end);
                }
            }
        }

        private Quantile readQuantile(int end) throws BodyFormatException {
            double quantile = 0;
            double value = 0;
            while (pos < end) {
                int at = pos;
                long tag = readTag(end, QUANTILE);
                int field = (int) (tag >>> 3);
                int wire = (int) tag & 7;
                switch (field) {
                    case 1 -> {
                        expectWire(QUANTILE, field, wire, I64, at);
                        quantile = readDouble(end, QUANTILE, field);
                    }
                    case 2 -> {
                        expectWire(QUANTILE, field, wire, I64, at);
                        value = readDouble(end, QUANTILE, field);
                    }
                    default -> checkField(QUANTILE, field, wire, at, end);
                }
            }
            return new Quantile(quantile, value);
        }

        /** The classic parts; native histogram fields are checked and left in the raw bytes ({@link HistogramMessage} reads them back). */
        private void readHistogram(int end) throws BodyFormatException {
            while (pos < end) {
                int at = pos;
                long tag = readTag(end, HISTOGRAM);
                int field = (int) (tag >>> 3);
                int wire = (int) tag & 7;
                switch (field) {
                    case 1 -> {
                        expectWire(HISTOGRAM, field, wire, VARINT, at);
                        sampleCount = readVarint(end, at, HISTOGRAM, field);
                    }
                    case 2 -> {
                        expectWire(HISTOGRAM, field, wire, I64, at);
                        sampleSum = readDouble(end, HISTOGRAM, field);
                    }
                    case 3 -> {
                        expectWire(HISTOGRAM, field, wire, LEN, at);
                        int size = readLength(end, HISTOGRAM, field);
                        buckets.add(readBucket(pos + size));
                    }
                    case 4 -> {
                        expectWire(HISTOGRAM, field, wire, I64, at);
                        sampleCountFloat = readDouble(end, HISTOGRAM, field);
                    }
                    default -> checkField(HISTOGRAM, field, wire, at, end);
                }
            }
        }

        private Bucket readBucket(int end) throws BodyFormatException {
            long cumulativeCount = 0;
            double cumulativeCountFloat = 0;
            double upperBound = 0;
            while (pos < end) {
                int at = pos;
                long tag = readTag(end, BUCKET);
                int field = (int) (tag >>> 3);
                int wire = (int) tag & 7;
                switch (field) {
                    case 1 -> {
                        expectWire(BUCKET, field, wire, VARINT, at);
                        cumulativeCount = readVarint(end, at, BUCKET, field);
                    }
                    case 2 -> {
                        expectWire(BUCKET, field, wire, I64, at);
                        upperBound = readDouble(end, BUCKET, field);
                    }
                    case 4 -> {
                        expectWire(BUCKET, field, wire, I64, at);
                        cumulativeCountFloat = readDouble(end, BUCKET, field);
                    }
                    default -> checkField(BUCKET, field, wire, at, end);
                }
            }
            double count = cumulativeCountFloat != 0 ? cumulativeCountFloat : unsignedToDouble(cumulativeCount);
            return new Bucket(upperBound, count);
        }

        // ---- Checking what is not modelled: the same rules, nothing kept. ----

        private void checkMessage(Schema schema, int end) throws BodyFormatException {
            while (pos < end) {
                int at = pos;
                long tag = readTag(end, schema);
                checkField(schema, (int) (tag >>> 3), (int) tag & 7, at, end);
            }
        }

        /** Checks one field (its tag read) against the schema, or skips it when unknown. */
        private void checkField(Schema schema, int number, int wire, int at, int end) throws BodyFormatException {
            Field field = schema.field(number);
            if (field == null) {
                skipField(schema, number, wire, at, end);
                return;
            }
            switch (field.kind()) {
                case VARINT -> {
                    expectWire(schema, number, wire, VARINT, at);
                    readVarint(end, at, schema, number);
                }
                case DOUBLE -> {
                    expectWire(schema, number, wire, I64, at);
                    readDouble(end, schema, number);
                }
                case STRING -> {
                    expectWire(schema, number, wire, LEN, at);
                    readString(end, schema, number);
                }
                case MESSAGE -> {
                    expectWire(schema, number, wire, LEN, at);
                    int size = readLength(end, schema, number);
                    checkMessage(field.message(), pos + size);
                }
                case REPEATED_VARINT -> {
                    if (wire == LEN) {
                        int size = readLength(end, schema, number);
                        int packedEnd = pos + size;
                        while (pos < packedEnd) {
                            readVarint(packedEnd, pos, schema, number);
                        }
                    } else {
                        expectWire(schema, number, wire, VARINT, at);
                        readVarint(end, at, schema, number);
                    }
                }
                case REPEATED_DOUBLE -> {
                    if (wire == LEN) {
                        int sizeAt = pos;
                        int size = readLength(end, schema, number);
                        if (size % 8 != 0) {
                            throw fail(sizeAt, schema.describe(number) + ": packed doubles of length " + size
                                    + ", not a multiple of 8");
                        }
                        pos += size;
                    } else {
                        expectWire(schema, number, wire, I64, at);
                        readDouble(end, schema, number);
                    }
                }
            }
        }

        private void skipField(Schema schema, int number, int wire, int at, int end) throws BodyFormatException {
            switch (wire) {
                case VARINT -> readVarint(end, at, schema, number);
                case I64 -> skipFixed(8, end, schema, number);
                case LEN -> {
                    int size = readLength(end, schema, number); // before pos is read for the sum
                    pos += size;
                }
                case I32 -> skipFixed(4, end, schema, number);
                case 3, 4 -> throw fail(at, schema.describe(number) + ": wire type " + wire
                        + " (group) is not supported");
                default -> throw fail(at, schema.describe(number) + ": invalid wire type " + wire);
            }
        }

        // ---- Wire primitives, each bounded by the end of the enclosing message. ----

        private long readTag(int end, Schema schema) throws BodyFormatException {
            int at = pos;
            long tag = readVarint(end, at, schema, 0);
            long number = tag >>> 3;
            if (number == 0 || number > MAX_FIELD_NUMBER) {
                throw fail(at, schema.name + ": invalid field number " + Long.toUnsignedString(number));
            }
            return tag;
        }

        /**
         * A varint of at most 10 bytes, as Go reads it. {@code schema} null means the length prefix of
         * a family; field 0 means a tag.
         */
        private long readVarint(int end, int at, Schema schema, int field) throws BodyFormatException {
            if (pos < end && buf[pos] >= 0) {
                return buf[pos++];
            }
            long result = 0;
            for (int shift = 0; shift < 63; shift += 7) {
                if (pos >= end) {
                    throw fail(at, where(schema, field) + ": truncated varint");
                }
                byte b = buf[pos++];
                result |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    return result;
                }
            }
            if (pos >= end) {
                throw fail(at, where(schema, field) + ": truncated varint");
            }
            byte last = buf[pos++];
            if (last < 0) {
                throw fail(at, where(schema, field) + ": varint longer than 10 bytes");
            }
            if (last > 1) {
                throw fail(at, where(schema, field) + ": varint overflows 64 bits");
            }
            return result | (long) last << 63;
        }

        /** A length, checked against what is left of the enclosing message before it is used. */
        private int readLength(int end, Schema schema, int field) throws BodyFormatException {
            int at = pos;
            long size = readVarint(end, at, schema, field);
            int left = end - pos;
            if (Long.compareUnsigned(size, left) > 0) {
                throw fail(at, schema.describe(field) + ": length " + Long.toUnsignedString(size) + " exceeds the "
                        + left + " bytes left in " + schema.name);
            }
            return (int) size;
        }

        private double readDouble(int end, Schema schema, int field) throws BodyFormatException {
            if (end - pos < 8) {
                throw fail(pos, schema.describe(field) + ": truncated 64-bit value (" + (end - pos)
                        + " of 8 bytes left)");
            }
            long bits = (buf[pos] & 0xFFL)
                    | (buf[pos + 1] & 0xFFL) << 8
                    | (buf[pos + 2] & 0xFFL) << 16
                    | (buf[pos + 3] & 0xFFL) << 24
                    | (buf[pos + 4] & 0xFFL) << 32
                    | (buf[pos + 5] & 0xFFL) << 40
                    | (buf[pos + 6] & 0xFFL) << 48
                    | (buf[pos + 7] & 0xFFL) << 56;
            pos += 8;
            return Double.longBitsToDouble(bits);
        }

        private void skipFixed(int size, int end, Schema schema, int field) throws BodyFormatException {
            if (end - pos < size) {
                throw fail(pos, schema.describe(field) + ": truncated " + (size * 8) + "-bit value (" + (end - pos)
                        + " of " + size + " bytes left)");
            }
            pos += size;
        }

        private String readString(int end, Schema schema, int field) throws BodyFormatException {
            return decodeString(readLength(end, schema, field), schema, field);
        }

        /** The next {@code size} bytes (already bounded) as a string; they must be valid UTF-8. */
        private String decodeString(int size, Schema schema, int field) throws BodyFormatException {
            if (size == 0) {
                return "";
            }
            int start = pos;
            int invalid = firstInvalidUtf8(buf, start, start + size);
            if (invalid >= 0) {
                throw fail(invalid, schema.describe(field) + ": invalid UTF-8");
            }
            pos += size;
            return new String(buf, start, size, StandardCharsets.UTF_8);
        }

        private void expectWire(Schema schema, int field, int wire, int expected, int at) throws BodyFormatException {
            if (wire != expected) {
                throw fail(at, schema.describe(field) + ": wire type " + wire + " (" + wireName(wire)
                        + "), expected " + expected + " (" + wireName(expected) + ")");
            }
        }

        // ---- The value sub-messages of the metric being read, kept as they came. ----

        private void addValueRange(int start, int end) {
            if (valueRangeCount > 0 && valueRanges[2 * valueRangeCount - 1] == start) {
                valueRanges[2 * valueRangeCount - 1] = end; // right after the previous one
                return;
            }
            if (2 * valueRangeCount == valueRanges.length) {
                valueRanges = Arrays.copyOf(valueRanges, 2 * valueRanges.length);
            }
            valueRanges[2 * valueRangeCount] = start;
            valueRanges[2 * valueRangeCount + 1] = end;
            valueRangeCount++;
        }

        private byte[] valueBytes() {
            if (valueRangeCount == 0) {
                return null;
            }
            if (valueRangeCount == 1) {
                return Arrays.copyOfRange(buf, valueRanges[0], valueRanges[1]);
            }
            int total = 0;
            for (int i = 0; i < valueRangeCount; i++) {
                total += valueRanges[2 * i + 1] - valueRanges[2 * i];
            }
            byte[] bytes = new byte[total];
            int at = 0;
            for (int i = 0; i < valueRangeCount; i++) {
                int size = valueRanges[2 * i + 1] - valueRanges[2 * i];
                System.arraycopy(buf, valueRanges[2 * i], bytes, at, size);
                at += size;
            }
            return bytes;
        }

        // ---- Errors ----

        private BodyFormatException fail(int at, String problem) {
            return new BodyFormatException("protobuf body: metric family " + familyIndex
                    + (metricIndex > 0 ? ", metric " + metricIndex : "") + " at byte " + at + ": " + problem);
        }

        private static String where(Schema schema, int field) {
            if (schema == null) {
                return "length prefix";
            }
            return field == 0 ? schema.name + " field tag" : schema.describe(field);
        }
    }

    private static String wireName(int wire) {
        return switch (wire) {
            case VARINT -> "varint";
            case I64 -> "64-bit";
            case LEN -> "length-delimited";
            case 3 -> "start group";
            case 4 -> "end group";
            case I32 -> "32-bit";
            default -> "invalid";
        };
    }

    /** Go's float64(uint64): protobuf's uint64 counts are unsigned. */
    static double unsignedToDouble(long value) {
        if (value >= 0) {
            return value;
        }
        // Halve (keeping the lowest bit so rounding stays right), convert, double.
        return ((double) ((value >>> 1) | (value & 1))) * 2.0;
    }

    /** The offset of the first byte that breaks UTF-8 (as Go's utf8.Valid sees it), or -1. */
    static int firstInvalidUtf8(byte[] bytes, int start, int end) {
        int i = start;
        while (i < end) {
            int c = bytes[i];
            if (c >= 0) {
                i++;
                continue;
            }
            c &= 0xFF;
            if (c < 0xC2) {
                return i; // a continuation byte, or an overlong 2-byte sequence
            }
            if (c < 0xE0) {
                if (i + 1 >= end || !isContinuation(bytes[i + 1])) {
                    return i;
                }
                i += 2;
            } else if (c < 0xF0) {
                if (i + 2 >= end || !isContinuation(bytes[i + 1]) || !isContinuation(bytes[i + 2])) {
                    return i;
                }
                int c1 = bytes[i + 1] & 0xFF;
                if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0)) {
                    return i; // overlong, or a surrogate
                }
                i += 3;
            } else if (c < 0xF5) {
                if (i + 3 >= end || !isContinuation(bytes[i + 1]) || !isContinuation(bytes[i + 2])
                        || !isContinuation(bytes[i + 3])) {
                    return i;
                }
                int c1 = bytes[i + 1] & 0xFF;
                if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90)) {
                    return i; // overlong, or above U+10FFFF
                }
                i += 4;
            } else {
                return i;
            }
        }
        return -1;
    }

    private static boolean isContinuation(byte b) {
        return (b & 0xC0) == 0x80;
    }
}
