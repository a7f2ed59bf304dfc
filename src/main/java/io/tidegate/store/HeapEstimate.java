package io.tidegate.store;

import io.tidegate.format.Label;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import java.util.List;

/**
 * What a family and a group held cost the heap, estimated from their sizes: what {@code --store.max-bytes}
 * counts. Computed once when a family is built (ahead of the writer lock for a write) and summed once
 * when a group is built, so the store's accounting costs O(1) per write.
 *
 * <p>The estimate counts, per series, its objects (the series, its label list, each label and its value's
 * string) and each label name and value's characters (one byte each, two when one is beyond Latin-1); each
 * bucket and quantile; a protobuf value kept as pushed; and the three renderings a scrape may keep (text,
 * OpenMetrics, protobuf), each line with its labels as UTF-8 with quotes escaped. Label names, and the
 * values that repeat, are shared between series by the parsers; the estimate counts them every time.
 * Calibrated with the jar (live heap from the class histogram after a full collection, before and after
 * the pushes, the groups scraped in the formats named): series of 62 labels with values of 16 KiB or 256
 * characters take what the estimate says (1,357,993 B measured against 1,357,561 B a series, 67,565 B
 * against 67,351 B, scraped in all three formats; half of it scraped as text only); series of 5 short
 * labels 566 to 765 B, which it counts as 928 to 1,071 B (386 to 594 B scraped as text only); histograms
 * of 20 buckets 3,429 B, counted as 5,143 B.
 */
final class HeapEstimate {
    /** A family: its StoredFamily, MetricFamily, series list, name and help strings, rendering arrays. */
    static final long PER_FAMILY = 256;
    /** A series: its Metric, its label and value lists, the list slot that holds it. */
    static final long PER_SERIES = 112;
    /** A label: its Label object, its slot in the label list, and its value's string object. */
    static final long PER_LABEL = 72;
    /** A bucket or quantile: its object and its list slot. */
    static final long PER_BUCKET = 40;
    /** A group: its Group, family map, slot, entries in the store's maps and the expiry queue. */
    static final long PER_GROUP = 320;
    /** A rendered line beyond its labels and name: braces, value, timestamp, {@code le}, newline. */
    static final long PER_LINE = 32;
    /** A series in the protobuf rendering beyond its labels: tags, lengths, value. */
    static final long PER_PROTOBUF_SERIES = 32;
    /** A label in the renderings beyond its name and value: {@code ="},{@code ",} or protobuf tags. */
    static final long PER_RENDERED_LABEL = 8;

    private HeapEstimate() {}

    /** The heap {@code family} takes once held, with the renderings scrapes keep of it. */
    static long ofFamily(MetricFamily family) {
        long bytes = PER_FAMILY + held(heldAndRendered(family.name()))
                + (family.help() == null ? 0 : held(heldAndRendered(family.help())));
        long nameBytes = family.name().length();
        List<Metric> metrics = family.metrics();
        for (int i = 0; i < metrics.size(); i++) { // indexed: an iterator per family and series showed in the allocations
            Metric metric = metrics.get(i);
            List<Label> labels = metric.labels();
            long labelText = 0;
            for (int j = 0; j < labels.size(); j++) {
                Label label = labels.get(j);
                long name = heldAndRendered(label.name());
                long value = heldAndRendered(label.value());
                bytes += PER_LABEL + held(name) + held(value);
                labelText += rendered(name) + rendered(value) + PER_RENDERED_LABEL;
            }
            int buckets = metric.buckets().size() + metric.quantiles().size();
            bytes += PER_SERIES + (long) buckets * PER_BUCKET;
            byte[] protoValue = metric.protoValue();
            long protoBytes = protoValue == null ? 0 : protoValue.length;
            bytes += protoBytes;
            // text and OpenMetrics write the labels on every line: one per bucket or quantile, sum and count
            long lines = buckets == 0 ? 1 : buckets + 3;
            bytes += 2 * lines * (nameBytes + labelText + PER_LINE);
            bytes += labelText + PER_PROTOBUF_SERIES + (long) buckets * PER_BUCKET + protoBytes;
        }
        return bytes;
    }

    /**
     * In one pass over a string: in the high 32 bits, its characters as the heap holds them (one byte
     * each, two if any is beyond Latin-1); in the low 32 bits, its bytes in a rendering (UTF-8, with a
     * backslash before quotes, backslashes and newlines; a surrogate pair counted as 6 bytes, not 4).
     */
    private static long heldAndRendered(String text) {
        int length = text.length();
        long rendered = length;
        boolean wide = false;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\' || c == '\n' || c >= 0x80) {
                rendered += c < 0x800 ? 1 : 2;
                wide |= c > 0xFF;
            }
        }
        long held = wide ? 2L * length : length;
        return held << 32 | rendered;
    }

    private static long held(long heldAndRendered) {
        return heldAndRendered >>> 32;
    }

    private static long rendered(long heldAndRendered) {
        return heldAndRendered & 0xFFFF_FFFFL;
    }
}
