package io.tidegate.mqtt;

import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --mqtt.protocol=auto}: MQTT 5 where the broker speaks it, else 3.1.1. Decided once, at the
 * first connect: a broker that refuses MQTT 5 then is a 3.1.1 broker, while the same symptom later
 * (a closed connection) is an outage to reconnect through, not a reason to change protocol.
 */
final class ProtocolFallback implements MqttSubscriber {
    private static final Logger log = LoggerFactory.getLogger(MqttSubscriber.class);

    private final MqttSettings settings;
    private final Clock clock;
    private volatile MqttSubscriber chosen;
    private volatile List<String> mappingFilters = List.of();
    private volatile List<String> discoveryFilters = List.of();

    ProtocolFallback(MqttSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.chosen = new PahoSubscriber(new PahoV5Client(settings), settings, clock);
    }

    @Override
    public void start(MessageHandler handler) {
        try {
            chosen.start(handler);
        } catch (MqttStartException e) {
            if (!e.protocolRefused()) {
                throw e;
            }
            log.atInfo().addKeyValue("url", settings.url()).addKeyValue("err", e.getMessage())
                    .log("MQTT broker refuses MQTT 5; connecting with MQTT 3.1.1");
            MqttSubscriber fallback = new PahoSubscriber(new PahoV3Client(settings), settings, clock);
            fallback.subscribeMappings(mappingFilters);
            fallback.subscribeDiscovery(discoveryFilters);
            chosen = fallback;
            fallback.start(handler);
        }
    }

    @Override
    public void subscribeMappings(List<String> filters) {
        mappingFilters = List.copyOf(filters);
        chosen.subscribeMappings(filters);
    }

    @Override
    public void subscribeDiscovery(List<String> filters) {
        discoveryFilters = List.copyOf(filters);
        chosen.subscribeDiscovery(filters);
    }

    @Override
    public boolean isConnected() {
        return chosen.isConnected();
    }

    @Override
    public void publish(Publication publication) {
        chosen.publish(publication);
    }

    @Override
    public boolean speaksMqtt5() {
        return chosen.speaksMqtt5();
    }

    @Override
    public void redeliverUnacknowledged(Runnable takeWrites) {
        chosen.redeliverUnacknowledged(takeWrites);
    }

    @Override
    public long reconnects() {
        return chosen.reconnects();
    }

    @Override
    public String describe() {
        return chosen.describe();
    }

    @Override
    public void close() {
        chosen.close();
    }
}
