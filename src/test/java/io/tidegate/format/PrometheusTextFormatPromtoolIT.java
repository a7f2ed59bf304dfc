package io.tidegate.format;

import static io.tidegate.format.PrometheusTextFormatTest.labels;
import static io.tidegate.format.PrometheusTextFormatTest.scrapeOnePartPerSeries;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The text output passes {@code promtool check metrics} (Debian package prometheus). */
class PrometheusTextFormatPromtoolIT {
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    @Test
    void scrapeOfEveryTypePassesPromtool() throws Exception {
        assertThat(Files.isExecutable(PROMTOOL)).as("promtool (Debian package prometheus, installed by test.sh)").isTrue();
        PrometheusTextFormat format = new PrometheusTextFormat();
        List<MetricFamily> families = List.of(
                new MetricFamily("http_requests_total", "Requests with \\ and \n in help.", MetricType.COUNTER, List.of(
                        Metric.simple(labels("code", "200", "instance", "", "job", "a"), 1027, null),
                        Metric.simple(labels("code", "500", "instance", "", "job", "b"), 1e21, null))),
                new MetricFamily("room_temperature_celsius", "Temperature.", MetricType.GAUGE, List.of(
                        Metric.simple(labels("room", "x\\y \"quoted\"\nünï ✓", "job", "a"), -0.0, null),
                        Metric.simple(labels("room", "", "job", "b"), Double.NaN, null),
                        Metric.simple(labels("room", "c", "job", "b"), 5e-324, null))),
                new MetricFamily("legacy_value", "Untyped.", MetricType.UNTYPED, List.of(
                        Metric.simple(List.of(), 1234567, null))),
                new MetricFamily("rpc_duration_seconds", "RPC latency.", MetricType.SUMMARY, List.of(
                        Metric.summary(labels("job", "a"), 2000, 1234.5,
                                List.of(new Quantile(0.5, 0.0123), new Quantile(0.99, Double.NaN)), null))),
                new MetricFamily("request_duration_seconds", "Latency.", MetricType.HISTOGRAM, List.of(
                        Metric.histogram(labels("job", "a"), 9, 0.3,
                                List.of(new Bucket(0.005, 1), new Bucket(0.1, 5), new Bucket(1e6, 7)), null),
                        Metric.histogram(labels("job", "b"), 3, 1.5,
                                List.of(new Bucket(1, 0), new Bucket(Double.POSITIVE_INFINITY, 3)), null))),
                new MetricFamily("queue_length", "Queue length now.", MetricType.GAUGE_HISTOGRAM, List.of(
                        Metric.histogram(List.of(), 4, 2, List.of(new Bucket(1, 3)), null))));
        String scrape = scrapeOnePartPerSeries(format, families);

        Process promtool = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream stdin = promtool.getOutputStream()) {
            stdin.write(scrape.getBytes(StandardCharsets.UTF_8));
        }
        String report = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(report).as(scrape).isEmpty();
        assertThat(promtool.exitValue()).isZero();
    }
}
