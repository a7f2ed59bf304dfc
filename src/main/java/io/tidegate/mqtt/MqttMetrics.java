package io.tidegate.mqtt;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.tidegate.mqtt.discovery.HomeAssistantDiscovery;
import io.tidegate.telemetry.OwnMetrics;

/**
 * What became of the MQTT messages Tidegate received, among its own metrics:
 * <ul>
 *   <li>{@code tidegate_mqtt_messages_received_total}: every message handed to the ingest;
 *   <li>{@code tidegate_mqtt_messages_applied_total}: those that changed the store (a write, or a
 *       delete for an empty payload);
 *   <li>{@code tidegate_mqtt_messages_rejected_total{reason}}: those dropped as unusable, by
 *       {@link RejectReason} ({@code bad_topic}, {@code bad_payload}, {@code too_large},
 *       {@code bad_ttl}, {@code unsupported_content_type}, {@code inconsistent}, {@code limit},
 *       {@code internal_error});
 *   <li>{@code tidegate_mqtt_messages_skipped_total{reason}}: retained messages deliberately not
 *       applied, by {@link SkipReason} ({@code retained_seen}, {@code retained_unseen}).
 *   <li>{@code tidegate_mqtt_fields_skipped_total{rule,reason}}: fields an optional metric of a mapping rule
 *       left out of a message ({@code missing}, {@code wrong_type}), the rest of the message taken.
 * </ul>
 * Received is the sum of the other three. Every reason starts at 0, so rates work from the start.
 * With a subscriber to read ({@link #MqttMetrics(OwnMetrics, MqttSubscriber)}): {@code tidegate_mqtt_connected} (1 or 0),
 * {@code tidegate_mqtt_reconnects_total}, and {@code tidegate_mqtt_last_message_time_seconds}, the
 * lag an operator alerts on when devices are publishing but nothing arrives.
 */
public final class MqttMetrics {
    private final Counter received;
    private final Counter applied;
    private final Counter rejected;
    private final Counter skipped;
    private final Counter adopted;
    private final Counter fieldsSkipped;
    private final OwnMetrics own;
    private volatile long lastMessageMillis;
    private volatile Counter configsIgnored; // with discovery only
    private volatile Counter valuesDropped;

    public MqttMetrics(OwnMetrics own) {
        received = counter("tidegate_mqtt_messages_received", "MQTT messages received, whatever became of them.");
        applied = counter("tidegate_mqtt_messages_applied", "MQTT messages applied to the store (written, deleted for an empty payload or an availability offline; an availability online counts too).");
        rejected = counter("tidegate_mqtt_messages_rejected",
                "MQTT messages dropped because they could not be applied; their group kept its old value.", "reason");
        skipped = counter("tidegate_mqtt_messages_skipped",
                "MQTT messages deliberately not applied: retained copies of the message last applied on their topic"
                        + " (retained_seen), retained messages never seen with --mqtt.retained=ignore-unseen"
                        + " (retained_unseen), messages mapping rules take nothing from (unmapped: left out by where"
                        + " or when conditions, or carrying none of the rule's optional metrics), second copies of a replicated write (duplicate), or groups' states a"
                        + " replica did not need (group_state).",
                "reason");
        adopted = counter("tidegate_mqtt_group_states_adopted", "Groups taken from the states the MQTT broker keeps"
                + " for replicas (--mqtt.replicate), as another replica held them.");
        fieldsSkipped = counter("tidegate_mqtt_fields_skipped", "Fields that an optional metric of an mqtt_mappings"
                + " rule left out of a message, the rest of it taken: not in the payload or null (missing), or an"
                + " object, an array or a string that is no number (wrong_type).", "rule", "reason");
        for (RejectReason reason : RejectReason.values()) {
            rejected.initLabelValues(reason.label());
        }
        for (SkipReason reason : SkipReason.values()) {
            skipped.initLabelValues(reason.label());
        }
        own.register(received, applied, rejected, skipped, adopted, fieldsSkipped);
        this.own = own;
    }

