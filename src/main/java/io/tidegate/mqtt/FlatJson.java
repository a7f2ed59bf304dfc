package io.tidegate.mqtt;

import java.nio.charset.StandardCharsets;

/**
 * Reads the members of a JSON object payload that a mapping rule names by one key each ({@code temperature},
 * {@code battery}), straight from the payload's bytes: numbers to doubles, booleans, strings and nulls, without the
 * tree ({@link PlainJson}) of every member and its keys and numbers as strings. Members the rule does not name are
 * checked and passed over, nested ones included.
 *
 * <p>It takes only what {@link PlainJson} takes (strict JSON, strings without escapes or control characters, nesting
 * up to {@link PlainJson#MAX_DEPTH}), and only an object whose named members are not objects or arrays. For anything
 * else, valid or not, it returns null and the caller reads the tree as before, which words every refusal as before.
 * What it reads is what the tree holds: a repeated key's last value (as Gson's tree keeps it), a number as
 * {@link Double#parseDouble} reads its text.
 */
final class FlatJson {
    /** What a named member held. */
    static final byte ABSENT = 0;
    static final byte NUMBER = 1;
    static final byte TRUE = 2;
    static final byte FALSE = 3;
    static final byte STRING = 4;
    static final byte NULL = 5;

    /** Powers of ten a double holds exactly: a number of at most 15 digits times or over one is read exactly. */
    private static final double[] EXACT_POWERS_OF_TEN = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
        1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

    /**
     * The named members of one payload, by the index of their key.
     *
     * @param kinds {@link #ABSENT}, {@link #NUMBER}, ...
     * @param numbers a {@link #NUMBER}'s value
     * @param texts a {@link #STRING}'s text; a {@link #NUMBER}'s as written where the key's text was asked for
     */
    record Members(byte[] kinds, double[] numbers, String[] texts) {}

    private final byte[] in;
    private int at;

    private FlatJson(byte[] in) {
        this.in = in;
    }

    /**
     * The members of {@code json} named by {@code keys} (UTF-8), or null when the payload is not a plain object
     * or a named member is an object or an array.
     *
     * @param textWanted per key, whether a number's text is wanted too (a label takes it as written)
     */
    static Members read(byte[] json, byte[][] keys, boolean[] textWanted) {
        FlatJson reader = new FlatJson(json);
        Members members = new Members(new byte[keys.length], new double[keys.length], new String[keys.length]);
        if (!reader.object(keys, textWanted, members)) {
            return null;
        }
        reader.skipWhitespace();
        return reader.at == json.length ? members : null;
    }

    private boolean object(byte[][] keys, boolean[] textWanted, Members members) {
        skipWhitespace();
        if (at >= in.length || in[at] != '{') {
            return false;
        }
        at++;
        skipWhitespace();
        if (at < in.length && in[at] == '}') {
            at++;
            return true;
        }
        while (true) {
            skipWhitespace();
            int keyStart = at + 1;
            if (at >= in.length || in[at] != '"' || !string()) {
                return false;
            }
            int named = named(keys, keyStart, at - 1);
            skipWhitespace();
            if (at >= in.length || in[at] != ':') {
                return false;
            }
            at++;
            if (!(named < 0 ? value(1) : namedValue(named, textWanted[named], members))) {
                return false;
            }
            skipWhitespace();
            if (at >= in.length) {
                return false;
            }
            byte next = in[at++];
            if (next == '}') {
                return true;
            }
            if (next != ',') {
                return false;
            }
        }
    }

    /** The index of the key whose bytes are {@code in[start, end)}, or -1. */
    private int named(byte[][] keys, int start, int end) {
        int length = end - start;
        for (int k = 0; k < keys.length; k++) {
            byte[] key = keys[k];
            if (key.length == length && java.util.Arrays.equals(in, start, end, key, 0, length)) {
                return k;
            }
        }
        return -1;
    }

    /** A named member's value into {@code members}; false for one that is not plain, or an object or an array. */
    private boolean namedValue(int k, boolean textWanted, Members members) {
        skipWhitespace();
        if (at >= in.length) {
            return false;
        }
        int start = at;
        switch (in[at]) {
            case '"' -> {
                if (!string()) {
                    return false;
                }
                members.kinds[k] = STRING;
                members.texts[k] = text(start + 1, at - 1);
            }
            case 't' -> {
                if (!literal("true")) {
                    return false;
                }
                members.kinds[k] = TRUE;
            }
            case 'f' -> {
                if (!literal("false")) {
                    return false;
                }
                members.kinds[k] = FALSE;
            }
            case 'n' -> {
                if (!literal("null")) {
                    return false;
                }
                members.kinds[k] = NULL;
            }
            case '{', '[' -> {
                return false;
            }
            default -> {
                if (!number()) {
                    return false;
                }
                members.kinds[k] = NUMBER;
                members.numbers[k] = parseDouble(in, start, at);
                members.texts[k] = textWanted ? new String(in, start, at - start, StandardCharsets.ISO_8859_1) : null;
            }
        }
        return true;
    }

