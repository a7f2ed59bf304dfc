package io.tidegate.store;

/**
 * How a write reached Tidegate: over HTTP (with the client's address) or over MQTT (with the
 * topic). Kept with each group so operators can see where a group came from.
 */
public record Source(Kind kind, String detail) {
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
        return new Source(Kind.HTTP, remoteAddress);
    }

    public static Source mqtt(String topic) {
        return new Source(Kind.MQTT, topic);
    }
}
