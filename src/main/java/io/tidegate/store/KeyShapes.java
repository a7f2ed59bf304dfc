package io.tidegate.store;

import io.tidegate.key.GroupingKey;
import io.tidegate.format.Label;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * For each job, the distinct sets of label names its grouping keys have, counted. A pushed series
 * can only collide with a series of another group whose key is contained in the series' labels;
 * projecting the series onto each shape of its job names every such group directly, so checking
 * for duplicates costs a few lookups per series and no index of all series.
 */
final class KeyShapes {
    private final Map<String, Map<List<String>, Integer>> shapesByJob = new HashMap<>();

    void add(GroupingKey key) {
        shapesByJob.computeIfAbsent(key.job(), job -> new HashMap<>()).merge(key.labelNames(), 1, Integer::sum);
    }

    void remove(GroupingKey key) {
        Map<List<String>, Integer> shapes = shapesByJob.get(key.job());
        if (shapes == null) {
            return;
        }
        List<String> names = key.labelNames();
        if (shapes.merge(names, -1, Integer::sum) == 0) {
            shapes.remove(names);
            if (shapes.isEmpty()) {
                shapesByJob.remove(key.job());
            }
        }
    }

    /** The distinct label-name sets of the grouping keys of {@code job}. */
    Iterable<List<String>> shapesOf(String job) {
        Map<List<String>, Integer> shapes = shapesByJob.get(job);
        return shapes == null ? List.of() : shapes.keySet();
    }

    /** The key made of {@code series}' values for {@code names}, or null when one is missing. */
    static GroupingKey project(List<Label> series, List<String> names) {
        Map<String, String> labels = new HashMap<>(names.size() * 2);
        for (String name : names) {
            String value = null;
            for (Label label : series) {
                if (label.name().equals(name)) {
                    value = label.value();
                    break;
                }
            }
            if (value == null) {
                return null;
            }
            labels.put(name, value);
        }
        return GroupingKey.of(labels);
    }
}
