package io.tidegate.store;

import io.tidegate.key.GroupingKey;
import io.tidegate.format.Label;
import io.tidegate.format.LabelList;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Applies a grouping key to pushed series as upstream does: the key's labels replace labels of the
 * same name in the body, missing ones are added, a series without {@code instance} gets
 * {@code instance=""}, and the labels end up sorted by name.
 */
final class GroupingLabels {
    static final String INSTANCE = "instance";

    private GroupingLabels() {}

    static MetricFamily apply(MetricFamily family, GroupingKey key) {
        List<Metric> sanitized = new ArrayList<>(family.metrics().size());
        for (Metric metric : family.metrics()) {
            List<Label> labels;
            if (metric.labels().isEmpty()) {
                labels = forGroup(key);
            } else {
                labels = apply(metric.labels(), key);
            }
            sanitized.add(metric.withLabels(labels));
        }
        return family.withMetrics(sanitized);
    }

    /**
     * The labels of a group's own gauges (push times) and of every series pushed without labels of its
     * own: the key, plus instance="" if absent; one list per key.
     */
    static List<Label> forGroup(GroupingKey key) {
        return key.keyOnlySeriesLabels(GroupingLabels::keyOnly);
    }

    private static List<Label> keyOnly(GroupingKey key) {
        return LabelList.of(apply(List.of(), key).toArray(new Label[0])); // shared by many series: keeps its text
    }

    private static List<Label> apply(List<Label> bodyLabels, GroupingKey key) {
        Label[] merged = new Label[bodyLabels.size() + key.size() + 1];
        int count = 0;
        boolean hasInstance = false;
        for (Label label : bodyLabels) {
            if (key.get(label.name()) == null) {
                merged[count++] = label;
                hasInstance |= label.name().equals(INSTANCE);
            }
        }
        for (int i = 0; i < key.size(); i++) {
            Label label = key.label(i);
            merged[count++] = label;
            hasInstance |= label.name().equals(INSTANCE);
        }
        if (!hasInstance) {
            merged[count++] = new Label(INSTANCE, "");
        }
        Label[] result = Arrays.copyOf(merged, count);
        Arrays.sort(result, (a, b) -> a.name().compareTo(b.name()));
        return List.of(result);
    }
}
