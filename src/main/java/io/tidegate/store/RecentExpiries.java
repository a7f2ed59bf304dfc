package io.tidegate.store;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The last {@link #CAPACITY} groups that expired, newest first, for the Offline view when
 * {@code --ttl.tombstone} is off (with tombstones on, the tombstones themselves say which groups
 * went offline). Bounded, in memory only: a restart forgets them. Written under the store's writer
 * lock, read by anyone without a lock.
 */
final class RecentExpiries {
    static final int CAPACITY = 100;

    private volatile List<OfflineGroup> newestFirst = List.of();

    /** Under the writer lock. */
    void add(OfflineGroup expired) {
        List<OfflineGroup> next = new ArrayList<>(Math.min(newestFirst.size() + 1, CAPACITY));
        next.add(expired);
        for (OfflineGroup older : newestFirst) {
            if (next.size() == CAPACITY) {
                break;
            }
            if (!older.key().equals(expired.key())) {
                next.add(older);
            }
        }
        newestFirst = Collections.unmodifiableList(next);
    }

    /** Under the writer lock: after a wipe nothing is remembered. */
    void clear() {
        newestFirst = List.of();
    }

    List<OfflineGroup> newestFirst() {
        return newestFirst;
    }
}
