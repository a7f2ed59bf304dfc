package io.tidegate.store;

import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.MetricType;
import java.util.List;

/** The two per-group gauges upstream keeps: when the group last changed, and when a change failed. */
final class PushTimes {
    static final String PUSH_TIME = "push_time_seconds";
    static final String PUSH_FAILURE_TIME = "push_failure_time_seconds";
    private static final String PUSH_TIME_HELP = "Last Unix time when changing this group in the Pushgateway succeeded.";
    private static final String PUSH_FAILURE_TIME_HELP = "Last Unix time when changing this group in the Pushgateway failed.";

    private PushTimes() {}

    static boolean isPushTime(String familyName) {
        return PUSH_TIME.equals(familyName) || PUSH_FAILURE_TIME.equals(familyName);
    }

    static StoredFamily pushTime(GroupingKey key, long atMillis) {
        return gauge(PUSH_TIME, PUSH_TIME_HELP, key, atMillis);
    }

    static StoredFamily pushFailureTime(GroupingKey key, long atMillis) {
        return gauge(PUSH_FAILURE_TIME, PUSH_FAILURE_TIME_HELP, key, atMillis);
    }

    /** Zero stands for "never", as upstream writes it. */
    private static StoredFamily gauge(String name, String help, GroupingKey key, long atMillis) {
        double seconds = atMillis == 0 ? 0 : atMillis / 1000.0;
        Metric metric = Metric.simple(GroupingLabels.forGroup(key), seconds, null);
        return new StoredFamily(new MetricFamily(name, help, MetricType.GAUGE, List.of(metric)), atMillis,
                StoredFamily.NEVER);
    }

    static double valueOf(StoredFamily family) {
        return family == null ? 0 : family.family().metrics().get(0).value();
    }
}
