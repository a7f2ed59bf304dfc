package io.tidegate;

import io.tidegate.cli.Subcommand;
import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * {@code tidegate selftest}: starts a Tidegate of its own on free loopback ports with the embedded broker
 * and nothing else (no file, no configuration), pushes a group over HTTP and publishes one over MQTT,
 * checks that a scrape serves both, and stops. It tells whether this Java and this jar can run Tidegate
 * at all, and it is the run the launcher ({@code bin/tidegate}) records the JVM's class archive from:
 * the classes a start, a push, a message and a scrape need, read once instead of at every start.
 */
final class SelfTest implements Subcommand {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final Clock clock;

    /** Waiting by {@code clock} for the scrape to serve what was sent. */
    SelfTest(Clock clock) {
        this.clock = clock;
    }

    SelfTest() {
        this(Clock.systemUTC());
    }

    @Override
    public String name() {
        return "selftest";
    }

    @Override
    public String synopsis() {
        return "selftest";
    }

    @Override
    public String summary() {
        return "Start Tidegate on free loopback ports, push over HTTP and MQTT, scrape, stop: exit 0 when "
                + "both were served (the launcher records the class archive with it).";
    }

    @Override
    public int run(List<String> arguments, PrintStream out, PrintStream err) {
        if (arguments.equals(List.of("--help")) || arguments.equals(List.of("-h"))) {
            out.println("usage: tidegate selftest\n\n" + summary());
            return 0;
        }
        if (!arguments.isEmpty()) {
            err.println("tidegate selftest: takes no arguments, got " + arguments);
            return 2;
        }
        try (Tidegate tidegate = Tidegate.start("--web.listen-address=127.0.0.1:0", "--mqtt.listen-address=127.0.0.1:0")) {
            int port = tidegate.httpPort();
            Answer push = exchange(port, "PUT", "/metrics/job/selftest/via/http", "selftest_value 1\n");
            if (push.status() / 100 != 2) {
                err.println("tidegate selftest: the push was answered " + push.status() + ": " + push.body().strip());
                return 1;
            }
            publish(tidegate.mqttPort());
            String scrape = "";
            Instant deadline = clock.instant().plus(PATIENCE);
            while (clock.instant().isBefore(deadline)) {
                scrape = exchange(port, "GET", "/metrics", null).body();
                if (scrape.contains("via=\"mqtt\"")) {
                    out.println("tidegate selftest: ok: started on 127.0.0.1:" + tidegate.httpPort()
                            + " (MQTT " + tidegate.mqttPort() + "), a push and an MQTT message were served");
                    return 0;
                }
                Thread.sleep(20);
            }
            err.println("tidegate selftest: the MQTT message was not served within " + PATIENCE.toSeconds() + " s"
                    + (scrape.contains("via=\"http\"") ? "" : ", nor the push"));
            return 1;
        } catch (IOException | MqttException | RuntimeException e) {
            err.println("tidegate selftest: failed: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** An HTTP answer: its status code and body. */
    private record Answer(int status, String body) {}

    /**
     * One HTTP/1.0 exchange on a socket of its own (the answer is the rest of the stream, never chunked), rather
     * than Java's HTTP client: the launcher records the class archive from this run, and that client would bring
     * some 500 classes (TLS among them) that a running Tidegate never loads into every start's memory.
     */
    private static Answer exchange(int port, String method, String path, String body) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), (int) PATIENCE.toMillis());
            socket.setSoTimeout((int) PATIENCE.toMillis());
            byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write((method + " " + path + " HTTP/1.0\r\nHost: 127.0.0.1:" + port + "\r\nContent-Length: "
                    + content.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(content);
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int headEnd = answer.indexOf("\r\n\r\n");
            if (!answer.startsWith("HTTP/1.") || answer.length() < 12 || headEnd < 0) {
                throw new IOException("not an HTTP answer from 127.0.0.1:" + port + ": " + answer.lines().findFirst().orElse(""));
            }
            return new Answer(Integer.parseInt(answer.substring(9, 12)), answer.substring(headEnd + 4));
        }
    }

    private static void publish(int mqttPort) throws MqttException {
        MqttClient client = new MqttClient("tcp://127.0.0.1:" + mqttPort, "tidegate-selftest", new MemoryPersistence());
        try {
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setConnectionTimeout((int) PATIENCE.toSeconds());
            client.connect(options);
            client.publish("metrics/job/selftest/via/mqtt", "selftest_value 1\n".getBytes(StandardCharsets.UTF_8), 1, false);
            client.disconnect();
        } finally {
            client.close();
        }
    }
}
