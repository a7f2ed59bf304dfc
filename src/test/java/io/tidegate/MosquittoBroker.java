package io.tidegate;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's Mosquitto ({@code /usr/sbin/mosquitto}) on a free loopback port, configured from a temporary
 * directory: anonymous or with users ({@code mosquitto_passwd}), persistence on or off, plain TCP or TLS
 * with certificates made by {@code openssl} ({@link TestCertificates}). Stops, restarts on the same port,
 * or dies like a crashed broker. Closing it stops it and deletes its directory.
 */
public final class MosquittoBroker implements AutoCloseable {
    private static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");

    private final Path dir;
    private final int port;
    private final Map<String, String> users = new LinkedHashMap<>();
    private boolean persistence;
    private TestCertificates tls;
    private boolean requireCertificate;
    private Process process;
    private final StringBuilder extraConfig = new StringBuilder();

    public MosquittoBroker() {
        try {
            dir = Files.createTempDirectory("tidegate-mosquitto");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        port = freeLoopbackPort();
    }

    /** Only these users, with these passwords, may connect; anonymous clients are refused. */
    public MosquittoBroker withUser(String name, String password) {
        users.put(name, password);
        return this;
    }

    /** Keeps sessions and retained messages in a file across a {@link #restart}. */
    public MosquittoBroker withPersistence() {
        persistence = true;
        return this;
    }

    /** Listens with TLS, its server certificate signed by {@code certificates}' CA. */
    public MosquittoBroker withTls(TestCertificates certificates, boolean requireClientCertificate) {
        tls = certificates;
        requireCertificate = requireClientCertificate;
        return this;
    }

    /**
     * Bridges this broker to {@code other} (MQTT 5, so properties travel; QoS 1; a persistent bridge
     * session): messages on topics matching {@code pattern} published on either broker reach the
     * subscribers of both, as in a fleet of site brokers bridged to a central one.
     */
    public MosquittoBroker withBridgeTo(MosquittoBroker other, String pattern) {
        extraConfig.append("connection bridge-").append(port).append("-to-").append(other.port).append('\n')
                .append("address 127.0.0.1:").append(other.port).append('\n')
                .append("bridge_protocol_version mqttv50\n")
                .append("cleansession false\n")
                .append("restart_timeout 1\n")
                .append("topic ").append(pattern).append(" both 1\n");
        return this;
    }

    public MosquittoBroker start() {
        try {
            Path config = dir.resolve("mosquitto.conf");
            Files.writeString(config, config());
            process = new ProcessBuilder(MOSQUITTO.toString(), "-c", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.out").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        await("mosquitto listening on " + port).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("mosquitto exited with " + process.exitValue() + ":\n" + log());
                    }
                    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                        return true;
                    } catch (IOException e) {
                        return false;
                    }
                });
        return this;
    }

    /** Stops it as an operator does (SIGTERM); with persistence it saves its state first. */
    public void stop() {
        if (process != null) {
            process.destroy();
            waitForExit();
        }
    }

    /** Ends it at once (SIGKILL), like a crash. */
    public void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitForExit();
        }
    }

    public void restart() {
        stop();
        start();
    }

    public int port() {
        return port;
    }

    /** {@code tcp://127.0.0.1:port}, or {@code ssl://localhost:port} with TLS. */
    public String url() {
        return tls == null ? "tcp://127.0.0.1:" + port : "ssl://localhost:" + port;
    }

    public String log() {
        try {
            Path log = dir.resolve("mosquitto.log");
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Runs one of Mosquitto's command-line clients against this broker, returning what it printed. */
    public String client(String program, String... arguments) {
        return client(port, program, arguments);
    }

    /**
     * Runs one of Mosquitto's command-line clients ({@code mosquitto_pub}, {@code mosquitto_sub}) against
     * any broker on a loopback port, returning what it printed; one that fails or runs over 10 s is an
     * IllegalStateException with its output.
     */
    public static String client(int port, String program, String... arguments) {
        List<String> command = new ArrayList<>(List.of(program, "-h", "127.0.0.1", "-p", Integer.toString(port)));
        command.addAll(List.of(arguments));
        try {
            Process client = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!client.waitFor(10, TimeUnit.SECONDS)) {
                client.destroyForcibly();
                throw new IllegalStateException(program + " did not finish: " + command);
            }
            String output = new String(client.getInputStream().readAllBytes());
            if (client.exitValue() != 0) {
                throw new IllegalStateException(program + " exited with " + client.exitValue() + ": " + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        kill();
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String config() throws IOException {
        StringBuilder config = new StringBuilder()
                // Run as root stays root: the default drops to user mosquitto, who cannot read this directory.
                .append("user root\n")
                .append("listener ").append(port).append(" 127.0.0.1\n")
                .append("log_dest file ").append(dir.resolve("mosquitto.log")).append('\n')
                .append("log_type all\n")
                .append("persistence ").append(persistence).append('\n');
        if (persistence) {
            config.append("persistence_location ").append(dir).append("/\n");
        }
        if (users.isEmpty()) {
            config.append("allow_anonymous true\n");
        } else {
            Path passwords = dir.resolve("passwords");
            Files.deleteIfExists(passwords);
            Files.createFile(passwords);
            for (Map.Entry<String, String> user : users.entrySet()) {
                run("mosquitto_passwd", "-b", passwords.toString(), user.getKey(), user.getValue());
            }
            config.append("allow_anonymous false\npassword_file ").append(passwords).append('\n');
        }
        if (tls != null) {
            config.append("cafile ").append(tls.caCertificate()).append('\n')
                    .append("certfile ").append(tls.serverCertificate()).append('\n')
                    .append("keyfile ").append(tls.serverKey()).append('\n')
                    .append("require_certificate ").append(requireCertificate).append('\n');
        }
        return config.append(extraConfig).toString();
    }

    public static void run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void waitForExit() {
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Ports handed out by {@link #freeLoopbackPort}, none handed out twice in this JVM. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    /**
     * A loopback port free now and not handed out before in this JVM: the kernel may offer a port again as soon as
     * it is closed, so a test asking for several ports before it starts anything on them would otherwise get the
     * same one twice.
     */
    public static int freeLoopbackPort() {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (HANDED_OUT.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