    /**
     * Home Assistant discovery's figures ({@code --mqtt.discovery=homeassistant}):
     * {@code tidegate_mqtt_discovery_entities{component}} (the entities known, read at each scrape),
     * {@code tidegate_mqtt_discovery_configs_ignored_total{component}} (configs of components that are not mapped)
     * and {@code tidegate_mqtt_discovery_values_dropped_total{reason}} (an entity's state that gave no value).
     */
    public void watch(HomeAssistantDiscovery discovery) {
        configsIgnored = counter("tidegate_mqtt_discovery_configs_ignored", "Home Assistant discovery configs of a"
                + " component Tidegate does not map (only sensor and binary_sensor are), by component.", "component");
        valuesDropped = counter("tidegate_mqtt_discovery_values_dropped", "States of discovered entities that gave the"
                + " entity no value: not a number, unknown/unavailable, an undefined key, a failing template, a binary"
                + " sensor's state that is neither payload_on nor payload_off, or a payload that is not text.", "reason");
        for (HomeAssistantDiscovery.DroppedValue reason : HomeAssistantDiscovery.DroppedValue.values()) {
            valuesDropped.initLabelValues(reason.label());
        }
        own.register(configsIgnored, valuesDropped, GaugeWithCallback.builder()
                .name("tidegate_mqtt_discovery_entities")
                .help("Entities announced by Home Assistant discovery configs and mapped, by component.")
                .labelNames("component")
                .callback(callback -> discovery.entitiesByComponent()
                        .forEach((component, count) -> callback.call(count, component)))
                .build());
    }

    /** The components Home Assistant's MQTT integration knows: a config's component is counted as itself only if known. */
    private static final java.util.Set<String> COMPONENTS = java.util.Set.of("alarm_control_panel", "binary_sensor",
            "button", "camera", "climate", "cover", "device", "device_automation", "device_tracker", "event", "fan",
            "humidifier", "image", "lawn_mower", "light", "lock", "notify", "number", "scene", "select", "sensor",
            "siren", "switch", "tag", "text", "update", "vacuum", "valve", "water_heater");

    void discoveryConfigIgnored(String component) {
        if (configsIgnored != null) {
            configsIgnored.labelValues(COMPONENTS.contains(component) ? component : "other").inc();
        }
    }

    void discoveryValueDropped(HomeAssistantDiscovery.DroppedValue reason) {
        if (valuesDropped != null) {
            valuesDropped.labelValues(reason.label()).inc();
        }
    }

    /** With the connection's own figures too, read from {@code subscriber} at each scrape. */
    public MqttMetrics(OwnMetrics own, MqttSubscriber subscriber) {
        this(own);
        watch(subscriber);
    }

    private void watch(MqttSubscriber subscriber) {
        own.register(GaugeWithCallback.builder()
                        .name("tidegate_mqtt_connected")
                        .help("1 while Tidegate is connected to its MQTT broker, 0 while it is reconnecting.")
                        .callback(callback -> callback.call(subscriber.isConnected() ? 1 : 0))
                        .build(),
                CounterWithCallback.builder()
                        .name("tidegate_mqtt_reconnects_total")
                        .help("Times the connection to the MQTT broker was lost and made again.")
                        .callback(callback -> callback.call(subscriber.reconnects()))
                        .build(),
                GaugeWithCallback.builder()
                        .name("tidegate_mqtt_last_message_time_seconds")
                        .help("Unix time of the last MQTT message received (0 before the first).")
                        .callback(callback -> callback.call(lastMessageMillis / 1000.0))
                        .build());
    }

    private static Counter counter(String name, String help, String... labelNames) {
        var builder = Counter.builder().name(name).help(help);
        return labelNames.length == 0 ? builder.build() : builder.labelNames(labelNames).build();
    }

    void received(long nowMillis) {
        lastMessageMillis = nowMillis;
        received.inc();
    }

    void applied() {
        applied.inc();
    }

    void rejected(RejectReason reason) {
        rejected.labelValues(reason.label()).inc();
    }

    void adopted() {
        adopted.inc();
    }

    void fieldSkipped(String rule, SkippedField field) {
        fieldsSkipped.labelValues(rule, field.reason().label()).inc();
    }

    void skipped(SkipReason reason) {
        skipped.labelValues(reason.label()).inc();
    }
}
