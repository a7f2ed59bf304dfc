package io.tidegate.mqtt;

import io.tidegate.key.GroupingKey;
import io.tidegate.persist.GroupCodec;
import io.tidegate.store.Group;
import io.tidegate.store.StoredFamily;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker as the store of the replicated groups (SPEC §9): with {@code --mqtt.replicate}, the broker
 * keeps each group's current state as one retained message on its state topic
 * ({@link TopicScheme#stateTopicOf}, {@code metrics/tidegate/state/job/backup/instance/db1}): the group
 * exactly as the store holds it ({@link GroupCodec}: every series, its push time, each family's
 * deadline, where it came from), with the MQTT 5 message expiry set to the time left until the group's
 * deadline, so the broker drops it when the group expires. Deleting the group, or a wipe, clears it (an
 * empty retained message). A replica that joins, new or rebuilt, subscribes to the state topics before
 * the groups' topics, so the broker sends it every live group's state first, and it takes each as it is
 * ({@code StoreCommand.Adopt}), deadlines included, unless it holds the group as written then or later.
 *
 * <p>Who publishes a group's state after a replicated write: the Tidegate that took the write, once it
 * applied it, which holds the group as every replica does; or, when that Tidegate does not subscribe to
 * the group's topic (a shard taking a push for another shard's group), every replica that applies it,
 * as the write says ({@link ReplicatedWrite#STATE_BY}). Publishing happens off the ingest's thread: the
 * latest state of each group waits here, a newer one replacing one still waiting, and one thread
 * publishes them in turn (QoS 1, retained), retrying while the broker cannot be reached.
 */
public final class GroupStates implements AutoCloseable {
    /** The content type of a state message: a group in Tidegate's own record format, not for devices. */
    static final String CONTENT_TYPE = "application/vnd.tidegate.group";
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    private static final Logger log = LoggerFactory.getLogger(GroupStates.class);

    private final MqttSubscriber publisher;
    private final TopicScheme topics;
    private final String origin;
    private final List<TopicFilter> groupFilters;
    private final Clock clock;
    /** Per state topic, the group to publish (null: clear the topic), the newest only. */
    private final Map<String, Pending> waiting = new LinkedHashMap<>(); // guarded by this
    private final Thread thread;
    private boolean closed; // guarded by this
    private boolean publishing; // guarded by this: a state taken from waiting and not yet published

    /**
     * @param publisher the connection to the broker
     * @param origin this Tidegate's client id, the origin its own replicated writes carry
     * @param filters what this Tidegate subscribes to: it takes the states of groups whose topic they match
     */
    public GroupStates(MqttSubscriber publisher, String topicPrefix, String origin, List<String> filters, Clock clock) {
        this.publisher = publisher;
        this.topics = new TopicScheme(topicPrefix);
        this.origin = origin;
        this.groupFilters = filters.stream().map(TopicFilter::parse).toList();
        this.clock = clock;
        this.thread = new Thread(this::publishWaiting, "tidegate-mqtt-states");
        thread.setDaemon(true);
    }

    /** Starts publishing what waits, once the connection to the broker is up. */
    public void start() {
        thread.start();
    }

    /** Whether this Tidegate publishes the state of the group a replicated write from {@code writeOrigin} changed. */
    boolean publishesAfter(String writeOrigin, String stateBy) {
        return origin.equals(writeOrigin) || ReplicatedWrite.STATE_BY_APPLIERS.equals(stateBy);
    }

    /** Whether this Tidegate holds the group whose own topic is {@code groupTopic} (a shard holds some). */
    boolean takes(String groupTopic) {
        return TopicFilter.anyMatches(groupFilters, groupTopic);
    }

    /** A state waiting to be published: the group, or null to clear its topic; encoded only when published. */
    private record Pending(String topic, Group group) {}

    /**
     * {@code group} is what its key holds now: its state is published, replacing any still waiting. Called
     * under the store's writer lock, so it only notes the (immutable) group; the publishing thread encodes it.
     */
    void held(Group group) {
        enqueue(new Pending(topics.stateTopicOf(group.key()), group));
    }

    /** {@code key} holds nothing now: its state is cleared, replacing any still waiting. */
    void cleared(GroupingKey key) {
        enqueue(new Pending(topics.stateTopicOf(key), null));
    }

    private Publication publicationOf(Pending pending) {
        return pending.group() == null ? new Publication(pending.topic(), new byte[0], null, null, Map.of(), true)
                : stateOf(pending.group(), clock.millis());
    }

    /** The retained message that keeps {@code group}'s state, expiring with the group. */
    Publication stateOf(Group group, long nowMillis) {
        Long expiry = null;
        if (group.deadlineMillis() != StoredFamily.NEVER) {
            long left = Math.max(1, (group.deadlineMillis() - nowMillis + 999) / 1000);
            expiry = Math.min(MqttIngest.MAX_EXPIRY_INTERVAL_SECONDS, left);
        }
        return new Publication(topics.stateTopicOf(group.key()), GroupCodec.encode(group), CONTENT_TYPE, expiry,
                Map.of(ReplicatedWrite.ORIGIN, origin), true);
    }

    private synchronized void enqueue(Pending state) {
        if (closed) {
            return;
        }
        waiting.remove(state.topic()); // the newer state goes to the back, after the writes waiting before it
        waiting.put(state.topic(), state);
        notifyAll();
    }

    /** How many states wait to be published. */
    public synchronized int waiting() {
        return waiting.size() + (publishing ? 1 : 0);
    }

    private void publishWaiting() {
        boolean failing = false;
        while (true) {
            Pending next;
            synchronized (this) {
                publishing = false;
                notifyAll();
                while (waiting.isEmpty() && !closed) {
                    waitQuietly(0);
                }
                if (closed && waiting.isEmpty()) {
                    return;
                }
                Iterator<Pending> first = waiting.values().iterator();
                next = first.next();
                first.remove();
                publishing = true;
            }
            try {
                publisher.publish(publicationOf(next));
                if (failing) {
                    failing = false;
                    log.atInfo().log("publishing group states to the MQTT broker again");
                }
            } catch (MqttPublishException e) {
                if (!failing) {
                    failing = true;
                    log.atWarn().addKeyValue("topic", next.topic()).addKeyValue("err", e.getMessage())
                            .log("cannot publish a group's state to the MQTT broker; retrying every second");
                }
                synchronized (this) {
                    waiting.putIfAbsent(next.topic(), next); // unless a newer state of the group came meanwhile
                    if (closed) {
                        return;
                    }
                    waitQuietly(RETRY_AFTER.toMillis());
                }
            }
        }
    }

    private void waitQuietly(long millis) {
        try {
            wait(millis);
        } catch (InterruptedException e) {
            closed = true;
        }
    }

    /**
     * Publishes what waits, for at most {@code drain}, then stops: before the connection closes, so a
     * state taken with the last writes reaches the broker.
     */
    public void close(Duration drain) {
        long until = clock.millis() + drain.toMillis();
        synchronized (this) {
            while ((!waiting.isEmpty() || publishing) && thread.isAlive() && clock.millis() < until) {
                waitQuietly(Math.max(1, until - clock.millis()));
            }
            if (!waiting.isEmpty()) {
                log.atWarn().addKeyValue("states", waiting.size())
                        .log("stopping with group states not yet published to the MQTT broker");
            }
            closed = true;
            notifyAll();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(2));
    }
}
