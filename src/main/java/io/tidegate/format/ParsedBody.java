package io.tidegate.format;

import java.util.Map;

/**
 * What a push body holds: its families by name in the order they appeared, and for the families a
 * {@code #!set stale_timeout = N|null} directive applied to, the seconds it gave (null value: no
 * timeout, explicitly).
 */
public record ParsedBody(Map<String, MetricFamily> families, Map<String, Double> staleTimeoutSeconds) {
    public ParsedBody {
        families = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(families));
        staleTimeoutSeconds = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(staleTimeoutSeconds));
    }

    public static ParsedBody of(Map<String, MetricFamily> families) {
        return new ParsedBody(families, Map.of());
    }
}
