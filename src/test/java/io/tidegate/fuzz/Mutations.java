package io.tidegate.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Structured-but-broken input: a valid body with a few edits. Edits are jqwik values rather than
 * draws from a seeded Random, so a failure shrinks to the fewest, earliest and smallest edits.
 */
public final class Mutations {
    private Mutations() {}

    /**
     * Bytes random generation rarely hits but parsers must survive: control characters, and UTF-8
     * that is not (lone continuation, overlong, truncated, surrogate, beyond U+10FFFF, never-valid
     * bytes), plus valid but unusual line and space characters.
     */
    public static final List<byte[]> HOSTILE_BYTES = List.of(
            bytes(0x00), bytes(0x01), bytes('\r'), bytes('\t'), bytes(0x0b), bytes(0x0c), bytes(0x1b), bytes(0x7f),
            bytes(0x80), bytes(0xbf), bytes(0xc0, 0x80), bytes(0xc1, 0xbf), bytes(0xc3), bytes(0xe2, 0x82),
            bytes(0xed, 0xa0, 0x80), bytes(0xed, 0xbf, 0xbf), bytes(0xf4, 0x90, 0x80, 0x80), bytes(0xf8, 0x88, 0x80, 0x80, 0x80),
            bytes(0xfe), bytes(0xff), bytes(0xef, 0xbb, 0xbf), bytes(0xe2, 0x80, 0xa8), bytes(0xc2, 0x85),
            bytes(0xf0, 0x9f, 0x98, 0x80));

    public enum Kind { FLIP_BIT, SET_BYTE, INSERT, DELETE, DUPLICATE, TRUNCATE }

    /** One edit; {@code at} is taken modulo the body's length, so it stays meaningful as edits pile up. */
    public record Edit(Kind kind, int at, int span, byte[] token) {
        public byte[] applyTo(byte[] body) {
            int p = Math.floorMod(at, body.length + 1);
            int q = Math.min(body.length, p + span);
            return switch (kind) {
                case FLIP_BIT -> {
                    if (p == body.length) {
                        yield body;
                    }
                    byte[] flipped = body.clone();
                    flipped[p] ^= (byte) (1 << (span & 7));
                    yield flipped;
                }
                case SET_BYTE -> p == body.length ? concat(body, token) : concat(Arrays.copyOf(body, p), token,
                        Arrays.copyOfRange(body, p + 1, body.length));
                case INSERT -> concat(Arrays.copyOf(body, p), token, Arrays.copyOfRange(body, p, body.length));
                case DELETE -> concat(Arrays.copyOf(body, p), Arrays.copyOfRange(body, q, body.length));
                case DUPLICATE -> concat(Arrays.copyOf(body, q), Arrays.copyOfRange(body, p, body.length));
                case TRUNCATE -> Arrays.copyOf(body, p);
            };
        }
    }

    /** Valid bodies, each with one to {@code maxEdits} edits; inserted tokens from {@code tokens} or hostile bytes. */
    public static Arbitrary<byte[]> of(Arbitrary<byte[]> valid, List<byte[]> tokens, int maxEdits) {
        return Combinators.combine(valid, edits(tokens).list().ofMinSize(1).ofMaxSize(maxEdits)).as((body, edits) -> {
            byte[] edited = body;
            for (Edit edit : edits) {
                edited = edit.applyTo(edited);
            }
            return edited;
        });
    }

    public static Arbitrary<Edit> edits(List<byte[]> tokens) {
        Arbitrary<byte[]> token = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(tokens)),
                Tuple.of(2, Arbitraries.of(HOSTILE_BYTES)),
                Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(4)));
        return Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.integers().between(0, 1 << 16),
                Arbitraries.integers().between(1, 48), token).as(Edit::new);
    }

    /** Every prefix of {@code body}, the empty one and the whole body included. */
    public static List<byte[]> prefixes(byte[] body) {
        List<byte[]> prefixes = new ArrayList<>(body.length + 1);
        for (int end = 0; end <= body.length; end++) {
            prefixes.add(Arrays.copyOf(body, end));
        }
        return prefixes;
    }

    public static List<byte[]> utf8(String... tokens) {
        List<byte[]> list = new ArrayList<>(tokens.length);
        for (String token : tokens) {
            list.add(token.getBytes(StandardCharsets.UTF_8));
        }
        return list;
    }

    public static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] joined = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, joined, at, part.length);
            at += part.length;
        }
        return joined;
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }
}
