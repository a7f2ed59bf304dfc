package io.tidegate.mqtt.mapping;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The named groups of a regular expression ({@code (?<channel>[0-9]+)}), in the order they open:
 * Java 17 compiles them but does not list them, and mapping rules use them as captures and labels.
 */
public final class RegexGroups {
    /** A group's name is a letter followed by letters and digits, as {@link Pattern} requires. */
    private static final Pattern NAMED_GROUP = Pattern.compile("(?<!\\\\)\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>");

    /**
     * The names found for the expressions of the rules loaded lately, each read once: the ingest asks
     * for every value a {@code key_match} takes. Cleared when large, as reloads leave old ones behind.
     */
    private static final ConcurrentHashMap<Pattern, List<String>> KNOWN = new ConcurrentHashMap<>();
    private static final int REMEMBERED = 1_000;

    private RegexGroups() {}

    public static List<String> names(Pattern pattern) {
        List<String> known = KNOWN.get(pattern);
        if (known != null) {
            return known;
        }
        List<String> names = new ArrayList<>();
        Matcher matcher = NAMED_GROUP.matcher(pattern.pattern());
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        if (KNOWN.size() >= REMEMBERED) {
            KNOWN.clear();
        }
        KNOWN.put(pattern, List.copyOf(names));
        return List.copyOf(names);
    }
}
