package io.tidegate;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's Chromium ({@code /usr/bin/chromium}), headless, driven through Debian's chromedriver
 * ({@code /usr/bin/chromedriver}) by Selenium: both named outright, so Selenium Manager never looks
 * for, or downloads, a browser or driver of its own. It keeps the console log. A browser that
 * cannot start fails the test that needs it, with a message naming the Debian packages, rather
 * than skipping it.
 */
public final class HeadlessChromium implements AutoCloseable {
    private static final Path BROWSER = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static final String PACKAGES = "Debian packages chromium and chromium-driver (test.sh installs them)";

    private final ChromeDriverService service;
    private final ChromeDriver driver;

    private HeadlessChromium(ChromeDriverService service, ChromeDriver driver) {
        this.service = service;
        this.driver = driver;
    }

    /**
     * Starts one with a 1280×900 window.
     *
     * @param profile an empty directory for the browser's profile (a JUnit {@code @TempDir}, which removes it)
     * @param driverLog where chromedriver logs
     */
    public static HeadlessChromium start(Path profile, Path driverLog) {
        for (Path program : List.of(BROWSER, DRIVER)) {
            if (!Files.isExecutable(program)) {
                throw new AssertionError(program + " is missing: the web page's tests need the " + PACKAGES);
            }
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        // without the background-networking switches Chromium keeps calling home, into a closed network
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1280,900");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(driverLog.toFile())
                .build();
        try {
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(Duration.ofSeconds(10));
            return new HeadlessChromium(service, driver);
        } catch (RuntimeException e) {
            service.stop();
            throw new AssertionError("headless Chromium did not start (" + BROWSER + " via " + DRIVER + ", from the "
                    + PACKAGES + "); chromedriver's log is " + driverLog + ": " + e.getMessage(), e);
        }
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** The console messages logged since the last call, as "LEVEL message". */
    public List<String> consoleMessages() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .map(entry -> entry.getLevel() + " " + entry.getMessage())
                .toList();
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
        }
    }

    /** Where chromedriver logs for a test class: under Maven's {@code target/}. */
    public static Path driverLogFor(Class<?> testClass) {
        return new File("target", testClass.getSimpleName() + "-chromedriver.log").toPath();
    }
}
