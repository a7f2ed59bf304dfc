package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tidegate.MosquittoBroker;
import io.tidegate.TidegateJar;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --mqtt.keep-alive} against a real Mosquitto: it is the keep-alive Tidegate's CONNECT asks for, and
 * a Tidegate silent for 1.5 times it (frozen with {@code kill -STOP}) is dropped by the broker, which publishes
 * its Last Will; thawed, Tidegate reconnects and says {@code online} again.
 */
class KeepAliveIT {
    private static final String STATUS = "metrics/tidegate/status";

    @TempDir
    Path dir;

    private final MosquittoBroker broker = new MosquittoBroker().start();
    private TidegateJar tidegate;

    @AfterEach
    void stopAll() {
        if (tidegate != null) {
            tidegate.thaw();
            tidegate.close();
        }
        broker.close();
    }

    @Test
    void aBrokerThatHearsNothingForOneAndAHalfKeepAlivesPublishesTheLastWillAndTidegateComesBack() {
        tidegate = new TidegateJar("tidegate", dir, "--mqtt.url=" + broker.url(), "--mqtt.client-id=tidegate-keep-alive",
                "--mqtt.keep-alive=2s").start();
        assertThat(broker.log()).as("CONNECT with a keep-alive of 2 s").contains("as tidegate-keep-alive (p5, c0, k2)");
        assertThat(status()).isEqualTo("online\n");

        tidegate.freeze();

        // 3 s after its last packet; with the default 30 s it would take 45 s
        await("the Last Will").atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(250))
                .until(() -> status().equals("offline\n"));
        assertThat(broker.log()).contains("Client tidegate-keep-alive has exceeded timeout, disconnecting.");

        tidegate.thaw();

        await("online again").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
                .until(() -> status().equals("online\n"));
        assertThat(tidegate.sample("tidegate_mqtt_reconnects_total")).isEqualTo(1);
        broker.client("mosquitto_pub", "-q", "1", "-t", "metrics/job/after-thaw", "-m", "up 1");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(tidegate.pushedMetrics()).contains("up{instance=\"\",job=\"after-thaw\"} 1"));
    }

    /** The retained status, as a client subscribing now gets it. */
    private String status() {
        return broker.client("mosquitto_sub", "-t", STATUS, "-C", "1", "-W", "2");
    }
}
