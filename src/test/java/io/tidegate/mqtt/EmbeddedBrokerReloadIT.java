package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tidegate.RunningTidegate;
import io.tidegate.TestHttp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker's password file and ACL re-read on {@code /-/reload} (SIGHUP is the same call,
 * tested on the jar in {@link EmbeddedBrokerAccessJarIT}): new rules at once, a broken file keeps the
 * old ones and fails the reload with the file and line, a user taken out of the password file is
 * disconnected. Copies of the repository's files, changed by the test.
 */
class EmbeddedBrokerReloadIT {
    /** A successful PUBACK: 0, or 0x10 "no matching subscribers" (Tidegate takes the message inside the broker). */
    private static final String SUCCESS = "RC:(0|16)\\)";
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final RunningTidegate tidegate = new RunningTidegate();
    private Path passwd;
    private Path acl;
    private TestHttp http;
    private int port;
    private java.util.Set<Thread> threadsBefore;

    @BeforeEach
    void start() throws Exception {
        threadsBefore = NonDaemonThreads.now();
        passwd = Files.copy(Path.of("mosquitto", "passwd"), dir.resolve("passwd"));
        acl = Files.copy(Path.of("mosquitto", "acl"), dir.resolve("acl"));
        http = tidegate.start("--mqtt.embedded", "--mqtt.listen-address=127.0.0.1:0", "--mqtt.client-id=reload-it",
                "--web.enable-lifecycle", "--mqtt.embedded.password-file=" + passwd,
                "--mqtt.embedded.acl-file=" + acl).http();
        port = tidegate.mqttPort();
    }

    @AfterEach
    void stop() {
        tidegate.close();
        NonDaemonThreads.awaitNoneBut(threadsBefore);
    }

    @Test
    void aReloadedAclIsInForceAtOnceAndABrokenOneKeepsThePreviousRules() throws Exception {
        assertThat(publish("probe-20", "metrics/job/shared/instance/probe-21", "shared_value 1").output())
                .contains("RC:135");

        Files.writeString(acl, "\nuser probe-20\ntopic write metrics/job/+/instance/probe-21\n",
                StandardOpenOption.APPEND);
        assertThat(http.post("/-/reload", "").status()).isEqualTo(200);
        assertThat(publish("probe-20", "metrics/job/shared/instance/probe-21", "shared_value 2").output())
                .containsPattern(SUCCESS);
        awaitServed("shared_value{instance=\"probe-21\",job=\"shared\"} 2");

        int brokenLine = Files.readAllLines(acl).size() + 1;
        Files.writeString(acl, "topic wirte metrics/#\n", StandardOpenOption.APPEND);
        TestHttp.Answer refused = http.post("/-/reload", "");
        assertThat(refused.status()).isEqualTo(500);
        assertThat(refused.body()).isEqualTo("failed to reload config: " + acl + " line " + brokenLine
                + ": unknown access \"wirte\" (expected read, write, readwrite or deny)\n");
        assertThat(publish("probe-20", "metrics/job/shared/instance/probe-21", "shared_value 3").output())
                .as("the rules before the broken file").containsPattern(SUCCESS);
        awaitServed("shared_value{instance=\"probe-21\",job=\"shared\"} 3");
    }

    @Test
    void aReloadedPasswordFileLetsNewUsersInAndDisconnectsTheOnesTakenOutOrGivenAnotherPassword() throws Exception {
        MqttAsyncClient removed = connect("probe-22");
        MqttAsyncClient changed = connect("probe-23");
        MqttAsyncClient kept = connect("probe-24");
        try {
            assertThat(CommandRun.of(List.of("mosquitto_passwd", "-D", passwd.toString(), "probe-22")).exitCode()).isZero();
            assertThat(CommandRun.of(List.of("mosquitto_passwd", "-b", passwd.toString(), "probe-23", "new-password"))
                    .exitCode()).isZero();
            assertThat(CommandRun.of(List.of("mosquitto_passwd", "-b", passwd.toString(), "probe-51", "demo-probe-51"))
                    .exitCode()).isZero();
            assertThat(publish("probe-51", "metrics/job/new/instance/probe-51", "new_device 1").output())
                    .as("not in the file yet").contains("Bad User Name or Password");

            assertThat(http.post("/-/reload", "").status()).isEqualTo(200);

            await().atMost(PATIENCE).until(() -> !removed.isConnected() && !changed.isConnected());
            assertThat(kept.isConnected()).isTrue();
            assertThat(publish("probe-51", "metrics/job/new/instance/probe-51", "new_device 1").output()).containsPattern(SUCCESS);
            awaitServed("new_device{instance=\"probe-51\",job=\"new\"} 1");
            assertThat(publish("probe-23", "metrics/job/new/instance/probe-23", "old_password 1").output())
                    .contains("Bad User Name or Password");
        } finally {
            for (MqttAsyncClient client : List.of(removed, changed, kept)) {
                client.disconnectForcibly(100, 100, false);
                client.close();
            }
        }
    }

    private MqttAsyncClient connect(String user) throws Exception {
        MqttAsyncClient client = new MqttAsyncClient("tcp://127.0.0.1:" + port, "reload-" + user, new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(user);
        options.setPassword(("demo-" + user).getBytes(StandardCharsets.UTF_8));
        client.connect(options).waitForCompletion(PATIENCE.toMillis());
        return client;
    }

    private CommandRun publish(String user, String topic, String payload) {
        return CommandRun.mosquitto("127.0.0.1", port, "mosquitto_pub", "-V", "mqttv5", "-d", "-q", "1", "-u", user,
                "-P", "demo-" + user, "-t", topic, "-m", payload);
    }

    private void awaitServed(String line) {
        await(line).atMost(PATIENCE).untilAsserted(() -> assertThat(http.get("/metrics").body()).contains(line + "\n"));
    }
}
