package io.tidegate.ttl;

import io.tidegate.format.OneLine;
import io.tidegate.format.GoQuote;
import io.tidegate.format.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The PromQL grammar of label matchers and of selectors without a metric name, as the Prometheus
 * lexer reads them: whitespace between tokens, a trailing comma before the closing brace, strings in double
 * or single quotes with Go escapes, or in back quotes with none. Every problem is an {@link
 * IllegalArgumentException} naming what is wrong and its 1-based position.
 */
final class SelectorParser {
    private static final String QUOTES = "\"'`";
    /** Where a label name ends (a name is checked afterwards, so "jöb" is reported as a whole). */
    private static final String NOT_IN_NAMES = " \t\r\n=!~,{}" + QUOTES;

    private final String text;
    private final String what;
    private int position;

    private SelectorParser(String text, String what) {
        this.text = text;
        this.what = what;
    }

    static LabelMatcher matcher(String text) {
        SelectorParser parser = new SelectorParser(text, "matcher");
        parser.skipSpace();
        LabelMatcher matcher = parser.matcher();
        parser.skipSpace();
        if (!parser.atEnd()) {
            throw parser.expected("the end of the matcher (write several as a selector {a=\"b\", c=\"d\"})");
        }
        return matcher;
    }

    static List<LabelMatcher> selector(String text) {
        SelectorParser parser = new SelectorParser(text, "selector");
        parser.skipSpace();
        if (!parser.lookingAt('{')) {
            throw parser.expected("\"{\" (a selector is written {name=\"value\", ...})");
        }
        parser.position++;
        parser.skipSpace();
        List<LabelMatcher> matchers = new ArrayList<>();
        while (!parser.lookingAt('}')) {
            matchers.add(parser.matcher());
            parser.skipSpace();
            if (parser.lookingAt(',')) {
                parser.position++;
                parser.skipSpace();
            } else if (!parser.lookingAt('}')) {
                throw parser.expected("\",\" or \"}\"");
            }
        }
        parser.position++;
        parser.skipSpace();
        if (!parser.atEnd()) {
            throw parser.expected("the end of the selector after \"}\"");
        }
        return List.copyOf(matchers);
    }

    private LabelMatcher matcher() {
        String name = labelName();
        skipSpace();
        LabelMatcher.Type type = operator(name);
        skipSpace();
        String value = string();
        Pattern pattern = null;
        if (type == LabelMatcher.Type.REGEX || type == LabelMatcher.Type.NOT_REGEX) {
            pattern = compile(name, type, value);
        }
        return new LabelMatcher(name, type, value, pattern);
    }

    private String labelName() {
        int start = position;
        while (!atEnd() && NOT_IN_NAMES.indexOf(text.charAt(position)) < 0) {
            position++;
        }
        String name = text.substring(start, position);
        if (name.isEmpty()) {
            throw expected("a label name");
        }
        if (!Names.isValidLabelName(name)) {
            throw error("invalid label name " + GoQuote.string(name)
                    + " (letters, digits and _, not starting with a digit)", start);
        }
        if (name.startsWith(Names.RESERVED_PREFIX)) {
            throw error("label name " + GoQuote.string(name) + " is reserved (starts with __); no grouping key has it",
                    start);
        }
        return name;
    }

    private LabelMatcher.Type operator(String name) {
        for (LabelMatcher.Type type : new LabelMatcher.Type[] {
            LabelMatcher.Type.REGEX, LabelMatcher.Type.NOT_EQUAL, LabelMatcher.Type.NOT_REGEX, LabelMatcher.Type.EQUAL
        }) {
            if (text.startsWith(type.symbol(), position)) {
                position += type.symbol().length();
                return type;
            }
        }
        throw expected("=, !=, =~ or !~ after label name " + name);
    }

