package io.tidegate.mqtt.access;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The users of a Mosquitto password file, as {@code mosquitto_passwd} writes it: one
 * {@code user:hash} a line ({@link PasswordHash}), {@code #} comments and blank lines allowed.
 * Stricter than Mosquitto, which skips lines it cannot read: a line without a colon, an empty user
 * name, a hash it does not know, or a user named twice is an error naming the line, since a skipped
 * line is a device that silently cannot log in. Immutable.
 */
public final class PasswordFile {
    /**
     * What a user who is not in the file is checked against, so a login with an unknown name takes as
     * long as one with a wrong password (Mosquitto's default cost, 101 iterations) and does not tell
     * which names exist.
     */
    private static final PasswordHash UNKNOWN_USER = PasswordHash.parse("$7$101$AAAAAAAAAAAAAAAA$"
            + "A".repeat(86) + "==");

    private final Map<String, PasswordHash> users;

    private PasswordFile(Map<String, PasswordHash> users) {
        this.users = Collections.unmodifiableMap(users);
    }

    /** Reads {@code file}. @throws AccessFileException naming the file, and the line when one is wrong */
    public static PasswordFile read(Path file) throws AccessFileException {
        return parse(file, AccessFiles.read(file));
    }

    /** The users in {@code text}, read from {@code file} (named in errors). */
    static PasswordFile parse(Path file, String text) throws AccessFileException {
        Map<String, PasswordHash> users = new LinkedHashMap<>();
        Map<String, Integer> lineOf = new LinkedHashMap<>();
        String[] lines = AccessFiles.lines(text);
        for (int i = 0; i < lines.length; i++) {
            int number = i + 1;
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw AccessFileException.atLine(file, number, "expected user:hash, as mosquitto_passwd writes");
            }
            String user = line.substring(0, colon).strip();
            if (user.isEmpty()) {
                throw AccessFileException.atLine(file, number, "empty user name");
            }
            if (users.containsKey(user)) {
                throw AccessFileException.atLine(file, number, "user \"" + user + "\" is on line "
                        + lineOf.get(user) + " already");
            }
            try {
                users.put(user, PasswordHash.parse(line.substring(colon + 1).strip()));
            } catch (IllegalArgumentException e) {
                throw AccessFileException.atLine(file, number, "user \"" + user + "\": " + e.getMessage());
            }
            lineOf.put(user, number);
        }
        return new PasswordFile(users);
    }

    /**
     * Whether {@code user} is in the file and {@code password} (the bytes the client sent) is theirs.
     * Costs the same for a name that is not in the file.
     */
    public boolean check(String user, byte[] password) {
        PasswordHash hash = users.get(user);
        if (hash == null) {
            UNKNOWN_USER.matches(password);
            return false;
        }
        return hash.matches(password);
    }

    /** The stored hash of {@code user}, as written: whether a user's credential changed between two files. */
    public Optional<String> credentialOf(String user) {
        PasswordHash hash = users.get(user);
        return hash == null ? Optional.empty() : Optional.of(hash.encoded());
    }

    public int size() {
        return users.size();
    }
}
