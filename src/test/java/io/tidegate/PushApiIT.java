package io.tidegate;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import io.tidegate.differential.ProtobufBodies;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.SnappyFramedOutputStream;

/** The HTTP API end to end, against a Tidegate started in this JVM on a free port. */
class PushApiIT {
    private static final String PROTOBUF = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

    private final RunningTidegate tidegate = new RunningTidegate();
    private TestHttp http;

    @BeforeEach
    void start() {
        startWith();
    }

    /** (Re)starts Tidegate with these flags besides the listen address. */
    private void startWith(String... extraFlags) {
        http = tidegate.start(extraFlags).http();
    }

    @AfterEach
    void stop() {
        tidegate.close();
    }

    @Test
    void aPushIsAnswered200AndScrapedWithItsGroupingLabels() {
        TestHttp.Answer answer = http.put("/metrics/job/backup/instance/db1",
                "# TYPE last_success gauge\nlast_success{stage=\"dump\"} 1.5e9\n");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).isEmpty();
        String scrape = http.get("/metrics").body();
        assertThat(scrape).contains("# TYPE last_success gauge\nlast_success{instance=\"db1\",job=\"backup\",stage=\"dump\"} 1.5e+09\n");
        assertThat(scrape).containsPattern("push_time_seconds\\{instance=\"db1\",job=\"backup\"} 1\\.\\d+e\\+09\n");
        assertThat(scrape).contains("push_failure_time_seconds{instance=\"db1\",job=\"backup\"} 0\n");
    }

    @Test
    void seriesOfOneFamilyFromAllGroupsAreServedUnderOneHeader() {
        http.put("/metrics/job/a", "# HELP temp Temperature.\n# TYPE temp gauge\ntemp 20\n");
        http.put("/metrics/job/b", "# HELP temp Temperature.\n# TYPE temp gauge\ntemp 21\n");

        String scrape = http.get("/metrics").body();

        assertThat(scrape).contains("# HELP temp Temperature.\n# TYPE temp gauge\ntemp{instance=\"\",job=\"a\"} 20\n"
                + "temp{instance=\"\",job=\"b\"} 21\n");
        assertThat(scrape.split("# TYPE temp ", -1)).hasSize(2);
    }

    @Test
    void deleteIsAnswered202AndRemovesTheGroup() {
        http.put("/metrics/job/a", "x 1\n");

        assertThat(http.delete("/metrics/job/a").status()).isEqualTo(202);
        assertThat(http.delete("/metrics/job/never-pushed").status()).isEqualTo(202);
        assertThat(http.get("/metrics").body()).doesNotContain("job=\"a\"");
    }

    @Test
    void postKeepsTheFamiliesItDoesNotCarry() {
        http.put("/metrics/job/a", "x 1\ny 2\n");
        http.post("/metrics/job/a", "y 3\n");

        String scrape = http.get("/metrics").body();
        assertThat(scrape).contains("x{instance=\"\",job=\"a\"} 1\n").contains("y{instance=\"\",job=\"a\"} 3\n");
    }

    @Test
    void aBodyThatDoesNotParseIsA400NamingTheLineAndStoresNothing() {
        TestHttp.Answer answer = http.put("/metrics/job/a", "x 1\ny{a=1} 2\n");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body()).startsWith("text format parsing error in line 2:");
        assertThat(http.get("/metrics").body()).doesNotContain("job=\"a\"");
    }

    @Test
    void anInconsistentPushIsA400WithUpstreamsWording() {
        http.put("/metrics/job/a", "# TYPE x counter\nx 1\n");

        TestHttp.Answer answer = http.put("/metrics/job/b", "# TYPE x gauge\nx 1\n");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body()).startsWith("pushed metrics are invalid or inconsistent with existing metrics: ");
        assertThat(http.get("/metrics").body()).containsPattern("push_failure_time_seconds\\{instance=\"\",job=\"b\"} 1\\.\\d+e\\+09");
    }

    /** Two versions of a client library describe one family in other words: upstream takes both, so does Tidegate. */
    @Test
    void pushesWithDifferentHelpTextsAreAllTakenAndTheScrapeServesTheFirstGroupsInKeyOrder() {
        TestHttp.Answer older = http.put("/metrics/job/b", "# HELP jobs_done Jobs done.\n# TYPE jobs_done counter\n"
                + "jobs_done 7\n");
        TestHttp.Answer newer = http.put("/metrics/job/a", "# HELP jobs_done Jobs done since start.\n"
                + "# TYPE jobs_done counter\njobs_done 3\n");
        TestHttp.Answer protobuf = http.send("POST", "/metrics/job/c", ProtobufBodies.delimited(ProtobufBodies.family(
                "jobs_done", "Jobs completed.", Metrics.MetricType.COUNTER, ProtobufBodies.counter(5))),
                "Content-Type", PROTOBUF);

        assertThat(List.of(older.status(), newer.status(), protobuf.status())).containsOnly(200);
        String scrape = http.get("/metrics").body();
        assertThat(scrape).contains("# HELP jobs_done Jobs done since start.\n# TYPE jobs_done counter\n"
                + "jobs_done{instance=\"\",job=\"a\"} 3\njobs_done{instance=\"\",job=\"b\"} 7\n"
                + "jobs_done{instance=\"\",job=\"c\"} 5\n");
        assertThat(scrape.split("# HELP jobs_done ", -1)).hasSize(2);
        assertThat(http.get("/api/v1/metrics").body()).contains("\"help\":\"Jobs done.\"")
                .contains("\"help\":\"Jobs done since start.\"").contains("\"help\":\"Jobs completed.\"");
        assertThat(http.put("/metrics/job/d", "# HELP jobs_done Jobs done.\n# TYPE jobs_done gauge\njobs_done 1\n")
                .status()).as("a type conflict is still refused").isEqualTo(400);
    }

    @Test
    void aTimestampedSampleIsRejected() {
        TestHttp.Answer answer = http.put("/metrics/job/a", "x 1 1700000000000\n");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body()).isEqualTo("pushed metrics are invalid or inconsistent with existing metrics: "
                + "pushed metrics must not have timestamps\n");
    }

    @Test
    void badPathsAreRejectedWithUpstreamsMessages() {
        assertThat(http.put("/metrics/job/a/b", "").body()).isEqualTo("odd number of components in label string \"/b\"\n");
        assertThat(http.put("/metrics/job/a/__b/c", "").body()).isEqualTo("improper label name \"__b\"\n");
        assertThat(http.put("/metrics/job@base64/!!", "").status()).isEqualTo(400);
        assertThat(http.put("/metrics/jobs/a", "").status()).isEqualTo(404);
        assertThat(http.put("/metrics/job/", "").status()).isEqualTo(307);
    }

    @Test
    void gzipAndSnappyBodiesAreAccepted() throws IOException {
        assertThat(http.send("PUT", "/metrics/job/gz", gzip("x 1\n"), "Content-Encoding", "gzip").status()).isEqualTo(200);
        assertThat(http.send("PUT", "/metrics/job/sn", snappy("x 2\n"), "Content-Encoding", "snappy").status()).isEqualTo(200);

        String scrape = http.get("/metrics").body();
        assertThat(scrape).contains("x{instance=\"\",job=\"gz\"} 1\n").contains("x{instance=\"\",job=\"sn\"} 2\n");
    }

    @Test
    void brokenCompressedBodiesAre400() throws IOException {
        TestHttp.Answer notGzip = http.send("PUT", "/metrics/job/a", "x 1\n".getBytes(), "Content-Encoding", "gzip");
        assertThat(notGzip.status()).isEqualTo(400);
        assertThat(notGzip.body()).isEqualTo("gzip: invalid header\n");

        byte[] truncated = java.util.Arrays.copyOf(gzip("x 1\ny 2\n".repeat(50)), 20);
        assertThat(http.send("PUT", "/metrics/job/a", truncated, "Content-Encoding", "gzip").status()).isEqualTo(400);
        assertThat(http.send("PUT", "/metrics/job/a", "garbage".getBytes(), "Content-Encoding", "snappy").status())
                .isEqualTo(400);
        assertThat(http.get("/metrics").body()).doesNotContain("job=\"a\"");
    }

    @Test
    void aDelimitedProtobufBodyIsAccepted() {
        Metrics.MetricFamily family = Metrics.MetricFamily.newBuilder()
                .setName("rooms_celsius").setHelp("Room temperature.").setType(Metrics.MetricType.GAUGE)
                .addMetric(Metrics.Metric.newBuilder()
                        .addLabel(Metrics.LabelPair.newBuilder().setName("room").setValue("kitchen"))
                        .setGauge(Metrics.Gauge.newBuilder().setValue(21.5)))
                .build();

        TestHttp.Answer answer = http.send("PUT", "/metrics/job/house", ProtobufBodies.delimited(family),
                "Content-Type", PROTOBUF);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(http.get("/metrics").body()).contains("rooms_celsius{instance=\"\",job=\"house\",room=\"kitchen\"} 21.5\n");
    }

    @Test
    void anOversizedBodyIsA413AndStoresNothing() {
        startWith("--push.max-body-size=1KiB");

        TestHttp.Answer answer = http.put("/metrics/job/big", "x 1\n".repeat(1000));

        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.body()).contains("exceeds the limit of 1024 bytes");
        assertThat(http.get("/metrics").body()).doesNotContain("job=\"big\"");
    }

    @Test
    void aGzipBombIsStoppedAtTheLimit() throws IOException {
        startWith("--push.max-body-size=64KiB");

        TestHttp.Answer answer = http.send("PUT", "/metrics/job/bomb", gzip("# " + "a".repeat(10_000_000) + "\n"),
                "Content-Encoding", "gzip");

        assertThat(answer.status()).isBetween(400, 413);
        assertThat(answer.body()).contains("exceeds the limit");
        assertThat(http.get("/-/healthy").status()).isEqualTo(200);
    }

    @Test
    void scrapesNegotiateOpenMetricsProtobufAndGzip() throws IOException {
        http.put("/metrics/job/a", "# TYPE requests_total counter\nrequests_total 7\n");

        TestHttp.Answer openMetrics = http.get("/metrics", "Accept", "application/openmetrics-text;version=1.0.0");
        assertThat(openMetrics.header("Content-Type")).startsWith("application/openmetrics-text; version=1.0.0");
        assertThat(openMetrics.body()).contains("requests_total{instance=\"\",job=\"a\"} 7").endsWith("# EOF\n");

        TestHttp.Answer protobuf = http.get("/metrics", "Accept", PROTOBUF);
        assertThat(protobuf.header("Content-Type")).startsWith("application/vnd.google.protobuf");
        List<String> names = new ArrayList<>();
        ByteArrayInputStream in = new ByteArrayInputStream(protobuf.bytes());
        Metrics.MetricFamily family;
        while ((family = Metrics.MetricFamily.parseDelimitedFrom(in)) != null) {
            names.add(family.getName());
        }
        assertThat(names).contains("requests_total", "push_time_seconds", "jvm_threads_current");

        TestHttp.Answer gzipped = http.get("/metrics", "Accept-Encoding", "gzip");
        assertThat(gzipped.header("Content-Encoding")).isEqualTo("gzip");
        String unzipped = new String(new GZIPInputStream(new ByteArrayInputStream(gzipped.bytes())).readAllBytes(),
                StandardCharsets.UTF_8);
        assertThat(unzipped).contains("requests_total{instance=\"\",job=\"a\"} 7\n");
    }

    @Test
    void theScrapePassesPromtool() throws Exception {
        http.put("/metrics/job/a/instance/i", """
                # HELP latency_seconds Request latency.
                # TYPE latency_seconds histogram
                latency_seconds_bucket{le="0.1"} 3
                latency_seconds_bucket{le="1"} 5
                latency_seconds_bucket{le="+Inf"} 6
                latency_seconds_sum 2.5
                latency_seconds_count 6
                # HELP rpc_seconds RPC latency.
                # TYPE rpc_seconds summary
                rpc_seconds{quantile="0.5"} 0.2
                rpc_seconds_sum 10
                rpc_seconds_count 40
                # HELP escaped A \\\\ and a \\n in help.
                escaped{path="C:\\\\dir",quote="say \\"hi\\""} NaN
                """);
        Path file = Files.createTempFile("scrape", ".txt");
        Files.writeString(file, http.get("/metrics").body());

        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectInput(file.toFile())
                .redirectErrorStream(true).start();
        String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(promtool.waitFor()).as(output).isZero();
    }

    @Test
    void ownMetricsAreServedWithPushedOnes() {
        http.get("/-/healthy");
        String scrape = http.get("/metrics").body();

        assertThat(scrape).contains("# TYPE pushgateway_http_requests_total counter")
                .contains("pushgateway_http_requests_total{code=\"200\",handler=\"healthy\",method=\"get\"} 1")
                .contains("# TYPE jvm_memory_used_bytes gauge")
                .contains("# TYPE process_cpu_seconds_total counter")
                .contains("tidegate_groups 0");
    }

    @Test
    void healthReadinessAndLifecycleAnswerAsUpstream() {
        assertThat(http.get("/-/healthy").body()).isEqualTo("OK");
        assertThat(http.get("/-/ready").body()).isEqualTo("OK");
        assertThat(http.get("/-/quit").status()).isEqualTo(405);
        TestHttp.Answer refused = http.put("/-/quit", "");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.body()).isEqualTo("Lifecycle API is not enabled.\n");
    }

    @Test
    void quitStopsTheServerWhenTheLifecycleApiIsEnabled() {
        startWith("--web.enable-lifecycle");

        TestHttp.Answer answer = http.post("/-/quit", "");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("Requesting termination... Goodbye!");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() ->
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> http.get("/-/healthy")).isInstanceOf(Exception.class));
    }

    @Test
    void wipeNeedsTheAdminApiAndRemovesEverything() {
        http.put("/metrics/job/a", "x 1\n");
        assertThat(http.put("/api/v1/admin/wipe", "").status()).isEqualTo(404);

        startWith("--web.enable-admin-api");
        http.put("/metrics/job/a", "x 1\n");
        assertThat(http.put("/api/v1/admin/wipe", "").status()).isEqualTo(202);
        assertThat(http.get("/api/v1/metrics").body()).isEqualTo("{\"status\":\"success\",\"data\":[]}");
    }

    @Test
    void theApiListsGroupsAndStatus() {
        http.put("/metrics/job/a/instance/i", "# HELP x An x.\n# TYPE x counter\nx{k=\"v\"} 3\n");

        String metrics = http.get("/api/v1/metrics").body();
        assertThat(metrics).contains("\"labels\":{\"instance\":\"i\",\"job\":\"a\"}")
                .contains("\"last_push_successful\":true")
                .contains("\"x\":{\"time_stamp\":")
                .contains("\"type\":\"COUNTER\",\"help\":\"An x.\",\"metrics\":[{\"labels\":{\"instance\":\"i\",\"job\":\"a\",\"k\":\"v\"},\"value\":\"3\"}]");
        String status = http.get("/api/v1/status").body();
        assertThat(status).contains("\"build_information\"").contains("\"flags\"").contains("\"start_time\"")
                .contains("\"web.listen-address\":\"127.0.0.1:0\"");
    }

    @Test
    void aRoutePrefixMovesEveryEndpoint() {
        startWith("--web.route-prefix=/gateway/");

        assertThat(http.put("/gateway/metrics/job/a", "x 1\n").status()).isEqualTo(200);
        assertThat(http.get("/gateway/metrics").body()).contains("x{instance=\"\",job=\"a\"} 1");
        assertThat(http.get("/gateway/-/healthy").status()).isEqualTo(200);
        assertThat(http.get("/gateway/api/v1/status").status()).isEqualTo(200);
        assertThat(http.put("/metrics/job/a", "x 1\n").status()).isEqualTo(404);
    }

    @Test
    void theExternalUrlPathIsTheDefaultRoutePrefix() {
        startWith("--web.external-url=http://example.org/pg/");

        assertThat(http.get("/pg/-/ready").status()).isEqualTo(200);
        assertThat(http.get("/-/ready").status()).isEqualTo(404);
    }

    @Test
    void theTelemetryPathCanMove() {
        startWith("--web.telemetry-path=/internal/metrics");

        assertThat(http.get("/internal/metrics").body()).contains("tidegate_groups");
    }

    @Test
    void thePageAndItsFilesComeFromTheJarUnderAContentSecurityPolicy() {
        for (String path : new String[] {"/", "/status"}) {
            TestHttp.Answer page = http.get(path);
            assertThat(page.header("Content-Type")).as(path).startsWith("text/html");
            assertThat(page.header("Content-Security-Policy")).as(path).startsWith("default-src 'self';");
            assertThat(page.body()).as(path).contains("<script src=\"static/page.js\"");
        }
        assertThat(http.get("/static/page.js").header("Content-Type")).startsWith("text/javascript");
        assertThat(http.get("/static/page.css").header("Content-Type")).startsWith("text/css");
        assertThat(http.get("/static/nothing.js").status()).isEqualTo(404);
        TestHttp.Answer put = http.put("/static/page.js", "x");
        assertThat(put.status()).as("as upstream's router: another method takes the path").isEqualTo(405);
        assertThat(put.header("Allow")).isEqualTo("GET, OPTIONS");
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    private static byte[] snappy(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (SnappyFramedOutputStream out = new SnappyFramedOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }
}
