package io.tidegate.mqtt;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** MQTT 3.1.1 through Paho's mqttv3 client; a message carries its retain flag and nothing else. */
final class PahoV3Client implements PahoClient {
    private static final int SUBSCRIPTION_REFUSED = 0x80;
    /** Tidegate's own publishes (status, publications) wait one by one; this only leaves room for Paho's late count. */
    private static final int PUBLISH_WINDOW = 100;

    private final MqttSettings settings;
    private MqttClient client;
    private boolean closed; // guarded by this

    PahoV3Client(MqttSettings settings) {
        this.settings = settings;
    }

    @Override
    public String protocol() {
        return "3.1.1";
    }

    @Override
    public void connect(Events events) throws PahoFailure {
        MqttConnectOptions options = new MqttConnectOptions();
        // Paho would otherwise fall back to MQTT 3.1, which Tidegate does not claim to speak.
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(false);
        options.setAutomaticReconnect(true);
        options.setMaxReconnectDelay(MAX_RECONNECT_DELAY_SECONDS * 1000);
        options.setConnectionTimeout(TIME_TO_WAIT_SECONDS);
        options.setKeepAliveInterval(settings.keepAliveSeconds());
        // Paho 1.2.5 lets a blocking publish return before it counts the acknowledged one out of its window of
        // 10 (its issue 551), so back-to-back publishes can be refused with "Too many publishes in progress".
        options.setMaxInflight(PUBLISH_WINDOW);
        if (!settings.username().isEmpty()) {
            options.setUserName(settings.username());
        }
        if (settings.password() != null) {
            options.setPassword(settings.password());
        }
        options.setSocketFactory(settings.tls() != null ? settings.tls() : ReadAheadSocketFactory.INSTANCE);
        options.setWill(settings.statusTopic(), OFFLINE.getBytes(StandardCharsets.US_ASCII), 1, true);
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
        try {
            int[] qos = new int[filters.size()];
            Arrays.fill(qos, 1);
            IMqttToken token = client.subscribeWithResponse(filters.toArray(String[]::new), qos);
            int[] granted = token.getGrantedQos();
            for (int i = 0; i < granted.length; i++) {
                if (granted[i] == SUBSCRIPTION_REFUSED) {
                    throw new PahoFailure("the broker refused the subscription to " + filters.get(i), false);
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
        return new PahoFailure(PahoFailure.reason(e, e.getReasonCode()), false);
    }

    private static final class Callback implements MqttCallbackExtended {
        private final Events events;

        Callback(Events events) {
            this.events = events;
        }

        @Override
        public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
            events.arrived(new MqttMessage(topic, message.getPayload(), message.isRetained(), message.getQos(), null,
                    null, Map.of()), message.getId());
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            events.connected(reconnect);
        }

        @Override
        public void connectionLost(Throwable cause) {
            events.lost(cause instanceof MqttException e ? PahoFailure.reason(e, e.getReasonCode()) : String.valueOf(cause));
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
            // publishes wait for their own acknowledgement
        }
    }
}
