package io.tidegate.mqtt;

import io.tidegate.mqtt.access.AccessFileException;
import io.tidegate.mqtt.access.BrokerAccess;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tidegate's MQTT side as one {@link MqttSubscriber} with one lifecycle: the embedded broker with the
 * ingest inside it when no {@code --mqtt.url} is given ({@link BrokerSubscriber}), else the subscription
 * to that broker; either feeds a {@link MessageHandler}. Built first, so whatever reads or publishes
 * through it (its metrics, replication, a reload's new filters) is given it at construction;
 * {@link #start} starts the broker, or connects and subscribes. {@link #close} says offline, then
 * disconnects or stops the broker.
 */
public final class MqttEndpoint implements MqttSubscriber {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedBroker.class);

    private final MqttSettings settings;
    private final Clock clock;
    private final Path brokerStateFile;
    private final Object lifecycle = new Object();
    private List<String> mappingFilters; // guarded by lifecycle; given to the subscriber at start
    private volatile List<String> discoveryFilters = List.of(); // given to the subscriber at start
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
                    : MqttSubscriber.of(settings, clock);
            connecting.subscribeMappings(mappingFilters);
            connecting.subscribeDiscovery(discoveryFilters);
            connecting.start(handler);
            subscriber = connecting;
            // the configs that came during the start changed discovery's topics while there was no subscriber to tell
            connecting.subscribeDiscovery(discoveryFilters);
        }
    }

    /** Whether this is Tidegate's own broker (no {@code --mqtt.url}): starting it connects to nothing. */
    public boolean embedded() {
        return settings.embedded();
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

    /**
     * The topics Home Assistant discovery needs from now on: on the live connection once started, without waiting
     * (called while a message is read), and without the lifecycle's lock, which a start holds while messages come.
     */
    @Override
    public void subscribeDiscovery(List<String> filters) {
        discoveryFilters = List.copyOf(filters);
        MqttSubscriber current = subscriber;
        if (current != null) {
            current.subscribeDiscovery(discoveryFilters);
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

    /** Nothing to hold back before {@link #start}: writes are taken again at once. */
    @Override
    public void redeliverUnacknowledged(Runnable takeWrites) {
        MqttSubscriber current = subscriber;
        if (current == null) {
            takeWrites.run();
        } else {
            current.redeliverUnacknowledged(takeWrites);
        }
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

    /**
     * Re-reads the embedded broker's password file and ACL, on SIGHUP and {@code /-/reload} as the
     * configuration file: on success the new rules are in force for every login, publish and subscription
     * from then on, and clients whose user is gone or has another password are disconnected; on failure
     * the old rules stay and one warning says why. Nothing to do without the embedded broker or its files.
     *
     * @return why the files were refused, or empty when they are in force (or there are none)
     */
    public Optional<String> reloadBrokerAccess() {
        BrokerSettings brokerSettings = settings.broker();
        if (brokerSettings == null) {
            return Optional.empty();
        }
        BrokerAccess access = brokerSettings.access();
        if (access.passwordFile().isEmpty() && access.aclFile().isEmpty()) {
            return Optional.empty();
        }
        try {
            access.reload();
        } catch (AccessFileException e) {
            log.atWarn().addKeyValue("file", e.file()).addKeyValue("err", e.getMessage())
                    .log("embedded MQTT broker's access files reload failed, keeping the previous ones");
            return Optional.of(e.getMessage());
        }
        log.atInfo().addKeyValue("password_file", access.passwordFile().map(Path::toString).orElse(""))
                .addKeyValue("users", access.users())
                .addKeyValue("acl_file", access.aclFile().map(Path::toString).orElse(""))
                .addKeyValue("acl_rules", access.acl().map(acl -> acl.topicRules() + acl.patternRules()).orElse(0))
                .log("embedded MQTT broker's access files reloaded");
        if (subscriber instanceof BrokerSubscriber embedded) {
            embedded.disconnectRevoked();
        }
        return Optional.empty();
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
