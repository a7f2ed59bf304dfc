package io.tidegate.web;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * HTTP basic auth against the bcrypt hashes of {@code basic_auth_users}, as the exporter toolkit
 * checks it. A bcrypt check costs tens of milliseconds on purpose, too much for every scrape, so
 * the credentials that passed are remembered, as a keyed hash (HMAC with a key made at start and
 * never stored) that says nothing about the password, in a bounded least-recently-used set; a
 * failure is never remembered, so a wrong password costs a full check every time. Checks run one
 * at a time, as upstream's, so a flood of wrong passwords costs one core, not all of them.
 */
final class BasicAuth {
    /** Many more than the scrapers and pushers of one gateway; one entry is 32 bytes and a map node. */
    static final int REMEMBERED = 1024;
    private static final String SCHEME = "basic ";
    private static final int DUMMY_COST = 10;

    private final Map<String, String> hashes;
    // checked for an unknown user, so that it takes as long as a known one's: no user enumeration by timing
    private final String dummyHash;
    private final Mac mac;
    private final ReentrantLock checking = new ReentrantLock();
    private final Map<ByteBuffer, Boolean> passed = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };

    /** @param hashes bcrypt hash by user name, checked to be well-formed */
    BasicAuth(Map<String, String> hashes) {
        this.hashes = Map.copyOf(hashes);
        SecureRandom random = new SecureRandom();
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        byte[] key = new byte[32];
        random.nextBytes(key);
        this.dummyHash = OpenBSDBCrypt.generate("2y", Base64.getEncoder().encodeToString(key).toCharArray(), salt,
                DUMMY_COST);
        random.nextBytes(key);
        try {
            this.mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java", e);
        }
    }

    /** The user the {@code Authorization} header (null when absent) names, when it gives that user's password. */
    Optional<String> authenticate(String authorization) {
        Credentials credentials = Credentials.parse(authorization);
        if (credentials == null) {
            return Optional.empty();
        }
        String hash = hashes.get(credentials.user());
        ByteBuffer fingerprint = fingerprint(credentials);
        if (hash != null && remembered(fingerprint)) {
            return Optional.of(credentials.user()); // a scrape every few seconds costs a hash lookup, not a bcrypt check
        }
        boolean right;
        checking.lock();
        try {
            right = OpenBSDBCrypt.checkPassword(hash == null ? dummyHash : hash, credentials.password().toCharArray());
        } finally {
            checking.unlock();
        }
        if (right && hash != null) {
            synchronized (passed) {
                passed.put(fingerprint, Boolean.TRUE);
            }
            return Optional.of(credentials.user());
        }
        return Optional.empty();
    }

    private boolean remembered(ByteBuffer fingerprint) {
        synchronized (passed) {
            return passed.get(fingerprint) != null; // get, not containsKey: it marks the entry as recently used
        }
    }

    private ByteBuffer fingerprint(Credentials credentials) {
        byte[] user = credentials.user().getBytes(StandardCharsets.UTF_8);
        byte[] password = credentials.password().getBytes(StandardCharsets.UTF_8);
        synchronized (mac) {
            mac.update(ByteBuffer.allocate(4).putInt(user.length).array()); // "ab"+"c" differs from "a"+"bc"
            mac.update(user);
            return ByteBuffer.wrap(mac.doFinal(password));
        }
    }

    /** User and password of a {@code Basic} header, as Go's {@code Request.BasicAuth} reads them. */
    record Credentials(String user, String password) {
        static Credentials parse(String authorization) {
            if (authorization == null || authorization.length() < SCHEME.length()
                    || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
                return null;
            }
            byte[] decoded;
            try {
                decoded = Base64.getDecoder().decode(authorization.substring(SCHEME.length()));
            } catch (IllegalArgumentException e) {
                return null;
            }
            String text = new String(decoded, StandardCharsets.UTF_8);
            int colon = text.indexOf(':');
            return colon < 0 ? null : new Credentials(text.substring(0, colon), text.substring(colon + 1));
        }
    }
}
