package io.tidegate.store;

import io.tidegate.key.GroupingKey;

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

    /** Returns once everything before {@code position} is on disk; an I/O failure is an UncheckedIOException. */
    void awaitDurable(long position);

    /**
     * Runs {@code then} once everything before {@code position} is on disk, on whatever thread gets
     * there; after an I/O failure it never runs.
     */
    void whenDurable(long position, Runnable then);
}
