package io.tidegate.mqtt;

import java.time.Clock;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * What the embedded broker may retain: messages under Tidegate's own topics only (unless
 * {@code --mqtt.embedded.retain-any-topic}), at most {@code maxMessages} of them and {@code maxBytes} of
 * payload in all, so nobody parks data of their own on Tidegate's broker. An empty retained message
 * clears its topic and is always allowed; a retained message whose expiry interval has passed no longer
 * counts.
 */
final class RetainedBudget {
    private final boolean anyTopic;
    private final int maxMessages;
    private final long maxBytes;
    private final Clock clock;
    private final Map<String, Kept> kept = new HashMap<>(); // guarded by this
    private long bytes; // guarded by this
    private volatile Runnable onKeep = () -> { };

    private record Kept(int size, long expiresAtMillis) {}

    RetainedBudget(boolean anyTopic, int maxMessages, long maxBytes, Clock clock) {
        if (maxMessages < 0 || maxBytes < 0) {
            throw new IllegalArgumentException("retained message bounds must not be negative");
        }
        this.anyTopic = anyTopic;
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        this.clock = clock;
    }

    /**
     * Why the broker must refuse a retained publish of {@code size} bytes on {@code topic}, or null when it
     * may retain it ({@link #keep} then counts it, once the message is taken). An empty one clears its
     * topic, and is always allowed.
     *
     * @param ours whether the topic is one of Tidegate's
     */
    synchronized String refusal(String topic, int size, boolean ours) {
        if (size == 0) {
            return null;
        }
        if (!ours && !anyTopic) {
            return "the embedded broker retains messages only on Tidegate's topics; publish this one without the "
                    + "retain flag, or start Tidegate with --mqtt.embedded.retain-any-topic";
        }
        if (!fits(topic, size)) {
            dropExpired(clock.millis());
        }
        Kept before = kept.get(topic);
        if (before == null && kept.size() + 1 > maxMessages) {
            return "the embedded broker already retains " + kept.size() + " messages, the most "
                    + "--mqtt.embedded.max-retained-messages allows (" + maxMessages + ")";
        }
        if (!fits(topic, size)) {
            return "retaining " + size + " more bytes would pass the " + maxBytes + " bytes of retained payloads "
                    + "--mqtt.embedded.max-retained-size allows";
        }
        return null;
    }

    private boolean fits(String topic, int size) {
        Kept before = kept.get(topic);
        return (before != null || kept.size() + 1 <= maxMessages)
                && bytes - (before == null ? 0 : before.size()) + size <= maxBytes;
    }

    /**
     * The broker now retains {@code size} bytes on {@code topic} (none for an empty message), until its
     * expiry interval ({@code expirySeconds}, null for none) has passed.
     */
    synchronized void keep(String topic, int size, Long expirySeconds) {
        onKeep.run();
        forget(topic);
        if (size > 0) {
            long expiresAt = expirySeconds == null ? Long.MAX_VALUE
                    : clock.millis() + Math.min(expirySeconds, Long.MAX_VALUE / 2000) * 1000;
            kept.put(topic, new Kept(size, expiresAt));
            bytes += size;
        }
    }

    /** Called whenever the broker retains a message or clears one. */
    void onKeep(Runnable listener) {
        this.onKeep = listener;
    }

    private void forget(String topic) {
        Kept gone = kept.remove(topic);
        if (gone != null) {
            bytes -= gone.size();
        }
    }

    private void dropExpired(long now) {
        for (Iterator<Kept> it = kept.values().iterator(); it.hasNext(); ) {
            Kept one = it.next();
            if (one.expiresAtMillis() <= now) {
                bytes -= one.size();
                it.remove();
            }
        }
    }

    synchronized int messages() {
        return kept.size();
    }
}
