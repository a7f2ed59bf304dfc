package io.tidegate.mqtt.discovery;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One entity's Home Assistant discovery config, as read from its retained message on
 * {@code <prefix>/<component>/[<node_id>/]<object_id>/config}: full and abbreviated keys alike
 * ({@link DiscoveryAbbreviations}), the {@code ~} base topic put into every {@code *_topic} (and each
 * availability entry's {@code topic}) that starts or ends with it, as Home Assistant does.
 *
 * @param entity the discovery topic between the prefix and {@code /config}, such as
 *     {@code sensor/0x00158d0001/temperature}: the entity's identity, as in Home Assistant
 * @param instance the device's first identifier, else its first connection as {@code type_value}, else the
 *     topic's node id, else its object id
 * @param valueTemplate null without one: the payload itself is the state
 * @param expireAfterSeconds null without {@code expire_after}
 */
public record DiscoveryConfig(String topic, String component, String nodeId, String objectId, String entity,
        String name, String stateTopic, ValueTemplate valueTemplate, String unit, String deviceClass,
        String stateClass, Long expireAfterSeconds, String payloadOn, String payloadOff,
        List<Availability> availability, AvailabilityMode availabilityMode, Device device, String instance) {

    public static final String SENSOR = "sensor";
    public static final String BINARY_SENSOR = "binary_sensor";
    /** Home Assistant's defaults for a binary sensor's states and an availability topic's payloads. */
    static final String DEFAULT_ON = "ON";
    static final String DEFAULT_OFF = "OFF";
    static final String DEFAULT_AVAILABLE = "online";
    static final String DEFAULT_NOT_AVAILABLE = "offline";

    /** One availability topic: its payloads meaning available and not, read through its template if it has one. */
    public record Availability(String topic, String payloadAvailable, String payloadNotAvailable, ValueTemplate template) {
    }

    /** How several availability topics combine ({@code availability_mode}). */
    public enum AvailabilityMode {
        /** The last message on any of them decides (Home Assistant's default). */
        LATEST,
        /** Available while every one of them says available. */
        ALL,
        /** Available while any of them says available. */
        ANY
    }

    /** The device an entity belongs to: what its series are labelled with. */
    public record Device(String name, String model, String manufacturer, List<String> identifiers,
            List<String> connections) {
        static final Device NONE = new Device(null, null, null, List.of(), List.of());
    }

    /**
     * What a message on a config topic says: a config, the removal of the entity (an empty payload), a component
     * Tidegate does not map (counted, not an error), or why the config is refused.
     */
    public record Read(DiscoveryConfig config, boolean removal, String ignoredComponent, String refusal) {
        static Read refused(String topic, String why) {
            return new Read(null, false, null, "discovery config on " + topic + ": " + why);
        }
    }

    /** Where a config topic's parts are, or null when {@code topic} is not {@code <prefix>/<component>/[<node_id>/]<object_id>/config}. */
    public record ConfigTopic(String component, String nodeId, String objectId, String entity) {
        public static ConfigTopic parse(String prefix, String topic) {
            if (!topic.startsWith(prefix + "/") || !topic.endsWith("/config")) {
                return null;
            }
            String entity = topic.substring(prefix.length() + 1, topic.length() - "/config".length());
            String[] levels = entity.split("/", -1);
            if (levels.length < 2 || levels.length > 3) {
                return null;
            }
            for (String level : levels) {
                if (level.isEmpty()) {
                    return null;
                }
            }
            return levels.length == 2 ? new ConfigTopic(levels[0], null, levels[1], entity)
                    : new ConfigTopic(levels[0], levels[1], levels[2], entity);
        }
    }

    /** Reads the message on config topic {@code topic}; never throws for anything a publisher sends. */
    public static Read read(String prefix, String topic, byte[] payload) {
        ConfigTopic where = ConfigTopic.parse(prefix, topic);
        if (where == null) {
            return Read.refused(topic, "the topic is not " + prefix + "/<component>/[<node_id>/]<object_id>/config");
        }
        if (payload.length == 0) {
            return new Read(null, true, null, null);
        }
        if (!where.component().equals(SENSOR) && !where.component().equals(BINARY_SENSOR)) {
            return new Read(null, false, where.component(), null);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(payload)).toString();
        } catch (CharacterCodingException e) {
            return Read.refused(topic, "the payload is not UTF-8");
        }
        JsonElement parsed = HomeAssistantDiscovery.json(text);
        if (parsed == null) {
            return Read.refused(topic, "the payload is not JSON");
        }
        if (!parsed.isJsonObject()) {
            return Read.refused(topic, "the payload is not a JSON object");
        }
        try {
            return new Reader(topic, expand(parsed.getAsJsonObject(), DiscoveryAbbreviations.CONFIG)).read(where);
        } catch (Refusal e) {
            return Read.refused(topic, e.getMessage());
        }
    }

    private static final class Refusal extends RuntimeException {
        Refusal(String message) {
            super(message, null, false, false);
        }
    }

    /** The object with its abbreviated keys written out in full; a key given both ways keeps the full one. */
    private static JsonObject expand(JsonObject object, Map<String, String> abbreviations) {
        JsonObject out = new JsonObject();
        for (Map.Entry<String, JsonElement> member : object.entrySet()) {
            String key = abbreviations.getOrDefault(member.getKey(), member.getKey());
            if (!out.has(key) || key.equals(member.getKey())) {
                out.add(key, member.getValue());
            }
        }
        return out;
    }

    private static final class Reader {
        private final String topic;
        private final JsonObject config;
        private final String base;

        Reader(String topic, JsonObject config) {
            this.topic = topic;
            this.config = config;
            this.base = config.has("~") ? string("~") : null;
        }

        Read read(ConfigTopic where) {
            String stateTopic = topicValue("state_topic", true);
            String template = string("value_template");
            ValueTemplate valueTemplate = null;
            if (template != null) {
                ValueTemplate.Compiled compiled = ValueTemplate.compile(template);
                if (compiled.refusal() != null) {
                    throw new Refusal("value_template: " + compiled.refusal());
                }
                valueTemplate = compiled.template();
            }
            Long expireAfter = null;
            if (present("expire_after")) {
                JsonElement value = config.get("expire_after");
                if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
                    throw new Refusal("expire_after must be a number of seconds");
                }
                double seconds = value.getAsDouble();
                if (!(seconds >= 0) || seconds > 0xFFFF_FFFFL || seconds != Math.rint(seconds)) {
                    throw new Refusal("expire_after must be a whole number of seconds from 0, not " + value);
                }
                expireAfter = seconds == 0 ? null : (long) seconds; // 0 is Home Assistant's "never"
            }
            Device device = device();
            String instance = !device.identifiers().isEmpty() ? device.identifiers().get(0)
                    : !device.connections().isEmpty() ? device.connections().get(0)
                    : where.nodeId() != null ? where.nodeId() : where.objectId();
            return new Read(new DiscoveryConfig(topic, where.component(), where.nodeId(), where.objectId(),
                    where.entity(), string("name"), stateTopic, valueTemplate, string("unit_of_measurement"),
                    string("device_class"), string("state_class"), expireAfter,
                    payload("payload_on", DEFAULT_ON), payload("payload_off", DEFAULT_OFF), availability(),
                    availabilityMode(), device, instance), false, null, null);
        }

        private boolean present(String key) {
            return config.has(key) && !config.get(key).isJsonNull();
        }

        /** A text value; null when absent or null. A number or boolean is taken as Python writes it. */
        private String string(String key) {
            return text(config, key, key);
        }

        private static String text(JsonObject object, String key, String shown) {
            JsonElement value = object.get(key);
            if (value == null || value.isJsonNull()) {
                return null;
            }
            if (!value.isJsonPrimitive()) {
                throw new Refusal(shown + " must be a string, not " + (value.isJsonObject() ? "an object" : "a list"));
            }
            return scalar(value.getAsJsonPrimitive());
        }

        /** A payload_on/payload_off as Home Assistant's schema makes it: a string, {@code true} becoming {@code True}. */
        private String payload(String key, String fallback) {
            String value = string(key);
            return value == null ? fallback : value;
        }

        private static String scalar(JsonPrimitive primitive) {
            if (primitive.isBoolean()) {
                return primitive.getAsBoolean() ? "True" : "False";
            }
            return primitive.getAsString();
        }

        /** A topic, with {@code ~} replaced by the base topic at its start or end. */
        private String topicValue(String key, boolean required) {
            String value = string(key);
            if (value == null || value.isEmpty()) {
                if (required) {
                    throw new Refusal(key + " is missing");
                }
                return null;
            }
            return withBase(value, key);
        }

        private String withBase(String value, String key) {
            if (base != null) {
                if (value.startsWith("~")) {
                    value = base + value.substring(1);
                }
                if (value.endsWith("~")) {
                    value = value.substring(0, value.length() - 1) + base;
                }
            }
            if (value.isEmpty() || value.contains("+") || value.contains("#") || value.indexOf('\0') >= 0) {
                throw new Refusal(key + " \"" + value + "\" is not a topic one can publish on");
            }
            return value;
        }

        private List<Availability> availability() {
            List<Availability> out = new ArrayList<>();
            String single = topicValue("availability_topic", false);
            if (single != null) {
                out.add(new Availability(single, payload("payload_available", DEFAULT_AVAILABLE),
                        payload("payload_not_available", DEFAULT_NOT_AVAILABLE),
                        template(string("availability_template"), "availability_template")));
            }
            JsonElement list = config.get("availability");
            if (list != null && !list.isJsonNull()) {
                JsonArray entries;
                if (list.isJsonArray()) {
                    entries = list.getAsJsonArray();
                } else if (list.isJsonObject()) {
                    entries = new JsonArray();
                    entries.add(list);
                } else {
                    throw new Refusal("availability must be a list of {topic, ...}");
                }
                for (int i = 0; i < entries.size(); i++) {
                    JsonElement entry = entries.get(i);
                    String shown = "availability[" + i + "]";
                    if (!entry.isJsonObject()) {
                        throw new Refusal(shown + " must be an object with a topic");
                    }
                    JsonObject item = expand(entry.getAsJsonObject(), DiscoveryAbbreviations.CONFIG);
                    String itemTopic = text(item, "topic", shown + ".topic");
                    if (itemTopic == null || itemTopic.isEmpty()) {
                        throw new Refusal(shown + ".topic is missing");
                    }
                    String available = text(item, "payload_available", shown + ".payload_available");
                    String notAvailable = text(item, "payload_not_available", shown + ".payload_not_available");
                    out.add(new Availability(withBase(itemTopic, shown + ".topic"),
                            available == null ? DEFAULT_AVAILABLE : available,
                            notAvailable == null ? DEFAULT_NOT_AVAILABLE : notAvailable,
                            template(text(item, "value_template", shown + ".value_template"), shown + ".value_template")));
                }
            }
            return List.copyOf(out);
        }

        private static ValueTemplate template(String source, String key) {
            if (source == null) {
                return null;
            }
            ValueTemplate.Compiled compiled = ValueTemplate.compile(source);
            if (compiled.refusal() != null) {
                throw new Refusal(key + ": " + compiled.refusal());
            }
            return compiled.template();
        }

        private AvailabilityMode availabilityMode() {
            String mode = string("availability_mode");
            if (mode == null) {
                return AvailabilityMode.LATEST;
            }
            return switch (mode) {
                case "latest" -> AvailabilityMode.LATEST;
                case "all" -> AvailabilityMode.ALL;
                case "any" -> AvailabilityMode.ANY;
                default -> throw new Refusal("availability_mode must be latest, all or any, not \"" + mode + "\"");
            };
        }

        private Device device() {
            JsonElement block = config.get("device");
            if (block == null || block.isJsonNull()) {
                return Device.NONE;
            }
            if (!block.isJsonObject()) {
                throw new Refusal("device must be an object");
            }
            JsonObject device = expand(block.getAsJsonObject(), DiscoveryAbbreviations.DEVICE);
            List<String> identifiers = new ArrayList<>();
            JsonElement ids = device.get("identifiers");
            if (ids != null && !ids.isJsonNull()) {
                if (ids.isJsonPrimitive()) {
                    identifiers.add(scalar(ids.getAsJsonPrimitive()));
                } else if (ids.isJsonArray()) {
                    for (JsonElement id : ids.getAsJsonArray()) {
                        if (!id.isJsonPrimitive()) {
                            throw new Refusal("device.identifiers must be a string or a list of strings");
                        }
                        identifiers.add(scalar(id.getAsJsonPrimitive()));
                    }
                } else {
                    throw new Refusal("device.identifiers must be a string or a list of strings");
                }
            }
            List<String> connections = new ArrayList<>();
            JsonElement cns = device.get("connections");
            if (cns != null && !cns.isJsonNull()) {
                if (!cns.isJsonArray()) {
                    throw new Refusal("device.connections must be a list of [type, value] pairs");
                }
                for (JsonElement pair : cns.getAsJsonArray()) {
                    if (!pair.isJsonArray() || pair.getAsJsonArray().size() != 2
                            || !pair.getAsJsonArray().get(0).isJsonPrimitive()
                            || !pair.getAsJsonArray().get(1).isJsonPrimitive()) {
                        throw new Refusal("device.connections must be a list of [type, value] pairs");
                    }
                    connections.add(scalar(pair.getAsJsonArray().get(0).getAsJsonPrimitive()) + "_"
                            + scalar(pair.getAsJsonArray().get(1).getAsJsonPrimitive()));
                }
            }
            return new Device(text(device, "name", "device.name"), text(device, "model", "device.model"),
                    text(device, "manufacturer", "device.manufacturer"), List.copyOf(identifiers),
                    List.copyOf(connections));
        }
    }
}
