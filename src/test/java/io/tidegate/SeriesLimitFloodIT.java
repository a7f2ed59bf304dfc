package io.tidegate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §7, memory bounded by default: the jar with a 64 MB heap and no limit flag, flooded with large
 * HTTP pushes and MQTT messages to its embedded broker, each a new group, refuses them once the series
 * held reach the default of {@code --store.max-series}, or, for series with long labels, once the heap
 * they take reaches the default of {@code --store.max-bytes} (429, MQTT 5 {@code QUOTA_EXCEEDED}), never
 * runs out of memory, stays ready, and serves what it held before the refusals.
 */
class SeriesLimitFloodIT {
    private static final int SERIES_PER_PUSH = 2_000;
    private static final int SERIES_PER_MESSAGE = 500;
    private static final int HTTP_PUSHERS = 3;
    /** Refusals each flooding client waits for before it stops: the flood goes on well past the limit. */
    private static final int REFUSALS_EACH = 15;
    private static final int MQTT_QUOTA_EXCEEDED = 0x97;
    /** Refusals each client flooding with long labels waits for: each push is 1 to 2 MiB. */
    private static final int LONG_LABEL_REFUSALS_EACH = 10;

    @TempDir
    Path dir;

    @Test
    void aFloodIsRefusedAtTheDefaultSeriesLimitBeforeTheHeapRunsOutAndWhatWasHeldIsKept() throws Exception {
        int mqttPort = MosquittoBroker.freeLoopbackPort();
        try (TidegateJar tidegate = new TidegateJar("small-heap", dir, "--mqtt.embedded",
                "--mqtt.listen-address=127.0.0.1:" + mqttPort).maxHeap("64m").start()) {
            TestHttp http = tidegate.http();
            long limit = (long) tidegate.sample("tidegate_series_limit");
            // half of the heap (a little under 64 MiB as the JVM counts it) at 1 KiB a series
            assertThat(limit).isBetween(28_000L, 32_768L);
            assertThat(http.put("/metrics/job/kept/instance/a", "kept_value{n=\"1\"} 42\nkept_value{n=\"2\"} 43\n")
                    .status()).isEqualTo(200);
            String keptBefore = keptLines(tidegate);
            assertThat(keptBefore).contains("kept_value{instance=\"a\",job=\"kept\",n=\"2\"} 43");

            List<String> httpRefusals = Collections.synchronizedList(new ArrayList<>());
            List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
            List<String> mqttRefusals = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger applied = new AtomicInteger();
            ExecutorService flood = Executors.newFixedThreadPool(HTTP_PUSHERS + 1);
            List<Future<?>> clients = new ArrayList<>();
            for (int t = 0; t < HTTP_PUSHERS; t++) {
                int pusher = t;
                clients.add(flood.submit(() -> {
                    int refused = 0;
                    for (int i = 0; refused < REFUSALS_EACH && i < 200; i++) {
                        TestHttp.Answer answer = http.put("/metrics/job/flood/instance/p" + pusher + "-" + i,
                                body("flood_value", SERIES_PER_PUSH));
                        if (answer.status() == 200) {
                            applied.incrementAndGet();
                        } else if (answer.status() == 429) {
                            httpRefusals.add(answer.body());
                            refused++;
                        } else {
                            unexpected.add(answer.status() + " " + answer.body());
                        }
                    }
                    return null;
                }));
            }
            clients.add(flood.submit(() -> {
                try (MqttDevice device = new MqttDevice("tcp://127.0.0.1:" + mqttPort)) {
                    int refused = 0;
                    for (int i = 0; refused < REFUSALS_EACH && i < 400; i++) {
                        IMqttToken token = device.publish("metrics/job/mqtt-flood/instance/m" + i,
                                body("mqtt_flood_value", SERIES_PER_MESSAGE));
                        int code = token.getReasonCodes() == null ? 0 : token.getReasonCodes()[0];
                        String reason = token.getResponseProperties() == null ? null
                                : token.getResponseProperties().getReasonString();
                        if (code == MQTT_QUOTA_EXCEEDED) {
                            mqttRefusals.add(reason);
                            refused++;
                        } else if (code >= 0x80) {
                            unexpected.add("PUBACK " + Integer.toHexString(code) + " " + reason);
                        }
                    }
                }
                return null;
            }));
            for (Future<?> client : clients) {
                client.get(3, TimeUnit.MINUTES);
            }
            flood.shutdown();

            assertThat(unexpected).as("answers other than 200 and 429, PUBACKs other than success and 0x97").isEmpty();
            assertThat(applied).as("pushes applied before the limit").hasValueGreaterThan(0);
            assertThat(httpRefusals).hasSize(HTTP_PUSHERS * REFUSALS_EACH).allSatisfy(body -> assertThat(body)
                    .startsWith("storing this push would exceed the limit of " + limit + " series (--store.max-series)"));
            assertThat(mqttRefusals).hasSize(REFUSALS_EACH)
                    .allSatisfy(reason -> assertThat(reason).contains("(--store.max-series)"));
            assertThat(tidegate.sample("tidegate_series")).isBetween(limit - SERIES_PER_PUSH - 3.0, (double) limit);
            assertThat(tidegate.sample("tidegate_mqtt_messages_rejected_total{reason=\"limit\"}"))
                    .isEqualTo(REFUSALS_EACH);

            assertThat(http.get("/-/ready").status()).isEqualTo(200);
            assertThat(keptLines(tidegate)).isEqualTo(keptBefore);
            assertThat(http.delete("/metrics/job/flood/instance/p0-0").status()).as("a delete makes room").isEqualTo(202);
            assertThat(http.put("/metrics/job/after/instance/a", body("after_value", SERIES_PER_PUSH - 10)).status())
                    .isEqualTo(200);
            assertThat(tidegate.isAlive()).isTrue();
            assertThat(tidegate.log()).doesNotContain("OutOfMemoryError").doesNotContain("level=error");
        }
    }

