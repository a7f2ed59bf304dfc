package io.tidegate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.tidegate.mqtt.EmbeddedBroker;
import org.awaitility.Awaitility;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A second Tidegate started by mistake with the first one's MQTT client id: it must stop before it
 * touches the first one's session when one of its local resources is taken, and when it does get
 * connected, the one the broker took the session from says so and does not fight over it.
 */
class SecondInstanceIT {
    private static final String TAKEN_OVER = "another MQTT client with this client id is connected";

    @TempDir
    Path dir;
    private MosquittoBroker broker;
    private EmbeddedBroker hivemq;
    private TidegateJar first;
    private TidegateJar second;

    @BeforeEach
    void startBroker() {
        broker = new MosquittoBroker().start();
    }

    @AfterEach
    void stopAll() {
        for (TidegateJar jar : new TidegateJar[] {second, first}) {
            if (jar != null) {
                jar.close();
            }
        }
        broker.close();
        if (hivemq != null) {
            hivemq.close();
        }
    }

    @Test
    void aSecondTidegateOnABusyPortStopsBeforeItConnectsAndTheFirstLosesNoMessage() throws Exception {
        first = new TidegateJar("first", dir, "--mqtt.url=" + broker.url(), "--mqtt.client-id=shared").start();
        // a device publishing throughout the second start, each message once the first serves the one before
        CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> publishGroups("burst", 100, first));

        Path secondLog = dir.resolve("second.log");
        Process second = new ProcessBuilder(java(), "-Xmx256m", "-jar", "target/tidegate.jar",
                "--web.listen-address=127.0.0.1:" + first.port(), "--mqtt.url=" + broker.url(),
                "--mqtt.client-id=shared").redirectErrorStream(true).redirectOutput(secondLog.toFile()).start();
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).as("the second Tidegate stops by itself").isTrue();
        publishing.get(60, TimeUnit.SECONDS);

        String log = Files.readString(secondLog);
        assertThat(second.exitValue()).as(log).isEqualTo(1);
        assertThat(log).contains("could not start").doesNotContain("subscribed to MQTT broker");
        Awaitility.await("every message reaches the first Tidegate").atMost(Duration.ofSeconds(20))
                .until(() -> groupsOf(first, "burst"), count -> count == 100);
        assertThat(first.log()).doesNotContain(TAKEN_OVER);
    }

    @Test
    void aBrokerThatSaysTheSessionWasTakenOverEndsTheFightAtTheSecondTakeover() {
        // HiveMQ CE (the broker Tidegate embeds, run here as a broker of its own) sends MQTT 5's DISCONNECT with
        // reason code 0x8E to the older connection
        hivemq = EmbeddedBroker.start("127.0.0.1:0");
        first = new TidegateJar("first", dir, "--mqtt.url=" + hivemq.url(), "--mqtt.client-id=shared",
                "--mqtt.protocol=5").start();
        second = new TidegateJar("second", dir, "--mqtt.url=" + hivemq.url(), "--mqtt.client-id=shared",
                "--mqtt.protocol=5").start();

        Awaitility.await("one of them says its session was taken").atMost(Duration.ofSeconds(30))
                .until(() -> first.log().contains(TAKEN_OVER) || second.log().contains(TAKEN_OVER));
        TidegateJar stopped = second.log().contains(TAKEN_OVER) ? second : first;
        TidegateJar keeping = stopped == second ? first : second;
        assertThat(stopped.log()).contains("level=error").contains("0x8E");
        // a fight would go on: each reconnect takes the session back
        Awaitility.await("no fight").during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6))
                .until(() -> !keeping.log().contains(TAKEN_OVER));
        assertThat(keeping.sample("tidegate_mqtt_connected")).isEqualTo(1);
        assertThat(stopped.sample("tidegate_mqtt_connected")).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "3.1.1"})
    void aBrokerThatJustClosesTheOlderConnectionEndsTheFightAfterTwoQuickDrops(String protocol) {
        // Mosquitto closes the older connection without a reason code, for MQTT 5 as for 3.1.1: each
        // reconnect takes the session back, until one of the two has been dropped twice right after connecting
        first = new TidegateJar("first", dir, "--mqtt.url=" + broker.url(), "--mqtt.client-id=shared",
                "--mqtt.protocol=" + protocol).start();
        second = new TidegateJar("second", dir, "--mqtt.url=" + broker.url(), "--mqtt.client-id=shared",
                "--mqtt.protocol=" + protocol).start();

        Awaitility.await("one of them says its session was taken").atMost(Duration.ofSeconds(30))
                .until(() -> first.log().contains(TAKEN_OVER) || second.log().contains(TAKEN_OVER));
        TidegateJar stopped = second.log().contains(TAKEN_OVER) ? second : first;
        TidegateJar keeping = stopped == second ? first : second;
        // a fight would go on: each reconnect takes the session back
        Awaitility.await("no fight").during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6))
                .until(() -> !keeping.log().contains(TAKEN_OVER));
        assertThat(keeping.sample("tidegate_mqtt_connected")).isEqualTo(1);
        assertThat(stopped.sample("tidegate_mqtt_connected")).isZero();
        publishGroups("after", 5, null);
        Awaitility.await("the one keeping the session takes the messages").atMost(Duration.ofSeconds(20))
                .until(() -> groupsOf(keeping, "after"), count -> count == 5);
    }

    /**
     * Publishes {@code count} groups {@code metrics/job/<job>/instance/i<n>}, QoS 1; with {@code servedBy}, each
     * once that Tidegate serves every group published before it.
     */
    private void publishGroups(String job, int count, TidegateJar servedBy) {
        try {
            MqttClient device = new MqttClient(broker.url(), "device-" + job, new MemoryPersistence());
            device.connect(new MqttConnectionOptions());
            for (int i = 0; i < count; i++) {
                MqttMessage message = new MqttMessage(("v " + i + "\n").getBytes(StandardCharsets.UTF_8));
                message.setQos(1);
                device.publish("metrics/job/" + job + "/instance/i" + i, message);
                if (servedBy != null) {
                    int published = i + 1;
                    Awaitility.await("group " + i + " served").atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO)
                            .pollInterval(Duration.ofMillis(10)).until(() -> groupsOf(servedBy, job), n -> n == published);
                }
            }
            device.disconnect();
            device.close();
        } catch (Exception e) {
            throw new IllegalStateException("publishing failed: " + e, e);
        }
    }

    private static int groupsOf(TidegateJar tidegate, String job) {
        Matcher matcher = Pattern.compile("(?m)^v\\{instance=\"i\\d+\",job=\"" + job + "\"\\} ")
                .matcher(tidegate.http().get("/metrics").body());
        int count = 0;
        while (matcher.find()) {
            count++;
        }
        return count;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
