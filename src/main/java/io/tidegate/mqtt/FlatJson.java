package io.tidegate.mqtt;

import java.nio.charset.StandardCharsets;

/**
 * Reads the members of a JSON object payload that a mapping rule names by one key each ({@code temperature},
 * {@code battery}), straight from the payload's bytes: numbers to doubles, booleans, strings and nulls, without the
 * tree ({@link PlainJson}) of every member and its keys and numbers as strings. Members the rule does not name are
 * checked and passed over, nested ones included.
 *
 * <p>It takes only what {@link PlainJson} takes (the plain path of strict JSON, {@link PlainJsonScanner}), and only
 * an object whose named members are not objects or arrays. For anything else, valid or not, it returns null and the
 * caller reads the tree as before, which words every refusal as before.
 * What it reads is what the tree holds: a repeated key's last value (as Gson's tree keeps it), a number as
 * {@link Double#parseDouble} reads its text.
 */
final class FlatJson extends PlainJsonScanner {
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

    private final byte[][] keys;
    private final boolean[] textWanted;
    private final Members members;

    private FlatJson(byte[] in, byte[][] keys, boolean[] textWanted) {
        super(in);
        this.keys = keys;
        this.textWanted = textWanted;
        this.members = new Members(new byte[keys.length], new double[keys.length], new String[keys.length]);
    }

    /**
     * The members of {@code json} named by {@code keys} (UTF-8), or null when the payload is not a plain object
     * or a named member is an object or an array.
     *
     * @param textWanted per key, whether a number's text is wanted too (a label takes it as written)
     */
    static Members read(byte[] json, byte[][] keys, boolean[] textWanted) {
        FlatJson reader = new FlatJson(json, keys, textWanted);
        reader.skipWhitespace();
        boolean read = reader.peek() == '{' && reader.object(1) && reader.atEnd();
        return read ? reader.members : null;
    }

    /** Passes over a value at {@code depth} (the payload's object is 1). */
    private boolean value(int depth) {
        skipWhitespace();
        if (at >= in.length) {
            return false;
        }
        return switch (in[at]) {
            case '{' -> depth < MAX_DEPTH && object(depth + 1);
            case '[' -> depth < MAX_DEPTH && array(depth + 1);
            case '"' -> string();
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> number();
        };
    }

    /** Passes over an object, the payload's own ({@code depth} 1) keeping its named members. */
    private boolean object(int depth) {
        if (openedEmpty((byte) '}')) {
            return true;
        }
        while (true) {
            if (!key()) {
                return false;
            }
            int named = depth == 1 ? named() : -1;
            if (!(named < 0 ? value(depth) : namedValue(named))) {
                return false;
            }
            int next = next((byte) '}');
            if (next != MORE) {
                return next == CLOSED;
            }
        }
    }

    private boolean array(int depth) {
        if (openedEmpty((byte) ']')) {
            return true;
        }
        while (true) {
            if (!value(depth)) {
                return false;
            }
            int next = next((byte) ']');
            if (next != MORE) {
                return next == CLOSED;
            }
        }
    }

    /** The index of the key just passed over among {@link #keys}, or -1. */
    private int named() {
        int length = stringEnd - stringStart;
        for (int k = 0; k < keys.length; k++) {
            byte[] key = keys[k];
            if (key.length == length && java.util.Arrays.equals(in, stringStart, stringEnd, key, 0, length)) {
                return k;
            }
        }
        return -1;
    }

    /** A named member's value into {@link #members}; false for one that is not plain, or an object or an array. */
    private boolean namedValue(int k) {
        skipWhitespace();
        if (at >= in.length) {
            return false;
        }
        int start = at;
        byte kind;
        switch (in[at]) {
            case '"' -> {
                if (!string()) {
                    return false;
                }
                kind = STRING;
                members.texts[k] = stringText();
            }
            case 't' -> kind = literal("true") ? TRUE : ABSENT;
            case 'f' -> kind = literal("false") ? FALSE : ABSENT;
            case 'n' -> kind = literal("null") ? NULL : ABSENT;
            case '{', '[' -> kind = ABSENT; // the tree says what such a member is
            default -> {
                if (!number()) {
                    return false;
                }
                kind = NUMBER;
                members.numbers[k] = parseDouble(in, start, at);
                members.texts[k] = textWanted[k] ? new String(in, start, at - start, StandardCharsets.ISO_8859_1) : null;
            }
        }
        members.kinds[k] = kind;
        return kind != ABSENT;
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
