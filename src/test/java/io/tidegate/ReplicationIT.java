package io.tidegate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import io.tidegate.differential.ProtobufBodies;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Tidegate replicas with {@code --mqtt.replicate} behind one real Mosquitto (SPEC §9): whatever
 * replica takes a push, and whatever a device publishes, both hold the same groups, and
 * {@code /metrics} shows them identically (push times and deadlines included, since a replicated
 * write carries its time); a push is answered only once the broker has it; a replica killed and
 * started again catches up from its file and its persistent session without reviving what expired;
 * an admin wipe on one replica wipes every replica, a shard that takes only some groups included.
 */
class ReplicationIT {
    private static final String BACKUP = "/metrics/job/backup/instance/db1";

    @TempDir
    Path dir;

    private MosquittoBroker broker;
    private final List<TidegateJar> replicas = new ArrayList<>();

    @BeforeEach
    void startBroker() {
        broker = new MosquittoBroker().withPersistence().start();
    }

    @AfterEach
    void stopAll() {
        replicas.forEach(TidegateJar::close);
        broker.close();
    }

    private TidegateJar replica(String name, String... moreFlags) {
        List<String> flags = new ArrayList<>(List.of("--mqtt.url=" + broker.url(), "--mqtt.client-id=" + name,
                "--mqtt.replicate", "--persistence.file=" + dir.resolve(name + ".db"),
                "--mqtt.status-topic=metrics/tidegate/" + name + "/status"));
        flags.addAll(List.of(moreFlags));
        TidegateJar replica = new TidegateJar(name, dir, flags.toArray(String[]::new));
        replicas.add(replica);
        return replica.start();
    }

