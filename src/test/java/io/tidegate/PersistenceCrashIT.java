package io.tidegate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar with {@code --persistence.file}, killed with {@code kill -9} and started again:
 * every answered push and applied MQTT message is back, and a damaged file costs its damaged records only.
 */
class PersistenceCrashIT {
    private static final Path JAR = Path.of("target", "tidegate.jar");
    private static final Pattern APPLIED = Pattern.compile("(?m)^tidegate_mqtt_messages_applied_total (\\S+)$");

    @TempDir
    Path dir;

    private Process tidegate;
    private Path log;
    private int starts;

    @AfterEach
    void stop() throws InterruptedException {
        if (tidegate != null && tidegate.isAlive()) {
            tidegate.destroyForcibly();
            tidegate.waitFor();
        }
    }

    @Test
    void everyAnsweredPushAndAppliedMessageSurvivesKillNineAndExpiredGroupsStayGone() throws Exception {
        int mqttPort = MosquittoBroker.freeLoopbackPort();
        Path file = dir.resolve("db");
        TestHttp http = start(file, "--mqtt.listen-address=127.0.0.1:" + mqttPort);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int n = i;
            String ttl = n % 10 == 0 ? "2s" : n % 2 == 0 ? "1h" : "0";
            answers.add(pool.submit(() -> http.put("/metrics/job/h" + n, "x{n=\"" + n + "\"} " + n + "\n",
                    "Push-TTL", ttl).status()));
        }
        Instant lastShortPush = Instant.now();
        MqttClient publisher = new MqttClient("tcp://127.0.0.1:" + mqttPort, "crash-test", new MemoryPersistence());
        // the web server answers before the embedded broker listens and Tidegate has subscribed
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> http.get("/metrics").body().contains("\ntidegate_mqtt_connected 1\n"));
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMaxInflight(1000); // Paho 1.2.5's window can fill with publishes already acknowledged (its issue 551)
        publisher.connect(options);
        for (int i = 0; i < 50; i++) {
            MqttMessage message = new MqttMessage(("{\"temp\": " + i + "}").getBytes(StandardCharsets.UTF_8));
            message.setQos(1);
            publisher.publish("metrics/job/m" + i, message);
        }
        for (Future<Integer> answer : answers) {
            assertThat(answer.get()).isEqualTo(200);
        }
        pool.shutdown();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> appliedMessages(http) == 50);
        publisher.disconnect();
        publisher.close();
        List<String> before = pushedLines(http);
        assertThat(before).anyMatch(line -> line.startsWith("temp{") && line.contains("job=\"m49\""));

        tidegate.destroyForcibly();
        tidegate.waitFor();
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> Instant.now().isAfter(lastShortPush.plusSeconds(3)));
        TestHttp restarted = start(file, "--mqtt.listen-address=127.0.0.1:" + MosquittoBroker.freeLoopbackPort());

        List<String> expected = before.stream().filter(line -> !Pattern.compile("job=\"h\\d*0\"").matcher(line).find())
                .toList();
        assertThat(expected).hasSizeLessThan(before.size());
        assertThat(pushedLines(restarted)).isEqualTo(expected);
        assertThat(Files.readString(log)).doesNotContain("persistence file damaged");
    }

    @Test
    void aTruncatedOrCorruptJournalLoadsEveryIntactRecordReportsTheLossAndStarts() throws Exception {
        TestHttp http = start(dir.resolve("db"), "--no-mqtt.embedded");
        int pushes = 60;
        for (int i = 0; i < pushes; i++) {
            assertThat(http.put("/metrics/job/j" + i, "x " + i + "\n").status()).isEqualTo(200);
        }
        tidegate.destroyForcibly();
        tidegate.waitFor();
        Path journal = onlyJournal();
        byte[] intact = Files.readAllBytes(journal);
        Random random = new Random(20261125);
        for (int round = 0; round < 6; round++) {
            byte[] damaged;
            int at = 24 + random.nextInt(intact.length - 24);
            if (round % 2 == 0) {
                damaged = java.util.Arrays.copyOf(intact, at);
            } else {
                damaged = intact.clone();
                damaged[at] ^= (byte) (1 << random.nextInt(8));
            }
            Path copy = Files.createDirectories(dir.resolve("round" + round));
            Files.copy(dir.resolve("db"), copy.resolve("db"));
            Files.write(copy.resolve(journal.getFileName()), damaged);

            TestHttp restarted = start(copy.resolve("db"), "--no-mqtt.embedded");

            List<String> values = pushedLines(restarted).stream().filter(line -> line.startsWith("x{")).toList();
            if (round % 2 == 0) {
                // the journal is in push order: what is back after a cut is the pushes before it, each with its value
                for (int i = 0; i < values.size(); i++) {
                    assertThat(values).contains("x{instance=\"\",job=\"j" + i + "\"} " + i);
                }
            } else {
                // a flipped bit costs the one record it is in: every other push is back, each with its value
                assertThat(values).hasSize(pushes - 1);
                for (String value : values) {
                    assertThat(value).matches("x\\{instance=\"\",job=\"j(\\d+)\"} \\1");
                }
                List<Path> kept = keptAside(copy);
                if (values.contains("x{instance=\"\",job=\"j" + (pushes - 1) + "\"} " + (pushes - 1))) {
                    assertThat(kept).singleElement().satisfies(path -> assertThat(path.getFileName().toString())
                            .startsWith(journal.getFileName() + ".damaged-"));
                    assertThat(Files.readAllBytes(kept.get(0))).isEqualTo(damaged);
                } else {
                    assertThat(kept).as("the last record damaged, taken for a torn tail").isEmpty();
                }
            }
            String metrics = restarted.get("/metrics").body();
            assertThat(metrics).contains("tidegate_persistence_load_errors_total 1\n");
            assertThat(Files.readString(log)).contains("persistence file damaged").contains("offset=")
                    .contains("lost_bytes=");
            tidegate.destroyForcibly();
            tidegate.waitFor();
        }
    }

    private static List<Path> keptAside(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(path -> path.getFileName().toString().contains(".damaged-")).toList();
        }
    }

    private Path onlyJournal() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> journals = files.filter(path -> path.getFileName().toString().startsWith("db.journal-")).toList();
            assertThat(journals).hasSize(1);
            return journals.get(0);
        }
    }

    private static long appliedMessages(TestHttp http) {
        Matcher matcher = APPLIED.matcher(http.get("/metrics").body());
        return matcher.find() ? (long) Double.parseDouble(matcher.group(1)) : -1;
    }

    /** The pushed groups as /metrics shows them, Tidegate's own metrics left out. */
    private static List<String> pushedLines(TestHttp http) {
        return http.get("/metrics").body().lines().filter(line -> line.contains("job=\"")).sorted()
                .collect(Collectors.toList());
    }

    private TestHttp start(Path file, String... flags) throws IOException {
        assertThat(JAR).as("the jar, built by mvn package before the integration tests").exists();
        int port = MosquittoBroker.freeLoopbackPort();
        log = dir.resolve("tidegate-" + starts++ + ".log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString(),
                "--persistence.file=" + file, "--web.listen-address=127.0.0.1:" + port));
        command.addAll(List.of(flags));
        tidegate = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        TestHttp http = new TestHttp(port);
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> http.get("/-/ready").status() == 200);
        return http;
    }

}
