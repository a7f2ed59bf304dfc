package io.tidegate.mqtt;

import io.tidegate.store.WriteOutcome;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ids of the replicated writes applied lately, so a copy the broker delivers twice (QoS 1 after a
 * reconnect, overlapping subscriptions, a bridge) is applied once; and the HTTP pushes of this instance
 * waiting to see their own write applied (read-your-writes). Bounded: the oldest ids are forgotten, and
 * a copy that arrives after that is applied again, which changes nothing, since a replicated write
 * carries its own time.
 */
public final class AppliedReplications {
    public static final int DEFAULT_CAPACITY = 65_536;

    private final Map<String, Boolean> recent;
    private final Map<String, CompletableFuture<WriteOutcome>> waiting = new ConcurrentHashMap<>();

    public AppliedReplications(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.recent = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Whether {@code id} is new; remembers it. Called by the ingest, one message at a time. */
    synchronized boolean firstTime(String id) {
        return recent.put(id, Boolean.TRUE) == null;
    }

    /** What became of the write {@code id} here; completes the push waiting for it, if any. */
    void outcome(String id, WriteOutcome outcome) {
        CompletableFuture<WriteOutcome> waiter = waiting.remove(id);
        if (waiter != null) {
            waiter.complete(outcome);
        }
    }

    /** Completed with the outcome once this instance has applied (or refused) write {@code id}. */
    CompletableFuture<WriteOutcome> expect(String id) {
        return waiting.computeIfAbsent(id, ignored -> new CompletableFuture<>());
    }

    /** Stops waiting for {@code id} (published nowhere, or given up on). */
    void forget(String id) {
        waiting.remove(id);
    }
}
