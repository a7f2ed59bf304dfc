package io.tidegate.store;

import io.tidegate.key.GroupingKey;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.MetricType;
import java.util.List;

/**
 * The gauges Tidegate keeps per group: upstream's {@code push_time_seconds} and
 * {@code push_failure_time_seconds}, {@code push_expiry_time_seconds} for a group with a deadline,
 * and {@code push_expired_time_seconds} on the tombstone of an expired group. A {@link Group} holds their
 * times; here they are made into families. They live and die with their group, so they carry its deadline.
 * A tombstone keeps its group's {@code push_time_seconds} too, for the Offline view's "last seen"; scrapes
 * show only its {@code push_expired_time_seconds}.
 */
final class PushTimes {
    static final String PUSH_TIME = "push_time_seconds";
    static final String PUSH_FAILURE_TIME = "push_failure_time_seconds";
    static final String EXPIRY_TIME = "push_expiry_time_seconds";
    static final String EXPIRED_TIME = "push_expired_time_seconds";
    private static final String PUSH_TIME_HELP = "Last Unix time when changing this group in the Pushgateway succeeded.";
    private static final String PUSH_FAILURE_TIME_HELP = "Last Unix time when changing this group in the Pushgateway failed.";
    private static final String EXPIRY_TIME_HELP = "Unix time when this group expires unless it is pushed again.";
    private static final String EXPIRED_TIME_HELP = "Unix time when this group expired because it was not pushed again.";
    /** {@link Group#gaugeKinds}: which gauges a group has. */
    static final int HAS_PUSH_TIME = 1;
    static final int HAS_FAILURE_TIME = 2;
    static final int HAS_EXPIRY_TIME = 4;
    static final int HAS_EXPIRED_TIME = 8;

    private PushTimes() {}

    /** Names a push body cannot set: the store writes them itself. */
    static boolean isOwnGauge(String familyName) {
        return PUSH_TIME.equals(familyName) || PUSH_FAILURE_TIME.equals(familyName) || EXPIRY_TIME.equals(familyName)
                || EXPIRED_TIME.equals(familyName);
    }

    /** A group's {@code push_time_seconds} as a family. */
    static StoredFamily pushTime(GroupingKey key, long atMillis, long deadlineMillis) {
        return gauge(PUSH_TIME, PUSH_TIME_HELP, key, atMillis, atMillis, deadlineMillis);
    }

    /** The gauges {@code group} has, as families, in name order. */
    static List<StoredFamily> gauges(Group group) {
        int kinds = group.gaugeKinds();
        StoredFamily[] gauges = new StoredFamily[Integer.bitCount(kinds)];
        int made = 0;
        GroupingKey key = group.key();
        long deadline = group.deadlineMillis();
        if ((kinds & HAS_EXPIRED_TIME) != 0) {
            long expiredAt = group.expiredTimeMillis();
            gauges[made++] = gauge(EXPIRED_TIME, EXPIRED_TIME_HELP, key, expiredAt, expiredAt, deadline);
        }
        if ((kinds & HAS_EXPIRY_TIME) != 0) {
            gauges[made++] = gauge(EXPIRY_TIME, EXPIRY_TIME_HELP, key, deadline, group.pushTimeMillis(), deadline);
        }
        if ((kinds & HAS_FAILURE_TIME) != 0) {
            long failedAt = group.failureTimeMillis();
            gauges[made++] = gauge(PUSH_FAILURE_TIME, PUSH_FAILURE_TIME_HELP, key, failedAt, failedAt, deadline);
        }
        if ((kinds & HAS_PUSH_TIME) != 0) {
            long pushedAt = group.pushTimeMillis();
            gauges[made++] = gauge(PUSH_TIME, PUSH_TIME_HELP, key, pushedAt, pushedAt, deadline);
        }
        return List.of(gauges);
    }

    /**
     * The heap {@code group}'s gauges would take if they were held as families, with their renderings, as
     * {@link HeapEstimate} counts it: what {@code --store.max-bytes} counts for them.
     */
    static long heapBytes(Group group) {
        long bytes = 0;
        for (StoredFamily gauge : gauges(group)) {
            bytes += HeapEstimate.ofFamily(gauge.family());
        }
        return bytes;
    }

    /** Zero stands for "never", as upstream writes it. */
    private static StoredFamily gauge(String name, String help, GroupingKey key, long valueMillis, long writtenAtMillis,
            long deadlineMillis) {
        double seconds = valueMillis == 0 ? 0 : valueMillis / 1000.0;
        Metric metric = Metric.simple(GroupingLabels.forGroup(key), seconds, null);
        return StoredFamily.madeForReading(new MetricFamily(name, help, MetricType.GAUGE, List.of(metric)),
                writtenAtMillis, deadlineMillis);
    }
}
