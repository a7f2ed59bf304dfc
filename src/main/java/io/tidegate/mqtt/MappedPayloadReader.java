package io.tidegate.mqtt;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.tidegate.mqtt.mapping.JsonPath;
import io.tidegate.mqtt.mapping.MqttMapping;
import io.tidegate.mqtt.mapping.MqttMapping.MappedMetric;
import io.tidegate.format.BodyFormatException;
import io.tidegate.format.GoQuote;
import io.tidegate.format.Label;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.ParsedBody;
import io.tidegate.key.GroupingKey;
import io.tidegate.store.Verb;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads a message the way the {@link MqttMapping} that applies to its topic says: the grouping key
 * from the captured topic levels, the families from the payload (JSON fields, a plain value or
 * Prometheus text), or for an availability rule whether the device went offline. Pure: the ingest
 * does the rest (retained copies, TTL, limits, the store) exactly as for its own topics.
 */
final class MappedPayloadReader {
    private final PayloadReader payloads;

    MappedPayloadReader(PayloadReader payloads) {
        this.payloads = payloads;
    }

    /** The grouping key a rule gives a topic, or why there is none (an empty job). */
    record Key(GroupingKey key, Rejection rejection) {}

    static Key key(MqttMapping rule, Map<String, String> captures) {
        Map<String, String> labels = new TreeMap<>();
        rule.group().forEach((name, template) -> labels.put(name, template.render(captures)));
        if (labels.containsKey(GroupingKey.JOB) && labels.get(GroupingKey.JOB).isEmpty()) {
            return new Key(null, new Rejection(RejectReason.BAD_TOPIC, "rule " + rule.name()
                    + ": the job label is empty for this topic"));
        }
        return new Key(GroupingKey.of(labels), null);
    }

    /** What an availability message says. */
    enum DeviceState { ONLINE, OFFLINE }

    /** What an availability message says, or why it says nothing Tidegate understands. */
    record AvailabilityRead(DeviceState state, Rejection rejection) {}

    AvailabilityRead availability(MqttMapping rule, byte[] payload) {
        MqttMapping.Availability meaning = rule.availability();
        if (!PayloadReader.isUtf8(payload)) {
            return new AvailabilityRead(null, rejected(rule, "payload is not valid UTF-8"));
        }
        String text = new String(payload, StandardCharsets.UTF_8).strip();
        if (meaning.path() != null && text.startsWith("{")) {
            try {
                List<JsonPath.Selected> found = meaning.path().select(JsonPayload.parse(text));
                JsonElement value = found.isEmpty() ? null : found.get(0).value();
                if (!(value instanceof JsonPrimitive primitive)) {
                    return new AvailabilityRead(null, rejected(rule, "the JSON payload has no value at " + meaning.path()));
                }
                text = primitive.getAsString().strip();
            } catch (BodyFormatException e) {
                return new AvailabilityRead(null, rejected(rule, e.getMessage()));
            }
        }
        String word = text.toLowerCase(Locale.ROOT);
        if (meaning.offline().contains(word)) {
            return new AvailabilityRead(DeviceState.OFFLINE, null);
        }
        if (meaning.online().contains(word)) {
            return new AvailabilityRead(DeviceState.ONLINE, null);
        }
        return new AvailabilityRead(null, rejected(rule, "availability " + GoQuote.string(text) + " is neither offline ("
                + sorted(meaning.offline()) + ") nor online (" + sorted(meaning.online()) + ")"));
    }

    /** The families of a non-empty payload and the verb that writes them, or why it cannot be used. */
    PayloadReader.Read read(MqttMapping rule, Map<String, String> captures, String topic, byte[] payload) {
        if (!PayloadReader.isUtf8(payload)) {
            return PayloadReader.Read.rejected(RejectReason.BAD_PAYLOAD, "rule " + rule.name() + ": payload is not valid UTF-8");
        }
        Verb verb = rule.replacesGroup() ? Verb.PUT : Verb.POST;
        try {
            ParsedBody body = switch (rule.format()) {
                case PROMETHEUS -> payloads.text(payload);
                case JSON -> ParsedBody.of(json(rule, captures, payload));
                case VALUE -> ParsedBody.of(value(rule, captures, topic, new String(payload, StandardCharsets.UTF_8)));
            };
            return new PayloadReader.Read(body, verb, null);
        } catch (BodyFormatException e) {
            return PayloadReader.Read.rejected(RejectReason.of(e.reason()), "rule " + rule.name() + ": " + e.getMessage());
        }
    }

    private static Map<String, MetricFamily> value(MqttMapping rule, Map<String, String> captures, String topic,
            String payload) throws BodyFormatException {
        MappedMetric metric = rule.metrics().get(0);
        String text = unquoted(payload.strip());
        Double value = metric.valueOf(text);
        if (value == null) {
            throw new BodyFormatException(notANumber(GoQuote.string(text), metric));
        }
        String lastLevel = topic.substring(topic.lastIndexOf('/') + 1);
        Map<String, MetricFamily> families = new LinkedHashMap<>();
        add(families, name(rule, metric, captures, lastLevel), metric, List.of(), value);
        return families;
    }

    /** A JSON string as Home Assistant's statestream publishes attributes ({@code "on"}) is its text. */
    private static String unquoted(String text) {
        if (text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")) {
            try {
                JsonElement element = JsonPayload.parse(text);
                return element.getAsString();
            } catch (BodyFormatException | RuntimeException e) {
                return text; // not a JSON string after all: reported as the text it is
            }
        }
        return text;
    }

