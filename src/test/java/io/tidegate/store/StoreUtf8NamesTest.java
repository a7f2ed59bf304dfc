package io.tidegate.store;

import static io.tidegate.TestKeys.key;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.TestClock;
import io.tidegate.format.Label;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.MetricType;
import io.tidegate.format.NameValidation;
import io.tidegate.ttl.ExpirySchedule;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The store's own check of names (every ingest path's last word): legacy by default, UTF-8 with the flag. */
class StoreUtf8NamesTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final WriteLimits d = WriteLimits.DEFAULTS;
    private final Store legacy = new Store(clock, true, name -> null, 0, d, new ExpirySchedule());
    private final Store utf8 = new Store(clock, true, name -> null, 0, new WriteLimits(d.maxSeries(),
            d.maxLabelsPerSeries(), d.maxLabelNameLength(), d.maxLabelValueLength(), d.maxGroups(), d.maxStoredSeries(),
            d.maxStoredBytes(), NameValidation.UTF8), new ExpirySchedule());

    private static MetricFamily dotted() {
        return new MetricFamily("my.metric", null, MetricType.GAUGE,
                List.of(Metric.simple(List.of(new Label("label.name", "v")), 1, null)));
    }

    private static WriteOutcome put(Store store, MetricFamily family) {
        return store.write(new WriteRequest(key("job", "a"), Verb.PUT, Map.of(family.name(), family), Source.http("t")));
    }

    @Test
    void utf8NamesAreStoredAsGivenWithTheFlag() {
        assertThat(put(utf8, dotted()).refusal()).isNull();
        Group group = utf8.snapshot().groups().get(0);
        assertThat(group.family("my.metric").family().metrics().get(0).labels())
                .contains(new Label("label.name", "v"));
    }

    @Test
    void utf8NamesAreRefusedWithoutTheFlagAsBefore() {
        assertThat(put(legacy, dotted()).refusal().message())
                .isEqualTo("metric name \"my.metric\" is not a valid metric name");
        assertThat(legacy.snapshot().groups().get(0).family("my.metric")).isNull(); // only the failure time is kept
    }

    @Test
    void reservedAndMalformedNamesAreRefusedEvenWithTheFlag() {
        MetricFamily reserved = new MetricFamily("x.y", null, MetricType.GAUGE,
                List.of(Metric.simple(List.of(new Label("__a.b", "v")), 1, null)));
        assertThat(put(utf8, reserved).refusal().message()).contains("has a label with an invalid name: __a.b");
        MetricFamily loneSurrogate = new MetricFamily("x\uD800", null, MetricType.GAUGE,
                List.of(Metric.simple(List.of(), 1, null)));
        assertThat(put(utf8, loneSurrogate).refusal().message()).contains("is not a valid metric name");
        assertThat(utf8.snapshot().groups().get(0).family("x.y")).isNull();
    }
}
