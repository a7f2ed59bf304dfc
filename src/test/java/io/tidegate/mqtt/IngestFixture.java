package io.tidegate.mqtt;

import io.tidegate.mqtt.discovery.HomeAssistantDiscovery;
import java.util.List;

import io.tidegate.store.RetainedMemory;
import io.tidegate.TestClock;
import io.tidegate.mqtt.mapping.MqttMappings;
import io.tidegate.ttl.TtlRules;
import io.tidegate.ttl.TtlResolver;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.store.Group;
import io.tidegate.key.GroupingKey;
import io.tidegate.store.StoredFamily;
import io.tidegate.store.Store;
import io.tidegate.store.WriteLimits;
import io.tidegate.telemetry.OwnMetrics;
import io.tidegate.ttl.ExpirySchedule;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * A store with an MQTT ingest in front of it, on a clock the test moves: publish messages, then
 * look at the groups, their deadlines and the MQTT counters.
 */
final class IngestFixture {
    static final Instant START = Instant.parse("2026-11-25T10:00:00Z");

    final TestClock clock = new TestClock(START);
    final AtomicReference<TtlRules> rules = new AtomicReference<>(TtlRules.none());
    final AtomicReference<MqttMappings> mappings = new AtomicReference<>(MqttMappings.none());
    final OwnMetrics own = new OwnMetrics();
    final Store store;
    final MqttIngest ingest;
    final GroupStates states; // null unless a replica's
    final HomeAssistantDiscovery discovery; // null unless withDiscovery()
    /** The topics discovery asked to subscribe to, last. */
    final AtomicReference<List<String>> discoveryTopics = new AtomicReference<>(List.of());

    IngestFixture() {
        this(RetainedMode.APPLY, RetainedMemory.DEFAULT_CAPACITY, Duration.ZERO, Duration.ZERO);
    }

    IngestFixture(RetainedMode mode, int retainedCapacity, Duration defaultTtl, Duration maxTtl) {
        this(mode, retainedCapacity, defaultTtl, maxTtl, MqttIngest.DEFAULT_MAX_PAYLOAD_BYTES, "metrics");
    }

    IngestFixture(RetainedMode mode, int retainedCapacity, Duration defaultTtl, Duration maxTtl, long maxPayloadBytes,
            String prefix) {
        this(mode, retainedCapacity, defaultTtl, maxTtl, maxPayloadBytes, prefix, WriteLimits.DEFAULTS);
    }

    /** With a store that keeps {@code limits}. */
    IngestFixture(WriteLimits limits) {
        this(RetainedMode.APPLY, RetainedMemory.DEFAULT_CAPACITY, Duration.ZERO, Duration.ZERO,
                MqttIngest.DEFAULT_MAX_PAYLOAD_BYTES, "metrics", limits);
    }

    private IngestFixture(RetainedMode mode, int retainedCapacity, Duration defaultTtl, Duration maxTtl,
            long maxPayloadBytes, String prefix, WriteLimits limits) {
        this(mode, retainedCapacity, defaultTtl, maxTtl, maxPayloadBytes, prefix, limits, fixture -> null);
    }

    private IngestFixture(RetainedMode mode, int retainedCapacity, Duration defaultTtl, Duration maxTtl,
            long maxPayloadBytes, String prefix, WriteLimits limits, Function<IngestFixture, GroupStates> states) {
        this(mode, retainedCapacity, defaultTtl, maxTtl, maxPayloadBytes, prefix, limits, states, null);
    }

    private IngestFixture(RetainedMode mode, int retainedCapacity, Duration defaultTtl, Duration maxTtl,
            long maxPayloadBytes, String prefix, WriteLimits limits, Function<IngestFixture, GroupStates> states,
            HomeAssistantDiscovery discovery) {
        store = new Store(clock, true, own::typeOf, 0, limits, new ExpirySchedule());
        TtlResolver ttls = new TtlResolver(rules::get, defaultTtl, maxTtl);
        this.states = states.apply(this);
        this.discovery = discovery;
        ingest = new MqttIngest(store, ttls, prefix, mode, maxPayloadBytes, retainedCapacity, clock, new MqttMetrics(own),
                mappings::get, this.states, discovery, discoveryTopics::set);
    }

