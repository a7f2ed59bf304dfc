package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tidegate.RunningTidegate;
import io.tidegate.TestHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker's logins, ACL and bounds, with the repository's {@code mosquitto/passwd} and
 * {@code mosquitto/acl} as they are (demo passwords: {@code demo-<user>}), judged with real clients:
 * Mosquitto's {@code mosquitto_pub} and {@code mosquitto_sub} (MQTT 3.1.1 and 5), Paho Java (MQTT 5),
 * Python's paho-mqtt, and a raw socket for what no client library sends; and by what a user sees,
 * {@code /metrics}. Tidegate runs in this JVM; the non-loopback and jar cases are in
 * {@link EmbeddedBrokerAccessJarIT}.
 */
class EmbeddedBrokerAccessIT {
    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final RunningTidegate tidegate = new RunningTidegate();
    private static TestHttp http;
    private static int port;
    private static java.util.Set<Thread> threadsBefore;

    @TempDir
    Path dir;

    @BeforeAll
    static void startWithTheRepositorysPasswordFileAndAcl() {
        threadsBefore = NonDaemonThreads.now();
        http = tidegate.start("--mqtt.embedded", "--mqtt.listen-address=127.0.0.1:0", "--mqtt.client-id=access-it",
                "--mqtt.embedded.password-file=mosquitto/passwd", "--mqtt.embedded.acl-file=mosquitto/acl").http();
        port = tidegate.mqttPort();
    }

    @AfterAll
    static void stop() {
        tidegate.close();
        NonDaemonThreads.awaitNoneBut(threadsBefore);
    }

    @Test
    void aDeviceUserPublishesItsOwnInstanceWithMosquittoPub311And5AndTidegateServesIt() {
        CommandRun v311 = mosquitto("mosquitto_pub", "-V", "mqttv311", "-u", "probe-01", "-P", "demo-probe-01", "-q", "1",
                "-t", "metrics/job/room_probe/instance/probe-01", "-m", "room_temperature_celsius 20.5");
        CommandRun v5 = mosquitto("mosquitto_pub", "-V", "mqttv5", "-u", "probe-02", "-P", "demo-probe-02", "-q", "1",
                "-t", "metrics/job/room_probe/instance/probe-02/room/hall", "-m", "room_temperature_celsius 21.5");

        assertThat(v311.exitCode()).as(v311.output()).isZero();
        assertThat(v5.exitCode()).as(v5.output()).isZero();
        awaitServed("room_temperature_celsius{instance=\"probe-01\",job=\"room_probe\"} 20.5");
        awaitServed("room_temperature_celsius{instance=\"probe-02\",job=\"room_probe\",room=\"hall\"} 21.5");
    }

    /**
     * A QoS 0 publish is judged after HiveMQ may already have seen its client leave (mosquitto_pub sends
     * DISCONNECT right behind it): it is still judged as the user it came from.
     */
    @Test
    void aQos0PublishRightBeforeItsClientLeavesIsStillJudgedAsItsUser() {
        for (int i = 1; i <= 5; i++) {
            CommandRun run = mosquitto("mosquitto_pub", "-V", i % 2 == 0 ? "mqttv5" : "mqttv311", "-u", "probe-19",
                    "-P", "demo-probe-19", "-q", "0", "-t", "metrics/job/qos0_" + i + "/instance/probe-19", "-m",
                    "qos0_value " + i);
            assertThat(run.exitCode()).as(run.output()).isZero();
        }
        for (int i = 1; i <= 5; i++) {
            awaitServed("qos0_value{instance=\"probe-19\",job=\"qos0_" + i + "\"} " + i);
        }
    }

    @Test
    void anMqtt5PublishOnAnotherInstancesTopicGetsNotAuthorizedAndIsNotApplied() {
        CommandRun refused = mosquitto("mosquitto_pub", "-V", "mqttv5", "-d", "-u", "probe-03", "-P", "demo-probe-03", "-q",
                "1", "-t", "metrics/job/room_probe/instance/probe-04", "-m", "stolen_value 1");

        assertThat(refused.output()).as("PUBACK reason 0x87, with the broker's reason string")
                .contains("received PUBACK (Mid: 1, RC:135)").contains("Publish 1 failed: Not authorized")
                .contains("not authorized to publish on metrics/job/room_probe/instance/probe-04");
        assertNotAppliedAfter("probe-03", "stolen_value");
    }

