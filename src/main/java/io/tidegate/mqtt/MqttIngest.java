package io.tidegate.mqtt;

import io.tidegate.store.Digest;
import io.tidegate.store.RetainedMemory;
import io.tidegate.format.Durations;
import io.tidegate.format.RecentlyMade;
import io.tidegate.mqtt.discovery.DiscoveryConfig;
import io.tidegate.mqtt.discovery.HomeAssistantDiscovery;
import io.tidegate.mqtt.mapping.MqttMapping;
import io.tidegate.mqtt.mapping.MqttMappings;
import io.tidegate.ttl.TtlResolver;
import io.tidegate.persist.GroupCodec;
import io.tidegate.store.Adoption;
import io.tidegate.store.Group;
import io.tidegate.store.StoreCommand;
import io.tidegate.store.Verb;
import io.tidegate.key.GroupingKey;
import io.tidegate.store.Source;
import io.tidegate.store.Store;
import io.tidegate.store.Ttls;
import io.tidegate.store.WriteOutcome;
import io.tidegate.store.WriteRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
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
 * <p>Topics outside the scheme are read by the {@code mqtt_mappings} rule that applies to them
 * ({@link MqttMappings#find}, the first in file order; topics under {@code <prefix>/job/} always
 * follow the scheme): the rule gives the grouping key and reads the payload
 * ({@link MappedPayloadReader}), and from there on a mapped message takes the same path as any other,
 * retained copies, TTL (the rule's {@code ttl} after the message's own), limits and the store's one
 * door included. An availability rule's {@code offline} deletes the device's groups.
 *
 * <p>A write another Tidegate took over HTTP and replicated ({@code --mqtt.replicate}) is applied as
 * that Tidegate took it, once ({@link ReplicatedWrite}); so is a replicated admin wipe, which comes on
 * a topic of its own ({@link TopicScheme#wipeTopic}). A replica also keeps each replicated group's
 * state on the broker and takes the states the broker keeps ({@link GroupStates}).
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
    private final PayloadReader payloads;
    private final MappedPayloadReader mappedPayloads;
    private final Supplier<MqttMappings> mappings;
    private final AppliedReplications replications = new AppliedReplications(AppliedReplications.DEFAULT_CAPACITY);
    private final GroupStates states; // null without --mqtt.replicate
    private final HomeAssistantDiscovery discovery; // null without --mqtt.discovery=homeassistant
    private final Consumer<List<String>> discoveryTopics;

    /**
     * @param topicPrefix {@code --mqtt.topic-prefix}, such as {@code metrics} or {@code site1/metrics}
     * @param retainedMode {@code --mqtt.retained}
     * @param maxPayloadBytes {@code --mqtt.max-payload-size}; a larger payload is rejected unread
     * @param retainedCapacity how many topics the {@link RetainedMemory} holds
     * @param mappings the {@code mqtt_mappings} rules in force (they change on reload)
     * @throws IllegalArgumentException for a prefix no topic can have or a capacity below 1
     */
    public MqttIngest(Store store, TtlResolver ttls, String topicPrefix, RetainedMode retainedMode,
            long maxPayloadBytes, int retainedCapacity, Clock clock, MqttMetrics metrics,
            Supplier<MqttMappings> mappings) {
        this(store, ttls, topicPrefix, retainedMode, maxPayloadBytes, retainedCapacity, clock, metrics, mappings, null);
    }

    /**
     * A replica's ingest ({@code --mqtt.replicate}), which also keeps the broker's copy of each group's
     * state and takes the states the broker holds.
     *
     * @param states where the states of the groups this replica publishes go; null without replication
     */
    public MqttIngest(Store store, TtlResolver ttls, String topicPrefix, RetainedMode retainedMode,
            long maxPayloadBytes, int retainedCapacity, Clock clock, MqttMetrics metrics,
            Supplier<MqttMappings> mappings, GroupStates states) {
        this(store, ttls, topicPrefix, retainedMode, maxPayloadBytes, retainedCapacity, clock, metrics, mappings, states,
                null, filters -> { });
    }

    /**
     * With Home Assistant discovery ({@code --mqtt.discovery=homeassistant}).
     *
     * @param discovery the entities discovery knows; null without discovery
     * @param discoveryTopics told the topics discovery needs whenever a config changes them; it must not wait
     *     (it is called while a message is read, on the transport's thread)
     */
    public MqttIngest(Store store, TtlResolver ttls, String topicPrefix, RetainedMode retainedMode,
            long maxPayloadBytes, int retainedCapacity, Clock clock, MqttMetrics metrics,
            Supplier<MqttMappings> mappings, GroupStates states, HomeAssistantDiscovery discovery,
            Consumer<List<String>> discoveryTopics) {
        this.discovery = discovery;
        this.discoveryTopics = discoveryTopics;
        if (discovery != null) {
            metrics.watch(discovery);
        }
        this.states = states;
        this.store = store;
        this.mappings = mappings;
        this.ttls = ttls;
        this.topics = new TopicScheme(topicPrefix, store.bodyLimits().names());
        this.retainedMode = retainedMode;
        this.maxPayloadBytes = maxPayloadBytes;
        this.retainedMemory = new RetainedMemory(retainedCapacity);
        this.rejections = new RejectionLog(clock, RejectionLog.DEFAULT_TOPICS);
        this.metrics = metrics;
        this.clock = clock;
        this.payloads = new PayloadReader(store.bodyLimits());
        this.mappedPayloads = new MappedPayloadReader(payloads);
    }

    /** With no mapping rules. */
    public MqttIngest(Store store, TtlResolver ttls, String topicPrefix, RetainedMode retainedMode,
            long maxPayloadBytes, int retainedCapacity, Clock clock, MqttMetrics metrics) {
        this(store, ttls, topicPrefix, retainedMode, maxPayloadBytes, retainedCapacity, clock, metrics,
                MqttMappings::none);
    }

    @Override
    public MqttOutcome onMessage(MqttMessage message, Runnable acknowledge) {
        return handle(message, acknowledge);
    }

    /**
     * Applies or skips one message, as {@link #onMessage}, and says what became of it: for the dry run
     * of {@code tidegate mappings test}, which feeds a message to an ingest in front of a scratch store.
     */
    public MqttOutcome handle(MqttMessage message, Runnable acknowledge) {
        return prepare(message).finish(acknowledge);
    }

    /**
     * Reads the message (its topic, its mapping rule, its payload, its TTL: nothing the store holds, so a
     * transport may run it while the store applies the messages before); the step returned does the
     * rest, the retained-copy rule and the write through the store's one door, and counts the outcome.
     */
    @Override
    public Step prepare(MqttMessage message) {
        metrics.received(clock.millis());
        StoreStep rest;
        try {
            rest = read(message);
        } catch (RuntimeException e) {
            rest = done(internalError(e));
        }
        StoreStep storeStep = rest;
        return acknowledge -> finish(message, storeStep, acknowledge);
    }

    private MqttOutcome finish(MqttMessage message, StoreStep rest, Runnable acknowledge) {
        Acknowledgement acknowledgement = new Acknowledgement(acknowledge);
        MqttOutcome outcome;
        try {
            outcome = rest.apply(acknowledgement);
        } catch (RuntimeException e) {
            outcome = internalError(e);
        }
        for (SkippedField field : outcome.skippedFields()) {
            metrics.fieldSkipped(outcome.rule(), field);
            log.atDebug().addKeyValue("topic", message.topic()).addKeyValue("rule", outcome.rule())
                    .addKeyValue("field", field).log("mqtt mapping skipped an optional field");
        }
        switch (outcome.kind()) {
            case WRITTEN, OFFLINE, ONLINE, DISCOVERED -> metrics.applied();
            case ADOPTED -> metrics.adopted();
            case SKIPPED -> {
                metrics.skipped(outcome.skipped());
                log.atDebug().addKeyValue("topic", message.topic()).addKeyValue("reason", outcome.skipped().label())
                        .log("mqtt message skipped");
            }
            case REJECTED -> {
                metrics.rejected(outcome.rejection());
                rejections.record(message.topic(), outcome.rejection(), outcome.message());
            }
        }
        acknowledgement.unlessHandedToStore();
        return outcome;
    }

    /** A bug, not the publisher's fault; the subscriber must keep running all the same. */
    private static MqttOutcome internalError(RuntimeException e) {
        return MqttOutcome.rejected(null, new Rejection(RejectReason.INTERNAL_ERROR, e.toString()));
    }

    /** What is left of a message once it is read: the part that reads or writes the store and the retained memory. */
    @FunctionalInterface
    private interface StoreStep {
        MqttOutcome apply(Acknowledgement acknowledgement);
    }

    private static StoreStep done(MqttOutcome outcome) {
        return acknowledgement -> outcome;
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

    /**
     * Where a message goes: the group its topic names, by Tidegate's scheme or by the mapping rule
     * that applies, and the level naming a single-number metric on a scheme topic.
     */
    /**
     * Where a topic's messages go: a group of Tidegate's scheme (and the metric its last level names), or a mapping
     * rule's group; {@code routedWith} is the mappings it was found with, so a reload's new rules apply at once. Or
     * no route ({@link #none}): the message ends there, as {@code ended} says.
     */
    private record Route(GroupingKey key, String metricLevel, MqttMapping rule, Map<String, String> captures,
            MqttMappings routedWith, Source live, Source retained, MqttOutcome ended) {
        Route(GroupingKey key, String metricLevel, MqttMapping rule, Map<String, String> captures, MqttMappings routedWith,
                String topic) {
            this(key, metricLevel, rule, captures, routedWith, Source.mqtt(topic, false), Source.mqtt(topic, true), null);
        }

        static Route none(MqttOutcome outcome) {
            return new Route(null, null, null, null, null, null, null, outcome);
        }

        String ruleName() {
            return rule == null ? null : rule.name();
        }

        Source source(boolean retainedMessage) {
            return retainedMessage ? retained : live;
        }
    }

    /**
     * The routes of the topics seen lately, so a device's topic is routed once and all its messages carry one
     * grouping key, whose labels the store then derives once; at most {@link #ROUTES_REMEMBERED}, forgotten all at
     * once past that (a topic not remembered is routed again, the same way).
     */
    private final RecentlyMade<String, Route> routes = new RecentlyMade<>(ROUTES_REMEMBERED);
    static final int ROUTES_REMEMBERED = 100_000;

    /** The route of {@code topic}, or {@link Route#none} with the outcome that ends its message there. */
    private Route route(String topic) {
        MqttMappings current = mappings.get();
        Route known = routes.get(topic);
        if (known != null && known.routedWith() == current) {
            return known;
        }
        Route route;
        if (topics.owns(topic)) {
            TopicScheme.Parsed parsed = topics.parse(topic);
            if (parsed.error() != null) {
                return Route.none(MqttOutcome.rejected(null, new Rejection(RejectReason.BAD_TOPIC, parsed.error())));
            }
            route = new Route(parsed.key(), parsed.metricLevel(), null, Map.of(), current, topic);
        } else {
            MqttMappings.Match match = current.find(topic);
            if (match.rule() == null) {
                return Route.none(match.topicMatched() ? MqttOutcome.skipped(null, SkipReason.UNMAPPED)
                        : MqttOutcome.rejected(null, new Rejection(RejectReason.BAD_TOPIC, topics.parse(topic).error()
                                + (current.size() > 0 ? ", and no mqtt_mappings rule applies to it" : ""))));
            }
            if (!TopicScheme.isEncodable(topic)) {
                return Route.none(MqttOutcome.rejected(match.rule().name(),
                        new Rejection(RejectReason.BAD_TOPIC, "topic is not valid UTF-8")));
            }
            MappedPayloadReader.Key key = MappedPayloadReader.key(match.rule(), match.captures());
            if (key.rejection() != null) {
                return Route.none(MqttOutcome.rejected(match.rule().name(), key.rejection()));
            }
            route = new Route(key.key(), null, match.rule(), match.captures(), current, topic);
        }
        routes.put(topic, route);
        return route;
    }

    /** Reads the message; the step returned applies or skips it and says what became of it. */
    private StoreStep read(MqttMessage message) {
        byte[] payload = message.payload();
        if (payload.length > maxPayloadBytes) {
            return done(MqttOutcome.rejected(null, new Rejection(RejectReason.TOO_LARGE, "payload of " + payload.length
                    + " bytes exceeds the limit of " + maxPayloadBytes + " bytes (--mqtt.max-payload-size)")));
        }
        String topic = message.topic();
        if (states != null && topics.isStateTopic(topic)) {
            return acknowledgement -> adopt(message, acknowledgement);
        }
        if (topic.equals(topics.wipeTopic()) && ReplicatedWrite.isReplicated(message)) {
            return acknowledgement -> applyReplicated(message, null, acknowledgement);
        }
        Route route = route(topic);
        if (route.ended() != null) {
            if (discovery != null && leftToDiscovery(topic, route.ended())) {
                StoreStep discovered = discovered(message);
                if (discovered != null) {
                    return discovered;
                }
            }
            return done(route.ended());
        }
        if (route.rule() != null) {
            log.atDebug().addKeyValue("topic", topic).addKeyValue("rule", route.ruleName()).log("mqtt mapping applies");
        }
        if (ReplicatedWrite.isReplicated(message)) {
            if (route.rule() != null || route.metricLevel() != null) {
                return done(MqttOutcome.rejected(route.ruleName(), new Rejection(RejectReason.BAD_TOPIC, "a replicated "
                        + "write's topic must name a group in Tidegate's scheme, not a metric or a mapped topic")));
            }
            return acknowledgement -> applyReplicated(message, route.key(), acknowledgement);
        }
        String ttlProperty = message.userProperties().get(TTL_PROPERTY);
        Digest digest = Digest.of(payload, message.contentType(), ttlProperty);
        Source source = route.source(message.retained());
        if (route.rule() != null && route.rule().availability() != null) {
            return unlessRetainedSeen(message, digest, route,
                    acknowledgement -> availability(route, payload, source, digest, acknowledgement));
        }
        if (payload.length == 0) {
            WriteRequest delete = WriteRequest.delete(route.key(), source);
            return unlessRetainedSeen(message, digest, route, acknowledgement -> {
                store.apply(delete, remember(topic, digest), acknowledgement.handToStore());
                return MqttOutcome.written(route.ruleName(), delete);
            });
        }
        Optional<Duration> pushTtl;
        try {
            pushTtl = pushTtl(message.expiryIntervalSeconds(), ttlProperty);
        } catch (IllegalArgumentException e) {
            return unlessRetainedSeen(message, digest, route,
                    done(MqttOutcome.rejected(route.ruleName(), new Rejection(RejectReason.BAD_TTL, e.getMessage()))));
        }
        PayloadReader.Read read;
        List<SkippedField> skippedFields = List.of();
        if (route.rule() == null) {
            read = payloads.read(payload, message.contentType(), route.metricLevel());
        } else {
            MappedPayloadReader.MappedRead mapped = mappedPayloads.read(route.rule(), route.captures(), topic, payload);
            skippedFields = mapped.skippedFields();
            if (mapped.leftOut()) {
                MqttOutcome leftOut = MqttOutcome.skipped(route.ruleName(), SkipReason.UNMAPPED).withSkippedFields(skippedFields);
                return unlessRetainedSeen(message, digest, route, done(leftOut));
            }
            read = mapped.read();
            pushTtl = pushTtl.or(route.rule()::ttl); // the rule's TTL comes after the message's own
        }
        if (read.rejection() != null) {
            return unlessRetainedSeen(message, digest, route, done(MqttOutcome.rejected(route.ruleName(), read.rejection())));
        }
        Ttls resolved = ttls.resolve(route.key(), Source.Kind.MQTT, pushTtl, read.body().staleTimeoutSeconds());
        // a payload that gives a family no type takes the one the store holds for it (SPEC §4, Lifecycle)
        WriteRequest request = new WriteRequest(route.key(), read.verb(), read.body().families(), resolved, source,
                WriteRequest.NOW, read.body().typeNotGiven());
        Store.Prepared write = store.prepare(request); // on this thread, while the store applies the message before
        List<SkippedField> fieldsLeftOut = skippedFields;
        return unlessRetainedSeen(message, digest, route, acknowledgement -> {
            WriteOutcome outcome = store.apply(write, remember(topic, digest), acknowledgement.handToStore());
            return outcome.wasApplied() ? MqttOutcome.written(route.ruleName(), request).withSkippedFields(fieldsLeftOut)
                    : MqttOutcome.rejected(route.ruleName(), refusal(outcome));
        });
    }

    /**
     * The retained-copy rule, before anything else happens to a retained message: a copy of what was
     * last applied on its topic is skipped (and so is any unseen one with {@code --mqtt.retained=ignore-unseen}).
     * Decided in the store's step, since the messages before this one may still be updating the memory.
     */
    private StoreStep unlessRetainedSeen(MqttMessage message, Digest digest, Route route, StoreStep rest) {
        if (!message.retained()) {
            return rest;
        }
        return acknowledgement -> {
            SkipReason skip = retainedMemory.holds(message.topic(), digest) ? SkipReason.RETAINED_SEEN
                    : retainedMode == RetainedMode.IGNORE_UNSEEN ? SkipReason.RETAINED_UNSEEN : null;
            return skip != null ? MqttOutcome.skipped(route.ruleName(), skip) : rest.apply(acknowledgement);
        };
    }

    /**
     * An availability message: {@code offline} deletes every group whose grouping key has all the
     * rule's group labels (a Shelly's groups, one per relay channel, go together), each through the
     * store's one door; {@code online} changes nothing, since the device's next values bring it back.
     */
    private MqttOutcome availability(Route route, byte[] payload, Source source, Digest digest,
            Acknowledgement acknowledgement) {
        MqttMapping rule = route.rule();
        if (payload.length == 0) {
            return MqttOutcome.online(rule.name()); // a retained availability cleared: nothing said either way
        }
        MappedPayloadReader.AvailabilityRead read = mappedPayloads.availability(rule, payload);
        if (read.rejection() != null) {
            return MqttOutcome.rejected(rule.name(), read.rejection());
        }
        if (read.state() == MappedPayloadReader.DeviceState.ONLINE) {
            return MqttOutcome.online(rule.name());
        }
        List<GroupingKey> doomed = new ArrayList<>();
        for (Group group : store.snapshot().groups()) {
            if (group.key().labels().containsAll(route.key().labels())) {
                doomed.add(group.key());
            }
        }
        int found = doomed.size();
        if (doomed.isEmpty()) {
            doomed.add(route.key()); // deletes nothing, but remembers the message and acknowledges it in order
        }
        for (int i = 0; i < doomed.size(); i++) {
            boolean last = i == doomed.size() - 1;
            // writes become durable in order: the last one's acknowledgement covers them all
            store.apply(WriteRequest.delete(doomed.get(i), source), last ? remember(source.detail(), digest) : null,
                    last ? acknowledgement.handToStore() : NOT_WAITING);
        }
        return MqttOutcome.offline(rule.name(), route.key(), found);
    }

    /**
     * Whether a topic that neither the scheme nor a rule takes is discovery's to look at: not one under the
     * scheme's prefix, and no rule's topic matched it (an explicit rule wins, even when its conditions leave the
     * message out).
     */
    private boolean leftToDiscovery(String topic, MqttOutcome ended) {
        return !topics.owns(topic) && ended.kind() == MqttOutcome.Kind.REJECTED && ended.rule() == null
                && ended.rejection() == RejectReason.BAD_TOPIC;
    }

    /**
     * A message Home Assistant discovery takes: a config on {@code <prefix>/.../config}, or a message on a known
     * entity's state or availability topic; null when it is neither.
     */
    private StoreStep discovered(MqttMessage message) {
        String topic = message.topic();
        if (discovery.isConfigTopic(topic)) {
            return discoveryConfig(message);
        }
        if (!discovery.takes(topic)) {
            return null;
        }
        byte[] payload = message.payload();
        String ttlProperty = message.userProperties().get(TTL_PROPERTY);
        Optional<Duration> messageTtl;
        try {
            messageTtl = pushTtl(message.expiryIntervalSeconds(), ttlProperty);
        } catch (IllegalArgumentException e) {
            return done(MqttOutcome.rejectedByDiscovery(new Rejection(RejectReason.BAD_TTL, e.getMessage())));
        }
        Digest digest = Digest.of(payload, message.contentType(), ttlProperty);
        Source source = Source.mqtt(topic, message.retained());
        List<WriteRequest> writes = new ArrayList<>();
        List<GroupingKey> deleted = discovery.availability(topic, payload);
        for (GroupingKey key : deleted) {
            writes.add(WriteRequest.delete(key, source));
        }
        List<String> dropped = new ArrayList<>();
        List<HomeAssistantDiscovery.EntityState> states = discovery.states(topic, payload, message.retained());
        String refusal = null;
        for (HomeAssistantDiscovery.EntityState state : states) {
            if (state.family() == null) {
                metrics.discoveryValueDropped(state.dropped());
                dropped.add(state.entity().config().entity() + ": " + state.why());
                if (state.dropped() == HomeAssistantDiscovery.DroppedValue.TEMPLATE_ERROR
                        || state.dropped() == HomeAssistantDiscovery.DroppedValue.NOT_ON_OR_OFF) {
                    refusal = refusal == null ? state.entity().config().entity() + ": " + state.why() : refusal;
                }
                continue;
            }
            writes.add(entityWrite(state, state.ttl().or(() -> messageTtl), source));
        }
        if (writes.isEmpty() && !states.isEmpty()) {
            MqttOutcome none = refusal != null && dropped.size() == states.size()
                    ? MqttOutcome.rejectedByDiscovery(new Rejection(RejectReason.BAD_PAYLOAD, refusal))
                    : MqttOutcome.skipped(SkipReason.DISCOVERY_NO_VALUE, String.join("; ", dropped));
            return done(none);
        }
        List<Store.Prepared> prepared = writes.stream().map(store::prepare).toList();
        return unlessRetainedSeen(message, digest, Route.none(null), acknowledgement -> {
            List<WriteRequest> applied = applyAll(prepared, remember(topic, digest), acknowledgement, dropped);
            return applied.isEmpty() && !prepared.isEmpty() && !dropped.isEmpty()
                    ? MqttOutcome.rejectedByDiscovery(new Rejection(RejectReason.INCONSISTENT, String.join("; ", dropped)))
                    : MqttOutcome.discovered(new MqttOutcome.Discovered(null, applied, deleted, dropped));
        });
    }

    /** An entity's value as a write of its group: a PUT of its one family, with the entity's TTL. */
    private WriteRequest entityWrite(HomeAssistantDiscovery.EntityState state, Optional<Duration> ttl, Source source) {
        Ttls resolved = ttls.resolve(state.key(), Source.Kind.MQTT, ttl, Map.of());
        return new WriteRequest(state.key(), Verb.PUT, Map.of(state.family().name(), state.family()), resolved, source);
    }

    /**
     * Applies the writes one after another through the store's one door; the last one carries {@code onApplied}
     * and the message's acknowledgement (writes become durable in order, so it covers them all). Says which were
     * applied; a refused one is added to {@code refused} in words.
     */
    private List<WriteRequest> applyAll(List<Store.Prepared> writes, Runnable onApplied, Acknowledgement acknowledgement,
            List<String> refused) {
        List<WriteRequest> applied = new ArrayList<>();
        for (int i = 0; i < writes.size(); i++) {
            boolean last = i == writes.size() - 1;
            Store.Prepared write = writes.get(i);
            WriteOutcome outcome = store.apply(write, last ? onApplied : null,
                    last ? acknowledgement.handToStore() : NOT_WAITING);
            if (outcome.wasApplied()) {
                applied.add(write.request());
            } else {
                refused.add(write.request().key() + ": " + outcome.refusal().message());
            }
        }
        return applied;
    }

    /**
     * A discovery config: the entity announced, changed or removed at once (its next state message is read by the
     * new config), the subscriptions following when the topics it needs change. A removed entity's group is
     * deleted, and so is the old group of an entity whose device changed its identity; a new entity whose state
     * topic had a message already takes its value from it.
     */
    private StoreStep discoveryConfig(MqttMessage message) {
        String topic = message.topic();
        HomeAssistantDiscovery.ConfigChange change = discovery.config(topic, message.payload());
        DiscoveryConfig.Read read = change.read();
        if (read.refusal() != null) {
            return done(MqttOutcome.rejectedByDiscovery(new Rejection(RejectReason.BAD_DISCOVERY_CONFIG, read.refusal())));
        }
        if (read.ignoredComponent() != null) {
            metrics.discoveryConfigIgnored(read.ignoredComponent());
            return done(MqttOutcome.skipped(SkipReason.DISCOVERY_COMPONENT, "component " + read.ignoredComponent()
                    + " is not mapped (only sensor and binary_sensor are)"));
        }
        if (change.topicsChanged()) {
            discoveryTopics.accept(discovery.topicFilters());
        }
        String said;
        if (read.removal()) {
            said = change.deleted() == null ? "no entity to remove" : "entity removed";
            log.atInfo().addKeyValue("topic", topic).log("discovery entity removed");
        } else {
            HomeAssistantDiscovery.Entity entity = change.added();
            said = "entity " + entity.config().entity() + " reads " + entity.config().stateTopic() + " as "
                    + entity.metric().name();
            log.atInfo().addKeyValue("topic", topic).addKeyValue("state_topic", entity.config().stateTopic())
                    .addKeyValue("metric", entity.metric().name()).addKeyValue("group", entity.key())
                    .log("discovery entity announced");
        }
        Source source = Source.mqtt(topic, message.retained());
        List<WriteRequest> writes = new ArrayList<>();
        List<GroupingKey> deleted = new ArrayList<>();
        if (change.deleted() != null) {
            writes.add(WriteRequest.delete(change.deleted(), source));
            deleted.add(change.deleted());
        }
        List<String> dropped = new ArrayList<>();
        HomeAssistantDiscovery.EntityState first = change.firstState();
        boolean firstRetained = first != null && discovery.lastStateRetained(first.entity().config().stateTopic());
        if (first != null && first.family() != null && (!firstRetained || retainedMode == RetainedMode.APPLY)) {
            String stateTopic = first.entity().config().stateTopic();
            writes.add(entityWrite(first, first.ttl(), Source.mqtt(stateTopic, firstRetained)));
        } else if (first != null && first.family() == null) {
            metrics.discoveryValueDropped(first.dropped());
            dropped.add(first.entity().config().entity() + ": " + first.why());
        }
        List<Store.Prepared> prepared = writes.stream().map(store::prepare).toList();
        return acknowledgement -> {
            List<WriteRequest> applied = applyAll(prepared, null, acknowledgement, dropped);
            return MqttOutcome.discovered(new MqttOutcome.Discovered(said, applied, deleted, dropped));
        };
    }

    /** A write's durability callback that does nothing, so the write does not wait for the disk. */
    private static final Runnable NOT_WAITING = () -> { };

    /**
     * A write a Tidegate took over HTTP and replicated ({@link ReplicatedWrite}): applied with the verb,
     * TTLs and time it carries, as resolved where it was taken (so every replica holds the same), once
     * per id, through the store's one door; the admin wipe too, which comes on its own topic ({@code key}
     * null). It leaves the retained-message memory alone: it is no device's message.
     */
    private MqttOutcome applyReplicated(MqttMessage message, GroupingKey key, Acknowledgement acknowledgement) {
        ReplicatedWrite.Decoded decoded = ReplicatedWrite.decode(message, key, maxPayloadBytes, store.bodyLimits());
        String id = decoded.id();
        if (id != null && !replications.firstTime(id)) {
            return MqttOutcome.skipped(null, SkipReason.DUPLICATE);
        }
        Rejection rejection = decoded.rejection();
        if (rejection != null) {
            if (id != null) {
                replications.outcome(id, WriteOutcome.rejected(rejection.message()));
            }
            return MqttOutcome.rejected(null, rejection);
        }
        WriteRequest request = decoded.request();
        boolean publishesState = states != null && states.publishesAfter(
                message.userProperties().get(ReplicatedWrite.ORIGIN), message.userProperties().get(ReplicatedWrite.STATE_BY));
        List<GroupingKey> wiped = publishesState && request.verb() == Verb.WIPE
                ? store.snapshot().groups().stream().map(Group::key).toList() : List.of();
        WriteOutcome outcome = store.apply(request, publishesState ? () -> publishState(request, wiped) : null,
                acknowledgement.handToStore());
        replications.outcome(id, outcome);
        return outcome.wasApplied() ? MqttOutcome.written(null, decoded.request())
                : MqttOutcome.rejected(null, refusal(outcome));
    }

    /**
     * Hands the state {@code request} left to {@link GroupStates}: under the store's writer lock, right
     * after the write, so states reach the broker in the order of the writes.
     */
    private void publishState(WriteRequest request, List<GroupingKey> wiped) {
        switch (request.verb()) {
            case PUT, POST -> {
                Group held = store.group(request.key());
                if (held != null) {
                    states.held(held);
                }
            }
            case DELETE -> states.cleared(request.key());
            case WIPE -> wiped.forEach(states::cleared);
        }
    }

    /**
     * A group's state, as the broker keeps it for replicas to come ({@link GroupStates}): taken when the
     * broker sends it retained (this replica subscribed, at its start or on a reconnect) unless the
     * store holds the group as written then or later; a live copy is not taken, since the write that
     * made it comes on the group's topic.
     */
    private MqttOutcome adopt(MqttMessage message, Acknowledgement acknowledgement) {
        String groupTopic = topics.groupTopicOfState(message.topic());
        if (!message.retained() || !states.takes(groupTopic)) {
            return MqttOutcome.skipped(null, SkipReason.GROUP_STATE);
        }
        TopicScheme.Parsed parsed = topics.parse(groupTopic);
        if (parsed.error() != null || parsed.metricLevel() != null) {
            return MqttOutcome.rejected(null, new Rejection(RejectReason.BAD_TOPIC, "a group state's topic must be "
                    + topics.stateFilter().replace("#", "") + " and a group's topic after the prefix"
                    + (parsed.error() == null ? ", without a metric level" : ": " + parsed.error())));
        }
        if (!GroupStates.CONTENT_TYPE.equals(message.contentType())) {
            return MqttOutcome.rejected(null, new Rejection(RejectReason.UNSUPPORTED_CONTENT_TYPE,
                    "a group state's content type must be " + GroupStates.CONTENT_TYPE + ", not " + message.contentType()));
        }
        Group group;
        try {
            group = GroupCodec.decode(message.payload());
        } catch (IllegalArgumentException e) {
            return MqttOutcome.rejected(null, new Rejection(RejectReason.BAD_PAYLOAD,
                    "group state does not decode: " + e.getMessage()));
        }
        if (!group.key().equals(parsed.key())) {
            return MqttOutcome.rejected(null, new Rejection(RejectReason.BAD_TOPIC, "the state is of the group "
                    + group.key() + ", not of " + parsed.key() + " that its topic names"));
        }
        Adoption adoption = store.apply(new StoreCommand.Adopt(group), null, acknowledgement.handToStore());
        return switch (adoption.result()) {
            case ADOPTED -> MqttOutcome.adopted(group.key());
            case HELD, EXPIRED -> MqttOutcome.skipped(null, SkipReason.GROUP_STATE);
            case REFUSED -> MqttOutcome.rejected(null, new Rejection(RejectReason.of(adoption.refusal().reason()),
                    adoption.refusal().message()));
        };
    }

    /** Why the store did not apply a write: over a bound of SPEC §7, or inconsistent with what it holds. */
    private static Rejection refusal(WriteOutcome outcome) {
        return new Rejection(RejectReason.of(outcome.refusal().reason()), outcome.refusal().message());
    }

    /** The replicated writes applied lately, and the pushes of this instance waiting for theirs. */
    public AppliedReplications appliedReplications() {
        return replications;
    }

    /**
     * Remembers the message once its write applied, under the store's writer lock: so the memory
     * is journalled after the write it stands for and made durable with it, before the ack.
     */
    private Runnable remember(String topic, Digest digest) {
        return () -> retainedMemory.remember(topic, digest);
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

    /** The topics Home Assistant discovery needs now (none without it): its config filters and the entities' topics. */
    public List<String> discoveryTopicFilters() {
        return discovery == null ? List.of() : discovery.topicFilters();
    }

    /** The subscriptions that receive every topic of Tidegate's own scheme, and nothing else. */
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
