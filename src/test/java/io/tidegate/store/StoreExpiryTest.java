package io.tidegate.store;

import io.tidegate.key.GroupingKey;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.TestClock;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.MetricType;
import io.tidegate.format.WireFormat;
import io.tidegate.ttl.ExpirySchedule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoreExpiryTest {
    private static final long MINUTE = 60_000;

    private final TestClock clock = new TestClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final Store store = new Store(clock, true, name -> null, new ExpirySchedule());

    @Test
    void aFamilyIsGoneFromScrapesAtItsDeadlineEvenBeforeTheSweep() {
        write(Verb.PUT, "sensor", Ttls.of(MINUTE), gauge("temp", 21));
        assertThat(scrape()).contains("temp{instance=\"\",job=\"sensor\"} 21");

        clock.advance(Duration.ofSeconds(60));

        assertThat(scrape()).doesNotContain("job=\"sensor\"");
        assertThat(store.snapshot().groups()).isEmpty();
    }

    @Test
    void aSnapshotReadsTheStoreAsOfTheMomentItWasTaken() {
        write(Verb.PUT, "sensor", Ttls.of(MINUTE), gauge("temp", 21));
        StoreSnapshot taken = store.snapshot();

        clock.advance(Duration.ofSeconds(60));

        assertThat(taken.atMillis()).isEqualTo(clock.millis() - MINUTE);
        assertThat(taken.groups()).extracting(group -> group.key().job()).containsExactly("sensor");
        assertThat(scrape(taken)).contains("temp{instance=\"\",job=\"sensor\"} 21");
        assertThat(store.snapshot().groups()).isEmpty();
        assertThat(scrape(store.snapshot())).doesNotContain("temp");
    }

    @Test
    void aGroupWithADeadlineExposesIt() {
        write(Verb.PUT, "sensor", Ttls.of(MINUTE), gauge("temp", 21));

        assertThat(scrape()).contains("push_expiry_time_seconds{instance=\"\",job=\"sensor\"} 1.79560086e+09\n");
    }

    @Test
    void aGroupWithoutTtlHasNoExpiryGauge() {
        write(Verb.PUT, "batch", Ttls.NEVER, gauge("x", 1));

        assertThat(scrape()).doesNotContain("push_expiry_time_seconds");
        clock.advance(Duration.ofDays(3650));
        assertThat(scrape()).contains("x{instance=\"\",job=\"batch\"} 1");
    }

    @Test
    void postRefreshesOnlyTheFamiliesItReplaces() {
        write(Verb.PUT, "sensor", Ttls.of(MINUTE), gauge("temp", 21), gauge("humidity", 40));
        clock.advance(Duration.ofSeconds(50));
        write(Verb.POST, "sensor", Ttls.of(MINUTE), gauge("temp", 22));

        clock.advance(Duration.ofSeconds(20));

        assertThat(scrape()).contains("temp{instance=\"\",job=\"sensor\"} 22").doesNotContain("humidity");
        assertThat(scrape()).contains("push_time_seconds{instance=\"\",job=\"sensor\"}");
    }

    @Test
    void familiesCanCarryTheirOwnTtl() {
        write(Verb.PUT, "sensor", new Ttls(MINUTE, Map.of("battery", 10 * MINUTE)), gauge("temp", 21), gauge("battery", 80));

        clock.advance(Duration.ofMinutes(2));

        assertThat(scrape()).contains("battery{instance=\"\",job=\"sensor\"} 80").doesNotContain("temp{");
        assertThat(scrape()).contains("push_expiry_time_seconds{instance=\"\",job=\"sensor\"} 1.7956014e+09");
    }

    @Test
    void theSweepFreesExpiredGroupsAndCountsThem() {
        write(Verb.PUT, "a", Ttls.of(MINUTE), gauge("x", 1), gauge("y", 2));
        write(Verb.PUT, "b", Ttls.of(2 * MINUTE), gauge("x", 1));
        clock.advance(Duration.ofSeconds(61));

        assertThat(store.apply(new StoreCommand.ExpireDue(1000))).isEqualTo(1);

        assertThat(store.snapshot().groupCount()).isEqualTo(1);
        assertThat(store.snapshot().expiredGroups()).isEqualTo(1);
        assertThat(store.snapshot().expiredFamilies()).isEqualTo(2);
        assertThat(store.snapshot().seriesCount()).isEqualTo(4); // b: x plus its three own gauges
        assertThat(store.nextExpiryMillis()).isEqualTo(Instant.parse("2026-11-25T10:02:00Z").toEpochMilli());
    }

    @Test
    void theSweepRemovesSingleExpiredFamiliesAndKeepsTheGroup() {
        write(Verb.PUT, "a", new Ttls(MINUTE, Map.of("long", 5 * MINUTE)), gauge("short", 1), gauge("long", 2));
        clock.advance(Duration.ofSeconds(61));

        store.apply(new StoreCommand.ExpireDue(1000));

        assertThat(store.snapshot().groups().get(0).families()).containsOnlyKeys("long", "push_time_seconds",
                "push_failure_time_seconds", "push_expiry_time_seconds");
        assertThat(store.snapshot().expiredFamilies()).isEqualTo(1);
        assertThat(store.snapshot().expiredGroups()).isZero();
    }

    @Test
    void aMassExpiryIsSweptInBatches() {
        for (int i = 0; i < 250; i++) {
            write(Verb.PUT, "device" + i, Ttls.of(MINUTE), gauge("x", i));
        }
        clock.advance(Duration.ofMinutes(1));

        assertThat(store.apply(new StoreCommand.ExpireDue(100))).isEqualTo(100);
        assertThat(store.apply(new StoreCommand.ExpireDue(100))).isEqualTo(100);
        assertThat(store.apply(new StoreCommand.ExpireDue(100))).isEqualTo(50);
        assertThat(store.snapshot().groupCount()).isZero();
        assertThat(store.snapshot().seriesCount()).isZero();
    }

    @Test
    void aRefreshedGroupIsNotSweptAtItsOldDeadline() {
        write(Verb.PUT, "a", Ttls.of(MINUTE), gauge("x", 1));
        clock.advance(Duration.ofSeconds(50));
        write(Verb.PUT, "a", Ttls.of(MINUTE), gauge("x", 2));
        clock.advance(Duration.ofSeconds(20));

        store.apply(new StoreCommand.ExpireDue(1000));

        assertThat(scrape()).contains("x{instance=\"\",job=\"a\"} 2");
        assertThat(store.snapshot().expiredGroups()).isZero();
    }

    @Test
    void aTombstoneMarksAnExpiredGroupForAWhile() {
        Store withTombstones = new Store(clock, true, name -> null, 10 * MINUTE, new ExpirySchedule());
        withTombstones.write(request(Verb.PUT, "kitchen", Ttls.of(MINUTE), gauge("temp", 21)));
        clock.advance(Duration.ofMinutes(1));
        withTombstones.apply(new StoreCommand.ExpireDue(1000));

        assertThat(scrape(withTombstones)).contains(
                "push_expired_time_seconds{instance=\"\",job=\"kitchen\"} 1.79560086e+09\n").doesNotContain("temp");
        assertThat(withTombstones.snapshot().groups()).isEmpty();

        clock.advance(Duration.ofMinutes(10));
        withTombstones.apply(new StoreCommand.ExpireDue(1000));
        assertThat(scrape(withTombstones)).doesNotContain("kitchen");
        assertThat(withTombstones.snapshot().groupCount()).isZero();
    }

    @Test
    void aPushAfterExpiryStartsAFreshGroupAndClearsTheTombstone() {
        Store withTombstones = new Store(clock, true, name -> null, 10 * MINUTE, new ExpirySchedule());
        withTombstones.write(request(Verb.PUT, "kitchen", Ttls.of(MINUTE), gauge("temp", 21), gauge("old", 1)));
        clock.advance(Duration.ofMinutes(1));
        withTombstones.apply(new StoreCommand.ExpireDue(1000));

        withTombstones.write(request(Verb.POST, "kitchen", Ttls.of(MINUTE), gauge("temp", 22)));

        assertThat(scrape(withTombstones)).contains("temp{instance=\"\",job=\"kitchen\"} 22")
                .doesNotContain("push_expired_time_seconds").doesNotContain("old{");
    }

    @Test
    void anExpiredFamilyNoLongerConflictsWithANewType() {
        write(Verb.PUT, "a", Ttls.of(MINUTE), counter("x", 1));
        clock.advance(Duration.ofMinutes(1));

        assertThat(store.write(request(Verb.PUT, "b", Ttls.NEVER, gauge("x", 1))).refusal()).isNull();
    }

    @Test
    void aRefusedFirstPushStartsNoClock() {
        Store withTombstones = new Store(clock, true, name -> null, 10 * MINUTE, new ExpirySchedule());
        assertThat(withTombstones.write(request(Verb.PUT, "a", Ttls.of(MINUTE), stamped())).refusal()).isNotNull();

        Group refused = withTombstones.snapshot().groups().get(0);
        assertThat(refused.hasDeadline()).isFalse();
        assertThat(refused.families()).containsOnlyKeys("push_failure_time_seconds", "push_time_seconds");
        assertThat(refused.family("push_failure_time_seconds").deadlineMillis()).isEqualTo(StoredFamily.NEVER);
        assertThat(scrape(withTombstones)).contains("push_time_seconds{instance=\"\",job=\"a\"} 0\n")
                .contains("push_failure_time_seconds{instance=\"\",job=\"a\"} 1.7956008e+09\n")
                .doesNotContain("push_expiry_time_seconds").doesNotContain("x{");
        assertThat(withTombstones.nextExpiryMillis()).isEqualTo(StoredFamily.NEVER);

        clock.advance(Duration.ofHours(2));
        assertThat(withTombstones.apply(new StoreCommand.ExpireDue(1000))).isZero();
        assertThat(scrape(withTombstones)).contains("push_failure_time_seconds{instance=\"\",job=\"a\"}")
                .doesNotContain("push_expired_time_seconds");
        assertThat(withTombstones.snapshot().expiredGroups()).isZero();
    }

    @Test
    void aRefusedPushLeavesALiveGroupItsDeadline() {
        write(Verb.PUT, "a", Ttls.of(MINUTE), gauge("x", 1));
        clock.advance(Duration.ofSeconds(30));

        assertThat(store.write(request(Verb.PUT, "a", Ttls.of(10 * MINUTE), stamped())).refusal()).isNotNull();

        assertThat(store.snapshot().groups().get(0).deadlineMillis()).isEqualTo(clock.millis() + 30_000);
        assertThat(scrape()).contains("push_expiry_time_seconds{instance=\"\",job=\"a\"} 1.79560086e+09\n");
        clock.advance(Duration.ofSeconds(30));
        assertThat(scrape()).doesNotContain("job=\"a\"");
    }

    @Test
    void aRefusedPushLeavesATombstoneAsItIs() {
        Store withTombstones = new Store(clock, true, name -> null, 10 * MINUTE, new ExpirySchedule());
        withTombstones.write(request(Verb.PUT, "kitchen", Ttls.of(MINUTE), gauge("temp", 21)));
        clock.advance(Duration.ofMinutes(1)); // expired, and the sweep has not come by yet

        assertThat(withTombstones.write(request(Verb.PUT, "kitchen", Ttls.of(MINUTE), stamped())).refusal()).isNotNull();

        assertThat(scrape(withTombstones)).contains(
                "push_expired_time_seconds{instance=\"\",job=\"kitchen\"} 1.79560086e+09\n").doesNotContain("temp");
        assertThat(withTombstones.snapshot().groups()).isEmpty();
        clock.advance(Duration.ofMinutes(10));
        withTombstones.apply(new StoreCommand.ExpireDue(1000));
        assertThat(scrape(withTombstones)).doesNotContain("kitchen");
    }

    @Test
    void anEmptyPushWithATtlExpiresToo() {
        write(Verb.PUT, "heartbeat", Ttls.of(MINUTE));
        assertThat(scrape()).contains("push_time_seconds{instance=\"\",job=\"heartbeat\"}");

        clock.advance(Duration.ofMinutes(1));
        assertThat(scrape()).doesNotContain("heartbeat");
    }

    private void write(Verb verb, String job, Ttls ttls, MetricFamily... families) {
        assertThat(store.write(request(verb, job, ttls, families)).refusal()).isNull();
    }

    private static WriteRequest request(Verb verb, String job, Ttls ttls, MetricFamily... families) {
        Map<String, MetricFamily> byName = new LinkedHashMap<>();
        for (MetricFamily family : families) {
            byName.put(family.name(), family);
        }
        return new WriteRequest(GroupingKey.of(Map.of("job", job)), verb, byName, ttls, Source.http("test"));
    }

    private String scrape() {
        return scrape(store);
    }

    private static String scrape(Store store) {
        return scrape(store.snapshot());
    }

    private static String scrape(StoreSnapshot snapshot) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            snapshot.scrape(WireFormat.TEXT, List.of(), out);
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MetricFamily gauge(String name, double value) {
        return new MetricFamily(name, null, MetricType.GAUGE, List.of(Metric.simple(List.of(), value, null)));
    }

    /** A family with a timestamp, which every push refuses. */
    private static MetricFamily stamped() {
        return new MetricFamily("x", null, MetricType.GAUGE, List.of(Metric.simple(List.of(), 1, 5L)));
    }

    private static MetricFamily counter(String name, double value) {
        return new MetricFamily(name, null, MetricType.COUNTER, List.of(Metric.simple(List.of(), value, null)));
    }
}
