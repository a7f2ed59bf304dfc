package io.tidegate.mqtt;

import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.MqttReturnCode;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/** MQTT 5 through Paho's mqttv5 client; delivers message expiry, content type and user properties. */
final class PahoV5Client implements PahoClient {
    /** What Paho reports when a 3.1.1 broker answers CONNECT with a 3.1.1 refusal code. */
    private static final int INVALID_RETURN_CODE = 50001;
    private static final int CONNECTION_LOST = 32109;
    /** How long the broker keeps Tidegate's session, and its unacknowledged messages, while it is away. */
    private static final long SESSION_EXPIRY_SECONDS = 7 * 24 * 3600;

    /** MQTT 5's DISCONNECT reason code for "another connection using the same client id". */
    private static final int SESSION_TAKEN_OVER = 0x8E;

    private final MqttSettings settings;
    private MqttClient client;
    private boolean closed; // guarded by this

    PahoV5Client(MqttSettings settings) {
        this.settings = settings;
    }

    @Override
    public String protocol() {
        return "5";
    }

    @Override
    public void connect(Events events) throws PahoFailure {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(false);
        options.setSessionExpiryInterval(SESSION_EXPIRY_SECONDS);
        options.setAutomaticReconnect(true);
        options.setAutomaticReconnectDelay(1, MAX_RECONNECT_DELAY_SECONDS);
        options.setConnectionTimeout(TIME_TO_WAIT_SECONDS);
        options.setKeepAliveInterval(settings.keepAliveSeconds());
        if (!settings.username().isEmpty()) {
            options.setUserName(settings.username());
        }
        if (settings.password() != null) {
            options.setPassword(new String(settings.password()).getBytes(StandardCharsets.UTF_8));
        }
        options.setSocketFactory(settings.tls() != null ? settings.tls() : ReadAheadSocketFactory.INSTANCE);
        org.eclipse.paho.mqttv5.common.MqttMessage will = new org.eclipse.paho.mqttv5.common.MqttMessage(OFFLINE.getBytes(StandardCharsets.US_ASCII));
        will.setQos(1);
        will.setRetained(true);
        options.setWill(settings.statusTopic(), will);
        try {
            client = new MqttClient(settings.url(), settings.clientId(), new MemoryPersistence());
            client.setTimeToWait(TIME_TO_WAIT_SECONDS * 1000L);
            client.setManualAcks(true);
            client.setCallback(new Callback(events));
            client.connect(options);
        } catch (MqttException e) {
            throw failure(e);
        }
    }

    @Override
    public void subscribe(List<String> filters) throws PahoFailure {
        MqttSubscription[] subscriptions = new MqttSubscription[filters.size()];
        for (int i = 0; i < subscriptions.length; i++) {
            subscriptions[i] = new MqttSubscription(filters.get(i), 1);
            // Retain handling 0: the retained messages on every SUBSCRIBE, also one repeating a subscription
            // of a session the broker kept. A restarted Tidegate finds its session there and its store empty
            // (no persistence file); only the copies fill it. Copies of what it applied are skipped by the
            // memory of applied messages (MqttIngest), so a reconnect costs a flood of skipped copies, no more.
            subscriptions[i].setRetainHandling(0);
        }
        try {
            IMqttToken token = client.subscribe(subscriptions);
            int[] codes = token.getReasonCodes();
            for (int i = 0; i < codes.length; i++) {
                if (codes[i] >= MqttReturnCode.RETURN_CODE_UNSPECIFIED_ERROR) {
                    throw new PahoFailure("the broker refused the subscription to " + filters.get(i) + " (reason code "
                            + codes[i] + ")", false);
                }
            }
        } catch (MqttException e) {
            throw failure(e);
        }
    }

    @Override
    public void unsubscribe(List<String> filters) throws PahoFailure {
        call(() -> client.unsubscribe(filters.toArray(String[]::new)));
    }

    @Override
    public void publish(String topic, byte[] payload, boolean retained) throws PahoFailure {
        call(() -> client.publish(topic, payload, 1, retained));
    }

