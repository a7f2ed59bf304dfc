package io.tidegate.mqtt;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where rejected messages are told: a log line per topic at most once a minute (with how many
 * were left out since the last one), so a device publishing garbage every second cannot flood the
 * log, and the last rejection of each topic, for the API and the web page. Bounded in topics and
 * in the length of what it keeps, since topics and messages come from anyone who may publish.
 * Thread-safe.
 */
final class RejectionLog {
    static final int DEFAULT_TOPICS = 1_000;
    static final long LOG_INTERVAL_MILLIS = 60_000;
    static final int MAX_TEXT_LENGTH = 512;

    private static final Logger log = LoggerFactory.getLogger(MqttIngest.class);

    private final Clock clock;
    private final int capacity;
    // insertion order is update order, as in RetainedMemory
    private final LinkedHashMap<String, TopicState> topics;

    private static final class TopicState {
        MqttRejection last;
        long loggedAtMillis;
        long suppressed;
    }

    RejectionLog(Clock clock, int capacity) {
        this.clock = clock;
        this.capacity = capacity;
        this.topics = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, TopicState> eldest) {
                return size() > RejectionLog.this.capacity;
            }
        };
    }

    void record(String topic, RejectReason reason, String message) {
        long now = clock.millis();
        String shownTopic = truncate(topic);
        MqttRejection rejection = new MqttRejection(shownTopic, Instant.ofEpochMilli(now), reason, truncate(message));
        long suppressed;
        synchronized (this) {
            TopicState state = topics.remove(shownTopic);
            boolean quiet = state != null && now - state.loggedAtMillis < LOG_INTERVAL_MILLIS;
            if (state == null) {
                state = new TopicState();
            }
            topics.put(shownTopic, state);
            state.last = rejection;
            if (quiet) {
                state.suppressed++;
                return;
            }
            suppressed = state.suppressed;
            state.suppressed = 0;
            state.loggedAtMillis = now;
        }
        var line = log.atWarn().addKeyValue("topic", shownTopic).addKeyValue("reason", reason.label())
                .addKeyValue("err", rejection.message());
        if (suppressed > 0) {
            line = line.addKeyValue("suppressed", suppressed);
        }
        line.log("mqtt message rejected");
    }

    /** The last rejection of each topic, newest first. */
    synchronized List<MqttRejection> latest() {
        List<MqttRejection> latest = new ArrayList<>(topics.size());
        topics.values().forEach(state -> latest.add(state.last));
        Collections.reverse(latest);
        return latest;
    }

    private static String truncate(String text) {
        if (text.length() <= MAX_TEXT_LENGTH) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(MAX_TEXT_LENGTH - 1)) ? MAX_TEXT_LENGTH - 1 : MAX_TEXT_LENGTH;
        return text.substring(0, end) + "...";
    }
}
