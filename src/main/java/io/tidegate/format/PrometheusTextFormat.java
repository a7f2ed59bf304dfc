package io.tidegate.format;

import java.io.OutputStream;

/**
 * The Prometheus text exposition format 0.0.4, byte for byte as expfmt's {@code text_create.go}
 * writes it (the shared shape is {@link TextExpositionFormat}'s). Help escapes backslash and line
 * feed only; a gauge histogram is typed {@code histogram} and written as one. Numbers, counts
 * included, are formatted by {@link GoFloat#append}; timestamps are integer milliseconds.
 */
public final class PrometheusTextFormat extends TextExpositionFormat {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    @Override
    public String contentType() {
        return CONTENT_TYPE;
    }

    @Override
    void appendFloat(ByteBuilder out, double value) {
        GoFloat.append(out, value);
    }

    @Override
    void appendTimestamp(ByteBuilder out, long timestampMs) {
        out.appendAscii(Long.toString(timestampMs));
    }

    @Override
    void appendSummaryCount(ByteBuilder out, double count) {
        GoFloat.append(out, SampleCounts.summaryCount(count));
    }

    @Override
    boolean writesFloatCounts(Metric histogram) {
        return true; // the text format has no integer sample values
    }

    @Override
    String histogramSumSuffix(MetricType type) {
        return "_sum";
    }

    @Override
    String histogramCountSuffix(MetricType type) {
        return "_count";
    }

    @Override
    String familyName(String name, MetricType type) {
        return name;
    }

    @Override
    String typeWord(String name, MetricType type) {
        // The text format has no gauge histogram type.
        return type == MetricType.GAUGE_HISTOGRAM ? "histogram" : type.textName();
    }

    @Override
    boolean escapesQuotesInHelp() {
        return false;
    }

    @Override
    public void writeEnd(OutputStream out) {
        // The text format has no trailer.
    }
}
