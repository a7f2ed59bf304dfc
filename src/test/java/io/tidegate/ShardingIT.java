package io.tidegate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Tidegate shards over two bridged Mosquitto brokers (SPEC §9): shard A subscribes on broker 1 to
 * {@code metrics/job/site-a/#}, shard B on broker 2 to {@code metrics/job/site-b/#}. HTTP pushes to
 * either shard for either site ({@code --mqtt.replicate} publishes them) and MQTT publications to
 * either broker each land on exactly the shard that owns their topic, and a real Prometheus scraping
 * both shards sees every group once.
 */
class ShardingIT {
    @TempDir
    Path dir;

    @Test
    void eachGroupLivesOnExactlyOneShardAndPrometheusScrapingBothSeesThemAll() throws Exception {
        try (MosquittoBroker broker2 = new MosquittoBroker().start();
                MosquittoBroker broker1 = new MosquittoBroker().withBridgeTo(broker2, "metrics/#").start();
                TidegateJar shardA = shard("shard-a", broker1, "metrics/job/site-a/#");
                TidegateJar shardB = shard("shard-b", broker2, "metrics/job/site-b/#")) {
            for (TidegateJar shard : List.of(shardA, shardB)) {
                for (String site : List.of("site-a", "site-b")) {
                    String instance = "http-via-" + shard.name();
                    assertThat(shard.http().put("/metrics/job/" + site + "/instance/" + instance,
                            "# TYPE probe_value gauge\nprobe_value 1\n").status()).isEqualTo(200);
                }
            }
            for (MosquittoBroker broker : List.of(broker1, broker2)) {
                for (String site : List.of("site-a", "site-b")) {
                    broker.client("mosquitto_pub", "-V", "mqttv5", "-q", "1",
                            "-t", "metrics/job/" + site + "/instance/mqtt-via-" + broker.port(),
                            "-m", "# TYPE probe_value gauge\nprobe_value 2");
                }
            }

            await("each shard holds its site's four groups").atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                assertThat(probes(shardA)).hasSize(4).allMatch(line -> line.contains("job=\"site-a\""));
                assertThat(probes(shardB)).hasSize(4).allMatch(line -> line.contains("job=\"site-b\""));
            });

            try (PrometheusServer prometheus = PrometheusServer.scraping(dir,
                    List.of("127.0.0.1:" + shardA.port(), "127.0.0.1:" + shardB.port()))) {
                await("Prometheus sees every group, each once").atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                    assertThat(prometheus.query("count by (job) (probe_value)")).containsExactlyInAnyOrder(
                            Map.of("job", "site-a", "value", "4"), Map.of("job", "site-b", "value", "4"));
                    assertThat(prometheus.query("count by (job, instance) (probe_value) > 1")).isEmpty();
                });
            }
        }
    }

    private TidegateJar shard(String name, MosquittoBroker broker, String filter) {
        return new TidegateJar(name, dir, "--mqtt.url=" + broker.url(), "--mqtt.client-id=" + name, "--mqtt.replicate",
                "--mqtt.topics=" + filter, "--mqtt.status-topic=metrics/tidegate/" + name + "/status").start();
    }

    /** The probe_value series a shard serves. */
    private static List<String> probes(TidegateJar shard) {
        return shard.pushedMetrics().lines().filter(line -> line.startsWith("probe_value{")).toList();
    }
}
