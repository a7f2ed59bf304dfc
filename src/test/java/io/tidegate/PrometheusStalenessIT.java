package io.tidegate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
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
 *
 * <p>Tidegate runs with {@code --push.enable-utf8-names}, which changes nothing for legacy names, so the same
 * Prometheus also checks how UTF-8 names reach a scraper that predates them (Debian's 2.42 sends no
 * {@code escaping} parameter): escaped with underscores, the default, in a Content-Type it reads.
 */
class PrometheusStalenessIT {
    private static final String QUERY = "room_temperature_celsius";
    private static final String BODY = "# HELP room_temperature_celsius Temperature of a room.\n"
            + "# TYPE room_temperature_celsius gauge\n";

    private Path tempDir;
    private final RunningTidegate tidegate = new RunningTidegate();
    private TestHttp tidegateHttp;
    private PrometheusServer prometheus;
    private ScheduledExecutorService refresher;

    @BeforeEach
    void start() throws IOException {
        tempDir = Files.createTempDirectory("tidegate-prometheus-it");
        tidegateHttp = tidegate.start("--push.enable-utf8-names").http();

        prometheus = PrometheusServer.scraping(tempDir, List.of("127.0.0.1:" + tidegate.port()));
    }

    @AfterEach
    void stop() throws IOException, InterruptedException {
        if (refresher != null) {
            refresher.shutdownNow();
            refresher.awaitTermination(5, TimeUnit.SECONDS);
        }
        if (prometheus != null) {
            prometheus.close();
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

    @Test
    void utf8NamesReachAPrometheusThatPredatesThemEscapedWithUnderscores() {
        TestHttp.Answer push = tidegateHttp.put("/metrics/job/sensor/U__site_2e_id/s1",
                "# TYPE \"room.temperature\" gauge\n{\"room.temperature\",\"room.name\"=\"kitchen\"} 21.5\n");
        assertThat(push.status()).isEqualTo(200);

        await("Prometheus 2.42 stores the UTF-8 names as Tidegate escaped them by default").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(series("room_temperature")).containsExactly(Map.of(
                        "__name__", "room_temperature", "job", "sensor", "site_id", "s1", "room_name", "kitchen")));
        assertThat(prometheus.log()).doesNotContain("room.temperature");
    }

    /** The label sets of the instant query's result. */
    private List<Map<String, String>> series() {
        return series(QUERY);
    }

    private List<Map<String, String>> series(String query) {
        List<Map<String, String>> result = new ArrayList<>();
        for (Map<String, String> sample : prometheus.query(query)) {
            Map<String, String> labels = new java.util.TreeMap<>(sample);
            labels.remove("value");
            result.add(labels);
        }
        return result;
    }

    private List<String> instances() {
        return series().stream().map(labels -> labels.get("instance")).toList();
    }
}
