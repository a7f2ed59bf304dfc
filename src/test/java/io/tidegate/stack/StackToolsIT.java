package io.tidegate.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stack's configuration files, checked by the programs that read them: docker-compose (Debian's
 * 1.29, which validates a file offline, without a Docker engine) and promtool (Debian's prometheus
 * package): the rules load, the Prometheus configuration loads with them, and the rules' own unit
 * tests pass (the offline alert fires for a group that disappears and not for one that keeps pushing).
 */
class StackToolsIT {
    @TempDir
    Path dir;

    record Outcome(int exitCode, String output) {}

    static Outcome run(Path workingDirectory, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(workingDirectory.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", command) + " finishes").isTrue();
        return new Outcome(process.exitValue(), output);
    }

    private static Outcome run(String... command) throws IOException, InterruptedException {
        return run(Path.of("").toAbsolutePath(), command);
    }

    @Test
    void dockerComposeAcceptsTheComposeFile() throws Exception {
        Outcome outcome = run("docker-compose", "-f", "docker-compose.yml", "config", "-q");

        assertThat(outcome.exitCode()).as(outcome.output()).isZero();
    }

    @Test
    void dockerComposeWouldRefuseABrokenOne() throws Exception {
        // the check above means something: the same file with a volume nobody declared is refused
        Path broken = dir.resolve("docker-compose.yml");
        Files.writeString(broken, Files.readString(Path.of("docker-compose.yml")).replace("- tidegate-data:/data",
                "- undeclared-data:/data"));

        Outcome outcome = run("docker-compose", "-f", broken.toString(), "--project-directory",
                new File("").getAbsolutePath(), "config", "-q");

        assertThat(outcome.exitCode()).isNotZero();
        assertThat(outcome.output()).contains("undeclared-data");
    }

    @Test
    void promtoolAcceptsTheRules() throws Exception {
        Outcome outcome = run("promtool", "check", "rules", "prometheus/tidegate-rules.yml");

        assertThat(outcome.exitCode()).as(outcome.output()).isZero();
        assertThat(outcome.output()).contains("SUCCESS: 8 rules found");
    }

    @Test
    void promtoolAcceptsThePrometheusConfigurationWithItsRules() throws Exception {
        Outcome outcome = run(Path.of("prometheus"), "promtool", "check", "config", "prometheus.yml");

        assertThat(outcome.exitCode()).as(outcome.output()).isZero();
        assertThat(outcome.output()).contains("SUCCESS: 1 rule files found").contains("SUCCESS: 8 rules found");
    }

    @Test
    void theRulesPassTheirUnitTests() throws Exception {
        Outcome outcome = run("promtool", "test", "rules", "prometheus/tidegate-rules.test.yml");

        assertThat(outcome.exitCode()).as(outcome.output()).isZero();
        assertThat(outcome.output()).contains("SUCCESS");
    }

    @Test
    void theOfflineAlertsUnitTestsWouldCatchARuleThatFiresWhileTidegateIsDown() throws Exception {
        // without its guard on up{job="tidegate"}, the rule fires for every device when Tidegate is down
        Files.writeString(dir.resolve("tidegate-rules.yml"), Files.readString(Path.of("prometheus", "tidegate-rules.yml"))
                .replace("and on () (max(up{job=\"tidegate\"}) == 1)", ""));
        Files.copy(Path.of("prometheus", "tidegate-rules.test.yml"), dir.resolve("tidegate-rules.test.yml"));

        Outcome outcome = run(dir, "promtool", "test", "rules", "tidegate-rules.test.yml");

        assertThat(outcome.exitCode()).isNotZero();
        assertThat(outcome.output()).contains("alertname: TidegateDeviceOffline, time: 9m");
    }
}
