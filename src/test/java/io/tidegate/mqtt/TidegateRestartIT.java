package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tidegate.MosquittoBroker;
import io.tidegate.TidegateJar;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §4, Lifecycle: after any restart of Tidegate every retained value the store does not hold is applied,
 * and the retained-copy rule still holds. Tidegate runs from the packaged jar against a real Mosquitto, is
 * stopped and started again with the same {@code --mqtt.client-id}, so the broker kept its session (and the
 * session's subscriptions) while it was away; devices are {@code mosquitto_pub -r}.
 */
class TidegateRestartIT {
    private static final String SENSOR = "metrics/job/sensor/instance/dev1";
    private static final String EXPIRING = "metrics/job/expiring/instance/dev1";
    private static final String ALIVE = "metrics/job/alive/instance/dev1";
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private MosquittoBroker broker;
    private TidegateJar tidegate;

    @BeforeEach
    void startBroker() {
        broker = new MosquittoBroker().start();
    }

    @AfterEach
    void stopAll() {
        if (tidegate != null) {
            tidegate.close();
        }
        broker.close();
    }

    /**
     * Without a persistence file the restarted Tidegate's store is empty; the broker still has the device's
     * retained value, and Tidegate's session with its subscriptions. Subscribing again at the start must
     * bring the retained value all the same, in either protocol, so the group is served again within
     * seconds, marked retained, instead of only once the device publishes again.
     */
    @ParameterizedTest(name = "MQTT {0}")
    @ValueSource(strings = {"5", "3.1.1"})
    void withoutAPersistenceFileARestartedTidegateServesTheRetainedValueAgain(String protocol) {
        tidegate = tidegate("--mqtt.protocol=" + protocol);
        publishRetained(SENSOR, "up 1");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(sample("up", "sensor")).isEqualTo(1.0));

        tidegate.stop();
        tidegate.start();

        await("the retained value, applied again").atMost(PATIENCE)
                .untilAsserted(() -> assertThat(sample("up", "sensor")).isEqualTo(1.0));
        assertThat(tidegate.http().get("/api/v1/metrics").body()).as("marked retained until a live message")
                .containsPattern("\"retained\"\\s*:\\s*true");
    }

    /**
     * With a persistence file Tidegate remembers, across the restart, the messages it applied: the retained
     * copies the new subscription brings are recognised, so the group that expired before the restart stays
     * gone and the alive one, restored from the file, keeps its deadline.
     */
    @ParameterizedTest(name = "MQTT {0}")
    @ValueSource(strings = {"5", "3.1.1"})
    void withAPersistenceFileARetainedCopyOfAGroupThatExpiredBeforeTheRestartDoesNotComeBack(String protocol) {
        tidegate = tidegate("--mqtt.protocol=" + protocol, "--persistence.file=" + dir.resolve("tidegate.db"));
        publishRetained(EXPIRING, "#!set stale_timeout = 2\nup 1");
        publishRetained(ALIVE, "#!set stale_timeout = 3600\nup 1");
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(sample("up", "expiring")).isEqualTo(1.0);
            assertThat(sample("up", "alive")).isEqualTo(1.0);
        });
        await("expired").atMost(PATIENCE).untilAsserted(() -> assertThat(sample("up", "expiring")).isNull());
        double aliveDeadline = sample("push_expiry_time_seconds", "alive");

        tidegate.stop();
        tidegate.start();

        // A live message published after the start reaches Tidegate after the retained copies its subscription brought.
        publish("metrics/job/marker", "marker 1");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(sample("marker", "marker")).isEqualTo(1.0));
        assertThat(sample("up", "expiring")).as("the expired group, not revived").isNull();
        assertThat(sample("push_expiry_time_seconds", "alive")).as("the deadline, not refreshed").isEqualTo(aliveDeadline);
        assertThat(tidegate.sample("tidegate_mqtt_messages_skipped_total{reason=\"retained_seen\"}"))
                .as("both retained copies came and were recognised").isEqualTo(2);
    }

    private TidegateJar tidegate(String... moreFlags) {
        List<String> flags = new ArrayList<>(List.of("--mqtt.url=" + broker.url(), "--mqtt.client-id=tidegate-restart"));
        flags.addAll(List.of(moreFlags));
        return new TidegateJar("tidegate", dir, flags.toArray(String[]::new)).start();
    }

    private void publishRetained(String topic, String payload) {
        broker.client("mosquitto_pub", "-q", "1", "-r", "-t", topic, "-m", payload);
    }

    private void publish(String topic, String payload) {
        broker.client("mosquitto_pub", "-q", "1", "-t", topic, "-m", payload);
    }

    /** The value of the series {@code name} whose labels include {@code job="<job>"}, or null. */
    private Double sample(String name, String job) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$")
                .matcher(tidegate.pushedMetrics());
        while (matcher.find()) {
            if (("," + matcher.group(1) + ",").contains(",job=\"" + job + "\",")) {
                return Double.valueOf(matcher.group(2));
            }
        }
        return null;
    }
}
