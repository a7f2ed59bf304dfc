package io.tidegate.store;

import io.tidegate.key.GroupingKey;
import io.tidegate.format.MetricFamily;
import java.util.Map;
import java.util.Set;

/**
 * The one command every ingest path hands to the {@link Store}: which group, what to do with it,
 * the families to write (empty for a DELETE or a WIPE) with their resolved TTLs, and where it came
 * from. A write carries all it needs to be applied anywhere, so it can also be journalled, replayed
 * and replicated through the MQTT broker, the admin wipe included.
 *
 * @param key the group written; null for a {@link Verb#WIPE}, which concerns every group
 * @param writtenAtMillis when the write was made, for its push time and deadlines; {@link #NOW} for
 *     "when the store applies it". A write replicated through the MQTT broker carries the time the
 *     instance that took it gave it, so every replica holds the same push times and deadlines, and a
 *     replica that applies it late does not stretch its TTL.
 * @param typeNotGiven the names of the families whose payload gave them no type (an MQTT text family
 *     without a {@code # TYPE} line, a JSON leaf, a bare number): the store writes each with the type
 *     it already holds for that name, if any, else with the type it was read with. Empty for HTTP,
 *     where a family without a type is untyped, as upstream.
 */
public record WriteRequest(GroupingKey key, Verb verb, Map<String, MetricFamily> families, Ttls ttls, Source source,
        long writtenAtMillis, Set<String> typeNotGiven) implements StoreCommand<WriteOutcome> {
    /** {@code writtenAtMillis} of a write that takes its time from the store's clock. */
    public static final long NOW = 0;

    public WriteRequest {
        if ((key == null) != (verb == Verb.WIPE)) {
            throw new IllegalArgumentException(key == null ? "a " + verb + " needs a grouping key" : "a WIPE names no group");
        }
        families = Map.copyOf(families);
        typeNotGiven = Set.copyOf(typeNotGiven);
    }

    public WriteRequest(GroupingKey key, Verb verb, Map<String, MetricFamily> families, Ttls ttls, Source source,
            long writtenAtMillis) {
        this(key, verb, families, ttls, source, writtenAtMillis, Set.of());
    }

    public WriteRequest(GroupingKey key, Verb verb, Map<String, MetricFamily> families, Ttls ttls, Source source) {
        this(key, verb, families, ttls, source, NOW);
    }

    public WriteRequest(GroupingKey key, Verb verb, Map<String, MetricFamily> families, Source source) {
        this(key, verb, families, Ttls.NEVER, source);
    }

    public static WriteRequest delete(GroupingKey key, Source source) {
        return new WriteRequest(key, Verb.DELETE, Map.of(), Ttls.NEVER, source);
    }

    /** Removes every group: the admin API's wipe, asked for by {@code source}. */
    public static WriteRequest wipe(Source source) {
        return new WriteRequest(null, Verb.WIPE, Map.of(), Ttls.NEVER, source);
    }

    /** The same write, made at {@code millis} rather than when the store applies it. */
    public WriteRequest writtenAt(long millis) {
        return new WriteRequest(key, verb, families, ttls, source, millis, typeNotGiven);
    }

    /** The same write, with {@code names} as the families whose payload gave them no type. */
    public WriteRequest withTypeNotGiven(Set<String> names) {
        return new WriteRequest(key, verb, families, ttls, source, writtenAtMillis, names);
    }

    /** When the write counts as made, given the store's clock reads {@code nowMillis}. */
    long timeGiven(long nowMillis) {
        return writtenAtMillis == NOW ? nowMillis : writtenAtMillis;
    }
}