    @Test
    void aFloodOfSeriesWithLongLabelsIsRefusedAtTheDefaultHeapLimitBeforeTheHeapRunsOut() throws Exception {
        int mqttPort = MosquittoBroker.freeLoopbackPort();
        try (TidegateJar tidegate = new TidegateJar("small-heap-long-labels", dir, "--mqtt.embedded",
                "--mqtt.listen-address=127.0.0.1:" + mqttPort).maxHeap("64m").start()) {
            TestHttp http = tidegate.http();
            long limit = (long) tidegate.sample("tidegate_heap_held_limit_bytes");
            // half of the heap, a little under 64 MiB as the JVM counts it
            assertThat(limit).isBetween(28L << 20, 32L << 20);
            assertThat(http.put("/metrics/job/kept/instance/a", "kept_value{n=\"1\"} 42\nkept_value{n=\"2\"} 43\n")
                    .status()).isEqualTo(200);
            String keptBefore = keptLines(tidegate);

            List<String> httpRefusals = Collections.synchronizedList(new ArrayList<>());
            List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
            List<String> mqttRefusals = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger applied = new AtomicInteger();
            List<String> appliedPaths = Collections.synchronizedList(new ArrayList<>());
            ExecutorService flood = Executors.newFixedThreadPool(HTTP_PUSHERS + 1);
            List<Future<?>> clients = new ArrayList<>();
            for (int t = 0; t < HTTP_PUSHERS; t++) {
                int pusher = t;
                clients.add(flood.submit(() -> {
                    int refused = 0;
                    for (int i = 0; refused < LONG_LABEL_REFUSALS_EACH && i < 300; i++) {
                        // 2 series of 61 labels of 16 KiB and n, 2 MiB of body; job and instance make 64 labels
                        String path = "/metrics/job/long/instance/p" + pusher + "-" + i;
                        TestHttp.Answer answer = http.put(path, longLabelled("long_value", 2, 61, (char) ('a' + pusher)));
                        if (answer.status() == 200) {
                            applied.incrementAndGet();
                            appliedPaths.add(path);
                        } else if (answer.status() == 429 && answer.body().startsWith(BUSY)) {
                            // the other pushers' bodies being read fill this heap's budget for them: sent again
                        } else if (answer.status() == 429) {
                            httpRefusals.add(answer.body());
                            refused++;
                        } else {
                            unexpected.add(answer.status() + " " + answer.body());
                        }
                    }
                    return null;
                }));
            }
            clients.add(flood.submit(() -> {
                try (MqttDevice device = new MqttDevice("tcp://127.0.0.1:" + mqttPort)) {
                    int refused = 0;
                    for (int i = 0; refused < LONG_LABEL_REFUSALS_EACH && i < 200; i++) {
                        // 1 series of 60 labels of 16 KiB and n: under the default MQTT payload limit of 1 MiB
                        IMqttToken token = device.publish("metrics/job/mqtt-long/instance/m" + i,
                                longLabelled("mqtt_long_value", 1, 60, 'm'));
                        int code = token.getReasonCodes() == null ? 0 : token.getReasonCodes()[0];
                        String reason = token.getResponseProperties() == null ? null
                                : token.getResponseProperties().getReasonString();
                        if (code == MQTT_QUOTA_EXCEEDED) {
                            mqttRefusals.add(reason);
                            refused++;
                        } else if (code >= 0x80) {
                            unexpected.add("PUBACK " + Integer.toHexString(code) + " " + reason);
                        }
                    }
                }
                return null;
            }));
            for (Future<?> client : clients) {
                client.get(3, TimeUnit.MINUTES);
            }
            flood.shutdown();

            assertThat(unexpected).as("answers other than 200 and 429, PUBACKs other than success and 0x97").isEmpty();
            assertThat(applied).as("pushes applied before the limit").hasValueGreaterThan(0);
            assertThat(httpRefusals).hasSize(HTTP_PUSHERS * LONG_LABEL_REFUSALS_EACH).allSatisfy(body -> assertThat(body)
                    .startsWith("storing this push would exceed the limit of " + limit
                            + " bytes of heap held (--store.max-bytes)"));
            assertThat(mqttRefusals).hasSize(LONG_LABEL_REFUSALS_EACH)
                    .allSatisfy(reason -> assertThat(reason).contains("(--store.max-bytes)"));
            assertThat(tidegate.sample("tidegate_heap_held_bytes")).isBetween(limit / 2.0, (double) limit);
            assertThat(tidegate.sample("tidegate_series")).as("far below the series limit").isLessThan(100);

            assertThat(http.get("/-/ready").status()).isEqualTo(200);
            assertThat(keptLines(tidegate)).isEqualTo(keptBefore);
            assertThat(http.get("/metrics", "Accept", "application/openmetrics-text; version=1.0.0").status())
                    .as("a scrape in another format, which keeps its rendering too").isEqualTo(200);
            assertThat(http.delete(appliedPaths.get(0)).status()).as("a delete makes room").isEqualTo(202);
            assertThat(http.put("/metrics/job/after/instance/a", longLabelled("after_value", 1, 61, 'z')).status())
                    .isEqualTo(200);
            assertThat(tidegate.isAlive()).isTrue();
            assertThat(tidegate.log()).doesNotContain("OutOfMemoryError").doesNotContain("level=error");
        }
    }

