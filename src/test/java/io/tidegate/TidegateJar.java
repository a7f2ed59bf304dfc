package io.tidegate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/**
 * One Tidegate process run from the packaged jar, as an operator runs it (for tests with several of
 * them): started with flags on a free loopback HTTP port, ready once {@code /-/ready} answers and it
 * is subscribed to its broker; killed like a crash or stopped like a service; started again with the
 * same flags.
 */
public final class TidegateJar implements AutoCloseable {
    private static final Path JAR = Path.of("target", "tidegate.jar");

    private final String name;
    private final Path dir;
    private final List<String> flags;
    private String maxHeap = "256m";
    private Process process;
    private TestHttp http;
    private int port;
    private int starts;

    /** @param dir where its log goes ({@code <name>-<n>.log}) */
    public TidegateJar(String name, Path dir, String... flags) {
        this.name = name;
        this.dir = dir;
        this.flags = List.of(flags);
    }

    /** Runs it with this {@code -Xmx} (256m unless told) from its next start on. */
    public TidegateJar maxHeap(String size) {
        maxHeap = size;
        return this;
    }

    public TidegateJar start() {
        assertThat(JAR).as("the jar, built by mvn package before the integration tests").exists();
        port = MosquittoBroker.freeLoopbackPort();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + maxHeap, "-jar", JAR.toString(),
                "--web.listen-address=127.0.0.1:" + port));
        command.addAll(flags);
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve(name + "-" + starts++ + ".log").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        http = new TestHttp(port);
        Awaitility.await(name + " ready").atMost(Duration.ofSeconds(40)).ignoreExceptions().until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited: " + log());
            }
            return http.get("/-/ready").status() == 200;
        });
        return this;
    }

    public TestHttp http() {
        return http;
    }

    public String name() {
        return name;
    }

    /** Its HTTP port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** {@code kill -HUP}: Tidegate re-reads its configuration file. */
    public void hangup() {
        signal("HUP");
    }

    /** {@code kill -STOP}: Tidegate is frozen, silent on every connection, as a hung process or a dead link. */
    public void freeze() {
        signal("STOP");
    }

    /** {@code kill -CONT}: a frozen Tidegate runs on. */
    public void thaw() {
        signal("CONT");
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
            assertThat(kill.waitFor()).as("kill -" + signal + " " + process.pid()).isZero();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code kill -TERM}, as a service is stopped: Tidegate says goodbye to its broker and writes its last snapshot. */
    public void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            waitFor();
        }
    }

    /** {@code kill -9}: no goodbye to the broker, no last snapshot. */
    public void kill() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            waitFor();
        }
    }

    @Override
    public void close() {
        kill();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Everything its current run logged. */
    public String log() {
        try {
            return Files.readString(dir.resolve(name + "-" + (starts - 1) + ".log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * What {@code /metrics} shows of the pushed groups: every family with a series that has a
     * {@code job} label (pushed families and each group's {@code push_time_seconds},
     * {@code push_failure_time_seconds}, {@code push_expiry_time_seconds}), header lines included, as
     * served; Tidegate's own metrics (JVM, process, HTTP, MQTT, store) left out.
     */
    public String pushedMetrics() {
        return pushedMetrics(http.get("/metrics").body());
    }

    public static String pushedMetrics(String scrape) {
        StringBuilder kept = new StringBuilder();
        StringBuilder family = new StringBuilder();
        boolean pushed = false;
        String current = null;
        for (String line : scrape.split("\n")) {
            String name = line.startsWith("# ") ? line.split(" ")[2] : line.split("[{ ]")[0];
            if (line.startsWith("# ") && !name.equals(current)) {
                if (pushed) {
                    kept.append(family);
                }
                family.setLength(0);
                pushed = false;
                current = name;
            }
            family.append(line).append('\n');
            pushed |= !line.startsWith("#") && line.contains("job=\"");
        }
        if (pushed) {
            kept.append(family);
        }
        return kept.toString();
    }

    /** The value of one of its own unlabelled or labelled samples, e.g. {@code tidegate_mqtt_connected}; -1 when absent. */
    public double sample(String series) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(http.get("/metrics").body());
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : -1;
    }

    private void waitFor() {
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
