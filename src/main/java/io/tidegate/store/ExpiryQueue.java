package io.tidegate.store;

import io.tidegate.key.GroupingKey;

/**
 * When each group held next has something expire, earliest first: the sweep's schedule, as the
 * {@link Store} keeps it up to date. The store reschedules a group whenever it replaces or removes
 * it, and polls the due ones when it applies {@link StoreCommand.ExpireDue}. It calls the queue only
 * under its writer lock, so an implementation needs no locking of its own, and must cost no more
 * than a lookup per call (the lock is held for index updates only, and a hundred thousand groups
 * may share one deadline). The schedule itself belongs with the TTL rules, in
 * {@code io.tidegate.ttl.ExpirySchedule}; one queue serves one store.
 */
public interface ExpiryQueue {
    /**
     * Schedules {@code group}, as now stored under its key, for {@code atMillis}, in place of what was
     * scheduled for that key before, if anything.
     */
    void add(Group group, long atMillis);

    /** Drops what is scheduled for {@code key}, if anything. */
    void remove(GroupingKey key);

    /**
     * Takes the group scheduled earliest off the queue, if its time is at or before {@code nowMillis};
     * null when nothing is due. Groups due at the same time come in the order they were scheduled.
     */
    Group pollDue(long nowMillis);

    /** The earliest time scheduled, or {@link StoredFamily#NEVER} when nothing is. */
    long nextMillis();
}
