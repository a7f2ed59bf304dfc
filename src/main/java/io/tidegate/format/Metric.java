package io.tidegate.format;

import java.util.List;

/**
 * One series of a family: its labels and its value, which is a plain {@code value} for counters,
 * gauges and untyped metrics, or the {@code count}/{@code sum} and {@code quantiles} or
 * {@code buckets} of a summary or histogram.
 *
 * <p>{@code protoValue}, when not null, is the value sub-message exactly as it arrived in a protobuf
 * body (field tag, length and bytes), so a protobuf scrape hands back what was pushed, including
 * parts the text format cannot express (exemplars, native histogram buckets, created timestamps).
 * When a body gave several value sub-messages, they are all kept, in the order they arrived; a
 * protobuf reader merges them as Go's reader did.
 *
 * <p>{@code valueKinds} says which value fields a protobuf metric carried (see {@link #hasValueOf}),
 * so the store can reject a metric whose value does not match its family's type, as upstream does
 * ({@code ... is not a COUNTER}). Metrics from the text format carry {@link #ANY_VALUE_KIND}: their
 * value is of their family's type by construction.
 */
public record Metric(
        List<Label> labels,
        double value,
        double count,
        double sum,
        List<Quantile> quantiles,
        List<Bucket> buckets,
        Long timestampMs,
        byte[] protoValue,
        int valueKinds) {

    /** {@code valueKinds} of a metric whose value is of its family's type whatever that is. */
    public static final int ANY_VALUE_KIND = -1;

    public Metric {
        labels = labels instanceof LabelList ? labels : List.copyOf(labels); // immutable already, and keeps its text
        quantiles = quantiles == null ? List.of() : List.copyOf(quantiles);
        buckets = buckets == null ? List.of() : List.copyOf(buckets);
    }

    /** A metric whose value is of its family's type ({@link #ANY_VALUE_KIND}). */
    public Metric(List<Label> labels, double value, double count, double sum, List<Quantile> quantiles,
            List<Bucket> buckets, Long timestampMs, byte[] protoValue) {
        this(labels, value, count, sum, quantiles, buckets, timestampMs, protoValue, ANY_VALUE_KIND);
    }

    /**
     * The bit of {@code valueKinds} for the protobuf value field a family of {@code type} needs:
     * {@code 1 << type.ordinal()} for counter, gauge, summary and untyped, the histogram bit for both
     * histogram types (they share the {@code histogram} field).
     */
    public static int valueKindBit(MetricType type) {
        return 1 << (type.isHistogram() ? MetricType.HISTOGRAM : type).ordinal();
    }

    /** Whether this metric carries the value field a family of {@code type} needs. */
    public boolean hasValueOf(MetricType type) {
        return (valueKinds & valueKindBit(type)) != 0;
    }

    public static Metric simple(List<Label> labels, double value, Long timestampMs) {
        return new Metric(labels, value, 0, 0, null, null, timestampMs, null);
    }

    public static Metric summary(List<Label> labels, double count, double sum, List<Quantile> quantiles,
            Long timestampMs) {
        return new Metric(labels, 0, count, sum, quantiles, null, timestampMs, null);
    }

    public static Metric histogram(List<Label> labels, double count, double sum, List<Bucket> buckets,
            Long timestampMs) {
        return new Metric(labels, 0, count, sum, null, buckets, timestampMs, null);
    }

    /** The same series with other labels (the grouping key applied), value untouched. */
    public Metric withLabels(List<Label> newLabels) {
        return new Metric(newLabels, value, count, sum, quantiles, buckets, timestampMs, protoValue, valueKinds);
    }

    /** The value of label {@code name}, or null. */
    public String label(String name) {
        for (Label label : labels) {
            if (label.name().equals(name)) {
                return label.value();
            }
        }
        return null;
    }
}
