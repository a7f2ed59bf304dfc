package io.tidegate.store;

import io.tidegate.key.GroupingKey;
import java.util.Map;
import java.util.HashMap;

/**
 * The families last written under one grouping key, with {@code push_time_seconds} and
 * {@code push_failure_time_seconds} among them, where the last write came from, and the group's
 * deadline (its latest family deadline). Immutable: a write makes a new group, so a reader
 * holding a group never sees half a write.
 *
 * <p>A tombstone is what remains of an expired group when {@code --ttl.tombstone} is set: only its
 * {@code push_expired_time_seconds} gauge, until that runs out too.
 */
public record Group(GroupingKey key, Map<String, StoredFamily> families, Source source, long deadlineMillis,
        boolean tombstone) {
    public Group {
        families = FamilyMap.of(families);
    }

    /** The families in name order. */
    FamilyMap sortedFamilies() {
        return (FamilyMap) families;
    }

    public StoredFamily family(String name) {
        return families.get(name);
    }

    public boolean hasDeadline() {
        return deadlineMillis != StoredFamily.NEVER;
    }

    public boolean isLiveAt(long nowMillis) {
        return !tombstone && nowMillis < deadlineMillis;
    }

    /** Series held, the push time gauges included: what {@code --store.max-series} counts. */
    long seriesCount() {
        return sortedFamilies().seriesCount();
    }

    /**
     * The heap this group takes, its families' renderings for scrapes included, as {@link HeapEstimate}
     * counts it: what {@code --store.max-bytes} counts. Summed when the group was built.
     */
    long heapBytes() {
        return HeapEstimate.PER_GROUP + sortedFamilies().heapBytes();
    }

    /** The earliest deadline among the families, when the sweep has something to do here. */
    long nextExpiryMillis() {
        long next = deadlineMillis;
        for (StoredFamily family : families.values()) {
            next = Math.min(next, family.deadlineMillis());
        }
        return next;
    }

    /** This group as a reader should see it at {@code nowMillis}: without families already expired. */
    Group liveAt(long nowMillis) {
        if (nextExpiryMillis() > nowMillis) {
            return this;
        }
        Map<String, StoredFamily> live = new HashMap<>(); // the group sorts them
        families.forEach((name, family) -> {
            if (family.isLiveAt(nowMillis)) {
                live.put(name, family);
            }
        });
        return new Group(key, live, source, deadlineMillis, tombstone);
    }

    /** As upstream: the last push succeeded unless the failure time is later than the push time. */
    public boolean lastPushSuccessful() {
        double pushed = PushTimes.valueOf(families.get(PushTimes.PUSH_TIME));
        double failed = PushTimes.valueOf(families.get(PushTimes.PUSH_FAILURE_TIME));
        return failed <= pushed;
    }
}
