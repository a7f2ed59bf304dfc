package io.tidegate.store;

import io.tidegate.key.GroupingKey;
import java.time.Instant;

/**
 * Where the {@link Store} reports every change a write made, so it can be kept on disk. The
 * reports are made under the store's writer lock, in the order the changes were applied, and must
 * be cheap (queue the immutable group, no I/O). {@link #position} is taken under the lock after a
 * change; the writer waits in {@link #awaitDurable} after releasing the lock, so the lock is never
 * held across a disk sync and concurrent writers share one.
 */
public interface WriteLog {
    /** No persistence: nothing is recorded, nothing is waited for. */
    WriteLog NONE = new WriteLog() {
        @Override
        public void written(Group group) {}

        @Override
        public void deleted(GroupingKey key) {}

        @Override
        public void wiped() {}

        @Override
        public long position() {
            return 0;
        }

        @Override
        public void awaitDurable(long position) {}

        @Override
        public void whenDurable(long position, Runnable then) {
            then.run();
        }
    };

    /** {@code group} is what its key now holds, the write applied (or its failure time recorded). */
    void written(Group group);

    void deleted(GroupingKey key);

    /** Every group was removed. */
    void wiped();

    /** How far the log reaches: everything reported so far, by anyone, is before this position. */
    long position();

    /**
     * Why nothing can be made durable now (a full disk: the file and the system's error), or null. While
     * there is a reason the store refuses every write before applying it ({@link WriteOutcome#notDurable}).
     */
    default String failure() {
        return null;
    }

    /** Since when {@link #failure} gives a reason; meaningful only while it does. */
    default Instant failingSince() {
        return null;
    }

    /** Why writes are refused ({@link #failure}) and since when. */
    record Failure(String reason, Instant since) {}

    /**
     * How far the log is durable: everything reported before this position is on disk. What the store
     * reported after it is undone if the log abandons it ({@link StoreCommand.Revert}).
     */
    default long durablePosition() {
        return position();
    }

    /**
     * Returns once everything before {@code position} is on disk; an UncheckedIOException when it never
     * will be (the log abandoned it, and the store reverted it).
     */
    void awaitDurable(long position);

    /**
     * Runs {@code then} once everything before {@code position} is on disk, on whatever thread gets
     * there; never when it was abandoned.
     */
    void whenDurable(long position, Runnable then);
}
