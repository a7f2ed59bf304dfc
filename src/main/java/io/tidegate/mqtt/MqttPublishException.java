package io.tidegate.mqtt;

/**
 * A publication the broker did not acknowledge: not connected, no PUBACK in time, or a protocol that
 * cannot carry it. The message is one line fit to show the pusher and to log.
 */
public final class MqttPublishException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MqttPublishException(String message) {
        super(message, null, false, false);
    }
}
