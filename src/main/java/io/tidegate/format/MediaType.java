package io.tidegate.format;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A media type as a push's {@code Content-Type}, a scrape's {@code Accept} and an MQTT 5 content type
 * name it: {@code type/subtype; name=value; ...} (RFC 9110 §8.3.1). Type, subtype and parameter
 * names are case-insensitive and held in lower case; a value may be a quoted string. This says only
 * what was written; what a type means is for whoever reads it to decide.
 *
 * <p>Reading never fails, since no reader of media types in Tidegate ever refused one for its
 * syntax; junk is kept where a reader can see it:
 * <ul>
 *   <li>whitespace (as {@link String#strip} sees it) around the type, a name or a value is dropped;
 *   <li>the type is everything before the first {@code ;}, split at its first {@code /} (no
 *       {@code /}: the subtype is empty); its characters are not checked, so {@code text/plain x}
 *       is the subtype {@code plain x}, which no reader names;
 *   <li>a parameter is split at its first {@code =}; one without {@code =} has no value (null), and
 *       an empty one an empty name too; semicolons ending the text are ignored;
 *   <li>a value is kept as written ({@link Parameter#written}); it is a quoted string when it starts
 *       with {@code "} that a later {@code "} closes, and ends there: it may then hold {@code ;} and
 *       {@code ,}. In it a backslash escapes a delimiter (such as {@code "} and {@code \}) but is
 *       itself before any other character, as Go's {@code mime.ParseMediaType} reads it, so as the
 *       upstream Pushgateway does (RFC 9110 senders escape nothing else). A value with stray quotes
 *       ({@code "1.0.0}, {@code 1.0.0"}, {@code "a"b}) is not a quoted string, and its
 *       {@link Parameter#value} is the text as written.
 * </ul>
 *
 * @param type the type, such as {@code text}, or {@code *} in an Accept list
 * @param subtype the subtype, such as {@code plain}, or {@code *}
 * @param parameters the parameters in the order written, repeats included
 */
public record MediaType(String type, String subtype, List<Parameter> parameters) {
    /** Characters that delimit in media types (RFC 2045 tspecials): the ones a backslash escapes. */
    private static final String DELIMITERS = "()<>@,;:\\\"/[]?=";

    public MediaType {
        type = type.toLowerCase(Locale.ROOT);
        subtype = subtype.toLowerCase(Locale.ROOT);
        parameters = List.copyOf(parameters);
        String essence = type + "/" + subtype;
        if (type.indexOf('/') >= 0 || essence.indexOf(';') >= 0 || !essence.strip().equals(essence)) {
            throw new IllegalArgumentException("not a media type: " + GoQuote.string(essence));
        }
    }

    /**
     * One parameter, its value as written: whether it was quoted, and how, stays visible, since
     * readers have read stray quotes differently.
     *
     * @param name the name in lower case; empty for an empty parameter ({@code text/plain; ; charset=utf-8})
     * @param written the value as written, quotes and escapes included, without the whitespace around
     *     it; null for a parameter written without {@code =}
     */
    public record Parameter(String name, String written) {
        public Parameter {
            name = name.toLowerCase(Locale.ROOT);
            if (name.indexOf(';') >= 0 || name.indexOf('=') >= 0 || !name.strip().equals(name)) {
                throw new IllegalArgumentException("not a parameter name: " + GoQuote.string(name));
            }
            if (written != null && !written.strip().equals(written)) {
                throw new IllegalArgumentException("not a parameter value as written: " + GoQuote.string(written));
            }
        }

        /** Whether this is an empty parameter, as between the two semicolons of {@code a/b;;c=d}. */
        public boolean isEmpty() {
            return name.isEmpty() && written == null;
        }

        /**
         * The value: a quoted string unquoted, anything else (stray quotes included) as written; null
         * when there is none.
         */
        public String value() {
            return written != null && isQuoted(written) ? unquoted(written) : written;
        }

        /**
         * The value as written with every double quote dropped (backslashes kept), null when there is
         * none: how Tidegate has always read the parameters of Accept ranges and MQTT content types,
         * overlooking a stray quote ({@code version="1.0.0}, {@code version=1.0.0"}).
         */
        public String valueIgnoringQuotes() {
            return written == null ? null : written.replace("\"", "");
        }

        @Override
        public String toString() {
            return written == null ? name : name + "=" + written;
        }
    }

    /** The media type {@code text} names (a Content-Type or an MQTT 5 content type). */
    public static MediaType parse(String text) {
        return new Reader(text, false).mediaType();
    }

    /**
     * The media types of a comma-separated list (an Accept header), in the order written; a comma
     * inside a quoted value does not separate, and empty elements are skipped.
     */
    public static List<MediaType> parseList(String text) {
        Reader reader = new Reader(text, true);
        List<MediaType> types = new ArrayList<>();
        while (!reader.atEnd()) {
            int start = reader.position;
            MediaType type = reader.mediaType();
            if (!text.substring(start, reader.position).isBlank()) {
                types.add(type);
            }
            reader.skipComma();
        }
        return types;
    }

    /** {@code type/subtype}, without parameters. */
    public String essence() {
        return type + "/" + subtype;
    }

    /** Whether this is {@code type/subtype} (either may be {@code *}, compared as written), in any case. */
    public boolean is(String type, String subtype) {
        return this.type.equals(type.toLowerCase(Locale.ROOT)) && this.subtype.equals(subtype.toLowerCase(Locale.ROOT));
    }

    /** The last parameter {@code name} (in any case) that has a value, or null if none has. */
    public Parameter parameter(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        for (int i = parameters.size() - 1; i >= 0; i--) {
            Parameter parameter = parameters.get(i);
            if (parameter.written() != null && parameter.name().equals(wanted)) {
                return parameter;
            }
        }
        return null;
    }

    /**
     * The weight {@code q} of an Accept range: 1 without one, the number {@link Double#parseDouble}
     * reads from its value (quotes ignored) otherwise, 0 if it reads none. Not bounded to [0, 1]:
     * what a weight outside means is for the reader of the list.
     */
    public double quality() {
        Parameter q = parameter("q");
        if (q == null) {
            return 1;
        }
        try {
            return Double.parseDouble(q.valueIgnoringQuotes());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** As a header writes it: {@code type/subtype; name=value}, each value as it was written. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(essence());
        for (Parameter parameter : parameters) {
            out.append("; ").append(parameter);
        }
        return out.toString();
    }

    /** Whether {@code written} is one quoted string: an opening quote and the quote that closes it last. */
    private static boolean isQuoted(String written) {
        return !written.isEmpty() && written.charAt(0) == '"' && closingQuote(written, 0) == written.length() - 1;
    }

    /** The index of the quote closing the quoted string opened at {@code opening}, or -1 if none does. */
    private static int closingQuote(String text, int opening) {
        for (int i = opening + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length() && DELIMITERS.indexOf(text.charAt(i + 1)) >= 0) {
                i++;
            } else if (c == '"') {
                return i;
            }
        }
        return -1;
    }

    /** The text of a quoted string, escapes undone. */
    private static String unquoted(String quoted) {
        StringBuilder out = new StringBuilder(quoted.length());
        for (int i = 1; i < quoted.length() - 1; i++) {
            char c = quoted.charAt(i);
            if (c == '\\' && DELIMITERS.indexOf(quoted.charAt(i + 1)) >= 0) {
                c = quoted.charAt(++i);
            }
            out.append(c);
        }
        return out.toString();
    }

    /** Reads media types off a text, one after the other when it is a list. */
    private static final class Reader {
        private final String text;
        private final boolean list;
        private int position;

        Reader(String text, boolean list) {
            this.text = text;
            this.list = list;
        }

        boolean atEnd() {
            return position >= text.length();
        }

        void skipComma() {
            if (!atEnd() && text.charAt(position) == ',') {
                position++;
            }
        }

        MediaType mediaType() {
            int end = endOfSegment(position);
            String essence = text.substring(position, end).strip();
            position = end;
            int slash = essence.indexOf('/');
            String type = slash < 0 ? essence : essence.substring(0, slash);
            String subtype = slash < 0 ? "" : essence.substring(slash + 1);
            List<Parameter> parameters = new ArrayList<>();
            int emptyAtEnd = 0; // segments of no characters at all since the last other one: ignored if they end the text
            while (!atEnd() && text.charAt(position) == ';') {
                position++;
                Parameter parameter = parameter();
                emptyAtEnd = parameter == null ? emptyAtEnd + 1 : 0;
                parameters.add(parameter == null ? new Parameter("", null) : parameter);
            }
            return new MediaType(type, subtype, parameters.subList(0, parameters.size() - emptyAtEnd));
        }

        /** The parameter at the position, which it passes; null for one of no characters at all. */
        private Parameter parameter() {
            int start = position;
            int equals = start;
            while (equals < text.length() && !endsSegment(text.charAt(equals)) && text.charAt(equals) != '=') {
                equals++;
            }
            if (equals == text.length() || text.charAt(equals) != '=') {
                position = equals;
                return equals == start ? null : new Parameter(text.substring(start, equals).strip(), null);
            }
            String name = text.substring(start, equals).strip();
            int opening = equals + 1;
            while (opening < text.length() && Character.isWhitespace(text.charAt(opening))) {
                opening++;
            }
            int closing = opening < text.length() && text.charAt(opening) == '"' ? closingQuote(text, opening) : -1;
            position = endOfSegment(closing < 0 ? opening : closing + 1);
            return new Parameter(name, text.substring(opening, position).strip());
        }

        private int endOfSegment(int from) {
            int i = from;
            while (i < text.length() && !endsSegment(text.charAt(i))) {
                i++;
            }
            return i;
        }

        private boolean endsSegment(char c) {
            return c == ';' || list && c == ',';
        }
    }
}
