package io.tidegate.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import io.tidegate.MosquittoBroker;
import io.tidegate.TestHttp;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * examples/demo.sh as a user runs it, briefly: the whole stack on free loopback ports (the Tidegate jar,
 * Debian's mosquitto with the repository's users and ACL, Debian's prometheus with the repository's
 * configuration and rules) and its 50 probes, with a short TTL. Everything is checked where an operator
 * looks, in Prometheus' query API: the probes that go silent disappear once their TTL has passed, the
 * ones that die without a DISCONNECT disappear at once (their Last Will), the others stay, and the offline
 * alert fires for exactly the silent and the dead. Also the broker's ACL and passwords, every query of
 * the Grafana dashboard, and that stopping the demo leaves no process behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoStackIT {
    private static final int TTL_SECONDS = 6;
    // the demo's roles for its default 50 probes, as its header comment describes them
    private static final Set<String> MQTT_REPORTING = probes(1, 20);
    private static final Set<String> MQTT_SILENT = probes(21, 25);
    private static final Set<String> MQTT_DEAD = probes(26, 30);
    private static final Set<String> HTTP_REPORTING = probes(31, 45);
    private static final Set<String> HTTP_SILENT = probes(46, 50);

    private Path dir;
    private Process demo;
    private Path outputFile;
    private final Set<ProcessHandle> startedByDemo = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService watcher;
    private int tidegatePort;
    private int mqttPort;
    private int prometheusPort;
    private PrometheusQueries prometheus;

    private static Set<String> probes(int first, int last) {
        Set<String> names = new TreeSet<>();
        IntStream.rangeClosed(first, last).forEach(i -> names.add(String.format("probe-%02d", i)));
        return names;
    }

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        Set<String> union = new TreeSet<>();
        for (Set<String> set : sets) {
            union.addAll(set);
        }
        return union;
    }

    @BeforeAll
    void startTheDemo() throws IOException {
        dir = Files.createTempDirectory("tidegate-demo-it");
        tidegatePort = MosquittoBroker.freeLoopbackPort();
        mqttPort = MosquittoBroker.freeLoopbackPort();
        prometheusPort = MosquittoBroker.freeLoopbackPort();
        prometheus = new PrometheusQueries(prometheusPort);
        ProcessBuilder builder = new ProcessBuilder("bash", "examples/demo.sh").redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        environment.put("TIDEGATE_JAR", Path.of("target", "tidegate.jar").toAbsolutePath().toString());
        environment.put("DEMO_DIR", dir.toString());
        environment.put("DEMO_TIDEGATE_PORT", Integer.toString(tidegatePort));
        environment.put("DEMO_MQTT_PORT", Integer.toString(mqttPort));
        environment.put("DEMO_PROMETHEUS_PORT", Integer.toString(prometheusPort));
        environment.put("DEMO_INTERVAL", "1");
        environment.put("DEMO_TTL", Integer.toString(TTL_SECONDS));
        environment.put("DEMO_TROUBLE_AFTER", "10");
        environment.put("DEMO_SCRAPE_INTERVAL", "1s");
        environment.put("DEMO_STATUS_EVERY", "5");
        environment.put("DEMO_DURATION", "150"); // stops by itself should this test die before stopping it
        outputFile = dir.resolve("demo.out");
        demo = builder.redirectOutput(outputFile.toFile()).start();
        // what the demo starts, collected while it runs: orphans would no longer be its descendants
        watcher = Executors.newSingleThreadScheduledExecutor();
        watcher.scheduleAtFixedRate(() -> demo.descendants().forEach(startedByDemo::add), 0, 100, TimeUnit.MILLISECONDS);
        awaitOutput("trouble comes at", Duration.ofSeconds(90));
    }

    private String demoOutput() {
        try {
            return "demo output:\n" + Files.readString(outputFile);
        } catch (IOException e) {
            return "(no demo output: " + e + ")";
        }
    }

    private void awaitOutput(String text, Duration atMost) {
        await(text).atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (demoOutput().contains(text)) {
                return true;
            }
            if (!demo.isAlive()) {
                throw new AssertionError("the demo exited with " + demo.exitValue() + "\n" + demoOutput());
            }
            return false;
        });
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (demo != null && demo.isAlive()) {
            demo.destroy();
            demo.waitFor(30, TimeUnit.SECONDS);
        }
        if (watcher != null) {
            watcher.shutdownNow();
        }
        startedByDemo.forEach(ProcessHandle::destroyForcibly); // only if the demo failed to
        if (demo != null) {
            demo.destroyForcibly();
        }
        if (dir != null) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    @Test
    @Order(1)
    void silentAndDeadProbesDisappearFromPrometheusWhileTheOthersStay() {
        Set<String> staying = union(MQTT_REPORTING, HTTP_REPORTING);
        await("only the probes still reporting are left in Prometheus").atMost(Duration.ofSeconds(45))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(prometheus.instances("room_temperature_celsius{job=\"room_probe\"}"))
                        .as(demoOutput()).isEqualTo(staying));

        assertThat(prometheus.instances("count_over_time(room_temperature_celsius{job=\"room_probe\"}[10m])"))
                .as("every probe was there before").isEqualTo(probes(1, 50));
        // When each probe was last in Prometheus, against when it last pushed: the silent stayed for their
        // TTL, the dead went at once (their Last Will), though they stopped at the same moment.
        Map<String, Double> lastSeen = prometheus.values(
                "max_over_time(timestamp(room_temperature_celsius{job=\"room_probe\"})[10m:1s])");
        Map<String, Double> lastPush = prometheus.values("max_over_time(push_time_seconds{job=\"room_probe\"}[10m])");
        Map<String, Double> staidFor = new LinkedHashMap<>();
        for (String probe : union(MQTT_SILENT, MQTT_DEAD, HTTP_SILENT)) {
            staidFor.put(probe, lastSeen.get(probe) - lastPush.get(probe));
        }
        for (String probe : union(MQTT_SILENT, HTTP_SILENT)) {
            assertThat(staidFor.get(probe)).as(probe + " stays until its TTL has passed; " + staidFor)
                    .isBetween(TTL_SECONDS - 2.0, TTL_SECONDS + 3.0);
        }
        for (String probe : MQTT_DEAD) {
            assertThat(staidFor.get(probe)).as(probe + " is gone at once; " + staidFor).isLessThan(TTL_SECONDS - 3.0);
        }
    }

    @Test
    @Order(2)
    void theOfflineAlertFiresForTheSilentAndTheDeadAndOnlyTheSilentLeaveATombstone() {
        await("TidegateDeviceOffline fires for the silent and the dead").atMost(Duration.ofSeconds(45))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(prometheus.instances(
                        "ALERTS{alertname=\"TidegateDeviceOffline\", alertstate=\"firing\"}"))
                        .isEqualTo(union(MQTT_SILENT, MQTT_DEAD, HTTP_SILENT)));

        // expired groups leave push_expired_time_seconds (--ttl.tombstone); deleted ones do not
        assertThat(prometheus.instances("push_expired_time_seconds{job=\"room_probe\"}"))
                .isEqualTo(union(MQTT_SILENT, HTTP_SILENT));
        assertThat(prometheus.rules()).hasSize(8).allSatisfy(rule ->
                assertThat(rule.get("health").getAsString()).as(rule.get("name").getAsString()).isEqualTo("ok"));
        assertThat(prometheus.instances("ALERTS{alertstate=\"firing\", alertname!=\"TidegateDeviceOffline\"}"))
                .as("no other alert fires").isEmpty();
    }

    @Test
    @Order(3)
    void aProbeMayPublishOnlyUnderItsOwnTopicWithItsOwnPassword() {
        String stolenTopic = "metrics/job/room_probe/instance/probe-02/room/hall";
        String refused = MosquittoBroker.client(mqttPort, "mosquitto_pub", "-V", "mqttv5", "-q", "1",
                "-u", "probe-01", "-P", "demo-probe-01", "-t", stolenTopic, "-m", "intruder_celsius 99");
        assertThat(refused).contains("Not authorized");
        MosquittoBroker.client(mqttPort, "mosquitto_pub", "-V", "mqttv5", "-q", "1",
                "-u", "probe-01", "-P", "demo-probe-01", "-t", "metrics/job/acl_check/instance/probe-01", "-m", "acl_check 1");

        TestHttp tidegate = new TestHttp(tidegatePort);
        await("probe-01's own publication arrives").atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(tidegate.get("/metrics").body())
                        .contains("acl_check{instance=\"probe-01\",job=\"acl_check\"} 1\n"));
        assertThat(tidegate.get("/metrics").body()).as("published before it, under probe-02's topic")
                .doesNotContain("intruder_celsius");

        assertThatThrownBy(() -> MosquittoBroker.client(mqttPort, "mosquitto_pub", "-u", "probe-01", "-P", "wrong",
                "-t", "metrics/job/acl_check/instance/probe-01", "-m", "acl_check 2"))
                .hasMessageContaining("not authorised");
        assertThatThrownBy(() -> MosquittoBroker.client(mqttPort, "mosquitto_pub",
                "-t", "metrics/job/acl_check/instance/probe-01", "-m", "acl_check 3"))
                .as("anonymous").hasMessageContaining("not authorised");
    }

    @Test
    @Order(4)
    void everyDashboardQueryAnswersAndEveryPanelShowsData() {
        // a refused push to a group pushed before, so the panels of refused pushes have something to show (a key
        // never pushed successfully is refused, never pushed, and no panel of failing groups lists it)
        assertThat(new TestHttp(tidegatePort).put("/metrics/job/dashboard_check/instance/bad", "fine 1\n").status())
                .isEqualTo(200);
        TestHttp.Answer refusal = new TestHttp(tidegatePort).put("/metrics/job/dashboard_check/instance/bad",
                "with_timestamp 1 1700000000000\n");
        assertThat(refusal.status()).isEqualTo(400);

        for (Dashboard.Query query : Dashboard.queries()) {
            prometheus.instant(query.asPrometheusGetsIt("30s")); // asserts that Prometheus answers success
        }
        await("every panel shows data").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(panelsWithoutData()).isEmpty());
        assertThat(prometheus.labelValues("job", "push_time_seconds")).as("the dashboard's job variable")
                .contains("room_probe", "acl_check", "dashboard_check");
    }

    private Set<String> panelsWithoutData() {
        Set<String> withData = new HashSet<>();
        Set<String> all = new TreeSet<>();
        for (Dashboard.Query query : Dashboard.queries()) {
            all.add(query.panel());
            if (!prometheus.instant(query.asPrometheusGetsIt("30s")).isEmpty()) {
                withData.add(query.panel());
            }
        }
        all.removeAll(withData);
        return all;
    }

    @Test
    @Order(5)
    void stoppingTheDemoLeavesNothingRunning() throws Exception {
        Set<ProcessHandle> seen = new HashSet<>(startedByDemo);
        assertThat(seen.stream().map(process -> process.info().command().orElse("")))
                .as("the demo's processes, seen while it ran")
                .anyMatch(command -> command.endsWith("java")).anyMatch(command -> command.endsWith("prometheus"))
                .anyMatch(command -> command.endsWith("mosquitto")).anyMatch(command -> command.endsWith("mosquitto_pub"));

        demo.destroy(); // SIGTERM, as from a service manager; Ctrl-C's SIGINT takes the same path

        assertThat(demo.waitFor(30, TimeUnit.SECONDS)).as(demoOutput()).isTrue();
        assertThat(demo.exitValue()).as(demoOutput()).isZero();
        awaitOutput("demo: stopped", Duration.ofSeconds(5));
        watcher.shutdownNow();
        watcher.awaitTermination(5, TimeUnit.SECONDS);
        assertThat(startedByDemo).as("processes the demo started").noneMatch(ProcessHandle::isAlive);
        for (int port : List.of(tidegatePort, mqttPort, prometheusPort)) {
            assertThat(listening(port)).as("port " + port + " is free again").isFalse();
        }
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
