package io.tidegate.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tidegate.TestClock;
import io.tidegate.format.WireFormat;
import io.tidegate.mqtt.MqttIngest;
import io.tidegate.mqtt.MqttMessage;
import io.tidegate.mqtt.MqttMetrics;
import io.tidegate.mqtt.MqttOutcome;
import io.tidegate.mqtt.RetainedMode;
import io.tidegate.mqtt.SkipReason;
import io.tidegate.store.RetainedMemory;
import io.tidegate.store.Store;
import io.tidegate.telemetry.OwnMetrics;
import io.tidegate.ttl.ExpirySchedule;
import io.tidegate.ttl.TtlResolver;
import io.tidegate.ttl.TtlRules;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §4 and §6 together: the memory of the last message applied on each topic (the retained-copy
 * rule) holds only what the journal kept. A message whose write a full disk made the journal lose is
 * reverted in the store and in the memory, so its retained copy, delivered once there is room again,
 * is applied rather than skipped as a copy of something Tidegate holds.
 */
class FullDiskRetainedTest {
    private static final String TOPIC = "metrics/job/dev";

    private final TestClock clock = new TestClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final FillingDisk disk = new FillingDisk();
    private final OwnMetrics own = new OwnMetrics();
    @TempDir
    Path dir;
    private Store store;
    private MqttIngest ingest;
    private Persistence persistence;

    @BeforeEach
    void start() {
        store = new Store(clock, true, own::typeOf, 0, new ExpirySchedule());
        ingest = new MqttIngest(store, new TtlResolver(TtlRules::none, Duration.ZERO, Duration.ZERO), "metrics",
                RetainedMode.APPLY, MqttIngest.DEFAULT_MAX_PAYLOAD_BYTES, RetainedMemory.DEFAULT_CAPACITY, clock,
                new MqttMetrics(own));
        persistence = Persistence.open(dir.resolve("tidegate.db"), Duration.ZERO, store, ingest.retainedMemory(), clock,
                own, disk, Duration.ofMillis(50));
    }

    @AfterEach
    void stop() {
        persistence.close();
    }

    @Test
    void aRetainedCopyOfAMessageWhoseWriteTheFullDiskLostIsAppliedOnceThereIsRoom() throws IOException {
        AtomicInteger acknowledged = new AtomicInteger();
        assertThat(ingest.handle(message("t 1\n", false), acknowledged::incrementAndGet).kind())
                .isEqualTo(MqttOutcome.Kind.WRITTEN);
        await().atMost(Duration.ofSeconds(5)).until(() -> acknowledged.get() == 1);

        disk.fill();
        // applied, then its journal write fails: the store and the memory both give it up, and it is not acknowledged
        ingest.handle(message("t 2\n", false), acknowledged::incrementAndGet);
        await().atMost(Duration.ofSeconds(5)).until(() -> store.notDurableReason() != null);
        assertThat(scrape()).contains("t{instance=\"\",job=\"dev\"} 1");
        assertThat(acknowledged).hasValue(1);

        disk.free();
        await().atMost(Duration.ofSeconds(5)).until(() -> store.notDurableReason() == null);
        // the broker's retained copy of "t 2" is news to the store: it is applied
        assertThat(ingest.handle(message("t 2\n", true), acknowledged::incrementAndGet).kind())
                .isEqualTo(MqttOutcome.Kind.WRITTEN);
        assertThat(scrape()).contains("t{instance=\"\",job=\"dev\"} 2");
        await().atMost(Duration.ofSeconds(5)).until(() -> acknowledged.get() == 2);
        // and a copy of it now is one of what the store holds
        MqttOutcome again = ingest.handle(message("t 2\n", true), acknowledged::incrementAndGet);
        assertThat(again.kind()).isEqualTo(MqttOutcome.Kind.SKIPPED);
        assertThat(again.skipped()).isEqualTo(SkipReason.RETAINED_SEEN);
    }

    @Test
    void theMemoryGoesBackToTheLastMessageKeptSoItsRetainedCopyIsStillSkipped() throws IOException {
        AtomicInteger acknowledged = new AtomicInteger();
        ingest.handle(message("t 1\n", false), acknowledged::incrementAndGet);
        await().atMost(Duration.ofSeconds(5)).until(() -> acknowledged.get() == 1);

        disk.fill();
        ingest.handle(message("t 2\n", false), acknowledged::incrementAndGet);
        await().atMost(Duration.ofSeconds(5)).until(() -> store.notDurableReason() != null);
        disk.free();
        await().atMost(Duration.ofSeconds(5)).until(() -> store.notDurableReason() == null);

        // "t 1" is what the store and the journal hold: its retained copy refreshes nothing
        MqttOutcome copy = ingest.handle(message("t 1\n", true), acknowledged::incrementAndGet);
        assertThat(copy.kind()).isEqualTo(MqttOutcome.Kind.SKIPPED);
        assertThat(copy.skipped()).isEqualTo(SkipReason.RETAINED_SEEN);
        assertThat(scrape()).contains("t{instance=\"\",job=\"dev\"} 1");
        assertThat(ingest.retainedMemory().size()).isEqualTo(1);
    }

    private static MqttMessage message(String payload, boolean retained) {
        return MqttMessage.of(TOPIC, payload.getBytes(StandardCharsets.UTF_8), retained, 1);
    }

    private String scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.snapshot().scrape(WireFormat.TEXT, List.of(), out);
        return out.toString(StandardCharsets.UTF_8);
    }
}
