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
 */
public record Metric(
        List<Label> labels,
        double value,
        double count,
        double sum,
        List<Quantile> quantiles,
        List<Bucket> buckets,
        Long timestampMs,
        byte[] protoValue) {

    public Metric {
        labels = List.copyOf(labels);
        quantiles = quantiles == null ? List.of() : List.copyOf(quantiles);
        buckets = buckets == null ? List.of() : List.copyOf(buckets);
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
        return new Metric(newLabels, value, count, sum, quantiles, buckets, timestampMs, protoValue);
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
