package io.tidegate.mqtt.access;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One user's password as {@code mosquitto_passwd} stores it: {@code $7$<iterations>$<salt>$<hash>},
 * PBKDF2-HMAC-SHA512 (Mosquitto 2's default), or {@code $6$<salt>$<hash>}, SHA-512 of the password
 * followed by the salt (what Mosquitto 1.x wrote, and {@code mosquitto_passwd -H sha512} still does);
 * salt and hash in standard base64, the hash 64 bytes. Checking a password compares in constant time.
 */
sealed interface PasswordHash {
    /** SHA-512's output, the length of every hash Mosquitto writes. */
    int HASH_BYTES = 64;
    /**
     * The most PBKDF2 iterations taken (Mosquitto writes 101 unless told otherwise). Every login
     * costs this many HMACs, so a file asking for billions would let any client stall the broker.
     */
    int MAX_ITERATIONS = 10_000_000;

    /** Whether {@code password}, the bytes a client sent, is the one this hash was made of. */
    boolean matches(byte[] password);

    /** The hash as the file writes it: two hashes are the same credential when these are equal. */
    String encoded();

    /**
     * The hash written as {@code text}.
     *
     * @throws IllegalArgumentException saying what is wrong with it, never quoting the hash
     */
    static PasswordHash parse(String text) {
        String[] parts = text.split("\\$", -1);
        if (parts.length == 5 && parts[0].isEmpty() && parts[1].equals("7")) {
            int iterations;
            try {
                iterations = Integer.parseInt(parts[2]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("the iteration count of a $7$ hash is not a number");
            }
            if (iterations < 1 || iterations > MAX_ITERATIONS) {
                throw new IllegalArgumentException("the iteration count of a $7$ hash must be 1 to " + MAX_ITERATIONS
                        + ", not " + iterations);
            }
            return new Pbkdf2Sha512(iterations, base64("salt", parts[3]), hashBytes(parts[4]), text);
        }
        if (parts.length == 4 && parts[0].isEmpty() && parts[1].equals("6")) {
            return new SaltedSha512(base64("salt", parts[2]), hashBytes(parts[3]), text);
        }
        throw new IllegalArgumentException("not a password hash mosquitto_passwd writes ($7$<iterations>$<salt>$<hash> "
                + "or $6$<salt>$<hash>); a plain-text password file is hashed in place by mosquitto_passwd -U");
    }

    private static byte[] hashBytes(String text) {
        byte[] hash = base64("hash", text);
        if (hash.length != HASH_BYTES) {
            throw new IllegalArgumentException("the hash is " + hash.length + " bytes, not the " + HASH_BYTES
                    + " of SHA-512");
        }
        return hash;
    }

    private static byte[] base64(String what, String text) {
        try {
            byte[] bytes = Base64.getDecoder().decode(text);
            if (bytes.length == 0) {
                throw new IllegalArgumentException("the " + what + " is empty");
            }
            return bytes;
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("the ")) {
                throw e;
            }
            throw new IllegalArgumentException("the " + what + " is not base64");
        }
    }

    /** {@code $7$}: PBKDF2 with HMAC-SHA512, one 64-byte block. */
    record Pbkdf2Sha512(int iterations, byte[] salt, byte[] hash, String encoded) implements PasswordHash {
        @Override
        public boolean matches(byte[] password) {
            return MessageDigest.isEqual(derive(password), hash);
        }

        /**
         * PBKDF2 (RFC 8018) of the password's own bytes, as Mosquitto computes it: the JDK's
         * PBKDF2WithHmacSHA512 takes the password as characters and would change bytes that are not
         * UTF-8. One block is all a 64-byte key needs.
         */
        private byte[] derive(byte[] password) {
            try {
                Mac hmac = Mac.getInstance("HmacSHA512");
                // HMAC takes any key length, the empty password's too; SecretKeySpec does not take an empty array
                hmac.init(password.length == 0 ? new EmptyKey() : new SecretKeySpec(password, "HmacSHA512"));
                hmac.update(salt);
                byte[] u = hmac.doFinal(new byte[] {0, 0, 0, 1});
                byte[] t = u.clone();
                for (int i = 1; i < iterations; i++) {
                    u = hmac.doFinal(u);
                    for (int j = 0; j < t.length; j++) {
                        t[j] ^= u[j];
                    }
                }
                return t;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA512 is part of every Java", e);
            }
        }

        @Override
        public String toString() {
            return "$7$ PBKDF2-SHA512, " + iterations + " iterations";
        }
    }

    /** {@code $6$}: SHA-512 of the password, then the salt. */
    record SaltedSha512(byte[] salt, byte[] hash, String encoded) implements PasswordHash {
        @Override
        public boolean matches(byte[] password) {
            try {
                MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
                sha512.update(password);
                sha512.update(salt);
                return MessageDigest.isEqual(sha512.digest(), hash);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("SHA-512 is part of every Java", e);
            }
        }

        @Override
        public String toString() {
            return "$6$ SHA-512";
        }
    }

    /** The key of an empty password, which SecretKeySpec refuses. */
    final class EmptyKey implements javax.crypto.SecretKey {
        private static final long serialVersionUID = 1L;

        @Override
        public String getAlgorithm() {
            return "HmacSHA512";
        }

        @Override
        public String getFormat() {
            return "RAW";
        }

        @Override
        public byte[] getEncoded() {
            return new byte[0];
        }
    }
}
