package io.tidegate.persist;

import io.prometheus.metrics.core.datapoints.Timer;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only journal, with group commit: writers queue records (cheaply, under the store's
 * lock) and wait off the lock; one writer thread takes everything queued, appends it and syncs the
 * file once, then releases every writer of that batch together. While it syncs the next batch
 * queues up, so a lone write waits about one sync and many concurrent writes share each sync.
 *
 * <p>A position counts the items queued so far; everything before a position is durable once
 * {@link #awaitDurable} returns for it. A rotation to a new file is queued like a record, so
 * everything queued before it lands in the old file and everything after in the new one.
 *
 * <p>A write or sync that fails (a full disk) does not stop the journal: it is <em>failing</em> ({@link
 * #failure}). Everything queued but not yet durable is abandoned at once ({@link #abandon}, which the
 * store calls under its writer lock while it reverts those changes), its waiters are told the error, and
 * the bytes it may have left in the file are cut off before anything else is written. Every {@code
 * retry} the writer thread tries the disk again (it cuts the file back to its last synced length and
 * writes and syncs a probe file beside it); once that works the journal is healthy again. One WARN line
 * says it started failing, one INFO line that it recovered.
 */
final class Journal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Journal.class);

    /** Switch to a fresh file for {@code generation}. */
    private record Rotation(Path path, long generation) {}

    /** Something to run once the journal is durable up to {@code position}. */
    private record Pending(long position, Runnable then) {}

    /** Bytes the retry writes and syncs beside the journal to tell whether there is room again. */
    static final int PROBE_BYTES = 64 * 1024;

    private final PersistenceMetrics metrics;
    private final JournalDisk disk;
    private final long retryNanos;
    private final Runnable onFailure;
    private final Clock clock;
    private volatile Consumer<Runnable> onRecovery = takeWrites -> takeWrites.run();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition queued = lock.newCondition();
    private final Condition synced = lock.newCondition();
    private final Thread writer;
    // guarded by lock
    private List<Object> queue = new ArrayList<>();
    private long appended;
    private volatile long durable; // written under lock; read without it by durablePosition
    private volatile String failure; // while failing: the error, naming the file; null while healthy
    private volatile Instant failingSince; // while failing: when it started; written before failure
    private long abandoned; // every position up to this was abandoned, never to be durable
    private String abandonedBecause; // the failure that abandoned them
    private boolean closing;
    private boolean stopped;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>(); // positions ascending
    // the writer thread's own
    private FileChannel channel;
    private Path path;
    private long syncedBytes; // the file's length through its last sync: what a failed write is cut back to
    private final ByteArrayOutputStream batchBytes = new ByteArrayOutputStream(1 << 16);
    private final DataOutputStream batchOut = new DataOutputStream(batchBytes);

    /** Creates the journal file for {@code generation} at {@code path}, which must not exist yet. */
    Journal(Path path, long generation, PersistenceMetrics metrics) throws IOException {
        this(path, generation, metrics, JournalDisk.REAL, Duration.ofSeconds(5), () -> {}, Clock.systemUTC());
    }

    /**
     * @param disk where the journal's files are opened
     * @param retry how often a failing journal tries the disk again
     * @param onFailure run on the writer thread when a write fails, before the waiters are told: it
     *     calls {@link #abandon} under the store's writer lock, after which it reverts the abandoned changes
     * @param clock what tells since when the journal is failing
     */
    Journal(Path path, long generation, PersistenceMetrics metrics, JournalDisk disk, Duration retry,
            Runnable onFailure, Clock clock) throws IOException {
        this.clock = clock;
        this.metrics = metrics;
        this.disk = disk;
        this.retryNanos = retry.toNanos();
        this.onFailure = onFailure;
        this.channel = create(path, generation);
        this.path = path;
        this.syncedBytes = RecordFile.HEADER_BYTES;
        this.writer = new Thread(this::run, "tidegate-journal");
        writer.setDaemon(true); // a failed startup must not keep the JVM alive; close() drains it
        writer.start();
    }

    /** Queues {@code record}; returns the position just after it. */
    long append(JournalRecord record) {
        return enqueue(record);
    }

    /** Queues a switch to a new file; once durable up to the returned position, the old file is complete. */
    long rotate(Path path, long generation) {
        return enqueue(new Rotation(path, generation));
    }

    private long enqueue(Object item) {
        lock.lock();
        try {
            queue.add(item);
            appended++;
            queued.signal();
            return appended;
        } finally {
            lock.unlock();
        }
    }

    long position() {
        lock.lock();
        try {
            return appended;
        } finally {
            lock.unlock();
        }
    }

    void awaitDurable(long position) {
        lock.lock();
        try {
            while (durable < position) {
                if (position <= abandoned) {
                    throw new UncheckedIOException(abandonedBecause, new IOException(abandonedBecause));
                }
                if (stopped) {
                    throw new UncheckedIOException("the persistence journal is closed", new IOException("journal closed"));
                }
                synced.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code then} on the writer thread once everything before {@code position} is durable (at once
     * if it is); never when {@code position} was abandoned.
     */
    void whenDurable(long position, Runnable then) {
        lock.lock();
        try {
            if (durable < position) {
                if (!stopped && position > abandoned) {
                    pending.add(new Pending(position, then));
                }
                return;
            }
        } finally {
            lock.unlock();
        }
        then.run();
    }

    private void run() {
        while (true) {
            List<Object> batch;
            long upTo;
            boolean retry = false;
            lock.lock();
            try {
                long wait = retryNanos;
                while (queue.isEmpty() && !closing && !retry) {
                    if (failure == null) {
                        queued.awaitUninterruptibly();
                    } else if (wait <= 0) {
                        retry = true;
                    } else {
                        wait = awaitQueued(wait);
                    }
                }
                if (queue.isEmpty() && !retry) {
                    stopped = true;
                    synced.signalAll();
                    return;
                }
                batch = queue;
                queue = new ArrayList<>();
                upTo = appended;
            } finally {
                lock.unlock();
            }
            if (retry) {
                retry();
                continue;
            }
            try {
                if (failure != null) {
                    cutBack(); // what the failed write left must not stay in front of what comes next
                }
                write(batch, upTo - batch.size());
            } catch (IOException | RuntimeException e) {
                failed(e);
                continue;
            }
            recovered();
            List<Runnable> due = new ArrayList<>();
            lock.lock();
            try {
                durable = upTo;
                synced.signalAll();
                while (!pending.isEmpty() && pending.peek().position() <= durable) {
                    due.add(pending.poll().then());
                }
            } finally {
                lock.unlock();
            }
            for (Runnable then : due) {
                runQuietly(then);
            }
        }
    }

    private long awaitQueued(long nanos) {
        try {
            return queued.awaitNanos(nanos);
        } catch (InterruptedException e) {
            return 0; // nothing interrupts the writer thread but a shutdown: try the disk and go on
        }
    }

    /**
     * A write failed: from now on the journal is failing. Everything queued is abandoned (by the store,
     * through {@link #onFailure}, so it reverts those changes at the same moment) and its waiters are told.
     */
    private void failed(Exception e) {
        String error = path + ": " + (e instanceof IOException && e.getMessage() != null ? e.getMessage() : e.toString());
        boolean started = failure == null;
        if (started) {
            failingSince = clock.instant();
        }
        failure = "persistence file " + error;
        metrics.failing(true);
        if (started) {
            log.atWarn().addKeyValue("file", path).addKeyValue("err", e.getMessage() == null ? e.toString() : e.getMessage())
                    .addKeyValue("retry_ms", retryNanos / 1_000_000)
                    .log("persistence journal failing; writes are refused until it recovers");
        } else {
            log.atDebug().addKeyValue("file", path).addKeyValue("err", e.toString()).log("persistence journal still failing");
        }
        try {
            onFailure.run();
        } catch (RuntimeException bug) {
            log.atError().addKeyValue("err", bug.toString()).log("reverting the writes the journal lost failed");
        }
        abandon(); // whatever was queued without a store to revert it
    }

    /**
     * While failing: gives up everything queued and not yet durable, tells its waiters the failure and
     * never runs what waits for it; returns how far the journal is durable. Call under the store's writer
     * lock, so no change is reported meanwhile.
     */
    long abandon() {
        lock.lock();
        try {
            if (failure != null) {
                queue.clear();
                abandoned = appended;
                abandonedBecause = failure;
                pending.clear();
                synced.signalAll();
            }
            return durable;
        } finally {
            lock.unlock();
        }
    }

    /** While failing, every {@code retry}: cuts the file back and probes the disk; on success, healthy again. */
    private void retry() {
        try {
            cutBack();
            disk.probe(path.resolveSibling(path.getFileName() + ".probe"), PROBE_BYTES);
        } catch (IOException | RuntimeException e) {
            log.atDebug().addKeyValue("file", path).addKeyValue("err", e.toString()).log("persistence journal still failing");
            return;
        }
        recovered();
    }

    /**
     * The disk took a write or the probe again: the journal is healthy. {@link #onRecovery} is handed
     * the step that takes writes again and runs it itself (the MQTT subscriber holds its messages back
     * around it); should it not, writes are taken again all the same once it returns.
     */
    private void recovered() {
        if (failure == null) {
            return;
        }
        try {
            onRecovery.accept(this::takeWritesAgain);
        } catch (RuntimeException bug) {
            log.atError().addKeyValue("err", bug.toString()).log("work waiting for the journal to recover failed");
        }
        takeWritesAgain();
    }

    private void takeWritesAgain() {
        if (failure == null) {
            return;
        }
        failure = null;
        metrics.failing(false);
        log.atInfo().addKeyValue("file", path).log("persistence journal recovered; writes are accepted again");
    }

    /**
     * From now on, each time the journal recovers, hands {@code listener}, on the writer thread, the step
     * that takes writes again; the listener runs it (once) and returns soon.
     */
    void onRecovery(Consumer<Runnable> listener) {
        onRecovery = listener;
    }

    /** Cuts the file back to what was synced, dropping what a failed write may have left. */
    private void cutBack() throws IOException {
        batchBytes.reset();
        if (channel.size() > syncedBytes) {
            channel.truncate(syncedBytes);
            channel.force(true);
        }
        channel.position(syncedBytes);
    }

    /** How far the journal is durable: everything before this position is on disk. */
    long durablePosition() {
        return durable;
    }

    /** Why nothing can be made durable now (naming the file and the OS's error), or null while healthy. */
    String failure() {
        return failure;
    }

    /** Since when the journal is failing; meaningful only while {@link #failure} gives a reason. */
    Instant failingSince() {
        return failingSince;
    }

    private static void runQuietly(Runnable then) {
        try {
            then.run();
        } catch (RuntimeException e) {
            log.atError().addKeyValue("err", e.toString()).log("work waiting for the journal failed");
        }
    }

    /** Writes {@code batch}, whose first item is at position {@code start + 1}. */
    private void write(List<Object> batch, long start) throws IOException {
        int records = 0;
        for (int i = 0; i < batch.size(); i++) {
            Object item = batch.get(i);
            if (item instanceof Rotation rotation) {
                flushAndSync(records);
                records = 0;
                markDurable(start + i); // the items before the rotation are in the old file for good
                FileChannel next = create(rotation.path(), rotation.generation());
                channel.close();
                channel = next;
                path = rotation.path();
                syncedBytes = RecordFile.HEADER_BYTES;
            } else {
                RecordFile.frame(RecordCodec.encode((JournalRecord) item), batchOut);
                records++;
            }
        }
        flushAndSync(records);
    }

    private void flushAndSync(int records) throws IOException {
        if (batchBytes.size() == 0) {
            return;
        }
        ByteBuffer bytes = ByteBuffer.wrap(batchBytes.toByteArray());
        int length = bytes.remaining();
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        batchBytes.reset();
        sync(channel);
        syncedBytes = channel.position();
        metrics.appended(records, length);
    }

    private void markDurable(long position) {
        lock.lock();
        try {
            durable = Math.max(durable, position);
            synced.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void sync(FileChannel file) throws IOException {
        Timer timer = metrics.startSync();
        file.force(false);
        timer.observeDuration();
    }

    /** A new journal file with its header, synced, its directory entry too: records in it are then durable once synced. */
    private FileChannel create(Path path, long generation) throws IOException {
        FileChannel file = disk.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            ByteBuffer header = ByteBuffer.wrap(RecordFile.header(generation));
            while (header.hasRemaining()) {
                file.write(header);
            }
            file.force(true);
            Persistence.syncDirectory(path.toAbsolutePath().getParent());
            return file;
        } catch (IOException e) {
            file.close();
            Files.deleteIfExists(path); // a file cut short: the next rotation creates it again
            throw e;
        }
    }

    /** Writes and syncs everything queued, then closes the file. */
    @Override
    public void close() {
        lock.lock();
        try {
            closing = true;
            queued.signal();
        } finally {
            lock.unlock();
        }
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            channel.close();
        } catch (IOException e) {
            log.atWarn().addKeyValue("err", e.toString()).log("persistence journal did not close cleanly");
        }
    }
}
