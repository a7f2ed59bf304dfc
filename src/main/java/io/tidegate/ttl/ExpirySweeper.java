package io.tidegate.ttl;

import io.tidegate.store.Store;
import io.tidegate.store.StoreCommand;
import io.tidegate.store.StoredFamily;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frees what has expired. One thread for all groups: it wakes at the next deadline (and at least
 * every quarter second, for deadlines pushed while it slept) and asks the store to expire what is
 * due ({@link StoreCommand.ExpireDue}, through the store's one door), a batch at a time, so memory
 * is freed well within a second of a deadline. The store gives the lock up to a waiting push after
 * each group, and the sweeper yields the processor between batches, so even a mass expiry leaves
 * the pushes their turn. Reads never wait for it: a snapshot hides expired families itself.
 */
public final class ExpirySweeper implements AutoCloseable {
    static final long PERIOD_MILLIS = 250;
    static final int BATCH_GROUPS = 100;
    private static final StoreCommand.ExpireDue EXPIRE_A_BATCH = new StoreCommand.ExpireDue(BATCH_GROUPS);
    private static final Logger log = LoggerFactory.getLogger(ExpirySweeper.class);

    private final Store store;
    private final Clock clock;
    private final Thread thread;
    private volatile boolean running = true;

    public ExpirySweeper(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
        this.thread = new Thread(this::run, "tidegate-expiry");
        thread.setDaemon(true);
    }

    public ExpirySweeper start() {
        thread.start();
        return this;
    }

    private void run() {
        while (running) {
            sweep();
            long next = store.nextExpiryMillis();
            long wait = next == StoredFamily.NEVER ? PERIOD_MILLIS
                    : Math.max(1, Math.min(PERIOD_MILLIS, next - clock.millis()));
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(wait));
        }
    }

    void sweep() {
        try {
            while (store.apply(EXPIRE_A_BATCH) > 0) {
                Thread.yield(); // pushes woken while the store was busy get the processor first
            }
        } catch (RuntimeException e) {
            log.atError().addKeyValue("err", e.toString()).log("expiry sweep failed");
        }
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
    }
}
