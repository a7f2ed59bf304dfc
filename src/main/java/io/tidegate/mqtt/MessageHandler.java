package io.tidegate.mqtt;

/**
 * What the MQTT transport hands every received message to. It is called on the client's callback
 * thread, and the transport acknowledges the message (the QoS 1 PUBACK) only once it returns, so a
 * message is acknowledged only after it was applied or deliberately dropped. It never throws.
 */
@FunctionalInterface
public interface MessageHandler {
    void onMessage(MqttMessage message);
}
