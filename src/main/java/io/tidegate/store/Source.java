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

    /**
     * An HTTP push another Tidegate took from {@code remoteAddress} and replicated through the MQTT
     * broker: detail {@code 10.0.0.7 via tidegate-b}.
     */
    public static Source viaReplica(String remoteAddress, String origin) {
        return new Source(Kind.HTTP, remoteAddress + VIA + origin, false);
    }

    /** The Tidegate that took this HTTP push and replicated it to this one, or null when this one took it. */
    public String replicaOrigin() {
        int via = kind == Kind.HTTP && detail != null ? detail.indexOf(VIA) : -1;
        return via < 0 ? null : detail.substring(via + VIA.length());
    }

    /** The pushing client's address, without the replica the push came through; for MQTT, the topic. */
    public String client() {
        int via = kind == Kind.HTTP && detail != null ? detail.indexOf(VIA) : -1;
        return via < 0 ? detail : detail.substring(0, via);
    }

    /** Separates an HTTP push's client address from the replica it came through; no address holds a space. */
    private static final String VIA = " via ";

    /** A live MQTT message on {@code topic}. */
    public static Source mqtt(String topic) {
        return mqtt(topic, false);
    }

    public static Source mqtt(String topic, boolean retained) {
        return new Source(Kind.MQTT, topic, retained);
    }
}
