package io.tidegate.store;

import io.tidegate.key.GroupingKey;
import io.tidegate.format.Label;
import io.tidegate.format.LabelList;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import java.util.Arrays;
import java.util.List;

/**
 * Applies a grouping key to pushed series as upstream does: the key's labels replace labels of the
 * same name in the body, missing ones are added, a series without {@code instance} gets
 * {@code instance=""}, and the labels end up sorted by name.
 *
 * <p>A series whose labels come out equal to those of the series at the same place in the family its
 * group holds takes that series' list instead of a new one. A device sends the same series message
 * after message, and its group lives until the next one: a new list per series and message would be
 * kept that long too, long enough for the collector to copy it out of the young generation, while the
 * shared one was copied once.
 */
final class GroupingLabels {
    static final String INSTANCE = "instance";
    private static final Label EMPTY_INSTANCE = new Label(INSTANCE, "");

    private GroupingLabels() {}

    /**
     * @param held the family of this name the key's group holds now, or null: its series' label lists are
     *     taken where they are equal to what the key makes of the pushed ones, place by place
     */
    static MetricFamily apply(MetricFamily family, GroupingKey key, MetricFamily held) {
        List<Metric> metrics = family.metrics();
        List<Metric> heldMetrics = held == null ? List.of() : held.metrics();
        Metric[] sanitized = new Metric[metrics.size()]; // the family takes List.of's list as it is, not a copy
        Label[] merged = null;
        for (int i = 0; i < metrics.size(); i++) {
            Metric metric = metrics.get(i);
            List<Label> labels;
            if (metric.labels().isEmpty()) {
                labels = forGroup(key);
            } else {
                int size = metric.labels().size() + key.size() + 1;
                if (merged == null || merged.length < size) {
                    merged = new Label[size];
                }
                int count = merge(metric.labels(), key, merged);
                List<Label> heldLabels = i < heldMetrics.size() ? heldMetrics.get(i).labels() : null;
                labels = heldLabels != null && equal(merged, count, heldLabels)
                        ? heldLabels
                        : List.of(Arrays.copyOf(merged, count));
            }
            sanitized[i] = metric.withLabels(labels);
        }
        return family.withMetrics(List.of(sanitized));
    }

    /**
     * The labels of a group's own gauges (push times) and of every series pushed without labels of its
     * own: the key, plus instance="" if absent; one list per key.
     */
    static List<Label> forGroup(GroupingKey key) {
        return key.keyOnlySeriesLabels(GroupingLabels::keyOnly);
    }

    private static List<Label> keyOnly(GroupingKey key) {
        Label[] merged = new Label[key.size() + 1];
        int count = merge(List.of(), key, merged);
        return LabelList.of(Arrays.copyOf(merged, count)); // shared by many series: keeps its text
    }

    /** Writes the labels the key makes of {@code bodyLabels} into {@code merged}, sorted by name; returns how many. */
    private static int merge(List<Label> bodyLabels, GroupingKey key, Label[] merged) {
        int count = 0;
        boolean hasInstance = false;
        for (int i = 0; i < bodyLabels.size(); i++) {
            Label label = bodyLabels.get(i);
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
            merged[count++] = EMPTY_INSTANCE;
        }
        Arrays.sort(merged, 0, count, (a, b) -> a.name().compareTo(b.name()));
        return count;
    }

    /** Whether each series of {@code family} has the very label list of the series at its place in {@code held}. */
    static boolean sameLabelLists(MetricFamily family, MetricFamily held) {
        List<Metric> metrics = family.metrics();
        List<Metric> heldMetrics = held.metrics();
        if (metrics.size() > heldMetrics.size()) {
            return false;
        }
        for (int i = 0; i < metrics.size(); i++) {
            if (metrics.get(i).labels() != heldMetrics.get(i).labels()) {
                return false;
            }
        }
        return true;
    }

    private static boolean equal(Label[] labels, int count, List<Label> held) {
        if (held.size() != count) {
            return false;
        }
        for (int i = 0; i < count; i++) {
            if (!labels[i].equals(held.get(i))) {
                return false;
            }
        }
        return true;
    }
}
