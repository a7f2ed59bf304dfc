package io.tidegate.persist;

import io.prometheus.metrics.core.datapoints.Timer;
import io.tidegate.store.RetainedMemory;
import io.tidegate.store.Group;
import io.tidegate.key.GroupingKey;
import io.tidegate.store.Store;
import io.tidegate.store.StoreCommand;
import io.tidegate.store.WriteLog;
import io.tidegate.store.WriteRequest;
import io.tidegate.telemetry.OwnMetrics;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --persistence.file}: the store's groups (families with their data, write times, deadlines
 * and TTLs, source, tombstones) and the MQTT retained-message memory, kept as a snapshot plus a
 * journal.
 *
 * <p>Files, for {@code --persistence.file=F}: {@code F} is the snapshot of generation g (every group
 * and memory entry at one instant); {@code F.journal-<g>} holds every change made since, each synced
 * before the write that made it is answered or acknowledged. Every {@code --persistence.interval},
 * at startup and at shutdown the journal is compacted: at one instant between two writes the
 * journal moves on to {@code F.journal-<g+1>} and the groups are taken; they are written to
 * {@code F.tmp}, synced and renamed over {@code F}, and older journals are deleted. A crash at any
 * step leaves a set of files that loads to the same state: loading reads {@code F}, then every
 * journal of its generation or later, in order. Pushes keep flowing during a snapshot.
 *
 * <p>Records carry whole groups, so replaying one needs nothing else; deadlines are wall-clock, so a
 * group whose deadline passed while Tidegate was down expires as it is loaded.
 */
