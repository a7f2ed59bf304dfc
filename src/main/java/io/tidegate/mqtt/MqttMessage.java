package io.tidegate.mqtt;

import java.util.Map;
import java.util.Objects;

/**
 * One message as the MQTT client received it, free of any client library's types, so the ingest
 * can be driven by any transport (and by tests).
 *
 * @param topic the topic it was published on
 * @param payload its bytes, not copied: the ingest only reads them
 * @param retained whether the broker delivered it with the retain flag, i.e. as its stored copy of
 *     unknown age rather than as something just published
 * @param qos the quality of service it arrived with
 * @param expiryIntervalSeconds MQTT 5: the (remaining) message expiry interval; null when the
 *     message has none or came over MQTT 3.1.1
 * @param contentType MQTT 5: the content type; null when absent
 * @param userProperties MQTT 5: the user properties; empty when none
 */
public record MqttMessage(String topic, byte[] payload, boolean retained, int qos, Long expiryIntervalSeconds,
        String contentType, Map<String, String> userProperties) {
    public MqttMessage {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        // most devices send none: no copy made for them
        userProperties = userProperties == null || userProperties.isEmpty() ? Map.of() : Map.copyOf(userProperties);
    }

    /** An MQTT 3.1.1 message: no properties. */
    public static MqttMessage of(String topic, byte[] payload, boolean retained, int qos) {
        return new MqttMessage(topic, payload, retained, qos, null, null, Map.of());
    }
}
