package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.google.gson.Gson;
import io.tidegate.MosquittoBroker;
import io.tidegate.RunningTidegate;
import io.tidegate.TestHttp;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §4 (MQTT ingest) end to end, written once and run against each real broker by a concrete class:
 * Tidegate started in this JVM with {@code --mqtt.url} pointing at the broker, devices played by real MQTT
 * clients (Mosquitto's {@code mosquitto_pub} and {@code mosquitto_sub}; a Paho publisher for bytes those
 * cannot send), and every outcome judged as a user sees it: {@code /metrics} and {@code /api/v1/metrics}.
 *
 * <p>Each test runs its own Tidegate with its own client id and its own topic prefix (named after the
 * test), so the retained messages one test leaves on the class's broker never reach another test's
 * Tidegate, and Tidegate's own counters start at 0 in each test.
 *
 * <p>That a QoS 1 message is acknowledged only once applied is proven at the subscriber's level, with a
 * crash between the two, in {@link MqttSubscriberIT}; it is not repeated here.
 */
abstract class MqttScenarios {
    /** How long a test waits for something that should happen within a second or two. */
    static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final AtomicInteger TESTS = new AtomicInteger();

    private final RunningTidegate tidegate = new RunningTidegate();
    private final List<Process> devices = new ArrayList<>();
    private final List<AutoCloseable> afterTidegate = new ArrayList<>();
    private String prefix;
    private TestHttp http;

    /** The loopback port of the broker the current test uses; it is running. */
    protected abstract int brokerPort();

    /** Stops the broker the current test uses and starts it again on the same port. */
    protected abstract void restartBroker();

