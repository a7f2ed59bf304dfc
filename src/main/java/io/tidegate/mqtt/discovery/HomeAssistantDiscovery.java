package io.tidegate.mqtt.discovery;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import io.tidegate.format.MetricFamily;
import io.tidegate.key.GroupingKey;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Home Assistant MQTT discovery ({@code --mqtt.discovery=homeassistant}): the entities that the retained configs on
 * {@code <prefix>/<component>/[<node_id>/]<object_id>/config} announce, and what their state and availability
 * messages make of them. It holds no store: it says which group each entity is, what a state message writes there
 * and which groups an availability message takes away; the MQTT ingest writes through the store's one door.
 *
 * <p>Each entity is a group of its own, {@code {job="homeassistant", instance=<device>, entity=<component>/[<node
 * id>/]<object id>}}, so its {@code expire_after} is its group's TTL and a dead sensor disappears by itself. Sensors
 * and binary sensors are mapped ({@link EntityMetric}); other components are counted and left alone.
 *
 * <p>Thread-safe: every method takes this object's lock, and nothing in it waits.
 */
public final class HomeAssistantDiscovery {
    public static final String DEFAULT_PREFIX = "homeassistant";
    /** The {@code job} of every discovered entity's group. */
    public static final String JOB = "homeassistant";
    public static final String INSTANCE = "instance";
    public static final String ENTITY = "entity";
    /** The states Home Assistant means "no value" by: a value skipped, not refused. */
    private static final Set<String> NO_STATE = Set.of("", "unknown", "unavailable", "none");

    private final String prefix;
    private final Map<String, Entity> entities = new LinkedHashMap<>(); // by discovery topic
    private final Map<String, Set<String>> byStateTopic = new HashMap<>();
    private final Map<String, Set<String>> byAvailabilityTopic = new HashMap<>();
    /** The last message on each state topic of a known entity, for an entity announced after it came. */
    private final Map<String, LastState> lastStates = new HashMap<>();

    public HomeAssistantDiscovery(String prefix) {
        if (prefix.isEmpty() || prefix.contains("+") || prefix.contains("#")) {
            throw new IllegalArgumentException("the discovery prefix must be a topic without wildcards, not \""
                    + prefix + "\"");
        }
        this.prefix = prefix;
    }

    public String prefix() {
        return prefix;
    }

    /** An announced entity: its config, its group, its metric, and what its availability topics said last. */
    public record Entity(DiscoveryConfig config, GroupingKey key, EntityMetric metric, Map<String, Boolean> availability) {
    }

    private record LastState(byte[] payload, boolean retained) {
    }

    /** Why a state message gave an entity no value: counted, not a rejection of the message. */
    public enum DroppedValue {
        /** A sensor state that is no number (a text sensor, such as zigbee2mqtt's {@code action}). */
        NOT_A_NUMBER,
        /** {@code unknown}, {@code unavailable}, {@code None} or nothing: Home Assistant's "no value". */
        NO_STATE,
        /** The value template met an undefined value (a key the message does not have). */
        UNDEFINED,
        /** The value template failed ({@code float} of text without a default, a division by zero). */
        TEMPLATE_ERROR,
        /** A binary sensor's state that is neither its {@code payload_on} nor its {@code payload_off}. */
        NOT_ON_OR_OFF,
        /** The payload is not UTF-8 text. */
        NOT_TEXT;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * What a state message makes of one entity: the family to write to its group with the entity's TTL, or why
     * it gives none ({@code dropped}, with {@code why} in words).
     */
    public record EntityState(Entity entity, MetricFamily family, Optional<Duration> ttl, DroppedValue dropped,
            String why) {
        public GroupingKey key() {
            return entity.key();
        }
    }

    /**
     * What a config message changed: {@code read} says what it was; {@code deleted} the group that is no longer any
     * entity's (the entity removed, or its device's identity changed); {@code added} the entity announced or
     * changed; {@code firstState} its value from the last message its state topic had, when it is new;
     * {@code topicsChanged} whether {@link #topicFilters} changed.
     */
    public record ConfigChange(DiscoveryConfig.Read read, GroupingKey deleted, Entity added, EntityState firstState,
            boolean topicsChanged) {
    }

    /** Whether {@code topic} is a discovery config topic under the prefix. */
    public boolean isConfigTopic(String topic) {
        return DiscoveryConfig.ConfigTopic.parse(prefix, topic) != null;
    }

