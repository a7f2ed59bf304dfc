package io.tidegate.ttl;

import static io.tidegate.TestKeys.key;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.key.GroupingKey;
import io.tidegate.store.Group;
import io.tidegate.store.Source;
import io.tidegate.store.StoredFamily;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The schedule a store keeps of when each group next has something expire. */
class ExpiryScheduleTest {
    private final ExpirySchedule schedule = new ExpirySchedule();

    private static Group group(String job) {
        return new Group(key("job", job), Map.of(), Source.http("test"), StoredFamily.NEVER, false);
    }

    @Test
    void nothingScheduledIsNeverDue() {
        assertThat(schedule.nextMillis()).isEqualTo(StoredFamily.NEVER);
        assertThat(schedule.pollDue(Long.MAX_VALUE)).isNull();
    }

    @Test
    void groupsComeDueEarliestFirstAndThoseOfOneTimeInTheOrderScheduled() {
        schedule.add(group("late"), 3_000);
        schedule.add(group("first"), 1_000);
        schedule.add(group("second"), 1_000);

        assertThat(schedule.nextMillis()).isEqualTo(1_000);
        assertThat(schedule.pollDue(999)).isNull();
        assertThat(schedule.pollDue(2_000).key()).isEqualTo(key("job", "first"));
        assertThat(schedule.pollDue(2_000).key()).isEqualTo(key("job", "second"));
        assertThat(schedule.pollDue(2_000)).isNull();
        assertThat(schedule.nextMillis()).isEqualTo(3_000);
    }

    @Test
    void aRemovedGroupIsNotDueAndCanBeScheduledAgain() {
        GroupingKey rescheduled = key("job", "a");
        schedule.add(group("a"), 1_000);
        schedule.remove(rescheduled);
        schedule.remove(key("job", "never-scheduled"));

        assertThat(schedule.pollDue(5_000)).isNull();

        schedule.add(group("a"), 4_000);
        assertThat(schedule.nextMillis()).isEqualTo(4_000);
        assertThat(schedule.pollDue(5_000).key()).isEqualTo(rescheduled);
    }
}
