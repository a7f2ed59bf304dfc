package io.tidegate.ttl;

import io.tidegate.key.GroupingKey;
import io.tidegate.store.Source;
import io.tidegate.store.Ttls;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Decides the TTL of every family a write carries, the same way for HTTP and MQTT. The first
 * that applies wins: a {@code #!set stale_timeout} line for the family in the body; the push's
 * own TTL (HTTP {@code Push-TTL} header or {@code ?ttl=}, MQTT message expiry or {@code ttl}
 * property); the first server rule matching the grouping key and source; {@code --ttl.default}.
 * {@code --ttl.max} then caps every TTL, "never" included.
 */
public final class TtlResolver {
    private final Supplier<TtlRules> rules;
    private final long defaultMillis;
    private final long maxMillis;

    /**
     * @param rules the current server rules (they change on reload)
     * @param defaultTtl {@code --ttl.default}; zero for never
     * @param maxTtl {@code --ttl.max}; zero for no cap
     */
    public TtlResolver(Supplier<TtlRules> rules, Duration defaultTtl, Duration maxTtl) {
        this.rules = rules;
        this.defaultMillis = defaultTtl.toMillis();
        this.maxMillis = maxTtl.toMillis();
    }

    /**
     * @param pushTtl the push's own TTL, if it gave one
     * @param staleTimeoutSeconds per family, the seconds a {@code #!set stale_timeout} line gave
     *     (null: "null", never)
     */
    public Ttls resolve(GroupingKey key, Source.Kind source, Optional<Duration> pushTtl,
            Map<String, Double> staleTimeoutSeconds) {
        // no Optional chain: a message of a device that gives no TTL of its own boxed its TTL twice (an allocation profile)
        Optional<Duration> ttl = pushTtl.isPresent() ? pushTtl : rules.get().ttlFor(key, source);
        long push = ttl.isPresent() ? ttl.get().toMillis() : defaultMillis;
        if (staleTimeoutSeconds.isEmpty()) {
            return new Ttls(cap(push), Map.of());
        }
        Map<String, Long> perFamily = new HashMap<>();
        staleTimeoutSeconds.forEach((family, seconds) ->
                perFamily.put(family, cap(seconds == null ? 0 : atLeastOneMilli(seconds))));
        return new Ttls(cap(push), perFamily);
    }

    /** A positive TTL too short to count in milliseconds is still a TTL, not "never". */
    private static long atLeastOneMilli(double seconds) {
        return seconds > 0 ? Math.max(1, Math.round(seconds * 1000)) : 0;
    }

    private long cap(long ttlMillis) {
        if (maxMillis > 0 && (ttlMillis <= 0 || ttlMillis > maxMillis)) {
            return maxMillis;
        }
        return Math.max(ttlMillis, 0);
    }
}