    /** Reads a config message and takes what it says. */
    public synchronized ConfigChange config(String topic, byte[] payload) {
        DiscoveryConfig.Read read = DiscoveryConfig.read(prefix, topic, payload);
        if (read.refusal() != null || read.ignoredComponent() != null) {
            return new ConfigChange(read, null, null, null, false);
        }
        List<String> before = topicFilters();
        String entityPath = DiscoveryConfig.ConfigTopic.parse(prefix, topic).entity();
        Entity old = entities.get(entityPath);
        if (read.removal()) {
            if (old == null) {
                return new ConfigChange(read, null, null, null, false);
            }
            forget(old);
            return new ConfigChange(read, old.key(), null, null, !before.equals(topicFilters()));
        }
        DiscoveryConfig config = read.config();
        GroupingKey key = GroupingKey.of(Map.of(GroupingKey.JOB, JOB, INSTANCE, config.instance(), ENTITY,
                config.entity()));
        Entity entity = new Entity(config, key, EntityMetric.of(config), new HashMap<>());
        if (old != null) {
            forget(old);
        }
        entities.put(entityPath, entity);
        byStateTopic.computeIfAbsent(config.stateTopic(), t -> new LinkedHashSet<>()).add(entityPath);
        for (DiscoveryConfig.Availability availability : config.availability()) {
            byAvailabilityTopic.computeIfAbsent(availability.topic(), t -> new LinkedHashSet<>()).add(entityPath);
        }
        GroupingKey deleted = old != null && !old.key().equals(key) ? old.key() : null;
        EntityState first = null;
        LastState last = lastStates.get(config.stateTopic());
        if (old == null && last != null) {
            first = state(entity, last.payload());
        }
        return new ConfigChange(read, deleted, entity, first, !before.equals(topicFilters()));
    }

    private void forget(Entity entity) {
        String path = entity.config().entity();
        entities.remove(path);
        remove(byStateTopic, entity.config().stateTopic(), path);
        if (!byStateTopic.containsKey(entity.config().stateTopic())) {
            lastStates.remove(entity.config().stateTopic());
        }
        for (DiscoveryConfig.Availability availability : entity.config().availability()) {
            remove(byAvailabilityTopic, availability.topic(), path);
        }
    }

    private static void remove(Map<String, Set<String>> index, String topic, String path) {
        Set<String> paths = index.get(topic);
        if (paths != null) {
            paths.remove(path);
            if (paths.isEmpty()) {
                index.remove(topic);
            }
        }
    }

    /** Whether some entity takes messages on {@code topic}, as its state or its availability topic. */
    public synchronized boolean takes(String topic) {
        return byStateTopic.containsKey(topic) || byAvailabilityTopic.containsKey(topic);
    }

    /** What a message on state topic {@code topic} makes of each entity that reads it, in the order they came. */
    public synchronized List<EntityState> states(String topic, byte[] payload, boolean retained) {
        Set<String> paths = byStateTopic.get(topic);
        if (paths == null) {
            return List.of();
        }
        lastStates.put(topic, new LastState(payload, retained));
        List<EntityState> out = new ArrayList<>(paths.size());
        for (String path : paths) {
            out.add(state(entities.get(path), payload));
        }
        return out;
    }

    /** Whether the last message a new entity's value came from was a retained one. */
    public synchronized boolean lastStateRetained(String stateTopic) {
        LastState last = lastStates.get(stateTopic);
        return last != null && last.retained();
    }

    /** What {@code payload} makes of {@code entity}: its family, or why it gives none. */
    public static EntityState state(Entity entity, byte[] payload) {
        DiscoveryConfig config = entity.config();
        String text = utf8(payload);
        if (text == null) {
            return dropped(entity, DroppedValue.NOT_TEXT, "the payload is not UTF-8");
        }
        String rendered = text;
        if (config.valueTemplate() != null) {
            ValueTemplate.Rendered result = config.valueTemplate().render(text, json(text));
            if (result.text() == null) {
                return dropped(entity, result.undefined() ? DroppedValue.UNDEFINED : DroppedValue.TEMPLATE_ERROR,
                        "value_template " + config.valueTemplate().source() + ": " + result.error());
            }
            rendered = result.text();
        }
        Optional<Duration> ttl = Optional.ofNullable(config.expireAfterSeconds()).map(Duration::ofSeconds);
        if (config.component().equals(DiscoveryConfig.BINARY_SENSOR)) {
            double value;
            if (rendered.equals(config.payloadOn())) {
                value = 1;
            } else if (rendered.equals(config.payloadOff())) {
                value = 0;
            } else if (NO_STATE.contains(rendered.strip().toLowerCase(Locale.ROOT))) {
                return dropped(entity, DroppedValue.NO_STATE, "state \"" + rendered + "\" says no value");
            } else {
                return dropped(entity, DroppedValue.NOT_ON_OR_OFF, "state \"" + shorten(rendered)
                        + "\" is neither payload_on \"" + config.payloadOn() + "\" nor payload_off \""
                        + config.payloadOff() + "\"");
            }
            return new EntityState(entity, entity.metric().family(value), ttl, null, null);
        }
        if (NO_STATE.contains(rendered.strip().toLowerCase(Locale.ROOT))) {
            return dropped(entity, DroppedValue.NO_STATE, "state \"" + rendered + "\" says no value");
        }
        Double number = ValueTemplate.number(rendered);
        if (number == null) {
            return dropped(entity, DroppedValue.NOT_A_NUMBER, "state \"" + shorten(rendered) + "\" is not a number");
        }
        return new EntityState(entity, entity.metric().family(number), ttl, null, null);
    }

