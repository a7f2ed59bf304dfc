package io.tidegate.push;

import io.tidegate.store.WriteOutcome;
import io.tidegate.store.WriteRequest;

/**
 * Where an accepted HTTP push goes with {@code --mqtt.replicate}: not into the local store, but to the
 * MQTT broker, from which every Tidegate subscribed to its topic (this one included) applies it.
 */
public interface PushReplication {
    /**
     * Publishes {@code request} and returns once the broker has acknowledged it, with the outcome of
     * applying it here when this instance subscribes to its topic (else applied: the broker has it).
     *
     * @throws Failure when the write did not reach the broker; nothing was applied anywhere
     */
    WriteOutcome replicate(WriteRequest request);

    /** A write that did not reach the broker, with the HTTP status and a one-line message for the pusher. */
    final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final int status;

        public Failure(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
