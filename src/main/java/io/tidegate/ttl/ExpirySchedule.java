package io.tidegate.ttl;

import io.tidegate.key.GroupingKey;
import io.tidegate.store.ExpiryQueue;
import io.tidegate.store.Group;
import io.tidegate.store.StoredFamily;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The expiry schedule: when each group next has something expire, ordered by time, then by when it
 * was scheduled (cheap to compare when a hundred thousand share one deadline), with each group's
 * entry found by its key, so rescheduling a group on every write costs two logarithmic updates. The
 * store it is given to keeps it up to date under its writer lock; it has no lock of its own.
 */
public final class ExpirySchedule implements ExpiryQueue {
    /** One group's next expiry. */
    private record Expiry(long atMillis, long sequence, Group group) implements Comparable<Expiry> {
        @Override
        public int compareTo(Expiry other) {
            int byTime = Long.compare(atMillis, other.atMillis);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }

    private final TreeSet<Expiry> expiries = new TreeSet<>();
    private final Map<GroupingKey, Expiry> scheduled = new HashMap<>();
    private long sequence;

    @Override
    public void add(Group group, long atMillis) {
        Expiry expiry = new Expiry(atMillis, sequence++, group);
        expiries.add(expiry);
        scheduled.put(group.key(), expiry);
    }

    @Override
    public void remove(GroupingKey key) {
        Expiry expiry = scheduled.remove(key);
        if (expiry != null) {
            expiries.remove(expiry);
        }
    }

    @Override
    public Group pollDue(long nowMillis) {
        if (expiries.isEmpty() || expiries.first().atMillis() > nowMillis) {
            return null;
        }
        Expiry due = expiries.pollFirst();
        scheduled.remove(due.group().key());
        return due.group();
    }

    @Override
    public long nextMillis() {
        return expiries.isEmpty() ? StoredFamily.NEVER : expiries.first().atMillis();
    }
}
