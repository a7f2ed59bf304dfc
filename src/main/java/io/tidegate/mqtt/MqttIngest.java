package io.tidegate.mqtt;

import io.tidegate.config.Durations;
import io.tidegate.expiry.TtlResolver;
import io.tidegate.store.Source;
import io.tidegate.store.Store;
import io.tidegate.store.Ttls;
import io.tidegate.store.WriteLimits;
import io.tidegate.store.WriteOutcome;
import io.tidegate.store.WriteRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies MQTT messages to the store, as the HTTP push handler applies pushes: the topic names the
 * group ({@link TopicScheme}), the payload its families ({@link PayloadReader}), an empty payload
 * deletes it, and each message becomes one {@link WriteRequest}, its TTL resolved by the same
 * {@link TtlResolver}: a {@code #!set stale_timeout} line, else the MQTT 5 message expiry
 * interval, else the {@code ttl} user property (a duration: {@code 90s}, {@code 5m}, or seconds),
 * else the server rules for source {@code mqtt} and the default, all capped by {@code --ttl.max}.
 *
 * <p>Retained messages are stale copies of unknown age. The digest of the last message applied on
 * each topic is kept ({@link RetainedMemory}); a retained copy of it is skipped, so it neither
 * refreshes the group's TTL nor brings back a group that expired or was deleted. A retained
 * message not seen before is applied and its group marked retained ({@link Source#retained()})
 * until a live message replaces it; with {@link RetainedMode#IGNORE_UNSEEN} it is skipped too.
 * Live messages are always applied.
 *
 * <p>A message that cannot be applied is dropped, counted, logged (rate-limited) and kept as its
 * topic's last rejection; its group keeps its old value. Nothing a publisher sends makes this
 * throw. Applying a message takes no lock but the store's write lock, and never waits on I/O.
 */
public final class MqttIngest implements MessageHandler {
    public static final long DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;
    /** The user property that gives a message's TTL when it has no MQTT 5 expiry interval. */
    public static final String TTL_PROPERTY = "ttl";

    /** MQTT 5 carries the message expiry interval as a four-byte unsigned integer. */
    static final long MAX_EXPIRY_INTERVAL_SECONDS = 0xFFFF_FFFFL;

    private static final Logger log = LoggerFactory.getLogger(MqttIngest.class);

    private final Store store;
    private final TtlResolver ttls;
    private final TopicScheme topics;
    private final RetainedMode retainedMode;
    private final long maxPayloadBytes;
    private final RetainedMemory retainedMemory;
    private final RejectionLog rejections;
    private final MqttMetrics metrics;
    private final Clock clock;
    private final PayloadReader payloads = new PayloadReader();
    private final WriteLimits limits;

    /**
     * @param topicPrefix {@code --mqtt.topic-prefix}, such as {@code metrics} or {@code site1/metrics}
     * @param retainedMode {@code --mqtt.retained}
     * @param maxPayloadBytes {@code --mqtt.max-payload-size}; a larger payload is rejected unread
     * @param retainedCapacity how many topics the {@link RetainedMemory} holds
     * @param limits the bounds every write must keep, as for HTTP pushes
     * @throws IllegalArgumentException for a prefix no topic can have or a capacity below 1
     */
    public MqttIngest(Store store, TtlResolver ttls, String topicPrefix, RetainedMode retainedMode,
            long maxPayloadBytes, int retainedCapacity, Clock clock, MqttMetrics metrics, WriteLimits limits) {
        this.store = store;
        this.limits = limits;
        this.ttls = ttls;
        this.topics = new TopicScheme(topicPrefix);
        this.retainedMode = retainedMode;
        this.maxPayloadBytes = maxPayloadBytes;
        this.retainedMemory = new RetainedMemory(retainedCapacity);
        this.rejections = new RejectionLog(clock, RejectionLog.DEFAULT_TOPICS);
        this.metrics = metrics;
        this.clock = clock;
    }

    /** With the default {@link WriteLimits}. */
    public MqttIngest(Store store, TtlResolver ttls, String topicPrefix, RetainedMode retainedMode,
            long maxPayloadBytes, int retainedCapacity, Clock clock, MqttMetrics metrics) {
        this(store, ttls, topicPrefix, retainedMode, maxPayloadBytes, retainedCapacity, clock, metrics,
                WriteLimits.DEFAULTS);
    }

    @Override
    public void onMessage(MqttMessage message, Runnable acknowledge) {
        metrics.received(clock.millis());
        Acknowledgement acknowledgement = new Acknowledgement(acknowledge);
        Rejection rejection;
        try {
            rejection = apply(message, acknowledgement);
        } catch (RuntimeException e) {
            // a bug, not the publisher's fault; the subscriber must keep running all the same
            rejection = new Rejection(RejectReason.INTERNAL_ERROR, e.toString());
        }
        if (rejection != null) {
            metrics.rejected(rejection.reason());
            rejections.record(message.topic(), rejection.reason(), rejection.message());
        }
        acknowledgement.unlessHandedToStore();
    }

    /** The message's acknowledgement: sent by the store once a write is durable, or here for anything else. */
    private static final class Acknowledgement {
        private final Runnable acknowledge;
        private boolean handedToStore;

        Acknowledgement(Runnable acknowledge) {
            this.acknowledge = acknowledge;
        }

        Runnable handToStore() {
            handedToStore = true;
            return acknowledge;
        }

        void unlessHandedToStore() {
            if (!handedToStore) {
                acknowledge.run();
            }
        }
    }

    /** Applies or skips the message; returns why it was rejected, or null. */
    private Rejection apply(MqttMessage message, Acknowledgement acknowledgement) {
        byte[] payload = message.payload();
        if (payload.length > maxPayloadBytes) {
            return new Rejection(RejectReason.TOO_LARGE, "payload of " + payload.length + " bytes exceeds the limit of "
                    + maxPayloadBytes + " bytes (--mqtt.max-payload-size)");
        }
        TopicScheme.Parsed topic = topics.parse(message.topic());
        if (topic.error() != null) {
            return new Rejection(RejectReason.BAD_TOPIC, topic.error());
        }
        String ttlProperty = message.userProperties().get(TTL_PROPERTY);
        Digest digest = Digest.of(payload, message.contentType(), ttlProperty);
        if (message.retained()) {
            SkipReason skip = retainedMemory.holds(message.topic(), digest) ? SkipReason.RETAINED_SEEN
                    : retainedMode == RetainedMode.IGNORE_UNSEEN ? SkipReason.RETAINED_UNSEEN : null;
            if (skip != null) {
                metrics.skipped(skip);
                log.atDebug().addKeyValue("topic", message.topic()).addKeyValue("reason", skip.label())
                        .log("retained mqtt message skipped");
                return null;
            }
        }
        Source source = Source.mqtt(message.topic(), message.retained());
        if (payload.length == 0) {
            store.write(WriteRequest.delete(topic.key(), source), remember(message.topic(), digest),
                    acknowledgement.handToStore());
            return applied();
        }
        Optional<Duration> pushTtl;
        try {
            pushTtl = pushTtl(message.expiryIntervalSeconds(), ttlProperty);
        } catch (IllegalArgumentException e) {
            return new Rejection(RejectReason.BAD_TTL, e.getMessage());
        }
        PayloadReader.Read read = payloads.read(payload, message.contentType(), topic.metricLevel());
        if (read.rejection() != null) {
            return read.rejection();
        }
        Ttls resolved = ttls.resolve(topic.key(), Source.Kind.MQTT, pushTtl, read.body().staleTimeoutSeconds());
        WriteRequest request = new WriteRequest(topic.key(), read.verb(), read.body().families(), resolved, source);
        WriteLimits.Violation violation = limits.check(request, store);
        if (violation != null) {
            return new Rejection(RejectReason.LIMIT, violation.message());
        }
        WriteOutcome outcome = store.write(request, remember(message.topic(), digest), acknowledgement.handToStore());
        if (!outcome.wasApplied()) {
            return new Rejection(RejectReason.INCONSISTENT, outcome.rejection());
        }
        return applied();
    }

    /**
     * Remembers the message once its write applied, under the store's writer lock: so the memory
     * is journalled after the write it stands for and made durable with it, before the ack.
     */
    private Runnable remember(String topic, Digest digest) {
        return () -> retainedMemory.remember(topic, digest);
    }

    private Rejection applied() {
        metrics.applied();
        return null;
    }

    /**
     * The message's own TTL: its expiry interval (0 meaning never, as an HTTP {@code Push-TTL: 0}),
     * else its {@code ttl} property. The property must be a duration even when the interval wins, so
     * a publisher's mistake shows at once rather than when it stops sending the interval.
     */
    private static Optional<Duration> pushTtl(Long expiryIntervalSeconds, String ttlProperty) {
        Duration property;
        try {
            property = ttlProperty == null ? null : Durations.parse(ttlProperty);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid " + TTL_PROPERTY + " user property: " + e.getMessage());
        }
        if (expiryIntervalSeconds != null) {
            if (expiryIntervalSeconds < 0) {
                throw new IllegalArgumentException("negative message expiry interval: " + expiryIntervalSeconds);
            }
            if (expiryIntervalSeconds > MAX_EXPIRY_INTERVAL_SECONDS) {
                // no broker sends more; a transport that did would overflow the TTL in milliseconds
                throw new IllegalArgumentException("message expiry interval " + expiryIntervalSeconds
                        + " exceeds the MQTT maximum of " + MAX_EXPIRY_INTERVAL_SECONDS + " seconds");
            }
            return Optional.of(Duration.ofSeconds(expiryIntervalSeconds));
        }
        return Optional.ofNullable(property);
    }

    /** The subscriptions that receive every topic this ingest takes, and nothing else. */
    public List<String> topicFilters() {
        return topics.topicFilters();
    }

    /** The memory of applied messages, to be kept across restarts. */
    public RetainedMemory retainedMemory() {
        return retainedMemory;
    }

    /** The last rejection of each recently rejected topic, newest first. */
    public List<MqttRejection> rejections() {
        return rejections.latest();
    }
}
