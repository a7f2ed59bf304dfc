package io.tidegate.persist;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.fuzz.FuzzBudget;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * A run of changed bytes anywhere after a file's header costs the records it touches and nothing
 * else (SPEC §6): every record it does not touch is read, in order, and nothing else is.
 */
@AddLifecycleHook(FuzzBudget.class)
class DamagedRecordFileTest {
    @Property(tries = 600)
    void aRunOfChangedBytesCostsOnlyTheRecordsItTouches(@ForAll("payloads") @Size(min = 2, max = 120) List<byte[]> payloads,
            @ForAll @IntRange(min = 0, max = 1_000_000) int where, @ForAll @IntRange(min = 1, max = 96) int runLength,
            @ForAll("changes") @Size(96) List<Byte> changes) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(RecordFile.header(3));
        List<long[]> extents = new ArrayList<>();
        for (byte[] payload : payloads) {
            long start = bytes.size();
            RecordFile.frame(payload, out);
            extents.add(new long[] {start, bytes.size()});
        }
        byte[] file = bytes.toByteArray();
        int from = RecordFile.HEADER_BYTES + where % (file.length - RecordFile.HEADER_BYTES);
        int to = Math.min(file.length, from + runLength);
        for (int at = from; at < to; at++) {
            file[at] ^= changes.get(at - from); // never 0: every byte of the run changes
        }
        List<byte[]> untouched = new ArrayList<>();
        boolean intactAfterRun = false;
        for (int i = 0; i < payloads.size(); i++) {
            if (extents.get(i)[1] <= from || extents.get(i)[0] >= to) {
                untouched.add(payloads.get(i));
                intactAfterRun |= extents.get(i)[0] >= to;
            }
        }
        Path path = Files.createTempFile("damaged", ".db");
        try {
            Files.write(path, file);
            List<byte[]> read = new ArrayList<>();

            RecordFile.Contents contents = RecordFile.read(path, read::add);

            assertThat(read).as("run of %d bytes at %d", to - from, from).containsExactlyElementsOf(untouched);
            assertThat(contents.records()).isEqualTo(untouched.size());
            assertThat(contents.generation()).isEqualTo(3);
            RecordFile.Damage first = contents.damage().get(0);
            long touchedStart = extents.stream().filter(extent -> extent[1] > from).findFirst().orElseThrow()[0];
            assertThat(first.offset()).isEqualTo(touchedStart);
            assertThat(contents.lostBytes()).isEqualTo(file.length - untouched.stream()
                    .mapToLong(payload -> payload.length + RecordFile.FRAME_BYTES).sum() - RecordFile.HEADER_BYTES);
            assertThat(contents.damagedMidFile()).isEqualTo(intactAfterRun);
        } finally {
            Files.delete(path);
        }
    }

    @Provide
    Arbitrary<List<byte[]>> payloads() {
        // zeros are frequent, as in real records (counts, lengths, timestamps): they make plausible lengths to resync past
        Arbitrary<Byte> oneByte = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.just((byte) 0)), net.jqwik.api.Tuple.of(2, Arbitraries.bytes()));
        return oneByte.array(byte[].class).ofMinSize(1).ofMaxSize(300).list();
    }

    @Provide
    Arbitrary<List<Byte>> changes() {
        return Arbitraries.bytes().filter(change -> change != 0).list();
    }
}
