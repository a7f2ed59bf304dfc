package io.tidegate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.Gson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real Prometheus (Debian's {@code /usr/bin/prometheus}) on a free loopback port, scraping Tidegate
 * targets every second with {@code honor_labels: true}, as the README tells operators to; queried through
 * its HTTP API. Its data lives in a directory the caller owns.
 */
public final class PrometheusServer implements AutoCloseable {
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");

    private final Process process;
    private final Path log;
    private final TestHttp http;

    private PrometheusServer(Process process, Path log, TestHttp http) {
        this.process = process;
        this.log = log;
        this.http = http;
    }

    /** Scrapes {@code targets} ({@code host:port}) as one job; ready when this returns. */
    public static PrometheusServer scraping(Path dir, List<String> targets) throws IOException {
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: tidegate
                    honor_labels: true
                    static_configs:
                      - targets: [%s]
                """.formatted(String.join(", ", targets.stream().map(t -> "'" + t + "'").toList())));
        int port = MosquittoBroker.freeLoopbackPort();
        Path log = dir.resolve("prometheus.log");
        Process process = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("prometheus-data"), "--storage.tsdb.retention.time=1h",
                "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PrometheusServer server = new PrometheusServer(process, log, new TestHttp(port));
        await("Prometheus /-/ready").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .ignoreException(UncheckedIOException.class) // not listening yet
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("prometheus exited with " + process.exitValue() + ":\n"
                                + Files.readString(log));
                    }
                    return server.http.get("/-/ready").status() == 200;
                });
        return server;
    }

    /** The result of an instant query: each sample's labels, with its value under {@code "value"}. */
    @SuppressWarnings("unchecked")
    public List<Map<String, String>> query(String promql) {
        TestHttp.Answer answer = http.get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        Map<String, Object> envelope = new Gson().fromJson(answer.body(), Map.class);
        Map<String, Object> data = (Map<String, Object>) envelope.get("data");
        List<Map<String, String>> result = new ArrayList<>();
        for (Map<String, Object> sample : (List<Map<String, Object>>) data.get("result")) {
            Map<String, String> labels = new java.util.TreeMap<>((Map<String, String>) sample.get("metric"));
            labels.put("value", String.valueOf(((List<Object>) sample.get("value")).get(1)));
            result.add(labels);
        }
        return result;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
