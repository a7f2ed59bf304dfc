package io.tidegate.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidegate.TestClock;
import io.tidegate.store.Digest;
import io.tidegate.store.RetainedMemory;
import io.tidegate.key.GroupingKey;
import io.tidegate.store.Source;
import io.tidegate.store.Adoption;
import io.tidegate.store.Group;
import io.tidegate.store.StoreCommand;
import io.tidegate.store.Verb;
import io.tidegate.store.WriteRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersistenceTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-11-25T10:00:00Z"));
    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("tidegate.db");
    }

    @Test
    void putPostDeleteAndWipeSequencesComeBackAsTheyWereScraped() {
        String before;
        try (PersistedGateway gateway = new PersistedGateway(file(), clock)) {
            gateway.push(Verb.PUT, "doomed 1\n", 0, "job", "wiped");
            gateway.store.write(WriteRequest.wipe(Source.http("10.0.0.1")));
            gateway.push(Verb.PUT, "# HELP x An x.\n# TYPE x gauge\nx{a=\"1\"} 1\ny 2\n", 90_000, "job", "a");
            gateway.push(Verb.PUT, "x{a=\"2\"} 3\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\n"
                    + "h_sum 3\nh_count 2\n", 60_000, "job", "b", "instance", "i");
            gateway.push(Verb.POST, "y 5\n", 0, "job", "b", "instance", "i");
            gateway.push(Verb.PUT, "z 1\n", 0, "job", "c");
            gateway.delete("job", "c");
            gateway.push(Verb.PUT, "x{a=\"3\"} NaN\n", 0, "job", "d");
            gateway.push(Verb.PUT, "x{a=\"3\"} 1\n", 0, "job", "e");
            clock.advance(Duration.ofSeconds(1));
            // a timestamp is refused, and the refusal kept as the group's failure time
            assertThat(gateway.push(Verb.PUT, "x{a=\"3\"} 1 1234\n", 0, "job", "e").wasApplied()).isFalse();
            clock.advance(Duration.ofSeconds(5));
            before = gateway.scrape();
        }
        // a crash keeps no snapshot of the last moments: only the journal has them
        try (PersistedGateway restarted = new PersistedGateway(file(), clock)) {
            assertThat(restarted.scrape()).isEqualTo(before).contains("push_expiry_time_seconds").doesNotContain("doomed");
            assertThat(restarted.store.snapshot().groups()).extracting(group -> group.key().job()).containsExactlyInAnyOrder("a", "b", "d", "e");
            assertThat(restarted.scrape()).contains("push_failure_time_seconds{instance=\"\",job=\"e\"} 1.795600801e+09");
        }
    }

    @Test
    void aCrashBeforeAnySnapshotLosesNoAnsweredWrite() throws IOException {
        PersistedGateway crashed = new PersistedGateway(file(), clock);
        crashed.push(Verb.PUT, "x 1\n", 0, "job", "a");
        crashed.push(Verb.PUT, "x 2\n", 30_000, "job", "b");
        crashed.delete("job", "a");
        String before = crashed.scrape();
        Path copy = crashCopy();

        try (PersistedGateway restarted = new PersistedGateway(copy.resolve("tidegate.db"), clock)) {
            assertThat(restarted.scrape()).isEqualTo(before);
            assertThat(restarted.store.snapshot().groups().get(0).deadlineMillis()).isEqualTo(clock.millis() + 30_000);
        }
        crashed.close();
    }

    @Test
    void aGroupAdoptedFromAnotherReplicasStateIsJournaledAsAWriteIs() throws IOException {
        PersistedGateway elsewhere = new PersistedGateway(dir.resolve("elsewhere.db"), clock);
        elsewhere.push(Verb.PUT, "x 2\n", 30_000, "job", "b");
        Group state = GroupCodec.decode(GroupCodec.encode(elsewhere.store.snapshot().groups().get(0)));
        elsewhere.close();

        PersistedGateway crashed = new PersistedGateway(file(), clock);
        assertThat(crashed.store.apply(new StoreCommand.Adopt(state)).result()).isEqualTo(Adoption.Result.ADOPTED);
        String before = crashed.scrape();
        Path copy = crashCopy();

        try (PersistedGateway restarted = new PersistedGateway(copy.resolve("tidegate.db"), clock)) {
            assertThat(restarted.scrape()).isEqualTo(before).contains("x{instance=\"\",job=\"b\"} 2");
            assertThat(restarted.store.snapshot().groups().get(0).deadlineMillis()).isEqualTo(state.deadlineMillis());
        }
        crashed.close();
    }

    @Test
    void aGroupWhoseDeadlinePassedWhileDownIsNotServedAndNeverComesBack() {
        try (PersistedGateway gateway = new PersistedGateway(file(), clock)) {
            gateway.push(Verb.PUT, "short 1\n", 10_000, "job", "short");
            gateway.push(Verb.PUT, "long 1\n", 3_600_000, "job", "long");
            gateway.push(Verb.PUT, "a 1\n", 10_000, "job", "mixed");
            gateway.push(Verb.POST, "b 1\n", 0, "job", "mixed");
        }
        clock.advance(Duration.ofMinutes(1));
        try (PersistedGateway restarted = new PersistedGateway(file(), clock)) {
            assertThat(restarted.store.snapshot().groups()).extracting(group -> group.key().job()).containsExactly("long", "mixed");
            assertThat(restarted.scrape()).doesNotContain("short").doesNotContain("\na ").contains("\nb{");
        }
        clock.advance(Duration.ofMinutes(1));
        try (PersistedGateway again = new PersistedGateway(file(), clock)) {
            assertThat(again.store.snapshot().groups()).extracting(group -> group.key().job()).containsExactly("long", "mixed");
        }
    }

    @Test
    void aTombstoneStillDueAppearsForAGroupThatExpiredWhileDown() {
        try (PersistedGateway gateway = new PersistedGateway(file(), clock, 600_000)) {
            gateway.push(Verb.PUT, "x 1\n", 10_000, "job", "gone");
        }
        clock.advance(Duration.ofMinutes(1));
        try (PersistedGateway restarted = new PersistedGateway(file(), clock, 600_000)) {
            assertThat(restarted.scrape()).contains("push_expired_time_seconds{instance=\"\",job=\"gone\"}")
                    .doesNotContain("\nx{");
        }
    }

    @Test
    void sourcesAndTheRetainedMemoryComeBack() {
        Digest digest = Digest.of("1".getBytes(StandardCharsets.UTF_8), null, null);
        try (PersistedGateway gateway = new PersistedGateway(file(), clock)) {
            GroupingKey key = PersistedGateway.key("job", "dev");
            gateway.store.apply(new WriteRequest(key, Verb.PUT, Map.of(), Source.mqtt("metrics/job/dev", true)),
                    () -> gateway.retained.remember("metrics/job/dev", digest), null);
        }
        try (PersistedGateway restarted = new PersistedGateway(file(), clock)) {
            assertThat(restarted.store.snapshot().groups().get(0).source()).isEqualTo(Source.mqtt("metrics/job/dev", true));
            assertThat(restarted.retained.entries()).containsExactly(new RetainedMemory.Entry("metrics/job/dev", digest));
        }
    }

    @Test
    void compactionLeavesOneSnapshotAndOneJournalAndLosesNothing() throws IOException {
        try (PersistedGateway gateway = new PersistedGateway(file(), clock)) {
            gateway.push(Verb.PUT, "x 1\n", 0, "job", "a");
            gateway.persistence.compact();
            gateway.push(Verb.PUT, "x 2\n", 0, "job", "b");
            gateway.persistence.compact();
            gateway.push(Verb.PUT, "x 3\n", 0, "job", "c");
            assertThat(fileNames()).containsExactlyInAnyOrder("tidegate.db", "tidegate.db.lock", "tidegate.db.journal-3");
            Path copy = crashCopy();
            try (PersistedGateway restarted = new PersistedGateway(copy.resolve("tidegate.db"), clock)) {
                assertThat(restarted.scrape()).isEqualTo(gateway.scrape());
            }
        }
    }

    @Test
    void aCrashBetweenTheNewSnapshotAndDeletingTheOldJournalLoadsTheNewOneOnly() throws IOException {
        try (PersistedGateway gateway = new PersistedGateway(file(), clock)) {
            gateway.push(Verb.PUT, "x 1\n", 0, "job", "a");
            Path oldJournal = dir.resolve("tidegate.db.journal-1");
            byte[] stale = Files.readAllBytes(oldJournal);
            gateway.delete("job", "a");
            gateway.persistence.compact();
            gateway.push(Verb.PUT, "x 2\n", 0, "job", "b");
            Path copy = crashCopy();
            Files.write(copy.resolve("tidegate.db.journal-1"), stale); // as if its deletion never happened
            try (PersistedGateway restarted = new PersistedGateway(copy.resolve("tidegate.db"), clock)) {
                assertThat(restarted.store.snapshot().groups()).extracting(group -> group.key().job()).containsExactly("b");
            }
        }
    }

    @Test
    void aFileThatIsNotTidegatesIsAStartupErrorNamingItAndIsLeftAlone() throws IOException {
        byte[] theirs = "some upstream gob data that is not ours".getBytes(StandardCharsets.US_ASCII);
        Files.write(file(), theirs);

        assertThatThrownBy(() -> new PersistedGateway(file(), clock)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(file().toString()).hasMessageContaining("is not a Tidegate persistence file");
        assertThat(Files.readAllBytes(file())).isEqualTo(theirs);
    }

    @Test
    void aSecondTidegateOnTheSameFileIsRefusedUntilTheFirstCloses() {
        try (PersistedGateway first = new PersistedGateway(file(), clock)) {
            first.push(Verb.PUT, "x 1\n", 0, "job", "a");

            assertThatThrownBy(() -> new PersistedGateway(file(), clock)).isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining(file().toString())
                    .hasMessageContaining("in use by another Tidegate, process " + ProcessHandle.current().pid());
            assertThat(first.scrape()).contains("x{instance=\"\",job=\"a\"} 1");
        }
        try (PersistedGateway next = new PersistedGateway(file(), clock)) {
            assertThat(next.scrape()).contains("x{instance=\"\",job=\"a\"} 1");
        }
    }

    private List<String> fileNames() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).map(path -> path.getFileName().toString()).toList();
        }
    }

    /** The files as a kill -9 would leave them: what is on disk now, without a last snapshot. */
    private Path crashCopy() throws IOException {
        Path copy = Files.createDirectories(dir.resolve("crashed"));
        for (String name : fileNames()) {
            Files.copy(dir.resolve(name), copy.resolve(name));
        }
        return copy;
    }
}
