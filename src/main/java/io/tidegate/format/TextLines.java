package io.tidegate.format;

import java.util.List;

/**
 * The pieces of a line the Prometheus text format and OpenMetrics render alike, as expfmt writes
 * them: names (quoted when not legacy-valid, see {@link Names}), label pairs with escaped values, and
 * the start of a sample line. {@link TextExpositionFormat} puts them together.
 */
final class TextLines {
    private TextLines() {}

    /**
     * A metric or label name: bare when it is a valid legacy metric name (expfmt checks label names
     * by the metric name rule too), else in double quotes, escaped (UTF-8 names).
     */
    static void appendName(ByteBuilder out, String name) {
        if (Names.isValidMetricName(name)) {
            out.appendAscii(name);
        } else {
            out.append('"').appendEscaped(name, true).append('"');
        }
    }

    /** {@code a="x",b="y"} (no braces) for the labels of one series, in the order given. */
    static byte[] labelPairs(List<Label> labels) {
        if (labels.isEmpty()) {
            return EMPTY;
        }
        ByteBuilder out = new ByteBuilder(labels.size() * 24);
        appendLabelPairs(out, labels);
        return out.toByteArray();
    }

    /** Appends {@code a="x",b="y"} (no braces), for a series whose labels are written once. */
    static void appendLabelPairs(ByteBuilder out, List<Label> labels) {
        if (labels instanceof LabelList shared) {
            out.append(shared.textPairs());
            return;
        }
        appendEachLabelPair(out, labels);
    }

    static void appendEachLabelPair(ByteBuilder out, List<Label> labels) {
        for (int i = 0; i < labels.size(); i++) {
            Label label = labels.get(i);
            if (i > 0) {
                out.append(',');
            }
            appendName(out, label.name());
            out.append('=').append('"').appendEscaped(label.value(), true).append('"');
        }
    }

    private static final byte[] EMPTY = new byte[0];

    /**
     * The rendered start of a sample line for one metric name: the bare name when legacy-valid, or
     * an opening brace and the quoted name, the labels to follow inside the braces.
     */
    record SampleName(byte[] start, boolean insideBraces) {
        static SampleName of(String name) {
            return KNOWN.get(name, SampleName::make);
        }

        private static SampleName make(String name) {
            ByteBuilder out = new ByteBuilder(name.length() + 3);
            boolean legacy = Names.isValidMetricName(name);
            if (!legacy) {
                out.append('{');
            }
            appendName(out, name);
            return new SampleName(out.toByteArray(), !legacy);
        }

        /**
         * The sample names rendered lately: a scrape renders every family written since the one before, and the
         * same few names over and over; each is checked and encoded once.
         */
        private static final RecentlyMade<String, SampleName> KNOWN = new RecentlyMade<>(10_000);
    }
}