    private static EntityState dropped(Entity entity, DroppedValue reason, String why) {
        return new EntityState(entity, null, Optional.empty(), reason, why);
    }

    private static String shorten(String text) {
        return text.length() > 60 ? text.substring(0, 60) + "…" : text;
    }

    /**
     * Takes a message on availability topic {@code topic}: the groups of the entities it makes unavailable (under
     * their {@code availability_mode}: with {@code latest} and {@code all}, a "not available" on any of their topics;
     * with {@code any}, one when none of the others last said "available"); an entity that stays or becomes available changes nothing, its next state
     * brings it back. Payloads that say neither, or whose template fails, change nothing.
     */
    public synchronized List<GroupingKey> availability(String topic, byte[] payload) {
        Set<String> paths = byAvailabilityTopic.get(topic);
        if (paths == null) {
            return List.of();
        }
        String text = utf8(payload);
        List<GroupingKey> unavailable = new ArrayList<>();
        for (String path : paths) {
            Entity entity = entities.get(path);
            Boolean said = null;
            for (DiscoveryConfig.Availability availability : entity.config().availability()) {
                if (!availability.topic().equals(topic) || text == null) {
                    continue;
                }
                String rendered = text;
                if (availability.template() != null) {
                    rendered = availability.template().render(text, json(text)).text();
                }
                if (rendered == null) {
                    continue;
                }
                if (rendered.equals(availability.payloadAvailable())) {
                    said = true;
                } else if (rendered.equals(availability.payloadNotAvailable())) {
                    said = false;
                }
            }
            if (said == null) {
                continue;
            }
            entity.availability().put(topic, said);
            // only a topic saying "not available" takes the entity away: with "all" at once, with "any" once no other
            // topic's last word is "available"; a topic not heard from yet says nothing either way
            boolean available = said || switch (entity.config().availabilityMode()) {
                case LATEST, ALL -> false;
                case ANY -> entity.availability().containsValue(true);
            };
            if (!available && !unavailable.contains(entity.key())) {
                unavailable.add(entity.key());
            }
        }
        return unavailable;
    }

    /**
     * The topics to subscribe to: the configs ({@code <prefix>/+/+/config} and {@code <prefix>/+/+/+/config}), and the
     * state and availability topics of the entities known.
     */
    public synchronized List<String> topicFilters() {
        LinkedHashSet<String> filters = new LinkedHashSet<>();
        filters.add(prefix + "/+/+/config");
        filters.add(prefix + "/+/+/+/config");
        new TreeMap<>(byStateTopic).keySet().forEach(filters::add);
        new TreeMap<>(byAvailabilityTopic).keySet().forEach(filters::add);
        return List.copyOf(filters);
    }

    /** How many entities are known, by component. */
    public synchronized Map<String, Long> entitiesByComponent() {
        Map<String, Long> counts = new TreeMap<>();
        counts.put(DiscoveryConfig.SENSOR, 0L);
        counts.put(DiscoveryConfig.BINARY_SENSOR, 0L);
        for (Entity entity : entities.values()) {
            counts.merge(entity.config().component(), 1L, Long::sum);
        }
        return counts;
    }

    /** The entity announced on discovery topic path {@code entity} ({@code sensor/node/object}), or null. */
    public synchronized Entity entity(String entity) {
        return entities.get(entity);
    }

    private static String utf8(byte[] payload) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(payload)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** The payload as JSON, as Home Assistant's {@code value_json}: null (undefined) when it is not JSON. */
    static JsonElement json(String text) {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            return null;
        }
        try (JsonReader reader = new JsonReader(new StringReader(trimmed))) {
            reader.setStrictness(Strictness.STRICT);
            JsonElement root = JsonParser.parseReader(reader);
            return reader.peek() == JsonToken.END_DOCUMENT ? root : null;
        } catch (JsonParseException | IOException | IllegalStateException | NumberFormatException
                | StackOverflowError e) {
            return null;
        }
    }
}
