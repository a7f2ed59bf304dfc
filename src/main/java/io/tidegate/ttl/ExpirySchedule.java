package io.tidegate.ttl;

import io.tidegate.key.GroupingKey;
import io.tidegate.store.ExpiryQueue;
import io.tidegate.store.Group;
import io.tidegate.store.StoredFamily;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
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
 * <em>lane</em>, a queue in the order scheduled that is therefore also in time order, where moving a
 * group costs two hash updates instead of two walks of a tree. An entry goes to the first lane whose
 * latest time is not after its own; a few lanes cover a few TTLs in use, and an entry no lane can
 * take in order goes to a tree. The earliest entry is the earliest of the lanes' heads and the tree's
 * first.
 */
public final class ExpirySchedule implements ExpiryQueue {
    private static final int LANES = 8;

    /** One group's next expiry; {@code lane} is where it is kept, -1 for the tree. */
    private record Expiry(long atMillis, long sequence, Group group, int lane) implements Comparable<Expiry> {
        @Override
        public int compareTo(Expiry other) {
            int byTime = Long.compare(atMillis, other.atMillis);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }

    /** Entries in the order scheduled, each no earlier than the one before it. */
    private static final class Lane {
        final LinkedHashMap<GroupingKey, Expiry> entries = new LinkedHashMap<>();
        long latestMillis = Long.MIN_VALUE; // of any entry ever added: later entries must not be earlier

        Expiry first() {
            Iterator<Expiry> iterator = entries.values().iterator();
            return iterator.hasNext() ? iterator.next() : null;
        }
    }

    private final List<Lane> lanes = new ArrayList<>();
    private final TreeSet<Expiry> tree = new TreeSet<>();
    private final Map<GroupingKey, Expiry> scheduled = new HashMap<>();
    private long sequence;

    @Override
    public void add(Group group, long atMillis) {
        int laneIndex = -1;
        for (int i = 0; i < lanes.size(); i++) {
            Lane lane = lanes.get(i);
            if (lane.entries.isEmpty() || lane.latestMillis <= atMillis) {
                laneIndex = i;
                break;
            }
        }
        if (laneIndex < 0 && lanes.size() < LANES) {
            lanes.add(new Lane());
            laneIndex = lanes.size() - 1;
        }
        Expiry expiry = new Expiry(atMillis, sequence++, group, laneIndex);
        if (laneIndex < 0) {
            tree.add(expiry);
        } else {
            Lane lane = lanes.get(laneIndex);
            lane.entries.put(group.key(), expiry);
            lane.latestMillis = lane.entries.size() == 1 ? atMillis : Math.max(lane.latestMillis, atMillis);
        }
        scheduled.put(group.key(), expiry);
    }

    @Override
    public void remove(GroupingKey key) {
        Expiry expiry = scheduled.remove(key);
        if (expiry != null) {
            drop(expiry);
        }
    }

    private void drop(Expiry expiry) {
        if (expiry.lane() < 0) {
            tree.remove(expiry);
        } else {
            lanes.get(expiry.lane()).entries.remove(expiry.group().key());
        }
    }

    @Override
    public Group pollDue(long nowMillis) {
        Expiry first = first();
        if (first == null || first.atMillis() > nowMillis) {
            return null;
        }
        drop(first);
        scheduled.remove(first.group().key());
        return first.group();
    }

    @Override
    public long nextMillis() {
        Expiry first = first();
        return first == null ? StoredFamily.NEVER : first.atMillis();
    }

    /** The earliest entry: of the lanes' heads and the tree's first. */
    private Expiry first() {
        Expiry first = tree.isEmpty() ? null : tree.first();
        for (Lane lane : lanes) {
            Expiry head = lane.first();
            if (head != null && (first == null || head.compareTo(first) < 0)) {
                first = head;
            }
        }
        return first;
    }
}
