package io.tidegate.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tidegate.MosquittoBroker;
import io.tidegate.TestClock;
import io.tidegate.cli.Flags;
import io.tidegate.cli.MqttFlags;
import io.tidegate.config.ConfigException;
import io.tidegate.format.WireFormat;
import io.tidegate.mqtt.MessageHandler;
import io.tidegate.mqtt.MqttEndpoint;
import io.tidegate.mqtt.MqttIngest;
import io.tidegate.mqtt.MqttMessage;
import io.tidegate.mqtt.MqttMetrics;
import io.tidegate.mqtt.MqttOutcome;
import io.tidegate.mqtt.MqttSettings;
import io.tidegate.mqtt.MqttSubscriber;
import io.tidegate.mqtt.RetainedMode;
import io.tidegate.store.RetainedMemory;
import io.tidegate.store.Store;
import io.tidegate.telemetry.OwnMetrics;
import io.tidegate.ttl.ExpirySchedule;
import io.tidegate.ttl.TtlResolver;
import io.tidegate.ttl.TtlRules;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §6, "the same promise holds for MQTT", with an external broker: Debian's Mosquitto, whose
 * in-flight window to a subscriber is 20 QoS 1 messages. While the journal's disk is full, the messages
 * Tidegate takes are not acknowledged, so the window fills and Mosquitto stops delivering; once there is
 * room again, Tidegate reconnects by itself and every message a device published is applied, in the
 * order it was published, none lost, nothing restarted.
 */
class FullDiskMqttIT {
    private static final int MESSAGES_PER_DEVICE = 30; // two devices: three windows' worth

    @TempDir
    Path dir;
    private final TestClock clock = new TestClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final FillingDisk disk = new FillingDisk();
    private final OwnMetrics own = new OwnMetrics();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    @ParameterizedTest(name = "MQTT {0}")
    @ValueSource(strings = {"3.1.1", "5"})
    void messagesLeftUnacknowledgedWhileTheDiskWasFullAreAllAppliedInOrderOnceThereIsRoom(String protocol)
            throws Exception {
        MosquittoBroker mosquitto = closing(new MosquittoBroker().start());
        Store store = new Store(clock, true, own::typeOf, 0, new ExpirySchedule());
        MqttIngest ingest = new MqttIngest(store, new TtlResolver(TtlRules::none, Duration.ZERO, Duration.ZERO),
                "metrics", RetainedMode.APPLY, MqttIngest.DEFAULT_MAX_PAYLOAD_BYTES, RetainedMemory.DEFAULT_CAPACITY,
                clock, new MqttMetrics(own));
        Persistence persistence = closing(Persistence.open(dir.resolve("tidegate.db"), Duration.ZERO, store,
                ingest.retainedMemory(), clock, own, disk, Duration.ofMillis(100)));
        MqttSubscriber subscriber = MqttSubscriber.of(settings("--mqtt.url=" + mosquitto.url(),
                "--mqtt.protocol=" + protocol, "--mqtt.client-id=tidegate-full-disk"));
        persistence.onRecovery(subscriber::redeliverUnacknowledged); // as Tidegate wires them
        List<String> durable = new CopyOnWriteArrayList<>(); // "topic value", as each is acknowledged to the broker
        subscriber.start(recordingAcknowledgements(ingest, durable));
        closing(subscriber);
        MqttClient device = device(mosquitto);
        closing(() -> {
            device.disconnect();
            device.close();
        });

        publish(device, "metrics/job/a", 0);
        publish(device, "metrics/job/b", 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> durable.size() == 2);

        disk.fill();
        for (int i = 1; i <= MESSAGES_PER_DEVICE; i++) {
            publish(device, "metrics/job/a", i);
            publish(device, "metrics/job/b", i);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> store.notDurableReason() != null);
        // nothing is acknowledged while the disk is full; Mosquitto's window fills and it stops delivering
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> durable.size() == 2);
        assertThat(scrape(store)).contains("n{instance=\"\",job=\"a\"} 0").contains("n{instance=\"\",job=\"b\"} 0");

        disk.free();
        await().atMost(Duration.ofSeconds(15)).until(() -> durable.size() == 2 + 2 * MESSAGES_PER_DEVICE);
        List<String> expectedA = IntStream.rangeClosed(0, MESSAGES_PER_DEVICE).mapToObj(i -> "metrics/job/a " + i).toList();
        List<String> expectedB = IntStream.rangeClosed(0, MESSAGES_PER_DEVICE).mapToObj(i -> "metrics/job/b " + i).toList();
        assertThat(durable.stream().filter(m -> m.startsWith("metrics/job/a ")).toList()).isEqualTo(expectedA);
        assertThat(durable.stream().filter(m -> m.startsWith("metrics/job/b ")).toList()).isEqualTo(expectedB);
        assertThat(scrape(store)).contains("n{instance=\"\",job=\"a\"} " + MESSAGES_PER_DEVICE)
                .contains("n{instance=\"\",job=\"b\"} " + MESSAGES_PER_DEVICE);
        assertThat(subscriber.isConnected()).isTrue();

