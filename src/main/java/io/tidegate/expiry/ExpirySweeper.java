package io.tidegate.expiry;

import io.tidegate.store.Store;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frees what has expired. One thread for all groups: every quarter second it asks the store to
 * expire what is due, a batch at a time, so memory is freed well within a second of a deadline
 * and even a mass expiry leaves room for pushes and scrapes between batches. Reads never wait
 * for it: they hide expired families themselves.
 */
public final class ExpirySweeper implements AutoCloseable {
    static final long PERIOD_MILLIS = 250;
    static final int BATCH_GROUPS = 100;
    private static final Logger log = LoggerFactory.getLogger(ExpirySweeper.class);

    private final Store store;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread sweeper = new Thread(runnable, "tidegate-expiry");
        sweeper.setDaemon(true);
        return sweeper;
    });

    public ExpirySweeper(Store store) {
        this.store = store;
    }

    public ExpirySweeper start() {
        thread.scheduleWithFixedDelay(this::sweep, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        return this;
    }

    void sweep() {
        try {
            int handled;
            do {
                handled = store.expireDue(BATCH_GROUPS);
                LockSupport.parkNanos(50_000); // waiting pushes take the lock between batches
            } while (handled == BATCH_GROUPS);
        } catch (RuntimeException e) {
            log.atError().addKeyValue("err", e.toString()).log("expiry sweep failed");
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
