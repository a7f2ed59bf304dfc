package io.tidegate.ttl;

import io.tidegate.key.GroupingKey;
import io.tidegate.store.ExpiryQueue;
import io.tidegate.store.Group;
import io.tidegate.store.StoredFamily;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The expiry schedule: when each group next has something expire, ordered by time, then by when it
 * was scheduled (cheap to compare when a hundred thousand share one deadline), with each group's
 * entry found by its key. The store it is given to keeps it up to date under its writer lock; it has
 * no lock of its own.
 *
 * <p>Most rescheduling is a device writing again with the same TTL, from a clock that moves forward:
 * its new time is no earlier than any scheduled with that TTL before it. Such entries go to a
 * <em>lane</em>, a queue in the order scheduled that is therefore also in time order, linked through
 * the entries themselves, where moving a group costs one lookup of its key and relinking its entry
 * instead of two walks of a tree. An entry goes to the first lane whose
 * latest time is not after its own; a few lanes cover a few TTLs in use, and an entry no lane can
 * take in order goes to a tree. The earliest entry is the earliest of the lanes' heads and the tree's
 * first.
 */
public final class ExpirySchedule implements ExpiryQueue {
    private static final int LANES = 8;

    /** One group's next expiry, linked into its lane ({@code lane} its index) or kept in the tree ({@code lane} -1). */
    private static final class Expiry implements Comparable<Expiry> {
        long atMillis;
        long sequence;
        Group group;
        int lane;
        Expiry previous;
        Expiry next;

        @Override
        public int compareTo(Expiry other) {
            int byTime = Long.compare(atMillis, other.atMillis);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }

    /** Entries in the order scheduled, each no earlier than the one before it. */
    private static final class Lane {
        Expiry head;
        Expiry tail;
        long latestMillis = Long.MIN_VALUE; // of any entry added since it was last empty

        void append(Expiry expiry) {
            latestMillis = head == null ? expiry.atMillis : Math.max(latestMillis, expiry.atMillis);
            expiry.previous = tail;
            expiry.next = null;
            if (tail == null) {
                head = expiry;
            } else {
                tail.next = expiry;
            }
            tail = expiry;
        }

        void unlink(Expiry expiry) {
            if (expiry.previous == null) {
                head = expiry.next;
            } else {
                expiry.previous.next = expiry.next;
            }
            if (expiry.next == null) {
                tail = expiry.previous;
            } else {
                expiry.next.previous = expiry.previous;
            }
            expiry.previous = null;
            expiry.next = null;
        }
    }

    private final List<Lane> lanes = new ArrayList<>();
    private final TreeSet<Expiry> tree = new TreeSet<>();
    private final Map<GroupingKey, Expiry> scheduled = new HashMap<>();
    private long sequence;

    /** Schedules {@code group} for {@code atMillis}; what was scheduled under its key before is moved, not added to. */
    @Override
    public void add(Group group, long atMillis) {
        Expiry expiry = scheduled.get(group.key());
        if (expiry == null) {
            expiry = new Expiry();
            scheduled.put(group.key(), expiry);
        } else {
            drop(expiry);
        }
        expiry.atMillis = atMillis;
        expiry.sequence = sequence++;
        expiry.group = group;
        expiry.lane = laneFor(atMillis);
        if (expiry.lane < 0) {
            tree.add(expiry);
        } else {
            lanes.get(expiry.lane).append(expiry);
        }
    }

    /** The first lane that takes {@code atMillis} in order, a new one while there are fewer than {@link #LANES}; -1 for none. */
    private int laneFor(long atMillis) {
        for (int i = 0; i < lanes.size(); i++) {
            Lane lane = lanes.get(i);
            if (lane.head == null || lane.latestMillis <= atMillis) {
                return i;
            }
        }
        if (lanes.size() < LANES) {
            lanes.add(new Lane());
            return lanes.size() - 1;
        }
        return -1;
    }

    @Override
    public void remove(GroupingKey key) {
        Expiry expiry = scheduled.remove(key);
        if (expiry != null) {
            drop(expiry);
        }
    }

    private void drop(Expiry expiry) {
        if (expiry.lane < 0) {
            tree.remove(expiry);
        } else {
            lanes.get(expiry.lane).unlink(expiry);
        }
    }

    @Override
    public Group pollDue(long nowMillis) {
        Expiry first = first();
        if (first == null || first.atMillis > nowMillis) {
            return null;
        }
        drop(first);
        scheduled.remove(first.group.key());
        return first.group;
    }

    @Override
    public long nextMillis() {
        Expiry first = first();
        return first == null ? StoredFamily.NEVER : first.atMillis;
    }

    /** The earliest entry: of the lanes' heads and the tree's first. */
    private Expiry first() {
        Expiry first = tree.isEmpty() ? null : tree.first();
        for (Lane lane : lanes) {
            Expiry head = lane.head;
            if (head != null && (first == null || head.compareTo(first) < 0)) {
                first = head;
            }
        }
        return first;
    }
}
