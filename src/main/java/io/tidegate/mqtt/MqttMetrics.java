package io.tidegate.mqtt;

import io.prometheus.metrics.core.metrics.Counter;
import io.tidegate.web.OwnMetrics;

/**
 * What became of the MQTT messages Tidegate received, among its own metrics:
 * <ul>
 *   <li>{@code tidegate_mqtt_messages_received_total}: every message handed to the ingest;
 *   <li>{@code tidegate_mqtt_messages_applied_total}: those that changed the store (a write, or a
 *       delete for an empty payload);
 *   <li>{@code tidegate_mqtt_messages_rejected_total{reason}}: those dropped as unusable, by
 *       {@link RejectReason} ({@code bad_topic}, {@code bad_payload}, {@code too_large},
 *       {@code bad_ttl}, {@code unsupported_content_type}, {@code inconsistent},
 *       {@code internal_error});
 *   <li>{@code tidegate_mqtt_messages_skipped_total{reason}}: retained messages deliberately not
 *       applied, by {@link SkipReason} ({@code retained_seen}, {@code retained_unseen}).
 * </ul>
 * Received is the sum of the other three. Every reason starts at 0, so rates work from the start.
 */
public final class MqttMetrics {
    private final Counter received;
    private final Counter applied;
    private final Counter rejected;
    private final Counter skipped;

    public MqttMetrics(OwnMetrics own) {
        received = counter("tidegate_mqtt_messages_received", "MQTT messages received, whatever became of them.");
        applied = counter("tidegate_mqtt_messages_applied", "MQTT messages applied to the store (written, or deleted for an empty payload).");
        rejected = counter("tidegate_mqtt_messages_rejected",
                "MQTT messages dropped because they could not be applied; their group kept its old value.", "reason");
        skipped = counter("tidegate_mqtt_messages_skipped",
                "Retained MQTT messages deliberately not applied: copies of the message last applied on their topic"
                        + " (retained_seen), or never seen with --mqtt.retained=ignore-unseen (retained_unseen).",
                "reason");
        for (RejectReason reason : RejectReason.values()) {
            rejected.initLabelValues(reason.label());
        }
        for (SkipReason reason : SkipReason.values()) {
            skipped.initLabelValues(reason.label());
        }
        own.register(received, applied, rejected, skipped);
    }

    private static Counter counter(String name, String help, String... labelNames) {
        var builder = Counter.builder().name(name).help(help);
        return labelNames.length == 0 ? builder.build() : builder.labelNames(labelNames).build();
    }

    void received() {
        received.inc();
    }

    void applied() {
        applied.inc();
    }

    void rejected(RejectReason reason) {
        rejected.labelValues(reason.label()).inc();
    }

    void skipped(SkipReason reason) {
        skipped.labelValues(reason.label()).inc();
    }
}
