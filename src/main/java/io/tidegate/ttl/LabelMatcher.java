package io.tidegate.ttl;

import io.tidegate.format.GoQuote;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One PromQL label matcher, such as {@code job=~"sensor.*"}, over the labels of a grouping key.
 * Immutable.
 *
 * <p>Semantics are PromQL's: {@code =} and {@code !=} compare the whole value; {@code =~} and
 * {@code !~} match a regular expression against the whole value (anchored at both ends, {@code .}
 * matching newlines too, as Prometheus compiles {@code ^(?s:re)$}); a label the key does not have
 * counts as the empty string, so {@code room!="lab"} matches a key without {@code room} and
 * {@code room=""} matches only keys without it. Regular expressions are compiled with
 * {@code java.util.regex}, which reads the RE2 syntax Prometheus uses (and more).
 *
 * <p>The syntax is PromQL's: a label name, an operator, and the value as a double-quoted,
 * single-quoted (both with Go escapes: <code>\" \\ \n \t \xNN &#92;uNNNN</code> ...) or back-quoted (raw)
 * string.
 */
public final class LabelMatcher {
    /** The four PromQL matcher operators. */
    public enum Type {
        EQUAL("="),
        NOT_EQUAL("!="),
        REGEX("=~"),
        NOT_REGEX("!~");

        private final String symbol;

        Type(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }

    private final String name;
    private final Type type;
    private final String value;
    private final Pattern pattern;

    LabelMatcher(String name, Type type, String value, Pattern pattern) {
        this.name = name;
        this.type = type;
        this.value = value;
        this.pattern = pattern;
    }

    /**
     * One matcher, such as {@code job=~"sensor.*"}.
     *
     * @throws IllegalArgumentException with a message naming the problem and where it is
     */
    public static LabelMatcher parse(String text) {
        return SelectorParser.matcher(Objects.requireNonNull(text, "text"));
    }

    /**
     * A selector without a metric name, such as {@code {job="a", room!~"lab|attic"}}: its matchers, in
     * order. {@code {}} selects everything and gives an empty list; a trailing comma is allowed, as in
     * PromQL.
     *
     * @throws IllegalArgumentException with a message naming the problem and where it is
     */
    public static List<LabelMatcher> parseSelector(String text) {
        return SelectorParser.selector(Objects.requireNonNull(text, "text"));
    }

    /**
     * Whether a label with this value satisfies the matcher; {@code null} (the label is absent) counts
     * as the empty string. A value too long for the regex engine's recursion counts as not matching
     * the regex, instead of failing the caller.
     */
    public boolean matches(String valueOrNull) {
        String actual = valueOrNull == null ? "" : valueOrNull;
        return switch (type) {
            case EQUAL -> actual.equals(value);
            case NOT_EQUAL -> !actual.equals(value);
            case REGEX -> regexMatches(actual);
            case NOT_REGEX -> !regexMatches(actual);
        };
    }

    private boolean regexMatches(String actual) {
        try {
            return pattern.matcher(actual).matches();
        } catch (StackOverflowError tooDeep) {
            return false;
        }
    }

    public String name() {
        return name;
    }

    public Type type() {
        return type;
    }

    /** The value compared with, or the regular expression as written (unanchored). */
    public String value() {
        return value;
    }

    /**
     * Equal when name, type and value are. Not a record for this reason: the compiled pattern is
     * derived from the value and has no equality of its own.
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof LabelMatcher matcher
                && name.equals(matcher.name) && type == matcher.type && value.equals(matcher.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, value);
    }

    /** The matcher in PromQL syntax, as Prometheus prints it: {@code job=~"sensor.*"}. */
    @Override
    public String toString() {
        return name + type.symbol() + GoQuote.string(value);
    }
}
