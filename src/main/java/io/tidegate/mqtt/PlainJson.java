package io.tidegate.mqtt;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.internal.LazilyParsedNumber;
import java.nio.charset.StandardCharsets;

/**
 * Reads the JSON that devices send in the common case straight from the payload's bytes into Gson's tree, the
 * same tree Gson's own reader would build (numbers kept as their text, members in document order), without
 * decoding the payload to a string first or the 2 KB buffer of a Gson reader per message.
 *
 * <p>It takes only the plain path of strict JSON: strings without escapes or control characters, objects without
 * a repeated key, nesting up to {@link #MAX_DEPTH}. For anything else, valid or not, it returns null and the
 * caller reads the payload with Gson, which accepts exactly what it accepted before and words every error as
 * before. So this class can only make a payload cheaper to read, never read it differently.
 */
final class PlainJson {
    /** Deeper payloads are left to Gson, which has its own nesting limit and message. */
    static final int MAX_DEPTH = 32;

    private static final JsonPrimitive TRUE = new JsonPrimitive(true);
    private static final JsonPrimitive FALSE = new JsonPrimitive(false);

    private final byte[] in;
    private int at;

    private PlainJson(byte[] in) {
        this.in = in;
    }

    /** The tree of {@code json}, or null when it is not plain strict JSON (Gson then reads it, or refuses it). */
    static JsonElement read(byte[] json) {
        PlainJson reader = new PlainJson(json);
        JsonElement value = reader.value(0);
        if (value == null) {
            return null;
        }
        reader.skipWhitespace();
        return reader.at == json.length ? value : null;
    }

    private JsonElement value(int depth) {
        skipWhitespace();
        if (at >= in.length) {
            return null;
        }
        return switch (in[at]) {
            case '{' -> depth < MAX_DEPTH ? object(depth + 1) : null;
            case '[' -> depth < MAX_DEPTH ? array(depth + 1) : null;
            case '"' -> {
                String text = string();
                yield text == null ? null : new JsonPrimitive(text);
            }
            case 't' -> literal("true") ? TRUE : null;
            case 'f' -> literal("false") ? FALSE : null;
            case 'n' -> literal("null") ? JsonNull.INSTANCE : null;
            default -> number();
        };
    }

    private JsonObject object(int depth) {
        at++; // {
        JsonObject object = new JsonObject();
        skipWhitespace();
        if (at < in.length && in[at] == '}') {
            at++;
            return object;
        }
        while (true) {
            skipWhitespace();
            if (at >= in.length || in[at] != '"') {
                return null;
            }
            String key = string();
            if (key == null || object.has(key)) {
                return null;
            }
            skipWhitespace();
            if (at >= in.length || in[at] != ':') {
                return null;
            }
            at++;
            JsonElement member = value(depth);
            if (member == null) {
                return null;
            }
            object.add(key, member);
            skipWhitespace();
            if (at >= in.length) {
                return null;
            }
            byte next = in[at++];
            if (next == '}') {
                return object;
            }
            if (next != ',') {
                return null;
            }
        }
    }

    private JsonArray array(int depth) {
        at++; // [
        JsonArray array = new JsonArray();
        skipWhitespace();
        if (at < in.length && in[at] == ']') {
            at++;
            return array;
        }
        while (true) {
            JsonElement element = value(depth);
            if (element == null) {
                return null;
            }
            array.add(element);
            skipWhitespace();
            if (at >= in.length) {
                return null;
            }
            byte next = in[at++];
            if (next == ']') {
                return array;
            }
            if (next != ',') {
                return null;
            }
        }
    }

    /** A string at {@code "}, or null for one with an escape, a control character or no end. */
    private String string() {
        int start = ++at;
        boolean ascii = true;
        while (at < in.length) {
            int b = in[at];
            if (b == '"') {
                String text = new String(in, start, at - start,
                        ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
                at++;
                return text;
            }
            if (b == '\\' || (b >= 0 && b < 0x20)) {
                return null;
            }
            ascii &= b >= 0;
            at++;
        }
        return null;
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
        return true; // what follows is checked by the enclosing object or array, or by the end of the payload
    }

    /** A number by JSON's grammar: {@code -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?}. */
    private JsonPrimitive number() {
        int start = at;
        if (peek() == '-') {
            at++;
        }
        if (peek() == '0') {
            at++;
        } else if (!digits()) {
            return null;
        }
        if (peek() == '.') {
            at++;
            if (!digits()) {
                return null;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            at++;
            if (peek() == '+' || peek() == '-') {
                at++;
            }
            if (!digits()) {
                return null;
            }
        }
        String text = new String(in, start, at - start, StandardCharsets.ISO_8859_1);
        return new JsonPrimitive(new LazilyParsedNumber(text));
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
}
