package io.tidegate.store;

import io.tidegate.key.GroupingKey;
import io.tidegate.format.MetricType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The families last written under one grouping key, where the last write came from, the group's deadline (its
 * latest family deadline), and the times of Tidegate's own gauges ({@link PushTimes}): {@code push_time_seconds},
 * {@code push_failure_time_seconds}, and {@code push_expiry_time_seconds} for a group with a deadline. Immutable:
 * a write makes a new group, so a reader holding a group never sees half a write.
 *
 * <p>The gauges are kept as times, not as families: a device's every message replaces its group, and the gauges
 * were three of the seven families a zigbee2mqtt device's group held, each made anew by every message and kept
 * until the next (a drain's collector copied them with the rest). They are made as families each
 * time something reads them ({@link #ownGauges}: a scrape, the JSON API, the journal), and dropped after.
 *
 * <p>A tombstone is what remains of an expired group when {@code --ttl.tombstone} is set: only its
 * {@code push_expired_time_seconds} gauge (and its last push time, for the Offline view), until that runs out too.
 */
public final class Group {
    /** A gauge time the group does not have (a tombstone has no failure time; one of a group never pushed, no push time). */
    static final long ABSENT = -1;

    private final GroupingKey key;
    private final FamilyMap pushed;
    private final Source source;
    private final long deadlineMillis;
    private final boolean tombstone;
    private final long pushTimeMillis;
    private final long failureTimeMillis;
    private final long expiredTimeMillis;
    private final long gaugeHeapBytes;

    /**
     * A group as families name it, Tidegate's own gauges among them (as the journal and a replica's state hold it):
     * each gauge's time is its write time.
     *
     * @throws IllegalArgumentException when one of Tidegate's own gauges is not a gauge with one series
     */
    public Group(GroupingKey key, Map<String, StoredFamily> families, Source source, long deadlineMillis,
            boolean tombstone) {
        this(key, pushedOnly(families), source, deadlineMillis, tombstone, timeOf(families, PushTimes.PUSH_TIME),
                timeOf(families, PushTimes.PUSH_FAILURE_TIME),
                tombstone ? timeOf(families, PushTimes.EXPIRED_TIME) : ABSENT, null);
    }

    /**
     * @param previous the version of this group it replaces, or null: it lends the gauges' heap estimate, which
     *     depends on the key alone, so a write does not count it again
     */
    Group(GroupingKey key, Map<String, StoredFamily> pushed, Source source, long deadlineMillis, boolean tombstone,
            long pushTimeMillis, long failureTimeMillis, long expiredTimeMillis, Group previous) {
        this.key = key;
        this.pushed = FamilyMap.of(pushed);
        this.source = source;
        this.deadlineMillis = deadlineMillis;
        this.tombstone = tombstone;
        this.pushTimeMillis = pushTimeMillis;
        this.failureTimeMillis = tombstone ? ABSENT : failureTimeMillis;
        this.expiredTimeMillis = tombstone ? expiredTimeMillis : ABSENT;
        this.gaugeHeapBytes = previous != null && previous.gaugeKinds() == gaugeKinds()
                && previous.key.equals(key) ? previous.gaugeHeapBytes : PushTimes.heapBytes(this);
    }

    private static Map<String, StoredFamily> pushedOnly(Map<String, StoredFamily> families) {
        Map<String, StoredFamily> pushed = new HashMap<>();
        families.forEach((name, family) -> {
            if (!PushTimes.isOwnGauge(name)) {
                pushed.put(name, family);
            } else if (family.family().type() != MetricType.GAUGE || family.family().metrics().size() != 1) {
                throw new IllegalArgumentException(name + " must be a gauge with one series");
            }
        });
        return pushed;
    }

    private static long timeOf(Map<String, StoredFamily> families, String gauge) {
        StoredFamily family = families.get(gauge);
        return family == null ? ABSENT : family.writtenAtMillis();
    }

    public GroupingKey key() {
        return key;
    }

    public Source source() {
        return source;
    }

    public long deadlineMillis() {
        return deadlineMillis;
    }

    public boolean tombstone() {
        return tombstone;
    }

    /**
     * Every family by name, Tidegate's own gauges included: made on every call, for readers that want them all
     * at once (the JSON API, tests); a scrape reads {@link #pushedFamilies} and {@link #ownGauges}.
     */
    public Map<String, StoredFamily> families() {
        List<StoredFamily> own = ownGauges();
        if (own.isEmpty()) {
            return pushed;
        }
        Map<String, StoredFamily> all = new HashMap<>(pushed);
        for (StoredFamily gauge : own) {
            all.put(gauge.name(), gauge);
        }
        return FamilyMap.of(all);
    }

    /** The families written to the group, without Tidegate's own gauges, in name order. */
    public Map<String, StoredFamily> pushedFamilies() {
        return pushed;
    }

    /** {@link #pushedFamilies}, for the store's walks in name order. */
    FamilyMap sortedFamilies() {
        return pushed;
    }

    /**
     * Tidegate's own gauges of this group as families, in name order, each with the group's deadline (they live
     * and die with it); made on every call, so a group written again before anything read it never made them.
     */
    public List<StoredFamily> ownGauges() {
        return PushTimes.gauges(this);
    }

    /** The family of this name, one of Tidegate's own gauges included; null for none. */
    public StoredFamily family(String name) {
        StoredFamily family = pushed.get(name);
        if (family != null || !PushTimes.isOwnGauge(name)) {
            return family;
        }
        for (StoredFamily gauge : ownGauges()) {
            if (gauge.name().equals(name)) {
                return gauge;
            }
        }
        return null;
    }

    /** When the group was last written ({@code push_time_seconds}); 0 for never (a group only ever refused). */
    public long pushTimeMillis() {
        return Math.max(0, pushTimeMillis);
    }

    /** Whether the group has a {@code push_time_seconds} (every group but a tombstone of one never written). */
    boolean hasPushTime() {
        return pushTimeMillis != ABSENT;
    }

    /** When a write to the group was last refused ({@code push_failure_time_seconds}), 0 for never; absent on a tombstone. */
    long failureTimeMillis() {
        return failureTimeMillis;
    }

    /** A tombstone's {@code push_expired_time_seconds}: when its group expired; absent on a live group. */
    long expiredTimeMillis() {
        return expiredTimeMillis;
    }

    /** Which of the gauges the group has, as {@link PushTimes} numbers them. */
    int gaugeKinds() {
        return (pushTimeMillis != ABSENT ? PushTimes.HAS_PUSH_TIME : 0)
                | (failureTimeMillis != ABSENT ? PushTimes.HAS_FAILURE_TIME : 0)
                | (!tombstone && deadlineMillis != StoredFamily.NEVER ? PushTimes.HAS_EXPIRY_TIME : 0)
                | (expiredTimeMillis != ABSENT ? PushTimes.HAS_EXPIRED_TIME : 0);
    }

    public boolean hasDeadline() {
        return deadlineMillis != StoredFamily.NEVER;
    }

    public boolean isLiveAt(long nowMillis) {
        return !tombstone && nowMillis < deadlineMillis;
    }

    /** Series held, the gauges included: what {@code --store.max-series} counts. */
    long seriesCount() {
        return pushed.seriesCount() + Integer.bitCount(gaugeKinds());
    }

    /**
     * The heap this group takes, its families' renderings for scrapes included and its gauges counted as if made,
     * as {@link HeapEstimate} counts it: what {@code --store.max-bytes} counts. Summed when the group was built.
     */
    long heapBytes() {
        return HeapEstimate.PER_GROUP + pushed.heapBytes() + gaugeHeapBytes;
    }

    /** The earliest deadline among the families, when the sweep has something to do here. */
    long nextExpiryMillis() {
        long next = deadlineMillis;
        for (StoredFamily family : pushed.values()) {
            next = Math.min(next, family.deadlineMillis());
        }
        return next;
    }

    /** The same group with other families written to it (its gauges as they are). */
    Group withPushed(Map<String, StoredFamily> families) {
        return new Group(key, families, source, deadlineMillis, tombstone, pushTimeMillis, failureTimeMillis,
                expiredTimeMillis, this);
    }

    /** This group as a reader should see it at {@code nowMillis}: without families already expired. */
    Group liveAt(long nowMillis) {
        if (nextExpiryMillis() > nowMillis) {
            return this;
        }
        return withPushed(liveFamilies(nowMillis));
    }

    /** Its families still live at {@code nowMillis}. */
    Map<String, StoredFamily> liveFamilies(long nowMillis) {
        Map<String, StoredFamily> live = new HashMap<>(); // the group sorts them
        pushed.forEach((name, family) -> {
            if (family.isLiveAt(nowMillis)) {
                live.put(name, family);
            }
        });
        return live;
    }

    /** As upstream: the last push succeeded unless the failure time is later than the push time. */
    public boolean lastPushSuccessful() {
        return Math.max(0, failureTimeMillis) <= pushTimeMillis();
    }
}