    private String string() {
        if (atEnd() || QUOTES.indexOf(text.charAt(position)) < 0) {
            throw expected("a quoted value (\"...\", '...' or `...`)");
        }
        int start = position;
        char quote = text.charAt(position++);
        StringBuilder value = new StringBuilder();
        while (true) {
            if (atEnd() || (quote != '`' && text.charAt(position) == '\n')) {
                throw error("unterminated quoted string", start);
            }
            char c = text.charAt(position);
            if (c == quote) {
                position++;
                return value.toString();
            }
            if (c == '\\' && quote != '`') {
                escape(quote, value);
            } else if (Character.isHighSurrogate(c) && position + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(position + 1))) {
                value.append(c).append(text.charAt(position + 1));
                position += 2;
            } else if (Character.isSurrogate(c)) {
                throw error("invalid UTF-8 (an unpaired surrogate)", position);
            } else {
                value.append(c);
                position++;
            }
        }
    }

    /** A Go escape sequence, as Prometheus' lexer and {@code strconv.Unquote} accept it. */
    private void escape(char quote, StringBuilder value) {
        int start = position++;
        if (atEnd()) {
            throw error("escape sequence not terminated", start);
        }
        char c = text.charAt(position);
        switch (c) {
            case 'a' -> append(value, 0x07);
            case 'b' -> append(value, '\b');
            case 'f' -> append(value, '\f');
            case 'n' -> append(value, '\n');
            case 'r' -> append(value, '\r');
            case 't' -> append(value, '\t');
            case 'v' -> append(value, 0x0b);
            case '\\' -> append(value, '\\');
            case '0', '1', '2', '3', '4', '5', '6', '7' -> byteEscape(value, start, digits(start, position, 3, 8));
            case 'x' -> byteEscape(value, start, digits(start, position + 1, 2, 16));
            case 'u', 'U' -> {
                long rune = digits(start, position + 1, c == 'u' ? 4 : 8, 16);
                if (rune > Character.MAX_CODE_POINT || (rune >= 0xd800 && rune < 0xe000)) {
                    throw error("escape sequence " + text.substring(start, position) + " is an invalid Unicode code point",
                            start);
                }
                value.appendCodePoint((int) rune);
            }
            default -> {
                if (c != quote) {
                    int rune = text.codePointAt(position);
                    String shown = Character.isISOControl(rune) || Character.isWhitespace(rune)
                            ? " followed by " + GoQuote.string(new String(Character.toChars(rune)))
                            : new String(Character.toChars(rune));
                    throw error("unknown escape sequence \\" + shown, start);
                }
                append(value, c);
            }
        }
    }

    private void append(StringBuilder value, int c) {
        value.append((char) c);
        position++;
    }

    /** {@code \NNN} and {@code \xNN} give a byte in Go; only ASCII bytes are whole UTF-8 characters. */
    private void byteEscape(StringBuilder value, int start, long b) {
        String escape = text.substring(start, position);
        if (b > 0xff) {
            throw error("octal escape sequence " + escape + " is out of range", start);
        }
        if (b > 0x7f) {
            throw error("escape sequence " + escape + " is a byte, not a UTF-8 character; write \\u"
                    + String.format(Locale.ROOT, "%04x", b), start);
        }
        value.append((char) b);
    }

    /** Exactly {@code count} digits in {@code base} from {@code from}; moves past them. */
    private long digits(int escapeStart, int from, int count, int base) {
        long result = 0;
        position = from;
        for (int i = 0; i < count; i++) {
            int digit = atEnd() ? -1 : Character.digit(text.charAt(position), base);
            if (digit < 0 || text.charAt(position) > 'f') {
                throw error("escape sequence " + text.substring(escapeStart, position)
                        + " needs " + count + (base == 8 ? " octal" : " hex") + " digits", escapeStart);
            }
            result = result * base + digit;
            position++;
        }
        return result;
    }

    private Pattern compile(String name, LabelMatcher.Type type, String regex) {
        try {
            return Pattern.compile(regex, Pattern.DOTALL);
        } catch (PatternSyntaxException e) {
            String description = e.getDescription().isEmpty() ? "invalid" : e.getDescription();
            String why = Character.toLowerCase(description.charAt(0)) + description.substring(1);
            if (e.getIndex() >= regex.length()) {
                why += " at the end";
            } else if (e.getIndex() >= 0) {
                why += " at position " + (e.getIndex() + 1);
            }
            throw invalidRegex(name, type, regex, why);
        } catch (RuntimeException e) {
            throw invalidRegex(name, type, regex, String.valueOf(e));
        }
    }

    private static IllegalArgumentException invalidRegex(String name, LabelMatcher.Type type, String regex,
            String why) {
        return new IllegalArgumentException("invalid regex " + GoQuote.string(regex) + " in matcher " + name
                + type.symbol() + GoQuote.string(regex) + ": " + why);
    }

    private void skipSpace() {
        while (!atEnd() && " \t\r\n".indexOf(text.charAt(position)) >= 0) {
            position++;
        }
    }

    private boolean lookingAt(char c) {
        return !atEnd() && text.charAt(position) == c;
    }

    private boolean atEnd() {
        return position >= text.length();
    }

    private IllegalArgumentException expected(String expectation) {
        String found = atEnd() ? "the end" : GoQuote.string(new String(Character.toChars(text.codePointAt(position))));
        return error("expected " + expectation + ", found " + found, position);
    }

    private IllegalArgumentException error(String problem, int at) {
        return new IllegalArgumentException(
                "invalid " + what + " " + shown(text) + ": " + problem + " at position " + (at + 1));
    }

    /** The input as the operator wrote it, on one line. */
    private static String shown(String text) {
        return text.isEmpty() ? "\"\"" : OneLine.of(text);
    }
}
