package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tidegate.cli.MqttFlags;
import io.tidegate.MosquittoBroker;
import io.tidegate.TestCertificates;
import io.tidegate.cli.Flags;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tidegate's MQTT subscriber against real brokers: Debian's Mosquitto 2 for MQTT 5 and 3.1.1, users,
 * TLS, restarts and crashes, and Moquette as a broker that speaks only 3.1.1.
 */
class MqttSubscriberIT {
    private static MosquittoBroker mosquitto;

    @TempDir
    Path dir;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void startMosquitto() {
        mosquitto = new MosquittoBroker().start();
    }

    @AfterAll
    static void stopMosquitto() {
        mosquitto.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (Process process : processes) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        processes.clear();
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        toClose.clear();
    }

    private static MqttSettings settings(String... flagArgs) {
        Flags flags = new Flags();
        Flags.commandLine(flags).parseArgs(flagArgs);
        try {
            return MqttFlags.settings(flags).orElseThrow();
        } catch (io.tidegate.config.ConfigException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    private MqttSubscriber started(RecordingHandler handler, String... flagArgs) {
        MqttSubscriber subscriber = MqttSubscriber.of(settings(flagArgs));
        subscriber.start(handler);
        toClose.add(subscriber);
        return subscriber;
    }

    private <T extends AutoCloseable> T closing(T closeable) {
        toClose.add(closeable);
        return closeable;
    }

    @Test
    void autoSpeaksMqtt5WithMosquittoAndDeliversExpiryContentTypeAndUserProperties() {
        RecordingHandler handler = new RecordingHandler();
        MqttSubscriber subscriber = started(handler, "--mqtt.url=" + mosquitto.url(), "--mqtt.client-id=props");
        assertThat(subscriber.describe()).isEqualTo(mosquitto.url() + " (MQTT 5)");
        assertThat(subscriber.isConnected()).isTrue();

        PahoTestClient device = closing(new PahoTestClient(mosquitto.url(), "device-props"));
        device.publish("metrics/job/sensor/instance/a", "t 1\n", false, 300L, "text/plain; version=0.0.4",
                Map.of("ttl", "5m"));

        MqttMessage message = handler.awaitMessage("metrics/job/sensor/instance/a");
        assertThat(RecordingHandler.text(message)).isEqualTo("t 1\n");
        assertThat(message.expiryIntervalSeconds()).isBetween(295L, 300L);
        assertThat(message.contentType()).isEqualTo("text/plain; version=0.0.4");
        assertThat(message.userProperties()).containsExactly(Map.entry("ttl", "5m"));
        assertThat(message.retained()).isFalse();
        assertThat(message.qos()).isEqualTo(1);
    }

    @Test
    void mqtt311DeliversTheRetainFlagOfRetainedCopiesAndNoProperties() {
        mosquitto.client("mosquitto_pub", "-t", "metrics/job/retained311", "-m", "t 2", "-r", "-q", "1");
        RecordingHandler handler = new RecordingHandler();
        MqttSubscriber subscriber = started(handler, "--mqtt.url=" + mosquitto.url(), "--mqtt.protocol=3.1.1",
                "--mqtt.client-id=v311");
        assertThat(subscriber.describe()).endsWith("(MQTT 3.1.1)");

        MqttMessage retained = handler.awaitMessage("metrics/job/retained311");
        assertThat(retained.retained()).isTrue();
        assertThat(retained.expiryIntervalSeconds()).isNull();
        assertThat(retained.contentType()).isNull();
        assertThat(retained.userProperties()).isEmpty();

        mosquitto.client("mosquitto_pub", "-t", "metrics/job/live311", "-m", "t 3", "-q", "1");
        assertThat(handler.awaitMessage("metrics/job/live311").retained()).isFalse();
        mosquitto.client("mosquitto_pub", "-t", "metrics/job/retained311", "-r", "-n");
    }

    @Test
    void mqtt5DeliversTheRemainingExpiryOfARetainedCopy() {
        PahoTestClient device = closing(new PahoTestClient(mosquitto.url(), "device-retained5"));
        device.publish("metrics/job/retained5", "t 4\n", true, 60L, null, Map.of());
        RecordingHandler handler = new RecordingHandler();
        started(handler, "--mqtt.url=" + mosquitto.url(), "--mqtt.protocol=5", "--mqtt.client-id=retained5");

        MqttMessage retained = handler.awaitMessage("metrics/job/retained5");
        assertThat(retained.retained()).isTrue();
        assertThat(retained.expiryIntervalSeconds()).isBetween(55L, 60L);
        device.publish("metrics/job/retained5", "", true);
    }

    @Test
    void autoFallsBackToMqtt311WithABrokerThatSpeaksOnlyThat() throws Exception {
        int port = MosquittoBroker.freeLoopbackPort();
        io.moquette.broker.Server moquette = new io.moquette.broker.Server();
        moquette.startServer(new io.moquette.broker.config.FluentConfig().host("127.0.0.1").port(port)
                .allowAnonymous().disableTelemetry().disablePersistence().build());
        closing(moquette::stopServer);
        String url = "tcp://127.0.0.1:" + port;

        RecordingHandler handler = new RecordingHandler();
        MqttSubscriber subscriber = started(handler, "--mqtt.url=" + url, "--mqtt.client-id=fallback");
        assertThat(subscriber.describe()).isEqualTo(url + " (MQTT 3.1.1)");

        org.eclipse.paho.client.mqttv3.MqttClient device = new org.eclipse.paho.client.mqttv3.MqttClient(url, "dev311",
                new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        device.connect();
        device.publish("metrics/job/old-broker", "t 5".getBytes(StandardCharsets.UTF_8), 1, false);
        device.disconnect();
        device.close();
        assertThat(RecordingHandler.text(handler.awaitMessage("metrics/job/old-broker"))).isEqualTo("t 5");

        assertThatThrownBy(() -> MqttSubscriber.of(settings("--mqtt.url=" + url, "--mqtt.protocol=5",
                "--mqtt.client-id=forced5")).start(new RecordingHandler()))
                .isInstanceOf(MqttStartException.class).hasMessageContaining("with MQTT 5");
    }

    @Test
    void anUnacknowledgedMessageIsDeliveredAgainToTheSameClientIdAfterACrash() throws Exception {
        Process crashing = subscriberProcess("--block", "--mqtt.url=" + mosquitto.url(), "--mqtt.client-id=crasher");
        List<String> output = lines(crashing);
        await().atMost(Duration.ofSeconds(20)).until(() -> output.contains("started"));

        mosquitto.client("mosquitto_pub", "-t", "metrics/job/unacked", "-m", "t 6", "-q", "1");
        await().atMost(Duration.ofSeconds(10)).until(() -> output.contains("arrived metrics/job/unacked t 6"));
        crashing.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

        RecordingHandler handler = new RecordingHandler();
        started(handler, "--mqtt.url=" + mosquitto.url(), "--mqtt.client-id=crasher");
        assertThat(RecordingHandler.text(handler.awaitMessage("metrics/job/unacked"))).isEqualTo("t 6");
    }

    @Test
    void statusTopicSaysOnlineThenOfflineOnCloseAndTheLastWillSaysOfflineOnACrash() throws Exception {
        PahoTestClient watcher = closing(new PahoTestClient(mosquitto.url(), "watcher").listen("metrics/tidegate/status"));
        MqttSubscriber subscriber = MqttSubscriber.of(settings("--mqtt.url=" + mosquitto.url(), "--mqtt.client-id=status"));
        subscriber.start(new RecordingHandler());
        watcher.awaitLastHeard("online");
        subscriber.close();
        watcher.awaitLastHeard("offline");

        Process crashing = subscriberProcess("--mqtt.url=" + mosquitto.url(), "--mqtt.client-id=status",
                "--mqtt.status-topic=elsewhere/status");
        PahoTestClient elsewhere = closing(new PahoTestClient(mosquitto.url(), "watcher2").listen("elsewhere/status"));
        elsewhere.awaitLastHeard("online");
        crashing.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        elsewhere.awaitLastHeard("offline");
        assertThat(mosquitto.client("mosquitto_sub", "-t", "elsewhere/status", "-C", "1", "-W", "5"))
                .as("the offline status is retained").isEqualTo("offline\n");
    }

    @Test
    void afterAMosquittoRestartItReconnectsResubscribesAndMessagesFlowAgain() throws Exception {
        try (MosquittoBroker restarting = new MosquittoBroker().start()) {
            RecordingHandler handler = new RecordingHandler();
            MqttSubscriber subscriber = started(handler, "--mqtt.url=" + restarting.url(), "--mqtt.client-id=restart");

            restarting.restart(); // without persistence: the session, and with it the subscription, is gone
            await().atMost(Duration.ofSeconds(20)).until(() -> subscriber.reconnects() == 1 && subscriber.isConnected());
            PahoTestClient device = closing(new PahoTestClient(restarting.url(), "device-restart"));
            await("resubscribed").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                device.publish("metrics/job/after-restart", "t 7", false);
                assertThat(handler.messages()).extracting(MqttMessage::topic).contains("metrics/job/after-restart");
            });
            closeAll(); // before the broker goes
        }
    }

    @Test
    void usernameAndPasswordFromAFileAreSentAndAWrongOneStopsTheStartWithTheReason() throws IOException {
        try (MosquittoBroker guarded = new MosquittoBroker().withUser("tidegate", "s3cret").start()) {
            Path passwordFile = dir.resolve("password");
            Files.writeString(passwordFile, "s3cret\n");
            RecordingHandler handler = new RecordingHandler();
            MqttSubscriber subscriber = MqttSubscriber.of(settings("--mqtt.url=" + guarded.url(),
                    "--mqtt.username=tidegate", "--mqtt.password-file=" + passwordFile, "--mqtt.client-id=user"));
            subscriber.start(handler);
            assertThat(subscriber.isConnected()).isTrue();
            subscriber.close();

            Files.writeString(passwordFile, "wrong\n");
            for (String protocol : new String[] {"auto", "3.1.1"}) {
                assertThatThrownBy(() -> MqttSubscriber.of(settings("--mqtt.url=" + guarded.url(),
                        "--mqtt.username=tidegate", "--mqtt.password-file=" + passwordFile, "--mqtt.protocol=" + protocol))
                        .start(handler))
                        .isInstanceOf(MqttStartException.class)
                        .hasMessageContaining("cannot subscribe to MQTT broker " + guarded.url())
                        .satisfies(e -> assertThat(e.getMessage().toLowerCase()).containsAnyOf("not authorized",
                                "bad user name or password"));
            }
        }
    }

    @Test
    void tlsWithTheCaFileAndAClientCertificate() throws Exception {
        TestCertificates certificates = TestCertificates.createIn(dir.resolve("tls"));
        try (MosquittoBroker secure = new MosquittoBroker().withTls(certificates, true).start()) {
            RecordingHandler handler = new RecordingHandler();
            MqttSubscriber subscriber = started(handler, "--mqtt.url=" + secure.url(), "--mqtt.client-id=tls",
                    "--mqtt.ca-file=" + certificates.caCertificate(), "--mqtt.cert-file=" + certificates.clientCertificate(),
                    "--mqtt.key-file=" + certificates.clientKey());
            assertThat(subscriber.describe()).isEqualTo(secure.url() + " (MQTT 5)");
            MqttSubscriber rsaClient = started(new RecordingHandler(), "--mqtt.url=" + secure.url(),
                    "--mqtt.client-id=tls-rsa", "--mqtt.ca-file=" + certificates.caCertificate(),
                    "--mqtt.cert-file=" + certificates.caCertificate(), "--mqtt.key-file=" + certificates.caKey());
            assertThat(rsaClient.isConnected()).as("an RSA key works as well as an EC one").isTrue();

            MosquittoBroker.run("openssl", "rsa", "-in", certificates.caKey().toString(), "-traditional",
                    "-out", dir.resolve("pkcs1.key").toString());
            assertThatThrownBy(() -> settings("--mqtt.url=" + secure.url(), "--mqtt.cert-file=" + certificates.caCertificate(),
                    "--mqtt.key-file=" + dir.resolve("pkcs1.key")))
                    .hasMessageContaining("holds a RSA PRIVATE KEY").hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");

            assertThatThrownBy(() -> MqttSubscriber.of(settings("--mqtt.url=" + secure.url(), "--mqtt.client-id=no-cert",
                    "--mqtt.ca-file=" + certificates.caCertificate())).start(handler))
                    .as("the broker requires a client certificate").isInstanceOf(MqttStartException.class);
            closeAll(); // before the broker goes
        }
    }

    private Process subscriberProcess(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SubscriberProcess.class.getName()));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            processes.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines {@code process} prints, as they come. */
    private static List<String> lines(Process process) {
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, "subscriber-process-output");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }
}
