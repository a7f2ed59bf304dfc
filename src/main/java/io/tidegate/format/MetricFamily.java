package io.tidegate.format;

import java.util.List;

/**
 * A metric family as parsed from a push body: a name, an optional help text (null when the body had
 * none), a type and its series.
 */
public record MetricFamily(String name, String help, MetricType type, List<Metric> metrics) {
    public MetricFamily {
        metrics = List.copyOf(metrics);
    }

    public MetricFamily withMetrics(List<Metric> newMetrics) {
        return new MetricFamily(name, help, type, newMetrics);
    }
}
