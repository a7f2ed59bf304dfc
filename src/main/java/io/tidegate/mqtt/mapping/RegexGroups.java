package io.tidegate.mqtt.mapping;

import java.util.ArrayList;
import java.util.List;
import io.tidegate.format.RecentlyMade;
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
    private static final RecentlyMade<Pattern, List<String>> KNOWN = new RecentlyMade<>(1_000);

    private RegexGroups() {}

    public static List<String> names(Pattern pattern) {
        return KNOWN.get(pattern, RegexGroups::read);
    }

    private static List<String> read(Pattern pattern) {
        List<String> names = new ArrayList<>();
        Matcher matcher = NAMED_GROUP.matcher(pattern.pattern());
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return List.copyOf(names);
    }
}
