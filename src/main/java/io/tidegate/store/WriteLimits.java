package io.tidegate.store;

import io.tidegate.key.GroupingKey;
import io.tidegate.format.Label;
import io.tidegate.format.BodyLimits;
import io.tidegate.format.NameValidation;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.Refusal;
import io.tidegate.format.Refusal.Reason;

/**
 * The bounds of SPEC §7 that no write may pass, whatever its path: series per write, labels per
 * series, label name and value lengths (the grouping key's labels count, as they are in every
 * series; the {@link BodyLimits}, which the readers already check as they read), groups held, and
 * series and heap bytes held over all groups. The {@link Store} checks every write against them,
 * whichever path it came by; a write over a bound is refused whole, and nothing of it is stored, not
 * even its group's {@code push_failure_time_seconds} (which would be a new group). The bounds on what
 * is held are checked under the store's writer lock, so they hold exactly.
 *
 * @param maxStoredSeries the most series held over all groups, each group's push time gauges
 *     included ({@code --store.max-series}); 0 for no bound
 * @param maxStoredBytes the most heap the groups held may take, as {@link HeapEstimate} counts it, their
 *     renderings for scrapes included ({@code --store.max-bytes}); 0 for no bound
 */
public record WriteLimits(int maxSeries, int maxLabelsPerSeries, int maxLabelNameLength, int maxLabelValueLength,
        int maxGroups, long maxStoredSeries, long maxStoredBytes, NameValidation names) {
    /**
     * What one series held costs the heap, counted conservatively: measured with the jar (live heap
     * after a text scrape, which keeps its rendering, and a full collection; series of 5 labels, values
     * of 1 to 10 characters) at 347 B per series in groups of 1,000 series, 372 B in groups of 10 and
     * 517 B in groups of one series (whose two push time gauges count as series too); about twice the
     * worst of those, to leave room for longer labels and the other scrape formats' renderings.
     */
    public static final long BYTES_PER_STORED_SERIES = 1024;

    /** The defaults of the flags: far above what upstream clients push, far below what exhausts memory. */
    public static final WriteLimits DEFAULTS = new WriteLimits(10_000, 64, 1024, 16_384, 1_000_000,
            seriesFittingHeap(Runtime.getRuntime().maxMemory()), bytesFittingHeap(Runtime.getRuntime().maxMemory()));

    public WriteLimits {
        if (maxSeries < 1 || maxLabelsPerSeries < 1 || maxLabelNameLength < 1 || maxLabelValueLength < 1
                || maxGroups < 1) {
            throw new IllegalArgumentException("--push.max-series, --push.max-labels-per-series, "
                    + "--push.max-label-name-length, --push.max-label-value-length and --store.max-groups must be "
                    + "at least 1");
        }
        if (maxStoredSeries < 0) {
            throw new IllegalArgumentException("--store.max-series must be 0 (no limit) or more: " + maxStoredSeries);
        }
        if (maxStoredBytes < 0) {
            throw new IllegalArgumentException("--store.max-bytes must be 0 (no limit) or more: " + maxStoredBytes);
        }
        if (names == null) {
            throw new IllegalArgumentException("names must be given");
        }
    }

    /** With legacy names only (no {@code --push.enable-utf8-names}). */
    public WriteLimits(int maxSeries, int maxLabelsPerSeries, int maxLabelNameLength, int maxLabelValueLength,
            int maxGroups, long maxStoredSeries, long maxStoredBytes) {
        this(maxSeries, maxLabelsPerSeries, maxLabelNameLength, maxLabelValueLength, maxGroups, maxStoredSeries,
                maxStoredBytes, NameValidation.LEGACY);
    }

    /** Without a bound on the heap held ({@code --store.max-bytes} 0). */
    public WriteLimits(int maxSeries, int maxLabelsPerSeries, int maxLabelNameLength, int maxLabelValueLength,
            int maxGroups, long maxStoredSeries) {
        this(maxSeries, maxLabelsPerSeries, maxLabelNameLength, maxLabelValueLength, maxGroups, maxStoredSeries, 0);
    }

    /**
     * The default of {@code --store.max-series} for a heap of at most {@code maxHeapBytes}: as many series
     * as fill half of it at {@link #BYTES_PER_STORED_SERIES}, leaving the other half to the JVM, the
     * MQTT broker, requests in flight and garbage.
     */
    public static long seriesFittingHeap(long maxHeapBytes) {
        return Math.max(1, maxHeapBytes / 2 / BYTES_PER_STORED_SERIES);
    }

    /** The bounds a body can pass on its own, which the readers check while they read it. */
    public BodyLimits body() {
        return new BodyLimits(maxSeries, maxLabelsPerSeries, maxLabelNameLength, maxLabelValueLength, names);
    }

    /**
     * The default of {@code --store.max-bytes} for a heap of at most {@code maxHeapBytes}: half of it, the
     * other half left to the JVM, the MQTT broker, requests in flight and garbage.
     */
    public static long bytesFittingHeap(long maxHeapBytes) {
        return Math.max(1, maxHeapBytes / 2);
    }

    /**
     * A bound passed: a refusal whose reason is the kind of bound ({@link Reason#TOO_MANY_SERIES},
     * {@link Reason#OVERSIZED_LABELS}, {@link Reason#TOO_MANY_GROUPS}, {@link Reason#TOO_MANY_STORED_SERIES},
     * {@link Reason#TOO_MANY_STORED_BYTES}), with a message fit
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
        for (int i = 0; i < key.size(); i++) {
            Label label = key.label(i);
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

    /**
     * The bound on series held, for a write that changes the {@code seriesHeld} there are by {@code change}
     * (what its group will hold less what it holds now: a group replaced by as many series changes
     * nothing); or null. A write that adds no series always passes, so a store over its bound (loaded
     * from disk with a smaller heap) can still be refreshed and emptied.
     */
    Violation checkStoredSeries(long seriesHeld, long change) {
        if (maxStoredSeries == 0 || change <= 0 || seriesHeld + change <= maxStoredSeries) {
            return null;
        }
        return new Violation(Reason.TOO_MANY_STORED_SERIES, "storing this push would exceed the limit of "
                + maxStoredSeries + " series (--store.max-series): the gateway holds " + seriesHeld
                + " and the push adds " + change + "; pushes that add no series go on, and more fit once groups "
                + "expire or are deleted");
    }

    /**
     * The bound on the heap held, for a write that changes the {@code bytesHeld} there are by {@code change}
     * (what its group will take less what it takes now); or null. As for series, a write that adds nothing
     * always passes.
     */
    Violation checkStoredBytes(long bytesHeld, long change) {
        if (maxStoredBytes == 0 || change <= 0 || bytesHeld + change <= maxStoredBytes) {
            return null;
        }
        return new Violation(Reason.TOO_MANY_STORED_BYTES, "storing this push would exceed the limit of "
                + maxStoredBytes + " bytes of heap held (--store.max-bytes): the gateway holds about " + bytesHeld
                + " and the push adds about " + change + "; pushes that add nothing go on, and more fit once groups "
                + "expire or are deleted");
    }

    /**
     * The bounds on what is held, for a write that makes {@code written} of {@code current} (null for none)
     * while the store holds {@code seriesHeld} series taking {@code bytesHeld}: the series bound first,
     * then the heap; or null.
     */
    Violation checkHeld(long seriesHeld, long bytesHeld, Group written, Group current) {
        Violation overLimit = checkStoredSeries(seriesHeld,
                written.seriesCount() - (current == null ? 0 : current.seriesCount()));
        return overLimit != null ? overLimit
                : checkStoredBytes(bytesHeld, written.heapBytes() - (current == null ? 0 : current.heapBytes()));
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
