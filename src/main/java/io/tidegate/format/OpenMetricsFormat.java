package io.tidegate.format;

import java.io.IOException;
import java.io.OutputStream;

/**
 * OpenMetrics 1.0.0 text, as client_golang's {@code openmetrics_create.go} writes it (without
 * {@code _created} lines, which it leaves off by default), ending with {@code # EOF}. The shared
 * shape is {@link TextExpositionFormat}'s; what differs from the Prometheus text format:
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
public final class OpenMetricsFormat extends TextExpositionFormat {
    public static final String CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final byte[] EOF = {'#', ' ', 'E', 'O', 'F', '\n'};
    private static final String TOTAL = "_total";

    @Override
    public String contentType() {
        return CONTENT_TYPE;
    }

    @Override
    void appendFloat(ByteBuilder out, double value) {
        GoFloat.appendOpenMetrics(out, value);
    }

    @Override
    void appendTimestamp(ByteBuilder out, long timestampMs) {
        GoFloat.appendOpenMetrics(out, timestampMs / 1000.0);
    }

    @Override
    void appendSummaryCount(ByteBuilder out, double count) {
        SampleCounts.appendUnsigned(out, SampleCounts.toUint64(count));
    }

    @Override
    boolean writesFloatCounts(Metric histogram) {
        return SampleCounts.hasFloatCounts(histogram);
    }

    @Override
    String histogramSumSuffix(MetricType type) {
        return type == MetricType.GAUGE_HISTOGRAM ? "_gsum" : "_sum";
    }

    @Override
    String histogramCountSuffix(MetricType type) {
        return type == MetricType.GAUGE_HISTOGRAM ? "_gcount" : "_count";
    }

    @Override
    String familyName(String name, MetricType type) {
        return isTotalCounter(name, type) ? name.substring(0, name.length() - TOTAL.length()) : name;
    }

    @Override
    String typeWord(String name, MetricType type) {
        return switch (type) {
            // A counter's samples must be named <family>_total, so without the suffix it cannot be one.
            case COUNTER -> isTotalCounter(name, type) ? "counter" : "unknown";
            case GAUGE -> "gauge";
            case SUMMARY -> "summary";
            case UNTYPED -> "unknown";
            case HISTOGRAM -> "histogram";
            case GAUGE_HISTOGRAM -> "gaugehistogram";
        };
    }

    private static boolean isTotalCounter(String name, MetricType type) {
        return type == MetricType.COUNTER && name.endsWith(TOTAL);
    }

    @Override
    boolean escapesQuotesInHelp() {
        return true;
    }

    @Override
    public void writeEnd(OutputStream out) throws IOException {
        out.write(EOF);
    }
}
