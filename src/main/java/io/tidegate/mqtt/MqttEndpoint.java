package io.tidegate.mqtt;

import io.tidegate.config.ReloadOutcome;
import io.tidegate.mqtt.access.AccessFileException;
import io.tidegate.mqtt.access.BrokerAccess;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tidegate's MQTT side as one {@link MqttSubscriber} with one lifecycle: the embedded broker when no
 * {@code --mqtt.url} is given, and the subscription that feeds a {@link MessageHandler}. Built first,
 * so whatever reads or publishes through it (its metrics, replication, a reload's new filters) is
 * given it at construction; {@link #start} starts the broker, then connects and subscribes. Stops in
 * reverse: the subscriber says offline and disconnects, then the broker stops, last.
 */
public final class MqttEndpoint implements MqttSubscriber {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedBroker.class);

    private final MqttSettings settings;
    private final Object lifecycle = new Object();
    private List<String> mappingFilters; // guarded by lifecycle; given to the subscriber at start
    private volatile EmbeddedBroker broker; // null before start and without an embedded broker
    private volatile MqttSubscriber subscriber; // null before start

    /** @param mappingFilters the mapping rules' topic filters, subscribed to besides the topic scheme's */
    public MqttEndpoint(MqttSettings settings, List<String> mappingFilters) {
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
            EmbeddedBroker started = settings.embedded()
                    ? EmbeddedBroker.start(settings.listenAddress(), settings.broker(), Clock.systemUTC()) : null;
            MqttSubscriber connecting = MqttSubscriber.of(started == null ? settings
                    : settings.withEmbeddedBroker(started.url(), started.internalUsername(), started.internalPassword()));
            connecting.subscribeMappings(mappingFilters);
            try {
                connecting.start(handler);
            } catch (RuntimeException e) {
                if (started != null) {
                    started.close();
                }
                throw e;
            }
            broker = started;
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

    /**
     * Re-reads the embedded broker's password file and ACL, on SIGHUP and {@code /-/reload} as the
     * configuration file: on success the new rules are in force for every login, publish and subscription
     * from then on, and clients whose user is gone or has another password are disconnected; on failure
     * the old rules stay and one warning says why. Nothing to do without the embedded broker or its files.
     */
    public ReloadOutcome reloadBrokerAccess() {
        BrokerSettings brokerSettings = settings.broker();
        if (brokerSettings == null) {
            return ReloadOutcome.reloaded();
        }
        BrokerAccess access = brokerSettings.access();
        if (access.passwordFile().isEmpty() && access.aclFile().isEmpty()) {
            return ReloadOutcome.reloaded();
        }
        try {
            access.reload();
        } catch (AccessFileException e) {
            log.atWarn().addKeyValue("file", e.file()).addKeyValue("err", e.getMessage())
                    .log("embedded MQTT broker's access files reload failed, keeping the previous ones");
            return ReloadOutcome.failed(e.getMessage());
        }
        log.atInfo().addKeyValue("password_file", access.passwordFile().map(Path::toString).orElse(""))
                .addKeyValue("users", access.users())
                .addKeyValue("acl_file", access.aclFile().map(Path::toString).orElse(""))
                .addKeyValue("acl_rules", access.acl().map(acl -> acl.topicRules() + acl.patternRules()).orElse(0))
                .log("embedded MQTT broker's access files reloaded");
        EmbeddedBroker current = broker;
        if (current != null) {
            current.disconnectRevoked();
        }
        return ReloadOutcome.reloaded();
    }

    /** The embedded broker's port, once it runs. */
    public Optional<Integer> brokerPort() {
        EmbeddedBroker current = broker;
        return current == null ? Optional.empty() : Optional.of(current.port());
    }

    /** Says offline and disconnects: no message is applied after this returns. The broker keeps running. */
    public void stopSubscribing() {
        MqttSubscriber current = subscriber;
        if (current != null) {
            current.close();
        }
    }

    /** Stops subscribing, then stops the embedded broker. */
    @Override
    public void close() {
        synchronized (lifecycle) {
            stopSubscribing();
            if (broker != null) {
                broker.close();
            }
        }
    }
}
