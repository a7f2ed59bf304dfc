package io.tidegate.mqtt;

import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A handler that keeps every message it is given, for tests to wait for. */
final class RecordingHandler implements MessageHandler {
    private final List<MqttMessage> messages = new CopyOnWriteArrayList<>();

    @Override
    public MqttOutcome onMessage(MqttMessage message, Runnable acknowledge) {
        messages.add(message);
        acknowledge.run();
        return MqttOutcome.written(null, null);
    }

    /** The first message on {@code topic}, once it has come (within 10 s). */
    MqttMessage awaitMessage(String topic) {
        await("a message on " + topic).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> messages.stream().anyMatch(m -> m.topic().equals(topic)));
        return messages.stream().filter(m -> m.topic().equals(topic)).findFirst().orElseThrow();
    }

    List<MqttMessage> messages() {
        return List.copyOf(messages);
    }

    static String text(MqttMessage message) {
        return new String(message.payload(), StandardCharsets.UTF_8);
    }
}
