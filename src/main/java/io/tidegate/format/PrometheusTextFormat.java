package io.tidegate.format;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * The Prometheus text exposition format 0.0.4, byte for byte as expfmt's {@code text_create.go}
 * writes it: {@code # HELP} (backslash and line feed escaped) only when there is help, then
 * {@code # TYPE} (a gauge histogram is typed {@code histogram}), then one line per sample. Summaries
 * write their quantiles, {@code _sum} and {@code _count}; histograms their buckets (adding the
 * {@code +Inf} bucket when it is missing, with the sample count), {@code _sum} and {@code _count}.
 * Numbers are formatted by {@link GoFloat}; timestamps are integer milliseconds.
 */
public final class PrometheusTextFormat implements ExpositionFormat {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    @Override
    public String contentType() {
        return CONTENT_TYPE;
    }

    @Override
    public byte[] renderSeries(MetricFamily family) {
        List<Metric> metrics = family.metrics();
        ByteBuilder out = new ByteBuilder(metrics.size() * 64);
        String name = family.name();
        switch (family.type()) {
            case COUNTER, GAUGE, UNTYPED -> {
                TextLines.SampleName sample = TextLines.SampleName.of(name);
                for (Metric metric : metrics) {
                    TextLines.appendSeries(out, sample, TextLines.labelPairs(metric.labels()), null, 0, false);
                    appendValue(out, metric.value(), metric.timestampMs());
                }
            }
            case SUMMARY -> {
                TextLines.SampleName quantile = TextLines.SampleName.of(name);
                TextLines.SampleName sum = TextLines.SampleName.of(name + "_sum");
                TextLines.SampleName count = TextLines.SampleName.of(name + "_count");
                for (Metric metric : metrics) {
                    byte[] labels = TextLines.labelPairs(metric.labels());
                    Long timestamp = metric.timestampMs();
                    for (Quantile q : metric.quantiles()) {
                        TextLines.appendSeries(out, quantile, labels, "quantile", q.quantile(), false);
                        appendValue(out, q.value(), timestamp);
                    }
                    TextLines.appendSeries(out, sum, labels, null, 0, false);
                    appendValue(out, metric.sum(), timestamp);
                    TextLines.appendSeries(out, count, labels, null, 0, false);
                    appendValue(out, SampleCounts.summaryCount(metric.count()), timestamp);
                }
            }
            case HISTOGRAM, GAUGE_HISTOGRAM -> {
                TextLines.SampleName bucket = TextLines.SampleName.of(name + "_bucket");
                TextLines.SampleName sum = TextLines.SampleName.of(name + "_sum");
                TextLines.SampleName count = TextLines.SampleName.of(name + "_count");
                for (Metric metric : metrics) {
                    byte[] labels = TextLines.labelPairs(metric.labels());
                    Long timestamp = metric.timestampMs();
                    boolean infSeen = false;
                    for (Bucket b : metric.buckets()) {
                        TextLines.appendSeries(out, bucket, labels, "le", b.upperBound(), false);
                        appendValue(out, b.cumulativeCount(), timestamp);
                        infSeen |= b.upperBound() == Double.POSITIVE_INFINITY;
                    }
                    if (!infSeen) {
                        TextLines.appendSeries(out, bucket, labels, "le", Double.POSITIVE_INFINITY, false);
                        appendValue(out, metric.count(), timestamp);
                    }
                    TextLines.appendSeries(out, sum, labels, null, 0, false);
                    appendValue(out, metric.sum(), timestamp);
                    TextLines.appendSeries(out, count, labels, null, 0, false);
                    appendValue(out, metric.count(), timestamp);
                }
            }
        }
        return out.toByteArray();
    }

    private static void appendValue(ByteBuilder out, double value, Long timestampMs) {
        out.append(' ');
        GoFloat.append(out, value);
        if (timestampMs != null) {
            out.append(' ').appendAscii(Long.toString(timestampMs));
        }
        out.append('\n');
    }

    @Override
    public void writeFamily(String name, String help, MetricType type, List<byte[]> seriesParts, OutputStream out)
            throws IOException {
        if (totalLength(seriesParts) == 0) {
            return; // expfmt refuses a family without series; an empty family is left out
        }
        ByteBuilder header = new ByteBuilder(name.length() * 2 + (help == null ? 0 : help.length()) + 32);
        if (help != null) {
            header.appendAscii("# HELP ");
            TextLines.appendName(header, name);
            header.append(' ').appendEscaped(help, false).append('\n');
        }
        header.appendAscii("# TYPE ");
        TextLines.appendName(header, name);
        header.append(' ').appendAscii(type == MetricType.GAUGE_HISTOGRAM ? "histogram" : type.textName())
                .append('\n');
        header.writeTo(out);
        for (byte[] part : seriesParts) {
            out.write(part);
        }
    }

    @Override
    public void writeEnd(OutputStream out) {
        // The text format has no trailer.
    }

    static long totalLength(List<byte[]> parts) {
        long total = 0;
        for (byte[] part : parts) {
            total += part.length;
        }
        return total;
    }
}
