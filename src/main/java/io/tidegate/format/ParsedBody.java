package io.tidegate.format;

import java.util.Map;
import java.util.Set;

/**
 * What a push body holds: its families by name in the order they appeared, and for the families a
 * {@code #!set stale_timeout = N|null} directive applied to, the seconds it gave (null value: no
 * timeout, explicitly), and the names of the families the body gave no type: in the text format,
 * those without a {@code # TYPE} line, read as untyped (an explicit {@code # TYPE x untyped} is a
 * type given).
 */
public record ParsedBody(Map<String, MetricFamily> families, Map<String, Double> staleTimeoutSeconds,
        Set<String> typeNotGiven) {
    public ParsedBody {
        families = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(families));
        staleTimeoutSeconds = staleTimeoutSeconds.isEmpty() ? Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(staleTimeoutSeconds));
        typeNotGiven = Set.copyOf(typeNotGiven);
    }

    public ParsedBody(Map<String, MetricFamily> families, Map<String, Double> staleTimeoutSeconds) {
        this(families, staleTimeoutSeconds, Set.of());
    }

    public static ParsedBody of(Map<String, MetricFamily> families) {
        return new ParsedBody(families, Map.of());
    }

    /** Families none of which the body gave a type (a JSON object's leaves, a bare number). */
    public static ParsedBody typeNotGiven(Map<String, MetricFamily> families) {
        return new ParsedBody(families, Map.of(), families.keySet());
    }
}
