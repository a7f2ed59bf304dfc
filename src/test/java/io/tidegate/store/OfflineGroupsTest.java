package io.tidegate.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.TestClock;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.MetricType;
import io.tidegate.format.WireFormat;
import io.tidegate.key.GroupingKey;
import io.tidegate.ttl.ExpirySchedule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The groups that went offline, as the web page's Offline view lists them: tombstones, or the last expiries. */
class OfflineGroupsTest {
    private static final long MINUTE = 60_000;
    private static final Instant START = Instant.parse("2026-11-25T10:00:00Z");

    private final TestClock clock = new TestClock(START);

    @Test
    void withTombstonesEveryTombstoneIsOfflineWithItsLastPushAndDeadline() throws IOException {
        Store store = new Store(clock, true, name -> null, 10 * MINUTE, new ExpirySchedule());
        push(store, "kitchen", MINUTE);
        clock.advance(Duration.ofSeconds(30));
        push(store, "attic", MINUTE);
        clock.advance(Duration.ofSeconds(90));
        store.apply(new StoreCommand.ExpireDue(1000));

        List<OfflineGroup> offline = store.snapshot().offline();

        assertThat(offline).extracting(group -> group.key().labels().get(0).value()).containsExactly("attic", "kitchen");
        OfflineGroup kitchen = offline.get(1);
        assertThat(kitchen.lastPushMillis()).isEqualTo(START.toEpochMilli());
        assertThat(kitchen.deadlineMillis()).isEqualTo(START.toEpochMilli() + MINUTE);
        assertThat(kitchen.tombstoneUntilMillis()).isEqualTo(START.toEpochMilli() + 11 * MINUTE);
        assertThat(scrape(store)).as("a tombstone's scrape still shows only when it expired")
                .contains("push_expired_time_seconds{instance=\"\",job=\"kitchen\"}")
                .doesNotContain("push_time_seconds");

        clock.advance(Duration.ofMinutes(10));
        store.apply(new StoreCommand.ExpireDue(1000));
        assertThat(store.snapshot().offline()).as("tombstones run out").isEmpty();
    }

    @Test
    void withoutTombstonesTheLastHundredExpiriesAreKeptNewestFirst() {
        Store store = new Store(clock, true, name -> null, new ExpirySchedule());
        for (int i = 0; i < RecentExpiries.CAPACITY + 20; i++) {
            push(store, "device" + i, MINUTE);
            clock.advance(Duration.ofSeconds(1));
        }
        clock.advance(Duration.ofMinutes(5));
        store.apply(new StoreCommand.ExpireDue(100_000));

        List<OfflineGroup> offline = store.snapshot().offline();

        assertThat(offline).hasSize(RecentExpiries.CAPACITY);
        assertThat(offline.get(0).key().labels().get(0).value()).isEqualTo("device119");
        assertThat(offline.get(RecentExpiries.CAPACITY - 1).key().labels().get(0).value()).isEqualTo("device20");
        assertThat(offline.get(0).hasTombstone()).isFalse();
        assertThat(offline.get(0).lastPushMillis()).isEqualTo(START.toEpochMilli() + 119_000);
    }

    @Test
    void aGroupPastItsDeadlineIsOfflineBeforeTheSweepComes() {
        Store store = new Store(clock, true, name -> null, new ExpirySchedule());
        push(store, "late", MINUTE);
        clock.advance(Duration.ofMinutes(2));

        assertThat(store.snapshot().offline()).singleElement()
                .satisfies(group -> assertThat(group.deadlineMillis()).isEqualTo(START.toEpochMilli() + MINUTE));
    }

    @Test
    void aDeviceThatPushesAgainIsNoLongerOffline() {
        Store store = new Store(clock, true, name -> null, new ExpirySchedule());
        push(store, "flaky", MINUTE);
        clock.advance(Duration.ofMinutes(2));
        store.apply(new StoreCommand.ExpireDue(1000));
        assertThat(store.snapshot().offline()).hasSize(1);

        push(store, "flaky", MINUTE);

        assertThat(store.snapshot().offline()).isEmpty();
    }

    @Test
    void aWipeForgetsTheExpiries() {
        Store store = new Store(clock, true, name -> null, new ExpirySchedule());
        push(store, "gone", MINUTE);
        clock.advance(Duration.ofMinutes(2));
        store.apply(new StoreCommand.ExpireDue(1000));

        store.write(WriteRequest.wipe(Source.http("test")));

        assertThat(store.snapshot().offline()).isEmpty();
    }

    private static void push(Store store, String job, long ttlMillis) {
        MetricFamily temp = new MetricFamily("temp", null, MetricType.GAUGE, List.of(Metric.simple(List.of(), 21, null)));
        WriteOutcome outcome = store.write(new WriteRequest(GroupingKey.of(Map.of("job", job)), Verb.PUT,
                Map.of("temp", temp), Ttls.of(ttlMillis), Source.http("test")));
        assertThat(outcome.refusal()).isNull();
    }

    private static String scrape(Store store) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.snapshot().scrape(WireFormat.TEXT, List.of(), out);
        return out.toString(StandardCharsets.UTF_8);
    }
}
