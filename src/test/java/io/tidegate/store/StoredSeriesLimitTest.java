package io.tidegate.store;

import static io.tidegate.TestKeys.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidegate.TestClock;
import io.tidegate.cli.Flags;
import io.tidegate.format.Label;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.MetricType;
import io.tidegate.format.Refusal;
import io.tidegate.key.GroupingKey;
import io.tidegate.ttl.ExpirySchedule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code --store.max-series} (SPEC §7): the series held over all groups, each group's push time gauges
 * included, never pass the bound; a write that would is refused as over a limit and stores nothing,
 * and a write counts only the series it adds to what its group holds.
 */
class StoredSeriesLimitTest {
    private static final long MINUTE = 60_000;

    private final TestClock clock = new TestClock(Instant.parse("2026-11-25T10:00:00Z"));
    // 10 series: a group of 8 pushed series and its push_time_seconds and push_failure_time_seconds
    private final Store store = storeWithLimit(10);

    private Store storeWithLimit(long maxStoredSeries) {
        return new Store(clock, true, name -> null, 0, new WriteLimits(10_000, 64, 1024, 16_384, 1_000, maxStoredSeries),
                new ExpirySchedule());
    }

    /** A gauge named {@code name} with {@code series} series, told apart by label {@code n}. */
    private static MetricFamily gauge(String name, int series) {
        List<Metric> metrics = new ArrayList<>();
        for (int i = 0; i < series; i++) {
            metrics.add(Metric.simple(List.of(new Label("n", Integer.toString(i))), i, null));
        }
        return new MetricFamily(name, "", MetricType.GAUGE, metrics);
    }

    private static WriteRequest write(Verb verb, GroupingKey key, Ttls ttls, MetricFamily... families) {
        Map<String, MetricFamily> byName = new LinkedHashMap<>();
        for (MetricFamily family : families) {
            byName.put(family.name(), family);
        }
        return new WriteRequest(key, verb, byName, ttls, Source.http("test"));
    }

    private static WriteRequest put(String job, MetricFamily... families) {
        return write(Verb.PUT, key("job", job), Ttls.NEVER, families);
    }

    private static WriteRequest post(String job, MetricFamily... families) {
        return write(Verb.POST, key("job", job), Ttls.NEVER, families);
    }

    private String scrapedJobs() {
        return String.join(",", store.snapshot().groups().stream().map(group -> group.key().job()).toList());
    }

    @Test
    void aPushThatFillsTheLimitExactlyIsAppliedOneSeriesMoreIsRefusedAndStoresNothing() {
        assertThat(store.write(put("a", gauge("x", 8))).wasApplied()).isTrue();
        assertThat(store.snapshot().seriesCount()).isEqualTo(10);

        WriteOutcome refused = store.write(put("b", gauge("y", 1)));

        assertThat(refused.refusal().reason()).isEqualTo(Refusal.Reason.TOO_MANY_STORED_SERIES);
        assertThat(refused.refusal().message()).isEqualTo("storing this push would exceed the limit of 10 series "
                + "(--store.max-series): the gateway holds 10 and the push adds 3; pushes that add no series go on, "
                + "and more fit once groups expire or are deleted");
        assertThat(scrapedJobs()).isEqualTo("a");
        assertThat(store.snapshot().seriesCount()).isEqualTo(10);
        assertThat(store.group(key("job", "b"))).isNull();
    }

    @Test
    void aReplacementCountsOnlyWhatItAdds() {
        store.write(put("a", gauge("x", 8)));

        assertThat(store.write(put("a", gauge("other", 8))).wasApplied()).as("PUT of as many series").isTrue();
        assertThat(store.write(put("a", gauge("x", 5), gauge("y", 3))).wasApplied()).as("PUT, other families").isTrue();
        assertThat(store.write(post("a", gauge("y", 3))).wasApplied()).as("POST of a family as large").isTrue();
        assertThat(store.write(post("a", gauge("x", 2))).wasApplied()).as("POST of a smaller family").isTrue();
        assertThat(store.snapshot().seriesCount()).isEqualTo(7);
        assertThat(store.write(post("a", gauge("z", 4))).refusal().reason()).as("POST adding 4 to 7")
                .isEqualTo(Refusal.Reason.TOO_MANY_STORED_SERIES);
        assertThat(store.write(post("a", gauge("z", 4), gauge("x", 1))).wasApplied())
                .as("POST adding 4 and taking 1 from a family of 2").isTrue();

        assertThat(store.snapshot().seriesCount()).isEqualTo(10);
        assertThat(store.group(key("job", "a")).family("z").seriesCount()).isEqualTo(4);
    }

    @Test
    void aGroupWithATtlCountsItsExpiryGaugeToo() {
        WriteOutcome refused = store.write(write(Verb.PUT, key("job", "a"), Ttls.of(MINUTE), gauge("x", 8)));

        assertThat(refused.refusal().reason()).isEqualTo(Refusal.Reason.TOO_MANY_STORED_SERIES);
        assertThat(refused.refusal().message()).contains("the gateway holds 0 and the push adds 11");
        assertThat(store.write(write(Verb.PUT, key("job", "a"), Ttls.of(MINUTE), gauge("x", 7))).wasApplied()).isTrue();
        assertThat(store.snapshot().seriesCount()).isEqualTo(10);
    }

