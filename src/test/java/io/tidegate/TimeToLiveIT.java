package io.tidegate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.gson.Gson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC §3 (time to live) end to end over HTTP, against a Tidegate started in this JVM on a free port,
 * with short real TTLs: every way to give a TTL, their precedence, the cap, the default, POST
 * semantics, what operators see (push_expiry_time_seconds, tombstones, counters, /api/v1/metrics)
 * and the configuration file with its reload.
 */
class TimeToLiveIT {
    /** How long a test waits for something that should happen about a second from now. */
    private static final Duration PATIENCE = Duration.ofSeconds(5);

    private final RunningTidegate tidegate = new RunningTidegate();
    private TestHttp http;
    private Path tempDir;

    @BeforeEach
    void createTempDir() throws IOException {
        tempDir = Files.createTempDirectory("tidegate-ttl-it");
    }

    @AfterEach
    void stop() throws IOException {
        tidegate.close();
        try (Stream<Path> paths = Files.walk(tempDir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** (Re)starts Tidegate with these flags besides the listen address. */
    private void startWith(String... extraFlags) {
        http = tidegate.start(extraFlags).http();
    }

    private String scrape() {
        TestHttp.Answer answer = http.get("/metrics");
        assertThat(answer.status()).isEqualTo(200);
        return answer.body();
    }

    /** The groups of /api/v1/metrics, as Gson reads them. */
    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> apiGroups() {
        TestHttp.Answer answer = http.get("/api/v1/metrics");
        assertThat(answer.status()).isEqualTo(200);
        Map<String, Object> envelope = new Gson().fromJson(answer.body(), Map.class);
        return (List<Map<String, Object>>) envelope.get("data");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> apiGroup(String job) {
        return apiGroups().stream()
                .filter(group -> job.equals(((Map<String, Object>) group.get("labels")).get("job")))
                .findFirst().orElse(null);
    }

    private boolean apiHasJob(String job) {
        return apiGroup(job) != null;
    }

    /** The value of the one series of the scrape that starts with {@code seriesPrefix}, or null. */
    private static Double value(String scrape, String series) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        return matcher.find() ? Double.valueOf(matcher.group(1)) : null;
    }

    private double ownCounter(String name) {
        Double value = value(scrape(), name);
        assertThat(value).as(name + " in the scrape").isNotNull();
        return value;
    }

    private Path writeConfig(String name, String yaml) {
        Path file = tempDir.resolve(name);
        try {
            Files.writeString(file, yaml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    // --- the push's own TTL ------------------------------------------------------------------------

    @Test
    void aGroupPushedWithPushTtlHeaderIsServedThenGoneFromEveryReadPathAndCounted() {
        startWith();
        double expiredBefore = ownCounter("tidegate_expired_groups_total");

        TestHttp.Answer answer = http.put("/metrics/job/ttl-header/instance/dev1", "temp 21.5\n", "Push-TTL", "1s");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(scrape()).contains("temp{instance=\"dev1\",job=\"ttl-header\"} 21.5\n")
                .contains("push_time_seconds{instance=\"dev1\",job=\"ttl-header\"}");
        assertThat(apiHasJob("ttl-header")).isTrue(); // the web page shows what the API says (WebPageIT)

        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(scrape()).doesNotContain("ttl-header");
            assertThat(apiHasJob("ttl-header")).isFalse();
        });
        await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(ownCounter("tidegate_expired_groups_total")).isEqualTo(expiredBefore + 1));
        assertThat(ownCounter("tidegate_expired_families_total")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void theTtlQueryParameterWorksLikeTheHeader() {
        startWith();

        TestHttp.Answer answer = http.put("/metrics/job/ttl-query?ttl=1s", "temp 3\n");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("Push-TTL")).isEqualTo("1s");
        assertThat(scrape()).contains("temp{instance=\"\",job=\"ttl-query\"} 3\n");
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(scrape()).doesNotContain("ttl-query");
            assertThat(apiHasJob("ttl-query")).isFalse();
        });
        await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(ownCounter("tidegate_expired_groups_total")).isEqualTo(1));
    }

    @Test
    void theAnswerCarriesTheAppliedPushTtl() {
        startWith();

        assertThat(http.put("/metrics/job/a", "x 1\n", "Push-TTL", "90s").header("Push-TTL")).isEqualTo("1m30s");
        assertThat(http.put("/metrics/job/b", "x 1\n", "Push-TTL", "1h30m").header("Push-TTL")).isEqualTo("1h30m");
        assertThat(http.post("/metrics/job/c", "x 1\n", "Push-TTL", "300").header("Push-TTL")).isEqualTo("5m");
        assertThat(http.put("/metrics/job/d?ttl=2d", "x 1\n").header("Push-TTL")).isEqualTo("2d");
        assertThat(http.put("/metrics/job/e", "x 1\n").header("Push-TTL")).as("no TTL anywhere: never").isEqualTo("0s");
    }

    @Test
    void theHeaderBeatsTheQueryParameter() {
        startWith();

        TestHttp.Answer answer = http.put("/metrics/job/both?ttl=1h", "x 1\n", "Push-TTL", "2m");

        assertThat(answer.header("Push-TTL")).isEqualTo("2m");
    }

    @Test
    void aMalformedOrNegativeTtlIsA400NamingTheValueAndStoresNothing() {
        startWith();

        for (String bad : List.of("5x", "-5s", "-1", "soon", "1m1h", "")) {
            TestHttp.Answer header = http.put("/metrics/job/bad-header", "x 1\n", "Push-TTL", bad);
            assertThat(header.status()).as("Push-TTL: " + bad).isEqualTo(400);
            assertThat(header.body()).as("Push-TTL: " + bad).contains("\"" + bad + "\"");
        }
        for (String bad : List.of("5x", "-5s", "-1")) {
            TestHttp.Answer query = http.put("/metrics/job/bad-query?ttl=" + bad, "x 1\n");
            assertThat(query.status()).as("?ttl=" + bad).isEqualTo(400);
            assertThat(query.body()).as("?ttl=" + bad).contains("\"" + bad + "\"");
        }
        TestHttp.Answer post = http.post("/metrics/job/bad-post", "x 1\n", "Push-TTL", "-5s");
        assertThat(post.status()).isEqualTo(400);

        assertThat(scrape()).doesNotContain("bad-header").doesNotContain("bad-query").doesNotContain("bad-post");
        assertThat(apiGroups()).isEmpty();
    }

    // --- cap and default ---------------------------------------------------------------------------

    @Test
    void ttlMaxCapsALongerPushTtlAndTheCappedGroupExpires() {
        startWith("--ttl.max=2s");

        TestHttp.Answer answer = http.put("/metrics/job/capped", "x 1\n", "Push-TTL", "1h");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("Push-TTL")).isEqualTo("2s");
        assertThat(scrape()).contains("x{instance=\"\",job=\"capped\"} 1\n");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape()).doesNotContain("capped"));
    }

    @Test
    void ttlMaxCapsNeverToo() {
        startWith("--ttl.max=2s");

        TestHttp.Answer answer = http.put("/metrics/job/never-capped", "x 1\n", "Push-TTL", "0");

        assertThat(answer.header("Push-TTL")).isEqualTo("2s");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape()).doesNotContain("never-capped"));
    }

    @Test
    void ttlDefaultAppliesWhenNothingElseGivesATtl() {
        startWith("--ttl.default=1s");

        TestHttp.Answer defaulted = http.put("/metrics/job/defaulted", "x 1\n");
        TestHttp.Answer own = http.put("/metrics/job/own", "x 1\n", "Push-TTL", "1h");

        assertThat(defaulted.header("Push-TTL")).isEqualTo("1s");
        assertThat(own.header("Push-TTL")).isEqualTo("1h");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape()).doesNotContain("defaulted"));
        assertThat(scrape()).contains("x{instance=\"\",job=\"own\"} 1\n");
    }

    // --- the #!set stale_timeout directive -----------------------------------------------------------

    @Test
    void aStaleTimeoutLineGivesTheFamiliesAfterItTheirOwnTtlAndBeatsTheHeader() {
        startWith();

        TestHttp.Answer answer = http.put("/metrics/job/directive",
                "before 1\n#!set stale_timeout = 1\nshort_a 2\nshort_b 3\n#!set stale_timeout = 3600\nlong 4\n",
                "Push-TTL", "1h");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("Push-TTL")).isEqualTo("1h");
        assertThat(scrape()).contains("short_a{instance=\"\",job=\"directive\"} 2\n")
                .contains("short_b{instance=\"\",job=\"directive\"} 3\n");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape())
                .doesNotContain("short_a{").doesNotContain("short_b{"));
        assertThat(scrape()).contains("before{instance=\"\",job=\"directive\"} 1\n")
                .contains("long{instance=\"\",job=\"directive\"} 4\n");
        await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(ownCounter("tidegate_expired_families_total")).isEqualTo(2));
        assertThat(ownCounter("tidegate_expired_groups_total")).isZero();
    }

    @Test
    void aStaleTimeoutOfNullMeansNeverEvenUnderAShortHeader() {
        startWith();

        http.put("/metrics/job/null-directive", "short 1\n#!set stale_timeout = null\nforever 2\n", "Push-TTL", "1s");

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape()).doesNotContain("short{"));
        assertThat(scrape()).contains("forever{instance=\"\",job=\"null-directive\"} 2\n");
        assertThat(apiGroup("null-directive")).containsKey("forever").doesNotContainKey("short");
    }

    @Test
    void aStaleTimeoutOfNullIsCappedByTtlMax() {
        startWith("--ttl.max=2s");

        TestHttp.Answer answer = http.put("/metrics/job/null-capped", "#!set stale_timeout = null\nforever 2\n");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(scrape()).contains("forever{instance=\"\",job=\"null-capped\"} 2\n");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape()).doesNotContain("null-capped"));
    }

    @Test
    void aHugeStaleTimeoutKeepsTheFamilyInsteadOfHidingItAtOnce() {
        startWith();

        TestHttp.Answer answer = http.put("/metrics/job/huge", "#!set stale_timeout = 1e300\nx 1\n");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(scrape()).as("a family whose stale_timeout is longer than anyone will wait must be served")
                .contains("x{instance=\"\",job=\"huge\"} 1\n");
    }

    @Test
    void aHugePushTtlKeepsTheGroupInsteadOfHidingItAtOnce() {
        startWith();

        TestHttp.Answer answer = http.put("/metrics/job/huge-header", "x 1\n", "Push-TTL", "9223372036854775807ms");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(scrape()).as("a group whose Push-TTL is longer than anyone will wait must be served")
                .contains("x{instance=\"\",job=\"huge-header\"} 1\n");
    }

    // --- PUT and POST ----------------------------------------------------------------------------------

    @Test
    void postRefreshesOnlyTheFamiliesItCarriesTheOthersExpireOnTheirOldDeadline() {
        startWith();

        http.put("/metrics/job/partial", "stale_one 1\nrefreshed 1\n", "Push-TTL", "1s");
        TestHttp.Answer post = http.post("/metrics/job/partial", "refreshed 2\n", "Push-TTL", "1h");

        assertThat(post.status()).isEqualTo(200);
        assertThat(post.header("Push-TTL")).isEqualTo("1h");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape()).doesNotContain("stale_one{"));
        assertThat(scrape()).contains("refreshed{instance=\"\",job=\"partial\"} 2\n")
                .contains("push_time_seconds{instance=\"\",job=\"partial\"}");
    }

    @Test
    void putReplacesEveryFamilyAndItsDeadline() {
        startWith();

        http.put("/metrics/job/replaced", "old 1\n", "Push-TTL", "1h");
        http.put("/metrics/job/replaced", "fresh 1\n", "Push-TTL", "1s");

        assertThat(scrape()).doesNotContain("old{").contains("fresh{instance=\"\",job=\"replaced\"} 1\n");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape()).doesNotContain("replaced"));
    }

    // --- what operators see ----------------------------------------------------------------------------

    @Test
    void pushExpiryTimeSecondsShowsTheGroupsDeadline() {
        startWith();

        long before = System.currentTimeMillis();
        http.put("/metrics/job/deadline/instance/dev1", "x 1\n", "Push-TTL", "60s");
        long after = System.currentTimeMillis();

        Double expiry = value(scrape(), "push_expiry_time_seconds{instance=\"dev1\",job=\"deadline\"}");
        assertThat(expiry).isNotNull();
        assertThat(expiry * 1000).isBetween(before + 60_000.0 - 1, after + 60_000.0 + 1);
    }

    @Test
    void aGroupWithoutTtlHasNoPushExpiryTimeSeconds() {
        startWith();

        http.put("/metrics/job/forever", "x 1\n");

        assertThat(scrape()).doesNotContain("push_expiry_time_seconds");
    }

    @Test
    void noReadStartedAfterTheDeadlineShowsTheFamily() {
        startWith();

        http.put("/metrics/job/exact", "x 1\n", "Push-TTL", "1s");
        Double expirySeconds = value(scrape(), "push_expiry_time_seconds{instance=\"\",job=\"exact\"}");
        assertThat(expirySeconds).isNotNull();
        long deadline = Math.round(expirySeconds * 1000);

        List<String> violations = new ArrayList<>();
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(10)).until(() -> {
            long startedAt = System.currentTimeMillis();
            boolean scrapeHas = scrape().contains("job=\"exact\"");
            boolean apiHas = apiHasJob("exact"); // also what the web page reads
            if (startedAt >= deadline && (scrapeHas || apiHas)) {
                violations.add("read started " + (startedAt - deadline) + " ms after the deadline: /metrics "
                        + scrapeHas + ", /api/v1/metrics " + apiHas);
            }
            return startedAt >= deadline + 300;
        });
        assertThat(violations).isEmpty();
    }

    @Test
    void theSweepFreesAnExpiredGroupWithinASecondOfItsDeadline() {
        startWith();

        http.put("/metrics/job/freed", "x 1\n", "Push-TTL", "1s");
        Double expirySeconds = value(scrape(), "push_expiry_time_seconds{instance=\"\",job=\"freed\"}");
        assertThat(expirySeconds).isNotNull();
        assertThat(ownCounter("tidegate_groups")).isEqualTo(1);
        long deadline = Math.round(expirySeconds * 1000);

        List<String> violations = new ArrayList<>();
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(20)).until(() -> {
            long startedAt = System.currentTimeMillis();
            double held = ownCounter("tidegate_groups");
            if (startedAt >= deadline + 1000 && held != 0) {
                violations.add("scrape started " + (startedAt - deadline) + " ms after the deadline still holds "
                        + held + " groups");
            }
            return startedAt >= deadline + 1300;
        });
        assertThat(violations).isEmpty();
        assertThat(ownCounter("tidegate_expired_groups_total")).isEqualTo(1);
    }

    @Test
    void theTombstoneGaugeAppearsAfterExpiryAndANewPushClearsIt() {
        startWith("--ttl.tombstone=1m");

        http.put("/metrics/job/device", "x 1\n", "Push-TTL", "1s");
        Double expirySeconds = value(scrape(), "push_expiry_time_seconds{instance=\"\",job=\"device\"}");
        assertThat(expirySeconds).isNotNull();
        assertThat(scrape()).doesNotContain("push_expired_time_seconds");

        await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(value(scrape(), "push_expired_time_seconds{instance=\"\",job=\"device\"}"))
                        .isCloseTo(expirySeconds, org.assertj.core.data.Offset.offset(0.002)));
        String scrape = scrape();
        assertThat(scrape).doesNotContain("x{").doesNotContain("push_time_seconds{instance=\"\",job=\"device\"}");
        assertThat(ownCounter("tidegate_expired_groups_total")).isEqualTo(1);

        TestHttp.Answer again = http.put("/metrics/job/device", "x 2\n");

        assertThat(again.status()).isEqualTo(200);
        assertThat(scrape()).doesNotContain("push_expired_time_seconds")
                .contains("x{instance=\"\",job=\"device\"} 2\n");
    }

    @Test
    void withoutTtlTombstoneAnExpiredGroupLeavesNothingBehind() {
        startWith();

        http.put("/metrics/job/no-tombstone", "x 1\n", "Push-TTL", "1s");

        await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(ownCounter("tidegate_expired_groups_total")).isEqualTo(1));
        assertThat(scrape()).doesNotContain("no-tombstone").doesNotContain("push_expired_time_seconds");
    }

    @Test
    @SuppressWarnings("unchecked")
    void apiV1MetricsShowsTtlSecondsAndDeadlineOfFamiliesWithATtl() {
        startWith();

        long before = System.currentTimeMillis();
        http.put("/metrics/job/api", "with_ttl 1\n#!set stale_timeout = 2.5\nown_ttl 2\n", "Push-TTL", "90s");
        long after = System.currentTimeMillis();
        http.put("/metrics/job/api-forever", "without_ttl 1\n");

        Map<String, Object> withTtl = (Map<String, Object>) apiGroup("api").get("with_ttl");
        assertThat(withTtl).containsEntry("ttl_seconds", "90");
        long deadline = Instant.parse((String) withTtl.get("deadline")).toEpochMilli();
        assertThat(deadline).isBetween(before + 90_000, after + 90_000);

        Map<String, Object> ownTtl = (Map<String, Object>) apiGroup("api").get("own_ttl");
        assertThat(ownTtl).containsEntry("ttl_seconds", "2.5");
        assertThat(Instant.parse((String) ownTtl.get("deadline")).toEpochMilli())
                .isBetween(before + 2_500, after + 2_500);

        Map<String, Object> expiry = (Map<String, Object>) apiGroup("api").get("push_expiry_time_seconds");
        assertThat(expiry).as("the group's deadline is on /api/v1/metrics too").isNotNull();

        Map<String, Object> withoutTtl = (Map<String, Object>) apiGroup("api-forever").get("without_ttl");
        assertThat(withoutTtl).doesNotContainKey("ttl_seconds").doesNotContainKey("deadline");
        assertThat(apiGroup("api-forever")).doesNotContainKey("push_expiry_time_seconds");
    }

    // --- the configuration file ------------------------------------------------------------------------

    @Test
    void configRulesApplyByMatcherAndSourceFirstMatchWinsHeaderBeatsRuleRuleBeatsDefault() {
        Path config = writeConfig("rules.yml", """
                ttl_rules:
                  - match: '{job="short"}'
                    ttl: 1s
                  - match: '{job=~"s.*", room!="lab"}'
                    ttl: 1h
                  - match: ['job="meter"']
                    source: mqtt
                    ttl: 2m
                  - match: '{job="meter"}'
                    source: http
                    ttl: 3m
                  - match: '{job="keep"}'
                    ttl: 0
                """);
        startWith("--config.file=" + config, "--ttl.default=7m");

        assertThat(http.put("/metrics/job/short", "x 1\n").header("Push-TTL"))
                .as("first match wins over the later sensor rule").isEqualTo("1s");
        assertThat(http.put("/metrics/job/sensor/room/kitchen", "x 1\n").header("Push-TTL")).isEqualTo("1h");
        assertThat(http.put("/metrics/job/sensor/room/lab", "x 1\n").header("Push-TTL"))
                .as("matchers must all match; then the default").isEqualTo("7m");
        assertThat(http.put("/metrics/job/meter", "x 1\n").header("Push-TTL"))
                .as("the mqtt rule does not apply to HTTP").isEqualTo("3m");
        assertThat(http.put("/metrics/job/keep", "x 1\n").header("Push-TTL"))
                .as("a rule of 0 is never, not the default").isEqualTo("0s");
        assertThat(http.put("/metrics/job/other", "x 1\n").header("Push-TTL")).isEqualTo("7m");
        assertThat(http.put("/metrics/job/sensor/instance/h", "x 1\n", "Push-TTL", "30s").header("Push-TTL"))
                .as("header beats rule").isEqualTo("30s");
        assertThat(http.put("/metrics/job/sensor/instance/q?ttl=45s", "x 1\n").header("Push-TTL"))
                .as("query parameter beats rule").isEqualTo("45s");

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape()).doesNotContain("job=\"short\""));
        assertThat(scrape()).contains("x{instance=\"\",job=\"sensor\",room=\"kitchen\"} 1\n");
    }

    @Test
    void reloadPicksUpAChangedFileAndABrokenFileIs500WithTheReasonAndKeepsTheOldRules() throws IOException {
        Path config = writeConfig("reload.yml", "ttl_rules:\n  - match: '{job=\"a\"}'\n    ttl: 1m\n");
        startWith("--config.file=" + config, "--web.enable-lifecycle");
        assertThat(http.put("/metrics/job/a", "x 1\n").header("Push-TTL")).isEqualTo("1m");

        Files.writeString(config, "ttl_rules:\n  - match: '{job=\"a\"}'\n    ttl: 2m\n");
        TestHttp.Answer reloaded = http.post("/-/reload", "");

        assertThat(reloaded.status()).isEqualTo(200);
        assertThat(http.put("/metrics/job/a", "x 1\n").header("Push-TTL")).isEqualTo("2m");

        Files.writeString(config, "ttl_rules:\n  - match: '{job=\"a\"}'\n    ttl: 5x\n");
        TestHttp.Answer broken = http.put("/-/reload", "");

        assertThat(broken.status()).isEqualTo(500);
        assertThat(broken.body()).contains(config.toString()).contains("5x");
        assertThat(http.put("/metrics/job/a", "x 1\n").header("Push-TTL")).as("the old rules stay").isEqualTo("2m");

        Files.writeString(config, "ttl_rules:\n  - match: '{job=\"a\"}'\n    ttl: 1s\n");
        assertThat(http.put("/-/reload", "").status()).isEqualTo(200);
        assertThat(http.put("/metrics/job/a", "x 1\n").header("Push-TTL")).isEqualTo("1s");
    }

    @Test
    void reloadIs403WithoutEnableLifecycle() {
        Path config = writeConfig("locked.yml", "ttl_rules:\n  - ttl: 1m\n");
        startWith("--config.file=" + config);

        TestHttp.Answer post = http.post("/-/reload", "");
        TestHttp.Answer put = http.put("/-/reload", "");

        assertThat(post.status()).isEqualTo(403);
        assertThat(post.body()).contains("Lifecycle API is not enabled.");
        assertThat(put.status()).isEqualTo(403);
    }

    @Test
    void startingWithABrokenConfigFileThrowsWithTheFilesError() {
        Path config = writeConfig("broken.yml", "ttl_rules:\n  - match: '{job=\"a\"}'\n    ttl: 5x\n");

        assertThatThrownBy(() -> startWith("--config.file=" + config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(config.toString())
                .hasMessageContaining("5x");
        assertThatThrownBy(() -> startWith("--config.file=" + tempDir.resolve("missing.yml")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing.yml")
                .hasMessageContaining("no such file");
        assertThatThrownBy(() -> startWith("--config.file=" + writeConfig("unknown.yml", "ttl_ruels: []\n")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown.yml")
                .hasMessageContaining("ttl_ruels");
    }
}
