package io.tidegate.mqtt;

import java.nio.charset.StandardCharsets;

/**
 * The plain path of strict JSON over a payload's bytes, as {@link PlainJson} and {@link FlatJson} take it: white
 * space, strings without escapes or control characters, the three literals, numbers by JSON's grammar, the members and
 * elements of objects and arrays, nesting up to {@link #MAX_DEPTH}. Each step says whether it found what it looks for
 * and moves past it; what is off the plain path (valid or not) is left to Gson by the readers.
 */
abstract class PlainJsonScanner {
    /** Deeper payloads are left to Gson, which has its own nesting limit and message. */
    static final int MAX_DEPTH = 32;

    /** {@link #next}: another member or element follows. */
    static final int MORE = 0;
    /** {@link #next}: the object or array is closed. */
    static final int CLOSED = 1;
    /** {@link #next}: neither a comma nor the closing byte. */
    static final int BROKEN = -1;

    final byte[] in;
    int at;
    /** The bytes between the quotes of the string {@link #string} passed over last: {@code in[stringStart, stringEnd)}. */
    int stringStart;
    int stringEnd;
    /** Whether those bytes are all ASCII (found while passing over them, so {@link #stringText} reads them once). */
    private boolean stringAscii;

    PlainJsonScanner(byte[] in) {
        this.in = in;
    }

    /** Whether all that is left is white space. */
    final boolean atEnd() {
        skipWhitespace();
        return at == in.length;
    }

    /** Passes over the {@code {} or {@code [} at hand and white space; true if {@code close} follows (passed too). */
    final boolean openedEmpty(byte close) {
        at++;
        skipWhitespace();
        if (at < in.length && in[at] == close) {
            at++;
            return true;
        }
        return false;
    }

    /** Passes over a member's key and its colon, the key left as the {@link #string} passed over last; false if none. */
    final boolean key() {
        skipWhitespace();
        if (at >= in.length || in[at] != '"' || !string()) {
            return false;
        }
        skipWhitespace();
        if (at >= in.length || in[at] != ':') {
            return false;
        }
        at++;
        return true;
    }

    /** After a member or an element: {@link #MORE}, {@link #CLOSED} by {@code close}, or {@link #BROKEN}. */
    final int next(byte close) {
        skipWhitespace();
        if (at >= in.length) {
            return BROKEN;
        }
        byte next = in[at++];
        return next == ',' ? MORE : next == close ? CLOSED : BROKEN;
    }

    /** Passes over a string at {@code "}; false for one with an escape, a control character or no end. */
    final boolean string() {
        stringStart = ++at;
        boolean ascii = true;
        while (at < in.length) {
            int b = in[at];
            if (b == '"') {
                stringEnd = at++;
                stringAscii = ascii;
                return true;
            }
            if (b == '\\' || (b >= 0 && b < 0x20)) {
                return false;
            }
            ascii &= b >= 0;
            at++;
        }
        return false;
    }

    /** The text of the string {@link #string} passed over last. */
    final String stringText() {
        return new String(in, stringStart, stringEnd - stringStart,
                stringAscii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
    }

    /** Passes over {@code word}; what follows is checked by the enclosing object or array, or the payload's end. */
    final boolean literal(String word) {
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
        return true;
    }

    /** Passes over a number by JSON's grammar: {@code -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?}. */
    final boolean number() {
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

    final int peek() {
        return at < in.length ? in[at] : -1;
    }

    final void skipWhitespace() {
        while (at < in.length) {
            byte b = in[at];
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return;
            }
            at++;
        }
    }
}
