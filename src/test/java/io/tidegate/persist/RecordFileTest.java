package io.tidegate.persist;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.TestClock;
import io.tidegate.store.Verb;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordFileTest {
    @TempDir
    Path dir;

    private static byte[] fileOf(String... payloads) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(RecordFile.header(7));
        for (String payload : payloads) {
            RecordFile.frame(payload.getBytes(StandardCharsets.UTF_8), out);
        }
        return bytes.toByteArray();
    }

    private RecordFile.Contents read(byte[] content, List<String> into) throws IOException {
        Path file = dir.resolve("f");
        Files.write(file, content);
        return RecordFile.read(file, payload -> into.add(new String(payload, StandardCharsets.UTF_8)));
    }

    @Test
    void anIntactFileReadsWhole() throws IOException {
        List<String> read = new ArrayList<>();
        RecordFile.Contents contents = read(fileOf("one", "two", "three"), read);

        assertThat(read).containsExactly("one", "two", "three");
        assertThat(contents.damaged()).isFalse();
        assertThat(contents.generation()).isEqualTo(7);
    }

    @Test
    void aTornTailAtEveryByteOfTheLastRecordKeepsEverythingBefore() throws IOException {
        byte[] whole = fileOf("one", "two", "the last record");
        int lastStart = fileOf("one", "two").length;
        for (int length = lastStart + 1; length < whole.length; length++) {
            List<String> read = new ArrayList<>();
            RecordFile.Contents contents = read(Arrays.copyOf(whole, length), read);

            assertThat(read).as("cut at %d", length).containsExactly("one", "two");
            assertThat(contents.damage()).singleElement().satisfies(damage -> {
                assertThat(damage.offset()).isEqualTo(lastStart);
                assertThat(damage.tail()).isTrue();
            });
            assertThat(contents.lostBytes()).isEqualTo(length - lastStart);
            assertThat(contents.damagedMidFile()).isFalse();
        }
    }

    @Test
    void aFlippedBitAnywhereInARecordIsDetected() throws IOException {
        byte[] whole = fileOf("one", "two", "the last record");
        int lastStart = fileOf("one", "two").length;
        for (int at = lastStart; at < whole.length; at++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] corrupt = whole.clone();
                corrupt[at] ^= (byte) (1 << bit);
                List<String> read = new ArrayList<>();
                RecordFile.Contents contents = read(corrupt, read);

                assertThat(read).as("bit %d of byte %d", bit, at).containsExactly("one", "two");
                assertThat(contents.damage()).singleElement().extracting(RecordFile.Damage::offset).isEqualTo((long) lastStart);
            }
        }
    }

    @Test
    void aFlippedBitAnywhereInAMiddleRecordCostsThatRecordOnly() throws IOException {
        byte[] whole = fileOf("one", "two", "three", "four");
        int twoStart = fileOf("one").length;
        int threeStart = fileOf("one", "two").length;
        for (int at = twoStart; at < threeStart; at++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] corrupt = whole.clone();
                corrupt[at] ^= (byte) (1 << bit);
                List<String> read = new ArrayList<>();
                RecordFile.Contents contents = read(corrupt, read);

                assertThat(read).as("bit %d of byte %d", bit, at).containsExactly("one", "three", "four");
                assertThat(contents.records()).isEqualTo(3);
                RecordFile.Damage damage = contents.damage().get(0);
                assertThat(contents.damage()).hasSize(1);
                assertThat(damage.offset()).isEqualTo(twoStart);
                assertThat(damage.bytes()).isEqualTo(threeStart - twoStart);
                assertThat(damage.tail()).isFalse();
                assertThat(contents.damagedMidFile()).isTrue();
                if (at >= twoStart + 4) { // the length field is intact: the record's bounds are known
                    assertThat(damage.records()).isEqualTo(1);
                    assertThat(damage.recordsExact()).isTrue();
                }
            }
        }
    }

    @Test
    void aDamagedRecordIsDescribedAsFarAsItsBytesTell() throws IOException {
        byte[] whole = fileOf("one", "key=b,rest", "three");
        int damagedByte = fileOf("one").length + RecordFile.FRAME_BYTES + "key=b,re".length();
        whole[damagedByte] ^= 0x20;
        Path file = dir.resolve("f");
        Files.write(file, whole);
        List<String> read = new ArrayList<>();

        RecordFile.Contents contents = RecordFile.read(file, new RecordFile.Reader() {
            @Override
            public void record(byte[] payload) {
                read.add(new String(payload, StandardCharsets.UTF_8));
            }

            @Override
            public String describe(byte[] payload) {
                return new String(payload, StandardCharsets.UTF_8).split(",")[0];
            }
        });

        assertThat(read).containsExactly("one", "three");
        assertThat(contents.damage()).singleElement().extracting(RecordFile.Damage::lost).isEqualTo(List.of("key=b"));
    }

    @Test
    void aTornHeaderIsAnEmptyFileNotAForeignOne() throws IOException {
        byte[] header = RecordFile.header(1);
        for (int length = 0; length < header.length; length++) {
            RecordFile.Contents contents = read(Arrays.copyOf(header, length), new ArrayList<>());

            assertThat(contents.records()).isZero();
            assertThat(contents.lostBytes()).isEqualTo(length);
        }
    }

    @Test
    void aJournalTornAtEveryByteOfItsLastRecordStartsLogsTheLossAndStaysAppendable() throws IOException {
        TestClock clock = new TestClock(Instant.parse("2026-11-25T10:00:00Z"));
        Path original = dir.resolve("original");
        Files.createDirectories(original);
        String intact;
        PersistedGateway crashed = new PersistedGateway(original.resolve("db"), clock);
        crashed.push(Verb.PUT, "x 1\n", 0, "job", "a");
        crashed.push(Verb.PUT, "x 2\n", 0, "job", "b");
        intact = crashed.scrape();
        crashed.push(Verb.PUT, "x 3\n", 0, "job", "last");
        byte[] snapshot = Files.readAllBytes(original.resolve("db"));
        byte[] journal = Files.readAllBytes(original.resolve("db.journal-1"));
        crashed.close();
        List<Integer> lengths = new ArrayList<>();
        read(journal, new ArrayList<>()); // the same bytes, read for the size of the last record
        RecordFile.read(dir.resolve("f"), payload -> lengths.add(payload.length));
        int lastStart = journal.length - (lengths.get(lengths.size() - 1) + RecordFile.FRAME_BYTES);

        for (int length = lastStart + 1; length < journal.length; length++) {
            Path copy = Files.createDirectories(dir.resolve("cut" + length));
            Files.write(copy.resolve("db"), snapshot);
            Files.write(copy.resolve("db.journal-1"), Arrays.copyOf(journal, length));
            try (PersistedGateway restarted = new PersistedGateway(copy.resolve("db"), clock)) {
                assertThat(restarted.scrape()).isEqualTo(intact);
                assertThat(restarted.persistence.loadErrors()).isEqualTo(1);
                assertThat(restarted.persistence.lostBytes()).isEqualTo(length - lastStart);
                restarted.push(Verb.PUT, "x 4\n", 0, "job", "after");
            }
            try (PersistedGateway again = new PersistedGateway(copy.resolve("db"), clock)) {
                assertThat(again.persistence.loadErrors()).isZero();
                assertThat(again.store.snapshot().groups()).extracting(group -> group.key().job())
                        .containsExactlyInAnyOrder("a", "b", "after");
            }
        }
    }
}
