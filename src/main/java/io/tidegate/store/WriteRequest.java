package io.tidegate.store;

import io.tidegate.format.MetricFamily;
import java.util.Map;

/**
 * The one command every ingest path hands to the {@link Store}: which group, what to do with it,
 * the families to write (empty for a DELETE) with their resolved TTLs, and where it came from. A
 * write carries all it needs to be applied anywhere, so it can also be journalled and replayed.
 */
public record WriteRequest(GroupingKey key, Verb verb, Map<String, MetricFamily> families, Ttls ttls, Source source) {
    public WriteRequest {
        families = Map.copyOf(families);
    }

    public WriteRequest(GroupingKey key, Verb verb, Map<String, MetricFamily> families, Source source) {
        this(key, verb, families, Ttls.NEVER, source);
    }

    public static WriteRequest delete(GroupingKey key, Source source) {
        return new WriteRequest(key, Verb.DELETE, Map.of(), Ttls.NEVER, source);
    }
}
