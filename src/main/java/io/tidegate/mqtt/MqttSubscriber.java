package io.tidegate.mqtt;

import java.time.Clock;
import java.util.List;

/**
 * Tidegate's subscription to an MQTT broker: connects, subscribes with QoS 1, and hands every message
 * to a {@link MessageHandler}, acknowledging it to the broker only once the handler has returned, so a
 * message Tidegate did not finish with is delivered again after a crash or a reconnect. Reconnects and
 * resubscribes by itself. Which MQTT version is spoken is its own business.
 */
public interface MqttSubscriber extends AutoCloseable {
    /**
     * Connects, subscribes, announces Tidegate as online on the status topic, and from then on calls
     * {@code handler} for each message, one at a time, on the client's thread. A handler that throws
     * has the failure logged and its message acknowledged all the same, so that one message that cannot
     * be applied does not stall the subscription.
     *
     * @throws MqttStartException when the first connect or the subscription fails, saying why
     */
    void start(MessageHandler handler);

    /**
     * Subscribes to {@code filters} besides the topic scheme's, and ends the subscriptions of an earlier
     * call that {@code filters} no longer hold: the filters of the mapping rules, which a reload changes.
     * Called before {@link #start}, they are subscribed at start. On a live connection the change is made
     * before this returns (or has failed, which is logged; the next reconnect makes it); while the
     * connection is down, the reconnect makes it.
     */
    void subscribeMappings(List<String> filters);

    /**
     * Subscribes to {@code filters} besides the scheme's and the mapping rules', and ends the subscriptions of an
     * earlier call that {@code filters} no longer hold: the topics Home Assistant discovery needs, which change as
     * configs arrive. Called while a message is read, so it never waits: the change is made on another thread (a
     * broker then sends the retained messages of the new topics), or by the reconnect while the connection is down.
     */
    void subscribeDiscovery(List<String> filters);

    boolean isConnected();

    /**
     * Publishes {@code publication} (QoS 1, not retained, with its MQTT 5 properties) and returns once
     * the broker acknowledged it (PUBACK). Safe from any thread.
     *
     * @throws MqttPublishException when it is not connected, the broker did not acknowledge in time,
     *     or it speaks MQTT 3.1.1, which cannot carry the properties
     */
    default void publish(Publication publication) {
        throw new MqttPublishException("publishing needs MQTT 5");
    }

    /** Whether it speaks MQTT 5 to the broker, so it can {@link #publish} what a replicated write needs. */
    default boolean speaksMqtt5() {
        return false;
    }

    /**
     * The persistence journal recovered from a failure (a full disk) and {@code takeWrites} makes the
     * store take writes again. While writes were refused, the messages that came were left
     * unacknowledged (refused as {@code not_durable}, or applied and then reverted), and a broker
     * delivers such a message again, and more than its in-flight window of messages at all, only once
     * the client reconnects. So a subscriber to a broker holds back what it takes from just before
     * writes are taken again and, if it left any message unacknowledged, reconnects, keeping its
     * session: the broker then delivers them again, in the order they came, and the rest after them.
     * Called on the journal's thread; runs {@code takeWrites} once and returns without waiting for the
     * broker.
     */
    default void redeliverUnacknowledged(Runnable takeWrites) {
        takeWrites.run();
    }

    /** How many times the connection was lost and made again since {@link #start}. */
    long reconnects();

    /** Broker URL and protocol in use, e.g. {@code tcp://broker:1883 (MQTT 5)}. */
    String describe();

    /** Announces Tidegate as offline and disconnects cleanly (the broker then keeps the Last Will to itself). */
    @Override
    void close();

    /**
     * The subscriber {@code settings} ask for, to the broker at {@code settings.url()};
     * {@code --mqtt.protocol=auto} tries MQTT 5 first.
     */
    static MqttSubscriber of(MqttSettings settings) {
        return of(settings, Clock.systemUTC());
    }

    /** As {@link #of(MqttSettings)}, telling how long a connection lasted by {@code clock}. */
    static MqttSubscriber of(MqttSettings settings, Clock clock) {
        return switch (settings.protocol()) {
            case MQTT_5 -> new PahoSubscriber(new PahoV5Client(settings), settings, clock);
            case MQTT_3_1_1 -> new PahoSubscriber(new PahoV3Client(settings), settings, clock);
            case AUTO -> new ProtocolFallback(settings, clock);
        };
    }
}
