package io.tidegate.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tidegate.TestClock;
import io.tidegate.key.GroupingKey;
import io.tidegate.telemetry.OwnMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
    @TempDir
    Path dir;

    @Test
    void concurrentWritersShareSyncsAndEachIsReleasedOnlyOnceItsRecordIsOnDisk() throws Exception {
        PersistenceMetrics metrics = new PersistenceMetrics(new OwnMetrics());
        Path file = dir.resolve("journal-1");
        Journal journal = new Journal(file, 1, metrics);
        int writers = 32;
        int each = 50;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            done.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < each; i++) {
                    GroupingKey key = GroupingKey.of(Map.of("job", "w" + writer, "i", Integer.toString(i)));
                    long position = journal.append(new JournalRecord.GroupDeleted(key));
                    journal.awaitDurable(position);
                    // released: the record is in the file, behind a sync that happened after it was written
                    assertThat(metrics.records()).isGreaterThanOrEqualTo(position);
                    assertThat(keysIn(file)).contains(key);
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> future : done) {
            future.get();
        }
        pool.shutdown();
        journal.close();

        assertThat(keysIn(file)).hasSize(writers * each);
        assertThat(metrics.syncs()).isLessThan(writers * each / 2);
    }

    @Test
    void aLoneWriterWaitsForOneSyncNotAnInterval() throws IOException {
        PersistenceMetrics metrics = new PersistenceMetrics(new OwnMetrics());
        try (Journal journal = new Journal(dir.resolve("journal-1"), 1, metrics)) {
            journal.awaitDurable(journal.append(new JournalRecord.Wiped()));
            assertThat(metrics.syncs()).isEqualTo(1);
            assertThat(metrics.records()).isEqualTo(1);
        }
    }

    @Test
    void workWaitingForARecordRunsOnlyOnceTheRecordIsOnDisk() throws Exception {
        PersistenceMetrics metrics = new PersistenceMetrics(new OwnMetrics());
        Path file = dir.resolve("journal-1");
        try (Journal journal = new Journal(file, 1, metrics)) {
            GroupingKey key = GroupingKey.of(Map.of("job", "acknowledged"));
            List<GroupingKey> onDiskWhenRun = new ArrayList<>();
            CountDownLatch ran = new CountDownLatch(1);

            journal.whenDurable(journal.append(new JournalRecord.GroupDeleted(key)), () -> {
                try {
                    onDiskWhenRun.addAll(keysIn(file));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                ran.countDown();
            });

            assertThat(ran.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(onDiskWhenRun).containsExactly(key);
            assertThat(metrics.syncs()).isEqualTo(1);
        }
    }

    @Test
    void onRecoveryTheListenerIsHandedTheStepThatTakesWritesAgainAndSinceWhenItFailedIsKnown() throws Exception {
        TestClock clock = new TestClock(Instant.parse("2026-11-25T10:00:00Z"));
        FillingDisk disk = new FillingDisk();
        List<String> seen = new CopyOnWriteArrayList<>();
        try (Journal journal = new Journal(dir.resolve("journal-1"), 1, new PersistenceMetrics(new OwnMetrics()), disk,
                Duration.ofMillis(20), () -> {}, clock)) {
            journal.onRecovery(takeWrites -> {
                seen.add("before: " + (journal.failure() == null ? "taking writes" : "failing"));
                takeWrites.run();
                seen.add("after: " + (journal.failure() == null ? "taking writes" : "failing"));
            });
            disk.fill();
            long position = journal.append(new JournalRecord.GroupDeleted(GroupingKey.of(Map.of("job", "a"))));
            assertThatThrownBy(() -> journal.awaitDurable(position)).hasMessageContaining("No space left on device");
            assertThat(journal.failingSince()).isEqualTo(Instant.parse("2026-11-25T10:00:00Z"));
            clock.advance(Duration.ofMinutes(1));

            disk.free();
            await().atMost(Duration.ofSeconds(5)).until(() -> journal.failure() == null);

            assertThat(seen).containsExactly("before: failing", "after: taking writes");
            long next = journal.append(new JournalRecord.GroupDeleted(GroupingKey.of(Map.of("job", "b"))));
            journal.awaitDurable(next);
        }
    }

    private static List<GroupingKey> keysIn(Path file) throws IOException {
        List<GroupingKey> keys = new ArrayList<>();
        RecordFile.read(file, payload -> keys.add(((JournalRecord.GroupDeleted) RecordCodec.decode(payload)).key()));
        return keys;
    }
}