    private static final String BUSY = "other pushes being read take the ";

    /**
     * Large bodies at once on a small heap: each is held while it is read, before the store's bounds can
     * see it, so the bodies being read share a budget of a sixteenth of the heap. Before it, four
     * concurrent pushes of 30 MiB ran this heap out of memory (500, OutOfMemoryError).
     */
    @Test
    void largeBodiesAtOnceShareTheHeapsBudgetForBodiesAndNeverRunItOut() throws Exception {
        try (TidegateJar tidegate = new TidegateJar("small-heap-bodies", dir, "--mqtt.embedded=false").maxHeap("64m")
                .start()) {
            TestHttp http = tidegate.http();
            assertThat(http.put("/metrics/job/kept/instance/a", "kept_value 42\n").status()).isEqualTo(200);
            String keptBefore = keptLines(tidegate);
            // 3 MiB of comments and one sample: under the budget (about 3.9 MiB here) alone, not two at once
            String threeMebibytes = "# " + "c".repeat(1021) + "\n";
            String body = threeMebibytes.repeat(3 * 1024) + "read_value 1\n";
            String thirtyMebibytes = threeMebibytes.repeat(30 * 1024) + "read_value 1\n";

            List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger applied = new AtomicInteger();
            AtomicInteger busy = new AtomicInteger();
            ExecutorService flood = Executors.newFixedThreadPool(6);
            List<Future<?>> clients = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int pusher = t;
                clients.add(flood.submit(() -> {
                    for (int i = 0; i < 8; i++) {
                        boolean large = pusher < 2 && i % 2 == 0;
                        TestHttp.Answer answer = http.put("/metrics/job/bodies/instance/p" + pusher,
                                large ? thirtyMebibytes : body);
                        if (answer.status() == 200 && !large) {
                            applied.incrementAndGet();
                        } else if (answer.status() == 429 && answer.body().startsWith(BUSY)
                                && answer.header("Retry-After") != null) {
                            busy.incrementAndGet();
                        } else if (!(answer.status() == 413 && large
                                && answer.body().contains("a push may take while it is read on this heap"))) {
                            unexpected.add(answer.status() + " " + answer.body());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> client : clients) {
                client.get(3, TimeUnit.MINUTES);
            }
            flood.shutdown();

            assertThat(unexpected).as("answers other than 200, 429 busy and 413 for this heap").isEmpty();
            assertThat(applied).as("bodies read").hasValueGreaterThan(0);
            // alone, with nothing else taking the budget, a body larger than it is refused as too large, not as busy
            TestHttp.Answer alone = http.put("/metrics/job/bodies/instance/alone", thirtyMebibytes);
            assertThat(alone.status()).as("a 30 MiB body alone: " + alone.body()).isEqualTo(413);
            assertThat(alone.body()).contains("a push may take while it is read on this heap");
            assertThat(http.get("/-/ready").status()).isEqualTo(200);
            assertThat(keptLines(tidegate)).isEqualTo(keptBefore);
            assertThat(http.put("/metrics/job/after/instance/a", body).status()).isEqualTo(200);
            assertThat(tidegate.isAlive()).isTrue();
            assertThat(tidegate.log()).doesNotContain("OutOfMemoryError").doesNotContain("level=error");
        }
    }

    /** {@code series} series of one gauge, each with label n and {@code labels} labels whose values are 16 KiB of {@code fill}. */
    private static String longLabelled(String name, int series, int labels, char fill) {
        String value = String.valueOf(fill).repeat(16_384);
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < series; i++) {
            body.append(name).append("{n=\"").append(i).append('"');
            for (int l = 0; l < labels; l++) {
                body.append(",l").append(l).append("=\"").append(value).append('"');
            }
            body.append("} 1\n");
        }
        return body.toString();
    }

    /** {@code series} series of one gauge, with labels of the length devices give them. */
    private static String body(String name, int series) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < series; i++) {
            body.append(name).append("{host=\"host-").append(i % 100).append("\",sensor=\"sensor-").append(i)
                    .append("\",region=\"eu-west-1\"} ").append(i).append(".5\n");
        }
        return body.toString();
    }

    /** The served lines of the group pushed before the flood, its push time gauges included. */
    private static String keptLines(TidegateJar tidegate) {
        return tidegate.http().get("/metrics").body().lines().filter(line -> line.contains("job=\"kept\""))
                .collect(Collectors.joining("\n"));
    }

    /** An MQTT 5 client that publishes at QoS 1 and waits for each PUBACK, whose reason code the token holds. */
    private static final class MqttDevice implements AutoCloseable {
        private final MqttAsyncClient client;

        MqttDevice(String url) throws MqttException {
            client = new MqttAsyncClient(url, "flood", new MemoryPersistence());
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setCleanStart(true);
            client.connect(options).waitForCompletion(10_000);
        }

        IMqttToken publish(String topic, String payload) throws MqttException {
            MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
            message.setQos(1);
            IMqttToken token = client.publish(topic, message);
            try {
                token.waitForCompletion(10_000);
            } catch (MqttException refused) {
                // Paho reports a PUBACK with an error code as a failed publish; the answer is on the token
            }
            return token;
        }

        @Override
        public void close() throws MqttException {
            client.disconnect().waitForCompletion(5_000);
            client.close();
        }
    }
}