    @Test
    void replicasConvergeAndOneKilledCatchesUpWithoutRevivingExpiredGroups() throws Exception {
        TidegateJar a = replica("replica-a");
        TidegateJar b = replica("replica-b");

        TestHttp.Answer put = a.http().put(BACKUP, """
                # HELP backup_duration_seconds How long backups take.
                # TYPE backup_duration_seconds histogram
                backup_duration_seconds_bucket{le="60"} 3
                backup_duration_seconds_bucket{le="+Inf"} 4
                backup_duration_seconds_sum 250.5
                backup_duration_seconds_count 4
                # TYPE backup_errors gauge
                backup_errors NaN
                """, "Push-TTL", "1h");
        assertThat(put.status()).isEqualTo(200);
        assertThat(put.header("Push-TTL")).isEqualTo("1h");
        assertThat(a.pushedMetrics()).as("read your writes on the replica that took the push")
                .contains("backup_duration_seconds_count{instance=\"db1\",job=\"backup\"} 4");
        // POST stays POST: the other families of the group stay
        assertThat(b.http().post(BACKUP, "backup_bytes 123456\n", "Push-TTL", "1h").status()).isEqualTo(200);
        byte[] protobuf = ProtobufBodies.delimited(ProtobufBodies.family("rpc_seconds", "RPC latency.",
                Metrics.MetricType.SUMMARY, ProtobufBodies.summary(250, 12.5, 0.05, 0.2)));
        assertThat(b.http().send("PUT", "/metrics/job/rpc", protobuf, "Content-Type", ProtobufBodies.CONTENT_TYPE)
                .status()).isEqualTo(200);
        assertThat(a.http().put("/metrics/job/doomed", "x 1\n").status()).isEqualTo(200);
        assertThat(b.http().delete("/metrics/job/doomed").status()).isEqualTo(202);
        broker.client("mosquitto_pub", "-V", "mqttv5", "-q", "1", "-t", "metrics/job/probe/room/kitchen",
                "-m", "temperature_celsius 21.5");

        await("both replicas hold the same groups").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String shown = sameOnEveryReplica(a.pushedMetrics());
            assertThat(shown).contains("temperature_celsius{instance=\"\",job=\"probe\",room=\"kitchen\"} 21.5");
            assertThat(sameOnEveryReplica(b.pushedMetrics())).isEqualTo(shown);
        });
        String shown = a.pushedMetrics();
        assertThat(shown).contains("backup_bytes{instance=\"db1\",job=\"backup\"} 123456",
                "backup_duration_seconds_count{instance=\"db1\",job=\"backup\"} 4",
                "rpc_seconds_count{instance=\"\",job=\"rpc\"} 250",
                "push_expiry_time_seconds{instance=\"db1\",job=\"backup\"} ")
                .doesNotContain("job=\"doomed\"");
        assertThat(b.pushedMetrics()).as("an HTTP push carries its time: same push time and deadline everywhere")
                .contains(line(shown, "push_time_seconds{instance=\"db1\",job=\"backup\"}"),
                        line(shown, "push_expiry_time_seconds{instance=\"db1\",job=\"backup\"}"));
        assertThat(a.http().get("/api/v1/metrics").body()).as("the group last pushed through b")
                .contains("{\"@source\":{\"kind\":\"http\",\"client\":\"127.0.0.1\",\"via\":\"replica-b\"},\"backup_bytes\"");

        // a second copy of a replicated write (QoS 1 redelivery, a bridge) is applied once
        try (Publisher publisher = new Publisher(broker.url())) {
            publisher.replicated("metrics/job/dup", "POST", "w-1", "dup 1\n");
            publisher.replicated("metrics/job/dup", "POST", "w-2", "dup 2\n");
            publisher.replicated("metrics/job/dup", "POST", "w-1", "dup 1\n");
        }
        await("the duplicate is skipped on both").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (TidegateJar replica : List.of(a, b)) {
                assertThat(replica.sample("tidegate_mqtt_messages_skipped_total{reason=\"duplicate\"}")).isEqualTo(1);
                assertThat(replica.pushedMetrics()).contains("dup{instance=\"\",job=\"dup\"} 2");
            }
        });

        b.kill();
        assertThat(a.http().put("/metrics/job/short", "x 1\n", "Push-TTL", "2s").status()).isEqualTo(200);
        assertThat(a.http().put("/metrics/job/long", "x 2\n", "Push-TTL", "1h").status()).isEqualTo(200);
        assertThat(a.http().post(BACKUP, "backup_bytes 654321\n").status()).isEqualTo(200);
        assertThat(a.pushedMetrics()).contains("x{instance=\"\",job=\"short\"} 1");
        await("the short group expires while b is down").atMost(Duration.ofSeconds(6))
                .until(() -> !a.pushedMetrics().contains("job=\"short\""));
        b.start();

        await("b catches up").atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(sameOnEveryReplica(b.pushedMetrics())).isEqualTo(sameOnEveryReplica(a.pushedMetrics())));
        assertThat(b.pushedMetrics()).contains("x{instance=\"\",job=\"long\"} 2",
                "backup_bytes{instance=\"db1\",job=\"backup\"} 654321", "temperature_celsius{")
                .doesNotContain("job=\"short\"");
        assertThat(b.sample("tidegate_mqtt_messages_applied_total"))
                .as("the expired write was dropped by the broker, not delivered").isEqualTo(2);
    }

    @Test
    void aPushIsAnsweredOnlyOnceTheBrokerHasItAndIsStoredNowhereWhenItCannot() {
        TidegateJar a = replica("replica-a");
        TidegateJar b = replica("replica-b");
        broker.stop();

        TestHttp.Answer refused = a.http().put("/metrics/job/lost", "x 1\n");
        TestHttp.Answer deleteRefused = a.http().delete(BACKUP);

        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.body()).startsWith("the MQTT broker did not acknowledge the push, so it was not stored: ");
        assertThat(deleteRefused.status()).isEqualTo(503);
        broker.start();
        await("both reconnect").atMost(Duration.ofSeconds(20)).until(() ->
                a.sample("tidegate_mqtt_connected") == 1 && b.sample("tidegate_mqtt_connected") == 1);
        assertThat(a.http().put("/metrics/job/kept", "x 2\n").status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> b.pushedMetrics().contains("job=\"kept\""));
        assertThat(a.pushedMetrics()).doesNotContain("job=\"lost\"");
        assertThat(b.pushedMetrics()).doesNotContain("job=\"lost\"");
    }

    @Test
    void anAdminWipeOnOneReplicaWipesEveryReplicaAShardIncluded() {
        TidegateJar a = replica("replica-a", "--web.enable-admin-api");
        TidegateJar b = replica("replica-b", "--web.enable-admin-api", "--mqtt.topics=metrics/job/site-b/#");
        assertThat(a.http().put("/metrics/job/site-a/instance/a1", "x 1\n").status()).isEqualTo(200);
        assertThat(a.http().put("/metrics/job/site-b/instance/b1", "x 2\n").status()).isEqualTo(200);
        assertThat(b.http().put("/metrics/job/site-b/instance/b2", "x 3\n").status()).isEqualTo(200);
        await("each replica holds the groups it takes").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(a.pushedMetrics()).contains("instance=\"a1\"", "instance=\"b1\"", "instance=\"b2\"");
            assertThat(b.pushedMetrics()).contains("instance=\"b1\"", "instance=\"b2\"")
                    .doesNotContain("job=\"site-a\"");
        });

        assertThat(a.http().put("/api/v1/admin/wipe", "").status()).isEqualTo(202);

        assertThat(a.pushedMetrics()).as("the replica that took the wipe answered once it applied it").isEmpty();
        await("the wipe reaches the shard").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(b.pushedMetrics()).isEmpty());
        assertThat(b.http().put("/metrics/job/site-b/instance/after", "x 4\n").status()).isEqualTo(200);
        await("writes after the wipe are kept everywhere").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(a.pushedMetrics()).contains("x{instance=\"after\",job=\"site-b\"} 4"));
        assertThat(b.pushedMetrics()).contains("x{instance=\"after\",job=\"site-b\"} 4");
    }

    @Test
    void aReplicaThatJoinsWithNothingGetsEveryLiveGroupFromTheBrokerAndNothingThatExpiredOrWasWiped() {
        TidegateJar a = replica("replica-a", "--web.enable-admin-api");
        assertThat(a.http().put(BACKUP, "backup_bytes 1\n", "Push-TTL", "1h").status()).isEqualTo(200);
        assertThat(a.http().post(BACKUP, "#!set stale_timeout = 7200\nbackup_errors 0\n").status()).isEqualTo(200);
        assertThat(a.http().put("/metrics/job/nightly", "nightly_success_time_seconds 1.7e9\n").status())
                .as("a batch job that pushes once a day, no TTL").isEqualTo(200);
        assertThat(a.http().put("/metrics/job/short", "x 1\n", "Push-TTL", "2s").status()).isEqualTo(200);
        assertThat(a.http().put("/metrics/job/doomed", "x 2\n").status()).isEqualTo(200);
        assertThat(a.http().delete("/metrics/job/doomed").status()).isEqualTo(202);
        await("the short group expires").atMost(Duration.ofSeconds(6))
                .until(() -> !a.pushedMetrics().contains("job=\"short\""));

        // a new replica: its own client id, no persistence file, so no session and nothing on disk
        TidegateJar c = fresh("replica-c", "--web.enable-admin-api");
        await("the new replica serves every live group within seconds").atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(c.pushedMetrics()).isEqualTo(a.pushedMetrics()));
        assertThat(c.pushedMetrics()).contains("nightly_success_time_seconds{instance=\"\",job=\"nightly\"} 1.7e+09",
                "backup_bytes{instance=\"db1\",job=\"backup\"} 1", "backup_errors{instance=\"db1\",job=\"backup\"} 0",
                line(a.pushedMetrics(), "push_expiry_time_seconds{instance=\"db1\",job=\"backup\"}"))
                .doesNotContain("job=\"short\"", "job=\"doomed\"");
        assertThat(c.sample("tidegate_mqtt_group_states_adopted_total")).isEqualTo(2);
        assertThat(c.sample("tidegate_mqtt_messages_skipped_total{reason=\"group_state\"}"))
                .as("the broker dropped the expired group's state itself (message expiry)").isZero();
        assertThat(c.http().get("/api/v1/metrics").body()).as("where the group came from, as on the first replica")
                .contains("{\"@source\":{\"kind\":\"http\",\"client\":\"127.0.0.1\",\"via\":\"replica-a\"}");

        // the new replica takes a push and a wipe like any other
        assertThat(c.http().put("/metrics/job/from-c", "y 1\n").status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> a.pushedMetrics().contains("y{instance=\"\",job=\"from-c\"} 1"));
        assertThat(c.http().put("/api/v1/admin/wipe", "").status()).isEqualTo(202);
        await("the wipe reaches every replica").atMost(Duration.ofSeconds(10)).until(() -> a.pushedMetrics().isEmpty());
        assertThat(a.http().put("/metrics/job/after-wipe", "z 1\n").status()).isEqualTo(200);

        TidegateJar d = fresh("replica-d");
        await("a replica that joins after the wipe gets only what came after it").atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(d.pushedMetrics()).isEqualTo(a.pushedMetrics()));
        assertThat(d.pushedMetrics()).contains("z{instance=\"\",job=\"after-wipe\"} 1")
                .doesNotContain("job=\"backup\"", "job=\"nightly\"", "job=\"from-c\"");
    }

    @Test
    void replicasShareTheEmbeddedBrokerOfOneOfThem() {
        int mqttPort = MosquittoBroker.freeLoopbackPort();
        TidegateJar a = new TidegateJar("embedded-a", dir, "--mqtt.embedded", "--mqtt.listen-address=127.0.0.1:" + mqttPort,
                "--mqtt.client-id=embedded-a", "--mqtt.replicate");
        replicas.add(a);
        a.start();
        TidegateJar b = fresh("embedded-b", "--mqtt.url=tcp://127.0.0.1:" + mqttPort);

        assertThat(a.http().put("/metrics/job/from-a", "x 1\n", "Push-TTL", "1h").status()).isEqualTo(200);
        assertThat(b.http().put("/metrics/job/from-b", "y 2\n").status()).isEqualTo(200);
        await("each holds both").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(a.pushedMetrics()).contains("x{instance=\"\",job=\"from-a\"} 1", "y{instance=\"\",job=\"from-b\"} 2");
            assertThat(b.pushedMetrics()).isEqualTo(a.pushedMetrics());
        });

        TidegateJar c = fresh("embedded-c", "--mqtt.url=tcp://127.0.0.1:" + mqttPort);
        await("a replica that joins gets the state kept by the embedded broker").atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(c.pushedMetrics()).isEqualTo(a.pushedMetrics()));
    }

    /** A replica that starts with nothing: a client id never seen, no persistence file. */
    private TidegateJar fresh(String name, String... moreFlags) {
        List<String> flags = new ArrayList<>(List.of("--mqtt.url=" + broker.url(), "--mqtt.client-id=" + name,
                "--mqtt.replicate", "--mqtt.status-topic=metrics/tidegate/" + name + "/status"));
        flags.addAll(List.of(moreFlags)); // a later --mqtt.url wins
        TidegateJar replica = new TidegateJar(name, dir, flags.toArray(String[]::new));
        replicas.add(replica);
        return replica.start();
    }

    /**
     * What must be identical on every replica: everything {@link TidegateJar#pushedMetrics} shows but
     * the push time and deadline of a group a device wrote over MQTT, which each replica stamps when the
     * broker delivered the message to it (a device's message carries no time; milliseconds apart).
     */
    private static String sameOnEveryReplica(String pushed) {
        return pushed.replaceAll("(?m)^(push_(?:time|expiry_time)_seconds\\{[^}]*job=\"probe\"[^}]*\\}) .*$",
                "$1 <when this replica applied it>");
    }

    private static String line(String metrics, String series) {
        return metrics.lines().filter(l -> l.startsWith(series + " ")).findFirst().orElseThrow();
    }

    /** A test's own MQTT 5 client, publishing what a replicating Tidegate publishes. */
    private static final class Publisher implements AutoCloseable {
        private final MqttClient client;

        Publisher(String url) throws Exception {
            client = new MqttClient(url, "replication-it-publisher", new MemoryPersistence());
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setCleanStart(true);
            client.connect(options);
        }

        void replicated(String topic, String verb, String id, String payload) throws Exception {
            MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
            message.setQos(1);
            MqttProperties properties = new MqttProperties();
            properties.setContentType("text/plain; version=0.0.4");
            properties.setUserProperties(List.of(new UserProperty("verb", verb), new UserProperty("origin", "test"),
                    new UserProperty("id", id), new UserProperty("time", Long.toString(System.currentTimeMillis())),
                    new UserProperty("ttl", "0"), new UserProperty("client", "127.0.0.1")));
            message.setProperties(properties);
            client.publish(topic, message);
        }

        @Override
        public void close() throws Exception {
            client.disconnect();
            client.close();
        }
    }
}
