package io.tidegate.mqtt;

/**
 * What the MQTT transport hands every received message to, one at a time, in the order they came. The
 * handler calls {@code acknowledge} exactly once, when the message may be acknowledged to the broker
 * (the QoS 1 PUBACK): at once for a message it dropped, and for one it applied only once the change is
 * durable, which may be later and on another thread, so the transport goes on to the next message while
 * a disk sync is under way. It never throws.
 *
 * <p>It answers what became of the message, so a transport that can tell the publisher (the embedded
 * broker, which answers an MQTT 5 publisher's refused message with a reason code) does; a subscriber
 * has nobody to tell.
 *
 * <p>A transport may split the work in two ({@link #prepare}): reading a message, which needs nothing
 * of the store, then the store's step; it reads one message at a time and runs the steps one at a time,
 * each in the order the messages came, so a message can be read while the one before it is applied.
 */
@FunctionalInterface
public interface MessageHandler {
    MqttOutcome onMessage(MqttMessage message, Runnable acknowledge);

    /**
     * Reads {@code message}; the step returned does what else {@link #onMessage} does. Steps must
     * finish in the order their messages were prepared, one at a time. Never throws.
     */
    default Step prepare(MqttMessage message) {
        return acknowledge -> onMessage(message, acknowledge);
    }

    /** The part of a message's handling that comes after reading it. */
    @FunctionalInterface
    interface Step {
        MqttOutcome finish(Runnable acknowledge);
    }
}
