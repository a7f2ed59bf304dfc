package io.tidegate.push;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of push bodies being read at the same time, bounded: the store's own bounds
 * ({@code --store.max-series}, {@code --store.max-bytes}) hold what is stored, but a body is held in
 * memory while it is read and parsed (about four times its decompressed size at the peak), so a few
 * large pushes at once could take a small heap before the store sees them. Each body takes a share of
 * the budget as it is read, decompressed bytes counted, and gives it back when its reading is done.
 * A body larger than the whole budget is too large for this heap (413); one that finds the budget
 * taken by others is answered 429, to be retried.
 */
public final class BodiesInFlight {
    /** The share of the JVM's maximum heap that push bodies being read may take together: a sixteenth. */
    static final int HEAP_SHARE = 16;
    /** However small the heap, a body of this size can be read. */
    static final long SMALLEST_BUDGET = 1 << 20;

    /** No bound: every body may be read, whatever others are. */
    public static final BodiesInFlight UNBOUNDED = new BodiesInFlight(Long.MAX_VALUE);

    private final long budget;
    private final AtomicLong reading = new AtomicLong();

    BodiesInFlight(long budget) {
        this.budget = budget;
    }

    /** The budget for a JVM whose maximum heap is {@code maxHeapBytes} ({@link Runtime#maxMemory}). */
    public static BodiesInFlight ofHeap(long maxHeapBytes) {
        return new BodiesInFlight(Math.max(SMALLEST_BUDGET, maxHeapBytes / HEAP_SHARE));
    }

    public long budget() {
        return budget;
    }

    /** The bytes being read now, over all bodies. */
    public long reading() {
        return reading.get();
    }

    /** One body's share, taken as it is read and given back by {@link #close}. */
    Lease lease() {
        return new Lease();
    }

    final class Lease implements AutoCloseable {
        private long held;

        /** Takes {@code bytes} more for this body, or says why it cannot be read. */
        void take(long bytes) throws PushBody.TooLargeException, PushBody.BusyException {
            if (budget == Long.MAX_VALUE) {
                return;
            }
            if (held + bytes > budget) {
                throw new PushBody.TooLargeException("request body exceeds the " + budget + " bytes a push may take"
                        + " while it is read on this heap (a " + HEAP_SHARE + "th of the JVM's maximum heap, -Xmx):"
                        + " send smaller pushes or give Tidegate more heap");
            }
            held += bytes; // counted before the check, so that close gives it back either way
            long now = reading.addAndGet(bytes);
            if (now > budget) {
                throw new PushBody.BusyException("other pushes being read take the " + budget + " bytes pushes may"
                        + " take at once on this heap; retry");
            }
        }

        @Override
        public void close() {
            if (held > 0) {
                reading.addAndGet(-held);
                held = 0;
            }
        }
    }
}
