package io.tidegate;

import io.tidegate.key.GroupingKey;
import java.util.LinkedHashMap;
import java.util.Map;

/** Grouping keys for tests, written as the labels read: {@code key("job", "backup", "instance", "db1")}. */
public final class TestKeys {
    private TestKeys() {}

    /** The key of these labels, given as name, value, name, value... */
    public static GroupingKey key(String... namesAndValues) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            labels.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return GroupingKey.of(labels);
    }
}
