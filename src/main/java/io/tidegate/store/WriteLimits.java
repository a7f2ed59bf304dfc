package io.tidegate.store;

import io.tidegate.key.GroupingKey;
import io.tidegate.format.Label;
import io.tidegate.format.BodyLimits;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.Refusal;
import io.tidegate.format.Refusal.Reason;

/**
 * The bounds of SPEC §7 that no write may pass, whatever its path: series per write, labels per
 * series, label name and value lengths (the grouping key's labels count, as they are in every
 * series; the {@link BodyLimits}, which the readers already check as they read), and groups held. The
 * {@link Store} checks every write against them, whichever path it
 * came by; a write over a bound is refused whole, and nothing of it is stored, not even its
 * group's {@code push_failure_time_seconds} (which would be a new group). The group bound is
 * checked under the store's writer lock, so it holds exactly.
 */
public record WriteLimits(int maxSeries, int maxLabelsPerSeries, int maxLabelNameLength, int maxLabelValueLength,
        int maxGroups) {
    /** The defaults of the flags: far above what upstream clients push, far below what exhausts memory. */
    public static final WriteLimits DEFAULTS = new WriteLimits(10_000, 64, 1024, 16_384, 1_000_000);

    public WriteLimits {
        if (maxSeries < 1 || maxLabelsPerSeries < 1 || maxLabelNameLength < 1 || maxLabelValueLength < 1
                || maxGroups < 1) {
            throw new IllegalArgumentException("--push.max-series, --push.max-labels-per-series, "
                    + "--push.max-label-name-length, --push.max-label-value-length and --store.max-groups must be "
                    + "at least 1");
        }
    }

    /** The bounds a body can pass on its own, which the readers check while they read it. */
    public BodyLimits body() {
        return new BodyLimits(maxSeries, maxLabelsPerSeries, maxLabelNameLength, maxLabelValueLength);
    }

    /**
     * A bound passed: a refusal whose reason is the kind of bound ({@link Reason#TOO_MANY_SERIES},
     * {@link Reason#OVERSIZED_LABELS}, {@link Reason#TOO_MANY_GROUPS}), with a message fit
     * for the client that names the bound, its flag and the value found.
     */
    public record Violation(Refusal refusal) {
        private Violation(Reason reason, String message) {
            this(new Refusal(reason, message));
        }

        private static Violation of(Refusal refusal) {
            return refusal == null ? null : new Violation(refusal);
        }
    }

    /** The first bound {@code request} itself passes (series, labels), or null. A DELETE passes none. */
    Violation check(WriteRequest request) {
        if (request.verb() == Verb.DELETE) {
            return null;
        }
        GroupingKey key = request.key();
        BodyLimits body = body();
        for (Label label : key.labels()) {
            if (!body.fits(label)) {
                return Violation.of(body.oversized("grouping key", label));
            }
        }
        long series = 0;
        for (MetricFamily family : request.families().values()) {
            series += family.metrics().size();
            if (series > maxSeries) {
                return Violation.of(body.tooManySeries());
            }
        }
        for (MetricFamily family : request.families().values()) {
            for (Metric metric : family.metrics()) {
                Violation violation = checkSeries(body, family, metric, key);
                if (violation != null) {
                    return violation;
                }
            }
        }
        return null;
    }

    /** The group bound, for a write that would add a group to the {@code groupsHeld} there are; or null. */
    Violation checkNewGroup(int groupsHeld) {
        if (groupsHeld < maxGroups) {
            return null;
        }
        return new Violation(Reason.TOO_MANY_GROUPS, "the gateway already holds " + groupsHeld
                + " groups, the most --store.max-groups allows (" + maxGroups + "); a new group can be pushed "
                + "once others expire or are deleted");
    }

    private static Violation checkSeries(BodyLimits limits, MetricFamily family, Metric metric, GroupingKey key) {
        // the labels the series will have once the key is applied: the key's, the body's others, and instance
        int count = key.size();
        boolean hasInstance = key.get(GroupingLabels.INSTANCE) != null;
        for (Label label : metric.labels()) {
            if (key.get(label.name()) == null) {
                count++;
                hasInstance |= label.name().equals(GroupingLabels.INSTANCE);
                if (!limits.fits(label)) { // the message is built only then: this runs for every label of every push
                    return Violation.of(limits.oversized(BodyLimits.seriesOf(family.name()), label));
                }
            }
        }
        if (!hasInstance) {
            count++;
        }
        if (count > limits.maxLabelsPerSeries()) {
            return Violation.of(limits.tooManyLabels(family.name(), count));
        }
        return null;
    }
}
