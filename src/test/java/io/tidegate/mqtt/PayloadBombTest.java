package io.tidegate.mqtt;

import static io.tidegate.mqtt.Publish.live;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.tidegate.store.RetainedMemory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * SPEC §7, "no input makes a request cost more than linear time in its size", over MQTT: payloads of a
 * million labels, a million JSON keys or JSON nested a hundred thousand deep, with the default limits
 * (the payload limit raised to let them in), are rejected for the bound they pass, well within a bound
 * of 20 s that a linear read keeps on a loaded machine and a quadratic one did not (a text series of
 * 100,000 labels took 14.6 s before).
 */
class PayloadBombTest {
    private static final Duration LINEAR_BOUND = Duration.ofSeconds(20);
    private static final String TOPIC = "metrics/job/bomb";

    private final IngestFixture gateway = new IngestFixture(RetainedMode.APPLY, RetainedMemory.DEFAULT_CAPACITY,
            Duration.ZERO, Duration.ZERO, 32L << 20, "metrics");

    private void assertRejected(String payload, RejectReason reason, String message) {
        assertTimeoutPreemptively(LINEAR_BOUND, () -> gateway.publish(live(TOPIC, payload)));
        MqttRejection rejection = gateway.lastRejection(TOPIC);
        assertThat(rejection).isNotNull();
        assertThat(rejection.reason()).isEqualTo(reason);
        assertThat(rejection.message()).contains(message);
        assertThat(gateway.store.snapshot().groups()).as("nothing stored").isEmpty();
    }

    @Test
    void aTextSeriesOfAMillionLabelsIsRejectedAtTheLabelLimit() {
        StringBuilder payload = new StringBuilder("x{");
        for (int i = 0; i < 1_000_000; i++) {
            payload.append('l').append(i).append("=\"v\",");
        }
        assertRejected(payload.append("} 1\n").toString(), RejectReason.LIMIT,
                "a series of \"x\" has more than 64 labels (--push.max-labels-per-series)");
    }

    @Test
    void aJsonObjectOfAMillionKeysIsRejectedAtTheSeriesLimit() {
        StringBuilder payload = new StringBuilder("{");
        for (int i = 0; i < 1_000_000; i++) {
            payload.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":1");
        }
        assertRejected(payload.append('}').toString(), RejectReason.LIMIT,
                "the push has more than 10000 series (--push.max-series)");
    }

    @Test
    void jsonNestedAHundredThousandDeepIsRejected() {
        int depth = 100_000;
        String payload = "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
        assertRejected(payload, RejectReason.BAD_PAYLOAD, "invalid JSON");
    }
}
