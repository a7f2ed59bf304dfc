package io.tidegate.ttl;

import static io.tidegate.TestKeys.key;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.key.GroupingKey;
import io.tidegate.store.Group;
import io.tidegate.store.Source;
import io.tidegate.store.StoredFamily;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
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

    @Test
    void devicesReschedulingWithSeveralTtlsAndTimesOutOfOrderComeDueInTimeOrder() {
        rescheduleAndPollInTimeOrder(true);
    }

    /** As the store reschedules a group it replaces: scheduling a key again moves its entry. */
    @Test
    void aGroupScheduledAgainComesDueOnceAtItsLatestTime() {
        schedule.add(group("a"), 1_000);
        schedule.add(group("b"), 2_000);
        schedule.add(group("a"), 3_000);

        assertThat(schedule.pollDue(5_000).key()).isEqualTo(key("job", "b"));
        assertThat(schedule.pollDue(5_000).key()).isEqualTo(key("job", "a"));
        assertThat(schedule.pollDue(5_000)).isNull();
        rescheduleAndPollInTimeOrder(false);
    }

    private void rescheduleAndPollInTimeOrder(boolean removeFirst) {
        // many interleaved TTLs and times going backwards: more than the lanes hold in order
        Random random = new Random(17);
        Map<String, Long> latest = new HashMap<>();
        for (int write = 0; write < 5_000; write++) {
            String device = "d" + random.nextInt(300);
            long at = write < 2_500 ? write + 1_000L * random.nextInt(20) : 100_000 - write;
            if (removeFirst) {
                schedule.remove(key("job", device));
            }
            schedule.add(group(device), at);
            latest.put(device, at);
        }
        Map<String, Long> polled = new HashMap<>();
        long previous = Long.MIN_VALUE;
        for (Group due; (due = schedule.pollDue(Long.MAX_VALUE - 1)) != null; ) {
            String device = due.key().get("job");
            long at = latest.get(device);
            assertThat(at).isGreaterThanOrEqualTo(previous);
            previous = at;
            assertThat(polled.put(device, at)).isNull();
        }
        assertThat(polled).isEqualTo(latest);
        assertThat(schedule.nextMillis()).isEqualTo(StoredFamily.NEVER);
    }
}