    @BeforeEach
    void nameTheTopics(TestInfo test) {
        prefix = test.getTestMethod().orElseThrow().getName() + "-" + TESTS.incrementAndGet();
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (Process device : devices) {
            device.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        tidegate.close();
        for (int i = afterTidegate.size() - 1; i >= 0; i--) {
            afterTidegate.get(i).close();
        }
    }

    // --- 1. Prometheus text from mosquitto_pub, either protocol version ----------------------------

    @ParameterizedTest(name = "published over {0}")
    @ValueSource(strings = {"mqttv311", "mqttv5"})
    void aTextPayloadIsServedWithJobAndLabelsFromTheTopicAndItsStaleTimeoutExpiresIt(String version) {
        startTidegate();

        mosquittoPub("-V", version, "-t", topic("job/text/instance/dev1/room/kitchen"),
                "-m", "# TYPE temperature_celsius gauge\ntemperature_celsius{sensor=\"a\"} 21.5");
        mosquittoPub("-V", version, "-t", topic("job/text-stale/instance/dev1"),
                "-m", "#!set stale_timeout = 1\nbattery_volts 3.3");

        await().atMost(PATIENCE).untilAsserted(() -> {
            String scrape = scrape(); // one scrape: the stale group is gone a second from now
            assertThat(scrape).contains("# TYPE temperature_celsius gauge\n"
                            + "temperature_celsius{instance=\"dev1\",job=\"text\",room=\"kitchen\",sensor=\"a\"} 21.5\n")
                    .contains("battery_volts{instance=\"dev1\",job=\"text-stale\"} 3.3\n");
            assertThat(sample(scrape, "push_expiry_time_seconds", "text-stale") - sample(scrape, "push_time_seconds", "text-stale"))
                    .as("a TTL of 1 s").isCloseTo(1.0, within(0.01));
            assertThat(sample(scrape, "push_expiry_time_seconds", "text")).as("no TTL, no deadline").isNull();
        });

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape()).doesNotContain("text-stale"));
        assertThat(sample("temperature_celsius", "text")).isEqualTo(21.5);
    }

    // --- 2. JSON, single numbers, @base64 ------------------------------------------------------------

    @Test
    void jsonLeavesNumbersOnMetricTopicsAndBase64LevelsBecomeSeries() {
        startTidegate();
        String slashedJob = base64Url("rack/7");
        String mountPoint = base64Url("/var/lib");

        mosquittoPub("-t", topic("job/json/instance/dev1"),
                "-m", "{\"temperature\": {\"celsius\": 21.5, \"sensor_ok\": true}, \"door_open\": false, \"firmware\": \"1.2\"}");
        mosquittoPub("-t", topic("job/numbers/instance/dev1/temperature_celsius"), "-m", "21.5");
        mosquittoPub("-t", topic("job/numbers/instance/dev1/humidity_percent"), "-m", "40");
        mosquittoPub("-t", topic("job@base64/" + slashedJob + "/mount@base64/" + mountPoint), "-m", "disk_free_bytes 42");

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape())
                .contains("temperature_celsius{instance=\"dev1\",job=\"json\"} 21.5\n")
                .contains("temperature_sensor_ok{instance=\"dev1\",job=\"json\"} 1\n")
                .contains("door_open{instance=\"dev1\",job=\"json\"} 0\n")
                .contains("temperature_celsius{instance=\"dev1\",job=\"numbers\"} 21.5\n")
                .contains("humidity_percent{instance=\"dev1\",job=\"numbers\"} 40\n")
                .contains("disk_free_bytes{instance=\"\",job=\"rack/7\",mount=\"/var/lib\"} 42\n")
                .doesNotContain("firmware"));
        assertThat(apiGroup("json").keySet()).contains("temperature_celsius", "temperature_sensor_ok", "door_open");
    }

    // --- 3. TTL from the message ----------------------------------------------------------------------

    @Test
    void theMessageExpiryIntervalAndTheTtlPropertyExpireGroupsThatAreNotRefreshed() {
        startTidegate();
        String[] expiry = {"-V", "mqttv5", "-D", "publish", "message-expiry-interval", "2"};
        String[] ttlProperty = {"-V", "mqttv5", "-D", "publish", "user-property", "ttl", "2s"};

        mosquittoPub(with(expiry, "-t", topic("job/by-expiry/instance/dev1"), "-m", "up 1"));
        mosquittoPub(with(ttlProperty, "-t", topic("job/by-property/instance/dev1"), "-m", "up 1"));
        mosquittoPub(with(ttlProperty, "-t", topic("job/refreshed/instance/dev1"), "-m", "up 1"));

        await().atMost(PATIENCE).untilAsserted(() -> {
            String scrape = scrape(); // one scrape: the groups are gone two seconds from now
            assertThat(sample(scrape, "up", "by-expiry")).isEqualTo(1.0);
            assertThat(sample(scrape, "up", "by-property")).isEqualTo(1.0);
            assertThat(sample(scrape, "up", "refreshed")).isEqualTo(1.0);
            // The broker passes on what remains of the interval, in whole seconds: 2, or 1 across a second's turn.
            assertThat(sample(scrape, "push_expiry_time_seconds", "by-expiry") - sample(scrape, "push_time_seconds", "by-expiry"))
                    .isBetween(0.99, 2.01);
            assertThat(sample(scrape, "push_expiry_time_seconds", "by-property")
                    - sample(scrape, "push_time_seconds", "by-property")).isCloseTo(2.0, within(0.01));
        });

        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(500)).until(() -> {
            mosquittoPub(with(ttlProperty, "-t", topic("job/refreshed/instance/dev1"), "-m", "up 1"));
            assertThat(sample("up", "refreshed")).as("refreshed every 0.5 s, it stays").isEqualTo(1.0);
            return sample("up", "by-expiry") == null && sample("up", "by-property") == null;
        });
        assertThat(apiGroup("by-expiry")).isNull();
        assertThat(apiGroup("by-property")).isNull();
        assertThat(sample("push_expiry_time_seconds", "refreshed")).isNotNull();
    }

    // --- 4. Empty payload -----------------------------------------------------------------------------

    @Test
    void anEmptyPayloadDeletesTheGroupAndOnlyThatGroup() {
        startTidegate();
        mosquittoPub("-t", topic("job/deleted/instance/dev1"), "-m", "up 1");
        mosquittoPub("-t", topic("job/deleted/instance/dev2"), "-m", "up 2");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape())
                .contains("up{instance=\"dev1\",job=\"deleted\"} 1\n").contains("up{instance=\"dev2\",job=\"deleted\"} 2\n"));

        mosquittoPub("-t", topic("job/deleted/instance/dev1"), "-n");

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape())
                .doesNotContain("instance=\"dev1\",job=\"deleted\"")
                .contains("up{instance=\"dev2\",job=\"deleted\"} 2\n"));
        assertThat(own("tidegate_mqtt_messages_applied_total")).isEqualTo(3);
    }

    // --- 5. Last Will -----------------------------------------------------------------------------------

    @Test
    void aDeviceKilledWithoutDisconnectingIsRemovedByItsEmptyRetainedLastWill() throws IOException {
        startTidegate();
        String group = topic("job/last-will/instance/dev1");
        // One connection, as a device has: it publishes its group retained, line by line from stdin, and
        // leaves the broker a Last Will on the same topic; without --will-payload the Will is empty.
        Process device = device("mosquitto_pub", "-V", "mqttv5", "-i", prefix + "-device", "-t", group, "-r", "-q", "1",
                "-l", "--will-topic", group, "--will-retain", "--will-qos", "1");
        OutputStream lines = device.getOutputStream();
        lines.write("device_up 1\n".getBytes(StandardCharsets.UTF_8));
        lines.flush();
        await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(scrape()).contains("device_up{instance=\"dev1\",job=\"last-will\"} 1\n"));
        assertThat(sample("push_expiry_time_seconds", "last-will")).as("no TTL: only the Will can remove it").isNull();

        device.destroyForcibly(); // SIGKILL: no DISCONNECT, the broker sees the connection drop

        await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
            assertThat(scrape()).doesNotContain("last-will");
            assertThat(apiGroup("last-will")).isNull();
        });
    }

    // --- 6. Retained messages ---------------------------------------------------------------------------

    @Test
    void aRetainedMessageNeverSeenIsAppliedAndMarkedRetainedUntilALivePublication() {
        String group = topic("job/before-start/instance/dev1");
        mosquittoPub("-r", "-t", group, "-m", "up 1");

        startTidegate();

        await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(scrape()).contains("up{instance=\"dev1\",job=\"before-start\"} 1\n"));
        assertThat(apiGroup("before-start").get("@source"))
                .isEqualTo(Map.of("kind", "mqtt", "topic", group, "retained", true));

        mosquittoPub("-r", "-t", group, "-m", "up 2");

        await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(scrape()).contains("up{instance=\"dev1\",job=\"before-start\"} 2\n"));
        assertThat(apiGroup("before-start").get("@source"))
                .isEqualTo(Map.of("kind", "mqtt", "topic", group, "retained", false));
    }

    @Test
    void withIgnoreUnseenARetainedMessageNeverSeenIsSkippedAndTheDeviceAppearsOnceItPublishesLive() {
        String group = topic("job/ignored/instance/dev1");
        mosquittoPub("-r", "-t", group, "-m", "up 1");

        startTidegate("--mqtt.retained=ignore-unseen");

        await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(own("tidegate_mqtt_messages_skipped_total{reason=\"retained_unseen\"}")).isEqualTo(1));
        assertThat(scrape()).doesNotContain("ignored");
        assertThat(apiGroup("ignored")).isNull();

        mosquittoPub("-r", "-t", group, "-m", "up 2");

        await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(scrape()).contains("up{instance=\"dev1\",job=\"ignored\"} 2\n"));
    }

    /**
     * Tidegate reconnects without a broker restart, and the broker sends it the retained copies again:
     * another client connects with Tidegate's client id and a clean start (a second replica configured
     * alike, an operator's test client), so the broker ends Tidegate's connection and discards its
     * session; Tidegate reconnects, finds no session and subscribes afresh, and the new subscription gets
     * the retained copies. Tidegate's memory of what it applied, not the
     * broker, must then keep an expired group dead and an alive group's deadline where it was.
     */
    @Test
    void retainedCopiesRedeliveredAfterTidegateLostItsSessionNeitherReviveNorRefresh() {
        startTidegate();
        String[] ttl2s = {"-V", "mqttv5", "-D", "publish", "user-property", "ttl", "2s"};
        String[] ttl1m = {"-V", "mqttv5", "-D", "publish", "user-property", "ttl", "1m"};
        publishAliveAndExpiringRetained(with(ttl2s, "-m", "up 1"), with(ttl1m, "-m", "up 1"));
        double aliveDeadline = sample("push_expiry_time_seconds", "alive");

        reconnectAndAwaitResubscription(() -> mosquittoPub("-V", "mqttv5", "-i", clientId(), "-t", topic("takeover"), "-n"));

        assertRetainedCopiesSkipped(2, aliveDeadline);
        assertTheSameMessagesPublishedLiveAreApplied(with(ttl2s, "-m", "up 1"), with(ttl1m, "-m", "up 1"), aliveDeadline);
    }

    // --- 7. Rejections ----------------------------------------------------------------------------------

    @Test
    void badTopicsAndPayloadsAreRejectedCountedAndListedAndTheGroupKeepsItsValue() {
        startTidegate("--mqtt.max-payload-size=1KiB");
        String group = topic("job/rejects/instance/dev1");
        mosquittoPub("-t", group, "-m", "t 1");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape()).contains("t{instance=\"dev1\",job=\"rejects\"} 1\n"));
        PahoTestClient paho = afterTidegate(new PahoTestClient("tcp://127.0.0.1:" + brokerPort(), prefix + "-paho"));

        record Case(String what, String topic, Runnable publish, String reason) {}
        String badLabel = topic("job/rejects/1nstance/dev1");
        String oddLevel = topic("job/rejects/instance/dev1/extra");
        List<Case> cases = List.of(
                new Case("a label name that starts with a digit", badLabel,
                        () -> mosquittoPub("-t", badLabel, "-m", "t 2"), "bad_topic"),
                new Case("a metric level over a text payload", oddLevel,
                        () -> mosquittoPub("-t", oddLevel, "-m", "t 2"), "bad_topic"),
                new Case("JSON that does not parse", group,
                        () -> mosquittoPub("-t", group, "-m", "{\"t\": "), "bad_payload"),
                new Case("bytes that are not UTF-8", group,
                        () -> paho.publish(group, new byte[] {'t', ' ', (byte) 0xff, (byte) 0xfe}, false, null, null, Map.of()),
                        "bad_payload"),
                new Case("a payload over --mqtt.max-payload-size", group,
                        () -> mosquittoPub("-t", group, "-m", "t 2\n#" + "x".repeat(1100)), "too_large"),
                new Case("an MQTT 5 content type Tidegate does not read", group,
                        () -> mosquittoPub("-V", "mqttv5", "-D", "publish", "content-type", "application/xml", "-t", group,
                                "-m", "<t>2</t>"), "unsupported_content_type"));

        Map<String, Integer> expected = new HashMap<>();
        for (Case bad : cases) {
            bad.publish().run();
            int count = expected.merge(bad.reason(), 1, Integer::sum);
            await(bad.what()).atMost(PATIENCE).untilAsserted(() -> assertThat(
                    own("tidegate_mqtt_messages_rejected_total{reason=\"" + bad.reason() + "\"}")).isEqualTo(count));
            Map<String, Object> newest = rejections().get(0);
            assertThat(newest).as(bad.what()).containsEntry("topic", bad.topic()).containsEntry("reason", bad.reason());
            assertThat(newest.get("message").toString()).as(bad.what()).isNotBlank();
            assertThat(scrape()).as(bad.what()).contains("t{instance=\"dev1\",job=\"rejects\"} 1\n");
        }
        assertThat(rejections()).extracting(rejection -> rejection.get("topic"))
                .containsExactlyInAnyOrder(badLabel, oddLevel, group);

        mosquittoPub("-t", group, "-m", "t 3");

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape()).contains("t{instance=\"dev1\",job=\"rejects\"} 3\n"));
        assertThat(own("tidegate_mqtt_connected")).isEqualTo(1);
    }

    @Test
    void aMessageRefusedForANewTopicStartsNoClockAndLeavesOnlyItsFailureTime() {
        startTidegate();
        String refused = topic("job/never-delivered/instance/dev1");
        // a timestamp is refused, as upstream refuses it; the expiry asks for a 2 s TTL that must not start
        mosquittoPub("-V", "mqttv5", "-D", "publish", "message-expiry-interval", "2", "-t", refused, "-m", "t 1 1234");
        await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(own("tidegate_mqtt_messages_rejected_total{reason=\"inconsistent\"}")).isEqualTo(1));

        await("past the TTL the refused message asked for").pollDelay(Duration.ofSeconds(3)).atMost(PATIENCE)
                .untilAsserted(() -> {
                    String scrape = scrape();
                    assertThat(sample(scrape, "push_failure_time_seconds", "never-delivered")).isPositive();
                    assertThat(sample(scrape, "push_time_seconds", "never-delivered")).isZero();
                    assertThat(sample(scrape, "push_expiry_time_seconds", "never-delivered")).as("no deadline").isNull();
                    assertThat(sample(scrape, "push_expired_time_seconds", "never-delivered")).as("no tombstone").isNull();
                    assertThat(sample(scrape, "t", "never-delivered")).isNull();
                });
        assertThat(own("tidegate_expired_groups_total")).as("nothing expired: there was no clock").isZero();

        mosquittoPub("-t", refused, "-m", "t 2");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(sample("t", "never-delivered")).isEqualTo(2.0));
    }

    // --- 8. Status topic --------------------------------------------------------------------------------

    @Test
    void theStatusTopicSaysOnlineWhileTidegateRunsAndOfflineOnceItStopped() {
        startTidegate("--mqtt.topic-prefix=metrics"); // the default prefix, for the default status topic

        assertThat(mosquittoSub("-t", "metrics/tidegate/status", "-C", "1", "-W", "5")).isEqualTo("online\n");

        tidegate.close();

        assertThat(mosquittoSub("-t", "metrics/tidegate/status", "-C", "1", "-W", "5")).isEqualTo("offline\n");
    }

    // --- 9. Broker restart --------------------------------------------------------------------------------

    @Test
    void afterTheBrokerRestartsTidegateReconnectsAndMessagesFlowAgain() {
        startTidegate();
        String group = topic("job/restart/instance/dev1");
        mosquittoPub("-t", group, "-m", "up 1");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(sample("up", "restart")).isEqualTo(1.0));
        assertThat(own("tidegate_mqtt_reconnects_total")).isZero();

        restartBroker();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(own("tidegate_mqtt_reconnects_total")).isEqualTo(1);
            assertThat(own("tidegate_mqtt_connected")).isEqualTo(1);
        });
        // Tidegate resubscribes just after reconnecting; what is published before that is not for it.
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            mosquittoPub("-t", group, "-m", "up 2");
            assertThat(sample("up", "restart")).isEqualTo(2.0);
        });
    }

    // --- helpers for the retained-copy scenarios, shared with broker-specific tests -----------------------

    /**
     * A device publishes two groups retained while Tidegate listens, so Tidegate applies them live: job
     * {@code expiring} with a TTL of 2 s, job {@code alive} with one long enough to outlive the test.
     * Returns once {@code expiring} has expired, {@code alive} still served.
     */
    protected final void publishAliveAndExpiringRetained(String[] expiringMessage, String[] aliveMessage) {
        mosquittoPub(with(expiringMessage, "-r", "-t", topic("job/expiring/instance/dev1")));
        mosquittoPub(with(aliveMessage, "-r", "-t", topic("job/alive/instance/dev1")));
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(sample("up", "expiring")).isEqualTo(1.0);
            assertThat(sample("up", "alive")).isEqualTo(1.0);
        });
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(apiGroup("expiring")).as("expired").isNull());
        assertThat(sample("up", "alive")).isEqualTo(1.0);
    }

    /**
     * Makes Tidegate reconnect by {@code cause}, then waits until it has resubscribed and handled whatever
     * the broker sent for its subscriptions. Tidegate says {@code online} on its status topic only after
     * resubscribing, so that retained message is deleted first and awaited again; the broker queues the
     * retained copies a subscription brings before it takes that {@code online}, and a live message
     * published after it reaches Tidegate after them: once that one is served, nothing is pending.
     */
    protected final void reconnectAndAwaitResubscription(Runnable cause) {
        String status = prefix + "/tidegate/status";
        mosquittoPub("-r", "-n", "-t", status);

        cause.run();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(own("tidegate_mqtt_reconnects_total")).isEqualTo(1);
            assertThat(own("tidegate_mqtt_connected")).isEqualTo(1);
        });
        await("online again").atMost(PATIENCE).ignoreExceptions()
                .until(() -> mosquittoSub("-t", status, "-C", "1", "-W", "1").equals("online\n"));
        mosquittoPub("-t", topic("job/marker"), "-m", "marker 1");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(sample("marker", "marker")).isEqualTo(1.0));
    }

    /**
     * After {@link #reconnectAndAwaitResubscription}: the broker redelivered {@code copies} retained copies
     * of the messages {@link #publishAliveAndExpiringRetained} published, Tidegate recognised and skipped
     * each, so the expired group stays gone and the alive one keeps its deadline.
     */
    protected final void assertRetainedCopiesSkipped(int copies, double aliveDeadline) {
        assertThat(scrape()).as("the expired group, not revived").doesNotContain("expiring");
        assertThat(apiGroup("expiring")).isNull();
        assertThat(sample("push_expiry_time_seconds", "alive")).as("the deadline, not refreshed").isEqualTo(aliveDeadline);
        assertThat(apiGroup("alive").get("@source")).as("still the live message's group")
                .isEqualTo(Map.of("kind", "mqtt", "topic", topic("job/alive/instance/dev1"), "retained", false));
        assertThat(own("tidegate_mqtt_messages_skipped_total{reason=\"retained_seen\"}")).as("copies redelivered and skipped")
                .isEqualTo(copies);
    }

    /** A new live publication of the very same messages is news: the expired group is back, the deadline moves. */
    protected final void assertTheSameMessagesPublishedLiveAreApplied(String[] expiringMessage, String[] aliveMessage,
            double aliveDeadline) {
        mosquittoPub(with(expiringMessage, "-r", "-t", topic("job/expiring/instance/dev1")));
        mosquittoPub(with(aliveMessage, "-r", "-t", topic("job/alive/instance/dev1")));
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(sample("up", "expiring")).isEqualTo(1.0);
            assertThat(sample("push_expiry_time_seconds", "alive")).isGreaterThan(aliveDeadline);
        });
    }

    // --- running things -------------------------------------------------------------------------------------

    /** Starts this test's Tidegate, subscribed to the broker under this test's prefix, with these flags too (the last of a flag wins). */
    protected final TestHttp startTidegate(String... flags) {
        List<String> all = new ArrayList<>(List.of("--mqtt.url=tcp://127.0.0.1:" + brokerPort(),
                "--mqtt.client-id=" + clientId(), "--mqtt.topic-prefix=" + prefix));
        all.addAll(List.of(flags));
        http = tidegate.start(all.toArray(String[]::new)).http();
        return http;
    }

    protected final String clientId() {
        return "tidegate-" + prefix;
    }

    /** {@code levels} under this test's topic prefix. */
    protected final String topic(String levels) {
        return prefix + "/" + levels;
    }

    /** Publishes with {@code mosquitto_pub} at QoS 1, so the broker has the message when it returns. */
    protected final void mosquittoPub(String... arguments) {
        MosquittoBroker.client(brokerPort(), "mosquitto_pub", with(new String[] {"-q", "1"}, arguments));
    }

    protected final String mosquittoSub(String... arguments) {
        return MosquittoBroker.client(brokerPort(), "mosquitto_sub", arguments);
    }

    /** Starts a Mosquitto client that keeps running, as a device does, until the test kills it or ends. */
    protected final Process device(String program, String... arguments) {
        List<String> command = new ArrayList<>(List.of(program, "-h", "127.0.0.1", "-p", Integer.toString(brokerPort())));
        command.addAll(List.of(arguments));
        try {
            Process device = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            devices.add(device);
            return device;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes {@code resource} after this test's Tidegate has stopped (a broker it uses, say). */
    protected final <T extends AutoCloseable> T afterTidegate(T resource) {
        afterTidegate.add(resource);
        return resource;
    }

    protected static String[] with(String[] first, String... more) {
        String[] all = new String[first.length + more.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }

    private static String base64Url(String value) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }

    // --- reading what a user sees -----------------------------------------------------------------------------

    protected final String scrape() {
        TestHttp.Answer answer = http.get("/metrics");
        assertThat(answer.status()).isEqualTo(200);
        return answer.body();
    }

    /** The value of the series of {@code name} whose labels include {@code job="<job>"}, or null when there is none. */
    protected final Double sample(String name, String job) {
        return sample(scrape(), name, job);
    }

    /** The value of the series of {@code name} in {@code scrape} whose labels include {@code job="<job>"}, or null. */
    protected static Double sample(String scrape, String name, String job) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$").matcher(scrape);
        while (matcher.find()) {
            if (("," + matcher.group(1) + ",").contains(",job=\"" + job + "\",")) {
                return Double.valueOf(matcher.group(2));
            }
        }
        return null;
    }

    /** The value of one of Tidegate's own series, such as {@code tidegate_mqtt_connected}; it must be there. */
    protected final double own(String series) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape());
        assertThat(matcher.find()).as(series + " in the scrape").isTrue();
        return Double.parseDouble(matcher.group(1));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> api() {
        TestHttp.Answer answer = http.get("/api/v1/metrics");
        assertThat(answer.status()).isEqualTo(200);
        return new Gson().fromJson(answer.body(), Map.class);
    }

    /** The group of {@code /api/v1/metrics} whose job is {@code job}, or null. */
    @SuppressWarnings("unchecked")
    protected final Map<String, Object> apiGroup(String job) {
        return ((List<Map<String, Object>>) api().get("data")).stream()
                .filter(group -> job.equals(((Map<String, Object>) group.get("labels")).get("job")))
                .findFirst().orElse(null);
    }

    /** {@code mqtt_rejections} of {@code /api/v1/metrics}, newest first; empty when it is left out. */
    @SuppressWarnings("unchecked")
    protected final List<Map<String, Object>> rejections() {
        Object rejections = api().get("mqtt_rejections");
        return rejections == null ? List.of() : (List<Map<String, Object>>) rejections;
    }
}