    /** Checks and passes over a value at {@code depth} (the payload's object is 1). */
    private boolean value(int depth) {
        skipWhitespace();
        if (at >= in.length) {
            return false;
        }
        return switch (in[at]) {
            case '{' -> depth < PlainJson.MAX_DEPTH && skipObject(depth + 1);
            case '[' -> depth < PlainJson.MAX_DEPTH && skipArray(depth + 1);
            case '"' -> string();
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> number();
        };
    }

    private boolean skipObject(int depth) {
        at++; // {
        skipWhitespace();
        if (at < in.length && in[at] == '}') {
            at++;
            return true;
        }
        while (true) {
            skipWhitespace();
            if (at >= in.length || in[at] != '"' || !string()) {
                return false;
            }
            skipWhitespace();
            if (at >= in.length || in[at] != ':') {
                return false;
            }
            at++;
            if (!value(depth)) {
                return false;
            }
            skipWhitespace();
            if (at >= in.length) {
                return false;
            }
            byte next = in[at++];
            if (next == '}') {
                return true;
            }
            if (next != ',') {
                return false;
            }
        }
    }

    private boolean skipArray(int depth) {
        at++; // [
        skipWhitespace();
        if (at < in.length && in[at] == ']') {
            at++;
            return true;
        }
        while (true) {
            if (!value(depth)) {
                return false;
            }
            skipWhitespace();
            if (at >= in.length) {
                return false;
            }
            byte next = in[at++];
            if (next == ']') {
                return true;
            }
            if (next != ',') {
                return false;
            }
        }
    }

    /** Passes over a string at {@code "}; false for one with an escape, a control character or no end. */
    private boolean string() {
        at++;
        while (at < in.length) {
            int b = in[at];
            if (b == '"') {
                at++;
                return true;
            }
            if (b == '\\' || (b >= 0 && b < 0x20)) {
                return false;
            }
            at++;
        }
        return false;
    }

    private String text(int start, int end) {
        for (int i = start; i < end; i++) {
            if (in[i] < 0) {
                return new String(in, start, end - start, StandardCharsets.UTF_8);
            }
        }
        return new String(in, start, end - start, StandardCharsets.ISO_8859_1);
    }

    private boolean literal(String word) {
        int end = at + word.length();
        if (end > in.length) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            if (in[at + i] != word.charAt(i)) {
                return false;
            }
        }
        at = end;
        return true; // what follows is checked by the enclosing object or array
    }

    /** Passes over a number by JSON's grammar: {@code -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?}. */
    private boolean number() {
        if (peek() == '-') {
            at++;
        }
        if (peek() == '0') {
            at++;
        } else if (!digits()) {
            return false;
        }
        if (peek() == '.') {
            at++;
            if (!digits()) {
                return false;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            at++;
            if (peek() == '+' || peek() == '-') {
                at++;
            }
            return digits();
        }
        return true;
    }

    private boolean digits() {
        int start = at;
        while (at < in.length && in[at] >= '0' && in[at] <= '9') {
            at++;
        }
        return at > start;
    }

    private int peek() {
        return at < in.length ? in[at] : -1;
    }

    private void skipWhitespace() {
        while (at < in.length) {
            byte b = in[at];
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return;
            }
            at++;
        }
    }

    /**
     * The double {@link Double#parseDouble} makes of the JSON number in {@code bytes[start, end)}: where the number
     * has at most 15 digits and a power of ten at most 22 away, one multiplication or division of two exact doubles,
     * which IEEE arithmetic rounds correctly as {@code parseDouble} does; otherwise {@code parseDouble} itself.
     */
    static double parseDouble(byte[] bytes, int start, int end) {
        int i = start;
        boolean negative = bytes[i] == '-';
        if (negative) {
            i++;
        }
        long digits = 0;
        int count = 0;
        int scale = 0;
        boolean fraction = false;
        for (; i < end; i++) {
            byte b = bytes[i];
            if (b >= '0' && b <= '9') {
                digits = digits * 10 + (b - '0');
                count++;
                if (fraction) {
                    scale--;
                }
            } else if (b == '.') {
                fraction = true;
            } else {
                break; // e or E
            }
        }
        if (i < end) {
            int exponent = 0;
            boolean exponentNegative = false;
            i++;
            if (bytes[i] == '+' || bytes[i] == '-') {
                exponentNegative = bytes[i] == '-';
                i++;
            }
            if (end - i > 3) {
                return slowly(bytes, start, end);
            }
            for (; i < end; i++) {
                exponent = exponent * 10 + (bytes[i] - '0');
            }
            scale += exponentNegative ? -exponent : exponent;
        }
        if (count > 15 || scale < -22 || scale > 22) {
            return slowly(bytes, start, end);
        }
        double value = scale >= 0 ? digits * EXACT_POWERS_OF_TEN[scale] : digits / EXACT_POWERS_OF_TEN[-scale];
        return negative ? -value : value;
    }

    private static double slowly(byte[] bytes, int start, int end) {
        return Double.parseDouble(new String(bytes, start, end - start, StandardCharsets.ISO_8859_1));
    }
}