public final class Persistence implements WriteLog, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Persistence.class);
    private static final int NAMED_IN_A_LINE = 100;
    private static final DateTimeFormatter DAMAGED_TIME =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final Path file;
    private final Path directory;
    private final String journalPrefix;
    private final Store store;
    private final RetainedMemory retained;
    private final Clock clock;
    private final PersistenceMetrics metrics;
    private final ScheduledExecutorService compactions;
    private final JournalDisk disk;
    private final Duration retry;
    private Journal journal;
    private FileLock lock; // held from start to close
    private long generation; // of the snapshot last written; guarded by this
    private boolean closed; // guarded by this
    private final RecordFile.Reader replayer = new RecordFile.Reader() {
        @Override
        public void record(byte[] payload) {
            replay(payload);
        }

        @Override
        public boolean mayStartWith(int firstByte) {
            return RecordCodec.isTag(firstByte);
        }

        @Override
        public String describe(byte[] payload) {
            return RecordCodec.describe(payload);
        }
    };

    private Persistence(Path file, Store store, RetainedMemory retained, Clock clock, PersistenceMetrics metrics,
            Duration interval, JournalDisk disk, Duration retry) {
        this.disk = disk;
        this.retry = retry;
        this.file = file.toAbsolutePath();
        this.directory = this.file.getParent();
        this.journalPrefix = this.file.getFileName() + ".journal-";
        this.store = store;
        this.retained = retained;
        this.clock = clock;
        this.metrics = metrics;
        this.compactions = interval.isZero() ? null : Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "tidegate-snapshot");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Loads what {@code file} and its journals hold into {@code store} and {@code retained}, writes
     * a fresh snapshot (without what was damaged: each damaged run is logged and counted, every
     * intact record kept, and a damaged file copied aside first), and from then on journals every change and compacts every
     * {@code interval} (never with 0). A file that is not Tidegate's, or that cannot be read or
     * written, is an UncheckedIOException naming it: Tidegate does not start over someone's data.
     */
    public static Persistence open(Path file, Duration interval, Store store, RetainedMemory retained, Clock clock,
            OwnMetrics own) {
        return open(file, interval, store, retained, clock, own, JournalDisk.REAL, RETRY);
    }

    /** How often a failing journal tries the disk again. */
    static final Duration RETRY = Duration.ofSeconds(5);

    /** As {@link #open}, the journal's files opened on {@code disk}, a failing journal retried every {@code retry}. */
    static Persistence open(Path file, Duration interval, Store store, RetainedMemory retained, Clock clock,
            OwnMetrics own, JournalDisk disk, Duration retry) {
        Persistence persistence = new Persistence(file, store, retained, clock, new PersistenceMetrics(own), interval,
                disk, retry);
        try {
            persistence.start();
        } catch (IOException e) {
            persistence.stopCompactions();
            persistence.releaseLock();
            throw new UncheckedIOException("cannot use persistence file " + persistence.file + ": " + e, e);
        }
        if (persistence.compactions != null) {
            long millis = interval.toMillis();
            persistence.compactions.scheduleWithFixedDelay(persistence::compactLogged, millis, millis,
                    TimeUnit.MILLISECONDS);
        }
        return persistence;
    }

    private void start() throws IOException {
        Files.createDirectories(directory);
        lock = FileLock.acquire(directory.resolve(file.getFileName() + ".lock"));
        Files.deleteIfExists(temporaryFile());
        long startedAt = clock.millis();
        Timer loading = metrics.startLoad();
        long snapshotGeneration = 0;
        long newest = 0;
        if (Files.exists(file)) {
            RecordFile.Contents contents = load(file, true);
            snapshotGeneration = Math.max(0, contents.generation());
            newest = snapshotGeneration;
        }
        for (var entry : journals().entrySet()) {
            newest = Math.max(newest, entry.getKey());
            if (entry.getKey() >= snapshotGeneration) {
                load(entry.getValue(), false);
            }
        }
        loading.observeDuration();
        log.atInfo().addKeyValue("file", file).addKeyValue("groups", store.snapshot().groupCount())
                .addKeyValue("retained", retained.size()).addKeyValue("took_ms", clock.millis() - startedAt)
                .log("persistence loaded");
        long next = newest + 1;
        // a write the journal loses is undone in the store, and so is the retained memory's entry that came
        // with it, at the moment the journal gives it up
        journal = new Journal(journalFile(next), next, metrics, disk, retry,
                () -> store.apply(new StoreCommand.Revert(() -> {
                    long durable = journal.abandon();
                    retained.revertAbandoned(durable);
                    return durable;
                })), clock);
        store.journalTo(this);
        retained.journalTo(new RetainedMemory.Log() {
            @Override
            public long remembered(RetainedMemory.Entry entry) {
                return journal.append(new JournalRecord.Remembered(entry));
            }

            @Override
            public long durablePosition() {
                return journal.durablePosition();
            }
        });
        List<List<RetainedMemory.Entry>> entries = new ArrayList<>(1);
        List<Group> groups = store.cut(() -> entries.add(retained.entries()));
        synchronized (this) {
            publish(next, groups, entries.get(0));
        }
    }

    /** Applies one record through the store's one door, as the change it records; before the store journals here. */
    private void replay(byte[] payload) {
        JournalRecord record = RecordCodec.decode(payload);
        if (record instanceof JournalRecord.GroupWritten written) {
            store.apply(new StoreCommand.Restore(written.group()));
        } else if (record instanceof JournalRecord.GroupDeleted deleted) {
            store.apply(WriteRequest.delete(deleted.key(), null));
        } else if (record instanceof JournalRecord.Wiped) {
            store.apply(WriteRequest.wipe(null));
        } else if (record instanceof JournalRecord.Remembered remembered) {
            retained.restore(remembered.entry());
        }
    }

    /**
     * Replays {@code path} (a snapshot or a journal), skipping what is damaged. A damaged file is
     * first copied aside (see {@link #keepAside}), unless its only damage is a journal's torn tail:
     * what a crash in the middle of an append leaves, which nothing had been answered for. Each
     * damaged run is then logged and counted.
     */
    private RecordFile.Contents load(Path path, boolean snapshot) throws IOException {
        RecordFile.Contents contents = RecordFile.read(path, replayer);
        if (!contents.damaged()) {
            return contents;
        }
        Path keptAs = snapshot || contents.damagedMidFile() ? keepAside(path) : null;
        metrics.damageFound(contents.lostBytes());
        for (RecordFile.Damage damage : contents.damage()) {
            metrics.damagedRecordsSkipped(damage.records());
            boolean tornTail = !snapshot && damage.tail();
            log.atWarn().addKeyValue("file", path).addKeyValue("offset", damage.offset())
                    .addKeyValue("lost_bytes", damage.bytes())
                    .addKeyValue("records", (damage.recordsExact() ? "" : "at least ") + damage.records())
                    .addKeyValue("groups", named(damage.lost()))
                    .addKeyValue("err", damage.cause()).addKeyValue("kept_as", keptAs == null ? "-" : keptAs)
                    .log(tornTail ? "persistence file damaged at its end, as a crash during a write leaves it;"
                            + " everything before was loaded"
                            : "persistence file damaged; these records were skipped, every intact one was loaded");
        }
        return contents;
    }

    /** What damaged records were for, for a log line: the first {@value #NAMED_IN_A_LINE}, then how many more. */
    private static String named(List<String> lost) {
        if (lost.isEmpty()) {
            return "unknown";
        }
        String first = String.join("; ", lost.subList(0, Math.min(lost.size(), NAMED_IN_A_LINE)));
        return lost.size() <= NAMED_IN_A_LINE ? first : first + "; and " + (lost.size() - NAMED_IN_A_LINE) + " more";
    }

    /**
     * Copies the damaged {@code path} to {@code <path>.damaged-<UTC time>} beside it (with
     * {@code -2}, {@code -3}... when that exists), synced, before any snapshot can replace the
     * original or delete it. Tidegate never writes, replaces or deletes such a copy. If the copy
     * cannot be made, startup fails: nothing may overwrite the only copy of what could be recovered.
     */
    private Path keepAside(Path path) throws IOException {
        String name = path.getFileName() + ".damaged-" + DAMAGED_TIME.format(clock.instant());
        Path copy = directory.resolve(name);
        for (int n = 2; Files.exists(copy, LinkOption.NOFOLLOW_LINKS); n++) {
            copy = directory.resolve(name + "-" + n);
        }
        try {
            Files.copy(path, copy); // never replaces: an existing name is an error, not an overwrite
            try (FileChannel channel = FileChannel.open(copy, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            syncDirectory(directory);
        } catch (IOException e) {
            throw new IOException("cannot keep the damaged " + path + " aside as " + copy + " (" + e
                    + "); it was left as it is and nothing was written", e);
        }
        return copy;
    }

    /** Journal files by generation. */
    private TreeMap<Long, Path> journals() throws IOException {
        TreeMap<Long, Path> journals = new TreeMap<>();
        try (Stream<Path> files = Files.list(directory)) {
            files.forEach(path -> {
                String name = path.getFileName().toString();
                if (name.startsWith(journalPrefix)) {
                    String digits = name.substring(journalPrefix.length());
                    if (!digits.isEmpty() && digits.length() < 19 && digits.chars().allMatch(Character::isDigit)) {
                        journals.put(Long.parseLong(digits), path);
                    }
                }
            });
        }
        return journals;
    }

    private Path journalFile(long journalGeneration) {
        return directory.resolve(journalPrefix + journalGeneration);
    }

    private Path temporaryFile() {
        return directory.resolve(file.getFileName() + ".tmp");
    }

    /**
     * Compacts the journal into a new snapshot now. The cut is taken under the store's writer lock
     * (a moment between two writes); the snapshot is written without it.
     */
    public synchronized void compact() throws IOException {
        if (closed) {
            return;
        }
        compactNow();
    }

    private void compactNow() throws IOException {
        long next = generation + 1;
        long[] rotation = new long[1];
        List<List<RetainedMemory.Entry>> entries = new ArrayList<>(1);
        List<Group> groups = store.cut(() -> {
            rotation[0] = journal.rotate(journalFile(next), next);
            entries.add(retained.entries());
        });
        journal.awaitDurable(rotation[0]); // the old journal is complete and the new one exists
        publish(next, groups, entries.get(0));
    }

    private void compactLogged() {
        try {
            compact();
        } catch (IOException | RuntimeException e) {
            // the journals written so far still hold everything: the next compaction tries again
            log.atWarn().addKeyValue("file", file).addKeyValue("err", e.toString()).log("persistence snapshot failed");
        }
    }

    /** Writes the snapshot of {@code snapshotGeneration} and deletes the journals it makes redundant. */
    private void publish(long snapshotGeneration, List<Group> groups, List<RetainedMemory.Entry> entries)
            throws IOException {
        Timer timer = metrics.startSnapshot();
        Path temporary = temporaryFile();
        try {
            writeSnapshot(temporary, snapshotGeneration, groups, entries);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temporary); // a full disk gets back the room the snapshot took
            throw e;
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(directory);
        generation = snapshotGeneration;
        for (var old : journals().headMap(snapshotGeneration).values()) {
            Files.deleteIfExists(old);
        }
        double seconds = timer.observeDuration();
        metrics.snapshotWritten(clock.millis());
        log.atInfo().addKeyValue("file", file).addKeyValue("groups", groups.size())
                .addKeyValue("retained", entries.size()).addKeyValue("took_ms", Math.round(seconds * 1000))
                .log("persistence snapshot written");
    }

    private static void writeSnapshot(Path temporary, long snapshotGeneration, List<Group> groups,
            List<RetainedMemory.Entry> entries) throws IOException {
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16));
            out.write(RecordFile.header(snapshotGeneration));
            for (Group group : groups) {
                RecordFile.frame(RecordCodec.encode(new JournalRecord.GroupWritten(group)), out);
            }
            for (RetainedMemory.Entry entry : entries) {
                RecordFile.frame(RecordCodec.encode(new JournalRecord.Remembered(entry)), out);
            }
            out.flush();
            channel.force(true);
        }
    }

    /** Makes a created, renamed or deleted directory entry durable. */
    static void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    @Override
    public void written(Group group) {
        journal.append(new JournalRecord.GroupWritten(group));
    }

    @Override
    public void deleted(GroupingKey key) {
        journal.append(new JournalRecord.GroupDeleted(key));
    }

    @Override
    public void wiped() {
        journal.append(new JournalRecord.Wiped());
    }

    @Override
    public long position() {
        return journal.position();
    }

    @Override
    public String failure() {
        return journal.failure();
    }

    @Override
    public Instant failingSince() {
        return journal.failingSince();
    }

    /**
     * From now on, each time the journal recovers from a failure (a full disk with room again), hands
     * {@code listener} the step that makes it take writes again, on the journal's thread; the listener
     * runs it once and returns soon. The MQTT subscriber holds back the messages it takes around that
     * step, then has the broker deliver again those it left unacknowledged while writes were refused.
     */
    public void onRecovery(Consumer<Runnable> listener) {
        journal.onRecovery(listener);
    }

    @Override
    public long durablePosition() {
        return journal.durablePosition();
    }

    @Override
    public void awaitDurable(long position) {
        journal.awaitDurable(position);
    }

    @Override
    public void whenDurable(long position, Runnable then) {
        journal.whenDurable(position, then);
    }

    long syncs() {
        return metrics.syncs();
    }

    long journalRecords() {
        return metrics.records();
    }

    long loadErrors() {
        return metrics.loadErrors();
    }

    long lostBytes() {
        return metrics.lostBytes();
    }

    long damagedRecords() {
        return metrics.damagedRecords();
    }

    private void stopCompactions() {
        if (compactions == null) {
            return;
        }
        compactions.shutdown(); // not shutdownNow: an interrupt would close the snapshot's channel mid-write
        try {
            compactions.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Writes a last snapshot and closes the journal; call once nothing writes any more (the MQTT
     * endpoint and the web server are closed). The journal is synced whatever becomes of the snapshot.
     */
    @Override
    public void close() {
        stopCompactions();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            try {
                compactNow();
            } catch (IOException | RuntimeException e) {
                log.atWarn().addKeyValue("file", file).addKeyValue("err", e.toString())
                        .log("persistence snapshot at shutdown failed; the journal keeps everything");
            }
            journal.close();
            releaseLock();
        }
    }

    private void releaseLock() {
        if (lock != null) {
            lock.close();
            lock = null;
        }
    }
}
