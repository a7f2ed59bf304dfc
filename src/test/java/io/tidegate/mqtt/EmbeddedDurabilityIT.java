package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.MosquittoBroker;
import io.tidegate.TidegateJar;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acknowledged means durable with the embedded broker: devices publish to the jar's own broker with QoS 1,
 * every PUBACK comes back, the jar is killed with {@code kill -9} at once, and after a restart every
 * acknowledged message is served. Three rounds of 200, by several publishers at once: one round with each
 * publisher waiting for every acknowledgement, two as bursts (all in flight, then every PUBACK).
 */
class EmbeddedDurabilityIT {
    private static final int PUBLISHERS = 4;
    private static final int PER_PUBLISHER = 50;

    @TempDir
    Path dir;

    private TidegateJar jar;

    @AfterEach
    void stop() {
        if (jar != null) {
            jar.close();
        }
    }

    @Test
    void everyAcknowledgedMessageSurvivesAKillMinusNine() throws Exception {
        int mqttPort = MosquittoBroker.freeLoopbackPort();
        jar = new TidegateJar("durable", dir, "--mqtt.embedded", "--mqtt.listen-address=127.0.0.1:" + mqttPort,
                "--persistence.file=" + dir.resolve("tidegate.db"));
        for (int round = 1; round <= 3; round++) {
            jar.start();
            boolean burst = round > 1;
            int acknowledged = publishAndAwaitEveryAck(mqttPort, "round" + round, burst);
            jar.kill();
            assertThat(acknowledged).isEqualTo(PUBLISHERS * PER_PUBLISHER);

            jar.start();
            assertThat(groupsOf("round" + round)).as("round %d (%s): acknowledged, killed, restarted", round,
                    burst ? "burst" : "one at a time").isEqualTo(acknowledged);
            jar.stop();
        }
    }

    /**
     * With {@code --persistence.file}, the embedded broker keeps what an external broker with persistence
     * keeps: retained device values, and the Last Wills of the devices connected when Tidegate died, so a
     * device that never comes back is removed by its Will, and one that reconnects is not.
     */
    @Test
    void retainedValuesAndTheLastWillsOfDevicesOutliveAKill() throws Exception {
        int mqttPort = MosquittoBroker.freeLoopbackPort();
        jar = new TidegateJar("broker-state", dir, "--mqtt.embedded", "--mqtt.listen-address=127.0.0.1:" + mqttPort,
                "--persistence.file=" + dir.resolve("tidegate.db")).start();
        MosquittoBroker.client(mqttPort, "mosquitto_pub", "-q", "1", "-r", "-t", "metrics/job/kept/instance/k1",
                "-m", "kept_value 7");
        Process dead = willDevice(mqttPort, "dead");
        Process back = willDevice(mqttPort, "back");
        awaitServed("device_up{instance=\"dead\",job=\"will\"} 1", "device_up{instance=\"back\",job=\"will\"} 1");
        Path state = dir.resolve("tidegate.db.broker");
        org.awaitility.Awaitility.await("the broker's state saved, within a second of a change")
                .atMost(java.time.Duration.ofSeconds(5)).until(() -> java.nio.file.Files.exists(state)
                        && java.nio.file.Files.readString(state).contains("\"dead\"")
                        && java.nio.file.Files.readString(state).contains("\"back\""));

        jar.kill();
        dead.destroyForcibly(); // never comes back
        back.destroyForcibly();
        jar.start();
        Process again = willDevice(mqttPort, "back"); // reconnects at once, as devices do

        assertThat(MosquittoBroker.client(mqttPort, "mosquitto_sub", "-t", "metrics/job/kept/#", "-C", "1", "-W", "5"))
                .as("the retained value is on the broker again").isEqualTo("kept_value 7\n");
        org.awaitility.Awaitility.await("the Will of the device that did not come back, after 1.5 keep-alives")
                .atMost(java.time.Duration.ofSeconds(20)).until(() ->
                        !jar.http().get("/metrics").body().contains("instance=\"dead\""));
        assertThat(jar.http().get("/metrics").body()).contains("device_up{instance=\"back\",job=\"will\"} 1")
                .contains("kept_value{instance=\"k1\",job=\"kept\"} 7");
        assertThat(retainedOn(mqttPort, "metrics/job/will/#")).as("the Will cleared the dead one's retained value")
                .isEqualTo("metrics/job/will/instance/back device_up 1\n");
        again.destroyForcibly();
    }

