package io.tidegate.mqtt;

import com.hivemq.extension.sdk.api.packets.general.Qos;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import com.hivemq.extension.sdk.api.services.builder.PublishBuilder;
import io.tidegate.format.HostPort;
import com.hivemq.extension.sdk.api.services.builder.RetainedPublishBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tidegate's MQTT side with its own broker: the embedded broker, with the ingest inside it
 * ({@link BrokerIngest}) rather than a client subscribed over loopback, so a message is decoded once and
 * its publisher answered once its write is durable. What Tidegate publishes itself (its status, replicated
 * writes and group states with {@code --mqtt.replicate}) goes straight into the broker; a replicated write
 * on one of Tidegate's own topics is also handed to the ingest here, as a subscription would deliver it.
 */
final class BrokerSubscriber implements MqttSubscriber {
    private static final Logger log = LoggerFactory.getLogger(BrokerSubscriber.class);
    private static final long PUBLISH_WITHIN_SECONDS = 10;

    private final MqttSettings settings;
    private final Clock clock;
    private final BrokerStateFile stateFile; // null without --persistence.file
    private final RetainedBudget retained;
    private final AtomicBoolean stateChanged = new AtomicBoolean();
    private ScheduledExecutorService stateSaver; // null without a state file
    private List<String> mappingFilters = List.of(); // guarded by this
    private List<String> discoveryFilters = List.of(); // guarded by this
    private volatile EmbeddedBroker broker; // null before start and after close
    private volatile BrokerIngest ingest;
    private volatile MessageHandler handler;
    private volatile BrokerWills wills;

    /**
     * @param stateFile where the broker keeps its retained messages and the Wills of its clients across a
     *     restart ({@code F.broker} beside {@code --persistence.file=F}); null to keep them in memory only
     */
    BrokerSubscriber(MqttSettings settings, Clock clock, Path stateFile) {
        this.settings = settings;
        this.clock = clock;
        this.stateFile = stateFile == null ? null : new BrokerStateFile(stateFile);
        MqttSettings.RetainedLimits limits = settings.retainedLimits();
        this.retained = new RetainedBudget(limits.anyTopic(), limits.maxMessages(), limits.maxBytes(), clock);
    }