    /** With Home Assistant discovery under the prefix {@code homeassistant} ({@code --mqtt.discovery=homeassistant}). */
    static IngestFixture withDiscovery() {
        return new IngestFixture(RetainedMode.APPLY, RetainedMemory.DEFAULT_CAPACITY, Duration.ZERO, Duration.ZERO,
                MqttIngest.DEFAULT_MAX_PAYLOAD_BYTES, "metrics", WriteLimits.DEFAULTS, fixture -> null,
                new HomeAssistantDiscovery(HomeAssistantDiscovery.DEFAULT_PREFIX));
    }

    /** A replica's ({@code --mqtt.replicate}) ingest under the prefix {@code metrics}, keeping group states in {@code states}. */
    static IngestFixture replica(Function<IngestFixture, GroupStates> states) {
        return new IngestFixture(RetainedMode.APPLY, RetainedMemory.DEFAULT_CAPACITY, Duration.ZERO, Duration.ZERO,
                MqttIngest.DEFAULT_MAX_PAYLOAD_BYTES, "metrics", WriteLimits.DEFAULTS, states);
    }

    void publish(Publish publish) {
        ingest.onMessage(publish.message(), () -> {});
    }

    /** Publishes and says what became of the message. */
    MqttOutcome handle(Publish publish) {
        return ingest.handle(publish.message(), () -> {});
    }

    /** The live group of that key, or null. */
    Group group(GroupingKey key) {
        for (Group group : store.snapshot().groups()) {
            if (group.key().equals(key)) {
                return group;
            }
        }
        return null;
    }

    /** The value of the first series of a family of a live group. */
    double value(GroupingKey key, String family) {
        return stored(key, family).family().metrics().get(0).value();
    }

    StoredFamily stored(GroupingKey key, String family) {
        Group group = group(key);
        if (group == null) {
            throw new AssertionError("no live group " + key + " in " + store.snapshot().groups());
        }
        StoredFamily stored = group.family(family);
        if (stored == null) {
            throw new AssertionError("group " + key + " has no family " + family + ": " + group.families().keySet());
        }
        return stored;
    }

    /** The family's deadline, or null for never. */
    Instant deadline(GroupingKey key, String family) {
        StoredFamily stored = stored(key, family);
        return stored.hasDeadline() ? Instant.ofEpochMilli(stored.deadlineMillis()) : null;
    }

    /** The value of one of Tidegate's own counters, e.g. {@code counter("tidegate_mqtt_messages_rejected_total", "bad_topic")}. */
    double counter(String name, String... reason) {
        for (MetricFamily family : own.families()) {
            if (family.name().equals(name)) {
                for (Metric metric : family.metrics()) {
                    if (reason.length == 0 || reason[0].equals(metric.label("reason"))) {
                        return metric.value();
                    }
                }
            }
        }
        throw new AssertionError("no counter " + name + " " + String.join("", reason));
    }

    double rejected(RejectReason reason) {
        return counter("tidegate_mqtt_messages_rejected_total", reason.label());
    }

    double skipped(SkipReason reason) {
        return counter("tidegate_mqtt_messages_skipped_total", reason.label());
    }

    /** The reason of the last rejection on that topic, or null. */
    MqttRejection lastRejection(String topic) {
        for (MqttRejection rejection : ingest.rejections()) {
            if (rejection.topic().equals(topic)) {
                return rejection;
            }
        }
        return null;
    }

    void advance(Duration duration) {
        clock.advance(duration);
    }

    Instant now() {
        return clock.instant();
    }
}
