package io.tidegate.persist;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tidegate.TestClock;
import io.tidegate.store.Verb;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A damaged snapshot or journal (SPEC §6): the damaged records are skipped and named, every intact
 * one is loaded, and the damaged file is kept aside with its bytes as found, never overwritten.
 */
class DamagedPersistenceTest {
    private static final String KEPT_NAME = ".damaged-20261125T100000Z";
    private final TestClock clock = new TestClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final Logger logger = (Logger) LoggerFactory.getLogger(Persistence.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    @TempDir
    Path dir;

    @BeforeEach
    void listen() {
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void stopListening() {
        logger.detachAppender(lines);
    }

    private Path file() {
        return dir.resolve("tidegate.db");
    }

    @Test
    void aDamagedSnapshotRecordCostsThatGroupOnlyAndTheFileIsKeptAsFoundThroughLaterStarts() throws IOException {
        try (PersistedGateway gateway = new PersistedGateway(file(), clock)) {
            for (int i = 0; i < 20; i++) {
                gateway.push(Verb.PUT, "x " + i + "\n", 0, "job", "j" + i);
            }
        }
        byte[] damaged = Files.readAllBytes(file());
        long[] j7 = extentOf(file(), "{job=\"j7\"}");
        damaged[(int) j7[1] - 3] ^= 0x55; // inside the record's payload, after its key
        Files.write(file(), damaged);

        try (PersistedGateway restarted = new PersistedGateway(file(), clock)) {
            assertThat(jobs(restarted)).containsExactlyInAnyOrderElementsOf(jobsExcept(20, 7));
            assertThat(restarted.scrape()).contains("x{instance=\"\",job=\"j8\"} 8").doesNotContain("job=\"j7\"");
            assertThat(restarted.persistence.damagedRecords()).isEqualTo(1);
            assertThat(restarted.persistence.loadErrors()).isEqualTo(1);
            assertThat(warnings()).singleElement().asString().contains("file=" + file())
                    .contains("offset=" + j7[0]).contains("lost_bytes=" + (j7[1] - j7[0])).contains("records=1 ")
                    .contains("groups={job=\"j7\"}").contains("kept_as=" + file() + KEPT_NAME);
        }
        // the snapshot written at that start replaced the damaged file; the copy kept it
        assertThat(Files.readAllBytes(file())).isNotEqualTo(damaged);
        assertThat(Files.readAllBytes(dir.resolve("tidegate.db" + KEPT_NAME))).isEqualTo(damaged);

        lines.list.clear();
        try (PersistedGateway again = new PersistedGateway(file(), clock)) {
            assertThat(jobs(again)).containsExactlyInAnyOrderElementsOf(jobsExcept(20, 7));
            assertThat(again.persistence.loadErrors()).isZero();
            assertThat(warnings()).isEmpty();
        }
        assertThat(keptFiles()).containsExactly("tidegate.db" + KEPT_NAME);
        assertThat(Files.readAllBytes(dir.resolve("tidegate.db" + KEPT_NAME))).isEqualTo(damaged);

        // damaged again at the same second: a second name, the first copy untouched
        byte[] damagedAgain = Files.readAllBytes(file());
        long[] j3 = extentOf(file(), "{job=\"j3\"}");
        damagedAgain[(int) j3[0] + 1] ^= 0x7f; // the record's length field
        Files.write(file(), damagedAgain);
        try (PersistedGateway third = new PersistedGateway(file(), clock)) {
            assertThat(jobs(third)).containsExactlyInAnyOrderElementsOf(jobsExcept(20, 7, 3));
        }
        assertThat(keptFiles()).containsExactlyInAnyOrder("tidegate.db" + KEPT_NAME, "tidegate.db" + KEPT_NAME + "-2");
        assertThat(Files.readAllBytes(dir.resolve("tidegate.db" + KEPT_NAME))).isEqualTo(damaged);
        assertThat(Files.readAllBytes(dir.resolve("tidegate.db" + KEPT_NAME + "-2"))).isEqualTo(damagedAgain);
    }

    @Test
    void aDamagedJournalRecordCostsThatWriteOnlyKeepsTheOrderOfTheRestAndTheJournalIsKeptAside() throws IOException {
        PersistedGateway crashed = new PersistedGateway(file(), clock);
        for (int i = 0; i < 10; i++) {
            crashed.push(Verb.PUT, "x " + i + "\n", 0, "job", "j" + i);
        }
        crashed.push(Verb.PUT, "x 100\n", 0, "job", "j2"); // after the damage: must win over the first j2
        crashed.delete("job", "j5"); // after the damage: must stay deleted
        Path journal = dir.resolve("tidegate.db.journal-1");
        byte[] damaged = Files.readAllBytes(journal);
        crashed.close();
        Files.delete(file());
        Files.write(journal, damaged); // as a kill -9 leaves it: the journal, no later snapshot
        long[] j4 = extentOf(journal, "{job=\"j4\"}");
        for (int at = (int) j4[0] + 6; at < j4[0] + 14; at++) {
            damaged[at] ^= 0xff; // eight bytes flipped across the checksum and the key
        }
        Files.write(journal, damaged);

        try (PersistedGateway restarted = new PersistedGateway(file(), clock)) {
            assertThat(jobs(restarted)).containsExactlyInAnyOrder("j0", "j1", "j2", "j3", "j6", "j7", "j8", "j9");
            assertThat(restarted.scrape()).contains("x{instance=\"\",job=\"j2\"} 100");
            assertThat(restarted.persistence.damagedRecords()).isEqualTo(1);
            assertThat(warnings()).singleElement().asString().contains("offset=" + j4[0])
                    .contains("lost_bytes=" + (j4[1] - j4[0])).contains("records=1 ")
                    .contains("kept_as=" + journal + KEPT_NAME);
        }
        assertThat(journal).doesNotExist(); // compacted into the snapshot written at start
        assertThat(Files.readAllBytes(dir.resolve("tidegate.db.journal-1" + KEPT_NAME))).isEqualTo(damaged);
        try (PersistedGateway again = new PersistedGateway(file(), clock)) {
            assertThat(jobs(again)).containsExactlyInAnyOrder("j0", "j1", "j2", "j3", "j6", "j7", "j8", "j9");
        }
        assertThat(keptFiles()).containsExactly("tidegate.db.journal-1" + KEPT_NAME);
    }

    @Test
    void aJournalTornAtItsEndIsACrashNotDamageToKeepAside() throws IOException {
        PersistedGateway crashed = new PersistedGateway(file(), clock);
        crashed.push(Verb.PUT, "x 1\n", 0, "job", "a");
        crashed.push(Verb.PUT, "x 2\n", 0, "job", "b");
        Path journal = dir.resolve("tidegate.db.journal-1");
        byte[] whole = Files.readAllBytes(journal);
        crashed.close();
        Files.delete(file());
        Files.write(journal, Arrays.copyOf(whole, whole.length - 5));

        try (PersistedGateway restarted = new PersistedGateway(file(), clock)) {
            assertThat(jobs(restarted)).containsExactly("a");
            assertThat(warnings()).singleElement().asString().contains("damaged at its end").contains("kept_as=-")
                    .contains("groups={job=\"b\"}");
        }
        assertThat(keptFiles()).isEmpty();
    }

    /** Where the record of {@code key} (a grouping key as logs show it) starts and ends in {@code path}. */
    private static long[] extentOf(Path path, String key) throws IOException {
        List<long[]> found = new ArrayList<>();
        long[] next = {RecordFile.HEADER_BYTES};
        RecordFile.read(path, payload -> {
            long end = next[0] + RecordFile.FRAME_BYTES + payload.length;
            if (key.equals(RecordCodec.describe(payload))) {
                found.add(new long[] {next[0], end});
            }
            next[0] = end;
        });
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    private static List<String> jobs(PersistedGateway gateway) {
        return gateway.store.snapshot().groups().stream().map(group -> group.key().job()).toList();
    }

    private static List<String> jobsExcept(int count, Integer... left) {
        List<Integer> out = List.of(left);
        return IntStream.range(0, count).filter(i -> !out.contains(i)).mapToObj(i -> "j" + i).toList();
    }

    private List<String> warnings() {
        return lines.list.stream().filter(event -> event.getLevel() == Level.WARN)
                .map(event -> event.getMessage() + event.getKeyValuePairs().stream()
                        .map(pair -> " " + pair.key + "=" + pair.value).collect(Collectors.joining()))
                .toList();
    }

    private List<String> keptFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(path -> path.getFileName().toString()).filter(name -> name.contains(".damaged-")).toList();
        }
    }
}
