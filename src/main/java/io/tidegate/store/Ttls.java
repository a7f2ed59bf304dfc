package io.tidegate.store;

import java.util.Map;

/**
 * The time-to-live a write gives its families, already resolved from every source (body
 * directives, the push's own TTL, server rules, the default, the cap): one for the push, and
 * per-family ones where the body said otherwise. Milliseconds; 0 means never expire.
 */
public record Ttls(long pushMillis, Map<String, Long> familyMillis) {
    public static final Ttls NEVER = new Ttls(0, Map.of());

    public Ttls {
        familyMillis = Map.copyOf(familyMillis);
    }

    public static Ttls of(long pushMillis) {
        return new Ttls(pushMillis, Map.of());
    }

    public long forFamily(String name) {
        if (familyMillis.isEmpty()) {
            return pushMillis; // most writes: no lookup, and no boxing of the default
        }
        Long ttl = familyMillis.get(name);
        return ttl == null ? pushMillis : ttl;
    }

    /** The deadline of something written at {@code nowMillis} with {@code ttlMillis}. */
    static long deadline(long nowMillis, long ttlMillis) {
        // a TTL longer than anyone will wait is as good as never, and must not overflow into the past
        return ttlMillis <= 0 || ttlMillis >= StoredFamily.NEVER - nowMillis ? StoredFamily.NEVER : nowMillis + ttlMillis;
    }
}
