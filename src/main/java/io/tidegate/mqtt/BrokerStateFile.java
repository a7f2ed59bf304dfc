package io.tidegate.mqtt;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * What the embedded broker keeps across a restart with {@code --persistence.file=F}, in {@code F.broker}:
 * its retained messages and the Last Wills of the clients connected when it stopped, as an external
 * broker with persistence keeps them (Mosquitto's {@code persistence true}). JSON, replaced whole and
 * atomically (written beside, then renamed), so a crash leaves the file before or after a save, never half.
 */
final class BrokerStateFile {
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    /** One message as kept: its payload in base64; {@code expiresAtMillis} 0 for none. */
    record Message(String topic, String payload, int qos, boolean retain, String contentType,
            Map<String, String> userProperties, long expiresAtMillis) {
        static Message of(MqttMessage message, boolean retain, long nowMillis) {
            long expires = message.expiryIntervalSeconds() == null ? 0 : nowMillis + message.expiryIntervalSeconds() * 1000;
            return new Message(message.topic(), Base64.getEncoder().encodeToString(message.payload()), message.qos(),
                    retain, message.contentType(), message.userProperties(), expires);
        }

        /** The message with what remains of its expiry interval at {@code nowMillis}; null once expired. */
        MqttMessage toMessage(long nowMillis) {
            Long expiry = null;
            if (expiresAtMillis != 0) {
                long left = (expiresAtMillis - nowMillis + 999) / 1000;
                if (left <= 0) {
                    return null;
                }
                expiry = left;
            }
            return new MqttMessage(topic, Base64.getDecoder().decode(payload), false, qos, expiry, contentType,
                    userProperties == null ? Map.of() : userProperties);
        }
    }

    /** A client's Last Will: sent unless the client connects again in time. */
    record Will(String clientId, Message message, long delaySeconds, int keepAliveSeconds) {}

    record State(List<Message> retained, List<Will> wills) {
        static final State EMPTY = new State(List.of(), List.of());
    }

    private final Path file;

    BrokerStateFile(Path file) {
        this.file = file;
    }

    Path path() {
        return file;
    }

    /**
     * What the file holds: nothing when there is no file yet.
     *
     * @throws IOException when it cannot be read or is not what a save wrote, saying why
     */
    State load() throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return State.EMPTY;
        }
        try {
            State state = GSON.fromJson(text, State.class);
            if (state == null || state.retained() == null || state.wills() == null) {
                throw new IOException(file + " is not a state the embedded broker saved");
            }
            return state;
        } catch (JsonParseException | IllegalArgumentException e) {
            throw new IOException(file + " is not a state the embedded broker saved: " + e.getMessage(), e);
        }
    }

    void save(State state) throws IOException {
        Path written = file.resolveSibling(file.getFileName() + ".new");
        Files.writeString(written, GSON.toJson(state), StandardCharsets.UTF_8);
        try {
            Files.move(written, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(written, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
