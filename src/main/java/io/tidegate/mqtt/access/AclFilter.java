package io.tidegate.mqtt.access;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The topic filter of an ACL line: MQTT levels separated by {@code /}, {@code +} a whole level,
 * {@code #} a whole and last level, and in a {@code pattern} line {@code %u} and {@code %c} levels that
 * stand for the client's user name and client id (as in Mosquitto, only a whole level is substituted:
 * {@code dev_%u} is literal). Knows the three relations authorization needs between filters and
 * topics: matches (a publish), covers and overlaps (a subscription). As in MQTT, a wildcard in the
 * first level does not reach topics that begin with {@code $}.
 */
final class AclFilter {
    static final String USERNAME = "%u";
    static final String CLIENT_ID = "%c";

    private final String text;
    private final String[] levels;
    private final boolean substituted;

    private AclFilter(String text, boolean pattern) {
        this.text = text;
        this.levels = text.split("/", -1);
        this.substituted = pattern && Arrays.stream(levels).anyMatch(l -> l.equals(USERNAME) || l.equals(CLIENT_ID));
    }

    /**
     * The filter of a {@code topic} line ({@code pattern} false) or a {@code pattern} line.
     *
     * @throws IllegalArgumentException saying why no broker would take it as a filter
     */
    static AclFilter parse(String filter, boolean pattern) {
        if (filter.isEmpty()) {
            throw new IllegalArgumentException("empty topic filter");
        }
        if (filter.indexOf('\0') >= 0 || filter.getBytes(StandardCharsets.UTF_8).length > 65535) {
            throw new IllegalArgumentException("invalid topic filter \"" + filter + "\": a NUL or over 65535 bytes");
        }
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            if (levels[i].contains("#") && (!levels[i].equals("#") || i != levels.length - 1)) {
                throw new IllegalArgumentException("invalid topic filter \"" + filter
                        + "\": # must be a whole level, and the last one");
            }
            if (levels[i].contains("+") && !levels[i].equals("+")) {
                throw new IllegalArgumentException("invalid topic filter \"" + filter + "\": + must be a whole level");
            }
        }
        return new AclFilter(filter, pattern);
    }

    boolean usesUsername() {
        return substituted && Arrays.asList(levels).contains(USERNAME);
    }

    /**
     * The levels for one client: {@code %u} and {@code %c} replaced, or null when a value cannot stand
     * as a level (it is missing, empty, or holds {@code /}, {@code +} or {@code #}, which would make
     * the rule reach other clients' topics).
     */
    String[] levelsFor(String username, String clientId) {
        if (!substituted) {
            return levels;
        }
        String[] resolved = levels.clone();
        for (int i = 0; i < resolved.length; i++) {
            String value = resolved[i].equals(USERNAME) ? username : resolved[i].equals(CLIENT_ID) ? clientId : null;
            if (value == null && (resolved[i].equals(USERNAME) || resolved[i].equals(CLIENT_ID))) {
                return null;
            }
            if (value != null) {
                if (!fitsOneLevel(value)) {
                    return null;
                }
                resolved[i] = value;
            }
        }
        return resolved;
    }

    static boolean fitsOneLevel(String value) {
        return !value.isEmpty() && value.indexOf('/') < 0 && value.indexOf('+') < 0 && value.indexOf('#') < 0
                && value.indexOf('\0') < 0;
    }

    /** Whether a message published on {@code topic} falls under {@code filter}, as a broker delivers it. */
    static boolean matches(String[] filter, String[] topic) {
        for (int i = 0; i < filter.length; i++) {
            if (filter[i].equals("#")) {
                return !(i == 0 && topic[0].startsWith("$"));
            }
            if (i == topic.length) {
                return false;
            }
            if (filter[i].equals("+")) {
                if (i == 0 && topic[0].startsWith("$")) {
                    return false;
                }
            } else if (!filter[i].equals(topic[i])) {
                return false;
            }
        }
        return filter.length == topic.length;
    }

    /** Whether every topic {@code inner} matches is matched by {@code outer}. */
    static boolean covers(String[] outer, String[] inner) {
        for (int i = 0; i < outer.length; i++) {
            if (outer[i].equals("#")) {
                // "a/#" covers "a" too; a first-level # reaches no $ topic, which a wildcard inner filter does not either
                return !(i == 0 && inner.length > 0 && isDollarLiteral(inner[0]));
            }
            if (i == inner.length || inner[i].equals("#")) {
                return false;
            }
            if (outer[i].equals("+")) {
                if (i == 0 && isDollarLiteral(inner[0])) {
                    return false;
                }
            } else if (!outer[i].equals(inner[i])) {
                return false; // a literal covers only itself, never a wildcard
            }
        }
        return outer.length == inner.length;
    }

    /** Whether some topic is matched by both filters. */
    static boolean overlaps(String[] a, String[] b) {
        for (int i = 0; ; i++) {
            boolean aEnds = i == a.length;
            boolean bEnds = i == b.length;
            if (aEnds && bEnds) {
                return true;
            }
            String x = aEnds ? null : a[i];
            String y = bEnds ? null : b[i];
            if (i == 0 && (isWildcard(x) && isDollarLiteral(y) || isWildcard(y) && isDollarLiteral(x))) {
                return false;
            }
            if ("#".equals(x) || "#".equals(y)) {
                return true; // "a/#" matches "a" too, so the other may also end here
            }
            if (aEnds || bEnds) {
                return false;
            }
            if (!x.equals("+") && !y.equals("+") && !x.equals(y)) {
                return false;
            }
        }
    }

    private static boolean isWildcard(String level) {
        return "+".equals(level) || "#".equals(level);
    }

    private static boolean isDollarLiteral(String level) {
        return level != null && level.startsWith("$");
    }

    @Override
    public String toString() {
        return text;
    }
}
