package io.tidegate.mqtt;

import io.tidegate.mqtt.access.BrokerAccess;

/**
 * How the embedded broker admits and bounds its clients, as the {@code --mqtt.embedded.*} flags and
 * {@code --mqtt.max-payload-size} ask.
 *
 * @param access who is let in and what each may do: the password file and ACL, read at startup and
 *     re-read on reload, the anonymous rule, Tidegate's own credential
 * @param maxPacketBytes the largest MQTT packet the broker reads: a larger one is refused from its
 *     header, before its body is read, and its client disconnected (MQTT 5: DISCONNECT 0x95 Packet too large)
 * @param maxConnections the most client connections at once, Tidegate's own included; one more is refused
 */
public record BrokerSettings(BrokerAccess access, int maxPacketBytes, int maxConnections) {
    /**
     * Room in a packet besides its payload: a PUBLISH's fixed header, its topic (up to 64 KiB) and its
     * properties (content type, user properties; another 64 KiB).
     */
    public static final int PACKET_OVERHEAD_BYTES = 128 * 1024;
    /** The largest packet MQTT can carry (a 4-byte remaining length plus its fixed header), HiveMQ's limit too. */
    public static final int MQTT_MAX_PACKET_BYTES = 268_435_460;
    /** {@code --mqtt.embedded.max-connections}' default. */
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    /** {@code --mqtt.max-payload-size}' default, 1 MiB. */
    static final long DEFAULT_MAX_PAYLOAD_BYTES = 1 << 20;

    /** The settings for payloads of at most {@code maxPayloadBytes}, with room for the rest of a packet. */
    public static BrokerSettings of(BrokerAccess access, long maxPayloadBytes, int maxConnections) {
        long packet = Math.min((long) MQTT_MAX_PACKET_BYTES, maxPayloadBytes + PACKET_OVERHEAD_BYTES);
        return new BrokerSettings(access, (int) packet, maxConnections);
    }

    /** The flags' defaults: no files, anonymous clients from loopback only. */
    public static BrokerSettings defaults() {
        return of(BrokerAccess.loopbackAnonymous(), DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_MAX_CONNECTIONS);
    }
}
