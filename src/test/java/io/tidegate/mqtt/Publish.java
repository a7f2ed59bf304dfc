package io.tidegate.mqtt;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A message as a test publishes it: {@code Publish.live("metrics/job/a", "x 1\n").expiry(60).message()}. */
final class Publish {
    private final String topic;
    private final byte[] payload;
    private final boolean retained;
    private Long expirySeconds;
    private String contentType;
    private final Map<String, String> properties = new LinkedHashMap<>();

    private Publish(String topic, byte[] payload, boolean retained) {
        this.topic = topic;
        this.payload = payload;
        this.retained = retained;
    }

    static Publish live(String topic, String payload) {
        return new Publish(topic, payload.getBytes(StandardCharsets.UTF_8), false);
    }

    static Publish live(String topic, byte[] payload) {
        return new Publish(topic, payload, false);
    }

    /** As the broker delivers its stored copy on subscribing. */
    static Publish retained(String topic, String payload) {
        return new Publish(topic, payload.getBytes(StandardCharsets.UTF_8), true);
    }

    Publish expiry(long seconds) {
        expirySeconds = seconds;
        return this;
    }

    Publish contentType(String type) {
        contentType = type;
        return this;
    }

    Publish property(String name, String value) {
        properties.put(name, value);
        return this;
    }

    MqttMessage message() {
        return new MqttMessage(topic, payload, retained, 1, expirySeconds, contentType, properties);
    }
}
