package io.tidegate.store;

/**
 * How a write reached Tidegate: over HTTP (with the client's address) or over MQTT (with the
 * topic). Kept with each group so operators can see where a group came from.
 *
 * <p>{@code retained} marks a write made from an MQTT message the broker delivered with the retain
 * flag: a stored copy of unknown age, not something the device said just now. It stays with the
 * group until a live write replaces the group's source.
 */
public record Source(Kind kind, String detail, boolean retained) {
    public enum Kind {
        HTTP("http"),
        MQTT("mqtt");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    public static Source http(String remoteAddress) {
        return new Source(Kind.HTTP, remoteAddress, false);
    }

    /** A live MQTT message on {@code topic}. */
    public static Source mqtt(String topic) {
        return mqtt(topic, false);
    }

    public static Source mqtt(String topic, boolean retained) {
        return new Source(Kind.MQTT, topic, retained);
    }
}
