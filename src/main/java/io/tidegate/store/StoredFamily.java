package io.tidegate.store;

import io.tidegate.format.Label;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.NameValidation;
import io.tidegate.format.MetricType;
import io.tidegate.format.WireFormat;
import java.util.List;

/**
 * One family as a group holds it: its series with the grouping key applied, when it was written,
 * its deadline, and its series encoded for scraping. Each encoding is made the first time a scrape
 * asks for it and kept while the family is held, so a device that writes many times between two
 * scrapes is encoded once, and the writer (one thread for all MQTT messages) never encodes: a
 * scrape of a family written since the last one pays for that family's encoding once.
 */
public final class StoredFamily {
    /** No deadline: the family stays until replaced or deleted. */
    public static final long NEVER = Long.MAX_VALUE;

    private final MetricFamily family;
    private final long writtenAtMillis;
    private final long deadlineMillis;
    private final long ttlMillis;
    private final long heapBytes;
    private volatile byte[] text;
    private volatile byte[] openMetrics;
    private volatile byte[] protobuf;
    private String seriesProblem = UNCHECKED;

    /** Not yet checked: a string no check returns (compared by identity). */
    private static final String UNCHECKED = new String("not checked yet");

    StoredFamily(MetricFamily family, long writtenAtMillis, long deadlineMillis, long ttlMillis) {
        this(family, writtenAtMillis, deadlineMillis, ttlMillis, HeapEstimate.ofFamily(family));
    }

    private StoredFamily(MetricFamily family, long writtenAtMillis, long deadlineMillis, long ttlMillis,
            long heapBytes) {
        this.family = family;
        this.writtenAtMillis = writtenAtMillis;
        this.deadlineMillis = deadlineMillis;
        this.ttlMillis = ttlMillis;
        this.heapBytes = heapBytes;
    }

    /** A family as it was kept on disk: its series already carry the grouping key. */
    public static StoredFamily restored(MetricFamily family, long writtenAtMillis, long deadlineMillis, long ttlMillis) {
        return new StoredFamily(family, writtenAtMillis, deadlineMillis, ttlMillis);
    }

    /**
     * The same family as another type: for a family whose payload gave it no type, taking the type
     * the store holds for its name.
     */
    StoredFamily withType(MetricType type) {
        MetricFamily typed = new MetricFamily(family.name(), family.help(), type, family.metrics());
        return new StoredFamily(typed, writtenAtMillis, deadlineMillis, ttlMillis, heapBytes); // same series: same heap
    }

    public MetricFamily family() {
        return family;
    }

    public String name() {
        return family.name();
    }

    public long writtenAtMillis() {
        return writtenAtMillis;
    }

    public long deadlineMillis() {
        return deadlineMillis;
    }

    /** The TTL it was written with, 0 for none. */
    public long ttlMillis() {
        return ttlMillis;
    }

    public boolean hasDeadline() {
        return deadlineMillis != NEVER;
    }

    public boolean isLiveAt(long nowMillis) {
        return nowMillis < deadlineMillis;
    }

    public int seriesCount() {
        return family.metrics().size();
    }

    /** The heap it takes, its renderings for scrapes included, as {@link HeapEstimate} counts it. */
    long heapBytes() {
        return heapBytes;
    }

    /** Its series in {@code format}, encoded on the first request (two readers at once may both encode: same bytes). */
    byte[] rendered(WireFormat format) {
        byte[] bytes = switch (format) {
            case TEXT -> text;
            case OPENMETRICS -> openMetrics;
            default -> protobuf;
        };
        if (bytes == null) {
            bytes = format.format().renderSeries(family);
            switch (format) {
                case TEXT -> text = bytes;
                case OPENMETRICS -> openMetrics = bytes;
                default -> protobuf = bytes;
            }
        }
        return bytes;
    }

    /**
     * What {@link SeriesRules#check} finds wrong with this family as pushed, names checked by {@code names}, or
     * null; checked on the first call, which a write makes while it is prepared, ahead of the writer lock. (Two
     * threads at once may both check: same answer.)
     */
    String seriesProblem(NameValidation names) {
        String problem = seriesProblem;
        if (problem == UNCHECKED) {
            problem = SeriesRules.check(family, names);
            seriesProblem = problem;
        }
        return problem;
    }

    boolean containsSeries(List<Label> labels) {
        for (Metric metric : family.metrics()) {
            if (metric.labels().equals(labels)) {
                return true;
            }
        }
        return false;
    }
}
