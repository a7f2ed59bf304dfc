package io.tidegate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.Gson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 4's end-to-end check with a real Prometheus (the Debian binary): Prometheus scrapes Tidegate
 * every second with {@code honor_labels: true}; a series pushed with a short TTL shows up in
 * Prometheus with its pushed job and instance, and once the TTL has passed Prometheus stops returning
 * it (Tidegate stops serving it, so Prometheus marks it stale), while a series refreshed every second
 * stays. Loopback only.
 */
class PrometheusStalenessIT {
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final String QUERY = "room_temperature_celsius";
    private static final String BODY = "# HELP room_temperature_celsius Temperature of a room.\n"
            + "# TYPE room_temperature_celsius gauge\n";

    private Path tempDir;
    private final RunningTidegate tidegate = new RunningTidegate();
    private TestHttp tidegateHttp;
    private Process prometheus;
    private Path prometheusLog;
    private TestHttp prometheusHttp;
    private ScheduledExecutorService refresher;

    @BeforeEach
    void start() throws IOException {
        tempDir = Files.createTempDirectory("tidegate-prometheus-it");
        tidegateHttp = tidegate.start().http();

        Path config = tempDir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: tidegate
                    honor_labels: true
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(tidegate.port()));
        int port = freeLoopbackPort();
        prometheusLog = tempDir.resolve("prometheus.log");
        prometheus = new ProcessBuilder(PROMETHEUS.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + tempDir.resolve("data"),
                "--storage.tsdb.retention.time=1h",
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(prometheusLog.toFile())
                .start();
        prometheusHttp = new TestHttp(port);
        await("Prometheus /-/ready").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .ignoreException(UncheckedIOException.class) // not listening yet
                .until(() -> {
                    if (!prometheus.isAlive()) {
                        throw new IllegalStateException("prometheus exited with " + prometheus.exitValue() + ":\n" + log());
                    }
                    return prometheusHttp.get("/-/ready").status() == 200;
                });
    }

    @AfterEach
    void stop() throws IOException, InterruptedException {
        if (refresher != null) {
            refresher.shutdownNow();
            refresher.awaitTermination(5, TimeUnit.SECONDS);
        }
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        tidegate.close();
        if (tempDir != null) {
            try (Stream<Path> paths = Files.walk(tempDir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    @Test
    void aSeriesWithAShortTtlGoesStaleInPrometheusWhileARefreshedOneStays() {
        refresher = Executors.newSingleThreadScheduledExecutor();
        refresher.scheduleAtFixedRate(() -> tidegateHttp.put("/metrics/job/sensor/instance/dev2",
                BODY + "room_temperature_celsius{room=\"b\"} 19\n", "Push-TTL", "3s"), 0, 1, TimeUnit.SECONDS);
        await("Prometheus scrapes the refreshed dev2 series").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> instances().contains("dev2"));

        long pushedAt = System.currentTimeMillis();
        TestHttp.Answer push = tidegateHttp.put("/metrics/job/sensor/instance/dev1",
                BODY + "room_temperature_celsius{room=\"a\"} 21.5\n", "Push-TTL", "3s");
        assertThat(push.status()).isEqualTo(200);
        assertThat(push.header("Push-TTL")).isEqualTo("3s");

        await("Prometheus returns dev1 with the pushed job and instance").atMost(Duration.ofSeconds(3))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(series()).contains(Map.of(
                        "__name__", QUERY, "job", "sensor", "instance", "dev1", "room", "a")));

        await("Prometheus stops returning dev1 once its TTL has passed").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> !instances().contains("dev1"));
        long goneAt = System.currentTimeMillis();

        assertThat(goneAt - pushedAt).as("dev1 stays until its TTL has passed").isGreaterThanOrEqualTo(3_000);
        assertThat(series()).as("the refreshed series is still returned")
                .containsExactly(Map.of("__name__", QUERY, "job", "sensor", "instance", "dev2", "room", "b"));
    }

    /** The label sets of the instant query's result. */
    @SuppressWarnings("unchecked")
    private List<Map<String, String>> series() {
        TestHttp.Answer answer = prometheusHttp.get("/api/v1/query?query=" + URLEncoder.encode(QUERY, StandardCharsets.UTF_8));
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        Map<String, Object> envelope = new Gson().fromJson(answer.body(), Map.class);
        assertThat(envelope).containsEntry("status", "success");
        Map<String, Object> data = (Map<String, Object>) envelope.get("data");
        List<Map<String, String>> result = new ArrayList<>();
        for (Map<String, Object> sample : (List<Map<String, Object>>) data.get("result")) {
            result.add((Map<String, String>) sample.get("metric"));
        }
        return result;
    }

    private List<String> instances() {
        return series().stream().map(labels -> labels.get("instance")).toList();
    }

    private String log() {
        try {
            return Files.readString(prometheusLog);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
