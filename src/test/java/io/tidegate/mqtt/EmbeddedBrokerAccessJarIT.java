package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tidegate.MosquittoBroker;
import io.tidegate.TidegateJar;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker's access rules as an operator meets them, on the packaged jar: anonymous clients
 * from another address than loopback, the one warning {@code --mqtt.embedded.allow-anonymous} gives,
 * SIGHUP, a broken file at start, the connection cap. (Jar processes, each with its own HiveMQ: one
 * JVM holds one embedded broker at a time.)
 */
class EmbeddedBrokerAccessJarIT {
    /** A successful PUBACK: 0, or 0x10 "no matching subscribers" (Tidegate takes the message inside the broker). */
    private static final String SUCCESS = "RC:(0|16)\\)";
    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final Path JAR = Path.of("target", "tidegate.jar");

    @TempDir
    Path dir;

    private final List<TidegateJar> started = new ArrayList<>();

    @AfterEach
    void stopAll() {
        started.forEach(TidegateJar::stop);
    }

    private TidegateJar start(String name, String... flags) {
        TidegateJar tidegate = new TidegateJar(name, dir, flags);
        started.add(tidegate);
        return tidegate.start();
    }

    /**
     * A client from another address than loopback: here, one of this machine's own non-loopback
     * addresses, on which the broker listens and from which the client connects (its packets leave from
     * that address). Skipped on a machine with none.
     */
    @Test
    void withoutAPasswordFileAnonymousClientsFromAnotherAddressNeedAllowAnonymousWhichWarnsOnce() throws Exception {
        Optional<InetAddress> lan = nonLoopbackAddress();
        assertThat(lan).as("a non-loopback IPv4 address on this machine, as every machine of this kind has").isPresent();
        String host = lan.get().getHostAddress();

        int port = freePort(lan.get());
        TidegateJar strict = start("strict", "--mqtt.embedded", "--mqtt.listen-address=" + host + ":" + port);
        CommandRun refused = CommandRun.mosquitto(host, port, "mosquitto_pub", "-V", "mqttv311", "-t",
                "metrics/job/lan/instance/dev1", "-m", "lan_value 1");
        assertThat(refused.output()).contains("Connection Refused: not authorised");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(strict.sample("tidegate_mqtt_connected")).as("the embedded broker runs, listening on " + host).isEqualTo(1);
        assertThat(strict.log()).doesNotContain("level=warn").contains("anonymous=\"loopback only\"")
                .contains("msg=\"MQTT client refused\"").contains("level=info component=EmbeddedBroker");
        strict.stop();

        TidegateJar open = start("open", "--mqtt.embedded", "--mqtt.listen-address=" + host + ":" + port,
                "--mqtt.embedded.allow-anonymous");
        CommandRun accepted = CommandRun.mosquitto(host, port, "mosquitto_pub", "-V", "mqttv5", "-q", "1", "-t",
                "metrics/job/lan/instance/dev1", "-m", "lan_value 2");
        assertThat(accepted.exitCode()).as(accepted.output()).isZero();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(open.http().get("/metrics").body())
                .contains("lan_value{instance=\"dev1\",job=\"lan\"} 2\n"));
        List<String> warnings = open.log().lines().filter(line -> line.contains("level=warn")).toList();
        assertThat(warnings).as("one warning, and only that one").hasSize(1);
        assertThat(warnings.get(0)).contains("anonymous MQTT clients from any address may connect to the embedded "
                + "broker and publish and delete groups").contains("flag=--mqtt.embedded.allow-anonymous");
    }

    @Test
    void withoutAPasswordFileAnonymousClientsOnLoopbackGetIn() {
        int port = MosquittoBroker.freeLoopbackPort();
        TidegateJar tidegate = start("loopback", "--mqtt.embedded", "--mqtt.listen-address=127.0.0.1:" + port);

        CommandRun accepted = CommandRun.mosquitto("127.0.0.1", port, "mosquitto_pub", "-V", "mqttv311", "-q", "1",
                "-t", "metrics/job/local/instance/dev1", "-m", "local_value 1");

        assertThat(accepted.exitCode()).as(accepted.output()).isZero();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(tidegate.http().get("/metrics").body())
                .contains("local_value{instance=\"dev1\",job=\"local\"} 1\n"));
        assertThat(tidegate.log()).doesNotContain("level=warn");
    }

    @Test
    void sighupReloadsTheAclLikeTheConfigurationFileAndABrokenOneKeepsThePreviousRules() throws Exception {
        Path passwd = Files.copy(Path.of("mosquitto", "passwd"), dir.resolve("passwd"));
        Path acl = Files.copy(Path.of("mosquitto", "acl"), dir.resolve("acl"));
        int port = MosquittoBroker.freeLoopbackPort();
        TidegateJar tidegate = start("sighup", "--mqtt.embedded", "--mqtt.listen-address=127.0.0.1:" + port,
                "--mqtt.embedded.password-file=" + passwd, "--mqtt.embedded.acl-file=" + acl);
        assertThat(publish(port, "probe-30", "metrics/job/hup/instance/probe-31", "hup_value 1")).contains("RC:135");

        Files.writeString(acl, "\nuser probe-30\ntopic write metrics/job/hup/#\n", StandardOpenOption.APPEND);
        tidegate.hangup();
        await().atMost(PATIENCE).until(() -> tidegate.log().contains("embedded MQTT broker's access files reloaded"));
        assertThat(publish(port, "probe-30", "metrics/job/hup/instance/probe-31", "hup_value 2")).containsPattern(SUCCESS);

        Files.writeString(acl, "topic wirte metrics/#\n", StandardOpenOption.APPEND);
        tidegate.hangup();
        await().atMost(PATIENCE).until(() -> tidegate.log().contains("access files reload failed"));
        assertThat(tidegate.log()).contains("level=warn component=EmbeddedBroker msg=\"embedded MQTT broker's access "
                + "files reload failed, keeping the previous ones\" file=" + acl)
                .contains("unknown access \\\"wirte\\\"").doesNotContain("\tat ");
        assertThat(publish(port, "probe-30", "metrics/job/hup/instance/probe-31", "hup_value 3")).containsPattern(SUCCESS);
        assertThat(tidegate.isAlive()).isTrue();
    }

    @Test
    void aBrokenPasswordFileOrAclAtStartStopsTidegateWithFileAndLineAndNoStackTrace() throws Exception {
        Path acl = dir.resolve("acl");
        Files.writeString(acl, "# devices\npattern wirte metrics/job/+/instance/%u/#\n");
        Path passwd = dir.resolve("passwd");
        Files.writeString(passwd, "probe-01 demo-probe-01\n");

        for (String[] flags : new String[][] {
                {"--mqtt.embedded.acl-file=" + acl, "invalid --mqtt.embedded.acl-file: " + acl
                        + " line 2: unknown access \\\"wirte\\\" (expected read, write, readwrite or deny)"},
                {"--mqtt.embedded.password-file=" + passwd, "invalid --mqtt.embedded.password-file: " + passwd
                        + " line 1: expected user:hash, as mosquitto_passwd writes"}}) {
            Path log = dir.resolve("start.log");
            Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", JAR.toString(), "--web.listen-address=127.0.0.1:" + MosquittoBroker.freeLoopbackPort(),
                    "--mqtt.listen-address=127.0.0.1:" + MosquittoBroker.freeLoopbackPort(), flags[0])
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();

            assertThat(process.exitValue()).isEqualTo(1);
            String output = Files.readString(log);
            assertThat(output).contains("level=error component=Tidegate msg=\"could not start\" err=\"" + flags[1] + "\"")
                    .doesNotContain("\tat ").doesNotContain("Exception");
        }
    }

    /** HiveMQ's max-connections: one device connects, the next is refused (Tidegate takes messages inside the broker, with no connection). */
    @Test
    void maxConnectionsCapsTheClientsAtOnce() throws Exception {
        int port = MosquittoBroker.freeLoopbackPort();
        TidegateJar tidegate = start("capped", "--mqtt.embedded", "--mqtt.listen-address=127.0.0.1:" + port,
                "--mqtt.embedded.max-connections=1");
        assertThat(tidegate.log()).contains("max_connections=1");

        MqttAsyncClient first = new MqttAsyncClient("tcp://127.0.0.1:" + port, "capped-1", new MemoryPersistence());
        MqttAsyncClient second = new MqttAsyncClient("tcp://127.0.0.1:" + port, "capped-2", new MemoryPersistence());
        try {
            first.connect().waitForCompletion(PATIENCE.toMillis());
            assertThat(first.isConnected()).isTrue();
            MqttException refused = null;
            try {
                second.connect().waitForCompletion(PATIENCE.toMillis());
            } catch (MqttException e) {
                refused = e;
            }
            assertThat(refused).as("the second connection").isNotNull();
            assertThat(second.isConnected()).isFalse();
            assertThat(tidegate.sample("tidegate_mqtt_connected")).isEqualTo(1);
        } finally {
            first.disconnectForcibly(100, 100, false);
            first.close();
            second.close();
        }
    }

    private static String publish(int port, String user, String topic, String payload) {
        return CommandRun.mosquitto("127.0.0.1", port, "mosquitto_pub", "-V", "mqttv5", "-d", "-q", "1", "-u", user,
                "-P", "demo-" + user, "-t", topic, "-m", payload).output();
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
        for (NetworkInterface network : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!network.isUp() || network.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(network.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                    return Optional.of(address);
                }
            }
        }
        return Optional.empty();
    }

    private static int freePort(InetAddress address) throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, address)) {
            return socket.getLocalPort();
        }
    }
}
