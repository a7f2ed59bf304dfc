package io.tidegate.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    });

    public static Digest of(byte[] payload, String contentType, String ttlProperty) {
        MessageDigest sha = SHA_256.get();
        field(sha, payload);
        field(sha, contentType == null ? null : contentType.getBytes(StandardCharsets.UTF_8));
        field(sha, ttlProperty == null ? null : ttlProperty.getBytes(StandardCharsets.UTF_8));
        ByteBuffer hash = ByteBuffer.wrap(sha.digest());
        return new Digest(hash.getLong(), hash.getLong());
    }

    /** Length first (-1 for absent), so no two different sets of fields feed the same bytes. */
    private static void field(MessageDigest sha, byte[] bytes) {
        int length = bytes == null ? -1 : bytes.length;
        sha.update(new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
        if (bytes != null) {
            sha.update(bytes);
        }
    }

    @Override
    public String toString() {
        return String.format("%016x%016x", high, low);
    }
}
