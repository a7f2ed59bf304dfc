package io.tidegate;

import io.tidegate.cli.Subcommand;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
    public int run(List<String> arguments, PrintStream out, PrintStream err) {
        if (!arguments.isEmpty()) {
            err.println("tidegate selftest: takes no arguments, got " + arguments);
            return 2;
        }
        try (Tidegate tidegate = Tidegate.start("--web.listen-address=127.0.0.1:0", "--mqtt.listen-address=127.0.0.1:0")) {
            String base = "http://127.0.0.1:" + tidegate.httpPort();
            HttpClient http = HttpClient.newBuilder().connectTimeout(PATIENCE).build();
            HttpResponse<String> push = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics/job/selftest/via/http"))
                    .timeout(PATIENCE).PUT(HttpRequest.BodyPublishers.ofString("selftest_value 1\n")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (push.statusCode() / 100 != 2) {
                err.println("tidegate selftest: the push was answered " + push.statusCode() + ": " + push.body().strip());
                return 1;
            }
            publish(tidegate.mqttPort());
            String scrape = "";
            Instant deadline = clock.instant().plus(PATIENCE);
            while (clock.instant().isBefore(deadline)) {
                scrape = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).timeout(PATIENCE).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
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
