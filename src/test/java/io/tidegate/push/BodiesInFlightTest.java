package io.tidegate.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidegate.store.WriteLimits;
import io.tidegate.ttl.TtlResolver;
import io.tidegate.ttl.TtlRules;
import io.tidegate.store.GroupWriter;
import io.tidegate.store.WriteOutcome;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The budget of push bodies being read at once: what one body may take, and what others leave it. */
class BodiesInFlightTest {
    private final BodiesInFlight budget = new BodiesInFlight(1000);

    @Test
    void bodiesShareTheBudgetAndGiveBackWhatTheyTook() throws Exception {
        BodiesInFlight.Lease first = budget.lease();
        first.take(600);
        BodiesInFlight.Lease second = budget.lease();
        assertThatThrownBy(() -> second.take(600)).isInstanceOf(PushBody.BusyException.class)
                .hasMessage("other pushes being read take the 1000 bytes pushes may take at once on this heap; retry");
        second.close();
        assertThat(budget.reading()).isEqualTo(600);

        first.close();
        BodiesInFlight.Lease third = budget.lease();
        third.take(1000);
        assertThat(budget.reading()).isEqualTo(1000);
        third.close();
        assertThat(budget.reading()).isZero();
    }

    @Test
    void aBodyLargerThanTheWholeBudgetIsTooLargeForThisHeap() {
        BodiesInFlight.Lease lease = budget.lease();
        assertThatThrownBy(() -> {
            lease.take(900);
            lease.take(101);
        }).isInstanceOf(PushBody.TooLargeException.class).hasMessage("request body exceeds the 1000 bytes a push may take"
                + " while it is read on this heap (a 16th of the JVM's maximum heap, -Xmx): send smaller pushes or give"
                + " Tidegate more heap");
        lease.close();
        assertThat(budget.reading()).isZero();
    }

    @Test
    void theBudgetIsASixteenthOfTheHeapAndAtLeastOneMebibyte() {
        assertThat(BodiesInFlight.ofHeap(1L << 30).budget()).isEqualTo(64L << 20);
        assertThat(BodiesInFlight.ofHeap(8L << 20).budget()).isEqualTo(1L << 20);
    }

    /** Through the push adapter: 429 with Retry-After while others read, the push once they are done. */
    @Test
    void aPushThatFindsTheBudgetTakenIsAnswered429ToRetryAndNothingIsWritten() throws Exception {
        int[] writes = {0};
        GroupWriter writer = request -> {
            writes[0]++;
            return WriteOutcome.applied();
        };
        PushHandler push = new PushHandler(writer, new TtlResolver(TtlRules::none, Duration.ZERO, Duration.ZERO),
                new PushBody(1 << 20, WriteLimits.DEFAULTS.body(), budget), true, "/metrics/");
        BodiesInFlight.Lease other = budget.lease();
        other.take(950);

        PushAnswer refused = push.handle(TestPushRequest.put("/metrics/job/a", "# " + "c".repeat(100) + "\nx 1\n"));
        assertThat(refused).isEqualTo(new PushAnswer(429,
                "other pushes being read take the 1000 bytes pushes may take at once on this heap; retry",
                Map.of("Retry-After", "1")));
        assertThat(writes[0]).isZero();
        assertThat(budget.reading()).as("the refused body gave back what it took").isEqualTo(950);

        other.close();
        assertThat(push.handle(TestPushRequest.put("/metrics/job/a", "# " + "c".repeat(100) + "\nx 1\n")).status()).isEqualTo(200);
        assertThat(writes[0]).isEqualTo(1);
        assertThat(budget.reading()).isZero();
    }
}