    private Map<String, MetricFamily> json(MqttMapping rule, Map<String, String> captures, byte[] payload)
            throws BodyFormatException {
        JsonElement root = JsonPayload.parse(payload);
        if (!(root instanceof JsonObject)) {
            throw new BodyFormatException("JSON payload must be an object");
        }
        List<Label> labels = labels(rule, root);
        if (rule.metrics().isEmpty()) {
            return everyNumber(rule, payload, labels);
        }
        Map<String, MetricFamily> families = new LinkedHashMap<>();
        for (MappedMetric metric : rule.metrics()) {
            List<JsonPath.Selected> found = metric.path().select(root);
            found.removeIf(selected -> selected.value().isJsonNull());
            if (found.isEmpty()) {
                if (metric.optional()) {
                    continue;
                }
                throw new BodyFormatException("no value at " + metric.path() + " (mark the metric optional: true if"
                        + " the device does not always send it)");
            }
            for (JsonPath.Selected selected : found) {
                List<Label> series = labels;
                if (metric.keyLabel() != null) {
                    series = new ArrayList<>(labels);
                    series.add(new Label(metric.keyLabel(), selected.wildcardKey()));
                }
                double value = number(metric, selected.value());
                add(families, name(rule, metric, captures, metric.path().lastKey()), metric, series, value);
            }
        }
        if (families.isEmpty()) {
            throw new BodyFormatException("none of the rule's metrics is in the payload");
        }
        return families;
    }

    /** Without a list of metrics, every number and boolean, as on Tidegate's own topics, with the rule's prefix and labels. */
    private Map<String, MetricFamily> everyNumber(MqttMapping rule, byte[] payload, List<Label> labels)
            throws BodyFormatException {
        Map<String, MetricFamily> families = new LinkedHashMap<>();
        for (MetricFamily family : payloads.json(payload).values()) {
            String name = rule.prefix() + family.name();
            List<Metric> metrics = family.metrics().stream().map(metric -> metric.withLabels(labels)).toList();
            families.put(name, new MetricFamily(name, null, family.type(), metrics));
        }
        return families;
    }

    private static List<Label> labels(MqttMapping rule, JsonElement root) {
        if (rule.labels().isEmpty()) {
            return List.of();
        }
        List<Label> labels = new ArrayList<>();
        rule.labels().forEach((name, path) -> {
            List<JsonPath.Selected> found = path.select(root);
            if (!found.isEmpty() && found.get(0).value() instanceof JsonPrimitive primitive) {
                labels.add(new Label(name, primitive.getAsString()));
            }
        });
        return labels;
    }

    private static double number(MappedMetric metric, JsonElement element) throws BodyFormatException {
        if (element instanceof JsonPrimitive primitive) {
            if (primitive.isBoolean()) {
                return (primitive.getAsBoolean() ? 1 : 0) * metric.scale();
            }
            if (primitive.isNumber()) {
                return primitive.getAsDouble() * metric.scale();
            }
            Double value = metric.valueOf(primitive.getAsString());
            if (value != null) {
                return value;
            }
            throw new BodyFormatException("value at " + metric.path() + ": "
                    + notANumber(GoQuote.string(primitive.getAsString()), metric));
        }
        throw new BodyFormatException("value at " + metric.path() + " is " + (element.isJsonObject() ? "an object" : "an array")
                + ", not a number");
    }

    private static String notANumber(String quoted, MappedMetric metric) {
        return quoted + " is not a number" + (metric.values().isEmpty() ? " (a values map turns strings into numbers)"
                : " and not one of the metric's values (" + sorted(metric.values().keySet()) + ")"
                        + (metric.ignoreCase() ? " (case ignored)" : ""));
    }

    private static String name(MqttMapping rule, MappedMetric metric, Map<String, String> captures, String fallback)
            throws BodyFormatException {
        String name = metric.metricName(rule.prefix(), captures, fallback);
        if (name.isEmpty()) {
            throw new BodyFormatException("the metric name is empty for this topic");
        }
        String known = NAMES.putIfAbsent(name, name);
        if (known == null && NAMES.size() > NAMES_REMEMBERED) {
            NAMES.clear();
        }
        return known != null ? known : name;
    }

    /**
     * The metric names rules made lately, each kept once: every message of a device carries the same
     * string (its hash computed once), and the store keeps one copy of it rather than one per message.
     */
    private static final ConcurrentHashMap<String, String> NAMES = new ConcurrentHashMap<>();
    private static final int NAMES_REMEMBERED = 10_000;

    /** Adds a series; metrics of a rule that come out with the same name share one family. */
    private static void add(Map<String, MetricFamily> families, String name, MappedMetric metric, List<Label> labels,
            double value) {
        Metric series = Metric.simple(labels, value, null);
        MetricFamily family = families.get(name);
        if (family == null) {
            families.put(name, new MetricFamily(name, metric.help(), metric.type(), List.of(series)));
        } else {
            List<Metric> metrics = new ArrayList<>(family.metrics());
            metrics.add(series);
            families.put(name, family.withMetrics(metrics));
        }
    }

    private static Rejection rejected(MqttMapping rule, String message) {
        return new Rejection(RejectReason.BAD_PAYLOAD, "rule " + rule.name() + ": " + message);
    }

    private static String sorted(Set<String> words) {
        return String.join(", ", new TreeSet<>(words));
    }
}
