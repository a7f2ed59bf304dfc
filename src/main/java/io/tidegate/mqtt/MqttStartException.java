package io.tidegate.mqtt;

/**
 * MQTT could not be started: the broker refused Tidegate or cannot be reached, or the embedded
 * broker's address is taken. The message is one line fit to show the operator; no stack trace.
 */
public final class MqttStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean protocolRefused;

    MqttStartException(String message) {
        this(message, false);
    }

    MqttStartException(String message, boolean protocolRefused) {
        super(message, null, false, false);
        this.protocolRefused = protocolRefused;
    }

    /** The broker refused the MQTT version offered, as a 3.1.1-only broker refuses MQTT 5. */
    boolean protocolRefused() {
        return protocolRefused;
    }
}
