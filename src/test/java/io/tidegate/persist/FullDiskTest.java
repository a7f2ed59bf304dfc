package io.tidegate.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tidegate.TestClock;
import io.tidegate.TestHttp;
import io.tidegate.cli.Flags;
import io.tidegate.config.ReloadOutcome;
import io.tidegate.telemetry.OwnMetrics;
import io.tidegate.ttl.TtlResolver;
import io.tidegate.ttl.TtlRules;
import io.tidegate.web.WebServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §6: a full disk fails writes with a clear error and recovers by itself when space returns;
 * nothing is silently dropped, nothing refused is kept, nothing answered is lost or reordered.
 */
class FullDiskTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final FillingDisk disk = new FillingDisk();
    @TempDir
    Path dir;
    private PersistedGateway gateway;
    private WebServer web;
    private TestHttp http;

    @BeforeEach
    void start() throws Exception {
        Flags flags = new Flags();
        Flags.commandLine(flags).parseArgs("--web.listen-address=127.0.0.1:0");
        OwnMetrics own = new OwnMetrics();
        gateway = new PersistedGateway(dir.resolve("tidegate.db"), clock, disk, Duration.ofMillis(50), own);
        TtlResolver ttls = new TtlResolver(TtlRules::none, flags.ttlDefault, flags.ttlMax);
        web = new WebServer(flags.webSettings(), gateway.store, gateway.store, ttls, own, () -> (ReloadOutcome) null,
                () -> {}, Instant.now(), List::of).start();
        web.ready();
        http = new TestHttp(web.port());
    }

    @AfterEach
    void stop() {
        web.close();
        gateway.close();
    }

    @Test
    void aPushOnAFullDiskIs503AndStoresNothingAndPushesSucceedAgainOnceThereIsRoom() throws IOException {
        assertThat(http.put("/metrics/job/a", "x 1\n").status()).isEqualTo(200);
        assertThat(http.put("/metrics/job/a", "x 2\n").status()).isEqualTo(200);
        assertThat(http.put("/metrics/job/b", "y 1\n").status()).isEqualTo(200);

        disk.fill();
        // this push is applied, then its journal write fails: it is undone before it is answered
        TestHttp.Answer lost = http.put("/metrics/job/c", "z 1\n");
        assertThat(lost.status()).isEqualTo(503);
        assertThat(lost.header("Retry-After")).isEqualTo("10");
        assertThat(lost.body()).contains("persistence file " + dir.toAbsolutePath().resolve("tidegate.db.journal-1"))
                .contains("No space left on device");
        // while the journal fails, writes are refused before they change anything
        assertThat(http.put("/metrics/job/a", "x 3\n").status()).isEqualTo(503);
        assertThat(http.delete("/metrics/job/b").status()).isEqualTo(503);
        TestHttp.Answer ready = http.get("/-/ready");
        assertThat(ready.status()).isEqualTo(503);
        assertThat(ready.body()).contains("No space left on device");
        String status = http.get("/api/v1/status").body(); // what the web page shows in its banner
        assertThat(status).contains("\"persistence_failure\":{\"since\":\"2026-11-25T10:00:00Z\",\"reason\":\"persistence file ")
                .contains("No space left on device");
        String scrape = http.get("/metrics").body(); // a scraper is still served
        assertThat(scrape).contains("x{instance=\"\",job=\"a\"} 2").contains("y{instance=\"\",job=\"b\"} 1")
                .doesNotContain("job=\"c\"").contains("tidegate_persistence_failing 1");

        disk.free();
        await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/-/ready").status() == 200);
        assertThat(http.put("/metrics/job/c", "z 2\n").status()).isEqualTo(200);
        assertThat(http.put("/metrics/job/a", "x 4\n").status()).isEqualTo(200);
        assertThat(http.get("/api/v1/status").body()).doesNotContain("persistence_failure");
        assertThat(http.get("/metrics").body()).contains("tidegate_persistence_failing 0")
                .contains("tidegate_persistence_write_failures_total 1");

        // a crash now: the journal holds every answered write, in order, and nothing refused
        try (PersistedGateway restarted = new PersistedGateway(crashCopy().resolve("tidegate.db"), clock)) {
            assertThat(restarted.persistence.loadErrors()).isZero(); // what the failed write left was cut off
            assertThat(restarted.scrape()).contains("x{instance=\"\",job=\"a\"} 4").contains("y{instance=\"\",job=\"b\"} 1")
                    .contains("z{instance=\"\",job=\"c\"} 2");
            assertThat(restarted.store.snapshot().groupCount()).isEqualTo(3);
        }
    }

    @Test
    void aDiskStillFullKeepsRefusingAndANewTidegateLoadsOnlyWhatWasAnswered() throws IOException {
        assertThat(http.put("/metrics/job/a", "x 1\n").status()).isEqualTo(200);
        disk.fill();
        assertThat(http.put("/metrics/job/a", "x 2\n").status()).isEqualTo(503);
        assertThat(http.put("/metrics/job/b", "y 1\n").status()).isEqualTo(503);
        // retries come and go; the disk is still full, so the journal still fails
        await().pollDelay(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5))
                .until(() -> http.get("/-/ready").status() == 503);

        try (PersistedGateway restarted = new PersistedGateway(crashCopy().resolve("tidegate.db"), clock)) {
            assertThat(restarted.persistence.loadErrors()).isZero();
            assertThat(restarted.scrape()).contains("x{instance=\"\",job=\"a\"} 1").doesNotContain("job=\"b\"");
        }
    }

    private Path crashCopy() throws IOException {
        Path copy = Files.createDirectories(dir.resolve("crashed"));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name = file.getFileName().toString();
                if (!name.endsWith(".lock")) {
                    Files.copy(file, copy.resolve(name));
                }
            }
        }
        return copy;
    }
}
