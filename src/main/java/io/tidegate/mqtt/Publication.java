package io.tidegate.mqtt;

import java.util.Map;
import java.util.Objects;

/**
 * A message Tidegate publishes itself (a write it replicates through the broker), free of any client
 * library's types: QoS 1, never retained.
 *
 * @param contentType the MQTT 5 content type
 * @param expiryIntervalSeconds the MQTT 5 message expiry interval, after which the broker drops copies
 *     still queued for a subscriber that is away; null for none
 * @param userProperties the MQTT 5 user properties, in order
 */
public record Publication(String topic, byte[] payload, String contentType, Long expiryIntervalSeconds,
        Map<String, String> userProperties) {
    public Publication {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        userProperties = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(userProperties));
    }
}
