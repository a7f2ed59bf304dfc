package io.tidegate.key;

import io.tidegate.format.Label;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The label set that names a group: {@code job} plus the further labels of the push path or MQTT
 * topic. Immutable; its labels are kept sorted by name, so two keys with the same labels are equal
 * whatever order they were given in.
 */
public final class GroupingKey implements Comparable<GroupingKey> {
    public static final String JOB = "job";

    private final Label[] labels;
    private final int hash;
    // compared first: one string comparison instead of one per label name and value
    private final String sortKey;
    private final List<String> labelNames;
    // the labels of a series with none of its own, as the store derives them from this key: made once
    // per key and shared by all such series (no lock: any thread makes the same immutable list)
    private List<Label> keyOnlySeriesLabels;

    private GroupingKey(Label[] sortedLabels) {
        this.labels = sortedLabels;
        this.hash = Arrays.hashCode(sortedLabels);
        StringBuilder key = new StringBuilder();
        List<String> names = new ArrayList<>(sortedLabels.length);
        for (Label label : sortedLabels) {
            key.append(label.name()).append('\0').append(label.value()).append('\1');
            names.add(label.name());
        }
        this.sortKey = key.toString();
        this.labelNames = List.copyOf(names);
    }

    public static GroupingKey of(Map<String, String> labels) {
        Label[] sorted = new Label[labels.size()];
        int i = 0;
        for (Map.Entry<String, String> entry : labels.entrySet()) {
            sorted[i++] = new Label(entry.getKey(), entry.getValue());
        }
        Arrays.sort(sorted);
        return new GroupingKey(sorted);
    }

    /**
     * The labels a series with none of its own carries in this group, made by {@code derive} on the
     * first call and kept: every family of a write, and the group's own gauges, then share one list.
     * {@code derive} returns an immutable list, kept as it is (not copied: the store's list keeps its
     * rendered text, which a copy would lose).
     */
    public List<Label> keyOnlySeriesLabels(Function<GroupingKey, List<Label>> derive) {
        List<Label> labels = keyOnlySeriesLabels;
        if (labels == null) {
            labels = derive.apply(this);
            keyOnlySeriesLabels = labels;
        }
        return labels;
    }

    public List<Label> labels() {
        return Collections.unmodifiableList(Arrays.asList(labels));
    }

    public int size() {
        return labels.length;
    }

    public Label label(int index) {
        return labels[index];
    }

    public String get(String name) {
        for (Label label : labels) {
            if (label.name().equals(name)) {
                return label.value();
            }
        }
        return null;
    }

    public String job() {
        return get(JOB);
    }

    /** The names of this key's labels, sorted; groups with the same names share a "shape". */
    public List<String> labelNames() {
        return labelNames;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof GroupingKey key && hash == key.hash && Arrays.equals(labels, key.labels);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public int compareTo(GroupingKey other) {
        int bySortKey = sortKey.compareTo(other.sortKey);
        if (bySortKey != 0) {
            return bySortKey;
        }
        // only values holding the separator characters themselves can get here with different labels
        int common = Math.min(labels.length, other.labels.length);
        for (int i = 0; i < common; i++) {
            int byLabel = labels[i].compareTo(other.labels[i]);
            if (byLabel != 0) {
                return byLabel;
            }
        }
        return Integer.compare(labels.length, other.labels.length);
    }

    /** {@code job="a", instance="b"}, job first, for messages and logs. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("{");
        String job = job();
        if (job != null) {
            text.append("job=\"").append(job).append('"');
        }
        for (Label label : labels) {
            if (!label.name().equals(JOB)) {
                if (text.length() > 1) {
                    text.append(", ");
                }
                text.append(label.name()).append("=\"").append(label.value()).append('"');
            }
        }
        return text.append('}').toString();
    }
}
