package io.tidegate.mqtt.access;

/**
 * What the embedded broker makes of a CONNECT: the client is let in as someone, or refused with a
 * reason and a message fit for its log line (never quoting the password).
 */
public sealed interface Login {
    /** A client let in: {@code identity} says as whom, for the ACL. */
    record Accepted(Identity identity) implements Login {}

    /** A client refused: {@code reason} picks the CONNACK code, {@code message} says why. */
    record Refused(Reason reason, String message) implements Login {}

    enum Reason {
        /** A user name that is not in the password file, or a wrong password (CONNACK 0x86, or 4 in MQTT 3.1.1). */
        BAD_USER_NAME_OR_PASSWORD,
        /** An anonymous client where anonymous clients are not let in (CONNACK 0x87, or 5 in MQTT 3.1.1). */
        NOT_AUTHORIZED
    }

    /** As whom a client was let in. */
    sealed interface Identity {
        /** For the log: {@code anonymous} or {@code user}. */
        String kind();
    }

    /**
     * A user of the password file, whose password matched {@code credential} (the hash as written),
     * so a reload can tell whether the user is still there with the same password.
     */
    record User(String name, String credential) implements Identity {
        @Override
        public String kind() {
            return "user";
        }

        @Override
        public String toString() {
            return "User[" + name + "]";
        }
    }

    /** A client that gave no user name, or one that could not be checked (there is no password file). */
    record Anonymous() implements Identity {
        @Override
        public String kind() {
            return "anonymous";
        }
    }
}
