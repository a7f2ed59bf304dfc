package io.tidegate.ttl;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.TestClock;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.MetricType;
import io.tidegate.key.GroupingKey;
import io.tidegate.store.Source;
import io.tidegate.store.Store;
import io.tidegate.store.Ttls;
import io.tidegate.store.Verb;
import io.tidegate.store.WriteRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpirySweeperTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final Store store = new Store(clock, true, name -> null, new ExpirySchedule());

    @Test
    void oneSweepFreesEveryDueGroupEvenBeyondOneBatch() {
        int groups = ExpirySweeper.BATCH_GROUPS * 2 + 7;
        for (int i = 0; i < groups; i++) {
            push("device" + i, Duration.ofMinutes(1));
        }
        push("alive", Duration.ofMinutes(5));
        clock.advance(Duration.ofMinutes(1));

        new ExpirySweeper(store, clock).sweep();

        assertThat(store.snapshot().groupCount()).isEqualTo(1);
        assertThat(store.snapshot().expiredGroups()).isEqualTo(groups);
    }

    @Test
    void aSweepBeforeTheDeadlineFreesNothing() {
        push("device", Duration.ofMinutes(1));
        clock.advance(Duration.ofSeconds(59));

        new ExpirySweeper(store, clock).sweep();

        assertThat(store.snapshot().groupCount()).isEqualTo(1);
    }

    private void push(String job, Duration ttl) {
        MetricFamily family = new MetricFamily("x", null, MetricType.GAUGE, List.of(Metric.simple(List.of(), 1, null)));
        store.write(new WriteRequest(GroupingKey.of(Map.of("job", job)), Verb.PUT, Map.of("x", family),
                Ttls.of(ttl.toMillis()), Source.http("test")));
    }
}
