package io.tidegate.differential;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares two error texts as far as upstream itself is deterministic: the message up to its first ':' exactly,
 * the rest with what upstream leaves to chance blurred (see {@link #errorItems}).
 */
final class ErrorTexts {

    /** Which side of a suffix collision a Go registry reports depends on order; both read the same after this. */
    private static final String COLLISION_FROM_METRIC =
            "collected metric named \"([^\"]*)\" collides with previously collected (?:histogram|summary) named \"([^\"]*)\"";
    private static final String COLLISION_FROM_FAMILY =
            "collected histogram or summary named \"([^\"]*)\" collides with previously collected metric named \"([^\"]*)\"";
    private static final Pattern MULTI_ERROR = Pattern.compile("(?s)^(.*?)(\\d+ error\\(s\\) occurred:\\n)(.*?)(\\n?)$");

    private ErrorTexts() {
    }

    static void compare(String a, String b, Map<Aspect, String> out) {
        if (a.equals(b)) {
            return;
        }
        if (!messagePrefix(a).equals(messagePrefix(b))) {
            out.put(Aspect.ERROR_MESSAGE, Excerpts.quoted(messagePrefix(a), 200) + " vs "
                    + Excerpts.quoted(messagePrefix(b), 200));
            return;
        }
        Set<String> itemsA = errorItems(a);
        Set<String> itemsB = errorItems(b);
        if (itemsA.equals(itemsB)) {
            return;
        }
        boolean severalErrors = itemsA.size() > 1 || itemsB.size() > 1;
        if (severalErrors && itemsA.stream().anyMatch(itemsB::contains)) {
            return;
        }
        out.put(Aspect.ERROR_DETAIL, "compared as (metric dumps blurred, errors as a set):\n  "
                + Excerpts.quoted(String.join(" | ", itemsA), 600) + "\nvs "
                + Excerpts.quoted(String.join(" | ", itemsB), 600));
    }

    static String messagePrefix(String text) {
        int colon = text.indexOf(':');
        return colon < 0 ? text.strip() : text.substring(0, colon);
    }

    /**
     * The errors an error text names, made comparable where upstream itself is not deterministic.
     * <ul>
     *   <li>A consistency error shows a protobuf dump of the offending metric, {@code collected metric "x" {
     *       label:<...> gauge:<value:1.79e+09 > } ...}; which of two conflicting metrics is dumped, and so which type
     *       "is not a" what, depends on Go map order, and the dump can hold a push timestamp: the dump becomes
     *       {@code {…}} and the type after "is not a" {@code <type>}.</li>
     *   <li>Several errors at once, {@code N error(s) occurred:\n* a\n* b}, come in Go map order, and which
     *       problems get reported (and so N) depends on which conflicting metric the check met first. They are
     *       compared as a set; with several errors, two texts agree if they name at least one common error.</li>
     *   <li>A suffix collision ({@code x_sum} next to a histogram {@code x}) is reported from either side.</li>
     * </ul>
     */
    static Set<String> errorItems(String text) {
        String blurred = blurMetricDumps(text)
                .replaceAll(" \\(in group \\{[^}]*\\}\\)", "") // Tidegate adds which group holds the duplicate
                .replaceAll("is not a [A-Z]+", "is not a <type>")
                .replaceAll(COLLISION_FROM_METRIC, "names \"$1\" and \"$2\" collide")
                .replaceAll(COLLISION_FROM_FAMILY, "names \"$2\" and \"$1\" collide")
                .strip();
        Matcher m = MULTI_ERROR.matcher(blurred);
        Set<String> items = new TreeSet<>();
        if (!m.matches()) {
            items.add(blurred);
            return items;
        }
        String[] parts = ("\n" + m.group(3)).split("\n\\* ");
        for (int i = 1; i < parts.length; i++) {
            items.add(m.group(1) + parts[i].strip());
        }
        return items;
    }

    private static String blurMetricDumps(String text) {
        StringBuilder out = new StringBuilder();
        int from = 0;
        while (true) {
            int start = text.indexOf("collected metric \"", from);
            int nameEnd = start < 0 ? -1 : closingQuote(text, start + 18);
            if (nameEnd < 0 || !text.startsWith(" {", nameEnd + 1)) {
                return out.append(text.substring(from)).toString();
            }
            int open = nameEnd + 1;
            int close = closingBrace(text, open + 2);
            if (close < 0) {
                return out.append(text.substring(from)).toString();
            }
            out.append(text, from, open).append(" {…}");
            from = close + 1;
        }
    }

    /** Index of the '"' that ends the quoted string whose content starts at {@code from}, or -1. */
    private static int closingQuote(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i;
            }
        }
        return -1;
    }

    /** Index of the first '}' outside a quoted string at or after {@code from}, or -1. */
    private static int closingBrace(String text, int from) {
        boolean quoted = false;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '}') {
                return i;
            }
        }
        return -1;
    }

}
