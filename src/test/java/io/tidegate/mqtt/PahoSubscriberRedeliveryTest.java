package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tidegate.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * After a full disk, the subscriber makes the broker deliver again what it left unacknowledged: it
 * holds back messages from just before writes are taken again, reconnects only when something is
 * unacknowledged, applies nothing of the connection it gave up, and acknowledges nothing on the new one
 * for a message of the old.
 */
class PahoSubscriberRedeliveryTest {
    private final FakePahoClient client = new FakePahoClient();
    private final List<String> handled = new CopyOnWriteArrayList<>();
    private final Map<String, Runnable> acknowledgements = new ConcurrentHashMap<>();
    private PahoSubscriber subscriber;

    @BeforeEach
    void start() throws ConfigException {
        subscriber = client.subscriber(Instant.parse("2026-11-25T10:00:00Z"));
        // a handler that keeps each acknowledgement for the test to run, as the store runs it once durable
        subscriber.start((message, acknowledge) -> {
            String text = new String(message.payload(), StandardCharsets.UTF_8);
            handled.add(text);
            acknowledgements.put(text, acknowledge);
            return MqttOutcome.written(null, null);
        });
    }

    @AfterEach
    void stop() {
        subscriber.close();
    }

    @Test
    void withEverythingAcknowledgedWritesAreTakenAgainWithoutAReconnect() {
        arrive("1", 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> handled.contains("1"));
        acknowledgements.get("1").run();
        AtomicInteger takeWrites = new AtomicInteger();

        subscriber.redeliverUnacknowledged(takeWrites::incrementAndGet);

        assertThat(takeWrites).hasValue(1);
        arrive("2", 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> handled.contains("2"));
        assertThat(client.reconnects).hasValue(0);
        assertThat(client.acknowledged).containsExactly(1);
    }

    @Test
    void aMessageLeftUnacknowledgedMakesItReconnectAndWhatComesAgainIsAppliedOnce() {
        arrive("refused", 1); // the store refused it: never acknowledged
        await().atMost(Duration.ofSeconds(5)).until(() -> handled.contains("refused"));
        client.blockReconnect(); // so the test sees what happens before the broker delivers again
        AtomicInteger takeWrites = new AtomicInteger();

        subscriber.redeliverUnacknowledged(takeWrites::incrementAndGet);

        assertThat(takeWrites).hasValue(1);
        arrive("held", 2); // taken on the old connection after writes were taken again: held back, not applied
        await().atMost(Duration.ofSeconds(5)).until(() -> client.reconnects.get() == 1);
        assertThat(handled).containsExactly("refused");
        client.unblockReconnect();
        await().atMost(Duration.ofSeconds(5)).until(() -> client.reconnected.get() == 1);
        // the broker delivers both again, in order, on the new connection
        arrive("refused", 1);
        arrive("held", 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> handled.size() == 3);
        assertThat(handled).containsExactly("refused", "refused", "held");
        acknowledgements.get("refused").run();
        acknowledgements.get("held").run();
        assertThat(client.acknowledged).containsExactly(1, 2);
    }

    @Test
    void anAcknowledgementOfAMessageOfTheConnectionGivenUpIsNotSentOnTheNewOne() {
        arrive("slow", 7);
        await().atMost(Duration.ofSeconds(5)).until(() -> handled.contains("slow"));
        Runnable late = acknowledgements.get("slow");

        subscriber.redeliverUnacknowledged(() -> {});
        await().atMost(Duration.ofSeconds(5)).until(() -> client.reconnected.get() == 1);
        late.run();

        assertThat(client.acknowledged).isEmpty(); // its copy, delivered again, is the one acknowledged
    }

    private void arrive(String payload, int messageId) {
        subscriber.arrived(MqttMessage.of("metrics/job/t", payload.getBytes(StandardCharsets.UTF_8), false, 1),
                messageId);
    }
}
