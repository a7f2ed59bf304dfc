package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidegate.format.TextFormatParser;
import io.tidegate.push.PushReplication;
import io.tidegate.key.GroupingKey;
import io.tidegate.store.Source;
import io.tidegate.store.Ttls;
import io.tidegate.store.Verb;
import io.tidegate.store.WriteOutcome;
import io.tidegate.store.WriteRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The HTTP side of replication, against a broker stand-in that delivers (or not) what is published. */
class BrokerReplicationTest {
    private final IngestFixture fixture = new IngestFixture();
    private final List<Publication> published = new ArrayList<>();

    private WriteRequest put(String job, String body) throws Exception {
        return new WriteRequest(GroupingKey.of(Map.of("job", job)), Verb.PUT, new TextFormatParser().parse(body).families(),
                Ttls.NEVER, Source.http("10.0.0.7"));
    }

    private BrokerReplication replication(List<String> ownFilters, long maxPayload, Consumer<Publication> broker) {
        BrokerReplication replication = new BrokerReplication("metrics", "tidegate-a", ownFilters,
                fixture.ingest.appliedReplications(), maxPayload, fixture.clock, Duration.ofMillis(200));
        replication.publishThrough(new FakeSubscriber(true, broker));
        return replication;
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

        assertThat(replication.replicate(put("a", "x 1\n"))).isEqualTo(WriteOutcome.applied());
        assertThat(fixture.value(GroupingKey.of(Map.of("job", "a")), "x")).isEqualTo(1);
        // a conflict only the broker's order reveals: refused here, and the pusher hears it
        fixture.store.write(put("b", "# TYPE y counter\ny 1\n"));
        assertThat(replication.replicate(put("a", "# TYPE y gauge\ny 2\n")).wasApplied()).isFalse();
    }

    @Test
    void aPushForAnotherShardIsAnsweredOnceTheBrokerHasIt() throws Exception {
        BrokerReplication replication = replication(List.of("metrics/job/site-a/#"), 1 << 20, published::add);

        assertThat(replication.replicate(put("site-b", "x 1\n"))).isEqualTo(WriteOutcome.applied());
        assertThat(published).singleElement().extracting(Publication::topic).isEqualTo("metrics/job/site-b");
        assertThat(fixture.store.groups()).isEmpty();
    }

    @Test
    void aBrokerThatDoesNotAcknowledgeIsA503AndNothingIsApplied() {
        BrokerReplication replication = replication(List.of("metrics/job/#"), 1 << 20, publication -> {
            throw new MqttPublishException("Client is not connected (32104)");
        });

        assertThatThrownBy(() -> replication.replicate(put("a", "x 1\n"))).isInstanceOf(PushReplication.Failure.class)
                .hasMessage("the MQTT broker did not acknowledge the push, so it was not stored: Client is not connected (32104)")
                .extracting(e -> ((PushReplication.Failure) e).status()).isEqualTo(503);
        assertThat(fixture.store.groups()).isEmpty();
    }

    @Test
    void aPushLargerThanTheMqttPayloadLimitIsA413() {
        BrokerReplication replication = replication(List.of("metrics/job/#"), 10, published::add);

        assertThatThrownBy(() -> replication.replicate(put("a", "x_with_a_long_name 1\n")))
                .isInstanceOf(PushReplication.Failure.class).hasMessageContaining("--mqtt.max-payload-size")
                .extracting(e -> ((PushReplication.Failure) e).status()).isEqualTo(413);
        assertThat(published).isEmpty();
    }

    @Test
    void replicationRefusesABrokerSpokenToInMqtt311() {
        BrokerReplication replication = new BrokerReplication("metrics", "tidegate-a", List.of("metrics/job/#"),
                fixture.ingest.appliedReplications(), 1 << 20, fixture.clock, Duration.ofMillis(200));

        assertThatThrownBy(() -> replication.publishThrough(new FakeSubscriber(false, published::add)))
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
