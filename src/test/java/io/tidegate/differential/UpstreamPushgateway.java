package io.tidegate.differential;

import java.io.IOException;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import java.io.UncheckedIOException;
import io.tidegate.MosquittoBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The upstream Prometheus Pushgateway binary, run as a child process on a free loopback port. */
public final class UpstreamPushgateway implements GatewayUnderTest {

    public static final Path BINARY = Path.of("/usr/bin/prometheus-pushgateway");

    private final String name;
    private final Process process;
    private final URI baseUri;
    private final Path log;

    private UpstreamPushgateway(String name, Process process, URI baseUri, Path log) {
        this.name = name;
        this.process = process;
        this.baseUri = baseUri;
        this.log = log;
    }

    /**
     * Starts the binary with the given flags plus a listen address and waits until {@code /-/ready} answers.
     * Debian's build defaults {@code --persistence.file} to {@code /var/lib/prometheus/pushgateway.data}, a file
     * shared by everything on the machine, so persistence is switched off unless a flag sets it.
     */
    public static UpstreamPushgateway start(String name, Path logDirectory, String... flags) {
        int port = MosquittoBroker.freeLoopbackPort();
        List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--web.listen-address=127.0.0.1:" + port));
        if (List.of(flags).stream().noneMatch(flag -> flag.startsWith("--persistence.file"))) {
            command.add("--persistence.file=");
        }
        command.addAll(List.of(flags));
        try {
            Files.createDirectories(logDirectory);
            Path log = logDirectory.resolve(name + ".log");
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            UpstreamPushgateway gateway =
                    new UpstreamPushgateway(name, process, URI.create("http://127.0.0.1:" + port), log);
            // a test JVM that is killed must not leave the gateway running
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
            gateway.awaitReady(Duration.ofSeconds(15));
            return gateway;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady(Duration timeout) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        try {
            Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(50)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
                }
                try {
                    return client.send(HttpRequest.newBuilder(baseUri.resolve("/-/ready")).GET().build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                } catch (IOException notYet) {
                    return false; // not listening yet
                }
            });
        } catch (ConditionTimeoutException e) {
            close();
            throw new IllegalStateException(name + " not ready after " + timeout + "; see " + log);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public URI baseUri() {
        return baseUri;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
