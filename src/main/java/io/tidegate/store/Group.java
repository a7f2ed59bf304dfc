package io.tidegate.store;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The families last written under one grouping key, with {@code push_time_seconds} and
 * {@code push_failure_time_seconds} among them, and where the last write came from. Immutable: a
 * write makes a new group, so a reader holding a group never sees half a write.
 */
public record Group(GroupingKey key, Map<String, StoredFamily> families, Source source) {
    public Group {
        families = Collections.unmodifiableMap(new TreeMap<>(families));
    }

    public StoredFamily family(String name) {
        return families.get(name);
    }

    /** As upstream: the last push succeeded unless the failure time is later than the push time. */
    public boolean lastPushSuccessful() {
        double pushed = PushTimes.valueOf(families.get(PushTimes.PUSH_TIME));
        double failed = PushTimes.valueOf(families.get(PushTimes.PUSH_FAILURE_TIME));
        return failed <= pushed;
    }
}
