package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tidegate.cli.MqttFlags;
import io.tidegate.MosquittoBroker;
import io.tidegate.RunningTidegate;
import io.tidegate.TestHttp;
import io.tidegate.config.ConfigException;
import io.tidegate.cli.Flags;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;

/**
 * The embedded broker Tidegate runs without {@code --mqtt.url}: MQTT 5, retained messages, a clear error
 * when its port is taken, and Tidegate serving what is published to it.
 */
class EmbeddedBrokerIT {
    private static MqttSettings settings(String... flagArgs) throws ConfigException {
        Flags flags = new Flags();
        Flags.commandLine(flags).parseArgs(flagArgs);
        return MqttFlags.settings(flags).orElseThrow();
    }

    @Test
    void tidegateTakesMessagesInsideItsOwnBrokerWhichSpeaksMqtt5AndKeepsRetainedMessages() throws Exception {
        RecordingHandler handler = new RecordingHandler();
        Set<Thread> threadsBefore = NonDaemonThreads.now();
        try (MqttEndpoint endpoint = new MqttEndpoint(
                settings("--mqtt.listen-address=127.0.0.1:0", "--mqtt.client-id=embedded"), List.of(), Clock.systemUTC(), null)) {
            endpoint.start(handler);
            int port = endpoint.brokerPort().orElseThrow();
            String url = "tcp://127.0.0.1:" + port;
            assertThat(endpoint.describe()).isEqualTo("the embedded broker on 127.0.0.1:" + port + " (MQTT 5)");

            try (PahoTestClient device = new PahoTestClient(url, "device")) {
                device.publish("metrics/job/embedded", "t 8\n", true, 60L, "text/plain", Map.of("ttl", "1m"));
                MqttMessage live = handler.awaitMessage("metrics/job/embedded");
                assertThat(live.expiryIntervalSeconds()).as("taken as published, with no hop in between").isEqualTo(60L);
                assertThat(live.retained()).as("a publish is live news, whatever it asks the broker to keep").isFalse();
                assertThat(live.contentType()).isEqualTo("text/plain");
                assertThat(live.userProperties()).containsEntry("ttl", "1m");
            }

            String retained = mosquittoSub(port, "-V", "mqttv5", "-t", "metrics/job/embedded", "-C", "1", "-W", "5",
                    "-F", "%r %p");
            assertThat(retained).as("retain flag and payload of the stored copy").isEqualTo("1 t 8\n\n");
            assertThat(mosquittoSub(port, "-V", "mqttv5", "-t", "metrics/tidegate/status", "-C", "1", "-W", "5"))
                    .isEqualTo("online\n");
        }
        // no thread of the broker keeps the JVM alive after it stopped (HiveMQ's last one ends a moment after)
        NonDaemonThreads.awaitNoneBut(threadsBefore);
    }

    @Test
    void tidegateWithItsOwnBrokerTakesAnMqtt5PublishAndServesIt() {
        try (RunningTidegate tidegate = new RunningTidegate()) {
            TestHttp http = tidegate.start("--mqtt.embedded", "--mqtt.listen-address=127.0.0.1:0",
                    "--mqtt.client-id=embedded-default").http();
            int port = tidegate.mqttPort();
            assertThat(port).isPositive();

            MosquittoBroker.client(port, "mosquitto_pub", "-V", "mqttv5", "-q", "1", "-t", "metrics/job/embedded/instance/dev1",
                    "-D", "publish", "user-property", "ttl", "1m", "-m", "temperature_celsius 21.5");

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(http.get("/metrics").body())
                    .contains("temperature_celsius{instance=\"dev1\",job=\"embedded\"} 21.5\n")
                    .contains("push_expiry_time_seconds{instance=\"dev1\",job=\"embedded\"}"));
            assertThat(http.get("/api/v1/metrics").body())
                    .contains("\"@source\":{\"kind\":\"mqtt\",\"topic\":\"metrics/job/embedded/instance/dev1\",\"retained\":false}");
        }
    }

    @Test
    void aListenAddressInUseIsAClearErrorAndLeavesNothingRunning() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            Set<Thread> threadsBefore = NonDaemonThreads.now();

            assertThatThrownBy(() -> new MqttEndpoint(settings("--mqtt.listen-address=" + address), List.of(), Clock.systemUTC(), null)
                    .start((m, acknowledge) -> {
                        acknowledge.run();
                        return MqttOutcome.written(null, null);
                    }))
                    .isInstanceOf(MqttStartException.class)
                    .hasMessage("mqtt listen address " + address + " is in use");
            NonDaemonThreads.awaitNoneBut(threadsBefore);
        }
    }

    /**
     * A subscriber whose session outlives its connection finds everything published meanwhile when it comes back,
     * beyond HiveMQ's default queue of 1,000 messages, which would have dropped the rest (the broker had acknowledged
     * them to their publisher).
     */
    @Test
    void aSubscriberBackFromAnAbsenceGetsMoreThanAThousandMessagesQueuedForIt() throws Exception {
        int published = 1_500;
        try (EmbeddedBroker broker = EmbeddedBroker.start("127.0.0.1:0")) {
            String url = "tcp://127.0.0.1:" + broker.port();
            AtomicInteger received = new AtomicInteger();
            MqttClient subscriber = new MqttClient(url, "absent-subscriber", new MemoryPersistence());
            subscriber.setTimeToWait(10_000);
            MqttConnectionOptions session = new MqttConnectionOptions();
            session.setCleanStart(false);
            session.setSessionExpiryInterval(300L);
            subscriber.connect(session);
            subscriber.subscribe(new MqttSubscription[] {new MqttSubscription("backlog/#", 1)});
            subscriber.disconnect();

            // one QoS 1 message per line, each acknowledged by the broker before mosquitto_pub ends
            Path lines = Files.createTempFile("backlog", ".txt");
            Files.write(lines, IntStream.range(0, published).mapToObj(i -> "r " + i).toList());
            Process device = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(broker.port()),
                    "-V", "mqttv5", "-q", "1", "-t", "backlog/reading", "-l").redirectInput(lines.toFile())
                    .redirectErrorStream(true).start();
            assertThat(device.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(device.exitValue()).as(new String(device.getInputStream().readAllBytes())).isZero();
            Files.delete(lines);
            subscriber.setCallback(new MqttCallback() {
                @Override
                public void messageArrived(String topic, org.eclipse.paho.mqttv5.common.MqttMessage message) {
                    received.incrementAndGet();
                }

                @Override
                public void disconnected(MqttDisconnectResponse response) {}

                @Override
                public void mqttErrorOccurred(MqttException exception) {}

                @Override
                public void deliveryComplete(IMqttToken token) {}

                @Override
                public void connectComplete(boolean reconnect, String serverURI) {}

                @Override
                public void authPacketArrived(int reasonCode, MqttProperties properties) {}
            });
            subscriber.connect(session);

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(received).hasValue(published));
            subscriber.disconnect();
            subscriber.close();
        }
    }

    private static String mosquittoSub(int port, String... arguments) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("mosquitto_sub", "-h", "127.0.0.1", "-p",
                Integer.toString(port)));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return new String(process.getInputStream().readAllBytes());
    }
}