    /** What the broker retains under {@code filter}, one {@code topic payload} line each. */
    private static String retainedOn(int port, String filter) throws Exception {
        Process sub = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", Integer.toString(port), "-t", filter,
                "-v", "--retained-only", "-W", "2").start(); // the retained ones come at once, then it times out
        assertThat(sub.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private void awaitServed(String... lines) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(jar.http().get("/metrics").body()).contains(lines));
    }

    /** A device with a keep-alive of 5 s (mosquitto_pub's least) on one connection: its group retained, an empty retained Will on it. */
    private static Process willDevice(int port, String name) throws Exception {
        String topic = "metrics/job/will/instance/" + name;
        Process device = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(port), "-V",
                "mqttv5", "-i", name, "-k", "5", "-t", topic, "-r", "-q", "1", "-l", "--will-topic", topic,
                "--will-retain", "--will-qos", "1").redirectErrorStream(true).start();
        device.getOutputStream().write("device_up 1\n".getBytes(StandardCharsets.UTF_8));
        device.getOutputStream().flush();
        return device;
    }

    /** Each publisher publishes its messages, each to a group of its own, and counts the PUBACKs. */
    private static int publishAndAwaitEveryAck(int port, String job, boolean burst) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(PUBLISHERS);
        try {
            List<Future<Integer>> publishers = new ArrayList<>();
            for (int p = 0; p < PUBLISHERS; p++) {
                int publisher = p;
                publishers.add(pool.submit(() -> publish(port, job, publisher, burst)));
            }
            int acknowledged = 0;
            for (Future<Integer> publisher : publishers) {
                acknowledged += publisher.get();
            }
            return acknowledged;
        } finally {
            pool.shutdownNow();
        }
    }

    private static int publish(int port, String job, int publisher, boolean burst) throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient("tcp://127.0.0.1:" + port, job + "-p" + publisher,
                new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        client.connect(options).waitForCompletion(10_000);
        ArrayDeque<IMqttToken> inFlight = new ArrayDeque<>();
        int acknowledged = 0;
        for (int i = 0; i < PER_PUBLISHER; i++) {
            MqttMessage message = new MqttMessage(("durable_value " + i + "\n").getBytes(StandardCharsets.UTF_8));
            message.setQos(1);
            String topic = "metrics/job/" + job + "/instance/p" + publisher + "-" + i;
            while (true) {
                try {
                    inFlight.addLast(client.publish(topic, message));
                    break;
                } catch (MqttException full) { // the broker's receive maximum: wait for the oldest
                    assertThat(full.getReasonCode()).as("too many publishes in progress").isEqualTo(32202);
                    acknowledged += acknowledgedCount(inFlight.removeFirst());
                }
            }
            if (!burst) {
                acknowledged += acknowledgedCount(inFlight.removeFirst());
            }
        }
        while (!inFlight.isEmpty()) {
            acknowledged += acknowledgedCount(inFlight.removeFirst());
        }
        client.disconnectForcibly(0, 1_000, false);
        client.close(true);
        return acknowledged;
    }

    private static int acknowledgedCount(IMqttToken token) throws MqttException {
        token.waitForCompletion(30_000);
        int[] codes = token.getReasonCodes();
        return codes == null || codes.length == 0 || codes[0] < 0x80 ? 1 : 0;
    }

    private int groupsOf(String job) {
        Matcher matcher = Pattern.compile("(?m)^durable_value\\{instance=\"[^\"]*\",job=\"" + job + "\"\\} ")
                .matcher(jar.http().get("/metrics").body());
        int groups = 0;
        while (matcher.find()) {
            groups++;
        }
        return groups;
    }
}
