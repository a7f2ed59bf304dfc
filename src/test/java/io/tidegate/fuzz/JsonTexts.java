package io.tidegate.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * JSON as devices publish it and as they get it wrong: nested objects and arrays of numbers,
 * booleans, strings and nulls, keys that sanitise to the same metric name or to none, numbers at the
 * edges of a double, and nesting far deeper than any device's. Shared by the JSON reader's and the
 * MQTT ingest's fuzzing.
 */
public final class JsonTexts {
    private JsonTexts() {}

    private static final List<String> KEYS = List.of("temp", "battery", "level", "low", "a", "b", "a_b", "", " ",
            "é", "😀", "1", "_", "__name__", "a.b", "a-b", "temp ", "\\u0000", "\\ud800", "\\\"", "\\n", "\\/", "job");

    private static final List<String> NUMBERS = List.of("0", "-0", "1", "-1", "21.5", "1e3", "1E-3", "1e308",
            "1e309", "-1e309", "4.9e-324", "1e-400", "123456789012345678901234567890", "0.1", "9007199254740993");

    /** What strict JSON refuses, for mutations to put in. */
    public static final List<byte[]> TOKENS = Mutations.utf8("{", "}", "[", "]", ":", ",", "\"", "\\", "\\u", "\\ud800",
            "NaN", "Infinity", "-", "01", "1.", ".5", "+1", "true", "fals", "null", "nul", "//", "/*", "'", "#", " ",
            "\u00a0", "\ufeff");

    private static Arbitrary<String> scalar() {
        Arbitrary<String> strings = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(8)
                .map(s -> "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of(NUMBERS)),
                Tuple.of(2, Arbitraries.doubles().filter(Double::isFinite).map(String::valueOf)),
                Tuple.of(2, Arbitraries.of("true", "false", "null")),
                Tuple.of(1, strings));
    }

    private static Arbitrary<String> value(int depth) {
        if (depth == 0) {
            return scalar();
        }
        return Arbitraries.frequencyOf(
                Tuple.of(4, scalar()),
                Tuple.of(2, Arbitraries.lazy(() -> object(depth - 1))),
                Tuple.of(1, Arbitraries.lazy(() -> value(depth - 1)).list().ofMaxSize(3)
                        .map(values -> "[" + String.join(",", values) + "]")));
    }

    private static Arbitrary<String> object(int depth) {
        Arbitrary<String> key = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.of(KEYS)),
                Tuple.of(1, Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(5)));
        Arbitrary<String> member = Combinators.combine(key, value(depth)).as((k, v) -> "\"" + k + "\":" + v);
        return member.list().ofMaxSize(5).map(members -> "{" + String.join(",", members) + "}");
    }

    /** JSON objects nested up to four levels: mostly valid, some refused for colliding or empty names. */
    public static Arbitrary<String> objects() {
        return object(4);
    }

    public static Arbitrary<byte[]> mutatedObjects() {
        return Mutations.of(objects().map(json -> json.getBytes(StandardCharsets.UTF_8)), TOKENS, 3);
    }

    /** Nesting {@code depth} deep, of objects, arrays or both, with a number at the bottom, closed or not. */
    public static String deep(int depth, String opener, boolean closed) {
        StringBuilder json = new StringBuilder("{\"k\":");
        List<Character> closers = new ArrayList<>();
        for (int i = 0; i < depth; i++) {
            char open = opener.charAt(i % opener.length());
            json.append(open == '{' ? "{\"k\":" : "[");
            closers.add(open == '{' ? '}' : ']');
        }
        json.append('1');
        if (closed) {
            for (int i = closers.size() - 1; i >= 0; i--) {
                json.append(closers.get(i));
            }
            json.append('}');
        }
        return json.toString();
    }
}
