package io.tidegate.format;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * OpenMetrics 1.0.0 text, as client_golang's {@code openmetrics_create.go} writes it (without
 * {@code _created} lines, which it leaves off by default), ending with {@code # EOF}.
 *
 * <ul>
 *   <li>A counter named {@code x_total} is the family {@code x} ({@code # HELP x}, {@code # TYPE x
 *       counter}) with samples {@code x_total}; a counter without the suffix and an untyped metric
 *       are typed {@code unknown} and keep their name.
 *   <li>Help text escapes backslash, line feed and double quote.
 *   <li>Floats always show a {@code .} or an exponent ({@code 1.0}, {@code le="+Inf"}); summary and
 *       histogram counts are integers; timestamps are seconds.
 *   <li>Gauge histograms are written as the OpenMetrics spec asks ({@code _gsum}, {@code _gcount});
 *       expfmt writes {@code _sum}/{@code _count} there. A histogram with fractional counts, which
 *       expfmt refuses, is written with float counts.
 * </ul>
 */
public final class OpenMetricsFormat implements ExpositionFormat {
    public static final String CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final byte[] EOF = {'#', ' ', 'E', 'O', 'F', '\n'};

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
                    TextLines.appendSeries(out, sample, TextLines.labelPairs(metric.labels()), null, 0, true);
                    appendFloat(out, metric.value(), metric.timestampMs());
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
                        TextLines.appendSeries(out, quantile, labels, "quantile", q.quantile(), true);
                        appendFloat(out, q.value(), timestamp);
                    }
                    TextLines.appendSeries(out, sum, labels, null, 0, true);
                    appendFloat(out, metric.sum(), timestamp);
                    TextLines.appendSeries(out, count, labels, null, 0, true);
                    out.append(' ');
                    SampleCounts.appendUnsigned(out, SampleCounts.toUint64(metric.count()));
                    appendTimestampAndEnd(out, timestamp);
                }
            }
            case HISTOGRAM, GAUGE_HISTOGRAM -> {
                boolean gauge = family.type() == MetricType.GAUGE_HISTOGRAM;
                TextLines.SampleName bucket = TextLines.SampleName.of(name + "_bucket");
                TextLines.SampleName sum = TextLines.SampleName.of(name + (gauge ? "_gsum" : "_sum"));
                TextLines.SampleName count = TextLines.SampleName.of(name + (gauge ? "_gcount" : "_count"));
                for (Metric metric : metrics) {
                    byte[] labels = TextLines.labelPairs(metric.labels());
                    Long timestamp = metric.timestampMs();
                    boolean floatCounts = SampleCounts.hasFloatCounts(metric);
                    boolean infSeen = false;
                    for (Bucket b : metric.buckets()) {
                        TextLines.appendSeries(out, bucket, labels, "le", b.upperBound(), true);
                        appendCount(out, b.cumulativeCount(), floatCounts, timestamp);
                        infSeen |= b.upperBound() == Double.POSITIVE_INFINITY;
                    }
                    if (!infSeen) {
                        TextLines.appendSeries(out, bucket, labels, "le", Double.POSITIVE_INFINITY, true);
                        appendCount(out, metric.count(), floatCounts, timestamp);
                    }
                    TextLines.appendSeries(out, sum, labels, null, 0, true);
                    appendFloat(out, metric.sum(), timestamp);
                    TextLines.appendSeries(out, count, labels, null, 0, true);
                    appendCount(out, metric.count(), floatCounts, timestamp);
                }
            }
        }
        return out.toByteArray();
    }

    private static void appendFloat(ByteBuilder out, double value, Long timestampMs) {
        out.append(' ');
        GoFloat.appendOpenMetrics(out, value);
        appendTimestampAndEnd(out, timestampMs);
    }

    private static void appendCount(ByteBuilder out, double count, boolean asFloat, Long timestampMs) {
        if (asFloat) {
            appendFloat(out, count, timestampMs);
            return;
        }
        out.append(' ');
        SampleCounts.appendUnsigned(out, SampleCounts.toUint64(count));
        appendTimestampAndEnd(out, timestampMs);
    }

    private static void appendTimestampAndEnd(ByteBuilder out, Long timestampMs) {
        if (timestampMs != null) {
            out.append(' ');
            GoFloat.appendOpenMetrics(out, timestampMs / 1000.0);
        }
        out.append('\n');
    }

    @Override
    public void writeFamily(String name, String help, MetricType type, List<byte[]> seriesParts, OutputStream out)
            throws IOException {
        if (PrometheusTextFormat.totalLength(seriesParts) == 0) {
            return;
        }
        boolean totalCounter = type == MetricType.COUNTER && name.endsWith("_total");
        String familyName = totalCounter ? name.substring(0, name.length() - "_total".length()) : name;
        ByteBuilder header = new ByteBuilder(familyName.length() * 2 + (help == null ? 0 : help.length()) + 32);
        if (help != null) {
            header.appendAscii("# HELP ");
            TextLines.appendName(header, familyName);
            header.append(' ').appendEscaped(help, true).append('\n');
        }
        header.appendAscii("# TYPE ");
        TextLines.appendName(header, familyName);
        header.append(' ').appendAscii(typeWord(type, totalCounter)).append('\n');
        header.writeTo(out);
        for (byte[] part : seriesParts) {
            out.write(part);
        }
    }

    private static String typeWord(MetricType type, boolean totalCounter) {
        return switch (type) {
            case COUNTER -> totalCounter ? "counter" : "unknown";
            case GAUGE -> "gauge";
            case SUMMARY -> "summary";
            case UNTYPED -> "unknown";
            case HISTOGRAM -> "histogram";
            case GAUGE_HISTOGRAM -> "gaugehistogram";
        };
    }

    @Override
    public void writeEnd(OutputStream out) throws IOException {
        out.write(EOF);
    }
}
