package io.tidegate.persist;

import io.prometheus.metrics.core.datapoints.Timer;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Summary;
import io.tidegate.telemetry.OwnMetrics;

/**
 * What persistence did, among Tidegate's own metrics: journal records, bytes and syncs (records per
 * sync is how well concurrent writes share one), how long a sync takes, snapshots, and what was
 * found damaged and lost at startup.
 */
final class PersistenceMetrics {
    private final Counter records;
    private final Counter bytes;
    private final Summary syncDuration;
    private final Summary snapshotDuration;
    private final Gauge loadDuration;
    private final Counter loadErrors;
    private final Counter lostBytes;
    private final Counter writeFailures;
    private final Counter damagedRecords;
    private volatile long lastSnapshotMillis;
    private volatile boolean failing;

    PersistenceMetrics(OwnMetrics own) {
        records = Counter.builder().name("tidegate_persistence_journal_records")
                .help("Records appended to the persistence journal.").build();
        bytes = Counter.builder().name("tidegate_persistence_journal_bytes")
                .help("Bytes appended to the persistence journal, framing included.").build();
        syncDuration = Summary.builder().name("tidegate_persistence_sync_duration_seconds")
                .help("Time taken by each sync of the journal to disk; its count is the number of syncs, each shared"
                        + " by every write queued meanwhile.")
                .quantile(0.5, 0.05).quantile(0.9, 0.01).quantile(0.99, 0.001).build();
        snapshotDuration = Summary.builder().name("tidegate_persistence_snapshot_duration_seconds")
                .help("Time taken to write each snapshot the journal is compacted into.").build();
        loadDuration = Gauge.builder().name("tidegate_persistence_load_duration_seconds")
                .help("Time taken at startup to load the persistence file and journals.").build();
        loadErrors = Counter.builder().name("tidegate_persistence_load_errors")
                .help("Damaged persistence files found at startup (torn tails included); every intact record was loaded.")
                .build();
        lostBytes = Counter.builder().name("tidegate_persistence_lost_bytes")
                .help("Bytes of persistence files skipped at startup because they were torn or corrupt.").build();
        writeFailures = Counter.builder().name("tidegate_persistence_write_failures")
                .help("Journal writes or syncs that failed (a full disk); the writes they carried were refused and undone.")
                .build();
        GaugeWithCallback failingGauge = GaugeWithCallback.builder().name("tidegate_persistence_failing")
                .help("1 while the persistence journal cannot write (a full disk) and writes are refused, else 0.")
                .callback(callback -> callback.call(failing ? 1 : 0)).build();
        damagedRecords = Counter.builder().name("tidegate_persistence_damaged_records")
                .help("Records skipped at startup because they were torn or corrupt; a damaged run whose record"
                        + " boundaries the damage hid counts the records that could be told, at least 1.").build();
        GaugeWithCallback lastSnapshot = GaugeWithCallback.builder()
                .name("tidegate_persistence_last_snapshot_time_seconds")
                .help("Unix time of the last snapshot written (0 before the first).")
                .callback(callback -> callback.call(lastSnapshotMillis / 1000.0)).build();
        own.register(records, bytes, syncDuration, snapshotDuration, loadDuration, loadErrors, lostBytes, damagedRecords,
                lastSnapshot, writeFailures, failingGauge);
    }

    void appended(int recordCount, long byteCount) {
        records.inc(recordCount);
        bytes.inc(byteCount);
    }

    /** A write failed ({@code true}, counted) or the journal recovered ({@code false}). */
    void failing(boolean now) {
        if (now) {
            writeFailures.inc();
        }
        failing = now;
    }

    Timer startSync() {
        return syncDuration.startTimer();
    }

    Timer startSnapshot() {
        return snapshotDuration.startTimer();
    }

    void snapshotWritten(long atMillis) {
        lastSnapshotMillis = atMillis;
    }

    Timer startLoad() {
        return loadDuration.startTimer();
    }

    void damageFound(long bytesLost) {
        loadErrors.inc();
        lostBytes.inc(bytesLost);
    }

    void damagedRecordsSkipped(int count) {
        damagedRecords.inc(count);
    }

    long syncs() {
        return syncDuration.collect().getDataPoints().get(0).getCount();
    }

    long records() {
        return (long) records.get();
    }

    long loadErrors() {
        return (long) loadErrors.get();
    }

    long lostBytes() {
        return (long) lostBytes.get();
    }

    long damagedRecords() {
        return (long) damagedRecords.get();
    }
}
