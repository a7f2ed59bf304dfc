package io.tidegate.store;

import io.tidegate.key.GroupingKey;
import static io.tidegate.TestKeys.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidegate.TestClock;
import io.tidegate.format.Label;
import io.tidegate.format.Refusal;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.MetricType;
import io.tidegate.ttl.ExpirySchedule;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WriteLimitsTest {
    private final WriteLimits limits = new WriteLimits(3, 4, 10, 20, 1, 0);
    private final Store store = new Store(new TestClock(Instant.parse("2026-11-25T10:00:00Z")), true, name -> null,
            0, limits, new ExpirySchedule());

    private static MetricFamily gauge(String name, List<Label>... series) {
        return new MetricFamily(name, "", MetricType.GAUGE,
                java.util.Arrays.stream(series).map(labels -> Metric.simple(labels, 1, null)).toList());
    }

    private static WriteRequest put(GroupingKey key, MetricFamily... families) {
        Map<String, MetricFamily> byName = new java.util.LinkedHashMap<>();
        for (MetricFamily family : families) {
            byName.put(family.name(), family);
        }
        return new WriteRequest(key, Verb.PUT, byName, Source.http("test"));
    }

    @Test
    void seriesAreCountedOverAllFamilies() {
        assertThat(limits.check(put(key("job", "a"), gauge("x", List.of(), List.of(new Label("n", "1"))),
                gauge("y", List.of())))).isNull();
        WriteLimits.Violation violation = limits.check(put(key("job", "a"),
                gauge("x", List.of(), List.of(new Label("n", "1"))), gauge("y", List.of(), List.of(new Label("n", "2")))));
        assertThat(violation.refusal().reason()).isEqualTo(Refusal.Reason.TOO_MANY_SERIES);
    }

    @Test
    void labelsAreCountedAsStoredWithTheKeyAndInstance() {
        // job and instance from the key, a and b from the body: 4; a body job is replaced, not added
        assertThat(limits.check(put(key("job", "a", "instance", "i"),
                gauge("x", List.of(new Label("a", "1"), new Label("b", "2"), new Label("job", "z")))))).isNull();
        // job from the key, instance added, a, b, c: 5
        assertThat(limits.check(put(key("job", "a"),
                gauge("x", List.of(new Label("a", "1"), new Label("b", "2"), new Label("c", "3"))))).refusal().reason())
                .isEqualTo(Refusal.Reason.OVERSIZED_LABELS);
    }

    @Test
    void deletesPassEveryLimit() {
        assertThat(limits.check(WriteRequest.delete(key("job", "j".repeat(100)), Source.http("test")))).isNull();
    }

    @Test
    void groupLimitRefusesOnlyNewGroupsAndStoresNothingForThem() {
        assertThat(store.write(put(key("job", "a"), gauge("x", List.of()))).wasApplied()).isTrue();
        assertThat(store.write(put(key("job", "a"), gauge("x", List.of()))).wasApplied()).isTrue();

        WriteOutcome refused = store.write(put(key("job", "b"), gauge("x", List.of())));

        assertThat(refused.refusal().reason()).isEqualTo(Refusal.Reason.TOO_MANY_GROUPS);
        assertThat(refused.refusal().message()).isEqualTo("the gateway already holds 1 groups, the most --store.max-groups "
                + "allows (1); a new group can be pushed once others expire or are deleted");
        assertThat(store.snapshot().groupCount()).isEqualTo(1);
        assertThat(store.check(put(key("job", "b"), gauge("x", List.of()))).refusal().reason())
                .isEqualTo(Refusal.Reason.TOO_MANY_GROUPS);
    }

    @Test
    void aWriteOverALimitIsRefusedByTheStoreWithoutAFailureTime() {
        assertThat(store.write(put(key("job", "a"), gauge("x", List.of()))).wasApplied()).isTrue();

        WriteOutcome refused = store.write(put(key("job", "a"), gauge("x", List.of(new Label("n", "1")),
                List.of(new Label("n", "2")), List.of(new Label("n", "3")), List.of(new Label("n", "4")))));

        assertThat(refused.refusal().reason()).isEqualTo(Refusal.Reason.TOO_MANY_SERIES);
        assertThat(store.snapshot().groups().get(0).family("push_failure_time_seconds").family().metrics().get(0).value())
                .isZero();
    }

    @Test
    void flagDefaultsAreTheDefaults() {
        io.tidegate.cli.Flags flags = new io.tidegate.cli.Flags();
        io.tidegate.cli.Flags.commandLine(flags).parseArgs();
        assertThat(flags.writeLimits()).isEqualTo(WriteLimits.DEFAULTS);
        assertThat(flags.webConfigFile).isEmpty();
    }

    @Test
    void limitsBelowOneAreRefused() {
        assertThatThrownBy(() -> new WriteLimits(0, 1, 1, 1, 1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be at least 1");
    }
}
