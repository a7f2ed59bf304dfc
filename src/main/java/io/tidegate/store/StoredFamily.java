package io.tidegate.store;

import io.tidegate.format.Label;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.NameEscaping;
import io.tidegate.format.NameValidation;
import io.tidegate.format.Names;
import io.tidegate.format.MetricType;
import io.tidegate.format.WireFormat;
import java.util.ArrayList;
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
    /** Whether every name is legacy-valid (expfmt: never escaped): 0 until the write's check or the first scrape finds out. */
    private volatile byte legacyNames;
    /** Renderings of the escaped family, by format and scheme; made only for a family with names to escape. */
    private volatile byte[][] escaped;
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

    /**
     * A family made for one reader and dropped after (a group's own gauges, {@link PushTimes}): its heap is not
     * estimated, since the store does not hold it.
     */
    static StoredFamily madeForReading(MetricFamily family, long writtenAtMillis, long deadlineMillis) {
        return new StoredFamily(family, writtenAtMillis, deadlineMillis, 0, 0);
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

    /**
     * Its series in {@code format} with names written as {@code escaping} says: the one rendering of
     * {@link #rendered(WireFormat)} for a family whose names are all legacy-valid (every scheme leaves them
     * alone) and for {@code allow-utf-8}; otherwise a rendering of the escaped family, kept per format and
     * scheme, so scrapes asking different schemes never serve each other's bytes.
     */
    byte[] rendered(WireFormat format, NameEscaping escaping) {
        if (escaping == NameEscaping.ALLOW_UTF8 || hasOnlyLegacyNames()) {
            return rendered(format);
        }
        byte[][] byScheme = escaped;
        if (byScheme == null) {
            byScheme = new byte[WireFormat.values().length * NameEscaping.values().length][];
            escaped = byScheme;
        }
        int slot = format.ordinal() * NameEscaping.values().length + escaping.ordinal();
        byte[] bytes = byScheme[slot];
        if (bytes == null) {
            bytes = format.format().renderSeries(escapedFamily(family, escaping));
            byScheme[slot] = bytes;
        }
        return bytes;
    }

    /**
     * Whether the family's name and every label name of its series are valid legacy metric names, which no
     * escaping scheme changes (model.EscapeMetricFamily checks label names by the metric name rule too).
     */
    boolean hasOnlyLegacyNames() {
        byte known = legacyNames;
        if (known == 0) {
            known = namesAreLegacy(family) ? (byte) 1 : (byte) 2;
            legacyNames = known;
        }
        return known == 1;
    }

    /** The name as a scrape asking {@code escaping} writes it. */
    String writtenName(NameEscaping escaping) {
        return escaping == NameEscaping.ALLOW_UTF8 || hasOnlyLegacyNames() ? family.name() : escaping.escape(family.name());
    }

    private static boolean namesAreLegacy(MetricFamily family) {
        if (!Names.isValidMetricName(family.name())) {
            return false;
        }
        List<Label> previous = null;
        for (Metric metric : family.metrics()) {
            List<Label> labels = metric.labels();
            if (labels == previous) {
                continue; // series of one push often share their label list
            }
            for (int i = 0; i < labels.size(); i++) {
                if (!Names.isValidMetricName(labels.get(i).name())) {
                    return false;
                }
            }
            previous = labels;
        }
        return true;
    }

    /** model.EscapeMetricFamily: the family with its name and its series' label names escaped. */
    static MetricFamily escapedFamily(MetricFamily family, NameEscaping escaping) {
        List<Metric> metrics = new ArrayList<>(family.metrics().size());
        for (Metric metric : family.metrics()) {
            List<Label> labels = new ArrayList<>(metric.labels().size());
            for (Label label : metric.labels()) {
                labels.add(new Label(escaping.escape(label.name()), label.value()));
            }
            metrics.add(metric.withLabels(labels));
        }
        return new MetricFamily(escaping.escape(family.name()), family.help(), family.type(), metrics);
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
        return seriesProblem(names, null);
    }

    /**
     * {@link #seriesProblem(NameValidation)}, for a family prepared with the label lists of {@code held} (see
     * {@link GroupingLabels}): where it has that family's lists place by place and that family was found without
     * problems, its series are not compared with each other again.
     */
    String seriesProblem(NameValidation names, StoredFamily held) {
        String problem = seriesProblem;
        if (problem == UNCHECKED) {
            boolean knownDistinct = held != null && held.seriesProblem == null
                    && GroupingLabels.sameLabelLists(family, held.family);
            problem = SeriesRules.check(family, names, knownDistinct);
            seriesProblem = problem;
            if (problem == null && names == NameValidation.LEGACY) {
                legacyNames = 1; // the check just found every name legacy-valid: no scrape needs to look again
            }
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
