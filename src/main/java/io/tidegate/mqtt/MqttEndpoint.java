package io.tidegate.mqtt;

import java.util.List;
import java.util.Optional;

/**
 * Tidegate's MQTT side as one lifecycle: the embedded broker when no {@code --mqtt.url} is given, and
 * the subscriber that feeds a {@link MessageHandler}. Stops in reverse: the subscriber says offline and
 * disconnects, then the broker stops, last.
 */
public final class MqttEndpoint implements AutoCloseable {
    private final EmbeddedBroker broker;
    private final MqttSubscriber subscriber;

    private MqttEndpoint(EmbeddedBroker broker, MqttSubscriber subscriber) {
        this.broker = broker;
        this.subscriber = subscriber;
    }

    /**
     * Starts the embedded broker if {@code settings} ask for it, then subscribes and hands every message
     * to {@code handler}.
     *
     * @throws MqttStartException saying why MQTT could not start; nothing is left running then
     */
    public static MqttEndpoint start(MqttSettings settings, MessageHandler handler) {
        return start(settings, handler, List.of());
    }

    /** As {@link #start(MqttSettings, MessageHandler)}, subscribing to the mapping rules' filters too. */
    public static MqttEndpoint start(MqttSettings settings, MessageHandler handler, List<String> mappingFilters) {
        EmbeddedBroker broker = settings.embedded() ? EmbeddedBroker.start(settings.listenAddress()) : null;
        MqttSubscriber subscriber = MqttSubscriber.of(broker == null ? settings : settings.withUrl(broker.url()));
        subscriber.subscribeMappings(mappingFilters);
        try {
            subscriber.start(handler);
        } catch (RuntimeException e) {
            if (broker != null) {
                broker.close();
            }
            throw e;
        }
        return new MqttEndpoint(broker, subscriber);
    }

    /** The embedded broker's port, if Tidegate runs one. */
    public Optional<Integer> brokerPort() {
        return broker == null ? Optional.empty() : Optional.of(broker.port());
    }

    public MqttSubscriber subscriber() {
        return subscriber;
    }

    /** Says offline and disconnects: no message is applied after this returns. */
    public void stopSubscribing() {
        subscriber.close();
    }

    @Override
    public void close() {
        stopSubscribing();
        if (broker != null) {
            broker.close();
        }
    }
}
