package io.tidegate.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The digest of the last message applied on each topic, so a retained copy of it (delivered again
 * on every reconnect, of unknown age) is recognised and neither refreshes its group's TTL nor
 * brings back a group that expired or was deleted since. Keyed by topic, so every single-number
 * topic of a device has its own entry.
 *
 * <p>Bounded: past its capacity the topic updated least recently is forgotten (a retained copy of
 * its last message would then count as unseen). Its entries can be listed and put back, so the
 * memory can be kept across restarts. Thread-safe.
 */
public final class RetainedMemory {
    public static final int DEFAULT_CAPACITY = 100_000;

    /** One topic's memory. */
    public record Entry(String topic, Digest digest) {}

    private final int capacity;
    // insertion order is update order: remember() moves a topic to the end
    private final LinkedHashMap<String, Digest> digests;
    private volatile Consumer<Entry> onRemember = entry -> {};

    public RetainedMemory(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("retained memory capacity must be at least 1: " + capacity);
        }
        this.capacity = capacity;
        this.digests = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Digest> eldest) {
                return size() > RetainedMemory.this.capacity;
            }
        };
    }

    /** Whether {@code digest} is that of the message last applied on {@code topic}. */
    public synchronized boolean holds(String topic, Digest digest) {
        return digest.equals(digests.get(topic));
    }

    /** Records that the message of {@code digest} was just applied on {@code topic}. */
    public synchronized void remember(String topic, Digest digest) {
        digests.remove(topic);
        digests.put(topic, digest);
        onRemember.accept(new Entry(topic, digest));
    }

    /**
     * Hands every entry remembered from now on to {@code listener} (the persistence journal), in
     * the order they are remembered; it runs while this memory is locked, so it must be cheap.
     */
    public void onRemember(Consumer<Entry> listener) {
        onRemember = listener;
    }

    /** Every entry, least recently updated first: {@link #restore restoring} them in this order keeps that order. */
    public synchronized List<Entry> entries() {
        List<Entry> entries = new ArrayList<>(digests.size());
        digests.forEach((topic, digest) -> entries.add(new Entry(topic, digest)));
        return entries;
    }

    /** Puts back an entry {@link #entries} listed, as the most recently updated. */
    public void restore(Entry entry) {
        remember(entry.topic(), entry.digest());
    }

    public synchronized int size() {
        return digests.size();
    }

    public int capacity() {
        return capacity;
    }
}
