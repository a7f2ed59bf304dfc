package io.tidegate.mqtt;

import io.tidegate.format.Refusal;
import io.tidegate.store.GroupWriter;
import io.tidegate.store.Store;
import io.tidegate.store.WriteOutcome;
import io.tidegate.store.WriteRequest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --mqtt.replicate}: the writer HTTP pushes go through. A write the store here refuses is
 * refused as a local write is, and never leaves; any other leaves as a {@link ReplicatedWrite} on its
 * group's topic, and is answered once the broker acknowledged it (PUBACK). Every Tidegate subscribed to
 * the topic applies it from the broker, this one included; when this one is among them, the answer also
 * waits (at most {@code ownApplyWait}) until it has applied it, so the pusher reads its own write here.
 * Nothing is written locally before that: a push the broker did not take is applied nowhere, and
 * refused as {@link Refusal.Reason#UNAVAILABLE}.
 */
public final class BrokerReplication implements GroupWriter {
    /** How long a push waits to see its own write applied here once the broker has it. */
    public static final Duration OWN_APPLY_WAIT = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(BrokerReplication.class);

    private final Store store;
    private final TopicScheme topics;
    private final String origin;
    private final List<TopicFilter> ownFilters;
    private final AppliedReplications applied;
    private final long maxPayloadBytes;
    private final Clock clock;
    private final Duration ownApplyWait;
    /** Unique per process, so ids never repeat across restarts of one origin. */
    private final String idPrefix = Long.toHexString(new SecureRandom().nextLong()) + "-";
    private final AtomicLong sequence = new AtomicLong();
    private final MqttSubscriber publisher;

    /**
     * Publishes through {@code publisher}, which refuses to while it is not connected (so is every
     * write then, as unavailable).
     *
     * @param store this instance's store, which checks each write before it leaves
     * @param publisher the connection to the broker, MQTT 5 ({@link #requireMqtt5} once it is up)
     * @param origin this instance's client id, which every replica sees as the write's origin
     * @param ownFilters what this instance subscribes to
     * @param applied where the ingest reports the replicated writes it applied
     * @param maxPayloadBytes {@code --mqtt.max-payload-size}: every replica refuses a larger message, so
     *     a push that makes one is refused here as too large
     */
    public BrokerReplication(Store store, MqttSubscriber publisher, String topicPrefix, String origin,
            List<String> ownFilters, AppliedReplications applied, long maxPayloadBytes, Clock clock,
            Duration ownApplyWait) {
        this.store = store;
        this.publisher = publisher;
        this.topics = new TopicScheme(topicPrefix, store.bodyLimits().names());
        this.origin = origin;
        this.ownFilters = ownFilters.stream().map(TopicFilter::parse).toList();
        this.applied = applied;
        this.maxPayloadBytes = maxPayloadBytes;
        this.clock = clock;
        this.ownApplyWait = ownApplyWait;
    }

    /**
     * Checks, once the connection is up, that it speaks MQTT 5.
     *
     * @throws MqttStartException when it does not ({@code --mqtt.protocol=auto} fell back to 3.1.1),
     *     since MQTT 3.1.1 cannot carry what a replicated write needs
     */
    public void requireMqtt5() {
        if (!publisher.speaksMqtt5()) {
            throw new MqttStartException("--mqtt.replicate needs MQTT 5, but the connection " + publisher.describe()
                    + " fell back to MQTT 3.1.1: the broker refused MQTT 5");
        }
    }

    /**
     * Checks {@code request} against the store here first, so a write the pusher must fix never leaves:
     * one the check refuses is written here instead, which refuses it again and records it as a refused
     * local write (its group's {@code push_failure_time_seconds}). Any other is published, and returns
     * once the broker has acknowledged it, with the outcome of applying it here when this instance
     * subscribes to its topic (else applied: the broker has it).
     */
    @Override
    public WriteOutcome write(WriteRequest request) {
        WriteOutcome checked = store.check(request);
        if (!checked.wasApplied()) {
            WriteOutcome here = store.write(request);
            if (!here.wasApplied()) {
                return here;
            }
            // the store changed between the check and the write; replicated all the same, so every replica has it
        }
        return publish(request);
    }

    private WriteOutcome publish(WriteRequest request) {
        String id = idPrefix + sequence.incrementAndGet();
        Publication publication = ReplicatedWrite.encode(topics, request, origin, id, clock.millis());
        if (publication.payload().length > maxPayloadBytes) {
            return WriteOutcome.refused(new Refusal(Refusal.Reason.TOO_LARGE, "replicated push of "
                    + publication.payload().length + " bytes exceeds the MQTT payload limit of " + maxPayloadBytes
                    + " bytes (--mqtt.max-payload-size)"));
        }
        boolean appliedHere = TopicFilter.anyMatches(ownFilters, publication.topic());
        if (!appliedHere) {
            // this Tidegate will not hold the group, so it cannot publish its state: those that apply it do
            publication = publication.withUserProperty(ReplicatedWrite.STATE_BY, ReplicatedWrite.STATE_BY_APPLIERS);
        }
        var outcomeHere = appliedHere ? applied.expect(id) : null;
        try {
            publisher.publish(publication);
        } catch (MqttPublishException e) {
            applied.forget(id);
            return unavailable("the MQTT broker did not acknowledge the push, so it was not stored: " + e.getMessage());
        }
        if (outcomeHere == null) {
            return WriteOutcome.applied();
        }
        try {
            return outcomeHere.get(ownApplyWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            applied.forget(id);
            log.atWarn().addKeyValue("topic", publication.topic()).addKeyValue("id", id)
                    .log("push acknowledged by the MQTT broker but not yet applied here; answered all the same");
            return WriteOutcome.applied();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return WriteOutcome.applied();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause()); // never completed exceptionally
        }
    }

    private static WriteOutcome unavailable(String message) {
        return WriteOutcome.refused(new Refusal(Refusal.Reason.UNAVAILABLE, message));
    }
}
