package io.tidegate.mqtt;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Tidegate's MQTT side as one {@link MqttSubscriber} with one lifecycle: the embedded broker with the
 * ingest inside it when no {@code --mqtt.url} is given ({@link BrokerSubscriber}), else the subscription
 * to that broker; either feeds a {@link MessageHandler}. Built first, so whatever reads or publishes
 * through it (its metrics, replication, a reload's new filters) is given it at construction;
 * {@link #start} starts the broker, or connects and subscribes. {@link #close} says offline, then
 * disconnects or stops the broker.
 */
public final class MqttEndpoint implements MqttSubscriber {
    private final MqttSettings settings;
    private final Clock clock;
    private final Path brokerStateFile;
    private final Object lifecycle = new Object();
    private List<String> mappingFilters; // guarded by lifecycle; given to the subscriber at start
    private volatile MqttSubscriber subscriber; // null before start

    /** @param mappingFilters the mapping rules' topic filters, subscribed to besides the topic scheme's */
    /**
     * @param brokerStateFile where the embedded broker keeps its retained messages and its clients' Last
     *     Wills across a restart; null to keep them in memory only
     */
    public MqttEndpoint(MqttSettings settings, List<String> mappingFilters, Clock clock, Path brokerStateFile) {
        this.clock = clock;
        this.brokerStateFile = brokerStateFile;
        this.settings = settings;
        this.mappingFilters = List.copyOf(mappingFilters);
    }

    /**
     * Starts the embedded broker if the settings ask for it, then subscribes and hands every message
     * to {@code handler}.
     *
     * @throws MqttStartException saying why MQTT could not start; nothing is left running then
     */
    @Override
    public void start(MessageHandler handler) {
        synchronized (lifecycle) {
            if (subscriber != null) {
                throw new IllegalStateException("the MQTT endpoint is started already");
            }
            MqttSubscriber connecting = settings.embedded() ? new BrokerSubscriber(settings, clock, brokerStateFile)
                    : MqttSubscriber.of(settings);
            connecting.subscribeMappings(mappingFilters);
            connecting.start(handler);
            subscriber = connecting;
        }
    }

    /** The mapping rules' filters from now on (a reload changed them): on the live connection once started. */
    @Override
    public void subscribeMappings(List<String> filters) {
        synchronized (lifecycle) {
            mappingFilters = List.copyOf(filters);
            if (subscriber != null) {
                subscriber.subscribeMappings(mappingFilters);
            }
        }
    }

    @Override
    public boolean isConnected() {
        MqttSubscriber current = subscriber;
        return current != null && current.isConnected();
    }

    /** @throws MqttPublishException before {@link #start}, as when not connected */
    @Override
    public void publish(Publication publication) {
        MqttSubscriber current = subscriber;
        if (current == null) {
            throw new MqttPublishException("not connected to the MQTT broker yet");
        }
        current.publish(publication);
    }

    /** Whether the started connection speaks MQTT 5; false before {@link #start}. */
    @Override
    public boolean speaksMqtt5() {
        MqttSubscriber current = subscriber;
        return current != null && current.speaksMqtt5();
    }

    @Override
    public long reconnects() {
        MqttSubscriber current = subscriber;
        return current == null ? 0 : current.reconnects();
    }

    @Override
    public String describe() {
        MqttSubscriber current = subscriber;
        return current == null ? settings.url() + " (not started)" : current.describe();
    }

    /** The embedded broker's port, once it runs. */
    public Optional<Integer> brokerPort() {
        return subscriber instanceof BrokerSubscriber embedded && embedded.port() > 0 ? Optional.of(embedded.port())
                : Optional.empty();
    }

    /** Says offline, then disconnects or stops the embedded broker: no message is applied after this returns. */
    @Override
    public void close() {
        synchronized (lifecycle) {
            MqttSubscriber current = subscriber;
            if (current != null) {
                current.close();
            }
        }
    }
}
