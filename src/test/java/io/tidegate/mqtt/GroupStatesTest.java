package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tidegate.format.TextFormatParser;
import io.tidegate.key.GroupingKey;
import io.tidegate.persist.GroupCodec;
import io.tidegate.store.Group;
import io.tidegate.store.Source;
import io.tidegate.store.StoredFamily;
import io.tidegate.store.Ttls;
import io.tidegate.store.Verb;
import io.tidegate.store.WriteOutcome;
import io.tidegate.store.WriteRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The broker as the store of the replicated groups (SPEC §9): a replica keeps each group's state on the
 * broker as a retained message, and a replica that joins with nothing takes every live group from those,
 * with its deadlines, never one that expired. A broker stand-in keeps the retained messages and passes
 * each replicated write to every replica subscribed to its topic.
 */
class GroupStatesTest {
    private static final GroupingKey BACKUP = GroupingKey.of(Map.of("job", "backup", "instance", "db1"));
    private static final GroupingKey NIGHTLY = GroupingKey.of(Map.of("job", "nightly"));
    private static final GroupingKey SHORT = GroupingKey.of(Map.of("job", "short"));
    private static final GroupingKey DOOMED = GroupingKey.of(Map.of("job", "doomed"));
    private static final List<String> EVERY_GROUP = List.of("metrics/tidegate/state/#", "metrics/job/#",
            "metrics/job@base64/#", "metrics/tidegate/wipe");

    private final Broker broker = new Broker();
    private final List<Replica> replicas = new ArrayList<>();

    @AfterEach
    void closeReplicas() {
        replicas.forEach(replica -> replica.states.close(Duration.ZERO));
    }

    @Test
    void aReplicaThatJoinsTakesEveryLiveGroupWithItsDeadlinesAndNothingThatExpired() throws Exception {
        Replica a = replica("tidegate-a", EVERY_GROUP);
        a.push(put(BACKUP, "backup_bytes 1\n", Ttls.of(60_000)));
        a.push(new WriteRequest(BACKUP, Verb.POST, families("backup_errors 0\n"), Ttls.of(600_000), Source.http("10.0.0.7")));
        a.push(put(NIGHTLY, "nightly_ok 1\n", Ttls.NEVER));
        a.push(put(SHORT, "x 1\n", Ttls.of(5_000)));
        a.push(put(DOOMED, "x 2\n", Ttls.NEVER));
        a.push(WriteRequest.delete(DOOMED, Source.http("10.0.0.7")));
        a.flushStates();
        assertThat(broker.retained).containsOnlyKeys("metrics/tidegate/state/job/backup/instance/db1",
                "metrics/tidegate/state/job/nightly", "metrics/tidegate/state/job/short");
        Publication state = broker.retained.get("metrics/tidegate/state/job/backup/instance/db1");
        assertThat(state.expiryIntervalSeconds()).as("the broker drops it when the group expires").isEqualTo(600);
        assertThat(broker.retained.get("metrics/tidegate/state/job/nightly").expiryIntervalSeconds()).isNull();

        Replica c = replica("tidegate-c", EVERY_GROUP);
        c.fixture.advance(Duration.ofSeconds(6)); // every fixture's clock starts at the same instant
        broker.join(c);

        assertSameGroup(c.fixture.group(BACKUP), a.fixture.group(BACKUP));
        assertThat(c.fixture.deadline(BACKUP, "backup_bytes")).isEqualTo(a.fixture.deadline(BACKUP, "backup_bytes"));
        assertThat(c.fixture.deadline(BACKUP, "backup_errors")).isEqualTo(a.fixture.deadline(BACKUP, "backup_errors"));
        assertThat(c.fixture.stored(BACKUP, "push_time_seconds").writtenAtMillis())
                .isEqualTo(a.fixture.stored(BACKUP, "push_time_seconds").writtenAtMillis());
        assertThat(c.fixture.group(BACKUP).source()).isEqualTo(a.fixture.group(BACKUP).source());
        assertThat(c.fixture.value(NIGHTLY, "nightly_ok")).isEqualTo(1);
        assertThat(c.fixture.group(SHORT)).as("expired while nobody looked: never comes back").isNull();
        assertThat(c.fixture.group(DOOMED)).isNull();
        assertThat(c.fixture.counter("tidegate_mqtt_group_states_adopted_total")).isEqualTo(2);
        assertThat(c.fixture.skipped(SkipReason.GROUP_STATE)).isEqualTo(1);

        c.fixture.advance(Duration.ofMinutes(2));
        c.fixture.store.apply(new io.tidegate.store.StoreCommand.ExpireDue(100));
        assertThat(c.fixture.group(BACKUP).families()).as("each family expires when it does on the first replica")
                .containsKey("backup_errors").doesNotContainKey("backup_bytes");
    }

