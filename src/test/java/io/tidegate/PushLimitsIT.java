package io.tidegate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC §7: each bound on a push answers a 4xx naming the bound, its flag and the value found, and
 * stores nothing of the push, not even a failure time.
 */
class PushLimitsIT {
    private static final RunningTidegate tidegate = new RunningTidegate();
    private static TestHttp http;

    @BeforeAll
    static void start() {
        http = tidegate.start("--web.enable-admin-api", "--push.max-series=3", "--push.max-labels-per-series=4",
                "--push.max-label-name-length=10", "--push.max-label-value-length=20", "--store.max-groups=2").http();
    }

    @AfterAll
    static void stop() {
        tidegate.close();
    }

    @BeforeEach
    void wipe() {
        assertThat(http.send("PUT", "/api/v1/admin/wipe", null).status()).isEqualTo(202);
    }

    private static void assertRefused(TestHttp.Answer answer, int status, String message) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertThat(answer.body()).contains(message);
    }

    private static void assertNothingStored() {
        assertThat(http.get("/api/v1/metrics").body()).isEqualTo("{\"status\":\"success\",\"data\":[]}");
    }

    @Test
    void tooManySeriesIs413() {
        assertRefused(http.put("/metrics/job/a", "x{n=\"1\"} 1\nx{n=\"2\"} 1\ny 1\nz 1\n"), 413,
                "the push has more than 3 series (--push.max-series)");
        assertNothingStored();
        assertThat(http.put("/metrics/job/a", "x{n=\"1\"} 1\nx{n=\"2\"} 1\ny 1\n").status()).isEqualTo(200);
    }

    @Test
    void tooManyLabelsIs400() {
        // job, instance (added), a, b: 4 is fine; c makes 5
        assertThat(http.put("/metrics/job/a", "x{a=\"1\",b=\"2\"} 1\n").status()).isEqualTo(200);
        http.delete("/metrics/job/a");
        assertRefused(http.put("/metrics/job/a", "x{a=\"1\",b=\"2\",c=\"3\"} 1\n"), 400,
                "a series of \"x\" has 5 labels, more than 4 (--push.max-labels-per-series)");
        assertNothingStored();
    }

    @Test
    void longLabelNamesAndValuesAre400() {
        assertRefused(http.put("/metrics/job/a", "x{abcdefghijk=\"1\"} 1\n"), 400,
                "a label name in the series of \"x\" has 11 characters, more than 10 (--push.max-label-name-length)");
        assertRefused(http.put("/metrics/job/a", "x{a=\"" + "v".repeat(21) + "\"} 1\n"), 400,
                "the value of label \"a\" in the series of \"x\" has 21 characters, more than 20 "
                        + "(--push.max-label-value-length)");
        assertRefused(http.put("/metrics/job/" + "j".repeat(21), "x 1\n"), 400,
                "the value of label \"job\" in the grouping key has 21 characters");
        assertNothingStored();
    }

    @Test
    void newGroupsBeyondTheLimitAre429ExistingOnesGoOn() {
        assertThat(http.put("/metrics/job/a", "x 1\n").status()).isEqualTo(200);
        assertThat(http.put("/metrics/job/b", "x 1\n").status()).isEqualTo(200);
        assertRefused(http.put("/metrics/job/c", "x 1\n"), 429,
                "the gateway already holds 2 groups, the most --store.max-groups allows (2)");
        assertThat(http.get("/api/v1/metrics").body()).doesNotContain("\"job\":\"c\"");
        assertThat(http.post("/metrics/job/a", "y 2\n").status()).as("a push to a group held").isEqualTo(200);
        http.delete("/metrics/job/b");
        assertThat(http.put("/metrics/job/c", "x 1\n").status()).as("room again").isEqualTo(200);
    }

    @Test
    void limitsHoldWithoutTheConsistencyCheckToo() {
        tidegate.start("--push.disable-consistency-check", "--push.max-series=1");
        try {
            assertRefused(tidegate.http().put("/metrics/job/a", "x 1\ny 1\n"), 413, "--push.max-series");
        } finally {
            start();
        }
    }
}
