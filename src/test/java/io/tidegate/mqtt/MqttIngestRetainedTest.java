package io.tidegate.mqtt;

import static io.tidegate.TestKeys.key;
import static io.tidegate.mqtt.Publish.live;
import static io.tidegate.mqtt.Publish.retained;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.key.GroupingKey;
import io.tidegate.store.Source;
import io.tidegate.store.WriteRequest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Retained messages are stale copies of unknown age (SPEC §4): a copy of what was applied last on
 * its topic changes nothing; one never seen is applied and marked, or skipped with ignore-unseen.
 */
class MqttIngestRetainedTest {
    private static final String TOPIC = "metrics/job/sensor";
    private static final GroupingKey SENSOR = key("job", "sensor");

    private final IngestFixture gateway = new IngestFixture();

    @Test
    void retainedCopyOfTheLastAppliedMessageDoesNotRefreshTheDeadline() {
        gateway.publish(live(TOPIC, "temp 21\n").property("ttl", "60s"));
        gateway.advance(Duration.ofSeconds(30));

        gateway.publish(retained(TOPIC, "temp 21\n").property("ttl", "60s"));

        assertThat(gateway.deadline(SENSOR, "temp")).isEqualTo(IngestFixture.START.plusSeconds(60));
        assertThat(gateway.skipped(SkipReason.RETAINED_SEEN)).isEqualTo(1);
        assertThat(gateway.counter("tidegate_mqtt_messages_applied_total")).isEqualTo(1);
    }

    @Test
    void retainedCopyDoesNotReviveAnExpiredGroup() {
        gateway.publish(live(TOPIC, "temp 21\n").expiry(60));
        gateway.advance(Duration.ofSeconds(61));

        gateway.publish(retained(TOPIC, "temp 21\n").expiry(60));

        assertThat(gateway.group(SENSOR)).isNull();
        assertThat(gateway.skipped(SkipReason.RETAINED_SEEN)).isEqualTo(1);
    }

    @Test
    void retainedCopyDoesNotReviveAGroupDeletedOverHttp() {
        gateway.publish(live(TOPIC, "temp 21\n"));
        gateway.store.write(WriteRequest.delete(SENSOR, Source.http("127.0.0.1")));

        gateway.publish(retained(TOPIC, "temp 21\n"));

        assertThat(gateway.group(SENSOR)).isNull();
    }

    @Test
    void retainedEmptyLastWillSeenBeforeChangesNothing() {
        gateway.publish(live(TOPIC, ""));
        gateway.publish(live(TOPIC, "temp 21\n"));
        gateway.publish(live(TOPIC, ""));
        gateway.publish(live("metrics/job/sensor/humidity", "40"));

        gateway.publish(retained(TOPIC, ""));

        assertThat(gateway.value(SENSOR, "humidity")).isEqualTo(40);
        assertThat(gateway.skipped(SkipReason.RETAINED_SEEN)).isEqualTo(1);
    }

    @Test
    void liveCopyOfTheSamePayloadRefreshesTheDeadline() {
        gateway.publish(live(TOPIC, "temp 21\n").expiry(60));
        gateway.advance(Duration.ofSeconds(30));

        gateway.publish(live(TOPIC, "temp 21\n").expiry(60));

        assertThat(gateway.deadline(SENSOR, "temp")).isEqualTo(gateway.now().plusSeconds(60));
    }

    @Test
    void unseenRetainedMessageIsAppliedAndMarkedRetainedUntilALiveOneComes() {
        gateway.publish(retained(TOPIC, "temp 21\n"));

        assertThat(gateway.value(SENSOR, "temp")).isEqualTo(21);
        assertThat(gateway.group(SENSOR).source()).isEqualTo(Source.mqtt(TOPIC, true));

        gateway.publish(live(TOPIC, "temp 22\n"));

        assertThat(gateway.group(SENSOR).source()).isEqualTo(Source.mqtt(TOPIC, false));
    }

    @Test
    void retainedMessageThatDiffersFromTheLastAppliedIsApplied() {
        gateway.publish(live(TOPIC, "temp 21\n"));

        gateway.publish(retained(TOPIC, "temp 25\n"));

        assertThat(gateway.value(SENSOR, "temp")).isEqualTo(25);
        assertThat(gateway.group(SENSOR).source().retained()).isTrue();
    }

    @Test
    void contentTypeAndTtlPropertyAreAPartOfWhatMakesAMessageTheSame() {
        gateway.publish(live(TOPIC, "temp 21\n").property("ttl", "60s"));

        gateway.publish(retained(TOPIC, "temp 21\n").property("ttl", "120s"));
        gateway.publish(retained(TOPIC, "temp 21\n").property("ttl", "120s").contentType("text/plain"));

        assertThat(gateway.skipped(SkipReason.RETAINED_SEEN)).isZero();
        assertThat(gateway.counter("tidegate_mqtt_messages_applied_total")).isEqualTo(3);
    }

