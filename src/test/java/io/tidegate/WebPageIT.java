package io.tidegate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import io.tidegate.differential.ProtobufBodies;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The page at {@code /} in a real browser ({@link HeadlessChromium}) against Tidegate fed over HTTP
 * and through Mosquitto: what an operator sees, filters and deletes; the countdown running on to
 * expiry; the page under a route prefix, under its Content-Security-Policy, and with the server gone.
 */
class WebPageIT {
    /** Published retained before Tidegate subscribes, so every Tidegate here gets the broker's stored copy. */
    private static final String RETAINED_TOPIC = "metrics/job/sensor/room/attic";
    private static final String SENSOR = "job=\"sensor\" room=\"attic\"";
    private static final Duration PAGE_WAIT = Duration.ofSeconds(10);
    /** Each displayed row of the groups table, its cells by class name, as the browser renders them. */
    private static final String ROWS_SCRIPT = """
            return Array.from(document.querySelectorAll('#groups tbody tr.group'))
                .filter((row) => row.offsetParent !== null)
                .map((row) => Object.fromEntries(Array.from(row.cells, (cell) => [cell.classList[0], cell.innerText.trim()])));
            """;

    private static final AtomicInteger TIDEGATES_STARTED = new AtomicInteger();

    @TempDir
    static Path chromiumProfile;

    private static MosquittoBroker mosquitto;
    private static HeadlessChromium chromium;
    private static ChromeDriver browser;

    private final RunningTidegate tidegate = new RunningTidegate();

    /** One row of the groups table as the operator reads it. */
    private record GroupRow(String key, String source, String lastPush, String ttl, String countdown,
            String families, String series) {
        static GroupRow of(Map<String, Object> cells) {
            return new GroupRow(text(cells, "key"), text(cells, "source"), text(cells, "last-push"), text(cells, "ttl"),
                    text(cells, "countdown"), text(cells, "families"), text(cells, "series"));
        }

        private static String text(Map<String, Object> cells, String name) {
            return String.valueOf(cells.get(name));
        }
    }

    @BeforeAll
    static void startBrokerAndBrowser() {
        mosquitto = new MosquittoBroker().start();
        mosquitto.client("mosquitto_pub", "-q", "1", "-r", "-t", RETAINED_TOPIC, "-m", "{\"temp\": 21.5, \"humidity\": 40}");
        chromium = HeadlessChromium.start(chromiumProfile, HeadlessChromium.driverLogFor(WebPageIT.class));
        browser = chromium.driver();
    }

    @AfterAll
    static void stopBrokerAndBrowser() {
        try {
            if (chromium != null) {
                chromium.close();
            }
        } finally {
            if (mosquitto != null) {
                mosquitto.close();
            }
        }
    }

    @AfterEach
    void stopTidegate() {
        tidegate.close();
    }

    @Test
    void showsHttpAndMqttGroupsCountsDownAndDropsAnExpiredGroup() throws IOException {
        TestHttp http = start("--web.enable-admin-api");
        open("/");

        GroupRow sensor = awaitRow(SENSOR);
        assertThat(sensor.source()).isEqualTo("MQTT " + RETAINED_TOPIC + " retained");
        assertThat(sensor.ttl()).isEqualTo("none");
        assertThat(sensor.countdown()).isEqualTo("never");
        assertThat(sensor.families()).as("temp and humidity").isEqualTo("2");
        assertThat(sensor.series()).isEqualTo("2");

        mosquitto.client("mosquitto_pub", "-q", "1", "-t", "metrics/job/broken", "-m", "temp{ 1");
        await("the rejection on the page").atMost(PAGE_WAIT).until(() -> rejections().stream()
                .anyMatch(row -> row.get(0).equals("metrics/job/broken") && row.get(2).equals("bad_payload")
                        && row.get(3).contains("invalid label name")));

        assertThat(http.put("/metrics/job/refused_probe/room/hall?ttl=8s", "temp 21 1234\n").status()).isEqualTo(400);
        await("the refused key shown apart, as refused and never pushed").atMost(PAGE_WAIT).until(() -> refused().stream()
                .anyMatch(row -> row.get(0).equals("{job=\"refused_probe\", room=\"hall\"}") && row.get(1).equals("HTTP")
                        && row.get(2).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d")
                        && row.get(3).equals("refused, never pushed")));
        assertThat(row("refused_probe")).as("no live group for a key that never delivered a value").isEmpty();

        assertThat(http.put("/metrics/job/short/instance/probe?ttl=8s",
                "# TYPE jobs_done counter\njobs_done 1\nqueue{q=\"a\"} 2\nqueue{q=\"b\"} 3\n").status()).isEqualTo(200);
        GroupRow short8s = awaitRow("job=\"short\" instance=\"probe\"");
        assertThat(short8s.source()).isEqualTo("HTTP");
        assertThat(short8s.ttl()).isEqualTo("8s");
        assertThat(short8s.families()).isEqualTo("2");
        assertThat(short8s.series()).isEqualTo("3");
        assertThat(short8s.lastPush()).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d");
        int firstCountdown = seconds(short8s.countdown());
        assertThat(firstCountdown).isBetween(1, 8);
        await("the countdown ticking").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(200))
                .until(() -> seconds(awaitRow("job=\"short\"").countdown()) < firstCountdown);

