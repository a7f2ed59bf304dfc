package io.tidegate.mqtt;

import com.hivemq.extension.sdk.api.client.parameter.ConnectionAttributeStore;
import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationFailedInput;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ClientInitiatedDisconnectInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionLostInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ServerInitiatedDisconnectInput;
import com.hivemq.extension.sdk.api.packets.connect.WillPublishPacket;
import com.hivemq.extension.sdk.api.packets.general.DisconnectedReasonCode;
import com.hivemq.extension.sdk.api.packets.general.UserProperty;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Last Wills of the embedded broker's clients, for the ingest. The broker publishes a Will itself, to
 * its subscribers and its retained store, but not through {@link BrokerIngest} (HiveMQ calls inbound
 * interceptors for client publishes only), so this follows every client's connection and hands its Will
 * to the ingest when the broker sends it: when the connection is lost or the broker closes it (missed
 * keep-alives, a session taken over), after the Will's delay unless the client is back by then, or at
 * once when the client disconnects with reason 0x04. A normal DISCONNECT discards it, as MQTT says.
 *
 * <p>Each connection is told apart by a mark in its attribute store, so the end of an old connection
 * never sends the Will a client registered on its new one.
 */
final class BrokerWills implements ClientLifecycleEventListener {
    private static final Logger log = LoggerFactory.getLogger(BrokerWills.class);
    private static final String CONNECTION_MARK = "tidegate.connection";

    /**
     * A client's Will as the ingest takes it, with what sending it needs.
     *
     * @param retain whether the broker retains it when it sends it
     * @param connection the connection that registered it; {@link #FROM_BEFORE} for one kept across a restart
     */
    record Will(String clientId, MqttMessage message, boolean retain, long delaySeconds, int keepAliveSeconds,
            long connection) {}

    /** The connection of a Will kept across a restart: no broker knows it, so Tidegate sends it into the broker. */
    static final long FROM_BEFORE = -1;

