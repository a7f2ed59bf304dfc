package io.tidegate.mqtt;

import java.util.Map;
import java.util.Objects;

/**
 * A message Tidegate publishes itself (a write it replicates through the broker, a group's state), free
 * of any client library's types: QoS 1.
 *
 * @param contentType the MQTT 5 content type
 * @param expiryIntervalSeconds the MQTT 5 message expiry interval, after which the broker drops copies
 *     still queued for a subscriber that is away; null for none
 * @param userProperties the MQTT 5 user properties, in order
 * @param retained whether the broker keeps it for subscribers to come (a group's state)
 */
public record Publication(String topic, byte[] payload, String contentType, Long expiryIntervalSeconds,
        Map<String, String> userProperties, boolean retained) {
    public Publication {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        userProperties = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(userProperties));
    }

    /** A message the broker passes on to those subscribed now, and keeps for nobody else. */
    public Publication(String topic, byte[] payload, String contentType, Long expiryIntervalSeconds,
            Map<String, String> userProperties) {
        this(topic, payload, contentType, expiryIntervalSeconds, userProperties, false);
    }

    /** The same message with one more user property, after the others. */
    public Publication withUserProperty(String name, String value) {
        Map<String, String> properties = new java.util.LinkedHashMap<>(userProperties);
        properties.put(name, value);
        return new Publication(topic, payload, contentType, expiryIntervalSeconds, properties, retained);
    }
}
