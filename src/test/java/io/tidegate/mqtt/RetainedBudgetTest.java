package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.TestClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What the embedded broker may retain: Tidegate's topics only, within a count and a size, expired ones not counted. */
class RetainedBudgetTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-12-05T10:00:00Z"));

    @Test
    void onlyTidegatesTopicsUnlessAnyTopicIsAllowedAndClearingIsAlwaysFine() {
        RetainedBudget budget = new RetainedBudget(false, 10, 1000, clock);
        assertThat(budget.refusal("home/lamp", 2, false)).contains("only on Tidegate's topics")
                .contains("--mqtt.embedded.retain-any-topic");
        assertThat(budget.refusal("home/lamp", 0, false)).isNull();
        assertThat(budget.refusal("metrics/job/a", 2, true)).isNull();

        RetainedBudget any = new RetainedBudget(true, 10, 1000, clock);
        assertThat(any.refusal("home/lamp", 2, false)).isNull();
    }

    @Test
    void aRetainedPublishBeyondTheCountOrTheSizeIsRefusedAndReplacingOneIsNot() {
        RetainedBudget budget = new RetainedBudget(false, 2, 100, clock);
        budget.keep("metrics/job/a", 40, null);
        budget.keep("metrics/job/b", 40, null);

        assertThat(budget.refusal("metrics/job/c", 1, true)).contains("already retains 2 messages")
                .contains("--mqtt.embedded.max-retained-messages");
        assertThat(budget.refusal("metrics/job/a", 60, true)).as("replaces a's 40 bytes: 100 in all").isNull();
        assertThat(budget.refusal("metrics/job/a", 61, true)).contains("--mqtt.embedded.max-retained-size");

        budget.keep("metrics/job/b", 0, null); // cleared
        assertThat(budget.messages()).isEqualTo(1);
        assertThat(budget.refusal("metrics/job/c", 50, true)).isNull();
    }

    @Test
    void aRetainedMessageWhoseExpiryPassedNoLongerCounts() {
        RetainedBudget budget = new RetainedBudget(false, 1, 100, clock);
        budget.keep("metrics/job/a", 10, 60L);
        assertThat(budget.refusal("metrics/job/b", 10, true)).isNotNull();

        clock.advance(Duration.ofSeconds(61));

        assertThat(budget.refusal("metrics/job/b", 10, true)).isNull();
        assertThat(budget.messages()).isZero();
    }
}
