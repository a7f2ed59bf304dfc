package io.tidegate.store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The digest of the last message applied on each topic, so a retained copy of it (delivered again
 * on every reconnect, of unknown age) is recognised and neither refreshes its group's TTL nor
 * brings back a group that expired or was deleted since. Keyed by topic, so every single-number
 * topic of a device has its own entry.
 *
 * <p>Bounded: past its capacity the topic updated least recently is forgotten (a retained copy of
 * its last message would then count as unseen). Its entries can be listed and put back, so the
 * memory can be kept across restarts. Thread-safe.
 *
 * <p>Kept on disk ({@link #journalTo}), an entry counts only as long as the write it came with: when the
 * log abandons what it could not make durable (a full disk, {@link StoreCommand.Revert}), {@link
 * #revertAbandoned} puts back what each abandoned entry replaced, so a retained copy of a message whose
 * write was reverted is applied again rather than skipped as seen.
 */
public final class RetainedMemory {
    public static final int DEFAULT_CAPACITY = 100_000;

    /** One topic's memory. */
    public record Entry(String topic, Digest digest) {}

    /** Where remembered entries are kept (the persistence journal), its positions counted as a {@link WriteLog}'s. */
    public interface Log {
        /** Keeps {@code entry}; answers the position just after it. Called while the memory is locked: cheap. */
        long remembered(Entry entry);

        /** How far the log is durable: every entry before this position is on disk. */
        long durablePosition();
    }

    /** An entry the log may yet abandon: what its topic held before ({@code replaced}, null for nothing). */
    private record Undo(long position, String topic, Digest replaced) {}

    private final int capacity;
    // insertion order is update order: remember() moves a topic to the end
    private final LinkedHashMap<String, Digest> digests;
    private Log log; // guarded by this; null until kept on disk
    private final ArrayDeque<Undo> notYetDurable = new ArrayDeque<>(); // guarded by this; oldest first

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

    /**
     * Records that the message of {@code digest} was just applied on {@code topic}. Called under the
     * store's writer lock with the write it goes with, so it reaches the log in order with that write.
     */
    public synchronized void remember(String topic, Digest digest) {
        Digest replaced = digests.remove(topic);
        digests.put(topic, digest);
        if (log != null) {
            long position = log.remembered(new Entry(topic, digest));
            long durable = log.durablePosition();
            while (!notYetDurable.isEmpty() && notYetDurable.peekFirst().position() <= durable) {
                notYetDurable.pollFirst();
            }
            notYetDurable.addLast(new Undo(position, topic, replaced));
        }
    }

    /**
     * Hands every entry remembered from now on to {@code log} (the persistence journal), in the order
     * they are remembered, and keeps what each replaced until the log is durable past it.
     */
    public synchronized void journalTo(Log log) {
        this.log = log;
        notYetDurable.clear();
    }

    /**
     * The log abandoned everything after {@code durable} (a full disk): every entry remembered after it
     * is undone, newest first, its topic holding again the digest it held before (or none). Called under
     * the store's writer lock, as the store reverts the writes those entries came with. Answers how many
     * entries it undid.
     */
    public synchronized int revertAbandoned(long durable) {
        int reverted = 0;
        while (!notYetDurable.isEmpty() && notYetDurable.peekLast().position() > durable) {
            Undo undo = notYetDurable.pollLast();
            digests.remove(undo.topic());
            if (undo.replaced() != null) {
                digests.put(undo.topic(), undo.replaced());
            }
            reverted++;
        }
        return reverted;
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
