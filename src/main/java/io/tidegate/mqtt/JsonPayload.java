package io.tidegate.mqtt;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.tidegate.format.BodyFormatException;
import io.tidegate.format.BodyLimits;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.MetricType;
import io.tidegate.format.Names;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Reads a JSON object payload as gauges, the way home-automation devices publish their state:
 * every number becomes a gauge named by its path of keys, nested keys joined with {@code _}, and
 * every boolean a gauge of 1 or 0; strings, nulls and arrays say nothing a gauge can hold and are
 * passed over. Names are made valid metric names ({@link Names#sanitiseMetricName}):
 * <pre>{"temp": 21.5, "battery": {"level": 87, "low": false}, "mode": "eco"}</pre>
 * gives {@code temp 21.5}, {@code battery_level 87} and {@code battery_low 0}. Strict JSON only
 * (no comments, no NaN literals, nothing after the object). Each leaf is a series: the read stops at the
 * first leaf past {@link BodyLimits#maxSeries()}.
 */
final class JsonPayload {
    private JsonPayload() {}

    /**
     * @throws BodyFormatException when the payload is not a JSON object, has no number or boolean
     *     anywhere, or two of its paths give the same metric name
     */
    static Map<String, MetricFamily> families(String json, BodyLimits limits) throws BodyFormatException {
        return familiesWithGson(json, limits);
    }

    /** {@link #families(String, BodyLimits)} bounding nothing. */
    static Map<String, MetricFamily> families(String json) throws BodyFormatException {
        return families(json, BodyLimits.NONE);
    }

    /**
     * {@link #families(String, BodyLimits)} of UTF-8 bytes: plain JSON straight from the bytes
     * ({@link PlainJson}), the rest by Gson.
     */
    static Map<String, MetricFamily> families(byte[] json, BodyLimits limits) throws BodyFormatException {
        if (PlainJson.read(json) instanceof JsonObject object) {
            Map<String, MetricFamily> families = new LinkedHashMap<>();
            readTree(object, "", "$", families, new HashMap<>(), limits);
            if (!families.isEmpty()) {
                return families;
            }
        }
        return familiesWithGson(new String(json, StandardCharsets.UTF_8), limits); // its errors, worded as ever
    }

    /** {@link #families(byte[], BodyLimits)} bounding nothing. */
    static Map<String, MetricFamily> families(byte[] json) throws BodyFormatException {
        return families(json, BodyLimits.NONE);
    }

    private static Map<String, MetricFamily> familiesWithGson(String json, BodyLimits limits)
            throws BodyFormatException {
        Map<String, MetricFamily> families = new LinkedHashMap<>();
        Map<String, Supplier<String>> pathsByName = new LinkedHashMap<>();
        try (JsonReader reader = new JsonReader(new StringReader(json))) {
            reader.setStrictness(Strictness.STRICT);
            if (reader.peek() != JsonToken.BEGIN_OBJECT) {
                throw new BodyFormatException("JSON payload must be an object, not " + describe(reader.peek()));
            }
            readObject(reader, "", families, pathsByName, limits);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new BodyFormatException("JSON payload has more after its object at " + reader.getPath());
            }
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            // Gson reports malformed JSON as MalformedJsonException (an IOException) or IllegalStateException
            throw new BodyFormatException("invalid JSON: " + forOperators(e.getMessage()));
        }
        if (families.isEmpty()) {
            throw new BodyFormatException("JSON payload has no number or boolean to make a gauge of");
        }
        return families;
    }

    /**
     * The payload as a tree, for mapping rules that pick fields by path; strict JSON only, as
     * {@link #families}.
     *
     * @throws BodyFormatException for malformed JSON or anything after the value
     */
    static JsonElement parse(String json) throws BodyFormatException {
        return parseWithGson(json);
    }

    /** {@link #parse(String)} of UTF-8 bytes: plain JSON straight from the bytes ({@link PlainJson}), the rest by Gson. */
    static JsonElement parse(byte[] json) throws BodyFormatException {
        JsonElement plain = PlainJson.read(json);
        return plain != null ? plain : parseWithGson(new String(json, StandardCharsets.UTF_8));
    }

    private static JsonElement parseWithGson(String json) throws BodyFormatException {
        try (JsonReader reader = new JsonReader(new StringReader(json))) {
            reader.setStrictness(Strictness.STRICT);
            JsonElement root = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new BodyFormatException("JSON payload has more after its value at " + printable(reader.getPath()));
            }
            return root;
        } catch (JsonParseException e) {
            // Gson wraps the reader's complaint, whose message is the one to show
            throw new BodyFormatException("invalid JSON: " + forOperators(
                    e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new BodyFormatException("invalid JSON: " + forOperators(e.getMessage()));
        }
    }

    /** {@link #readObject} over a tree; {@code path} is the object's path as Gson words it ({@code $.battery}). */
    private static void readTree(JsonObject object, String prefix, String path, Map<String, MetricFamily> families,
            Map<String, Supplier<String>> pathsByName, BodyLimits limits) throws BodyFormatException {
        for (Map.Entry<String, JsonElement> member : object.entrySet()) {
            String key = member.getKey();
            String name = prefix.isEmpty() ? key : prefix + "_" + key;
            JsonElement value = member.getValue();
            if (value instanceof JsonObject nested) {
                readTree(nested, name, path + "." + key, families, pathsByName, limits);
            } else if (value instanceof JsonPrimitive primitive && primitive.isNumber()) {
                add(families, pathsByName, limits, name, () -> printable(path + "." + key), primitive.getAsDouble());
            } else if (value instanceof JsonPrimitive primitive && primitive.isBoolean()) {
                add(families, pathsByName, limits, name, () -> printable(path + "." + key),
                        primitive.getAsBoolean() ? 1 : 0);
            }
        }
    }

    private static void readObject(JsonReader reader, String prefix, Map<String, MetricFamily> families,
            Map<String, Supplier<String>> pathsByName, BodyLimits limits) throws IOException, BodyFormatException {
        reader.beginObject();
        while (reader.hasNext()) {
            String key = reader.nextName();
            String name = prefix.isEmpty() ? key : prefix + "_" + key;
            String where = printable(reader.getPath());
            switch (reader.peek()) {
                case BEGIN_OBJECT -> readObject(reader, name, families, pathsByName, limits);
                case NUMBER -> add(families, pathsByName, limits, name, () -> where,
                        Double.parseDouble(reader.nextString()));
                case BOOLEAN -> add(families, pathsByName, limits, name, () -> where, reader.nextBoolean() ? 1 : 0);
                default -> reader.skipValue();
            }
        }
        reader.endObject();
    }

    /** @param where the JSON path of the value ({@code $.battery.level}), for messages */
    private static void add(Map<String, MetricFamily> families, Map<String, Supplier<String>> pathsByName,
            BodyLimits limits, String joinedKeys, Supplier<String> where, double value) throws BodyFormatException {
        if (families.size() == limits.maxSeries()) {
            throw new BodyFormatException(limits.tooManySeries());
        }
        String name = Names.sanitiseMetricName(joinedKeys);
        if (name.isEmpty()) {
            throw new BodyFormatException("JSON value at " + where.get() + " has an empty key, which cannot name a metric");
        }
        Supplier<String> earlier = pathsByName.putIfAbsent(name, where);
        if (earlier != null) {
            throw new BodyFormatException("JSON values at " + earlier.get() + " and " + where.get()
                    + " both make the metric name " + name);
        }
        families.put(name, new MetricFamily(name, null, MetricType.GAUGE, List.of(Metric.simple(List.of(), value, null))));
    }

    /**
     * Gson's message without what speaks to a programmer: its advice to turn leniency on and the
     * troubleshooting link on a line of its own.
     */
    private static String forOperators(String gsonMessage) {
        String message = GSON_LINK.matcher(String.valueOf(gsonMessage)).replaceFirst("");
        return printable(message.replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON",
                "malformed JSON"));
    }

    private static final Pattern GSON_LINK = Pattern.compile("\nSee https://github\\.com/google/gson/\\S*$");

    /**
     * Gson's paths, in its messages and ours, hold the publisher's keys raw; a key with a newline or
     * NUL (JSON escapes allow both) would break the log line, so control characters are escaped.
     */
    private static String printable(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean escape = Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
            if (escape && out == null) {
                out = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            if (escape) {
                out.append(String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case BEGIN_ARRAY -> "an array";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> "empty";
        };
    }
}
