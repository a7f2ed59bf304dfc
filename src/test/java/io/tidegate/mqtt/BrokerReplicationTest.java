package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidegate.format.Refusal;
import io.tidegate.format.TextFormatParser;
import io.tidegate.key.GroupingKey;
import io.tidegate.store.Source;
import io.tidegate.store.Ttls;
import io.tidegate.store.Verb;
import io.tidegate.store.WriteLimits;
import io.tidegate.store.WriteOutcome;
import io.tidegate.store.WriteRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The writer HTTP pushes go through with {@code --mqtt.replicate}, against this instance's store and a
 * broker stand-in that delivers (or not) what is published.
 */
class BrokerReplicationTest {
    private IngestFixture fixture = new IngestFixture();
    private final List<Publication> published = new ArrayList<>();

    private WriteRequest put(String job, String body) throws Exception {
        return new WriteRequest(GroupingKey.of(Map.of("job", job)), Verb.PUT, new TextFormatParser().parse(body).families(),
                Ttls.NEVER, Source.http("10.0.0.7"));
    }

    private BrokerReplication replication(List<String> ownFilters, long maxPayload, Consumer<Publication> broker) {
        return through(new FakeSubscriber(true, broker), ownFilters, maxPayload);
    }

    private BrokerReplication through(MqttSubscriber publisher, List<String> ownFilters, long maxPayload) {
        return new BrokerReplication(fixture.store, publisher, "metrics", "tidegate-a", ownFilters,
                fixture.ingest.appliedReplications(), maxPayload, fixture.clock, Duration.ofMillis(200));
    }

    /** Delivers every publication back to this instance's ingest, as the broker does to a subscriber. */
    private void deliverHere(Publication publication) {
        published.add(publication);
        fixture.ingest.onMessage(new MqttMessage(publication.topic(), publication.payload(), false, 1,
                publication.expiryIntervalSeconds(), publication.contentType(), publication.userProperties()), () -> {});
    }

    @Test
    void aPushThisInstanceSubscribesToIsAnsweredOnceAppliedHere() throws Exception {
        BrokerReplication replication = replication(List.of("metrics/job/#"), 1 << 20, this::deliverHere);

        assertThat(replication.write(put("a", "x 1\n"))).isEqualTo(WriteOutcome.applied());
        assertThat(fixture.value(GroupingKey.of(Map.of("job", "a")), "x")).isEqualTo(1);
    }

    @Test
    void aConflictOnlyTheBrokersOrderRevealsIsRefusedAndThePusherHearsIt() throws Exception {
        // another replica's push reaches the broker, and so this instance, just before this one's
        WriteRequest first = put("b", "# TYPE y counter\ny 1\n");
        BrokerReplication replication = replication(List.of("metrics/job/#"), 1 << 20, publication -> {
            fixture.store.write(first);
            deliverHere(publication);
        });

        WriteOutcome outcome = replication.write(put("a", "# TYPE y gauge\ny 2\n"));

        assertThat(outcome.wasApplied()).isFalse();
        assertThat(outcome.refusal().reason()).isEqualTo(Refusal.Reason.INCONSISTENT);
        assertThat(published).hasSize(1);
    }

    @Test
    void aPushTheStoreHereRefusesNeverLeavesAndIsRecordedAsARefusedPush() throws Exception {
        BrokerReplication replication = replication(List.of("metrics/job/#"), 1 << 20, this::deliverHere);
        fixture.store.write(put("b", "# TYPE y counter\ny 1\n"));
        fixture.clock.advance(Duration.ofSeconds(10));

        WriteOutcome outcome = replication.write(put("a", "# TYPE y gauge\ny 2\n"));

        assertThat(outcome.refusal().reason()).isEqualTo(Refusal.Reason.INCONSISTENT);
        assertThat(outcome.refusal().message()).contains("is not a COUNTER");
        assertThat(published).isEmpty();
        assertThat(fixture.value(GroupingKey.of(Map.of("job", "a")), "push_failure_time_seconds"))
                .isEqualTo(fixture.clock.millis() / 1000.0);
    }

    @Test
    void aPushOverALimitHereNeverLeaves() throws Exception {
        fixture = new IngestFixture(new WriteLimits(1, 64, 1024, 16_384, 100, 0));
        BrokerReplication replication = replication(List.of("metrics/job/#"), 1 << 20, this::deliverHere);

        WriteOutcome outcome = replication.write(put("a", "x 1\ny 2\n"));

        assertThat(outcome.refusal().reason()).isEqualTo(Refusal.Reason.TOO_MANY_SERIES);
        assertThat(published).isEmpty();
        assertThat(fixture.store.snapshot().groups()).isEmpty();
    }

