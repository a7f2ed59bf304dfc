package io.tidegate.format;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * Length-delimited {@code io.prometheus.client.MetricFamily} messages (client_model's
 * {@code metrics.proto}), encoded as Go's protobuf runtime encodes them: fields in field-number
 * order, every field the Go text parser sets written even when zero or empty.
 *
 * <p>{@link #renderSeries} returns each series as a complete {@code metric} field (tag 4, length,
 * {@code Metric} message), so parts of one family rendered separately concatenate into its repeated
 * field; {@link #writeFamily} prefixes the family's length, name, optional help and type.
 *
 * <p>A {@code Metric}'s value is {@link Metric#protoValue()} verbatim when present (a protobuf push
 * is served back as it came, exemplars and native histograms included); otherwise it is encoded
 * from the model. Histograms use the integer count fields unless a count is fractional or
 * negative, then the {@code _float} fields throughout, as the Go text parser decides.
 */
public final class ProtobufFormat implements ExpositionFormat {
    public static final String CONTENT_TYPE =
            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

    // Tags: field number << 3 | wire type (0 varint, 1 fixed64, 2 length-delimited).
    private static final int FAMILY_NAME = 1 << 3 | 2;
    private static final int FAMILY_HELP = 2 << 3 | 2;
    private static final int FAMILY_TYPE = 3 << 3;
    private static final int FAMILY_METRIC = 4 << 3 | 2;
    private static final int METRIC_LABEL = 1 << 3 | 2;
    private static final int METRIC_GAUGE = 2 << 3 | 2;
    private static final int METRIC_COUNTER = 3 << 3 | 2;
    private static final int METRIC_SUMMARY = 4 << 3 | 2;
    private static final int METRIC_UNTYPED = 5 << 3 | 2;
    private static final int METRIC_TIMESTAMP_MS = 6 << 3;
    private static final int METRIC_HISTOGRAM = 7 << 3 | 2;
    private static final int LABEL_NAME = 1 << 3 | 2;
    private static final int LABEL_VALUE = 2 << 3 | 2;
    private static final int VALUE = 1 << 3 | 1;
    private static final int SAMPLE_COUNT = 1 << 3;
    private static final int SAMPLE_SUM = 2 << 3 | 1;
    private static final int SUMMARY_QUANTILE = 3 << 3 | 2;
    private static final int QUANTILE_QUANTILE = 1 << 3 | 1;
    private static final int QUANTILE_VALUE = 2 << 3 | 1;
    private static final int HISTOGRAM_BUCKET = 3 << 3 | 2;
    private static final int HISTOGRAM_SAMPLE_COUNT_FLOAT = 4 << 3 | 1;
    private static final int BUCKET_CUMULATIVE_COUNT = 1 << 3;
    private static final int BUCKET_UPPER_BOUND = 2 << 3 | 1;
    private static final int BUCKET_CUMULATIVE_COUNT_FLOAT = 4 << 3 | 1;
    /** Field number of {@code Metric.timestamp_ms}; value fields numbered above it follow it. */
    private static final int TIMESTAMP_FIELD_NUMBER = 6;
    /** Tag, length 9, tag and fixed64 of a message holding one double: Gauge, Counter, Untyped. */
    private static final int SINGLE_DOUBLE_LENGTH = 9;

    @Override
    public String contentType() {
        return CONTENT_TYPE;
    }

    @Override
    public byte[] renderSeries(MetricFamily family) {
        ByteBuilder out = new ByteBuilder(family.metrics().size() * 64);
        ByteBuilder metricMessage = new ByteBuilder(128);
        for (Metric metric : family.metrics()) {
            metricMessage.clear();
            encodeMetric(metricMessage, family.type(), metric);
            out.append((byte) FAMILY_METRIC).appendVarint(metricMessage.size()).append(metricMessage);
        }
        return out.toByteArray();
    }

    private static void encodeMetric(ByteBuilder out, MetricType type, Metric metric) {
        for (Label label : metric.labels()) {
            int nameLength = ByteBuilder.utf8Length(label.name());
            int valueLength = ByteBuilder.utf8Length(label.value());
            int pairLength = 2 + ByteBuilder.varintLength(nameLength) + nameLength
                    + ByteBuilder.varintLength(valueLength) + valueLength;
            out.append((byte) METRIC_LABEL).appendVarint(pairLength);
            out.append((byte) LABEL_NAME).appendVarint(nameLength).appendUtf8(label.name());
            out.append((byte) LABEL_VALUE).appendVarint(valueLength).appendUtf8(label.value());
        }
        byte[] verbatim = metric.protoValue();
        int valueField = verbatim != null ? fieldNumber(verbatim) : type.isHistogram() ? 7 : 2;
        if (valueField > TIMESTAMP_FIELD_NUMBER) {
            appendTimestamp(out, metric.timestampMs());
        }
        if (verbatim != null) {
            out.append(verbatim);
        } else {
            encodeValue(out, type, metric);
        }
        if (valueField < TIMESTAMP_FIELD_NUMBER) {
            appendTimestamp(out, metric.timestampMs());
        }
    }

    private static void appendTimestamp(ByteBuilder out, Long timestampMs) {
        if (timestampMs != null) {
            out.append((byte) METRIC_TIMESTAMP_MS).appendVarint(timestampMs);
        }
    }

