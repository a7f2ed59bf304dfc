package io.tidegate.store;

import io.tidegate.key.GroupingKey;

/**
 * A group that expired: its device stopped pushing and its deadline passed. What the web page's
 * Offline view and {@code /api/v1/offline} show.
 *
 * @param lastPushMillis when the group was last pushed (its {@code push_time_seconds}), 0 when not
 *     known (a tombstone written before Tidegate kept it)
 * @param deadlineMillis when it expired: the deadline its last push set
 * @param tombstoneUntilMillis until when its tombstone ({@code push_expired_time_seconds}) is held,
 *     {@link StoredFamily#NEVER} without one
 */
public record OfflineGroup(GroupingKey key, Source source, long lastPushMillis, long deadlineMillis,
        long tombstoneUntilMillis) {
    public boolean hasTombstone() {
        return tombstoneUntilMillis != StoredFamily.NEVER;
    }
}