        // and it goes on taking messages as before
        publish(device, "metrics/job/a", MESSAGES_PER_DEVICE + 1);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> durable.contains("metrics/job/a " + (MESSAGES_PER_DEVICE + 1)));
    }

    /**
     * The embedded broker: a 3.1.1 publisher cannot be told a message was refused, so it gets no PUBACK; after
     * {@code BrokerIngest.DURABLE_WITHIN} (60 s) the broker closes its connection, and a client keeping its
     * session publishes again once it has reconnected: with room on the disk by then, every message is taken
     * and the last one published is the one the store keeps. (So this test takes a minute.) Not in order,
     * though: the broker takes the publishes queued behind the first before it closes the connection, so
     * those are applied once, then again after the first, as the device publishes them all again.
     */
    @Test
    void anMqtt311PublisherToTheEmbeddedBrokerIsDisconnectedAndItsMessagesAreTakenWhenItPublishesAgain()
            throws Exception {
        Store store = new Store(clock, true, own::typeOf, 0, new ExpirySchedule());
        MqttIngest ingest = new MqttIngest(store, new TtlResolver(TtlRules::none, Duration.ZERO, Duration.ZERO),
                "metrics", RetainedMode.APPLY, MqttIngest.DEFAULT_MAX_PAYLOAD_BYTES, RetainedMemory.DEFAULT_CAPACITY,
                clock, new MqttMetrics(own));
        Persistence persistence = closing(Persistence.open(dir.resolve("tidegate.db"), Duration.ZERO, store,
                ingest.retainedMemory(), clock, own, disk, Duration.ofMillis(100)));
        MqttEndpoint endpoint = new MqttEndpoint(settings("--mqtt.listen-address=127.0.0.1:0",
                "--mqtt.client-id=tidegate-embedded-full-disk"), List.of(), clock, null);
        persistence.onRecovery(endpoint::redeliverUnacknowledged); // as Tidegate wires them
        List<String> durable = new CopyOnWriteArrayList<>();
        endpoint.start(recordingAcknowledgements(ingest, durable));
        closing(endpoint);
        MqttAsyncClient device = new MqttAsyncClient("tcp://127.0.0.1:" + endpoint.brokerPort().orElseThrow(),
                "device-311", new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(false);
        options.setAutomaticReconnect(true);
        device.connect(options).waitForCompletion(10_000);
        closing(() -> {
            device.disconnectForcibly(0, 1000);
            device.close();
        });

        device.publish("metrics/job/a", "n 0\n".getBytes(StandardCharsets.UTF_8), 1, false).waitForCompletion(10_000);
        assertThat(durable).containsExactly("metrics/job/a 0");

        disk.fill();
        List<IMqttDeliveryToken> sent = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            sent.add(device.publish("metrics/job/a", ("n " + i + "\n").getBytes(StandardCharsets.UTF_8), 1, false));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> store.notDurableReason() != null);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                .until(() -> sent.stream().noneMatch(IMqttDeliveryToken::isComplete)); // no PUBACK: not taken
        disk.free();

        // the broker gives up on the first unanswered publish after 60 s and closes the connection; the device
        // reconnects and publishes again what it has not seen acknowledged
        await().atMost(Duration.ofSeconds(90)).until(() -> sent.stream().allMatch(IMqttDeliveryToken::isComplete)
                && durable.size() >= 4 && durable.get(durable.size() - 1).equals("metrics/job/a 3"));
        assertThat(durable).startsWith("metrics/job/a 0")
                .contains("metrics/job/a 1", "metrics/job/a 2", "metrics/job/a 3");
        assertThat(sent).allMatch(token -> token.getException() == null);
        assertThat(scrape(store)).contains("n{instance=\"\",job=\"a\"} 3");
    }

    /** The ingest, noting each message as it is acknowledged, that is once its write is durable. */
    private static MessageHandler recordingAcknowledgements(MqttIngest ingest, List<String> durable) {
        return new MessageHandler() {
            @Override
            public MqttOutcome onMessage(MqttMessage message, Runnable acknowledge) {
                return prepare(message).finish(acknowledge);
            }

            @Override
            public Step prepare(MqttMessage message) {
                Step step = ingest.prepare(message);
                String value = new String(message.payload(), StandardCharsets.UTF_8).trim().substring("n ".length());
                return acknowledge -> step.finish(() -> {
                    durable.add(message.topic() + " " + value);
                    acknowledge.run();
                });
            }
        };
    }

    private static MqttClient device(MosquittoBroker mosquitto) throws MqttException {
        MqttClient device = new MqttClient(mosquitto.url(), "device-full-disk", new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        // Paho 1.2.5 counts an acknowledged publish out of its window only after the blocking publish returned
        // (its issue 551): with the default window of 10, back-to-back publishes can be refused
        options.setMaxInflight(1000);
        device.connect(options);
        return device;
    }

    private static void publish(MqttClient device, String topic, int value) throws MqttException {
        device.publish(topic, ("n " + value + "\n").getBytes(StandardCharsets.UTF_8), 1, false);
    }

    private static MqttSettings settings(String... flagArgs) throws ConfigException {
        Flags flags = new Flags();
        Flags.commandLine(flags).parseArgs(flagArgs);
        return MqttFlags.settings(flags).orElseThrow();
    }

    private static String scrape(Store store) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.snapshot().scrape(WireFormat.TEXT, List.of(), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private <T extends AutoCloseable> T closing(T closeable) {
        toClose.add(closeable);
        return closeable;
    }
}