    @Test
    void anMqtt311PublishOnAnotherInstancesTopicIsAcknowledgedAndDroppedAsMosquittoDoes() {
        CommandRun refused = mosquitto("mosquitto_pub", "-V", "mqttv311", "-d", "-u", "probe-05", "-P", "demo-probe-05", "-q",
                "1", "-t", "metrics/job/room_probe/instance/probe-06", "-m", "stolen_value_311 1");

        // MQTT 3.1.1 has no way to say "refused" in a PUBACK: a plain one, and the message goes nowhere
        assertThat(refused.exitCode()).as(refused.output()).isZero();
        assertThat(refused.output()).contains("received PUBACK");
        assertNotAppliedAfter("probe-05", "stolen_value_311");
    }

    /**
     * The device stays connected after a refused publish, as with Mosquitto, so its Last Will (an empty
     * retained message on its own topic, which deletes its group) is not sent: its group stays.
     */
    @Test
    void aRefusedPublishLeavesTheDeviceConnectedSoItsLastWillDoesNotDeleteItsGroup() {
        String script = """
                import sys, time
                import paho.mqtt.client as mqtt
                port = int(sys.argv[1])
                for protocol in (mqtt.MQTTv311, mqtt.MQTTv5):
                    client = mqtt.Client(client_id="will-" + str(protocol), protocol=protocol)
                    client.username_pw_set("probe-18", "demo-probe-18")
                    client.will_set("metrics/job/will_" + str(protocol) + "/instance/probe-18", b"", qos=1, retain=True)
                    client.on_disconnect = lambda c, u, rc, p=None: print("disconnected", rc)
                    client.connect("127.0.0.1", port)
                    client.loop_start()
                    client.publish("metrics/job/will_" + str(protocol) + "/instance/probe-18", "will_kept 1",
                                   qos=1).wait_for_publish(5)
                    client.publish("metrics/job/will_" + str(protocol) + "/instance/probe-19", "will_stolen 1",
                                   qos=1).wait_for_publish(5)
                    time.sleep(1)
                    info = client.publish("metrics/job/will_" + str(protocol) + "/instance/probe-18", "will_kept 2", qos=1)
                    info.wait_for_publish(5)
                    print("connected after the refusal", client.is_connected(), info.is_published())
                    client.disconnect()
                    client.loop_stop()
                """;
        CommandRun run = run(List.of("/usr/bin/python3", "-c", script, Integer.toString(port)));

        assertThat(run.output()).as("still connected after the refusal, until it disconnects itself (rc 0)")
                .isEqualTo("connected after the refusal True True\ndisconnected 0\n".repeat(2));
        awaitServed("will_kept{instance=\"probe-18\",job=\"will_4\"} 2");
        awaitServed("will_kept{instance=\"probe-18\",job=\"will_5\"} 2");
        assertThat(http.get("/metrics").body()).doesNotContain("will_stolen");
    }

    @Test
    void pahoJavaMqtt5GetsReasonCode0x87ForAnotherInstanceAnd0ForItsOwn() throws Exception {
        MqttAsyncClient probe = pahoClient("paho-probe-07", "probe-07", "demo-probe-07");
        try {
            IMqttToken own = probe.publish("metrics/job/room_probe/instance/probe-07", message("paho_value 7"));
            own.waitForCompletion(PATIENCE.toMillis());
            assertThat(own.getReasonCodes()[0]).as("a success").isLessThan(0x80);

            IMqttToken other = probe.publish("metrics/job/room_probe/instance/probe-08", message("paho_stolen 8"));
            try {
                other.waitForCompletion(PATIENCE.toMillis());
            } catch (MqttException e) {
                assertThat(e.getReasonCode()).isEqualTo(0x87);
            }
            assertThat(other.getReasonCodes()).containsExactly(0x87);
            assertThat(other.getResponse().getProperties().getReasonString())
                    .isEqualTo("not authorized to publish on metrics/job/room_probe/instance/probe-08");

            IMqttToken again = probe.publish("metrics/job/room_probe/instance/probe-07", message("paho_value 8"));
            again.waitForCompletion(PATIENCE.toMillis());
            assertThat(again.getReasonCodes()[0]).as("an MQTT 5 client stays connected and may go on").isLessThan(0x80);
            probe.disconnect().waitForCompletion(PATIENCE.toMillis());
        } finally {
            probe.close();
        }
        awaitServed("paho_value{instance=\"probe-07\",job=\"room_probe\"} 8");
        assertThat(http.get("/metrics").body()).doesNotContain("paho_stolen");
    }

