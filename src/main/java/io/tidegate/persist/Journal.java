package io.tidegate.persist;

import io.prometheus.metrics.core.datapoints.Timer;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
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
 */
final class Journal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Journal.class);

    /** Switch to a fresh file for {@code generation}. */
    private record Rotation(Path path, long generation) {}

    /** Something to run once the journal is durable up to {@code position}. */
    private record Pending(long position, Runnable then) {}

    private final PersistenceMetrics metrics;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition queued = lock.newCondition();
    private final Condition synced = lock.newCondition();
    private final Thread writer;
    // guarded by lock
    private List<Object> queue = new ArrayList<>();
    private long appended;
    private long durable;
    private IOException failure;
    private boolean closing;
    private boolean stopped;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>(); // positions ascending
    // the writer thread's own
    private FileChannel channel;
    private final ByteArrayOutputStream batchBytes = new ByteArrayOutputStream(1 << 16);
    private final DataOutputStream batchOut = new DataOutputStream(batchBytes);

    /** Creates the journal file for {@code generation} at {@code path}, which must not exist yet. */
    Journal(Path path, long generation, PersistenceMetrics metrics) throws IOException {
        this.metrics = metrics;
        this.channel = create(path, generation);
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
                if (failure != null) {
                    throw new UncheckedIOException("the persistence journal failed: " + failure.getMessage(), failure);
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

    /** Runs {@code then} on the writer thread once everything before {@code position} is durable (at once if it is). */
    void whenDurable(long position, Runnable then) {
        lock.lock();
        try {
            if (durable < position) {
                if (!stopped) {
                    pending.add(new Pending(position, then));
                }
                return; // after a failure nothing becomes durable: then never runs
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
            lock.lock();
            try {
                while (queue.isEmpty() && !closing) {
                    queued.awaitUninterruptibly();
                }
                if (queue.isEmpty()) {
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
            try {
                write(batch);
            } catch (IOException | RuntimeException e) {
                // nothing after this can be made durable: every waiter, present and future, is told
                log.atError().addKeyValue("err", e.toString()).log("persistence journal failed; pushes now get errors");
                lock.lock();
                try {
                    failure = e instanceof IOException io ? io : new IOException(e.toString(), e);
                    stopped = true;
                    synced.signalAll();
                } finally {
                    lock.unlock();
                }
                return;
            }
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

    private static void runQuietly(Runnable then) {
        try {
            then.run();
        } catch (RuntimeException e) {
            log.atError().addKeyValue("err", e.toString()).log("work waiting for the journal failed");
        }
    }

    private void write(List<Object> batch) throws IOException {
        int records = 0;
        for (Object item : batch) {
            if (item instanceof Rotation rotation) {
                flushAndSync(records);
                records = 0;
                channel.close();
                channel = create(rotation.path(), rotation.generation());
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
        metrics.appended(records, length);
    }

    private void sync(FileChannel file) throws IOException {
        Timer timer = metrics.startSync();
        file.force(false);
        timer.observeDuration();
    }

    /** A new journal file with its header, synced, its directory entry too: records in it are then durable once synced. */
    private FileChannel create(Path path, long generation) throws IOException {
        FileChannel file = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
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
