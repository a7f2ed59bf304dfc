package io.tidegate.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.fuzz.FuzzBudget;
import io.tidegate.fuzz.Mutations;
import io.tidegate.fuzz.Refusals;
import io.tidegate.fuzz.Renderings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * Fuzzing of the delimited protobuf reader (SPEC §7): corrupted varints, lengths claiming far more
 * than the body holds, truncation anywhere. A body is read as protobuf-java reads it or refused with
 * a message naming family and offset; a forged length costs no memory; what is read survives the
 * protobuf scrape's rendering unchanged.
 */
@AddLifecycleHook(FuzzBudget.class)
class ProtobufBodyReaderFuzzTest {
    private static final long LIMIT = 1 << 20;
    /** Far below what any claimed length (gigabytes) would cost if it were believed. */
    private static final long ALLOCATION_BOUND = 8 << 20;

    /** Varints a mutation puts in: lengths near and far beyond the body, overlong and unterminated ones, tags. */
    private static final List<byte[]> TOKENS = List.of(
            ProtobufBodyReaderTest.varint(0), ProtobufBodyReaderTest.varint(1), ProtobufBodyReaderTest.varint(127),
            ProtobufBodyReaderTest.varint(128), ProtobufBodyReaderTest.varint(Integer.MAX_VALUE),
            ProtobufBodyReaderTest.varint(0xffff_ffffL), ProtobufBodyReaderTest.varint(-1),
            ProtobufBodyReaderTest.varint(Long.MIN_VALUE), new byte[] {(byte) 0x80}, new byte[] {(byte) 0xff, (byte) 0xff},
            new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
                    (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01},
            new byte[] {0x0a}, new byte[] {0x12}, new byte[] {0x18}, new byte[] {0x22}, new byte[] {0x2a},
            new byte[] {0x09}, new byte[] {0x0d}, new byte[] {0x0b}, new byte[] {0x0c}, new byte[] {0x0f});

    private final ProtobufBodyReader reader = new ProtobufBodyReader();

    @Property(tries = 5000)
    void mutatedBodiesAreReadAsProtobufJavaReadsThemOrRefused(@ForAll("mutatedBodies") byte[] body) throws IOException {
        check(body);
    }

    /** The first length prefix replaced: claims of up to 2^64 - 1 bytes, with the real message behind. */
    @Property(tries = 2000)
    void lengthPrefixesClaimingHugeSizesAreRefusedWithoutAllocatingThem(@ForAll("validBodies") byte[] body,
            @ForAll("claimedLengths") long claimed) throws IOException {
        int prefixLength = 0;
        while (prefixLength < body.length && (body[prefixLength++] & 0x80) != 0) {
            // skips the continuation bytes of the first varint
        }
        check(Mutations.concat(ProtobufBodyReaderTest.varint(claimed), Arrays.copyOfRange(body, prefixLength, body.length)));
    }

    @Property(tries = 200)
    void everyPrefixOfABodyIsReadOrRefused(@ForAll("validBodies") byte[] body) throws IOException {
        for (byte[] prefix : Mutations.prefixes(body)) {
            check(prefix);
        }
    }

    @Provide
    Arbitrary<byte[]> validBodies() {
        // the seeded generator the reader's own tests use; the edits on top of it are what shrinks
        return Arbitraries.longs().map(seed -> ProtobufBodyReaderTest.randomValidBody(new Random(seed)));
    }

    @Provide
    Arbitrary<byte[]> mutatedBodies() {
        return Mutations.of(validBodies(), TOKENS, 4);
    }

    @Provide
    Arbitrary<Long> claimedLengths() {
        return Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.longs().between(0, 1 << 12),
                Arbitraries.of(Long.MAX_VALUE, -1L, (long) Integer.MAX_VALUE, 1L << 32, LIMIT, LIMIT + 1));
    }

    private void check(byte[] body) throws IOException {
        long before = ProtobufBodyReaderTest.allocatedBytes();
        ParsedBody parsed;
        try {
            parsed = reader.read(new ByteArrayInputStream(body), LIMIT);
        } catch (BodyFormatException e) {
            assertThat(e.getMessage()).containsPattern("^(unexpected EOF: )?protobuf body: metric family ");
            Refusals.assertClean(e.getMessage());
            return;
        } finally {
            assertThat(ProtobufBodyReaderTest.allocatedBytes() - before).as("bytes allocated reading %s bytes", body.length)
                    .isLessThan(ALLOCATION_BOUND + 64L * body.length);
        }
        ProtobufBodyReaderTest.assertReadsAsProtobufJava(body, parsed);
        byte[] rendered = Renderings.render(WireFormat.PROTOBUF, parsed);
        ParsedBody reread;
        try {
            reread = reader.read(new ByteArrayInputStream(rendered), LIMIT);
        } catch (BodyFormatException e) {
            throw new AssertionError("the rendering of an accepted body does not read: " + e.getMessage(), e);
        }
        assertThat(Renderings.render(WireFormat.PROTOBUF, reread)).isEqualTo(rendered);
    }
}