    @Test
    void aDeleteMakesRoom() {
        store.write(put("a", gauge("x", 8)));
        assertThat(store.write(put("b", gauge("x", 1))).wasApplied()).isFalse();

        store.write(WriteRequest.delete(key("job", "a"), Source.http("test")));

        assertThat(store.snapshot().seriesCount()).isZero();
        assertThat(store.write(put("b", gauge("x", 1))).wasApplied()).isTrue();
        assertThat(store.snapshot().seriesCount()).isEqualTo(3);
    }

    @Test
    void expiryMakesRoom() {
        store.write(write(Verb.PUT, key("job", "a"), Ttls.of(MINUTE), gauge("x", 7)));
        assertThat(store.write(put("b", gauge("x", 1))).wasApplied()).isFalse();

        clock.advance(Duration.ofMinutes(1));
        store.apply(new StoreCommand.ExpireDue(100));

        assertThat(store.snapshot().seriesCount()).isZero();
        assertThat(store.write(put("b", gauge("x", 8))).wasApplied()).isTrue();
    }

    @Test
    void aGroupPastItsDeadlineCanBeReplacedBeforeTheSweepRemovesIt() {
        store.write(write(Verb.PUT, key("job", "a"), Ttls.of(MINUTE), gauge("x", 7)));
        clock.advance(Duration.ofMinutes(1));

        assertThat(store.write(write(Verb.PUT, key("job", "a"), Ttls.of(MINUTE), gauge("y", 7))).wasApplied()).isTrue();
        assertThat(store.snapshot().seriesCount()).isEqualTo(10);
    }

    @Test
    void aRefusedPushLeavesNoFailureGroupWhereThereIsNoRoomForIt() {
        store.write(put("a", gauge("x", 8)));

        // inconsistent: x is held as a gauge; its failure time would be a new group of 2 series
        WriteOutcome refused = store.write(put("b", new MetricFamily("x", "", MetricType.COUNTER, List.of(
                Metric.simple(List.of(), 1, null)))));

        assertThat(refused.refusal().reason()).isEqualTo(Refusal.Reason.TOO_MANY_STORED_SERIES);
        assertThat(store.group(key("job", "b"))).isNull();
        assertThat(store.snapshot().seriesCount()).isEqualTo(10);
    }

    @Test
    void checkAnswersAsTheWriteWouldAndChangesNothing() {
        store.write(put("a", gauge("x", 8)));

        assertThat(store.check(put("b", gauge("y", 1))).refusal().reason())
                .isEqualTo(Refusal.Reason.TOO_MANY_STORED_SERIES);
        assertThat(store.check(put("a", gauge("y", 8))).wasApplied()).isTrue();
        assertThat(store.group(key("job", "a")).family("x")).isNotNull();
    }

    @Test
    void aGroupFromAnotherReplicaIsAdoptedOnlyIfItFits() {
        Store replica = storeWithLimit(0);
        replica.write(put("b", gauge("y", 1)));
        store.write(put("a", gauge("x", 8)));

        Adoption adoption = store.apply(new StoreCommand.Adopt(replica.group(key("job", "b"))));

        assertThat(adoption.result()).isEqualTo(Adoption.Result.REFUSED);
        assertThat(adoption.refusal().reason()).isEqualTo(Refusal.Reason.TOO_MANY_STORED_SERIES);
        assertThat(store.group(key("job", "b"))).isNull();
        store.write(WriteRequest.delete(key("job", "a"), Source.http("test")));
        assertThat(store.apply(new StoreCommand.Adopt(replica.group(key("job", "b")))).result())
                .isEqualTo(Adoption.Result.ADOPTED);
        assertThat(store.snapshot().seriesCount()).isEqualTo(3);
    }

    @Test
    void zeroMeansNoLimit() {
        Store unbounded = storeWithLimit(0);

        for (int i = 0; i < 10; i++) {
            assertThat(unbounded.write(put("job" + i, gauge("x", 1_000))).wasApplied()).isTrue();
        }
        assertThat(unbounded.snapshot().seriesCount()).isEqualTo(10_020);
    }

    @Test
    void theDefaultIsAsManySeriesAsFillHalfTheHeap() {
        assertThat(WriteLimits.seriesFittingHeap(64L << 20)).isEqualTo((32L << 20) / WriteLimits.BYTES_PER_STORED_SERIES);
        assertThat(WriteLimits.DEFAULTS.maxStoredSeries())
                .isEqualTo(WriteLimits.seriesFittingHeap(Runtime.getRuntime().maxMemory()));

        Flags flags = new Flags();
        Flags.commandLine(flags).parseArgs();
        assertThat(flags.writeLimits().maxStoredSeries()).isEqualTo(WriteLimits.DEFAULTS.maxStoredSeries());
        assertThat(flags.asMap()).containsEntry("store.max-series", Long.toString(WriteLimits.DEFAULTS.maxStoredSeries()));
    }

    @Test
    void theFlagTakesACountZeroOrAuto() {
        Flags flags = new Flags();
        Flags.commandLine(flags).parseArgs("--store.max-series=2500");
        assertThat(flags.writeLimits().maxStoredSeries()).isEqualTo(2500);
        Flags.commandLine(flags).parseArgs("--store.max-series=0");
        assertThat(flags.writeLimits().maxStoredSeries()).isZero();

        assertThatThrownBy(() -> Flags.commandLine(new Flags()).parseArgs("--store.max-series=-1"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("invalid --store.max-series \"-1\" (a count of series, 0 for no limit, or auto");
        assertThatThrownBy(() -> Flags.commandLine(new Flags()).parseArgs("--store.max-series=lots"))
                .isInstanceOf(CommandLine.ParameterException.class);
    }
}
