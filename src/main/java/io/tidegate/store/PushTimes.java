package io.tidegate.store;

import io.tidegate.key.GroupingKey;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.MetricType;
import java.util.List;

/**
 * The gauges Tidegate keeps per group: upstream's {@code push_time_seconds} and
 * {@code push_failure_time_seconds}, {@code push_expiry_time_seconds} for a group with a deadline,
 * and {@code push_expired_time_seconds} on the tombstone of an expired group. They live and die
 * with their group, so they carry its deadline. A tombstone keeps its group's {@code push_time_seconds}
 * too, for the Offline view's "last seen"; scrapes show only its {@code push_expired_time_seconds}.
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

    private PushTimes() {}

    /** Names a push body cannot set: the store writes them itself. */
    static boolean isOwnGauge(String familyName) {
        return PUSH_TIME.equals(familyName) || PUSH_FAILURE_TIME.equals(familyName) || EXPIRY_TIME.equals(familyName)
                || EXPIRED_TIME.equals(familyName);
    }

    static StoredFamily pushTime(GroupingKey key, long atMillis, long deadlineMillis) {
        return pushTime(key, atMillis, deadlineMillis, null);
    }

    /**
     * With {@code previous}, the group's version before this write (or null): its gauge of the same name lends the
     * new one its series labels and heap estimate, which come from the key alone, instead of their being made and
     * counted again on every push (the same goes for the two below).
     */
    static StoredFamily pushTime(GroupingKey key, long atMillis, long deadlineMillis, Group previous) {
        return gauge(PUSH_TIME, PUSH_TIME_HELP, key, atMillis, atMillis, deadlineMillis, previous);
    }

    static StoredFamily pushFailureTime(GroupingKey key, long atMillis, long deadlineMillis) {
        return pushFailureTime(key, atMillis, deadlineMillis, null);
    }

    static StoredFamily pushFailureTime(GroupingKey key, long atMillis, long deadlineMillis, Group previous) {
        return gauge(PUSH_FAILURE_TIME, PUSH_FAILURE_TIME_HELP, key, atMillis, atMillis, deadlineMillis, previous);
    }

    static StoredFamily expiryTime(GroupingKey key, long writtenAtMillis, long deadlineMillis, Group previous) {
        return gauge(EXPIRY_TIME, EXPIRY_TIME_HELP, key, deadlineMillis, writtenAtMillis, deadlineMillis, previous);
    }

    static StoredFamily expiredTime(GroupingKey key, long expiredAtMillis, long tombstoneDeadlineMillis) {
        return gauge(EXPIRED_TIME, EXPIRED_TIME_HELP, key, expiredAtMillis, expiredAtMillis, tombstoneDeadlineMillis,
                null);
    }

    /** Zero stands for "never", as upstream writes it. */
    private static StoredFamily gauge(String name, String help, GroupingKey key, long valueMillis, long writtenAtMillis,
            long deadlineMillis, Group previous) {
        double seconds = valueMillis == 0 ? 0 : valueMillis / 1000.0;
        StoredFamily held = previous == null ? null : previous.family(name);
        if (held != null) {
            return held.withValue(seconds, writtenAtMillis, deadlineMillis);
        }
        Metric metric = Metric.simple(GroupingLabels.forGroup(key), seconds, null);
        return new StoredFamily(new MetricFamily(name, help, MetricType.GAUGE, List.of(metric)), writtenAtMillis,
                deadlineMillis, 0);
    }

    static double valueOf(StoredFamily family) {
        return family == null ? 0 : family.family().metrics().get(0).value();
    }

    static long millisOf(StoredFamily family) {
        return family == null ? 0 : family.writtenAtMillis();
    }
}
