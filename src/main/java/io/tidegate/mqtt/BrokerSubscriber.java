package io.tidegate.mqtt;

import com.hivemq.extension.sdk.api.packets.general.Qos;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import com.hivemq.extension.sdk.api.services.builder.PublishBuilder;
import io.tidegate.format.HostPort;
import java.nio.ByteBuffer;
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
    private final RetainedBudget retained;
    private List<String> mappingFilters = List.of(); // guarded by this
    private volatile EmbeddedBroker broker; // null before start and after close
    private volatile BrokerIngest ingest;
    private volatile MessageHandler handler;
    private volatile BrokerWills wills;

    BrokerSubscriber(MqttSettings settings, Clock clock) {
        this.settings = settings;
        MqttSettings.RetainedLimits limits = settings.retainedLimits();
        this.retained = new RetainedBudget(limits.anyTopic(), limits.maxMessages(), limits.maxBytes(), clock);
    }

    /** Starts the broker with the ingest inside, then says online on the status topic. */
    @Override
    public void start(MessageHandler handler) {
        this.handler = handler;
        BrokerIngest taking;
        synchronized (this) {
            taking = new BrokerIngest(handler, topics(mappingFilters), retained);
        }
        ingest = taking;
        wills = new BrokerWills(will -> {
            if (taking.takes(will.topic())) {
                handler.onMessage(will, () -> { });
            }
        });
        broker = EmbeddedBroker.start(settings.listenAddress(), taking, wills);
        publishStatus(PahoClient.ONLINE);
        log.atInfo().addKeyValue("address", settings.listenAddress()).addKeyValue("topics", String.join(",", topics(mappingFilters)))
                .log("MQTT messages are taken inside the embedded broker");
    }

    private List<String> topics(List<String> mappings) {
        List<String> all = new ArrayList<>(settings.topicFilters());
        mappings.stream().filter(filter -> !all.contains(filter)).forEach(all::add);
        return all;
    }

    @Override
    public synchronized void subscribeMappings(List<String> filters) {
        mappingFilters = List.copyOf(filters);
        BrokerIngest current = ingest;
        if (current != null) {
            current.takeTopics(topics(mappingFilters));
        }
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
        broker = null;
        running.close();
        wills.close();
    }

    private void publishStatus(String status) {
        publish(new Publication(settings.statusTopic(), status.getBytes(StandardCharsets.US_ASCII), null, null,
                java.util.Map.of(), true));
    }
}