    @Test
    void pythonPahoPublishesItsOwnInstanceWith311And5AndNeverAnotherOne() throws Exception {
        for (String protocol : new String[] {"311", "5"}) {
            String own = python("probe-09", "demo-probe-09", protocol, "metrics/job/room_probe/instance/probe-09",
                    "python_value_" + protocol + " 9");
            assertThat(own).as(protocol).contains("connect 0").contains("published True");
            String other = python("probe-09", "demo-probe-09", protocol, "metrics/job/room_probe/instance/probe-10",
                    "python_stolen_" + protocol + " 10");
            assertThat(other).as(protocol).contains("connect 0");
            awaitServed("python_value_" + protocol + "{instance=\"probe-09\",job=\"room_probe\"} 9");
        }
        assertNotAppliedAfter("probe-09", "python_stolen_");
        assertThat(python("probe-09", "wrong", "311", "metrics/job/x/instance/probe-09", "v 1"))
                .as("3.1.1: 5, not authorised (HiveMQ's mapping of bad user name or password)").contains("connect 4");
        assertThat(python("probe-09", "wrong", "5", "metrics/job/x/instance/probe-09", "v 1"))
                .as("MQTT 5: 0x86 bad user name or password").contains("connect 134");
    }

    @Test
    void aWrongPasswordAnUnknownUserAndAnAnonymousClientAreRefused() {
        CommandRun wrong5 = mosquitto("mosquitto_pub", "-V", "mqttv5", "-u", "probe-11", "-P", "demo-probe-12", "-t",
                "metrics/job/room_probe/instance/probe-11", "-m", "refused_value 1");
        CommandRun wrong311 = mosquitto("mosquitto_pub", "-V", "mqttv311", "-u", "probe-11", "-P", "demo-probe-12", "-t",
                "metrics/job/room_probe/instance/probe-11", "-m", "refused_value 1");
        CommandRun unknown = mosquitto("mosquitto_pub", "-V", "mqttv5", "-u", "probe-99", "-P", "demo-probe-99", "-t",
                "metrics/job/room_probe/instance/probe-99", "-m", "refused_value 1");
        CommandRun anonymous5 = mosquitto("mosquitto_pub", "-V", "mqttv5", "-t", "metrics/job/room_probe/instance/anon",
                "-m", "refused_value 1");
        CommandRun anonymous311 = mosquitto("mosquitto_pub", "-V", "mqttv311", "-t", "metrics/job/room_probe/instance/anon",
                "-m", "refused_value 1");

        assertThat(wrong5.output()).contains("Connection error: Bad User Name or Password");
        assertThat(wrong311.output()).contains("Connection Refused: bad user name or password");
        assertThat(unknown.output()).contains("Connection error: Bad User Name or Password");
        assertThat(anonymous5.output()).contains("Connection error: Not authorized");
        assertThat(anonymous311.output()).contains("Connection Refused: not authorised");
        for (CommandRun run : List.of(wrong5, wrong311, unknown, anonymous5, anonymous311)) {
            assertThat(run.exitCode()).as(run.output()).isNotZero();
        }
        assertThatThrownBy(() -> pahoClient("paho-wrong", "probe-11", "wrong").close())
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x86));
        assertThat(http.get("/metrics").body()).doesNotContain("refused_value");
    }

    @Test
    void aSubscriptionTheAclDoesNotGrantGetsASubackFailureAndTheTidegateUserReadsEveryMetric() {
        CommandRun device = mosquitto("mosquitto_sub", "-V", "mqttv5", "-u", "probe-13", "-P", "demo-probe-13", "-t",
                "metrics/#", "-C", "1", "-W", "3");
        assertThat(device.output()).contains("All subscription requests were denied");
        CommandRun device311 = mosquitto("mosquitto_sub", "-V", "mqttv311", "-u", "probe-13", "-P", "demo-probe-13",
                "-t", "metrics/#", "-C", "1", "-W", "3");
        assertThat(device311.output()).contains("All subscription requests were denied");

        mosquitto("mosquitto_pub", "-V", "mqttv5", "-u", "probe-14", "-P", "demo-probe-14", "-q", "1", "-r", "-t",
                "metrics/job/room_probe/instance/probe-14", "-m", "retained_value 14");
        CommandRun reader = mosquitto("mosquitto_sub", "-V", "mqttv311", "-u", "tidegate", "-P", "demo-tidegate", "-t",
                "metrics/job/room_probe/instance/probe-14", "-C", "1", "-W", "5");
        assertThat(reader.output()).isEqualTo("retained_value 14\n");
        mosquitto("mosquitto_pub", "-V", "mqttv5", "-u", "probe-14", "-P", "demo-probe-14", "-q", "1", "-r", "-t",
                "metrics/job/room_probe/instance/probe-14", "-n");
    }

    @Test
    void aLastWillOnTheDevicesOwnTopicIsTakenAndOneOnAnotherInstanceRefusesTheConnect() throws Exception {
        MqttConnectionOptions ownWill = options("probe-15", "demo-probe-15");
        ownWill.setWill("metrics/job/room_probe/instance/probe-15", new MqttMessage(new byte[0], 1, true, null));
        MqttAsyncClient own = new MqttAsyncClient("tcp://127.0.0.1:" + port, "will-own", new MemoryPersistence());
        try {
            own.connect(ownWill).waitForCompletion(PATIENCE.toMillis());
            assertThat(own.isConnected()).isTrue();
            own.disconnect().waitForCompletion(PATIENCE.toMillis());
        } finally {
            own.close();
        }

        MqttConnectionOptions otherWill = options("probe-15", "demo-probe-15");
        otherWill.setWill("metrics/job/room_probe/instance/probe-16", new MqttMessage(new byte[0], 1, true, null));
        MqttAsyncClient other = new MqttAsyncClient("tcp://127.0.0.1:" + port, "will-other", new MemoryPersistence());
        try {
            assertThatThrownBy(() -> other.connect(otherWill).waitForCompletion(PATIENCE.toMillis()))
                    .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x87));
        } finally {
            other.close();
        }
    }

    /**
     * A 50 MB PUBLISH is refused from its header: the broker reads no more than socket buffers hold, tells
     * an MQTT 5 client DISCONNECT 0x95 (Packet too large) and closes the connection; Tidegate runs on.
     */
    @Test
    void anOversizedPublishIsRefusedByTheBrokerBeforeItIsReadWhole() throws Exception {
        int payloadBytes = 50 * 1024 * 1024;
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) PATIENCE.toMillis());
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(RawMqtt.connect5("raw-big", "probe-17", "demo-probe-17"));
            out.flush();
            assertThat(RawMqtt.readPacket(in)[0]).as("CONNACK").isEqualTo((byte) 0x20);

            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            Thread reader = new Thread(() -> {
                try {
                    in.transferTo(answer);
                } catch (IOException e) {
                    // the connection was reset: what was read before is in answer
                }
            });
            reader.start();
            long written = RawMqtt.publishUntilRefused(out, "metrics/job/room_probe/instance/probe-17", payloadBytes);
            reader.join(PATIENCE.toMillis());

            assertThat(written).as("bytes the broker took before it closed the connection").isLessThan(payloadBytes / 2);
            byte[] bytes = answer.toByteArray();
            assertThat(bytes.length).as("a DISCONNECT").isGreaterThanOrEqualTo(3);
            assertThat(bytes[0]).as("DISCONNECT").isEqualTo((byte) 0xE0);
            assertThat(bytes[2]).as("reason 0x95, Packet too large").isEqualTo((byte) 0x95);
        }

        CommandRun v311 = mosquitto("mosquitto_pub", "-V", "mqttv311", "-u", "probe-17", "-P", "demo-probe-17", "-q", "1",
                "-t", "metrics/job/room_probe/instance/probe-17", "-f", bigFile(payloadBytes).toString());
        assertThat(v311.exitCode()).as(v311.output()).isNotZero();
        mosquitto("mosquitto_pub", "-V", "mqttv5", "-u", "probe-17", "-P", "demo-probe-17", "-q", "1", "-t",
                "metrics/job/room_probe/instance/probe-17", "-m", "after_the_big_one 17");
        awaitServed("after_the_big_one{instance=\"probe-17\",job=\"room_probe\"} 17");
    }

    private Path bigFile(int bytes) throws IOException {
        Path file = dir.resolve("big.txt");
        Files.write(file, new byte[bytes]);
        return file;
    }

    // --- helpers

    private static CommandRun mosquitto(String program, String... arguments) {
        return CommandRun.mosquitto("127.0.0.1", port, program, arguments);
    }

    private static CommandRun run(List<String> command) {
        return CommandRun.of(command);
    }

    /** Debian's python3-paho-mqtt (1.6): connects, publishes once with QoS 1 if let in, says what happened. */
    private static String python(String user, String password, String protocol, String topic, String payload) {
        String script = """
                import sys, threading
                import paho.mqtt.client as mqtt
                port, user, password, protocol, topic, payload = sys.argv[1:7]
                client = mqtt.Client(client_id="py-" + user + "-" + protocol,
                                     protocol=mqtt.MQTTv5 if protocol == "5" else mqtt.MQTTv311)
                client.username_pw_set(user, password)
                answered = threading.Event()
                result = {}
                def on_connect(client, userdata, flags, rc, properties=None):
                    result["rc"] = rc if isinstance(rc, int) else rc.value
                    answered.set()
                client.on_connect = on_connect
                client.connect("127.0.0.1", int(port))
                client.loop_start()
                answered.wait(10)
                print("connect", result.get("rc"))
                if result.get("rc") == 0:
                    info = client.publish(topic, payload, qos=1)
                    info.wait_for_publish(5)
                    print("published", info.is_published())
                client.disconnect()
                client.loop_stop()
                """;
        CommandRun run = run(List.of("/usr/bin/python3", "-c", script, Integer.toString(port), user, password, protocol, topic,
                payload));
        return run.output();
    }

    private static MqttConnectionOptions options(String user, String password) {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(user);
        options.setPassword(password.getBytes(StandardCharsets.UTF_8));
        options.setCleanStart(true);
        return options;
    }

    private static MqttAsyncClient pahoClient(String clientId, String user, String password) throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient("tcp://127.0.0.1:" + port, clientId, new MemoryPersistence());
        try {
            client.connect(options(user, password)).waitForCompletion(PATIENCE.toMillis());
        } catch (MqttException e) {
            client.close();
            throw e;
        }
        return client;
    }

    private static MqttMessage message(String text) {
        MqttMessage message = new MqttMessage(text.getBytes(StandardCharsets.UTF_8));
        message.setQos(1);
        return message;
    }

    private static void awaitServed(String line) {
        await(line).atMost(PATIENCE).untilAsserted(() -> assertThat(http.get("/metrics").body()).contains(line + "\n"));
    }

    /**
     * That a refused message was not applied: a publish the same device may make, on its own topic, made
     * after it, is served, and still nothing of the refused one is.
     */
    private static void assertNotAppliedAfter(String device, String refusedMetric) {
        String marker = "marker_" + device.replace('-', '_') + "_" + System.nanoTime();
        CommandRun own = mosquitto("mosquitto_pub", "-V", "mqttv5", "-u", device, "-P", "demo-" + device, "-q", "1", "-t",
                "metrics/job/marker/instance/" + device, "-m", marker + " 1");
        assertThat(own.exitCode()).as(own.output()).isZero();
        awaitServed(marker + "{instance=\"" + device + "\",job=\"marker\"} 1");
        assertThat(http.get("/metrics").body()).doesNotContain(refusedMetric);
    }
}