    @Test
    void aStateIsNotTakenOverTheGroupHeldAsWrittenThenOrLaterButFillsInAGroupBuiltFromALaterPostAlone()
            throws Exception {
        Replica a = replica("tidegate-a", EVERY_GROUP);
        long then = a.fixture.now().toEpochMilli();
        a.push(put(BACKUP, "backup_bytes 1\nbackup_errors 0\n", Ttls.NEVER));
        a.flushStates();
        MqttMessage older = broker.retainedCopy("metrics/tidegate/state/job/backup/instance/db1");

        Replica c = replica("tidegate-c", EVERY_GROUP);
        c.deliver(c.replicated(put(BACKUP, "backup_bytes 2\n", Ttls.NEVER), "tidegate-b", then + 1));
        c.deliver(older);
        assertThat(c.fixture.group(BACKUP).families()).as("held as written later: kept")
                .containsKey("backup_bytes").doesNotContainKey("backup_errors");
        assertThat(c.fixture.value(BACKUP, "backup_bytes")).isEqualTo(2);

        Replica d = replica("tidegate-d", EVERY_GROUP);
        // the POST was written at the same moment as the state: the state holds what came before it too
        d.deliver(d.replicated(new WriteRequest(BACKUP, Verb.POST, families("backup_errors 0\n"), Ttls.NEVER,
                Source.http("10.0.0.7")), "tidegate-a", then));
        d.deliver(older);
        assertThat(d.fixture.value(BACKUP, "backup_bytes")).isEqualTo(1);
        assertThat(d.fixture.counter("tidegate_mqtt_group_states_adopted_total")).isEqualTo(1);

        d.deliver(older); // the broker sends the retained states again on every reconnect
        assertThat(d.fixture.counter("tidegate_mqtt_group_states_adopted_total")).isEqualTo(1);
        assertThat(d.fixture.skipped(SkipReason.GROUP_STATE)).isEqualTo(1);
    }

    @Test
    void onlyTheReplicaThatTookTheWritePublishesTheStateUnlessItDoesNotHoldTheGroup() throws Exception {
        Replica a = replica("tidegate-a", EVERY_GROUP);
        Replica b = replica("tidegate-b", EVERY_GROUP);
        a.push(put(BACKUP, "backup_bytes 1\n", Ttls.NEVER));
        a.flushStates();
        b.flushStates();
        assertThat(b.fixture.value(BACKUP, "backup_bytes")).isEqualTo(1);
        assertThat(broker.publishedBy("tidegate-a")).containsExactly("metrics/tidegate/state/job/backup/instance/db1");
        assertThat(broker.publishedBy("tidegate-b")).isEmpty();

        Replica shard = replica("shard-x", List.of("metrics/tidegate/state/#", "metrics/job/site-x/#",
                "metrics/tidegate/wipe"));
        GroupingKey other = GroupingKey.of(Map.of("job", "site-y"));
        shard.push(put(other, "y 1\n", Ttls.NEVER));
        a.flushStates();
        b.flushStates();
        assertThat(shard.fixture.group(other)).as("another shard's group").isNull();
        assertThat(broker.publishedBy("tidegate-a")).contains("metrics/tidegate/state/job/site-y");
        assertThat(broker.publishedBy("tidegate-b")).contains("metrics/tidegate/state/job/site-y");
        assertThat(broker.publishedBy("shard-x")).isEmpty();

        Replica joining = replica("shard-x2", List.of("metrics/tidegate/state/#", "metrics/job/site-x/#"));
        broker.join(joining);
        assertThat(joining.fixture.group(other)).as("a shard takes only the states of its own groups").isNull();
        assertThat(joining.fixture.group(BACKUP)).isNull();
    }

