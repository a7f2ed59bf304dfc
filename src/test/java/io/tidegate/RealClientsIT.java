package io.tidegate;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.pushgateway.Format;
import io.prometheus.metrics.exporter.pushgateway.PushGateway;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Pushes made by real clients, read back from the scrape. */
class RealClientsIT {
    private final RunningTidegate tidegate = new RunningTidegate();
    private TestHttp http;

    @BeforeEach
    void start() {
        http = tidegate.start().http();
    }

    @AfterEach
    void stop() {
        tidegate.close();
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void theOfficialJavaClientPushesAndDeletes(Format format) throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        Counter.builder().name("batch_records_processed_total").help("Records processed.").labelNames("stage")
                .register(registry).labelValues("load").inc(42);
        Gauge.builder().name("batch_last_success_seconds").help("When the batch last succeeded.")
                .register(registry).set(1.7e9);
        Histogram.builder().name("batch_duration_seconds").help("Batch duration.").classicUpperBounds(1, 10)
                .register(registry).observe(3);
        PushGateway gateway = PushGateway.builder().address("127.0.0.1:" + tidegate.port())
                .job("nightly").groupingKey("instance", "db1").format(format).registry(registry).build();

        gateway.push();

        String scrape = http.get("/metrics").body();
        assertThat(scrape)
                .contains("batch_records_processed_total{instance=\"db1\",job=\"nightly\",stage=\"load\"} 42\n")
                .contains("batch_last_success_seconds{instance=\"db1\",job=\"nightly\"} 1.7e+09\n")
                .contains("batch_duration_seconds_bucket{instance=\"db1\",job=\"nightly\",le=\"10\"} 1\n")
                .contains("batch_duration_seconds_count{instance=\"db1\",job=\"nightly\"} 1\n");

        gateway.delete();

        assertThat(http.get("/metrics").body()).doesNotContain("job=\"nightly\"");
    }

    @Test
    void curlPushesTextAndReadsItBack() throws Exception {
        String url = "http://127.0.0.1:" + tidegate.port() + "/metrics/job/cron/instance/host1";
        Process curl = new ProcessBuilder("curl", "-sS", "--fail", "--data-binary", "@-", url)
                .redirectErrorStream(true).start();
        curl.getOutputStream().write("# TYPE backup_bytes gauge\nbackup_bytes 123456\n".getBytes(StandardCharsets.UTF_8));
        curl.getOutputStream().close();

        assertThat(curl.waitFor()).as(new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        Process read = new ProcessBuilder("curl", "-sS", "http://127.0.0.1:" + tidegate.port() + "/metrics").start();
        String scrape = new String(read.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(scrape).contains("backup_bytes{instance=\"host1\",job=\"cron\"} 123456\n");
    }
}
