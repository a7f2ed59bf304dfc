package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tidegate.MosquittoBroker;
import io.tidegate.RunningTidegate;
import io.tidegate.TestHttp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded broker with the ingest inside it, against real clients: a device's publish is applied
 * straight from the broker, a refused one is answered with an MQTT 5 reason code and Tidegate's message
 * (and kept from every other subscriber), an MQTT 3.1.1 publisher gets its usual acknowledgement, the
 * broker retains messages only on Tidegate's topics, and the messages of a topic keep their order.
 */
class EmbeddedIngestIT {
    private final RunningTidegate tidegate = new RunningTidegate();
    private final List<AutoCloseable> clients = new ArrayList<>();
    private TestHttp http;
    private int port;

    private void start(String... flags) {
        List<String> all = new ArrayList<>(List.of("--mqtt.embedded", "--mqtt.listen-address=127.0.0.1:0",
                "--mqtt.client-id=embedded-it"));
        all.addAll(List.of(flags));
        http = tidegate.start(all.toArray(String[]::new)).http();
        port = tidegate.mqttPort();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
        tidegate.close();
    }

    @Test
    void aRefusedPublishIsAnsweredWithItsReasonCodeAndTidegatesMessageAndReachesNoOtherSubscriber() throws Exception {
        start("--mqtt.max-payload-size=1KiB");
        Device device = device("device-5");
        Path heardFile = Files.createTempFile("onlooker", ".txt");
        Process onlooker = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", Integer.toString(port), "-V",
                "mqttv5", "-t", "metrics/#", "-v", "-d").redirectErrorStream(true).redirectOutput(heardFile.toFile()).start();
        clients.add(onlooker::destroy);
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.readString(heardFile).contains("SUBACK"));

        assertThat(device.publish("metrics/job/probe/room/hall", "temperature_celsius 21.5\n", false).code())
                .isLessThan(0x80);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(http.get("/metrics").body())
                .contains("temperature_celsius{instance=\"\",job=\"probe\",room=\"hall\"} 21.5"));

        record Case(String what, String topic, String payload, int code, String reason) {}
        List<Case> cases = List.of(
                new Case("a timestamp", "metrics/job/probe/room/hall", "temperature_celsius 22 1234\n", 0x99,
                        "pushed metrics must not have timestamps"),
                new Case("text that does not parse", "metrics/job/probe/room/hall", "temperature_celsius {", 0x99,
                        "text format parsing error"),
                new Case("a label name Prometheus refuses", "metrics/job/probe/1room/hall", "t 1\n", 0x90, "1room"),
                new Case("a payload over --mqtt.max-payload-size", "metrics/job/probe/room/hall",
                        "t 1\n#" + "x".repeat(1100), 0x97, "--mqtt.max-payload-size"),
                new Case("a type another group holds", "metrics/job/probe/room/kitchen",
                        "# TYPE temperature_celsius counter\ntemperature_celsius 3\n", 0x99,
                        "(in group {job=\"probe\", room=\"hall\"})"));
        int rejected = 0;
        for (Case bad : cases) {
            Ack ack = device.publish(bad.topic(), bad.payload(), false);
            assertThat(ack.code()).as(bad.what()).isEqualTo(bad.code());
            assertThat(ack.reason()).as(bad.what()).contains(bad.reason());
            rejected++;
            assertThat(rejections()).as(bad.what()).contains(bad.topic());
        }
        String counters = http.get("/metrics").body();
        assertThat(counters).contains("tidegate_mqtt_messages_rejected_total{reason=\"inconsistent\"} 2\n",
                "tidegate_mqtt_messages_rejected_total{reason=\"bad_payload\"} 1\n",
                "tidegate_mqtt_messages_rejected_total{reason=\"bad_topic\"} 1\n",
                "tidegate_mqtt_messages_rejected_total{reason=\"too_large\"} 1\n");
        assertThat(rejected).isEqualTo(cases.size());
        assertThat(http.get("/metrics").body()).as("the group kept its value")
                .contains("temperature_celsius{instance=\"\",job=\"probe\",room=\"hall\"} 21.5");

        assertThat(device.publish("metrics/job/probe/room/hall", "temperature_celsius 23\n", false).code()).isLessThan(0x80);
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.readString(heardFile).contains("temperature_celsius 23"));
        String heard = Files.readString(heardFile);
        assertThat(heard).as("the onlooker heard what was taken").contains("temperature_celsius 21.5");
        assertThat(heard).as("and nothing that was refused").doesNotContain("1234", "counter", "temperature_celsius {");
    }

    @Test
    void anMqtt311PublisherGetsItsUsualAcknowledgementAndTheRefusalIsCountedAndShown() throws Exception {
        start();
        String topic = "metrics/job/old-device/instance/d1";
        Process pub = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(port), "-q", "1",
                "-d", "-t", topic, "-m", "up 1 1234").redirectErrorStream(true).start();
        assertThat(pub.waitFor(10, TimeUnit.SECONDS)).isTrue();
        String log = new String(pub.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(pub.exitValue()).as(log).isZero();
        assertThat(log).contains("received PUBACK");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(rejections())
                .contains(topic).contains("must not have timestamps"));

        Process python = new ProcessBuilder("/usr/bin/python3", "-c", """
                import sys, paho.mqtt.client as mqtt
                c = mqtt.Client(client_id="py-device", protocol=mqtt.MQTTv311)
                c.connect("127.0.0.1", int(sys.argv[1]))
                c.loop_start()
                for payload in (b"up 2 1234", b"up 3"):
                    info = c.publish("metrics/job/py-device/instance/d2", payload, qos=1)
                    info.wait_for_publish(10)
                    print("published", info.is_published())
                c.loop_stop()
                c.disconnect()
                """, Integer.toString(port)).redirectErrorStream(true).start();
        assertThat(python.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String printed = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(printed).as("both acknowledged, the refused one too").isEqualTo("published True\npublished True\n");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(http.get("/metrics").body())
                .contains("up{instance=\"d2\",job=\"py-device\"} 3")
                .contains("tidegate_mqtt_messages_rejected_total{reason=\"inconsistent\"} 2"));
    }

    @Test
    void theBrokerRetainsMessagesOnlyOnTidegatesTopics() throws Exception {
        start();
        Device device = device("retainer");

        Ack elsewhere = device.publish("home/livingroom/lamp", "on", true);
        assertThat(elsewhere.code()).isEqualTo(0x87);
        assertThat(elsewhere.reason()).contains("retains messages only on Tidegate's topics")
                .contains("--mqtt.embedded.retain-any-topic");
        // 0x10, no matching subscribers: a success
        assertThat(device.publish("home/livingroom/lamp", "on", false).code()).as("passing through is fine").isLessThan(0x80);
        assertThat(device.publish("home/livingroom/lamp", "", true).code()).as("clearing is fine").isLessThan(0x80);
        assertThat(device.publish("metrics/job/probe/instance/p1", "up 1\n", true).code()).isLessThan(0x80);

        Process sub = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", Integer.toString(port), "-V", "mqttv5",
                "-t", "#", "-v", "-W", "2").redirectErrorStream(true).start(); // what the broker retains comes at once
        assertThat(sub.waitFor(10, TimeUnit.SECONDS)).isTrue();
        String retained = new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(retained).contains("metrics/job/probe/instance/p1 up 1").doesNotContain("home/livingroom");
    }

    @Test
    void theMessagesOfOneTopicAreAppliedInTheOrderTheyWerePublished() throws Exception {
        start();
        Device device = device("burst");
        int count = 2_000;
        java.util.ArrayDeque<IMqttToken> inFlight = new java.util.ArrayDeque<>();
        for (int i = 1; i <= count; i++) {
            while (true) {
                try {
                    inFlight.addLast(device.send("metrics/job/burst/instance/b1", "seq " + i + "\n", false));
                    break;
                } catch (MqttException full) { // as many in flight as the broker takes: wait for the oldest
                    assertThat(full.getReasonCode()).as("too many publishes in progress").isEqualTo(32202);
                    if (inFlight.isEmpty()) {
                        Thread.onSpinWait(); // Paho counts a completed publish out of its window a moment late (its issue 551)
                    } else {
                        inFlight.removeFirst().waitForCompletion(30_000);
                    }
                }
            }
        }
        for (IMqttToken token : inFlight) {
            token.waitForCompletion(30_000);
        }
        assertThat(http.get("/metrics").body()).contains("seq{instance=\"b1\",job=\"burst\"} " + count + "\n")
                .contains("tidegate_mqtt_messages_applied_total " + count + "\n");
    }

    @Test
    void aDeviceKilledWithoutDisconnectingIsRemovedByItsLastWillAndOneThatSaysGoodbyeIsNot() throws Exception {
        start();
        Process dead = willDevice("dead", "metrics/job/will/instance/dead");
        Process polite = willDevice("polite", "metrics/job/will/instance/polite");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(http.get("/metrics").body())
                .contains("device_up{instance=\"dead\",job=\"will\"} 1", "device_up{instance=\"polite\",job=\"will\"} 1"));

        dead.destroyForcibly(); // SIGKILL: no DISCONNECT, the broker sees the connection drop
        polite.getOutputStream().close(); // end of input: mosquitto_pub disconnects properly, its Will is discarded
        assertThat(polite.waitFor(10, TimeUnit.SECONDS)).isTrue();

        await("the Will of the dead one").atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(http.get("/metrics").body()).doesNotContain("instance=\"dead\""));
        assertThat(http.get("/metrics").body()).contains("device_up{instance=\"polite\",job=\"will\"} 1");
    }

    /** A device on one connection, as devices have: its group published retained, an empty retained Will on it. */
    private Process willDevice(String name, String topic) throws Exception {
        Process device = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(port), "-V",
                "mqttv5", "-i", name, "-t", topic, "-r", "-q", "1", "-l", "--will-topic", topic, "--will-retain",
                "--will-qos", "1").redirectErrorStream(true).start();
        clients.add(device::destroyForcibly);
        device.getOutputStream().write("device_up 1\n".getBytes(StandardCharsets.UTF_8));
        device.getOutputStream().flush();
        return device;
    }

    private String rejections() {
        return http.get("/api/v1/metrics").body();
    }

    private Device device(String clientId) throws MqttException {
        Device device = new Device("tcp://127.0.0.1:" + port, clientId);
        clients.add(device);
        return device;
    }

    /** The publisher's answer: the PUBACK's reason code and reason string. */
    record Ack(int code, String reason) {}

    /** An MQTT 5 device that reads the broker's answer to each publish. */
    private static final class Device implements AutoCloseable {
        private final MqttAsyncClient client;

        Device(String url, String clientId) throws MqttException {
            client = new MqttAsyncClient(url, clientId, new MemoryPersistence());
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setCleanStart(true);
            options.setReceiveMaximum(65_535);
            client.connect(options).waitForCompletion(10_000);
        }

        IMqttToken send(String topic, String payload, boolean retained) throws MqttException {
            MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
            message.setQos(1);
            message.setRetained(retained);
            return client.publish(topic, message);
        }

        Ack publish(String topic, String payload, boolean retained) throws MqttException {
            IMqttToken token = send(topic, payload, retained);
            try {
                token.waitForCompletion(10_000);
            } catch (MqttException refused) {
                // Paho reports a PUBACK with an error code as a failed publish; the answer is on the token
            }
            int[] codes = token.getReasonCodes();
            String reason = token.getResponseProperties() == null ? null : token.getResponseProperties().getReasonString();
            return new Ack(codes == null || codes.length == 0 ? 0 : codes[0], reason == null ? "" : reason);
        }

        @Override
        public void close() throws MqttException {
            client.disconnect().waitForCompletion(5_000);
            client.close();
        }
    }
}