    @Test
    void aWipeClearsTheStateOfEveryGroupSoNoReplicaThatJoinsLaterTakesThem() throws Exception {
        Replica a = replica("tidegate-a", EVERY_GROUP);
        a.push(put(BACKUP, "backup_bytes 1\n", Ttls.NEVER));
        a.push(put(NIGHTLY, "nightly_ok 1\n", Ttls.of(60_000)));
        a.flushStates();
        assertThat(broker.retained).hasSize(2);

        a.push(WriteRequest.wipe(Source.http("10.0.0.7")));
        a.push(put(SHORT, "x 1\n", Ttls.NEVER));
        a.flushStates();

        assertThat(broker.retained).containsOnlyKeys("metrics/tidegate/state/job/short");
        Replica c = replica("tidegate-c", EVERY_GROUP);
        broker.join(c);
        assertThat(c.fixture.store.snapshot().groups()).extracting(Group::key).containsExactly(SHORT);
    }

    @Test
    void aStateThatIsNotOneIsRefusedSayingWhyAndChangesNothing() throws Exception {
        MqttMessage good = backupState(replica("tidegate-a", EVERY_GROUP));
        Replica c = replica("tidegate-c", EVERY_GROUP);

        String topic = good.topic();
        c.deliver(new MqttMessage(topic, "backup_bytes 1\n".getBytes(StandardCharsets.UTF_8), true, 1, null,
                "text/plain", Map.of()));
        assertThat(c.fixture.lastRejection(topic).message()).contains("content type must be application/vnd.tidegate.group");
        c.deliver(new MqttMessage(topic, new byte[] {1, 2, 3}, true, 1, null, GroupStates.CONTENT_TYPE, Map.of()));
        assertThat(c.fixture.lastRejection(topic).message()).startsWith("group state does not decode: ");
        c.deliver(new MqttMessage("metrics/tidegate/state/job/other", good.payload(), true, 1, null,
                GroupStates.CONTENT_TYPE, Map.of()));
        assertThat(c.fixture.lastRejection("metrics/tidegate/state/job/other").message())
                .isEqualTo("the state is of the group {job=\"backup\", instance=\"db1\"}, not of {job=\"other\"} that its topic names");
        c.deliver(new MqttMessage("metrics/tidegate/state/job/backup/instance/db1/backup_bytes", good.payload(), true, 1,
                null, GroupStates.CONTENT_TYPE, Map.of()));
        assertThat(c.fixture.rejected(RejectReason.BAD_TOPIC)).isEqualTo(2);
        assertThat(c.fixture.rejected(RejectReason.BAD_PAYLOAD)).isEqualTo(1);
        assertThat(c.fixture.rejected(RejectReason.UNSUPPORTED_CONTENT_TYPE)).isEqualTo(1);
        assertThat(c.fixture.store.snapshot().groups()).isEmpty();

        // a family that another group here holds with another type: refused as that write would be
        c.deliver(c.replicated(put(NIGHTLY, "# TYPE backup_bytes counter\nbackup_bytes 5\n", Ttls.NEVER), "tidegate-b",
                c.fixture.now().toEpochMilli()));
        c.deliver(good);
        assertThat(c.fixture.lastRejection(topic).message()).contains("backup_bytes").contains("is not a COUNTER");
        assertThat(c.fixture.group(BACKUP)).isNull();
    }

