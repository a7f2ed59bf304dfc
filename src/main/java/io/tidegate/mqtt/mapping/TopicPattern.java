package io.tidegate.mqtt.mapping;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An MQTT topic filter whose wildcards may carry names, so that the levels they match can be used
 * elsewhere in a mapping rule: {@code shellies/+device/relay/+channel/power}. {@code +name} matches
 * one level, {@code #name} (last only) the rest of the topic, slashes included; a bare {@code +} or
 * {@code #} matches without capturing. The filter Tidegate subscribes to is the same with the names
 * dropped ({@code shellies/+/relay/+/power}).
 */
public final class TopicPattern {
    private static final Pattern CAPTURE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final String text;
    private final String filter;
    private final String[] levels;
    /** Per level: the capture's name, or null for a literal level or an anonymous wildcard. */
    private final String[] names;
    private final List<String> captureNames;

    private TopicPattern(String text, String filter, String[] levels, String[] names, List<String> captureNames) {
        this.text = text;
        this.filter = filter;
        this.levels = levels;
        this.names = names;
        this.captureNames = captureNames;
    }

    /**
     * @throws IllegalArgumentException saying what is wrong: a wildcard sharing its level with other
     *     characters, a {@code #} before the last level, a name used twice or not a name
     */
    public static TopicPattern parse(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("a topic filter cannot be empty");
        }
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a topic filter cannot hold the character NUL");
        }
        String[] levels = text.split("/", -1);
        String[] names = new String[levels.length];
        List<String> captureNames = new ArrayList<>();
        StringBuilder filter = new StringBuilder();
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            char first = level.isEmpty() ? 0 : level.charAt(0);
            if (first == '+' || first == '#') {
                String name = level.substring(1);
                if (first == '#' && i != levels.length - 1) {
                    throw new IllegalArgumentException("level " + (i + 1) + " \"" + level
                            + "\": # matches the rest of the topic, so it can only be the last level");
                }
                if (!name.isEmpty() && !CAPTURE_NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("level " + (i + 1) + " \"" + level + "\": a wildcard is " + first
                            + " alone or " + first + " followed by a name (letters, digits and _, not starting with a digit)");
                }
                if (!name.isEmpty()) {
                    if (captureNames.contains(name)) {
                        throw new IllegalArgumentException("the wildcard name \"" + name + "\" is used twice");
                    }
                    captureNames.add(name);
                    names[i] = name;
                }
                levels[i] = String.valueOf(first);
            } else if (level.indexOf('+') >= 0 || level.indexOf('#') >= 0) {
                throw new IllegalArgumentException("level " + (i + 1) + " \"" + level
                        + "\": a wildcard + or # must be the whole level (MQTT matches no part of a level)");
            }
            filter.append(i == 0 ? "" : "/").append(levels[i]);
        }
        return new TopicPattern(text, filter.toString(), levels, names, Collections.unmodifiableList(captureNames));
    }

    /** The subscription, names dropped: {@code shellies/+/relay/+/power}. */
    public String filter() {
        return filter;
    }

    /** The names of the captures, in topic order. */
    public List<String> captureNames() {
        return captureNames;
    }

    /**
     * The levels the named wildcards matched, by name, or null when the topic does not match. As
     * MQTT brokers do, a wildcard in the first level does not match a topic starting with {@code $}.
     */
    public Map<String, String> match(String topic) {
        if (topic.startsWith("$") && (levels[0].equals("+") || levels[0].equals("#"))) {
            return null;
        }
        Map<String, String> captures = captureNames.isEmpty() ? Map.of() : new LinkedHashMap<>();
        int start = 0;
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.equals("#")) {
                // "a/#" matches "a" too, as MQTT says; the capture is then empty
                if (start > topic.length()) {
                    start = topic.length();
                }
                capture(captures, names[i], topic.substring(start));
                return captures;
            }
            if (start > topic.length()) {
                return null;
            }
            int end = topic.indexOf('/', start);
            String actual = end < 0 ? topic.substring(start) : topic.substring(start, end);
            if (level.equals("+")) {
                capture(captures, names[i], actual);
            } else if (!level.equals(actual)) {
                return null;
            }
            start = end < 0 ? topic.length() + 1 : end + 1;
        }
        return start == topic.length() + 1 ? captures : null;
    }

    private static void capture(Map<String, String> captures, String name, String value) {
        if (name != null) {
            captures.put(name, value);
        }
    }

    /** As written in the configuration, names included. */
    @Override
    public String toString() {
        return text;
    }
}
