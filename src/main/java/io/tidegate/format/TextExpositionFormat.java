package io.tidegate.format;

import io.tidegate.format.TextLines.SampleName;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * What the Prometheus text format and OpenMetrics text have in common, as expfmt writes both: a
 * family is a {@code # HELP} line (only when there is help) and a {@code # TYPE} line, then one line
 * per sample, {@code name{labels} value [timestamp]}. Counters, gauges and untyped metrics write their
 * value; summaries their quantiles, sum and count; histograms their buckets (adding the {@code +Inf}
 * bucket when it is missing, with the sample count), sum and count.
 *
 * <p>The two formats differ only in how numbers look, in a few names and in the trailer; each states
 * those through the hooks below and {@link #writeEnd}.
 */
abstract sealed class TextExpositionFormat implements ExpositionFormat permits PrometheusTextFormat, OpenMetricsFormat {

    /** A sample value, a sum, or the value of an {@code le} or {@code quantile} label. */
    abstract void appendFloat(ByteBuilder out, double value);

    /** The timestamp after a sample's value; the data model holds milliseconds. */
    abstract void appendTimestamp(ByteBuilder out, long timestampMs);

    /** A summary's count, which the Go data model holds as a {@code uint64}. */
    abstract void appendSummaryCount(ByteBuilder out, double count);

    /** Whether the bucket counts and count of {@code histogram} are written as floats, else as integers. */
    abstract boolean writesFloatCounts(Metric histogram);

    /** The suffix of the sum sample of a histogram of {@code type} (a histogram or a gauge histogram). */
    abstract String histogramSumSuffix(MetricType type);

    /** The suffix of the count sample of a histogram of {@code type} (a histogram or a gauge histogram). */
    abstract String histogramCountSuffix(MetricType type);

    /** The name on the {@code # HELP} and {@code # TYPE} lines of the family {@code name}. */
    abstract String familyName(String name, MetricType type);

    /** The word on the {@code # TYPE} line of the family {@code name}. */
    abstract String typeWord(String name, MetricType type);

    /** Whether help text escapes double quotes (backslash and line feed always are). */
    abstract boolean escapesQuotesInHelp();

    @Override
    public final byte[] renderSeries(MetricFamily family) {
        List<Metric> metrics = family.metrics();
        ByteBuilder out = ByteBuilder.scratch();
        String name = family.name();
        switch (family.type()) {
            case COUNTER, GAUGE, UNTYPED -> {
                SampleName sample = SampleName.of(name);
                for (Metric metric : metrics) {
                    appendSeries(out, sample, metric.labels());
                    appendValue(out, metric.value(), metric.timestampMs());
                }
            }
            case SUMMARY -> {
                SampleName quantile = SampleName.of(name);
                SampleName sum = SampleName.of(name + "_sum");
                SampleName count = SampleName.of(name + "_count");
                for (Metric metric : metrics) {
                    byte[] labels = TextLines.labelPairs(metric.labels());
                    Long timestamp = metric.timestampMs();
                    for (Quantile q : metric.quantiles()) {
                        appendSeries(out, quantile, labels, "quantile", q.quantile());
                        appendValue(out, q.value(), timestamp);
                    }
                    appendSeries(out, sum, labels, null, 0);
                    appendValue(out, metric.sum(), timestamp);
                    appendSeries(out, count, labels, null, 0);
                    out.append(' ');
                    appendSummaryCount(out, metric.count());
                    endSample(out, timestamp);
                }
            }
            case HISTOGRAM, GAUGE_HISTOGRAM -> {
                SampleName bucket = SampleName.of(name + "_bucket");
                SampleName sum = SampleName.of(name + histogramSumSuffix(family.type()));
                SampleName count = SampleName.of(name + histogramCountSuffix(family.type()));
                for (Metric metric : metrics) {
                    byte[] labels = TextLines.labelPairs(metric.labels());
                    Long timestamp = metric.timestampMs();
                    boolean floatCounts = writesFloatCounts(metric);
                    boolean infSeen = false;
                    for (Bucket b : metric.buckets()) {
                        appendSeries(out, bucket, labels, "le", b.upperBound());
                        appendCount(out, b.cumulativeCount(), floatCounts, timestamp);
                        infSeen |= b.upperBound() == Double.POSITIVE_INFINITY;
                    }
                    if (!infSeen) {
                        appendSeries(out, bucket, labels, "le", Double.POSITIVE_INFINITY);
                        appendCount(out, metric.count(), floatCounts, timestamp);
                    }
                    appendSeries(out, sum, labels, null, 0);
                    appendValue(out, metric.sum(), timestamp);
                    appendSeries(out, count, labels, null, 0);
                    appendCount(out, metric.count(), floatCounts, timestamp);
                }
            }
        }
        return out.toByteArray();
    }

    /** {@code name{labels}} of a sample line of a counter, gauge or untyped series: its labels are written once. */
    private static void appendSeries(ByteBuilder out, SampleName name, List<Label> labels) {
        out.append(name.start());
        if (labels.isEmpty()) {
            if (name.insideBraces()) {
                out.append('}');
            }
            return;
        }
        out.append(name.insideBraces() ? ',' : '{');
        TextLines.appendLabelPairs(out, labels);
        out.append('}');
    }

    /**
     * Writes {@code name{labels,extra="value"}} of a sample line as expfmt's
     * {@code writeNameAndLabelPairs} does. {@code extraLabel} (le, quantile) may be null.
     */
    private void appendSeries(ByteBuilder out, SampleName name, byte[] labelPairs, String extraLabel,
            double extraValue) {
        out.append(name.start());
        if (labelPairs.length == 0 && extraLabel == null) {
            if (name.insideBraces()) {
                out.append('}');
            }
            return;
        }
        out.append(name.insideBraces() ? ',' : '{');
        out.append(labelPairs);
        if (extraLabel != null) {
            if (labelPairs.length > 0) {
                out.append(',');
            }
            out.appendAscii(extraLabel).append('=').append('"');
            appendFloat(out, extraValue);
            out.append('"');
        }
        out.append('}');
    }

    private void appendValue(ByteBuilder out, double value, Long timestampMs) {
        out.append(' ');
        appendFloat(out, value);
        endSample(out, timestampMs);
    }

    private void appendCount(ByteBuilder out, double count, boolean asFloat, Long timestampMs) {
        out.append(' ');
        if (asFloat) {
            appendFloat(out, count);
        } else {
            SampleCounts.appendUnsigned(out, SampleCounts.toUint64(count));
        }
        endSample(out, timestampMs);
    }

    private void endSample(ByteBuilder out, Long timestampMs) {
        if (timestampMs != null) {
            out.append(' ');
            appendTimestamp(out, timestampMs);
        }
        out.append('\n');
    }

    @Override
    public final void writeFamily(String name, String help, MetricType type, List<byte[]> seriesParts,
            OutputStream out) throws IOException {
        if (totalLength(seriesParts) == 0) {
            return; // expfmt refuses a family without series; an empty family is left out
        }
        String familyName = familyName(name, type);
        ByteBuilder header = new ByteBuilder(familyName.length() * 2 + (help == null ? 0 : help.length()) + 32);
        if (help != null) {
            header.appendAscii("# HELP ");
            TextLines.appendName(header, familyName);
            header.append(' ').appendEscaped(help, escapesQuotesInHelp()).append('\n');
        }
        header.appendAscii("# TYPE ");
        TextLines.appendName(header, familyName);
        header.append(' ').appendAscii(typeWord(name, type)).append('\n');
        header.writeTo(out);
        for (byte[] part : seriesParts) {
            out.write(part);
        }
    }

    static long totalLength(List<byte[]> parts) {
        long total = 0;
        for (byte[] part : parts) {
            total += part.length;
        }
        return total;
    }
}