    @Test
    void aStateWhosePushTimeIsNoGaugeIsRefusedSayingSo() throws Exception {
        MqttMessage good = backupState(replica("tidegate-a", EVERY_GROUP));
        // the family's type is the byte after its help text
        byte[] payload = good.payload().clone();
        byte[] help = "Last Unix time when changing this group in the Pushgateway succeeded.".getBytes(StandardCharsets.UTF_8);
        int typeAt = indexOf(payload, help) + help.length;
        assertThat(payload[typeAt]).isEqualTo((byte) io.tidegate.format.MetricType.GAUGE.ordinal());
        payload[typeAt] = (byte) io.tidegate.format.MetricType.COUNTER.ordinal();
        Replica c = replica("tidegate-c", EVERY_GROUP);

        c.deliver(new MqttMessage(good.topic(), payload, true, 1, null, GroupStates.CONTENT_TYPE, Map.of()));

        assertThat(c.fixture.lastRejection(good.topic()).message())
                .isEqualTo("group state does not decode: push_time_seconds must be a gauge with one series");
        assertThat(c.fixture.group(BACKUP)).isNull();
        c.deliver(good);
        assertThat(c.fixture.group(BACKUP)).isNotNull();
    }

    /** The state {@code a} keeps on the broker for BACKUP once it holds {@code backup_bytes 1}. */
    private MqttMessage backupState(Replica a) throws Exception {
        a.push(put(BACKUP, "backup_bytes 1\n", Ttls.NEVER));
        a.flushStates();
        return broker.retainedCopy("metrics/tidegate/state/job/backup/instance/db1");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not in the state");
    }

    @Test
    void aLiveCopyOfAStateIsNotTakenSinceTheWriteItselfComesOnTheGroupsTopic() throws Exception {
        MqttMessage retained = backupState(replica("tidegate-a", EVERY_GROUP));
        Replica c = replica("tidegate-c", EVERY_GROUP);

        c.deliver(new MqttMessage(retained.topic(), retained.payload(), false, 1, null, retained.contentType(),
                retained.userProperties()));

        assertThat(c.fixture.group(BACKUP)).isNull();
        assertThat(c.fixture.skipped(SkipReason.GROUP_STATE)).isEqualTo(1);
    }

    @Test
    void aStateHoldsTheGroupExactlyAsTheStoreDoes() throws Exception {
        Replica a = replica("tidegate-a", EVERY_GROUP);
        a.push(put(BACKUP, "# HELP h Help.\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\n"
                + "h_sum 3\nh_count 2\nnan NaN\n", Ttls.of(90_000)));
        a.flushStates();
        Group decoded = GroupCodec.decode(broker.retained.get("metrics/tidegate/state/job/backup/instance/db1").payload());
        assertSameGroup(decoded, a.fixture.group(BACKUP));
    }

    /** The same families, series, times and deadlines, from the same source. */
    private static void assertSameGroup(Group actual, Group expected) {
        assertThat(actual.families().keySet()).isEqualTo(expected.families().keySet());
        for (StoredFamily family : expected.families().values()) {
            StoredFamily copy = actual.family(family.name());
            assertThat(copy.family()).isEqualTo(family.family());
            assertThat(copy.deadlineMillis()).isEqualTo(family.deadlineMillis());
            assertThat(copy.writtenAtMillis()).isEqualTo(family.writtenAtMillis());
        }
        assertThat(actual.deadlineMillis()).isEqualTo(expected.deadlineMillis());
        assertThat(actual.source()).isEqualTo(expected.source());
    }

    private static Map<String, io.tidegate.format.MetricFamily> families(String body) throws Exception {
        return new TextFormatParser().parse(body).families();
    }

    private static WriteRequest put(GroupingKey key, String body, Ttls ttls) throws Exception {
        return new WriteRequest(key, Verb.PUT, families(body), ttls, Source.http("10.0.0.7"));
    }

    private Replica replica(String clientId, List<String> filters) {
        Replica replica = new Replica(clientId, filters);
        replicas.add(replica);
        broker.subscribers.add(replica);
        return replica;
    }

