package io.tidegate.mqtt;

import io.tidegate.mqtt.mapping.TopicPattern;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * An MQTT topic filter as a subscription takes it ({@code metrics/job/site-a/#},
 * {@code metrics/job/+/site/b/#}), checked once: levels separated by {@code /}, {@code +} a whole
 * level, {@code #} a whole and last level. Matches topics as a broker does, with the matcher the
 * mapping rules use ({@link TopicPattern}), of which a plain filter is the case without names.
 */
public final class TopicFilter {
    /** MQTT encodes a topic's length in two bytes. */
    private static final int MAX_BYTES = 65535;

    private final String filter;
    private final String[] levels;
    private final TopicPattern pattern;

    private TopicFilter(String filter) {
        this.filter = filter;
        this.levels = filter.split("/", -1);
        this.pattern = TopicPattern.parse(filter);
    }

    /**
     * The filter, or why it is none, as a message naming it.
     *
     * @throws IllegalArgumentException for a filter no broker would take
     */
    public static TopicFilter parse(String filter) {
        if (filter.isEmpty()) {
            throw new IllegalArgumentException("empty topic filter");
        }
        if (filter.indexOf('\0') >= 0 || filter.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new IllegalArgumentException("invalid topic filter \"" + filter + "\": a NUL or over 65535 bytes");
        }
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.contains("#") && (!level.equals("#") || i != levels.length - 1)) {
                throw new IllegalArgumentException("invalid topic filter \"" + filter
                        + "\": # must be a whole level, and the last one");
            }
            if (level.contains("+") && !level.equals("+")) {
                throw new IllegalArgumentException("invalid topic filter \"" + filter + "\": + must be a whole level");
            }
        }
        return new TopicFilter(filter);
    }

    /**
     * Whether every topic this filter matches lies under {@code prefix} (one or more literal levels):
     * the filter starts with exactly those levels.
     */
    public boolean liesUnder(String prefix) {
        String[] prefixLevels = prefix.split("/", -1);
        if (levels.length < prefixLevels.length) {
            return false;
        }
        for (int i = 0; i < prefixLevels.length; i++) {
            if (!levels[i].equals(prefixLevels[i])) {
                return false;
            }
        }
        // "prefix/#" also matches "prefix" itself, which is no metrics topic but harmless
        return true;
    }

    /** Whether a broker delivers a message published on {@code topic} to a subscription to this filter. */
    public boolean matches(String topic) {
        return pattern.match(topic) != null;
    }

    /** Whether any of {@code filters} matches {@code topic}. */
    public static boolean anyMatches(List<TopicFilter> filters, String topic) {
        for (TopicFilter filter : filters) {
            if (filter.matches(topic)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return filter;
    }
}