        checkScreenshot(Path.of("target", "web-page.png"));

        await("the short-lived group gone from the page").atMost(Duration.ofSeconds(20))
                .until(() -> row("job=\"short\"").isEmpty());
        assertThat(row(SENSOR)).as("the group without a TTL stays").isPresent();
        assertThat(refused()).as("a refused key starts no clock: it outlives the TTL its refused push asked for")
                .anyMatch(row -> row.get(0).contains("refused_probe"));
        assertThat(chromium.consoleMessages()).as("no refused asset, no script error")
                .noneMatch(message -> message.startsWith("SEVERE"));
    }

    @Test
    void filterByLabelOrTextSurvivesRefreshesAndTravelsInTheLink() {
        TestHttp http = start();
        http.put("/metrics/job/backup/instance/db1", "done 1\n");
        http.put("/metrics/job/backup/instance/db2", "done 1\n");
        http.put("/metrics/job/web/instance/db1", "up 1\n");
        open("/");
        await().atMost(PAGE_WAIT).until(() -> keys().size() == 4);

        typeFilter("job=backup");
        assertThat(keys()).containsExactlyInAnyOrder("job=\"backup\" instance=\"db1\"", "job=\"backup\" instance=\"db2\"");
        assertThat(browser.findElement(By.id("group-count")).getText()).isEqualTo("2 of 4 groups match");
        assertThat(browser.getCurrentUrl()).endsWith("#filter=job%3Dbackup");

        typeFilter("db1");
        assertThat(keys()).as("plain text: part of any key")
                .containsExactlyInAnyOrder("job=\"backup\" instance=\"db1\"", "job=\"web\" instance=\"db1\"");
        typeFilter("db1 job=web");
        assertThat(keys()).as("every term must hold").containsExactly("job=\"web\" instance=\"db1\"");
        String refreshed = browser.findElement(By.id("refreshed")).getText();
        await("a refresh").atMost(PAGE_WAIT)
                .until(() -> !browser.findElement(By.id("refreshed")).getText().equals(refreshed));
        assertThat(keys()).as("after a refresh").containsExactly("job=\"web\" instance=\"db1\"");

        typeFilter("job=nothing");
        assertThat(browser.findElement(By.id("no-groups")).getText()).isEqualTo("No group matches the filter.");

        open("/#filter=" + URLEncoder.encode("job=backup instance=db2", StandardCharsets.UTF_8).replace("+", "%20"));
        await().atMost(PAGE_WAIT).until(() -> keys().equals(List.of("job=\"backup\" instance=\"db2\"")));
        assertThat(browser.findElement(By.id("filter")).getAttribute("value")).isEqualTo("job=backup instance=db2");
    }

    @Test
    void deleteButtonDeletesAGroupWhateverItsLabelValues() {
        TestHttp http = start("--web.enable-admin-api");
        String oddKey = "/metrics/job@base64/" + base64("night/ly") + "/path@base64/" + base64("/var/<b>x</b>")
                + "/empty@base64/=";
        assertThat(http.put(oddKey, "size 1\n").status()).isEqualTo(200);
        http.put("/metrics/job/keep", "size 2\n");
        open("/");
        String odd = "job=\"night/ly\" empty=\"\" path=\"/var/<b>x</b>\"";
        awaitRow(odd);
        assertThat(browser.findElements(By.cssSelector("#groups td.key b"))).as("label values are text, not HTML")
                .isEmpty();

        WebElement keep = rowElement("job=\"keep\"");
        keep.findElement(By.cssSelector("button.delete")).click();
        keep.findElement(By.cssSelector("button.cancel")).click();
        assertThat(keep.findElements(By.cssSelector("button.delete"))).as("cancelled: the button is back").hasSize(1);

        WebElement oddRow = rowElement("job=\"night/ly\"");
        oddRow.findElement(By.cssSelector("button.delete")).click();
        assertThat(oddRow.findElement(By.cssSelector(".confirm-text")).getText()).isEqualTo("Delete this group?");
        oddRow.findElement(By.cssSelector("button.confirm")).click();

        await("the row gone").atMost(PAGE_WAIT).until(() -> row("job=\"night/ly\"").isEmpty());
        assertThat(http.get("/api/v1/metrics").body()).doesNotContain("night/ly").contains("\"job\":\"keep\"");
        assertThat(row("job=\"keep\"")).isPresent();
        assertThat(browser.findElement(By.id("action-error")).isDisplayed()).isFalse();
    }

    @Test
    void everyGroupHasDeleteGroupAsUpstreamWithoutTheAdminApi() {
        TestHttp http = start();
        http.put("/metrics/job/kept", "size 1\n");
        http.put("/metrics/job/dropped", "size 1\n");
        open("/");
        awaitRow("job=\"dropped\"");
        assertThat(rowElement("job=\"kept\"").findElement(By.cssSelector("button.delete")).getText()).isEqualTo("Delete group");

        rowElement("job=\"dropped\"").findElement(By.cssSelector("button.delete")).click();
        rowElement("job=\"dropped\"").findElement(By.cssSelector("button.confirm")).click();

        await("deleted through DELETE on the push path").atMost(PAGE_WAIT)
                .until(() -> !http.get("/api/v1/metrics").body().contains("dropped"));
        assertThat(row("job=\"dropped\"")).isEmpty();
        assertThat(row("job=\"kept\"")).isPresent();
    }

    @Test
    void worksUnderARoutePrefix() {
        TestHttp http = start("--web.route-prefix=/gw", "--web.enable-admin-api");
        http.put("/gw/metrics/job/prefixed", "size 1\n");
        assertThat(http.get("/static/page.js").status()).as("the files move with the prefix").isEqualTo(404);
        assertThat(http.get("/gw/static/page.js").status()).isEqualTo(200);
        TestHttp.Answer bare = http.get("/gw");
        assertThat(bare.status()).as("as upstream's router: the page's path lacks only its slash").isEqualTo(301);
        assertThat(bare.header("Location")).isEqualTo("/gw/");

        open("/gw/status");
        awaitRow("job=\"prefixed\"");
        assertThat(browser.findElement(By.tagName("header")).getCssValue("background-color"))
                .as("the stylesheet came from /gw/static/").isEqualTo("rgba(11, 110, 138, 1)");
        rowElement("job=\"prefixed\"").findElement(By.cssSelector("button.delete")).click();
        rowElement("job=\"prefixed\"").findElement(By.cssSelector("button.confirm")).click();
        await("deleted through /gw/metrics/...").atMost(PAGE_WAIT)
                .until(() -> !http.get("/gw/api/v1/metrics").body().contains("prefixed"));
        assertThat(row("job=\"prefixed\"")).isEmpty();
    }

    @Test
    void saysSoWhenTheServerIsGoneAndADeleteFails() {
        TestHttp http = start("--web.enable-admin-api");
        http.put("/metrics/job/orphan", "size 1\n");
        open("/");
        awaitRow("job=\"orphan\"");
        WebElement banner = browser.findElement(By.id("unreachable"));
        assertThat(banner.isDisplayed()).isFalse();

        tidegate.close();
        await("the banner").atMost(PAGE_WAIT).until(banner::isDisplayed);
        assertThat(banner.getText()).startsWith("Cannot reach Tidegate: api/v1/");
        assertThat(row("job=\"orphan\"")).as("the last data stays").isPresent();

        rowElement("job=\"orphan\"").findElement(By.cssSelector("button.delete")).click();
        rowElement("job=\"orphan\"").findElement(By.cssSelector("button.confirm")).click();
        WebElement error = browser.findElement(By.id("action-error"));
        await("the error").atMost(PAGE_WAIT).until(error::isDisplayed);
        assertThat(error.getText()).startsWith("Deleting group {job=\"orphan\"} failed:");
        assertThat(row("job=\"orphan\"")).isPresent();
    }

    @Test
    void theBrowserEnforcesThePagesContentSecurityPolicy() {
        TestHttp http = start();
        assertThat(http.get("/").header("Content-Security-Policy")).startsWith("default-src 'self'");
        open("/");
        @SuppressWarnings("unchecked")
        Map<String, Object> outcome = (Map<String, Object>) browser.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                const refused = [];
                document.addEventListener('securitypolicyviolation', (e) => refused.push(e.effectiveDirective));
                window.inlineScriptRan = false;
                const script = document.createElement('script');
                script.textContent = 'window.inlineScriptRan = true;';
                document.head.appendChild(script);
                const image = document.createElement('img');
                image.src = 'http://192.0.2.1/outside.png'; // TEST-NET: nothing answers, and nothing is asked
                document.body.appendChild(image);
                setTimeout(() => done({inlineScriptRan: window.inlineScriptRan, refused}), 500);
                """);
        assertThat(outcome.get("inlineScriptRan")).isEqualTo(false);
        assertThat((List<Object>) outcome.get("refused")).contains("script-src-elem", "img-src");
    }

    @Test
    void expandingAGroupShowsItsFamiliesWithTypeHelpAndValuesAsUpstreamDoes() {
        TestHttp http = tidegate.start().http();
        assertThat(http.put("/metrics/job/api/instance/a", """
                # HELP requests_total Requests served.
                # TYPE requests_total counter
                requests_total{code="200"} 1027
                requests_total{code="500"} 3
                # TYPE latency_seconds histogram
                latency_seconds_bucket{le="0.1"} 5
                latency_seconds_bucket{le="0.5"} 9
                latency_seconds_bucket{le="+Inf"} 10
                latency_seconds_sum 2.5
                latency_seconds_count 10
                # TYPE size_bytes summary
                size_bytes{quantile="0.5"} 120
                size_bytes{quantile="0.9"} 480
                size_bytes_sum 3000
                size_bytes_count 12
                """).status()).isEqualTo(200);
        byte[] nativeHistogram = ProtobufBodies.delimited(ProtobufBodies.family("rtt_seconds", null,
                Metrics.MetricType.HISTOGRAM, ProtobufBodies.labelled().setHistogram(Metrics.Histogram.newBuilder()
                        .setSampleCount(7).setSampleSum(3.5).setSchema(0).setZeroThreshold(0.001).setZeroCount(1)
                        .addNegativeSpan(Metrics.BucketSpan.newBuilder().setOffset(0).setLength(1)).addNegativeDelta(2)
                        .addPositiveSpan(Metrics.BucketSpan.newBuilder().setOffset(0).setLength(1)).addPositiveDelta(4))
                        .build()));
        assertThat(http.send("POST", "/metrics/job/api/instance/a", nativeHistogram, "Content-Type",
                ProtobufBodies.CONTENT_TYPE).status()).isEqualTo(200);
        open("/");
        awaitRow("job=\"api\"");
        assertThat(browser.findElements(By.cssSelector("#groups tr.detail"))).as("values are drawn once asked for")
                .isEmpty();

        rowElement("job=\"api\"").findElement(By.cssSelector("button.expand")).click();

        Map<String, String> families = awaitFamilies();
        assertThat(families).containsEntry("requests_total",
                "counter | Requests served. | code=\"200\" → 1027 | code=\"500\" → 3");
        assertThat(families).containsEntry("latency_seconds",
                "histogram |  | → ≤ 0.1 5 ≤ 0.5 9 ≤ +Inf 10 count 10 sum 2.5");
        assertThat(families).as("a native histogram's buckets as intervals, as upstream's API lists them")
                .containsEntry("rtt_seconds",
                        "histogram |  | → [-1, -0.5) 2 [-0.001, 0.001] 1 (0.5, 1] 4 count 7 sum 3.5");
        assertThat(families).containsEntry("size_bytes",
                "summary |  | → quantile 0.5 120 quantile 0.9 480 count 12 sum 3000");
        assertThat(families.get("push_time_seconds")).as("Tidegate's own gauges come after what was pushed")
                .startsWith("gauge | Last Unix time when changing this group in the Pushgateway succeeded.");
        assertThat(new ArrayList<>(families.keySet()).subList(0, 3))
                .containsExactly("latency_seconds", "requests_total", "rtt_seconds");

        String refreshed = browser.findElement(By.id("refreshed")).getText();
        await("a refresh").atMost(PAGE_WAIT)
                .until(() -> !browser.findElement(By.id("refreshed")).getText().equals(refreshed));
        assertThat(families()).as("still expanded after a refresh").containsKey("requests_total");
        rowElement("job=\"api\"").findElement(By.cssSelector("button.expand")).click();
        assertThat(browser.findElements(By.cssSelector("#groups tr.detail"))).as("folded again").isEmpty();
    }

    @Test
    void aDeviceThatStopsPushingShowsAsOfflineWithWhenLastSeenAndHowOverdue() throws IOException {
        TestHttp http = tidegate.start("--ttl.tombstone=1h").http();
        http.put("/metrics/job/device/room/cellar?ttl=3s", "temp 4\n");
        http.put("/metrics/job/steady", "up 1\n");
        open("/");
        assertThat(counts()).containsEntry("live", "2");
        assertThat(rowElement("room=\"cellar\"").findElement(By.cssSelector("td.countdown .bar")).isDisplayed())
                .as("the time left as a bar").isTrue();

        await("the cellar offline").atMost(Duration.ofSeconds(15))
                .until(() -> offlineRows().stream().anyMatch(row -> row.get(0).contains("cellar")));
        List<String> cellar = offlineRows().get(0);
        assertThat(cellar.get(0)).isEqualTo("job=\"device\" room=\"cellar\"");
        assertThat(cellar.get(1)).as("last seen").matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d");
        assertThat(cellar.get(2)).as("expired").matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d");
        int overdue = seconds(cellar.get(3));
        await("overdue counting up").atMost(Duration.ofSeconds(5))
                .until(() -> seconds(offlineRows().get(0).get(3)) > overdue);
        assertThat(row("cellar")).as("no longer among the live groups").isEmpty();
        assertThat(counts()).containsEntry("live", "1").containsEntry("offline", "1");
        assertThat(browser.findElement(By.id("offline-explained")).getText()).contains("--ttl.tombstone");
        assertThat(http.get("/metrics").body()).contains("push_expired_time_seconds{instance=\"\",job=\"device\",room=\"cellar\"}");

        assertThat(browser.findElements(By.cssSelector("#groups th.mqtt-only"))).as("MQTT off: no Source column")
                .allMatch(header -> !header.isDisplayed());
        assertThat(browser.findElement(By.id("rejections-section")).isDisplayed()).as("MQTT off: no MQTT rejections")
                .isFalse();

        http.put("/metrics/job/device/room/cellar?ttl=1m", "temp 5\n");
        await("back online, no longer offline").atMost(PAGE_WAIT)
                .until(() -> offlineRows().isEmpty() && row("cellar").isPresent());
    }

    @Test
    void withoutTombstonesTheOfflineViewShowsTheLastExpiries() {
        TestHttp http = tidegate.start().http();
        http.put("/metrics/job/short/instance/x?ttl=2s", "temp 4\n");
        open("/");
        await("the expiry listed").atMost(Duration.ofSeconds(15))
                .until(() -> offlineRows().stream().anyMatch(row -> row.get(0).equals("job=\"short\" instance=\"x\"")));
        assertThat(browser.findElement(By.id("offline-explained")).getText()).startsWith("The last 100 groups");
        assertThat(counts()).containsEntry("offline", "1").containsEntry("live", "0");
    }

    @Test
    void statusShowsTheBuildAndTheMqttSettingsAsTheyRun() {
        tidegate.start("--mqtt.url=" + mosquitto.url(), "--mqtt.topic-prefix=fleet");
        open("/");
        Map<String, String> build = pairs("build");
        assertThat(build.get("revision")).as("recorded by git at build time").matches("[0-9a-f]{40}.*");
        assertThat(build.get("branch")).isNotBlank().isNotEqualTo("unknown");
        assertThat(build.get("buildUser")).isNotBlank().isNotEqualTo("unknown");
        assertThat(build.get("buildDate")).matches("\\d{4}-\\d\\d-\\d\\dT.*");
        Map<String, String> flags = pairs("flags");
        assertThat(flags.get("mqtt.client-id")).as("the default, resolved").startsWith("tidegate-").hasSizeGreaterThan(9);
        assertThat(flags.get("mqtt.status-topic")).isEqualTo("fleet/tidegate/status");
        assertThat(browser.findElement(By.id("rejections-section")).isDisplayed()).as("MQTT on").isTrue();
        assertThat(browser.findElement(By.id("no-rejections")).getText()).isEqualTo("None.");
    }

    @Test
    void twentyGroupsAtAGlance() throws IOException {
        TestHttp http = start("--ttl.tombstone=1h");
        for (String room : List.of("attic", "boiler", "cellar")) {
            assertThat(http.put("/metrics/job/thermo/room/" + room + "?ttl=2s", "# TYPE temp gauge\ntemp 19\n").status())
                    .isEqualTo(200);
        }
        assertThat(http.put("/metrics/job/api/instance/web-1?ttl=10m", """
                # HELP requests_total Requests served.
                # TYPE requests_total counter
                requests_total{code="200"} 1027
                requests_total{code="500"} 3
                # HELP latency_seconds How long answers took.
                # TYPE latency_seconds histogram
                latency_seconds_bucket{le="0.1"} 5
                latency_seconds_bucket{le="0.5"} 9
                latency_seconds_bucket{le="+Inf"} 10
                latency_seconds_sum 2.5
                latency_seconds_count 10
                """).status()).isEqualTo(200);
        String[] ttls = {"45s", "90s", "5m", "30m", "1h", "", "20s", "2m", "8m", "15m", "40s", "3h", ""};
        for (int i = 0; i < ttls.length; i++) {
            String ttl = ttls[i].isEmpty() ? "" : "?ttl=" + ttls[i];
            http.put("/metrics/job/backup/instance/db" + (i + 1) + ttl, "# TYPE backup_done gauge\nbackup_done 1\nbytes " + (i * 1000) + "\n");
        }
        http.put("/metrics/job/batch/instance/nightly?ttl=30m", "done 1\n");
        assertThat(http.put("/metrics/job/batch/instance/nightly", "done 1 1234\n").status()).isEqualTo(400);
        assertThat(http.put("/metrics/job/refused_probe?ttl=1m", "x 1 1234\n").status()).isEqualTo(400);
        mosquitto.client("mosquitto_pub", "-q", "1", "-t", "metrics/job/sensor/room/kitchen", "-m", "{\"temp\": 22.5}");
        open("/");
        await("the thermometers offline").atMost(Duration.ofSeconds(15)).until(() -> offlineRows().size() == 3);
        await("the other 17 live").atMost(PAGE_WAIT).until(() -> "17".equals(counts().get("live")));
        rowElement("job=\"api\"").findElement(By.cssSelector("button.expand")).click();
        awaitFamilies();
        await("both refusals counted").atMost(PAGE_WAIT).untilAsserted(() ->
                assertThat(counts()).containsEntry("offline", "3").containsEntry("refused", "2"));
        assertThat(rowElement("instance=\"nightly\"").getAttribute("class")).contains("refused");

        checkScreenshot(Path.of("target", "web-page-20.png"), 2400);
        assertThat(chromium.consoleMessages()).noneMatch(message -> message.startsWith("SEVERE"));
    }

    /**
     * 10,000 groups: the page draws and filters within {@link #DRAW_BOUND_MS} as the page measures
     * itself (performance.measure from taking its worker's description of the API's answers in to the
     * drawn tables, and around a filter's redraw, each up to the layout that follows).
     */
    @Test
    void tenThousandGroupsDrawAndFilterQuickly() throws IOException {
        TestHttp http = tidegate.start("--ttl.tombstone=1h").http();
        IntStream.range(0, 10_000).parallel().forEach(i -> assertThat(http.put(
                "/metrics/job/fleet/device/d" + i + "/site/s" + (i % 40) + "?ttl=" + (600 + i % 3000) + "s",
                "# TYPE temp gauge\ntemp " + (i % 30) + "\n# TYPE uptime_seconds counter\nuptime_seconds " + i + "\n")
                .status()).isEqualTo(200));
        open("/", Duration.ofSeconds(60));
        await("10,000 groups on the page").atMost(Duration.ofSeconds(30))
                .until(() -> "10000".equals(counts().get("live")));
        String refreshed = browser.findElement(By.id("refreshed")).getText();
        await("another refresh").atMost(Duration.ofSeconds(90))
                .until(() -> !browser.findElement(By.id("refreshed")).getText().equals(refreshed));
        @SuppressWarnings("unchecked")
        List<Number> renders = (List<Number>) browser.executeScript(
                "return performance.getEntriesByName('tidegate-render').map((e) => e.duration);");
        @SuppressWarnings("unchecked")
        List<Number> reads = (List<Number>) browser.executeScript(
                "return performance.getEntriesByName('tidegate-read').map((e) => e.duration);");
        @SuppressWarnings("unchecked")
        List<Number> filters = (List<Number>) browser.executeScript("""
                const filter = document.getElementById('filter');
                performance.clearMeasures('tidegate-filter');
                for (const text of ['d42', 'site=s7', 'd99 site=s19', 'no-such-device', '']) {
                  filter.value = text;
                  filter.dispatchEvent(new Event('input'));
                }
                return performance.getEntriesByName('tidegate-filter').map((e) => e.duration);
                """);
        System.out.println("10,000 groups: render ms " + renders + ", filter ms " + filters
                + "; the worker's reading, off the page's thread, ms " + reads);
        assertThat(renders).hasSizeGreaterThanOrEqualTo(2).allMatch(ms -> ms.doubleValue() < DRAW_BOUND_MS);
        assertThat(filters).hasSize(5).allMatch(ms -> ms.doubleValue() < DRAW_BOUND_MS);
        assertThat(browser.findElement(By.id("group-count")).getText()).isEqualTo("10000 groups");
        assertThat(browser.findElements(By.cssSelector("#groups tbody tr.group"))).as("drawn at once").hasSize(100);
        assertThat(browser.findElement(By.id("more-groups-text")).getText()).startsWith("Showing 100 of 10000");

        typeFilter("site=s7");
        assertThat(browser.findElement(By.id("group-count")).getText()).isEqualTo("250 of 10000 groups match");
        typeFilter("");
        checkScreenshot(Path.of("target", "web-page-10000.png"), 2400);
    }

    /**
     * What the page may take to draw or filter 10,000 groups here: ten times the 200 ms aimed at, since this
     * runs on shared, loaded machines (the most measured with a full build beside, at a load of 6 on 2 cores,
     * was 360 ms for the first draw; before the page read its answers in a worker, 1.6 s at a load of 13).
     * README "Web page" gives the figures measured.
     */
    private static final double DRAW_BOUND_MS = 2000;

    private static Map<String, String> counts() {
        Map<String, String> counts = new LinkedHashMap<>();
        for (String name : List.of("live", "soon", "offline", "refused")) {
            counts.put(name, browser.findElement(By.cssSelector("#count-" + name + " .n")).getText());
        }
        return counts;
    }

    /** The families of the expanded group once drawn (the page asks its worker for them). */
    private static Map<String, String> awaitFamilies() {
        return await("the values drawn").atMost(PAGE_WAIT).until(WebPageIT::families, families -> !families.isEmpty());
    }

    /** Each family of the expanded group: "type | help | labels → value | ...", whitespace folded. */
    private static Map<String, String> families() {
        @SuppressWarnings("unchecked")
        List<List<String>> families = (List<List<String>>) browser.executeScript("""
                const fold = (text) => text.replace(/\\s+/g, ' ').trim();
                return Array.from(document.querySelectorAll('#groups tr.detail .family')).map((family) => [
                  family.querySelector('.family-name').innerText,
                  [family.querySelector('.type').innerText, family.querySelector('.help') ? family.querySelector('.help').innerText : '']
                    .concat(Array.from(family.querySelectorAll('table.series > tbody > tr'),
                      (row) => fold(row.cells[0].innerText + ' → ' + row.cells[1].innerText)))
                    .join(' | ')]);
                """);
        Map<String, String> byName = new LinkedHashMap<>();
        families.forEach(family -> byName.put(family.get(0), family.get(1)));
        return byName;
    }

    /** The displayed cells of each row of the Offline table, read in one go (the page redraws it at each refresh). */
    private static List<List<String>> offlineRows() {
        @SuppressWarnings("unchecked")
        List<List<String>> rows = (List<List<String>>) browser.executeScript("""
                return Array.from(document.querySelectorAll('#offline tbody tr'), (row) => Array.from(row.cells)
                    .filter((cell) => cell.offsetParent !== null).map((cell) => cell.innerText.trim()));
                """);
        return rows;
    }

    private static Map<String, String> pairs(String tableId) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (WebElement row : browser.findElements(By.cssSelector("#" + tableId + " tbody tr"))) {
            pairs.put(row.findElement(By.tagName("th")).getAttribute("textContent"),
                    row.findElement(By.tagName("td")).getAttribute("textContent"));
        }
        return pairs;
    }

    private TestHttp start(String... flags) {
        // a client id of its own: a session the broker kept would not be sent the retained message again
        List<String> all = new ArrayList<>(List.of("--mqtt.url=" + mosquitto.url(),
                "--mqtt.client-id=web-page-it-" + TIDEGATES_STARTED.incrementAndGet()));
        all.addAll(List.of(flags));
        return tidegate.start(all.toArray(String[]::new)).http();
    }

    /** Loads the page and waits for its first refresh; forgets the console messages of earlier pages. */
    private void open(String path) {
        open(path, PAGE_WAIT);
    }

    private void open(String path, Duration firstRefreshWait) {
        browser.get("about:blank");
        chromium.consoleMessages();
        browser.get(tidegate.baseUri() + path);
        await("the page's first refresh").atMost(firstRefreshWait)
                .until(() -> browser.findElement(By.id("refreshed")).getText().startsWith("Refreshed"));
    }

    private static List<GroupRow> rows() {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> cells = (List<Map<String, Object>>) browser.executeScript(ROWS_SCRIPT);
        return cells.stream().map(GroupRow::of).toList();
    }

    private static List<String> keys() {
        return rows().stream().map(GroupRow::key).toList();
    }

    private static Optional<GroupRow> row(String keyPart) {
        return rows().stream().filter(row -> row.key().contains(keyPart)).findFirst();
    }

    private static GroupRow awaitRow(String keyPart) {
        return await("a row for " + keyPart).atMost(PAGE_WAIT).until(() -> row(keyPart), Optional::isPresent).get();
    }

    private static WebElement rowElement(String keyPart) {
        return browser.findElements(By.cssSelector("#groups tbody tr.group")).stream()
                .filter(row -> row.findElement(By.cssSelector("td.key")).getText().contains(keyPart))
                .findFirst().orElseThrow(() -> new AssertionError("no row for " + keyPart));
    }

    private static List<List<String>> rejections() {
        return browser.findElements(By.cssSelector("#rejections tbody tr")).stream()
                .map(row -> row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList())
                .toList();
    }

    private static List<List<String>> refused() {
        return browser.findElements(By.cssSelector("#refused tbody tr")).stream()
                .map(row -> row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList())
                .toList();
    }

    private static void typeFilter(String text) {
        WebElement filter = browser.findElement(By.id("filter"));
        filter.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
        filter.sendKeys(text);
    }

    private static final Pattern COUNTDOWN = Pattern.compile("(?:(\\d+)m )?(\\d+)s|expired");

    /** "1m 5s" is 65, "expired" 0. */
    private static int seconds(String countdown) {
        Matcher matcher = COUNTDOWN.matcher(countdown);
        assertThat(matcher.matches()).as("a countdown: " + countdown).isTrue();
        if (matcher.group(2) == null) {
            return 0;
        }
        int minutes = matcher.group(1) == null ? 0 : Integer.parseInt(matcher.group(1));
        return minutes * 60 + Integer.parseInt(matcher.group(2));
    }

    private static String base64(String value) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }

    /** Saves what the browser shows and checks it is a full window of a drawn page, not a blank or tiny one. */
    private static void checkScreenshot(Path file) throws IOException {
        checkScreenshot(file, 0);
    }

    /** As above, with the window made as tall as the page, up to {@code maxHeight} pixels, for the picture. */
    private static void checkScreenshot(Path file, int maxHeight) throws IOException {
        Dimension window = browser.manage().window().getSize();
        browser.executeScript("window.scrollTo(0, 0);");
        if (maxHeight > 0) {
            long height = (Long) browser.executeScript("return document.documentElement.scrollHeight;");
            browser.manage().window().setSize(new Dimension(window.getWidth(), (int) Math.min(maxHeight, height + 150)));
        }
        try {
            savePng(file);
        } finally {
            browser.manage().window().setSize(window);
        }
    }

    private static void savePng(Path file) throws IOException {
        byte[] png = browser.getScreenshotAs(OutputType.BYTES);
        Files.createDirectories(file.getParent());
        Files.write(file, png);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image).as("a PNG").isNotNull();
        assertThat(image.getWidth()).isGreaterThanOrEqualTo(1000);
        assertThat(image.getHeight()).isGreaterThanOrEqualTo(700);
        assertThat(png.length).as("bytes of " + file).isGreaterThan(20_000);
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertThat(colours.size()).as("distinct colours in " + file).isGreaterThan(50);
    }
}