    private static void encodeValue(ByteBuilder out, MetricType type, Metric metric) {
        switch (type) {
            case GAUGE -> appendSingleDouble(out, METRIC_GAUGE, metric.value());
            case COUNTER -> appendSingleDouble(out, METRIC_COUNTER, metric.value());
            case UNTYPED -> appendSingleDouble(out, METRIC_UNTYPED, metric.value());
            case SUMMARY -> {
                long count = SampleCounts.toUint64(metric.count());
                List<Quantile> quantiles = metric.quantiles();
                int length = 1 + ByteBuilder.varintLength(count) + 9 + quantiles.size() * 20;
                out.append((byte) METRIC_SUMMARY).appendVarint(length);
                out.append((byte) SAMPLE_COUNT).appendVarint(count);
                out.append((byte) SAMPLE_SUM).appendFixed64(goNaN(metric.sum()));
                for (Quantile q : quantiles) {
                    out.append((byte) SUMMARY_QUANTILE).append((byte) 18);
                    out.append((byte) QUANTILE_QUANTILE).appendFixed64(goNaN(q.quantile()));
                    out.append((byte) QUANTILE_VALUE).appendFixed64(goNaN(q.value()));
                }
            }
            case HISTOGRAM, GAUGE_HISTOGRAM -> encodeHistogram(out, metric);
        }
    }

    private static void appendSingleDouble(ByteBuilder out, int tag, double value) {
        out.append((byte) tag).append((byte) SINGLE_DOUBLE_LENGTH).append((byte) VALUE).appendFixed64(goNaN(value));
    }

    private static void encodeHistogram(ByteBuilder out, Metric metric) {
        List<Bucket> buckets = metric.buckets();
        if (SampleCounts.hasFloatCounts(metric)) {
            int length = 9 + buckets.size() * 20 + 9;
            out.append((byte) METRIC_HISTOGRAM).appendVarint(length);
            out.append((byte) SAMPLE_SUM).appendFixed64(goNaN(metric.sum()));
            for (Bucket b : buckets) {
                out.append((byte) HISTOGRAM_BUCKET).append((byte) 18);
                out.append((byte) BUCKET_UPPER_BOUND).appendFixed64(goNaN(b.upperBound()));
                out.append((byte) BUCKET_CUMULATIVE_COUNT_FLOAT).appendFixed64(goNaN(b.cumulativeCount()));
            }
            out.append((byte) HISTOGRAM_SAMPLE_COUNT_FLOAT).appendFixed64(goNaN(metric.count()));
            return;
        }
        long count = SampleCounts.toUint64(metric.count());
        int length = 1 + ByteBuilder.varintLength(count) + 9;
        for (Bucket b : buckets) {
            length += 2 + bucketLength(b);
        }
        out.append((byte) METRIC_HISTOGRAM).appendVarint(length);
        out.append((byte) SAMPLE_COUNT).appendVarint(count);
        out.append((byte) SAMPLE_SUM).appendFixed64(goNaN(metric.sum()));
        for (Bucket b : buckets) {
            long cumulative = SampleCounts.toUint64(b.cumulativeCount());
            out.append((byte) HISTOGRAM_BUCKET).append((byte) bucketLength(b));
            out.append((byte) BUCKET_CUMULATIVE_COUNT).appendVarint(cumulative);
            out.append((byte) BUCKET_UPPER_BOUND).appendFixed64(goNaN(b.upperBound()));
        }
    }

    /** An integer-count Bucket message: at most 1 + 10 + 9 bytes, so its length is one byte. */
    private static int bucketLength(Bucket b) {
        return 1 + ByteBuilder.varintLength(SampleCounts.toUint64(b.cumulativeCount())) + 9;
    }

    /**
     * Java's canonical NaN as Go's: Go's {@code strconv.ParseFloat("NaN")} yields the bits
     * {@code 0x7ff8000000000001}, so a NaN pushed as text reaches a protobuf scrape of the upstream
     * gateway with those bits. Any other NaN (a staleness marker, say) keeps its bits.
     */
    private static double goNaN(double value) {
        return Double.doubleToRawLongBits(value) == CANONICAL_JAVA_NAN ? GO_NAN : value;
    }

    private static final long CANONICAL_JAVA_NAN = 0x7ff8000000000000L;
    private static final double GO_NAN = Double.longBitsToDouble(0x7ff8000000000001L);

    /** The field number of the tag a verbatim value sub-message starts with. */
    private static int fieldNumber(byte[] field) {
        long tag = 0;
        for (int i = 0, shift = 0; i < field.length && shift < 35; i++, shift += 7) {
            tag |= (long) (field[i] & 0x7f) << shift;
            if ((field[i] & 0x80) == 0) {
                break;
            }
        }
        return (int) (tag >>> 3);
    }

    @Override
    public void writeFamily(String name, String help, MetricType type, List<byte[]> seriesParts, OutputStream out)
            throws IOException {
        long partsLength = TextExpositionFormat.totalLength(seriesParts);
        if (partsLength == 0) {
            return;
        }
        ByteBuilder header = new ByteBuilder(name.length() + (help == null ? 0 : help.length()) + 16);
        header.append((byte) FAMILY_NAME).appendVarint(ByteBuilder.utf8Length(name)).appendUtf8(name);
        if (help != null) {
            header.append((byte) FAMILY_HELP).appendVarint(ByteBuilder.utf8Length(help)).appendUtf8(help);
        }
        header.append((byte) FAMILY_TYPE).appendVarint(type.protoNumber());
        ByteBuilder length = new ByteBuilder(10);
        length.appendVarint(header.size() + partsLength);
        length.writeTo(out);
        header.writeTo(out);
        for (byte[] part : seriesParts) {
            out.write(part);
        }
    }

    @Override
    public void writeEnd(OutputStream out) {
        // Delimited protobuf has no trailer.
    }
}