    private final Consumer<MqttMessage> ingest;
    private final Consumer<Will> intoBroker;
    private final Map<String, Will> wills = new ConcurrentHashMap<>();
    private final Map<String, ScheduledFuture<?>> delayed = new ConcurrentHashMap<>();
    private final AtomicLong connections = new AtomicLong();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "tidegate-mqtt-wills");
        thread.setDaemon(true);
        return thread;
    });
    private volatile Runnable onChange = () -> { };

    /**
     * @param ingest where a Will goes when the broker sends it: the ingest, for Tidegate's topics
     * @param intoBroker publishes a Will kept across a restart into the broker, which does not know it
     */
    BrokerWills(Consumer<MqttMessage> ingest, Consumer<Will> intoBroker) {
        this.ingest = ingest;
        this.intoBroker = intoBroker;
    }

    /** Called whenever the set of Wills changed (to keep it across a restart). */
    void onChange(Runnable listener) {
        this.onChange = listener;
    }

    /** The Wills of the clients connected now, and of those whose Will waits for its delay. */
    Collection<Will> wills() {
        return List.copyOf(wills.values());
    }

    /**
     * Wills of clients that were connected when Tidegate last stopped: each is sent unless its client
     * connects again within {@code graceSeconds} (its keep-alive and a half, or the Will's delay if longer,
     * as a broker that kept running would have noticed it gone).
     */
    void expectBack(Collection<Will> fromBefore) {
        for (Will will : fromBefore) {
            wills.put(will.clientId(), will);
            long grace = Math.max(will.delaySeconds(), Math.max(1, will.keepAliveSeconds()) * 3L / 2);
            schedule(will, grace);
        }
        if (!fromBefore.isEmpty()) {
            log.atInfo().addKeyValue("clients", fromBefore.size())
                    .log("waiting for the clients with a Last Will that were connected before the restart");
        }
    }

    @Override
    public void onMqttConnectionStart(ConnectionStartInput input) {
        String clientId = input.getClientInformation().getClientId();
        long connection = connections.incrementAndGet();
        ConnectionAttributeStore attributes = input.getConnectionInformation().getConnectionAttributeStore();
        attributes.put(CONNECTION_MARK, ByteBuffer.allocate(Long.BYTES).putLong(0, connection));
        cancelDelayed(clientId); // back in time: the Will waiting for its delay is not sent
        WillPublishPacket will = input.getConnectPacket().getWillPublish().orElse(null);
        if (will == null) {
            if (wills.remove(clientId) != null) {
                onChange.run();
            }
            return;
        }
        Map<String, String> properties = new LinkedHashMap<>();
        for (UserProperty property : will.getUserProperties().asList()) {
            properties.putIfAbsent(property.getName(), property.getValue());
        }
        Long expiry = will.getMessageExpiryInterval().filter(s -> s <= MqttIngest.MAX_EXPIRY_INTERVAL_SECONDS).orElse(null);
        byte[] payload = will.getPayload().map(BrokerIngest::bytes).orElse(new byte[0]);
        MqttMessage message = new MqttMessage(will.getTopic(), payload, false, will.getQos().getQosNumber(), expiry,
                will.getContentType().orElse(null), properties);
        wills.put(clientId, new Will(clientId, message, will.getRetain(), will.getWillDelay(),
                input.getConnectPacket().getKeepAlive(), connection));
        onChange.run();
    }

    @Override
    public void onClientInitiatedDisconnect(ClientInitiatedDisconnectInput input) {
        if (input.getReasonCode().orElse(null) == DisconnectedReasonCode.DISCONNECT_WITH_WILL_MESSAGE) {
            connectionEnded(input, true);
        } else {
            Will will = ownWill(input);
            if (will != null && wills.remove(will.clientId(), will)) {
                onChange.run();
            }
        }
    }

    @Override
    public void onConnectionLost(ConnectionLostInput input) {
        connectionEnded(input, false);
    }

    @Override
    public void onServerInitiatedDisconnect(ServerInitiatedDisconnectInput input) {
        connectionEnded(input, false);
    }

    /** A client refused at login never had a Will: nothing is sent for it. */
    @Override
    public void onAuthenticationFailedDisconnect(AuthenticationFailedInput input) {
        Will will = ownWill(input);
        if (will != null && wills.remove(will.clientId(), will)) {
            onChange.run();
        }
    }

    @Override
    public void onAuthenticationSuccessful(AuthenticationSuccessfulInput input) {}

    /** Every way a connection ends has its own method above. */
    @Override
    public void onDisconnect(DisconnectEventInput input) {}

    private void connectionEnded(DisconnectEventInput input, boolean now) {
        Will will = ownWill(input);
        if (will != null) {
            schedule(will, now ? 0 : will.delaySeconds());
        }
    }

    /** The Will of the connection that ended, unless the client has registered another on a newer one. */
    private Will ownWill(DisconnectEventInput input) {
        Will will = wills.get(input.getClientInformation().getClientId());
        long connection = input.getConnectionInformation().getConnectionAttributeStore().get(CONNECTION_MARK)
                .map(buffer -> buffer.getLong(0)).orElse(-1L);
        return will != null && will.connection() == connection ? will : null;
    }

    private void schedule(Will will, long delaySeconds) {
        if (delaySeconds <= 0) {
            send(will);
            return;
        }
        cancelDelayed(will.clientId());
        delayed.put(will.clientId(), timer.schedule(() -> send(will), delaySeconds, TimeUnit.SECONDS));
    }

    private void send(Will will) {
        if (!wills.remove(will.clientId(), will)) {
            return; // the client came back, or registered another Will
        }
        delayed.remove(will.clientId());
        onChange.run();
        log.atDebug().addKeyValue("client", will.clientId()).addKeyValue("topic", will.message().topic())
                .log("last will sent");
        if (will.connection() == FROM_BEFORE) {
            intoBroker.accept(will);
        }
        ingest.accept(will.message());
    }

    private void cancelDelayed(String clientId) {
        ScheduledFuture<?> waiting = delayed.remove(clientId);
        if (waiting != null) {
            waiting.cancel(false);
        }
    }

    void close() {
        timer.shutdownNow();
    }

}
