package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.format.TextFormatParser;
import io.tidegate.key.GroupingKey;
import io.tidegate.store.Source;
import io.tidegate.store.Ttls;
import io.tidegate.store.Verb;
import io.tidegate.store.WriteOutcome;
import io.tidegate.store.WriteRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The ingest applies a write another Tidegate replicated as that Tidegate took it, once per id. */
class MqttIngestReplicationTest {
    private static final GroupingKey KEY = GroupingKey.of(Map.of("job", "backup", "instance", "db1"));
    private static final TopicScheme TOPICS = new TopicScheme("metrics");

    private final IngestFixture fixture = new IngestFixture();
    private int ids;

    private MqttMessage replicated(Verb verb, String body, Ttls ttls, long writtenAtMillis) throws Exception {
        WriteRequest request = verb == Verb.DELETE ? WriteRequest.delete(KEY, Source.http("10.0.0.7"))
                : new WriteRequest(KEY, verb, new TextFormatParser().parse(body).families(), ttls, Source.http("10.0.0.7"));
        Publication publication = ReplicatedWrite.encode(TOPICS, request, "tidegate-a", "w" + ++ids, writtenAtMillis);
        return new MqttMessage(publication.topic(), publication.payload(), false, 1, publication.expiryIntervalSeconds(),
                publication.contentType(), publication.userProperties());
    }

    private void deliver(MqttMessage message) {
        fixture.ingest.onMessage(message, () -> {});
    }

    @Test
    void aReplicatedPostReplacesOnlyItsFamiliesAndAPutTheWholeGroup() throws Exception {
        long now = fixture.now().toEpochMilli();
        deliver(replicated(Verb.PUT, "a 1\nb 2\n", Ttls.NEVER, now));
        deliver(replicated(Verb.POST, "b 3\n", Ttls.NEVER, now));

        assertThat(fixture.value(KEY, "a")).isEqualTo(1);
        assertThat(fixture.value(KEY, "b")).isEqualTo(3);
        assertThat(fixture.group(KEY).source().replicaOrigin()).isEqualTo("tidegate-a");

        deliver(replicated(Verb.PUT, "c 4\n", Ttls.NEVER, now));
        assertThat(fixture.group(KEY).families()).containsKey("c").doesNotContainKeys("a", "b");

        deliver(replicated(Verb.DELETE, "", Ttls.NEVER, now));
        assertThat(fixture.group(KEY)).isNull();
    }

    @Test
    void aCopyDeliveredTwiceIsAppliedOnce() throws Exception {
        long now = fixture.now().toEpochMilli();
        MqttMessage post = replicated(Verb.POST, "b 1\n", Ttls.NEVER, now);
        deliver(post);
        deliver(replicated(Verb.POST, "b 2\n", Ttls.NEVER, now));

        deliver(post); // QoS 1 after a reconnect, or through a second matching subscription

        assertThat(fixture.value(KEY, "b")).isEqualTo(2);
        assertThat(fixture.skipped(SkipReason.DUPLICATE)).isEqualTo(1);
    }

    @Test
    void theDeadlineCountsFromWhenTheWriteWasTakenNotWhenItArrived() throws Exception {
        long takenAt = fixture.now().toEpochMilli();
        MqttMessage put = replicated(Verb.PUT, "a 1\n", Ttls.of(60_000), takenAt);
        fixture.advance(Duration.ofSeconds(20)); // queued for this replica while it was away

        deliver(put);

        assertThat(fixture.deadline(KEY, "a").toEpochMilli()).isEqualTo(takenAt + 60_000);
        assertThat(fixture.ingest.rejections()).isEmpty();
    }

    @Test
    void aWriteWhoseTtlRanOutBeforeItArrivedBringsNothingBack() throws Exception {
        MqttMessage put = replicated(Verb.PUT, "a 1\n", Ttls.of(2_000), fixture.now().toEpochMilli());
        fixture.advance(Duration.ofSeconds(3));

        deliver(put);

        assertThat(fixture.group(KEY)).isNull();
    }

    @Test
    void thePushWaitingForItsOwnWriteLearnsTheOutcome() throws Exception {
        MqttMessage put = replicated(Verb.PUT, "a 1\n", Ttls.NEVER, fixture.now().toEpochMilli());
        CompletableFuture<WriteOutcome> waiting = fixture.ingest.appliedReplications().expect(put.userProperties().get("id"));

        deliver(put);

        assertThat(waiting).isCompletedWithValue(WriteOutcome.applied());
    }

    @Test
    void aReplicatedWipeRemovesEveryGroupHoweverItCameOnceAndTellsThePushWaitingForIt() throws Exception {
        long now = fixture.now().toEpochMilli();
        deliver(replicated(Verb.PUT, "a 1\n", Ttls.NEVER, now));
        fixture.publish(Publish.live("metrics/job/device", "temperature 21\n"));
        Publication wipe = ReplicatedWrite.encode(TOPICS, WriteRequest.wipe(Source.http("10.0.0.7")), "tidegate-a",
                "w" + ++ids, now);
        MqttMessage message = new MqttMessage(wipe.topic(), wipe.payload(), false, 1, wipe.expiryIntervalSeconds(),
                wipe.contentType(), wipe.userProperties());
        CompletableFuture<WriteOutcome> waiting = fixture.ingest.appliedReplications()
                .expect(wipe.userProperties().get("id"));

        deliver(message);

        assertThat(fixture.store.snapshot().groups()).isEmpty();
        assertThat(waiting).isCompletedWithValue(WriteOutcome.applied());

        deliver(replicated(Verb.PUT, "b 2\n", Ttls.NEVER, now));
        deliver(message); // QoS 1 after a reconnect: the wipe was applied already
        assertThat(fixture.value(KEY, "b")).isEqualTo(2);
        assertThat(fixture.skipped(SkipReason.DUPLICATE)).isEqualTo(1);
    }

    @Test
    void aMessageOnTheWipeTopicThatIsNoReplicatedWipeWipesNothing() throws Exception {
        deliver(replicated(Verb.PUT, "a 1\n", Ttls.NEVER, fixture.now().toEpochMilli()));

        fixture.publish(Publish.live("metrics/tidegate/wipe", ""));
        deliver(new MqttMessage("metrics/tidegate/wipe", new byte[0], false, 1, null, null,
                Map.of("origin", "tidegate-a", "id", "x2", "verb", "DELETE", "time", "1")));

        assertThat(fixture.value(KEY, "a")).isEqualTo(1);
        assertThat(fixture.rejected(RejectReason.BAD_TOPIC)).isEqualTo(2);
    }

    @Test
    void aReplicatedWriteWithoutItsPropertiesIsRejectedAndChangesNothing() {
        deliver(new MqttMessage("metrics/job/backup/instance/db1", "a 1\n".getBytes(), false, 1, null, null,
                Map.of("origin", "tidegate-a", "id", "x1", "verb", "PATCH", "time", "1")));

        assertThat(fixture.group(KEY)).isNull();
        assertThat(fixture.rejected(RejectReason.BAD_PAYLOAD)).isEqualTo(1);
    }
}