    /** Starts the broker with the ingest inside, then says online on the status topic. */
    @Override
    public void start(MessageHandler handler) {
        this.handler = handler;
        BrokerIngest taking;
        synchronized (this) {
            taking = new BrokerIngest(handler, topics(), retained);
        }
        ingest = taking;
        wills = new BrokerWills(will -> {
            if (taking.takes(will.topic())) {
                handler.onMessage(will, () -> { });
            }
        }, this::publishWill);
        broker = EmbeddedBroker.start(settings.listenAddress(), settings.broker(), clock, taking, wills);
        if (stateFile != null) {
            restoreState();
            handOverRestoredDiscovery();
            retained.onKeep(() -> stateChanged.set(true));
            wills.onChange(() -> stateChanged.set(true));
            stateSaver = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "tidegate-mqtt-state-saver");
                thread.setDaemon(true);
                return thread;
            });
            stateSaver.scheduleWithFixedDelay(this::saveStateIfChanged, 1, 1, TimeUnit.SECONDS);
        }
        publishStatus(PahoClient.ONLINE);
        log.atInfo().addKeyValue("address", settings.listenAddress()).addKeyValue("topics", String.join(",", takenTopics()))
                .log("MQTT messages are taken inside the embedded broker");
    }

    /** The scheme's filters, the mapping rules' and discovery's, each once. */
    private synchronized List<String> topics() {
        List<String> all = new ArrayList<>(settings.topicFilters());
        mappingFilters.stream().filter(filter -> !all.contains(filter)).forEach(all::add);
        discoveryFilters.stream().filter(filter -> !all.contains(filter)).forEach(all::add);
        return all;
    }

    private List<String> takenTopics() {
        return topics();
    }

    @Override
    public synchronized void subscribeMappings(List<String> filters) {
        mappingFilters = List.copyOf(filters);
        BrokerIngest current = ingest;
        if (current != null) {
            current.takeTopics(topics());
        }
    }

    /**
     * Discovery's topics are taken from now on; the retained message the broker holds on a topic newly taken is
     * handed to the ingest as a subscription would deliver it (a device's state published before its config came),
     * from the retained store's own thread, so this never waits.
     */
    @Override
    public void subscribeDiscovery(List<String> filters) {
        List<String> added = new ArrayList<>();
        synchronized (this) {
            List<String> before = discoveryFilters;
            discoveryFilters = List.copyOf(filters);
            filters.stream().filter(filter -> !before.contains(filter)).forEach(added::add);
            BrokerIngest current = ingest;
            if (current != null) {
                current.takeTopics(topics());
            }
        }
        if (broker == null) {
            return; // before the start: there is nothing retained to hand over yet
        }
        for (String topic : added) {
            if (topic.contains("+") || topic.contains("#")) {
                continue; // the config filters: their messages came live, or come with the state restored at start
            }
            Services.retainedMessageStore().getRetainedMessage(topic).thenAccept(kept -> kept.ifPresent(this::handOver));
        }
    }

    /** A retained message of the broker's, handed to the ingest as retained. */
    private void handOver(com.hivemq.extension.sdk.api.services.publish.RetainedPublish publish) {
        MessageHandler taking = handler;
        if (taking == null || broker == null) {
            return;
        }
        byte[] payload = publish.getPayload().map(BrokerIngest::bytes).orElse(new byte[0]);
        Long expiry = publish.getMessageExpiryInterval()
                .filter(seconds -> seconds <= MqttIngest.MAX_EXPIRY_INTERVAL_SECONDS).orElse(null);
        taking.onMessage(new MqttMessage(publish.getTopic(), payload, true, publish.getQos().getQosNumber(), expiry,
                publish.getContentType().orElse(null), Map.of()), () -> { });
    }

    @Override
    public boolean isConnected() {
        return broker != null;
    }

    /**
     * Publishes into the broker and returns once it has taken the message; one on Tidegate's own topics
     * (a replicated write) is then applied here, as the broker would deliver it to a subscriber.
     */
    @Override
    public void publish(Publication publication) {
        EmbeddedBroker running = broker;
        if (running == null) {
            throw new MqttPublishException("the embedded MQTT broker is not running");
        }
        PublishBuilder builder = Builders.publish().topic(publication.topic()).qos(Qos.AT_LEAST_ONCE)
                .retain(publication.retained()).payload(ByteBuffer.wrap(publication.payload()));
        if (publication.contentType() != null) {
            builder.contentType(publication.contentType());
        }
        if (publication.expiryIntervalSeconds() != null) {
            builder.messageExpiryInterval(publication.expiryIntervalSeconds());
        }
        publication.userProperties().forEach(builder::userProperty);
        try {
            Services.publishService().publish(builder.build()).get(PUBLISH_WITHIN_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new MqttPublishException("the embedded MQTT broker refused the message: " + e.getCause());
        } catch (TimeoutException e) {
            throw new MqttPublishException("the embedded MQTT broker did not take the message within "
                    + PUBLISH_WITHIN_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MqttPublishException("interrupted while publishing");
        }
        BrokerIngest taking = ingest;
        if (!publication.retained() && taking != null && taking.takes(publication.topic())) {
            handler.onMessage(new MqttMessage(publication.topic(), publication.payload(), false, 1,
                    publication.expiryIntervalSeconds(), publication.contentType(), publication.userProperties()), () -> { });
        }
    }

    @Override
    public boolean speaksMqtt5() {
        return true;
    }

    @Override
    public long reconnects() {
        return 0;
    }

    @Override
    public String describe() {
        HostPort address = HostPort.parse(settings.listenAddress());
        return "the embedded broker on " + address.host() + ":" + port() + " (MQTT 5)";
    }

    /** After a reload of the access files: clients whose user is gone or has another password are disconnected. */
    void disconnectRevoked() {
        EmbeddedBroker running = broker;
        if (running != null) {
            running.disconnectRevoked();
        }
    }

    /** The port the broker listens on, once started. */
    int port() {
        EmbeddedBroker running = broker;
        return running == null ? -1 : running.port();
    }

    /** Says offline, then stops the broker: no message is taken after this returns. */
    @Override
    public void close() {
        EmbeddedBroker running = broker;
        if (running == null) {
            return;
        }
        try {
            publishStatus(PahoClient.OFFLINE);
        } catch (MqttPublishException e) {
            log.atWarn().addKeyValue("err", e.getMessage()).log("could not announce offline on MQTT");
        }
        if (stateSaver != null) {
            stateSaver.shutdownNow();
            saveState();
        }
        broker = null;
        running.close();
        wills.close();
    }

    /**
     * The discovery configs the broker kept across the restart, handed to the ingest as retained messages, so the
     * entities they announce are known again (and their state topics taken) without waiting for the devices.
     */
    private void handOverRestoredDiscovery() {
        List<TopicFilter> configFilters;
        synchronized (this) {
            configFilters = discoveryFilters.stream().filter(f -> f.contains("+")).map(TopicFilter::parse).toList();
        }
        if (configFilters.isEmpty()) {
            return;
        }
        List<com.hivemq.extension.sdk.api.services.publish.RetainedPublish> configs = new ArrayList<>();
        try {
            Services.retainedMessageStore().iterateAllRetainedMessages((context, publish) -> {
                if (TopicFilter.anyMatches(configFilters, publish.getTopic())) {
                    configs.add(publish);
                }
            }).get(PUBLISH_WITHIN_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.atWarn().addKeyValue("err", e.toString()).log("discovery configs kept by the embedded broker not read");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        configs.forEach(this::handOver);
    }

    /** Puts back the retained messages and the Wills the broker had when it last stopped. */
    private void restoreState() {
        BrokerStateFile.State state;
        try {
            state = stateFile.load();
        } catch (IOException e) {
            log.atWarn().addKeyValue("file", stateFile.path()).addKeyValue("err", e.getMessage())
                    .log("embedded broker starts without its retained messages and Last Wills");
            return;
        }
        long now = clock.millis();
        int restored = 0;
        for (BrokerStateFile.Message kept : state.retained()) {
            MqttMessage message = kept.toMessage(now);
            if (message == null) {
                continue;
            }
            RetainedPublishBuilder builder = Builders.retainedPublish().topic(message.topic())
                    .qos(Qos.valueOf(message.qos())).payload(ByteBuffer.wrap(message.payload()));
            if (message.contentType() != null) {
                builder.contentType(message.contentType());
            }
            if (message.expiryIntervalSeconds() != null) {
                builder.messageExpiryInterval(message.expiryIntervalSeconds());
            }
            message.userProperties().forEach(builder::userProperty);
            Services.retainedMessageStore().addOrReplace(builder.build()).join();
            retained.keep(message.topic(), message.payload().length, message.expiryIntervalSeconds());
            restored++;
        }
        List<BrokerWills.Will> fromBefore = new ArrayList<>();
        for (BrokerStateFile.Will will : state.wills()) {
            MqttMessage message = will.message().toMessage(now);
            if (message != null) {
                fromBefore.add(new BrokerWills.Will(will.clientId(), message, will.message().retain(),
                        will.delaySeconds(), will.keepAliveSeconds(), BrokerWills.FROM_BEFORE));
            }
        }
        wills.expectBack(fromBefore);
        log.atInfo().addKeyValue("file", stateFile.path()).addKeyValue("retained", restored)
                .addKeyValue("wills", fromBefore.size()).log("embedded broker state restored");
    }

    private void saveStateIfChanged() {
        if (stateChanged.getAndSet(false)) {
            saveState();
        }
    }

    /** Writes the retained messages the broker holds and the Wills it knows to the state file. */
    private void saveState() {
        long now = clock.millis();
        List<BrokerStateFile.Message> kept = new ArrayList<>();
        try {
            Services.retainedMessageStore().iterateAllRetainedMessages((context, publish) -> {
                if (!publish.getTopic().equals(settings.statusTopic())) { // said again at every start
                    byte[] payload = publish.getPayload().map(BrokerIngest::bytes).orElse(new byte[0]);
                    Long expiry = publish.getMessageExpiryInterval()
                            .filter(seconds -> seconds <= MqttIngest.MAX_EXPIRY_INTERVAL_SECONDS).orElse(null);
                    MqttMessage message = new MqttMessage(publish.getTopic(), payload, true,
                            publish.getQos().getQosNumber(), expiry, publish.getContentType().orElse(null), Map.of());
                    kept.add(BrokerStateFile.Message.of(message, true, now));
                }
            }).get(PUBLISH_WITHIN_SECONDS, TimeUnit.SECONDS);
            List<BrokerStateFile.Will> known = new ArrayList<>();
            for (BrokerWills.Will will : wills.wills()) {
                known.add(new BrokerStateFile.Will(will.clientId(), BrokerStateFile.Message.of(will.message(),
                        will.retain(), now), will.delaySeconds(), will.keepAliveSeconds()));
            }
            stateFile.save(new BrokerStateFile.State(kept, known));
        } catch (IOException | ExecutionException | TimeoutException e) {
            stateChanged.set(true); // tried again in a second
            log.atWarn().addKeyValue("file", stateFile.path()).addKeyValue("err", e.getMessage())
                    .log("cannot save the embedded broker's retained messages and Last Wills");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A Will kept across a restart whose client did not come back: the broker did not know it, so it is published. */
    private void publishWill(BrokerWills.Will will) {
        MqttMessage message = will.message();
        try {
            publish(new Publication(message.topic(), message.payload(), message.contentType(),
                    message.expiryIntervalSeconds(), message.userProperties(), will.retain()));
        } catch (MqttPublishException e) {
            log.atWarn().addKeyValue("client", will.clientId()).addKeyValue("err", e.getMessage())
                    .log("could not publish the Last Will of a client that did not come back");
        }
    }


    private void publishStatus(String status) {
        publish(new Publication(settings.statusTopic(), status.getBytes(StandardCharsets.US_ASCII), null, null,
                java.util.Map.of(), true));
    }
}