    @Test
    void theRemainingExpiryIntervalOfARetainedMessageIsItsTtl() {
        gateway.publish(retained(TOPIC, "temp 21\n").expiry(56));

        assertThat(gateway.deadline(SENSOR, "temp")).isEqualTo(gateway.now().plusSeconds(56));
    }

    @Test
    void theExpiryIntervalIsNoPartOfWhatMakesAMessageTheSame() {
        gateway.publish(live(TOPIC, "temp 21\n").expiry(60));
        gateway.advance(Duration.ofSeconds(4));

        gateway.publish(retained(TOPIC, "temp 21\n").expiry(56));

        assertThat(gateway.skipped(SkipReason.RETAINED_SEEN)).isEqualTo(1);
        assertThat(gateway.deadline(SENSOR, "temp")).isEqualTo(IngestFixture.START.plusSeconds(60));
    }

    @Test
    void eachNumberTopicRemembersItsOwnLastMessage() {
        gateway.publish(live("metrics/job/sensor/temp", "21").expiry(60));
        gateway.publish(live("metrics/job/sensor/humidity", "40").expiry(60));
        gateway.advance(Duration.ofSeconds(30));

        gateway.publish(retained("metrics/job/sensor/temp", "21").expiry(30));
        gateway.publish(retained("metrics/job/sensor/humidity", "40").expiry(30));

        assertThat(gateway.skipped(SkipReason.RETAINED_SEEN)).isEqualTo(2);
        assertThat(gateway.deadline(SENSOR, "temp")).isEqualTo(IngestFixture.START.plusSeconds(60));
    }

    @Test
    void ignoreUnseenSkipsRetainedMessagesNeverApplied() {
        IngestFixture strict = new IngestFixture(RetainedMode.IGNORE_UNSEEN, 100, Duration.ZERO, Duration.ZERO);

        strict.publish(retained(TOPIC, "temp 21\n"));

        assertThat(strict.group(SENSOR)).isNull();
        assertThat(strict.skipped(SkipReason.RETAINED_UNSEEN)).isEqualTo(1);

        strict.publish(live(TOPIC, "temp 22\n"));
        strict.publish(retained(TOPIC, "temp 22\n"));

        assertThat(strict.value(SENSOR, "temp")).isEqualTo(22);
        assertThat(strict.group(SENSOR).source().retained()).isFalse();
        assertThat(strict.skipped(SkipReason.RETAINED_SEEN)).isEqualTo(1);
    }

    @Test
    void rejectedMessageIsNotRemembered() {
        gateway.publish(live(TOPIC, "temp 21\n"));
        gateway.publish(live(TOPIC, "temp x\n"));

        gateway.publish(retained(TOPIC, "temp 21\n"));

        assertThat(gateway.skipped(SkipReason.RETAINED_SEEN)).isEqualTo(1);
    }

    @Test
    void pastItsCapacityTheMemoryForgetsTheTopicUpdatedLeastRecently() {
        IngestFixture small = new IngestFixture(RetainedMode.APPLY, 2, Duration.ZERO, Duration.ZERO);
        small.publish(live("metrics/job/a", "x 1\n"));
        small.publish(live("metrics/job/b", "x 1\n"));
        small.publish(live("metrics/job/a", "x 2\n"));
        small.publish(live("metrics/job/c", "x 1\n"));

        small.publish(retained("metrics/job/a", "x 2\n"));
        small.publish(retained("metrics/job/b", "x 1\n"));

        assertThat(small.ingest.retainedMemory().size()).isEqualTo(2);
        assertThat(small.group(key("job", "b")).source().retained()).isTrue();
        assertThat(small.group(key("job", "a")).source().retained()).isFalse();
        assertThat(small.skipped(SkipReason.RETAINED_SEEN)).isEqualTo(1);
    }

    @Test
    void aRestoredMemoryRecognisesRetainedCopiesAsTheOriginalDid() {
        gateway.publish(live(TOPIC, "temp 21\n"));
        IngestFixture restarted = new IngestFixture();
        gateway.ingest.retainedMemory().entries().forEach(restarted.ingest.retainedMemory()::restore);

        restarted.publish(retained(TOPIC, "temp 21\n"));

        assertThat(restarted.group(SENSOR)).isNull();
        assertThat(restarted.skipped(SkipReason.RETAINED_SEEN)).isEqualTo(1);
    }
}
