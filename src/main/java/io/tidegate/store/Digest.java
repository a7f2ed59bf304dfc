package io.tidegate.store;

import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * What tells two messages on a topic apart for the {@link RetainedMemory}: 128 bits of the SHA-256
 * of everything that decides what applying the message does (the payload, the content type and the
 * {@code ttl} user property). The remaining expiry interval is left out on purpose: it shrinks while
 * the broker holds a retained copy, and the copy must still be recognised. SHA-256 rather than a
 * faster non-cryptographic hash because anyone who may publish could otherwise craft a retained
 * message that passes for one already applied.
 */
public record Digest(long high, long low) {
    /** The hash and its scratch, one per thread: a digest of every message allocates nothing but itself. */
    private static final class Hasher {
        final MessageDigest sha;
        final byte[] length = new byte[4];
        final byte[] hash = new byte[32];

        Hasher() {
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java runtime has SHA-256", e);
            }
        }
    }

    private static final ThreadLocal<Hasher> HASHERS = ThreadLocal.withInitial(Hasher::new);

    public static Digest of(byte[] payload, String contentType, String ttlProperty) {
        Hasher hasher = HASHERS.get();
        field(hasher, payload);
        field(hasher, contentType == null ? null : contentType.getBytes(StandardCharsets.UTF_8));
        field(hasher, ttlProperty == null ? null : ttlProperty.getBytes(StandardCharsets.UTF_8));
        try {
            hasher.sha.digest(hasher.hash, 0, hasher.hash.length);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256 gives 32 bytes", e);
        }
        return new Digest(bigEndianLong(hasher.hash, 0), bigEndianLong(hasher.hash, 8));
    }

    /** Length first (-1 for absent), so no two different sets of fields feed the same bytes. */
    private static void field(Hasher hasher, byte[] bytes) {
        int length = bytes == null ? -1 : bytes.length;
        byte[] prefix = hasher.length;
        prefix[0] = (byte) (length >>> 24);
        prefix[1] = (byte) (length >>> 16);
        prefix[2] = (byte) (length >>> 8);
        prefix[3] = (byte) length;
        hasher.sha.update(prefix);
        if (bytes != null) {
            hasher.sha.update(bytes);
        }
    }

    private static long bigEndianLong(byte[] bytes, int from) {
        long value = 0;
        for (int i = from; i < from + 8; i++) {
            value = value << 8 | (bytes[i] & 0xFF);
        }
        return value;
    }

    @Override
    public String toString() {
        return String.format("%016x%016x", high, low);
    }
}
