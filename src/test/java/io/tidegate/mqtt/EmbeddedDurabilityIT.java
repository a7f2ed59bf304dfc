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
