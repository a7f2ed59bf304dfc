package io.tidegate.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tidegate.HeadlessChromium;
import io.tidegate.TestClock;
import io.tidegate.TestHttp;
import io.tidegate.cli.Flags;
import io.tidegate.config.ReloadOutcome;
import io.tidegate.telemetry.OwnMetrics;
import io.tidegate.ttl.TtlResolver;
import io.tidegate.ttl.TtlRules;
import io.tidegate.web.WebServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/** The web page in a real browser while the journal's disk is full: a banner says since when and why, and goes once there is room. */
class FullDiskPageIT {
    private static final Duration PAGE_WAIT = Duration.ofSeconds(10);

    private final TestClock clock = new TestClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final FillingDisk disk = new FillingDisk();
    @TempDir
    Path dir;
    @TempDir
    Path chromiumProfile;
    private PersistedGateway gateway;
    private WebServer web;
    private HeadlessChromium chromium;

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
        chromium = HeadlessChromium.start(chromiumProfile, HeadlessChromium.driverLogFor(FullDiskPageIT.class));
    }

    @AfterEach
    void stop() {
        try {
            if (chromium != null) {
                chromium.close();
            }
        } finally {
            web.close();
            gateway.close();
        }
    }

    @Test
    void aBannerSaysSinceWhenAndWhyWritesAreRefusedAndGoesOnceThereIsRoom() {
        TestHttp http = new TestHttp(web.port());
        assertThat(http.put("/metrics/job/a", "x 1\n").status()).isEqualTo(200);
        ChromeDriver browser = chromium.driver();
        browser.get("http://127.0.0.1:" + web.port() + "/");
        await("the page's first refresh").atMost(PAGE_WAIT)
                .until(() -> browser.findElement(By.id("refreshed")).getText().startsWith("Refreshed"));
        WebElement banner = browser.findElement(By.id("persistence-failure"));
        assertThat(banner.isDisplayed()).isFalse();

        disk.fill();
        assertThat(http.put("/metrics/job/a", "x 2\n").status()).isEqualTo(503);
        await("the banner").atMost(PAGE_WAIT).until(banner::isDisplayed);
        assertThat(banner.getText()).startsWith("Writes are refused since ")
                .contains(": persistence file " + dir.toAbsolutePath().resolve("tidegate.db.journal-1")
                        + ": No space left on device.")
                .contains("Pushes get 503 and MQTT messages are not acknowledged");

        disk.free();
        await("the banner gone").atMost(PAGE_WAIT).until(() -> !banner.isDisplayed());
        assertThat(http.put("/metrics/job/a", "x 3\n").status()).isEqualTo(200);
    }
}
