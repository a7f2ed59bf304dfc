package io.tidegate.store;

import io.tidegate.format.Label;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.MetricType;
import io.tidegate.format.NameValidation;
import io.tidegate.format.Names;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The checks a push must pass on its own, before it is compared with what is stored: no
 * timestamps, valid names, no label a type reserves, no series twice. Each returns a message fit
 * for the client, or null.
 */
final class SeriesRules {
    /** Up to this many series in a family, duplicate label sets are found by comparing each pair. */
    static final int PAIRWISE_SERIES = 8;
    static final String TIMESTAMPS_REJECTED = "pushed metrics must not have timestamps";

    private SeriesRules() {}

    static String timestampsPresent(Iterable<MetricFamily> families) {
        for (MetricFamily family : families) {
            for (Metric metric : family.metrics()) {
                if (metric.timestampMs() != null) {
                    return TIMESTAMPS_REJECTED;
                }
            }
        }
        return null;
    }

    /**
     * Checks one family whose labels have been sorted with the grouping key applied.
     *
     * @param seriesKnownDistinct the family's label lists are, place by place, those of a family found without
     *     problems before (shared by {@link GroupingLabels}), so no two of them are equal: not compared again
     */
    static String check(MetricFamily family, NameValidation names, boolean seriesKnownDistinct) {
        if (!names.isValidMetricName(family.name())) {
            return "metric name " + Names.quote(family.name()) + " is not a valid metric name";
        }
        List<Metric> metrics = family.metrics();
        // a device's family holds a series or a few: compared pairwise, they need no set of their labels
        Set<List<Label>> seen = metrics.size() > PAIRWISE_SERIES && !seriesKnownDistinct ? new HashSet<>() : null;
        for (int i = 0; i < metrics.size(); i++) {
            Metric metric = metrics.get(i);
            if (!metric.hasValueOf(family.type())) {
                return describe(family.name(), metric) + " is not a " + family.type();
            }
            String previous = "";
            List<Label> labels = metric.labels();
            for (int l = 0; l < labels.size(); l++) { // indexed: an iterator per series showed in the allocation profile
                String name = labels.get(l).name();
                if (name.equals(previous)) {
                    return describe(family.name(), metric) + " has two or more labels with the same name: " + name;
                }
                if (!names.isUsableLabelName(name)) {
                    return describe(family.name(), metric) + " has a label with an invalid name: " + name;
                }
                if (family.type() == MetricType.SUMMARY && name.equals("quantile")) {
                    return describe(family.name(), metric) + " must not have an explicit \"quantile\" label";
                }
                if (family.type().isHistogram() && name.equals("le")) {
                    return describe(family.name(), metric) + " must not have an explicit \"le\" label";
                }
                previous = name;
            }
            if (!seriesKnownDistinct && (seen != null ? !seen.add(metric.labels()) : sameLabelsBefore(metrics, i))) {
                return describe(family.name(), metric)
                        + " was collected before with the same name and label values";
            }
        }
        return null;
    }

    /** {@code collected metric "name" {a="1",b="2"}}, as upstream starts its messages. */
    static String describe(String familyName, Metric metric) {
        StringBuilder text = new StringBuilder("collected metric ").append(Names.quote(familyName)).append(" {");
        boolean first = true;
        for (Label label : metric.labels()) {
            if (!first) {
                text.append(',');
            }
            first = false;
            text.append(label.name()).append('=').append(Names.quote(label.value()));
        }
        return text.append('}').toString();
    }

    private static boolean sameLabelsBefore(List<Metric> metrics, int index) {
        List<Label> labels = metrics.get(index).labels();
        for (int j = 0; j < index; j++) {
            if (metrics.get(j).labels().equals(labels)) {
                return true;
            }
        }
        return false;
    }
}
