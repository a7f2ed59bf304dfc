package io.tidegate.mqtt;

import io.tidegate.mqtt.PahoClient.PahoFailure;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The version-independent half of a subscriber: startup, the guards Paho needs after a reconnect
 * (resubscribe, since a broker that lost the session silently sends nothing more; announce online
 * again, since the Last Will may have said offline), acknowledging after the handler, and the log.
 */
final class PahoSubscriber implements MqttSubscriber, PahoClient.Events {
    private static final Logger log = LoggerFactory.getLogger(MqttSubscriber.class);

    private final PahoClient client;
    private final MqttSettings settings;
    private final AtomicLong reconnects = new AtomicLong();
    /** Subscribing from Paho's callback thread would wait for that same thread: it deadlocks. */
    private final ExecutorService afterReconnect = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "tidegate-mqtt-resubscribe");
        thread.setDaemon(true);
        return thread;
    });
    private volatile MessageHandler handler;
    private volatile boolean closing;

    PahoSubscriber(PahoClient client, MqttSettings settings) {
        this.client = client;
        this.settings = settings;
    }

    @Override
    public void start(MessageHandler handler) {
        this.handler = handler;
        try {
            client.connect(this);
            client.subscribe(settings.topicFilters());
            client.publish(settings.statusTopic(), PahoClient.ONLINE.getBytes(StandardCharsets.US_ASCII), true);
        } catch (PahoFailure e) {
            close();
            throw new MqttStartException("cannot subscribe to MQTT broker " + settings.url() + " with MQTT "
                    + client.protocol() + ": " + e.getMessage(), e.protocolRefused());
        }
        log.atInfo().addKeyValue("url", settings.url()).addKeyValue("protocol", client.protocol())
                .addKeyValue("client_id", settings.clientId()).addKeyValue("topic_filters", String.join(",", settings.topicFilters()))
                .log("subscribed to MQTT broker");
    }

    @Override
    public void arrived(MqttMessage message, int messageId) {
        AtomicBoolean acknowledged = new AtomicBoolean();
        Runnable acknowledge = () -> {
            if (acknowledged.compareAndSet(false, true)) {
                acknowledge(message, messageId);
            }
        };
        try {
            handler.onMessage(message, acknowledge);
        } catch (RuntimeException e) {
            log.atError().addKeyValue("topic", message.topic()).addKeyValue("err", e.toString())
                    .log("MQTT message could not be handled; acknowledging it all the same");
            acknowledge.run();
        }
    }

    private void acknowledge(MqttMessage message, int messageId) {
        try {
            client.acknowledge(messageId, message.qos());
        } catch (PahoFailure e) {
            // The broker sends it again after the reconnect, as for any message not acknowledged.
            log.atDebug().addKeyValue("topic", message.topic()).addKeyValue("err", e.getMessage())
                    .log("MQTT acknowledgement not sent");
        }
    }

    @Override
    public void connected(boolean reconnect) {
        if (!reconnect || closing) {
            return;
        }
        reconnects.incrementAndGet();
        afterReconnect.execute(() -> {
            try {
                client.subscribe(settings.topicFilters());
                client.publish(settings.statusTopic(), PahoClient.ONLINE.getBytes(StandardCharsets.US_ASCII), true);
                log.atInfo().addKeyValue("url", settings.url()).log("reconnected to MQTT broker and resubscribed");
            } catch (PahoFailure e) {
                // The connection went again; the next reconnect comes back here.
                log.atWarn().addKeyValue("url", settings.url()).addKeyValue("err", e.getMessage())
                        .log("reconnected to MQTT broker but could not resubscribe");
            }
        });
    }

    @Override
    public void lost(String reason) {
        if (!closing) {
            log.atWarn().addKeyValue("url", settings.url()).addKeyValue("err", reason)
                    .log("lost connection to MQTT broker; reconnecting");
        }
    }

    @Override
    public boolean isConnected() {
        return client.isConnected();
    }

    @Override
    public long reconnects() {
        return reconnects.get();
    }

    @Override
    public String describe() {
        return settings.url() + " (MQTT " + client.protocol() + ")";
    }

    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        afterReconnect.shutdownNow();
        if (client.isConnected()) {
            try {
                client.publish(settings.statusTopic(), PahoClient.OFFLINE.getBytes(StandardCharsets.US_ASCII), true);
            } catch (PahoFailure e) {
                log.atWarn().addKeyValue("err", e.getMessage()).log("could not announce offline on MQTT");
            }
        }
        client.close();
    }
}
