package io.tidegate.mqtt;

import java.util.List;

/**
 * The part of a subscriber that depends on the MQTT version: one Paho client generation (mqttv3 for
 * 3.1.1, mqttv5 for 5) behind the few operations {@link PahoSubscriber} needs. Every implementation
 * connects with a persistent session (so unacknowledged messages survive a dropped connection), manual
 * acknowledgements, automatic reconnection, a Last Will of {@code offline} (retained) on the status
 * topic, and bounds every blocking call.
 */
interface PahoClient {
    /** Seconds a blocking call (connect, subscribe, publish) may take before it fails. */
    int TIME_TO_WAIT_SECONDS = 10;
    /** Longest wait between reconnect attempts; Paho starts at 1 s and doubles. */
    int MAX_RECONNECT_DELAY_SECONDS = 30;
    /** How long {@link #reconnect} lets what is under way finish before it disconnects. */
    long RECONNECT_QUIESCE_MILLIS = 1_000;
    String ONLINE = "online";
    String OFFLINE = "offline";

    /** {@code 5} or {@code 3.1.1}. */
    String protocol();

    /** Connects for the first time; from then on the client reconnects by itself and reports to {@code events}. */
    void connect(Events events) throws PahoFailure;

    /** Subscribes to {@code filter} with QoS 1; a subscription the broker refuses is a failure. */
    void subscribe(List<String> filters) throws PahoFailure;

    /** Ends the subscriptions to {@code filters}, so the broker sends nothing more for them. */
    void unsubscribe(List<String> filters) throws PahoFailure;

    /** Publishes with QoS 1 and waits for the broker's acknowledgement. */
    void publish(String topic, byte[] payload, boolean retained) throws PahoFailure;

    /**
     * Publishes with QoS 1, content type, expiry and user properties, and waits for the broker's
     * acknowledgement (PUBACK); MQTT 3.1.1 has no properties to carry them, so it refuses.
     */
    default void publish(Publication publication) throws PahoFailure {
        throw new PahoFailure("MQTT " + protocol() + " cannot carry the properties of a replicated write; "
                + "it needs MQTT 5", false);
    }

    /** Sends the acknowledgement of a received message. */
    void acknowledge(int messageId, int qos) throws PahoFailure;

    /**
     * Disconnects cleanly, the broker keeping the session and the messages not acknowledged in it; runs
     * {@code whileDisconnected} once no message of that connection can arrive any more; then connects
     * again with the same options, in the background and retrying as an automatic reconnect does. The
     * broker then delivers again, first and in order, every message not acknowledged.
     */
    void reconnect(Runnable whileDisconnected) throws PahoFailure;

    boolean isConnected();

    /** Disconnects cleanly if it can, abruptly if it must, and releases the client; never throws. */
    void close();

    /** What the client reports, on its own thread. */
    interface Events {
        void arrived(MqttMessage message, int messageId);

        void connected(boolean reconnect);

        void lost(String reason);

        /** Another client connected with this client id and the broker says it gave it the session (MQTT 5, reason code 0x8E). */
        void takenOver(String reason);
    }

    /** A failed client operation, with Paho's reason code and a one-line reason. */
    final class PahoFailure extends Exception {
        private static final long serialVersionUID = 1L;

        private final boolean protocolRefused;

        PahoFailure(String reason, boolean protocolRefused) {
            super(reason, null, false, false);
            this.protocolRefused = protocolRefused;
        }

        /** The broker refused the protocol version offered in CONNECT. */
        boolean protocolRefused() {
            return protocolRefused;
        }

        /** Paho's message, with the cause that says more ("Connection refused") when there is one. */
        static String reason(Exception e, int reasonCode) {
            String reason = e.getMessage() == null ? "reason code " + reasonCode : e.getMessage();
            Throwable cause = e.getCause();
            if (cause != null && cause.getMessage() != null && !reason.contains(cause.getMessage())) {
                reason += ": " + cause.getMessage();
            } else if (cause != null && cause.getMessage() == null) {
                reason += ": " + cause.getClass().getSimpleName();
            }
            return reason + " (" + reasonCode + ")";
        }
    }
}