    /** One Tidegate with {@code --mqtt.replicate}: its store and ingest, its states, its writer. */
    private final class Replica {
        final String clientId;
        final List<TopicFilter> filters;
        final IngestFixture fixture;
        final GroupStates states;
        final BrokerReplication replication;
        private int ids;

        Replica(String clientId, List<String> filters) {
            this.clientId = clientId;
            this.filters = filters.stream().map(TopicFilter::parse).toList();
            MqttSubscriber publisher = new BrokerConnection(clientId);
            fixture = IngestFixture.replica(fixture -> new GroupStates(publisher, "metrics", clientId, filters,
                    fixture.clock));
            states = fixture.states;
            states.start();
            replication = new BrokerReplication(fixture.store, publisher, "metrics", clientId, filters,
                    fixture.ingest.appliedReplications(), 1 << 20, fixture.clock, Duration.ofSeconds(1));
        }

        void push(WriteRequest request) {
            assertThat(replication.write(request)).isEqualTo(WriteOutcome.applied());
        }

        void deliver(MqttMessage message) {
            fixture.ingest.onMessage(message, () -> {});
        }

        /** A write as another replica took and replicated it. */
        MqttMessage replicated(WriteRequest request, String origin, long writtenAtMillis) {
            Publication publication = ReplicatedWrite.encode(new TopicScheme("metrics"), request, origin,
                    origin + "-" + ++ids, writtenAtMillis);
            return new MqttMessage(publication.topic(), publication.payload(), false, 1,
                    publication.expiryIntervalSeconds(), publication.contentType(), publication.userProperties());
        }

        void flushStates() {
            await().atMost(Duration.ofSeconds(5)).until(() -> states.waiting() == 0);
        }
    }

    /** One replica's connection to the {@link Broker}. */
    private final class BrokerConnection implements MqttSubscriber {
        private final String clientId;

        BrokerConnection(String clientId) {
            this.clientId = clientId;
        }

        @Override
        public void publish(Publication publication) {
            broker.publish(clientId, publication);
        }

        @Override
        public boolean speaksMqtt5() {
            return true;
        }

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
        public long reconnects() {
            return 0;
        }

        @Override
        public String describe() {
            return "test broker";
        }

        @Override
        public void close() {}
    }

    /**
     * Keeps retained messages as a broker does (an empty one clears the topic), and passes each write to
     * the replicas whose filters match its topic, at once, in the order published.
     */
    private static final class Broker {
        final Map<String, Publication> retained = new ConcurrentHashMap<>();
        final List<Replica> subscribers = new CopyOnWriteArrayList<>();
        final Map<String, List<String>> statesBy = new ConcurrentHashMap<>();

        synchronized void publish(String clientId, Publication publication) {
            if (publication.retained()) {
                statesBy.computeIfAbsent(clientId, id -> new CopyOnWriteArrayList<>()).add(publication.topic());
                if (publication.payload().length == 0) {
                    retained.remove(publication.topic());
                } else {
                    retained.put(publication.topic(), publication);
                }
                return;
            }
            for (Replica replica : subscribers) {
                if (TopicFilter.anyMatches(replica.filters, publication.topic())) {
                    replica.deliver(new MqttMessage(publication.topic(), publication.payload(), false, 1,
                            publication.expiryIntervalSeconds(), publication.contentType(),
                            publication.userProperties()));
                }
            }
        }

        List<String> publishedBy(String clientId) {
            return statesBy.getOrDefault(clientId, List.of());
        }

        MqttMessage retainedCopy(String topic) {
            Publication publication = retained.get(topic);
            return new MqttMessage(topic, publication.payload(), true, 1, publication.expiryIntervalSeconds(),
                    publication.contentType(), publication.userProperties());
        }

        /** What a broker sends a new subscriber to the state topics: every retained state, as retained. */
        void join(Replica replica) {
            Map<String, Publication> now = new LinkedHashMap<>(retained);
            now.keySet().forEach(topic -> replica.deliver(retainedCopy(topic)));
        }
    }
}
