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
final class PlainJson extends PlainJsonScanner {
    private static final JsonPrimitive TRUE = new JsonPrimitive(true);
    private static final JsonPrimitive FALSE = new JsonPrimitive(false);

    private PlainJson(byte[] in) {
        super(in);
    }

    /** The tree of {@code json}, or null when it is not plain strict JSON (Gson then reads it, or refuses it). */
    static JsonElement read(byte[] json) {
        PlainJson reader = new PlainJson(json);
        JsonElement value = reader.value(0);
        return value != null && reader.atEnd() ? value : null;
    }

    private JsonElement value(int depth) {
        skipWhitespace();
        if (at >= in.length) {
            return null;
        }
        int start = at;
        return switch (in[at]) {
            case '{' -> depth < MAX_DEPTH ? object(depth + 1) : null;
            case '[' -> depth < MAX_DEPTH ? array(depth + 1) : null;
            case '"' -> string() ? new JsonPrimitive(stringText()) : null;
            case 't' -> literal("true") ? TRUE : null;
            case 'f' -> literal("false") ? FALSE : null;
            case 'n' -> literal("null") ? JsonNull.INSTANCE : null;
            default -> number()
                    ? new JsonPrimitive(new LazilyParsedNumber(new String(in, start, at - start, StandardCharsets.ISO_8859_1)))
                    : null;
        };
    }

    private JsonObject object(int depth) {
        JsonObject object = new JsonObject();
        if (openedEmpty((byte) '}')) {
            return object;
        }
        while (true) {
            if (!key()) {
                return null;
            }
            String key = stringText();
            if (object.has(key)) {
                return null;
            }
            JsonElement member = value(depth);
            if (member == null) {
                return null;
            }
            object.add(key, member);
            int next = next((byte) '}');
            if (next != MORE) {
                return next == CLOSED ? object : null;
            }
        }
    }

    private JsonArray array(int depth) {
        JsonArray array = new JsonArray();
        if (openedEmpty((byte) ']')) {
            return array;
        }
        while (true) {
            JsonElement element = value(depth);
            if (element == null) {
                return null;
            }
            array.add(element);
            int next = next((byte) ']');
            if (next != MORE) {
                return next == CLOSED ? array : null;
            }
        }
    }
}
