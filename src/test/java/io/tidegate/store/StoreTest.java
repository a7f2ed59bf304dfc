package io.tidegate.store;

import io.tidegate.key.GroupingKey;
import static io.tidegate.TestKeys.key;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.TestClock;
import io.tidegate.format.Label;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.MetricType;
import io.tidegate.format.WireFormat;
import io.tidegate.ttl.ExpirySchedule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StoreTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final Store store = new Store(clock, true,
            name -> name.equals("process_cpu_seconds_total") ? MetricType.COUNTER : null, new ExpirySchedule());

    @Test
    void putReplacesTheWholeGroup() {
        assertApplied(put(key("job", "a"), gauge("x", 1), gauge("y", 2)));
        assertApplied(put(key("job", "a"), gauge("y", 3)));

        assertThat(familyNames(key("job", "a"))).containsExactly("push_failure_time_seconds", "push_time_seconds", "y");
        assertThat(value(key("job", "a"), "y")).isEqualTo(3);
    }

    @Test
    void postReplacesOnlyTheFamiliesItCarries() {
        assertApplied(put(key("job", "a"), gauge("x", 1), gauge("y", 2)));
        assertApplied(write(key("job", "a"), Verb.POST, gauge("y", 3)));

        assertThat(value(key("job", "a"), "x")).isEqualTo(1);
        assertThat(value(key("job", "a"), "y")).isEqualTo(3);
    }

    @Test
    void deleteRemovesTheGroupAndDeletingAnUnknownGroupIsFine() {
        assertApplied(put(key("job", "a"), gauge("x", 1)));
        assertApplied(store.write(WriteRequest.delete(key("job", "a"), Source.http("test"))));
        assertApplied(store.write(WriteRequest.delete(key("job", "never"), Source.http("test"))));

        assertThat(store.snapshot().groups()).isEmpty();
        assertThat(store.snapshot().seriesCount()).isZero();
    }

    @Test
    void groupingLabelsOverrideBodyLabelsAndInstanceDefaultsToEmpty() {
        MetricFamily family = new MetricFamily("x", null, MetricType.GAUGE, List.of(
                Metric.simple(List.of(new Label("job", "body"), new Label("zone", "z")), 1, null)));
        assertApplied(put(key("job", "a", "zone", "path"), family));

        Metric stored = group(key("job", "a", "zone", "path")).family("x").family().metrics().get(0);
        assertThat(stored.labels()).containsExactly(
                new Label("instance", ""), new Label("job", "a"), new Label("zone", "path"));
    }

    @Test
    void pushTimeRecordsWhenTheGroupLastChanged() {
        assertApplied(put(key("job", "a"), gauge("x", 1)));

        assertThat(value(key("job", "a"), "push_time_seconds")).isEqualTo(clock.millis() / 1000.0);
        assertThat(value(key("job", "a"), "push_failure_time_seconds")).isZero();
        assertThat(group(key("job", "a")).lastPushSuccessful()).isTrue();
    }

    @Test
    void timestampsAreRejectedAndTheFailureTimeRecorded() {
        assertApplied(put(key("job", "a"), gauge("x", 1)));
        clock.advance(Duration.ofSeconds(10));
        MetricFamily stamped = new MetricFamily("x", null, MetricType.GAUGE,
                List.of(Metric.simple(List.of(), 5, 1234L)));

        WriteOutcome outcome = put(key("job", "a"), stamped);

        assertThat(outcome.refusal().message()).isEqualTo("pushed metrics must not have timestamps");
        assertThat(value(key("job", "a"), "x")).isEqualTo(1);
        assertThat(value(key("job", "a"), "push_failure_time_seconds")).isEqualTo(clock.millis() / 1000.0);
        assertThat(group(key("job", "a")).lastPushSuccessful()).isFalse();
    }

    @Test
    void aPushRefusedInTheMillisecondOfTheLastSuccessIsTheLastPushAndOneThatSucceedsThenIsToo() {
        assertApplied(put(key("job", "a"), gauge("x", 1)));
        MetricFamily stamped = new MetricFamily("x", null, MetricType.GAUGE,
                List.of(Metric.simple(List.of(), 5, 1234L)));

        put(key("job", "a"), stamped); // the same millisecond: the test clock did not move

        assertThat(group(key("job", "a")).lastPushSuccessful()).as("refused after the success").isFalse();
        assertThat(value(key("job", "a"), "push_failure_time_seconds")).isEqualTo((clock.millis() + 1) / 1000.0);

        assertApplied(put(key("job", "a"), gauge("x", 2))); // and a success in that millisecond again

        assertThat(group(key("job", "a")).lastPushSuccessful()).as("the success came last").isTrue();
        assertThat(value(key("job", "a"), "push_failure_time_seconds")).isEqualTo(clock.millis() / 1000.0);
        assertThat(value(key("job", "a"), "push_time_seconds")).isEqualTo(clock.millis() / 1000.0);
    }

    @Test
    void aFailedFirstPushLeavesAGroupWithOnlyItsTimes() {
        MetricFamily stamped = new MetricFamily("x", null, MetricType.GAUGE,
                List.of(Metric.simple(List.of(), 5, 1234L)));
        put(key("job", "new"), stamped);

        assertThat(familyNames(key("job", "new"))).containsExactly("push_failure_time_seconds", "push_time_seconds");
        assertThat(value(key("job", "new"), "push_time_seconds")).isZero();
    }

    @Test
    void aTypeConflictWithAnotherGroupIsRejected() {
        assertApplied(put(key("job", "a"), counter("requests_total", 1)));

        WriteOutcome outcome = put(key("job", "b"), gauge("requests_total", 2));

        assertThat(outcome.refusal().message()).isEqualTo(
                "collected metric \"requests_total\" {instance=\"\",job=\"b\"} is not a COUNTER (in group {job=\"a\"})");
        assertThat(group(key("job", "b")).family("requests_total")).isNull();
    }

    @Test
    void aFamilyWhoseTypeWasNotGivenTakesTheTypeHeldForItsName() {
        assertApplied(put(key("job", "a"), gauge("t", 1)));

        assertApplied(store.write(request(key("job", "b"), untyped("t", 2)).withTypeNotGiven(Set.of("t"))));

        assertThat(group(key("job", "b")).family("t").family().type()).isEqualTo(MetricType.GAUGE);
    }

    @Test
    void aFamilyWhoseTypeWasNotGivenKeepsItsOwnWhenNoneIsHeld() {
        assertApplied(store.write(request(key("job", "b"), untyped("t", 2)).withTypeNotGiven(Set.of("t"))));
        assertApplied(store.write(request(key("job", "c"), gauge("t", 3)).withTypeNotGiven(Set.of("t"))));

        assertThat(group(key("job", "b")).family("t").family().type()).isEqualTo(MetricType.UNTYPED);
        assertThat(group(key("job", "c")).family("t").family().type()).isEqualTo(MetricType.UNTYPED);
    }

    @Test
    void aFamilyWhoseTypeWasGivenIsRefusedOnAConflictNamingTheGroupThatHoldsIt() {
        assertApplied(put(key("job", "a"), gauge("t", 1)));

        WriteOutcome outcome = put(key("job", "b"), untyped("t", 2));

        assertThat(outcome.refusal().message())
                .isEqualTo("collected metric \"t\" {instance=\"\",job=\"b\"} is not a GAUGE (in group {job=\"a\"})");
    }

    @Test
    void checkAdoptsTheHeldTypeAsTheWriteWouldAndChangesNothing() {
        assertApplied(put(key("job", "a"), counter("t", 1)));

        WriteRequest notGiven = request(key("job", "b"), gauge("t", 2)).withTypeNotGiven(Set.of("t"));

        assertThat(store.check(notGiven).wasApplied()).isTrue();
        assertThat(store.snapshot().groups()).hasSize(1);
    }

    @Test
    void aGroupMayChangeTheTypeOfAFamilyOnlyItHolds() {
        assertApplied(put(key("job", "a"), counter("x", 1)));
        assertApplied(put(key("job", "a"), gauge("x", 2)));

        assertThat(group(key("job", "a")).family("x").family().type()).isEqualTo(MetricType.GAUGE);
    }

    @Test
    void groupsMayPushOneFamilyWithDifferentHelpTextsAndEachKeepsItsOwn() {
        // upstream's TestHelpStringFix (storage/diskmetricstore_test.go): job2's push of mf_help with another
        // help than job1's is taken without error
        assertApplied(put(key("job", "b"), withHelp(gauge("x", 2), "Temperature in degrees Celsius.")));
        assertApplied(put(key("job", "a"), withHelp(gauge("x", 1), "Temperature.")));
        assertApplied(put(key("job", "c"), gauge("x", 3)));
        assertApplied(write(key("job", "b"), Verb.POST, withHelp(gauge("x", 4), "Temperature, new client.")));

        assertThat(group(key("job", "a")).family("x").family().help()).isEqualTo("Temperature.");
        assertThat(group(key("job", "b")).family("x").family().help()).isEqualTo("Temperature, new client.");
        assertThat(group(key("job", "c")).family("x").family().help()).isNull();
    }

    @Test
    void theScrapeServesTheHelpOfTheFirstGroupInKeyOrderThatHasOne() throws IOException {
        assertApplied(put(key("job", "b"), withHelp(gauge("x", 2), "Help of b.")));
        assertApplied(put(key("job", "c"), withHelp(gauge("x", 3), "Help of c.")));
        assertApplied(put(key("job", "a"), gauge("x", 1)));

        assertThat(scrape()).contains("# HELP x Help of b.\n# TYPE x gauge\nx{instance=\"\",job=\"a\"} 1\n"
                + "x{instance=\"\",job=\"b\"} 2\nx{instance=\"\",job=\"c\"} 3\n").doesNotContain("Help of c.");
        assertThat(scrape(WireFormat.OPENMETRICS)).contains("# HELP x Help of b.\n# TYPE x gauge\n")
                .doesNotContain("Help of c.");
        assertThat(scrape(WireFormat.PROTOBUF)).contains("Help of b.").doesNotContain("Help of c.");

        assertApplied(put(key("job", "a"), withHelp(gauge("x", 1), "Help of a.")));
        assertThat(scrape()).contains("# HELP x Help of a.\n").doesNotContain("Help of b.");

        assertApplied(store.write(WriteRequest.delete(key("job", "a"), Source.http("test"))));
        assertApplied(store.write(WriteRequest.delete(key("job", "b"), Source.http("test"))));
        assertThat(scrape()).contains("# HELP x Help of c.\n");
    }

    @Test
    void aDifferentHelpIsNoConflictForTheCheckNorForAGroupAdoptedFromAnotherReplica() {
        assertApplied(put(key("job", "a"), withHelp(gauge("x", 1), "Temperature.")));
        Store replica = new Store(clock, true, name -> null, new ExpirySchedule());
        assertApplied(replica.write(request(key("job", "b"), withHelp(gauge("x", 2), "Humidity."))));

        assertThat(store.check(request(key("job", "c"), withHelp(gauge("x", 3), "Humidity."))).wasApplied()).isTrue();
        assertThat(store.apply(new StoreCommand.Adopt(replica.group(key("job", "b")))).result())
                .isEqualTo(Adoption.Result.ADOPTED);
        assertThat(group(key("job", "b")).family("x").family().help()).isEqualTo("Humidity.");
    }

    @Test
    void aTypeConflictIsStillRefusedWhateverTheHelp() {
        assertApplied(put(key("job", "a"), withHelp(gauge("x", 1), "Temperature.")));

        assertThat(put(key("job", "b"), withHelp(counter("x", 2), "Temperature.")).refusal().message())
                .isEqualTo("collected metric \"x\" {instance=\"\",job=\"b\"} is not a GAUGE (in group {job=\"a\"})");
    }

    @Test
    void theSameSeriesFromTwoOverlappingGroupsIsRejected() {
        MetricFamily withInstanceLabel = new MetricFamily("x", null, MetricType.GAUGE,
                List.of(Metric.simple(List.of(new Label("instance", "i1")), 1, null)));
        assertApplied(put(key("job", "a"), withInstanceLabel));

        WriteOutcome outcome = put(key("job", "a", "instance", "i1"), gauge("x", 2));

        assertThat(outcome.refusal().message()).isEqualTo("collected metric \"x\" {instance=\"i1\",job=\"a\"} was collected"
                + " before with the same name and label values (in group {job=\"a\"})");
    }

    @Test
    void aDuplicateSeriesWithinOnePushIsRejected() {
        MetricFamily twice = new MetricFamily("x", null, MetricType.GAUGE, List.of(
                Metric.simple(List.of(new Label("a", "1")), 1, null), Metric.simple(List.of(new Label("a", "1")), 2, null)));

        WriteOutcome outcome = put(key("job", "a"), twice);

        assertThat(outcome.refusal().message()).isEqualTo(
                "collected metric \"x\" {a=\"1\",instance=\"\",job=\"a\"} was collected before with the same name and label values");
    }

    @Test
    void aDuplicateSeriesIsFoundWhereverItIsInAFamilyOfAnySize() {
        for (int size : new int[] {2, 3, SeriesRules.PAIRWISE_SERIES, SeriesRules.PAIRWISE_SERIES + 1, 40}) {
            for (int duplicated = 0; duplicated < size - 1; duplicated += Math.max(1, size / 5)) {
                List<Metric> metrics = new ArrayList<>();
                for (int i = 0; i < size - 1; i++) {
                    metrics.add(Metric.simple(List.of(new Label("a", "v" + i)), i, null));
                }
                metrics.add(Metric.simple(List.of(new Label("a", "v" + duplicated)), -1, null));
                MetricFamily family = new MetricFamily("x", null, MetricType.GAUGE, metrics);

                WriteOutcome outcome = put(key("job", "d" + size + "_" + duplicated), family);

                assertThat(outcome.refusal()).as("%d series, the last repeating series %d", size, duplicated).isNotNull();
                assertThat(outcome.refusal().message()).isEqualTo("collected metric \"x\" {a=\"v" + duplicated
                        + "\",instance=\"\",job=\"d" + size + "_" + duplicated + "\"} was collected before with the same"
                        + " name and label values");
            }
            List<Metric> distinct = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                distinct.add(Metric.simple(List.of(new Label("a", "v" + i)), i, null));
            }
            assertApplied(put(key("job", "distinct" + size), new MetricFamily("x", null, MetricType.GAUGE, distinct)));
        }
    }

    @Test
    void aDuplicateSeriesIsFoundWhenTheGroupHoldsItsSeriesAlready() {
        for (int size : new int[] {3, SeriesRules.PAIRWISE_SERIES + 1, 40}) {
            GroupingKey key = key("job", "held" + size);
            assertApplied(put(key, series(size, 0, -1)));
            assertApplied(put(key, series(size, 100, -1))); // the same series again, new values

            for (int length : new int[] {size, size + 1}) {
                WriteOutcome outcome = put(key, series(length, 200, 0));

                assertThat(outcome.refusal()).as("%d series held, %d pushed, the last repeating the first", size, length)
                        .isNotNull();
                assertThat(outcome.refusal().message()).isEqualTo("collected metric \"x\" {a=\"v0\",instance=\"\",job=\"held"
                        + size + "\"} was collected before with the same name and label values");
            }
            assertThat(group(key).family("x").family().metrics().get(1).value()).isEqualTo(101);
        }
    }

    /** A family x of {@code count} series a="v0", a="v1", ... with values from {@code first}; the last a="v{repeat}" when repeat >= 0. */
    private static MetricFamily series(int count, double first, int repeat) {
        List<Metric> metrics = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String value = repeat >= 0 && i == count - 1 ? "v" + repeat : "v" + i;
            metrics.add(Metric.simple(List.of(new Label("a", value)), first + i, null));
        }
        return new MetricFamily("x", null, MetricType.GAUGE, metrics);
    }

    @Test
    void aPushMayAddSeriesToTidegatesOwnFamilyOnlyWithItsType() {
        assertApplied(put(key("job", "a"), counter("process_cpu_seconds_total", 5)));

        WriteOutcome outcome = put(key("job", "b"), gauge("process_cpu_seconds_total", 5));

        assertThat(outcome.refusal().message()).isEqualTo(
                "gathered metric family process_cpu_seconds_total has type GAUGE but should have COUNTER");
    }

    @Test
    void aProtobufValueOfAnotherKindThanItsFamilyIsRejected() {
        Metric gaugeValue = new Metric(List.of(), 1, 0, 0, null, null, null, null, Metric.valueKindBit(MetricType.GAUGE));
        MetricFamily counter = new MetricFamily("c", null, MetricType.COUNTER, List.of(gaugeValue));

        assertThat(put(key("job", "a"), counter).refusal().message())
                .isEqualTo("collected metric \"c\" {instance=\"\",job=\"a\"} is not a COUNTER");
    }

    @Test
    void invalidAndReservedLabelNamesAreRejected() {
        MetricFamily reserved = new MetricFamily("x", null, MetricType.GAUGE,
                List.of(Metric.simple(List.of(new Label("__name", "v")), 1, null)));
        assertThat(put(key("job", "a"), reserved).refusal().message()).contains("has a label with an invalid name: __name");
        MetricFamily quantile = new MetricFamily("s", null, MetricType.SUMMARY,
                List.of(Metric.summary(List.of(new Label("quantile", "0.5")), 1, 1, List.of(), null)));
        assertThat(put(key("job", "a"), quantile).refusal().message()).contains("must not have an explicit \"quantile\" label");
    }

    @Test
    void withTheCheckDisabledTypeConflictsAreStillRefused() {
        Store unchecked = new Store(clock, false, name -> null, new ExpirySchedule());
        assertApplied(unchecked.write(request(key("job", "a"), withHelp(counter("x", 1), "one"))));

        assertApplied(unchecked.write(request(key("job", "b"), withHelp(counter("x", 2), "two"))));
        assertThat(unchecked.write(request(key("job", "c"), gauge("x", 2))).refusal().message()).contains("is not a COUNTER");
    }

    @Test
    void wipeRemovesEveryGroup() {
        assertApplied(put(key("job", "a"), gauge("x", 1)));
        assertApplied(put(key("job", "b"), gauge("x", 1)));

        store.write(WriteRequest.wipe(Source.http("test")));

        assertThat(store.snapshot().groups()).isEmpty();
        assertThat(store.snapshot().groupCount()).isZero();
    }

    @Test
    void checkTellsWhatAWriteWouldBecomeAndChangesNothing() {
        assertApplied(put(key("job", "a"), counter("requests_total", 1)));
        clock.advance(Duration.ofSeconds(10));
        WriteRequest conflicting = request(key("job", "b"), gauge("requests_total", 2));

        assertThat(store.check(conflicting).refusal().message()).contains("is not a COUNTER");
        assertThat(store.check(request(key("job", "c"), gauge("x", 1))).wasApplied()).isTrue();

        assertThat(store.snapshot().groups()).extracting(Group::key).containsExactly(key("job", "a"));
        assertThat(store.snapshot().groupCount()).isEqualTo(1);
    }

    @Test
    void seriesCountFollowsWrites() {
        assertApplied(put(key("job", "a"), gauge("x", 1), gauge("y", 1)));
        assertThat(store.snapshot().seriesCount()).isEqualTo(4); // two families plus the two push time gauges
        assertApplied(put(key("job", "a"), gauge("x", 1)));
        assertThat(store.snapshot().seriesCount()).isEqualTo(3);
    }

    private static void assertApplied(WriteOutcome outcome) {
        assertThat(outcome.refusal()).isNull();
    }

    private WriteOutcome put(GroupingKey key, MetricFamily... families) {
        return write(key, Verb.PUT, families);
    }

    private WriteOutcome write(GroupingKey key, Verb verb, MetricFamily... families) {
        return store.write(new WriteRequest(key, verb, families(families), Source.http("test")));
    }

    private static WriteRequest request(GroupingKey key, MetricFamily... families) {
        return new WriteRequest(key, Verb.PUT, families(families), Source.http("test"));
    }

    private static Map<String, MetricFamily> families(MetricFamily... families) {
        Map<String, MetricFamily> byName = new LinkedHashMap<>();
        Arrays.stream(families).forEach(f -> byName.put(f.name(), f));
        return byName;
    }

    private String scrape() throws IOException {
        return scrape(WireFormat.TEXT);
    }

    /** The scrape in {@code format}; protobuf's bytes read as UTF-8, which keeps its strings readable. */
    private String scrape(WireFormat format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.snapshot().scrape(format, List.of(), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private Group group(GroupingKey key) {
        return store.snapshot().groups().stream().filter(g -> g.key().equals(key)).findFirst().orElseThrow();
    }

    private List<String> familyNames(GroupingKey key) {
        return new ArrayList<>(group(key).families().keySet());
    }

    private double value(GroupingKey key, String family) {
        return group(key).family(family).family().metrics().get(0).value();
    }

    private static MetricFamily gauge(String name, double value) {
        return new MetricFamily(name, null, MetricType.GAUGE, List.of(Metric.simple(List.of(), value, null)));
    }

    private static MetricFamily untyped(String name, double value) {
        return new MetricFamily(name, null, MetricType.UNTYPED, List.of(Metric.simple(List.of(), value, null)));
    }

    private static MetricFamily counter(String name, double value) {
        return new MetricFamily(name, null, MetricType.COUNTER, List.of(Metric.simple(List.of(), value, null)));
    }

    private static MetricFamily withHelp(MetricFamily family, String help) {
        return new MetricFamily(family.name(), help, family.type(), family.metrics());
    }
}