    @Test
    void aPushForAnotherShardIsAnsweredOnceTheBrokerHasIt() throws Exception {
        BrokerReplication replication = replication(List.of("metrics/job/site-a/#"), 1 << 20, published::add);

        assertThat(replication.write(put("site-b", "x 1\n"))).isEqualTo(WriteOutcome.applied());
        assertThat(published).singleElement().extracting(Publication::topic).isEqualTo("metrics/job/site-b");
        assertThat(fixture.store.snapshot().groups()).isEmpty();
    }

    @Test
    void aWipeTravelsOnTheWipeTopicWhichEveryReplicaTakesAndIsAnsweredOnceAppliedHere() throws Exception {
        BrokerReplication replication = replication(List.of("metrics/job/site-a/#", "metrics/tidegate/wipe"), 1 << 20,
                this::deliverHere);
        fixture.store.write(put("site-b", "x 1\n"));

        assertThat(replication.write(WriteRequest.wipe(Source.http("10.0.0.7")))).isEqualTo(WriteOutcome.applied());

        assertThat(published).singleElement().extracting(Publication::topic).isEqualTo("metrics/tidegate/wipe");
        assertThat(fixture.store.snapshot().groups()).isEmpty();
    }

    @Test
    void aBrokerThatDoesNotAcknowledgeMakesThePushUnavailableAndNothingIsApplied() throws Exception {
        BrokerReplication replication = replication(List.of("metrics/job/#"), 1 << 20, publication -> {
            throw new MqttPublishException("Client is not connected (32104)");
        });

        assertThat(replication.write(put("a", "x 1\n")).refusal()).isEqualTo(new Refusal(Refusal.Reason.UNAVAILABLE,
                "the MQTT broker did not acknowledge the push, so it was not stored: Client is not connected (32104)"));
        assertThat(fixture.store.snapshot().groups()).isEmpty();
    }

    @Test
    void whileTheConnectionIsDownEveryPushIsUnavailable() throws Exception {
        BrokerReplication replication = replication(List.of("metrics/job/#"), 1 << 20, publication -> {
            throw new MqttPublishException("not connected to the MQTT broker yet");
        });

        assertThat(replication.write(put("a", "x 1\n")).refusal()).isEqualTo(new Refusal(Refusal.Reason.UNAVAILABLE,
                "the MQTT broker did not acknowledge the push, so it was not stored: not connected to the MQTT broker yet"));
        assertThat(fixture.store.snapshot().groups()).isEmpty();
    }

    @Test
    void aPushLargerThanTheMqttPayloadLimitIsRefusedAsTooLarge() throws Exception {
        BrokerReplication replication = replication(List.of("metrics/job/#"), 10, published::add);

        Refusal refusal = replication.write(put("a", "x_with_a_long_name 1\n")).refusal();

        assertThat(refusal.reason()).isEqualTo(Refusal.Reason.TOO_LARGE);
        assertThat(refusal.message()).contains("--mqtt.max-payload-size");
        assertThat(published).isEmpty();
    }

    @Test
    void replicationRefusesABrokerSpokenToInMqtt311() {
        BrokerReplication replication = through(new FakeSubscriber(false, published::add), List.of("metrics/job/#"),
                1 << 20);

        assertThatThrownBy(replication::requireMqtt5)
                .isInstanceOf(MqttStartException.class)
                .hasMessage("--mqtt.replicate needs MQTT 5, but the connection tcp://broker:1883 (MQTT 3.1.1) fell back to "
                        + "MQTT 3.1.1: the broker refused MQTT 5");
    }

    private record FakeSubscriber(boolean speaksMqtt5, Consumer<Publication> broker) implements MqttSubscriber {
        @Override
        public void start(MessageHandler handler) {}

        @Override
        public void subscribeMappings(List<String> filters) {}

        @Override
        public void subscribeDiscovery(List<String> filters) {}

        @Override
        public boolean isConnected() {
            return true;
        }

        @Override
        public void publish(Publication publication) {
            broker.accept(publication);
        }

        @Override
        public long reconnects() {
            return 0;
        }

        @Override
        public String describe() {
            return "tcp://broker:1883 (MQTT " + (speaksMqtt5 ? "5" : "3.1.1") + ")";
        }

        @Override
        public void close() {}
    }
}
