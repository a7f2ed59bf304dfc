package io.tidegate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar as an operator runs it: a process of its own, with signals. (Other tests start
 * Tidegate inside the test JVM, where signals cannot reach it.)
 */
class JarProcessIT {
    private static final Path JAR = Path.of("target", "tidegate.jar");

    @TempDir
    Path dir;

    private Process tidegate;
    private Path log;

    @AfterEach
    void stop() throws InterruptedException {
        if (tidegate != null && tidegate.isAlive()) {
            tidegate.destroy();
            tidegate.waitFor();
        }
    }

    @Test
    void sighupReloadsTheConfigurationFileAndKeepsTheOldOneWhenTheNewIsBroken() throws Exception {
        Path config = dir.resolve("tidegate.yml");
        Files.writeString(config, "ttl_rules:\n  - match: '{job=\"sensor\"}'\n    ttl: 5m\n");
        TestHttp http = start("--config.file=" + config);
        assertThat(http.put("/metrics/job/sensor", "t 1\n").header("Push-TTL")).isEqualTo("5m");

        Files.writeString(config, "ttl_rules:\n  - match: '{job=\"sensor\"}'\n    ttl: 90s\n");
        signal("HUP");

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(http.put("/metrics/job/sensor", "t 1\n").header("Push-TTL")).isEqualTo("1m30s"));
        assertThat(Files.readString(log)).contains("msg=\"configuration reloaded\"");

        Files.writeString(config, "ttl_rules:\n  - match: '{job=\"sensor\"}'\n    ttl: 5x\n");
        signal("HUP");

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(Files.readString(log)).contains("configuration reload failed, keeping the previous one"));
        assertThat(http.put("/metrics/job/sensor", "t 1\n").header("Push-TTL")).isEqualTo("1m30s");
        assertThat(tidegate.isAlive()).isTrue();
    }

    @Test
    void sigtermStopsItGracefully() throws Exception {
        TestHttp http = start();
        assertThat(http.get("/-/healthy").status()).isEqualTo(200);

        signal("TERM");

        assertThat(tidegate.waitFor()).isIn(0, 143);
        assertThat(Files.readString(log)).contains("exiting gracefully").contains("msg=stopped");
    }

    @Test
    void aBrokenConfigurationFileStopsTheStartWithTheReason() throws Exception {
        Path config = dir.resolve("broken.yml");
        Files.writeString(config, "ttl_rule:\n  - ttl: 5m\n");
        launch("--config.file=" + config, "--web.listen-address=127.0.0.1:" + freePort());

        assertThat(tidegate.waitFor()).isEqualTo(1);
        assertThat(Files.readString(log)).contains("could not start").contains("unknown top-level key \\\"ttl_rule\\\"");
    }

    private TestHttp start(String... flags) throws IOException {
        int port = freePort();
        String[] all = new String[flags.length + 1];
        System.arraycopy(flags, 0, all, 0, flags.length);
        all[flags.length] = "--web.listen-address=127.0.0.1:" + port;
        launch(all);
        TestHttp http = new TestHttp(port);
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> http.get("/-/ready").status() == 200);
        return http;
    }

    private void launch(String... flags) throws IOException {
        assertThat(JAR).as("the jar, built by mvn package before the integration tests").exists();
        log = dir.resolve("tidegate.log");
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString(),
                "--no-mqtt.embedded"));
        command.addAll(List.of(flags));
        tidegate = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(tidegate.pid())).start();
        assertThat(kill.waitFor()).isZero();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