    @Override
    public void publish(Publication publication) throws PahoFailure {
        org.eclipse.paho.mqttv5.common.MqttMessage message = new org.eclipse.paho.mqttv5.common.MqttMessage(
                publication.payload());
        message.setQos(1);
        message.setRetained(publication.retained());
        MqttProperties properties = new MqttProperties();
        if (publication.contentType() != null) {
            properties.setContentType(publication.contentType());
        }
        if (publication.expiryIntervalSeconds() != null) {
            properties.setMessageExpiryInterval(publication.expiryIntervalSeconds());
        }
        List<UserProperty> userProperties = new ArrayList<>();
        publication.userProperties().forEach((key, value) -> userProperties.add(new UserProperty(key, value)));
        properties.setUserProperties(userProperties);
        message.setProperties(properties);
        // the synchronous client returns on PUBACK, or fails after the client's time to wait
        call(() -> client.publish(publication.topic(), message));
    }

    @Override
    public void acknowledge(int messageId, int qos) throws PahoFailure {
        call(() -> client.messageArrivedComplete(messageId, qos));
    }

    @Override
    public void reconnect(Runnable whileDisconnected) throws PahoFailure {
        // a short quiesce: what waits to be sent is acknowledgements at most, which the broker's redelivery makes up for
        call(() -> client.disconnect(RECONNECT_QUIESCE_MILLIS));
        whileDisconnected.run(); // Paho's disconnect stops its callback thread: nothing of the old connection comes after
        call(() -> client.reconnect());
    }

    @Override
    public boolean isConnected() {
        return client != null && client.isConnected();
    }

    @Override
    public synchronized void close() {
        if (client == null || closed) {
            return; // Paho's client fails on a second close
        }
        closed = true;
        try {
            if (client.isConnected()) {
                client.disconnect();
            } else {
                client.disconnectForcibly(0, 0, false);
            }
        } catch (MqttException e) {
            // already gone: nothing left to say goodbye to
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            // close(true) only reports what it has already forced
        }
    }

    /** One call on the Paho client, whose checked exception becomes Tidegate's. */
    @FunctionalInterface
    private interface Call {
        void run() throws MqttException;
    }

    private static void call(Call call) throws PahoFailure {
        try {
            call.run();
        } catch (MqttException e) {
            throw failure(e);
        }
    }

    private static PahoFailure failure(MqttException e) {
        int code = e.getReasonCode();
        boolean refused = code == INVALID_RETURN_CODE || code == MqttReturnCode.RETURN_CODE_UNSUPPORTED_PROTOCOL_VERSION
                || (code == CONNECTION_LOST && e.getCause() instanceof EOFException);
        return new PahoFailure(PahoFailure.reason(e, code), refused);
    }

    private static final class Callback implements MqttCallback {
        private final Events events;

        Callback(Events events) {
            this.events = events;
        }

        @Override
        public void messageArrived(String topic, org.eclipse.paho.mqttv5.common.MqttMessage message) {
            MqttProperties properties = message.getProperties();
            Long expiry = properties == null ? null : properties.getMessageExpiryInterval();
            String contentType = properties == null ? null : properties.getContentType();
            Map<String, String> userProperties = new LinkedHashMap<>();
            if (properties != null && properties.getUserProperties() != null) {
                // MQTT allows a key more than once; the first one counts.
                for (UserProperty property : properties.getUserProperties()) {
                    userProperties.putIfAbsent(property.getKey(), property.getValue());
                }
            }
            events.arrived(new MqttMessage(topic, message.getPayload(), message.isRetained(), message.getQos(), expiry,
                    contentType, userProperties), message.getId());
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            events.connected(reconnect);
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            if (response.getReturnCode() == SESSION_TAKEN_OVER) {
                events.takenOver("the broker disconnected Tidegate: session taken over (reason code 0x8E)");
                return;
            }
            MqttException cause = response.getException();
            events.lost(cause != null ? PahoFailure.reason(cause, cause.getReasonCode())
                    : "disconnected by the broker (reason code " + response.getReturnCode() + ")");
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            events.lost(PahoFailure.reason(exception, exception.getReasonCode()));
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
            // publishes wait for their own acknowledgement
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
            // no enhanced authentication is asked for
        }
    }
}
