package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tidegate.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The subscriber's stages: the client's callback thread only hands each message on, a stage of its own reads it and
 * another applies it, each in the order the messages came, so a slow read never keeps the client from taking the
 * next message, and nothing is applied or acknowledged out of order.
 */
class PahoSubscriberStagesTest {
    private final FakePahoClient client = new FakePahoClient();
    private final List<String> read = new CopyOnWriteArrayList<>();
    private final List<String> applied = new CopyOnWriteArrayList<>();
    private final CountDownLatch reading = new CountDownLatch(1); // a message named "slow" is read once this opens
    private final CountDownLatch applying = new CountDownLatch(1); // one named "held" is applied once this opens
    private PahoSubscriber subscriber;

    @BeforeEach
    void start() throws ConfigException {
        subscriber = client.subscriber(Instant.parse("2026-12-07T10:00:00Z"));
        subscriber.start(new MessageHandler() {
            @Override
            public MqttOutcome onMessage(MqttMessage message, Runnable acknowledge) {
                return prepare(message).finish(acknowledge);
            }

            @Override
            public Step prepare(MqttMessage message) {
                String text = new String(message.payload(), StandardCharsets.UTF_8);
                if (text.equals("slow")) {
                    waitFor(reading);
                }
                if (text.equals("unreadable")) {
                    throw new IllegalStateException("a bug while reading");
                }
                read.add(text);
                return acknowledge -> {
                    if (text.equals("held")) {
                        waitFor(applying);
                    }
                    applied.add(text);
                    acknowledge.run();
                    return MqttOutcome.written(null, null);
                };
            }
        });
    }

    @AfterEach
    void stop() {
        reading.countDown();
        applying.countDown();
        subscriber.close();
    }

    @Test
    void theClientGoesOnToTheNextMessagesWhileOneIsStillBeingRead() throws InterruptedException {
        Thread callbackThread = new Thread(() -> {
            arrive("slow", 1);
            for (int i = 2; i <= 5; i++) {
                arrive("m" + i, i);
            }
        });
        callbackThread.start();

        callbackThread.join(TimeUnit.SECONDS.toMillis(5));
        assertThat(callbackThread.isAlive()).as("the client's thread handed all five on").isFalse();
        assertThat(read).isEmpty();

        reading.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> client.acknowledged.size() == 5);
        assertThat(applied).containsExactly("slow", "m2", "m3", "m4", "m5");
        assertThat(client.acknowledged).containsExactly(1, 2, 3, 4, 5);
    }

    @Test
    void messagesAreReadAppliedAndAcknowledgedInTheOrderTheyCame() {
        List<String> sent = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        for (int i = 1; i <= 2_000; i++) { // more than the stages hold: the client waits for room, nothing is lost
            sent.add("m" + i);
            ids.add(i);
            arrive("m" + i, i);
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> client.acknowledged.size() == sent.size());
        assertThat(read).containsExactlyElementsOf(sent);
        assertThat(applied).containsExactlyElementsOf(sent);
        assertThat(client.acknowledged).containsExactlyElementsOf(ids);
    }

    @Test
    void aMessageThatCouldNotBeReadIsAcknowledgedInOrderAndTheNextOnesAreApplied() {
        arrive("held", 1);
        arrive("unreadable", 2);
        arrive("after", 3);
        await().atMost(Duration.ofSeconds(5)).until(() -> read.contains("after"));
        assertThat(client.acknowledged).as("the unreadable message is not acknowledged before the one before it").isEmpty();

        applying.countDown();

        await().atMost(Duration.ofSeconds(5)).until(() -> client.acknowledged.size() == 3);
        assertThat(client.acknowledged).containsExactly(1, 2, 3);
        assertThat(applied).containsExactly("held", "after");
    }

    private void arrive(String payload, int messageId) {
        subscriber.arrived(MqttMessage.of("metrics/job/t", payload.getBytes(StandardCharsets.UTF_8), false, 1),
                messageId);
    }

    private static void waitFor(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
