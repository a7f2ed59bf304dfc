package io.tidegate.mqtt;

import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/** A device or an onlooker in tests: an MQTT 5 Paho client that publishes with properties and records what it hears. */
final class PahoTestClient implements AutoCloseable {
    private final MqttClient client;
    private final List<String> heard = new CopyOnWriteArrayList<>();

    PahoTestClient(String url, String clientId) {
        try {
            client = new MqttClient(url, clientId, new MemoryPersistence());
            client.setTimeToWait(10_000);
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setCleanStart(true);
            client.connect(options);
        } catch (MqttException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Publishes with QoS 1; {@code expirySeconds} null for none. */
    void publish(String topic, String payload, boolean retained, Long expirySeconds, String contentType,
            Map<String, String> userProperties) {
        publish(topic, payload.getBytes(StandardCharsets.UTF_8), retained, expirySeconds, contentType, userProperties);
    }

    /** Publishes these bytes, whatever they are (not UTF-8, say), with QoS 1; {@code expirySeconds} null for none. */
    void publish(String topic, byte[] payload, boolean retained, Long expirySeconds, String contentType,
            Map<String, String> userProperties) {
        MqttMessage message = new MqttMessage(payload);
        message.setQos(1);
        message.setRetained(retained);
        MqttProperties properties = new MqttProperties();
        properties.setMessageExpiryInterval(expirySeconds);
        properties.setContentType(contentType);
        properties.setUserProperties(userProperties.entrySet().stream()
                .map(e -> new UserProperty(e.getKey(), e.getValue())).toList());
        message.setProperties(properties);
        try {
            client.publish(topic, message);
        } catch (MqttException e) {
            throw new IllegalStateException(e);
        }
    }

    void publish(String topic, String payload, boolean retained) {
        publish(topic, payload, retained, null, null, Map.of());
    }

    /** Records every payload published on {@code topic} from now on, retained copies included. */
    PahoTestClient listen(String topic) {
        try {
            client.subscribe(new MqttSubscription[] {new MqttSubscription(topic, 1)},
                    new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {
                        (t, m) -> heard.add(new String(m.getPayload(), StandardCharsets.UTF_8))});
        } catch (MqttException e) {
            throw new IllegalStateException(e);
        }
        return this;
    }

    /** Waits until the last payload heard is {@code payload}. */
    void awaitLastHeard(String payload) {
        await("last heard " + payload).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> !heard.isEmpty() && heard.get(heard.size() - 1).equals(payload));
    }

    @Override
    public void close() {
        try {
            client.disconnect();
            client.close();
        } catch (MqttException e) {
            throw new IllegalStateException(e);
        }
    }
}
