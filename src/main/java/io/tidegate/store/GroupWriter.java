package io.tidegate.store;

/**
 * The one door every change goes through: the {@link Store} itself, or, with
 * {@code --mqtt.replicate}, a writer that checks a change here and hands it to the MQTT broker, from
 * which every replica (this one included) applies it to its store. Adapters (HTTP push, the admin
 * wipe) are given a GroupWriter and never know which.
 */
public interface GroupWriter {
    /** Applies {@code request} (or has it applied everywhere) and returns once it is durable, with what became of it. */
    WriteOutcome write(WriteRequest request);
}
