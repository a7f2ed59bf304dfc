package io.tidegate.differential;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Delimited protobuf bodies ({@code io.prometheus.client.MetricFamily}), built with the generated classes that
 * client_java's exposition-formats jar carries (shaded, hence the versioned package name).
 */
public final class ProtobufBodies {

    public static final String CONTENT_TYPE =
            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

    private ProtobufBodies() {
    }

    /** The families, each written length-delimited, one after the other. */
    public static byte[] delimited(Metrics.MetricFamily... families) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (Metrics.MetricFamily family : families) {
                family.writeDelimitedTo(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static Metrics.MetricFamily family(String name, String help, Metrics.MetricType type,
                                              Metrics.Metric... metrics) {
        Metrics.MetricFamily.Builder family = Metrics.MetricFamily.newBuilder().setName(name).setType(type);
        if (help != null) {
            family.setHelp(help);
        }
        for (Metrics.Metric metric : metrics) {
            family.addMetric(metric);
        }
        return family.build();
    }

    public static Metrics.Metric counter(double value, String... labelPairs) {
        return labelled(labelPairs).setCounter(Metrics.Counter.newBuilder().setValue(value)).build();
    }

    public static Metrics.Metric gauge(double value, String... labelPairs) {
        return labelled(labelPairs).setGauge(Metrics.Gauge.newBuilder().setValue(value)).build();
    }

    public static Metrics.Metric untyped(double value, String... labelPairs) {
        return labelled(labelPairs).setUntyped(Metrics.Untyped.newBuilder().setValue(value)).build();
    }

    /** A summary with quantiles 0.5 and 0.99. */
    public static Metrics.Metric summary(long count, double sum, double p50, double p99, String... labelPairs) {
        return labelled(labelPairs).setSummary(Metrics.Summary.newBuilder()
                .setSampleCount(count).setSampleSum(sum)
                .addQuantile(Metrics.Quantile.newBuilder().setQuantile(0.5).setValue(p50))
                .addQuantile(Metrics.Quantile.newBuilder().setQuantile(0.99).setValue(p99))).build();
    }

    /** A classic histogram with the given upper bounds and cumulative counts. */
    public static Metrics.Metric histogram(long count, double sum, double[] upperBounds, long[] cumulativeCounts,
                                           String... labelPairs) {
        Metrics.Histogram.Builder histogram = Metrics.Histogram.newBuilder().setSampleCount(count).setSampleSum(sum);
        for (int i = 0; i < upperBounds.length; i++) {
            histogram.addBucket(Metrics.Bucket.newBuilder()
                    .setUpperBound(upperBounds[i]).setCumulativeCount(cumulativeCounts[i]));
        }
        return labelled(labelPairs).setHistogram(histogram).build();
    }

    /** A metric with only labels set, to be completed by the caller (e.g. with a timestamp). */
    public static Metrics.Metric.Builder labelled(String... labelPairs) {
        Metrics.Metric.Builder metric = Metrics.Metric.newBuilder();
        for (int i = 0; i + 1 < labelPairs.length; i += 2) {
            metric.addLabel(Metrics.LabelPair.newBuilder().setName(labelPairs[i]).setValue(labelPairs[i + 1]));
        }
        return metric;
    }
}
