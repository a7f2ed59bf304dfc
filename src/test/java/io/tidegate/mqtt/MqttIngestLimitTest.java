package io.tidegate.mqtt;

import io.tidegate.store.RetainedMemory;
import static io.tidegate.mqtt.Publish.live;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.TestClock;
import io.tidegate.mqtt.mapping.MqttMappings;
import io.tidegate.ttl.TtlRules;
import io.tidegate.ttl.TtlResolver;
import io.tidegate.store.Store;
import io.tidegate.store.WriteLimits;
import io.tidegate.telemetry.OwnMetrics;
import io.tidegate.ttl.ExpirySchedule;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The bounds of SPEC §7 hold for MQTT messages as for HTTP pushes: rejected with reason limit, nothing stored. */
class MqttIngestLimitTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final OwnMetrics own = new OwnMetrics();
    private final Store store = new Store(clock, true, own::typeOf, 0, new WriteLimits(2, 64, 1024, 16_384, 1, 0),
            new ExpirySchedule());
    private final MqttIngest ingest = new MqttIngest(store, new TtlResolver(TtlRules::none, Duration.ZERO, Duration.ZERO),
            "metrics", RetainedMode.APPLY, MqttIngest.DEFAULT_MAX_PAYLOAD_BYTES, RetainedMemory.DEFAULT_CAPACITY, clock,
            new MqttMetrics(own), MqttMappings::none);

    @Test
    void messageOverALimitIsRejectedAsLimitStoresNothingAndIsAcknowledgedOnce() {
        java.util.concurrent.atomic.AtomicInteger acknowledgements = new java.util.concurrent.atomic.AtomicInteger();
        ingest.onMessage(live("metrics/job/sensor", "a 1\nb 2\nc 3\n").message(), acknowledgements::incrementAndGet);

        assertThat(acknowledgements).hasValue(1);
        assertThat(store.snapshot().groups()).isEmpty();
        MqttRejection rejection = ingest.rejections().get(0);
        assertThat(rejection.reason()).isEqualTo(RejectReason.LIMIT);
        assertThat(rejection.message()).isEqualTo("the push has more than 2 series (--push.max-series)");
    }

    @Test
    void newGroupBeyondTheGroupLimitIsRejectedExistingOneIsUpdated() {
        ingest.onMessage(live("metrics/job/one", "a 1\n").message(), () -> {});
        ingest.onMessage(live("metrics/job/two", "a 1\n").message(), () -> {});
        ingest.onMessage(live("metrics/job/one", "a 2\n").message(), () -> {});

        assertThat(store.snapshot().groups()).hasSize(1);
        assertThat(store.snapshot().groups().get(0).family("a").family().metrics().get(0).value()).isEqualTo(2);
        assertThat(ingest.rejections()).extracting(MqttRejection::topic).containsExactly("metrics/job/two");
        assertThat(ingest.rejections().get(0).message()).contains("--store.max-groups");
    }

    @Test
    void messageBeyondTheSeriesHeldIsRejectedAsLimitOneReplacingItsGroupIsApplied() {
        // 5 series held: a group of 3 and its two push time gauges
        Store capped = new Store(clock, true, own::typeOf, 0, new WriteLimits(10, 64, 1024, 16_384, 100, 5),
                new ExpirySchedule());
        OwnMetrics cappedOwn = new OwnMetrics();
        MqttMetrics metrics = new MqttMetrics(cappedOwn);
        MqttIngest cappedIngest = new MqttIngest(capped, new TtlResolver(TtlRules::none, Duration.ZERO, Duration.ZERO),
                "metrics", RetainedMode.APPLY, MqttIngest.DEFAULT_MAX_PAYLOAD_BYTES, RetainedMemory.DEFAULT_CAPACITY,
                clock, metrics, MqttMappings::none);
        java.util.concurrent.atomic.AtomicInteger acknowledgements = new java.util.concurrent.atomic.AtomicInteger();

        cappedIngest.onMessage(live("metrics/job/one", "a 1\nb 1\nc 1\n").message(), acknowledgements::incrementAndGet);
        cappedIngest.onMessage(live("metrics/job/two", "a 1\n").message(), acknowledgements::incrementAndGet);
        cappedIngest.onMessage(live("metrics/job/one", "a 2\nb 2\nc 2\n").message(), acknowledgements::incrementAndGet);

        assertThat(acknowledgements).hasValue(3);
        assertThat(capped.snapshot().groups()).extracting(group -> group.key().job()).containsExactly("one");
        assertThat(capped.snapshot().groups().get(0).family("a").family().metrics().get(0).value()).isEqualTo(2);
        assertThat(cappedIngest.rejections()).extracting(MqttRejection::topic).containsExactly("metrics/job/two");
        assertThat(cappedIngest.rejections().get(0).reason()).isEqualTo(RejectReason.LIMIT);
        assertThat(cappedIngest.rejections().get(0).message())
                .startsWith("storing this push would exceed the limit of 5 series (--store.max-series)");
        assertThat(cappedOwn.families()).filteredOn(family -> family.name().startsWith("tidegate_mqtt_messages_rejected"))
                .flatExtracting(family -> family.metrics())
                .filteredOn(metric -> metric.labels().contains(new io.tidegate.format.Label("reason", "limit")))
                .extracting(io.tidegate.format.Metric::value).containsExactly(1.0);
    }

    @Test
    void anMqtt5PublishBeyondTheSeriesHeldIsAnsweredQuotaExceeded() {
        assertThat(BrokerIngest.ackCodeOf(RejectReason.of(io.tidegate.format.Refusal.Reason.TOO_MANY_STORED_SERIES)))
                .isEqualTo(com.hivemq.extension.sdk.api.packets.publish.AckReasonCode.QUOTA_EXCEEDED);
    }

    @Test
    void messageWithLongLabelsBeyondTheHeapHeldIsRejectedAsLimitAndStoresNothing() {
        String longValue = "v".repeat(16_000);
        String heavy = "a{" + "l1=\"" + longValue + "\",l2=\"" + longValue + "\"} 1\n";
        // room for a group of one short series, far from room for two values of 16,000 characters
        Store capped = new Store(clock, true, own::typeOf, 0, new WriteLimits(10, 64, 1024, 16_384, 100, 0, 20_000),
                new ExpirySchedule());
        MqttIngest cappedIngest = new MqttIngest(capped, new TtlResolver(TtlRules::none, Duration.ZERO, Duration.ZERO),
                "metrics", RetainedMode.APPLY, MqttIngest.DEFAULT_MAX_PAYLOAD_BYTES, RetainedMemory.DEFAULT_CAPACITY,
                clock, new MqttMetrics(new OwnMetrics()), MqttMappings::none);
        java.util.concurrent.atomic.AtomicInteger acknowledgements = new java.util.concurrent.atomic.AtomicInteger();

        cappedIngest.onMessage(live("metrics/job/short", "a 1\n").message(), acknowledgements::incrementAndGet);
        cappedIngest.onMessage(live("metrics/job/heavy", heavy).message(), acknowledgements::incrementAndGet);

        assertThat(acknowledgements).hasValue(2);
        assertThat(capped.snapshot().groups()).extracting(group -> group.key().job()).containsExactly("short");
        assertThat(cappedIngest.rejections()).extracting(MqttRejection::topic).containsExactly("metrics/job/heavy");
        assertThat(cappedIngest.rejections().get(0).reason()).isEqualTo(RejectReason.LIMIT);
        assertThat(cappedIngest.rejections().get(0).message())
                .startsWith("storing this push would exceed the limit of 20000 bytes of heap held (--store.max-bytes)");
        assertThat(BrokerIngest.ackCodeOf(RejectReason.of(io.tidegate.format.Refusal.Reason.TOO_MANY_STORED_BYTES)))
                .isEqualTo(com.hivemq.extension.sdk.api.packets.publish.AckReasonCode.QUOTA_EXCEEDED);
    }
}
