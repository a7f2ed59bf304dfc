package io.tidegate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.Gson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device examples of {@code examples/}, run the way their READMEs say, against a real Tidegate (and a
 * real Mosquitto for the MQTT probes): what they push, with which TTL, and how they fail.
 */
class ExamplesIT {
    /** Debian's Python, which has the python3-prometheus-client package (a pyenv shim on PATH may not). */
    private static final String PYTHON = "/usr/bin/python3"; // run with -B: no __pycache__ in the source tree
    private static final Path EXAMPLES = Path.of("examples");
    private static final Path MICROPYTHON_SHIMS = Path.of("src", "test", "micropython");
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final RunningTidegate tidegate = new RunningTidegate();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        tidegate.close();
    }

    // --- examples/shell/push-metrics.sh -------------------------------------------------------------------

    @Test
    void shellScriptPushesDiskUseLoadAndBackupTimeWithTheTtlForAFiveMinuteCron() throws IOException {
        TestHttp http = tidegate.start().http();
        Path stamp = Files.createFile(dir.resolve("last-success"));
        Files.setLastModifiedTime(stamp, FileTime.from(1_764_064_800L, TimeUnit.SECONDS));

        Run run = run(shellScript(tidegate.port(), "BACKUP_STAMP", stamp.toString(), "DISKS", "/ " + dir));

        assertThat(run.exitCode()).as(run.toString()).isZero();
        String scrape = http.get("/metrics").body();
        assertThat(scrape).contains("server_backup_last_success_timestamp_seconds{instance=\"db1\",job=\"server\"} 1.7640648e+09\n");
        assertThat(value(scrape, "server_disk_used_ratio{instance=\"db1\",job=\"server\",mountpoint=\"/\"}")).isBetween(0.0, 1.0);
        assertThat(value(scrape, "server_disk_used_ratio{instance=\"db1\",job=\"server\",mountpoint=\"" + dir + "\"}"))
                .isBetween(0.0, 1.0);
        assertThat(value(scrape, "server_load1{instance=\"db1\",job=\"server\"}")).isNotNegative();
        assertThat(ttls(http, "job", "server", "instance", "db1")).containsOnly(
                Map.entry("server_disk_used_ratio", "900"), Map.entry("server_load1", "900"),
                Map.entry("server_backup_last_success_timestamp_seconds", "900"));
    }

    @Test
    void shellScriptLeavesOutTheBackupTimeWhenNoBackupHasSucceeded() {
        TestHttp http = tidegate.start().http();

        Run run = run(shellScript(tidegate.port(), "BACKUP_STAMP", dir.resolve("never-touched").toString()));

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(http.get("/metrics").body()).contains("server_load1{instance=\"db1\",job=\"server\"}")
                .doesNotContain("server_backup_last_success_timestamp_seconds");
    }

    @Test
    void shellScriptExitsNonZeroWithTidegatesReasonWhenThePushIsRefused() {
        TestHttp http = tidegate.start().http();

        Run run = run(shellScript(tidegate.port(), "TTL", "15x"));

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.stderr()).startsWith("push-metrics.sh: PUT http://127.0.0.1:" + tidegate.port()
                        + "/metrics/job/server/instance/db1 failed: ")
                .contains("400").contains("invalid Push-TTL header: invalid duration \"15x\"");
        assertThat(http.get("/metrics").body()).doesNotContain("job=\"server\"");
    }

    @Test
    void shellScriptExitsNonZeroSayingWhyWhenTidegateIsUnreachable() {
        int closedPort = MosquittoBroker.freeLoopbackPort();

        Run run = run(shellScript(closedPort));

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.stderr()).contains("push-metrics.sh: PUT http://127.0.0.1:" + closedPort)
                .contains("Failed to connect");
    }

    @Test
    void shellScriptDeletesTheGroupOfADecommissionedServer() {
        TestHttp http = tidegate.start().http();
        assertThat(run(shellScript(tidegate.port())).exitCode()).isZero();
        assertThat(http.get("/metrics").body()).contains("job=\"server\"");

        List<String> delete = new ArrayList<>(shellScript(tidegate.port()));
        delete.add("--delete");
        Run run = run(delete);

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(http.get("/metrics").body()).doesNotContain("job=\"server\"");
    }

    /** {@code env NAME=VALUE... sh examples/shell/push-metrics.sh}, as the server db1 pushing to this port. */
    private List<String> shellScript(int port, String... environment) {
        List<String> command = new ArrayList<>(List.of("env", "-i", "PATH=/usr/bin:/bin", "TIDEGATE_URL=http://127.0.0.1:" + port,
                "INSTANCE=db1", "BACKUP_STAMP=" + dir.resolve("no-backup")));
        for (int i = 0; i < environment.length; i += 2) {
            command.add(environment[i] + "=" + environment[i + 1]);
        }
        command.addAll(List.of("sh", EXAMPLES.resolve("shell/push-metrics.sh").toString()));
        return command;
    }

    // --- examples/python/probe.py -----------------------------------------------------------------------

    @Test
    void pythonProbePushesItsChecksWithTheOfficialClientAndATtl() {
        TestHttp http = tidegate.start().http();
        String self = "http://127.0.0.1:" + tidegate.port();

        Run run = run(List.of(PYTHON, "-B", EXAMPLES.resolve("python/probe.py").toString(), "--gateway", self,
                "--instance", "site1", "up=" + self + "/-/healthy", "missing=" + self + "/nothing-here",
                "down=http://127.0.0.1:" + MosquittoBroker.freeLoopbackPort() + "/"));

        assertThat(run.exitCode()).as(run.toString()).isZero();
        String scrape = http.get("/metrics").body();
        assertThat(scrape)
                .contains("probe_success{instance=\"site1\",job=\"http_probe\",target=\"up\"} 1\n")
                .contains("probe_http_status_code{instance=\"site1\",job=\"http_probe\",target=\"up\"} 200\n")
                .contains("probe_success{instance=\"site1\",job=\"http_probe\",target=\"missing\"} 0\n")
                .contains("probe_http_status_code{instance=\"site1\",job=\"http_probe\",target=\"missing\"} 404\n")
                .contains("probe_success{instance=\"site1\",job=\"http_probe\",target=\"down\"} 0\n")
                .contains("probe_http_status_code{instance=\"site1\",job=\"http_probe\",target=\"down\"} 0\n");
        assertThat(value(scrape, "probe_duration_seconds{instance=\"site1\",job=\"http_probe\",target=\"up\"}")).isPositive();
        assertThat(ttls(http, "job", "http_probe", "instance", "site1")).containsOnly(
                Map.entry("probe_success", "180"), Map.entry("probe_http_status_code", "180"),
                Map.entry("probe_duration_seconds", "180"));
    }

    @Test
    void pythonProbeExitsNonZeroWithTidegatesReasonWhenThePushIsRefused() {
        tidegate.start();
        String gateway = "http://127.0.0.1:" + tidegate.port();

        Run run = run(List.of(PYTHON, "-B", EXAMPLES.resolve("python/probe.py").toString(), "--gateway", gateway,
                "--ttl", "3 minutes", "up=" + gateway + "/-/healthy"));

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr()).isEqualTo("probe.py: push to " + gateway
                + " refused: 400 invalid Push-TTL header: invalid duration \"3 minutes\": unknown or missing unit at position 2"
                + " (use y, w, d, h, m, s or ms)\n");
    }

    @Test
    void pythonProbeDeletesItsGroupWhenRetired() {
        TestHttp http = tidegate.start().http();
        http.put("/metrics/job/http_probe/instance/site1", "probe_success{target=\"up\"} 1\n");

        Run run = run(List.of(PYTHON, "-B", EXAMPLES.resolve("python/probe.py").toString(),
                "--gateway", "http://127.0.0.1:" + tidegate.port(), "--instance", "site1", "--delete"));

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(http.get("/metrics").body()).doesNotContain("http_probe");
    }

    @Test
    void pythonMqttProbePublishesRetainedReadingsWhoseMessageExpiryIsTheirTtlAndItsLastWillDeletesTheGroup()
            throws Exception {
        MosquittoBroker broker = closeLater(new MosquittoBroker()).start();
        TestHttp http = tidegate.start("--mqtt.url=" + broker.url()).http();
        String self = "http://127.0.0.1:" + tidegate.port();

        Process probe = new ProcessBuilder(PYTHON, "-B", EXAMPLES.resolve("python/mqtt_probe.py").toString(),
                "--broker", "127.0.0.1", "--port", Integer.toString(broker.port()), "--interval", "1", "--ttl", "300",
                "--instance", "site2", "up=" + self + "/-/healthy")
                .redirectErrorStream(true).redirectOutput(dir.resolve("mqtt_probe.log").toFile()).start();
        closeLater(() -> probe.destroyForcibly().waitFor());

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(http.get("/metrics").body())
                .contains("probe_success{instance=\"site2\",job=\"http_probe\",target=\"up\"} 1\n"));
        assertThat(ttls(http, "job", "http_probe", "instance", "site2")).containsOnly(
                Map.entry("probe_success", "300"), Map.entry("probe_http_status_code", "300"),
                Map.entry("probe_duration_seconds", "300"));
        String topic = "metrics/job/http_probe/instance/site2";
        assertThat(retainedOn(broker, topic)).contains("probe_success{target=\"up\"} 1.0\n");

        assertLastWillDeletesTheGroupWhenKilled(probe, http, broker, topic, "http_probe");
    }

    // --- examples/micropython/main.py, under CPython with the shims of src/test/micropython --------------

    private static final String PROBE_GROUP = "{instance=\"\",job=\"room_probe\",room=\"lab\"}";
    private static final String PROBE_TOPIC = "metrics/job/room_probe/room/lab";

    @Test
    void micropythonProbePublishesRetainedReadingsWithTheirTtlAndItsLastWillDeletesTheGroupWhenItDies() throws Exception {
        MosquittoBroker broker = closeLater(new MosquittoBroker()).start();
        TestHttp http = tidegate.start("--mqtt.url=" + broker.url()).http();

        Process probe = startMicroPythonProbe(broker, "None", "None");

        await().atMost(PATIENCE).untilAsserted(() -> {
            String scrape = http.get("/metrics").body();
            assertThat(scrape).contains("room_temperature_celsius" + PROBE_GROUP + " 21.5\n")
                    .contains("probe_wifi_rssi_dbm" + PROBE_GROUP + " -61\n");
            assertThat(value(scrape, "probe_readings_total" + PROBE_GROUP)).as("one reading a second").isGreaterThanOrEqualTo(2);
        });
        assertThat(ttls(http, "job", "room_probe", "room", "lab")).containsOnly(
                Map.entry("room_temperature_celsius", "300"), Map.entry("probe_wifi_rssi_dbm", "300"),
                Map.entry("probe_readings_total", "300"));
        assertThat(retainedOn(broker, PROBE_TOPIC)).contains("room_temperature_celsius 21.50\n");

        assertLastWillDeletesTheGroupWhenKilled(probe, http, broker, PROBE_TOPIC, "room_probe");
    }

    @Test
    void micropythonProbeConnectsAgainAfterTheBrokerCrashes() throws Exception {
        MosquittoBroker broker = closeLater(new MosquittoBroker()).start();
        TestHttp http = tidegate.start("--mqtt.url=" + broker.url()).http();
        Process probe = startMicroPythonProbe(broker, "None", "None");
        await().atMost(PATIENCE).until(() -> readings(http) >= 1);

        broker.kill();
        double readingsBeforeTheCrash = readings(http);
        broker.start();

        await().atMost(Duration.ofSeconds(40)).until(() -> readings(http) > readingsBeforeTheCrash);
        assertThat(probe.isAlive()).isTrue();
        assertThat(Files.readString(dir.resolve("probe.log"))).contains(", connecting again in 1 s");
    }

    @Test
    void micropythonProbeKeepsTryingWhenTheBrokerRefusesItsPassword() throws Exception {
        MosquittoBroker broker = closeLater(new MosquittoBroker().withUser("probe", "right")).start();

        Process probe = startMicroPythonProbe(broker, "\"probe\"", "\"wrong\"");

        Path log = dir.resolve("probe.log");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(Files.readAllLines(log))
                .filteredOn(line -> line.equals("probe: MQTTException(5), connecting again in 1 s")).hasSizeGreaterThanOrEqualTo(2));
        assertThat(probe.isAlive()).as("refused twice, still running").isTrue();
    }

    /**
     * Starts examples/micropython/main.py under CPython with a config.py for this broker: room "lab", a
     * reading a second with a TTL of 300 s, a second between connection attempts. Its output goes to
     * probe.log; it is killed after the test.
     */
    private Process startMicroPythonProbe(MosquittoBroker broker, String user, String password) throws IOException {
        Path config = Files.createDirectories(dir.resolve("device"));
        Files.writeString(config.resolve("config.py"), """
                WIFI_SSID = "test-network"
                WIFI_PASSWORD = "test-password"
                BROKER = "127.0.0.1"
                BROKER_PORT = %d
                MQTT_USER = %s
                MQTT_PASSWORD = %s
                ROOM = "lab"
                INTERVAL_S = 1
                TTL_S = 300
                RETRY_S = 1
                """.formatted(broker.port(), user, password));
        Process probe = new ProcessBuilder(PYTHON, "-B", "-u", MICROPYTHON_SHIMS.resolve("run_main.py").toString(),
                config.toString(), EXAMPLES.resolve("micropython/main.py").toString(), "--max-sleeps", "120")
                .redirectErrorStream(true).redirectOutput(dir.resolve("probe.log").toFile()).start();
        closeLater(() -> probe.destroyForcibly().waitFor());
        return probe;
    }

    /**
     * Kills the probe with SIGKILL (its connection closes without an MQTT DISCONNECT, as when a board crashes
     * or resets); its Last Will then deletes its group, long before its readings' 300 s TTL, and clears its
     * retained reading.
     */
    private static void assertLastWillDeletesTheGroupWhenKilled(Process probe, TestHttp http, MosquittoBroker broker,
            String topic, String job) throws Exception {
        probe.destroyForcibly().waitFor();

        await("the Last Will").atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(http.get("/metrics").body()).doesNotContain("job=\"" + job + "\""));
        assertThat(retainedOn(broker, topic)).as("the Will's empty retained message clears the reading").isEmpty();
    }

    private static double readings(TestHttp http) {
        Double readings = value(http.get("/metrics").body(), "probe_readings_total" + PROBE_GROUP);
        return readings == null ? 0 : readings;
    }

    /** The retained message the broker holds on a topic, empty when it holds none. */
    private static String retainedOn(MosquittoBroker broker, String topic) throws Exception {
        Process subscriber = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", Integer.toString(broker.port()),
                "-t", topic, "--retained-only", "-C", "1", "-W", "2").redirectErrorStream(true).start();
        String output = new String(subscriber.getInputStream().readAllBytes());
        subscriber.waitFor();
        return output.replace("Timed out\n", "");
    }

    // --- examples/systemd ------------------------------------------------------------------------------

    private static final Path UNIT = EXAMPLES.resolve("systemd/tidegate.service");

    /**
     * {@code systemd-analyze verify} prints a line for every unknown key, bad value or missing program and
     * still exits 0, so any output fails the test. It runs against a root this test lays out with what the
     * units need from the machine: the shell example where push-metrics.service runs it, executables for
     * /usr/bin/java and /bin/kill (verify only checks they are executable), and the sysinit.target every
     * service depends on. So nothing of this machine is tolerated.
     */
    @Test
    void systemdUnitsPassSystemdAnalyzeVerify() throws Exception {
        Path root = dir.resolve("root");
        Path units = Files.createDirectories(root.resolve("etc/systemd/system"));
        List<String> names = List.of("tidegate.service", "push-metrics.service", "push-metrics.timer");
        for (String name : names) {
            Files.copy(EXAMPLES.resolve("systemd").resolve(name), units.resolve(name));
        }
        Files.writeString(Files.createDirectories(root.resolve("usr/lib/systemd/system")).resolve("sysinit.target"), "[Unit]\n");
        Files.copy(EXAMPLES.resolve("shell/push-metrics.sh"),
                Files.createDirectories(root.resolve("usr/local/bin")).resolve("push-metrics.sh"));
        for (String program : List.of("opt/tidegate/tidegate", "bin/kill")) {
            Path stub = root.resolve(program);
            Files.createDirectories(stub.getParent());
            Files.writeString(stub, "#!/bin/sh\n");
            assertThat(stub.toFile().setExecutable(true)).isTrue();
        }
        assertThat(root.resolve("usr/local/bin/push-metrics.sh").toFile().setExecutable(true)).isTrue();

        List<String> command = new ArrayList<>(List.of("systemd-analyze", "verify", "--man=no", "--root=" + root));
        command.addAll(names);
        Run run = run(command);

        assertThat(run.stdout() + run.stderr()).isEmpty();
        assertThat(run.exitCode()).isZero();
    }

    @Test
    void systemdUnitRunsTheLauncherWhereTheReadmesInstallIt() throws IOException {
        String launcher = matchIn(Files.readString(UNIT), "(?m)^ExecStart=(\\S+)");

        assertThat(launcher).isEqualTo(INSTALLED_LAUNCHER);
        for (String install : List.of("install -D -m 0644 target/tidegate.jar /opt/tidegate/tidegate.jar",
                "install -m 0755 bin/tidegate " + INSTALLED_LAUNCHER, INSTALLED_LAUNCHER + " --version")) {
            assertThat(Files.readString(Path.of("README.md"))).contains(install);
            assertThat(Files.readString(EXAMPLES.resolve("systemd/README.md"))).contains(install);
            assertThat(Files.readString(UNIT)).contains(install);
        }
    }

    private static final String INSTALLED_LAUNCHER = "/opt/tidegate/tidegate";

    /**
     * The unit's command line, with the flags of tidegate.default, is one Tidegate accepts: run as the
     * unit would run it (paths of this machine put in, listen addresses on free ports added), it starts,
     * keeps its state where the unit says, reloads on the unit's ExecReload signal and stops on SIGTERM
     * with a status the unit counts as success.
     */
    @Test
    void systemdUnitCommandLineWithTheDefaultFlagsStartsReloadsAndStopsTidegate() throws Exception {
        String unit = Files.readString(UNIT);
        Map<String, String> environment = environmentFile(EXAMPLES.resolve("systemd/tidegate.default"));
        // installed as the READMEs say: the jar and the launcher in one folder, then the launcher run once
        Path opt = Files.createDirectories(dir.resolve("opt-tidegate"));
        Files.copy(Path.of("target/tidegate.jar"), opt.resolve("tidegate.jar"));
        Files.copy(Path.of("bin/tidegate"), opt.resolve("tidegate"));
        Path launcher = opt.resolve("tidegate");
        Run install = run(List.of(launcher.toString(), "--version"));
        assertThat(install.exitCode()).as(install.stderr()).isZero();
        assertThat(install.stdout()).startsWith("tidegate, version ");
        assertThat(opt.resolve("tidegate.jsa")).as("the class archive, recorded beside the jar").exists();
        Path stateDirectory = Files.createDirectories(dir.resolve("var-lib"));
        Files.createDirectories(stateDirectory.resolve("tidegate")); // StateDirectory=tidegate
        int port = MosquittoBroker.freeLoopbackPort();
        List<String> command = new ArrayList<>();
        for (String word : matchIn(unit, "(?m)^ExecStart=(.*)$").split(" ")) {
            // systemd splits an unbraced $NAME into words, and drops it when empty
            String value = word.startsWith("$") ? environment.getOrDefault(word.substring(1), "") : word;
            for (String expanded : value.isEmpty() ? new String[0] : value.split(" ")) {
                command.add(expanded.replace(INSTALLED_LAUNCHER, launcher.toString())
                        .replace("%S", stateDirectory.toString())
                        .replace("/etc/tidegate/tidegate.yml", EXAMPLES.resolve("tidegate.yml").toString()));
            }
        }
        command.addAll(List.of("--web.listen-address=127.0.0.1:" + port,
                "--mqtt.listen-address=127.0.0.1:" + MosquittoBroker.freeLoopbackPort()));
        Path log = dir.resolve("tidegate.log");
        ProcessBuilder unitProcess = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        unitProcess.environment().put("JAVA_OPTS", environment.getOrDefault("JAVA_OPTS", "")); // EnvironmentFile=
        unitProcess.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process process = unitProcess.start();
        closeLater(() -> process.destroyForcibly().waitFor());
        TestHttp http = new TestHttp(port);
        await().atMost(Duration.ofSeconds(60)).ignoreException(UncheckedIOException.class).until(() -> {
            assertThat(process.isAlive()).as("running as the unit says; its log:%n%s", Files.readString(log)).isTrue();
            return http.get("/-/ready").status() == 200;
        });

        // the launcher's JVM: its class archive mapped, the serial collector (the process is the JVM: exec)
        assertThat(Files.readString(Path.of("/proc", Long.toString(process.pid()), "maps"))).contains(opt.resolve("tidegate.jsa").toString());
        assertThat(http.get("/metrics").body()).contains("gc=\"Copy\"").doesNotContain("gc=\"G1 Young Generation\"");

        assertThat(http.put("/metrics/job/backup", "backup_bytes 1\n").header("Push-TTL"))
                .as("the rule of examples/tidegate.yml for job=\"backup\"").isEqualTo("1d2h");
        assertThat(stateDirectory.resolve("tidegate/tidegate.db")).exists();

        assertThat(matchIn(unit, "(?m)^ExecReload=(.*)$")).isEqualTo("/bin/kill -HUP $MAINPID");
        signal(process, "HUP");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(Files.readString(log)).contains("msg=\"configuration reloaded\""));

        signal(process, "TERM");
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("0, or a SuccessExitStatus= of the unit: " + unit)
                .satisfiesAnyOf(status -> assertThat(status).isZero(),
                        status -> assertThat(matchIn(unit, "(?m)^SuccessExitStatus=(.*)$").split(" ")).contains(status.toString()));
    }

    /** NAME="value" lines of an EnvironmentFile=, comments and blank lines skipped. */
    private static Map<String, String> environmentFile(Path file) throws IOException {
        Map<String, String> environment = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            Matcher assignment = Pattern.compile("^([A-Z_]+)=\"(.*)\"$").matcher(line);
            if (assignment.matches()) {
                environment.put(assignment.group(1), assignment.group(2));
            }
        }
        return environment;
    }

    private static void signal(Process process, String name) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor()).isZero();
    }

    // --- helpers ------------------------------------------------------------------------------------------

    private record Run(int exitCode, String stdout, String stderr) {
    }

    /** Runs a command to its end (30 s at most), from the project directory. */
    private Run run(List<String> command) {
        try {
            Path out = Files.createTempFile(dir, "out", ".txt");
            Path err = Files.createTempFile(dir, "err", ".txt");
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("did not finish in 30 s: " + command);
            }
            return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private <T extends AutoCloseable> T closeLater(T closeable) {
        toClose.add(closeable);
        return closeable;
    }

    /** The value of the series (name and labels exactly as scraped), or null when it is not there. */
    private static Double value(String scrape, String series) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1));
            }
        }
        return null;
    }

    /** Family name to ttl_seconds, from /api/v1/metrics, of the group with exactly these two labels. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> ttls(TestHttp http, String label1, String value1, String label2, String value2) {
        Map<String, Object> envelope = new Gson().fromJson(http.get("/api/v1/metrics").body(), Map.class);
        Map<String, Object> group = ((List<Map<String, Object>>) envelope.get("data")).stream()
                .filter(g -> g.get("labels").equals(Map.of(label1, value1, label2, value2)))
                .findFirst().orElseThrow(() -> new AssertionError("no group " + label1 + "=" + value1 + "," + label2 + "=" + value2));
        Map<String, String> ttls = new LinkedHashMap<>();
        group.forEach((name, family) -> {
            if (family instanceof Map<?, ?> fields && fields.containsKey("ttl_seconds") && !name.startsWith("push_")) {
                ttls.put(name, (String) fields.get("ttl_seconds"));
            }
        });
        return ttls;
    }

    private static String matchIn(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertThat(matcher.find()).as("/%s/ in:%n%s", regex, text).isTrue();
        return matcher.group(1);
    }
}
