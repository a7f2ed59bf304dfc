package io.tidegate.mqtt;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.tidegate.mqtt.mapping.JsonPath;
import io.tidegate.mqtt.mapping.MqttMapping;
import io.tidegate.mqtt.mapping.MqttMapping.MappedMetric;
import io.tidegate.mqtt.mapping.RegexGroups;
import io.tidegate.format.BodyFormatException;
import io.tidegate.format.GoQuote;
import io.tidegate.format.Label;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.NameValidation;
import io.tidegate.format.ParsedBody;
import io.tidegate.format.RecentlyMade;
import io.tidegate.key.GroupingKey;
import io.tidegate.store.Verb;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;

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

    /**
     * What a rule made of a payload.
     *
     * @param read the families and the verb that writes them, or why the payload cannot be used; null when left out
     * @param skippedFields the fields optional metrics left out, in the order of the rule's metrics
     * @param leftOut true when the rule takes nothing from the message: its {@code when} conditions leave it out,
     *     or it carries none of the rule's metrics, all of them optional. Such a message is skipped, not refused
     */
    record MappedRead(PayloadReader.Read read, List<SkippedField> skippedFields, boolean leftOut) {
        MappedRead {
            skippedFields = List.copyOf(skippedFields);
        }

        static MappedRead of(PayloadReader.Read read) {
            return new MappedRead(read, List.of(), false);
        }
    }

    /** The families of a non-empty payload and the verb that writes them, or why it cannot be used. */
    MappedRead read(MqttMapping rule, Map<String, String> captures, String topic, byte[] payload) {
        return read(rule, captures, topic, payload, true);
    }

    /**
     * {@link #read(MqttMapping, Map, String, byte[])}, with {@code flatPath} false reading every JSON payload as a
     * tree, as it was read before {@link FlatJson}: what the two make of a payload must be the same.
     */
    MappedRead read(MqttMapping rule, Map<String, String> captures, String topic, byte[] payload, boolean flatPath) {
        if (!PayloadReader.isUtf8(payload)) {
            return MappedRead.of(PayloadReader.Read.rejected(RejectReason.BAD_PAYLOAD, "rule " + rule.name()
                    + ": payload is not valid UTF-8"));
        }
        Verb verb = rule.replacesGroup() ? Verb.PUT : Verb.POST;
        try {
            return switch (rule.format()) {
                case PROMETHEUS -> MappedRead.of(new PayloadReader.Read(payloads.text(payload), verb, null));
                case JSON -> json(rule, captures, payload, verb, flatPath);
                case VALUE -> MappedRead.of(new PayloadReader.Read(
                        ParsedBody.of(value(rule, captures, topic, new String(payload, StandardCharsets.UTF_8))), verb, null));
            };
        } catch (BodyFormatException e) {
            return MappedRead.of(PayloadReader.Read.rejected(RejectReason.of(e.reason()), "rule " + rule.name() + ": "
                    + e.getMessage()));
        }
    }

    private Map<String, MetricFamily> value(MqttMapping rule, Map<String, String> captures, String topic,
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

    private MappedRead json(MqttMapping rule, Map<String, String> captures, byte[] payload, Verb verb,
            boolean flatPath) throws BodyFormatException {
        FlatRule flat = flatPath ? flatRule(rule) : null;
        if (flat != null) {
            FlatJson.Members members = FlatJson.read(payload, flat.keys(), flat.textWanted());
            if (members != null) {
                return flat(rule, flat, members, captures, verb);
            }
        }
        return tree(rule, captures, payload, verb);
    }

    /**
     * The keys a JSON rule reads, when each of its metrics and labels names one key ({@code temperature}, not
     * {@code ENERGY.Power}, {@code *} or an index) and it has no {@code when} conditions: such a rule reads a
     * payload's members without its tree ({@link FlatJson}).
     *
     * @param rule the rule; one that is not such a rule is remembered with every other component null
     * @param keys each key once, as UTF-8
     * @param textWanted per key, whether a label takes its value as written
     * @param metricKeys per metric of the rule, the index of its key
     * @param labelNames the rule's labels in their order, and {@code labelKeys} the index of the key of each
     */
    private record FlatRule(MqttMapping rule, byte[][] keys, boolean[] textWanted, int[] metricKeys,
            String[] labelNames, int[] labelKeys) {

        static FlatRule of(MqttMapping rule) {
            if (!rule.when().isEmpty() || rule.metrics().isEmpty()) {
                return null;
            }
            List<String> keys = new ArrayList<>();
            int[] metricKeys = new int[rule.metrics().size()];
            for (int m = 0; m < metricKeys.length; m++) {
                MappedMetric metric = rule.metrics().get(m);
                String key = metric.path().singleKey();
                if (key == null || metric.keyLabel() != null || metric.keyMatch() != null) {
                    return null;
                }
                metricKeys[m] = indexOf(keys, key);
            }
            String[] labelNames = rule.labels().keySet().toArray(new String[0]);
            int[] labelKeys = new int[labelNames.length];
            for (int l = 0; l < labelNames.length; l++) {
                String key = rule.labels().get(labelNames[l]).singleKey();
                if (key == null) {
                    return null;
                }
                labelKeys[l] = indexOf(keys, key);
            }
            byte[][] utf8 = new byte[keys.size()][];
            for (int k = 0; k < utf8.length; k++) {
                utf8[k] = keys.get(k).getBytes(StandardCharsets.UTF_8);
            }
            boolean[] textWanted = new boolean[utf8.length];
            for (int key : labelKeys) {
                textWanted[key] = true;
            }
            return new FlatRule(rule, utf8, textWanted, metricKeys, labelNames, labelKeys);
        }

        private static int indexOf(List<String> keys, String key) {
            int at = keys.indexOf(key);
            if (at < 0) {
                keys.add(key);
                at = keys.size() - 1;
            }
            return at;
        }
    }

    /** A rule's {@link FlatRule}, or null: made once per rule, found by the rule's identity among the latest few. */
    private FlatRule flatRule(MqttMapping rule) {
        FlatRule[] known = flatRules;
        for (FlatRule flat : known) {
            if (flat != null && flat.rule() == rule) {
                return flat.keys() == null ? null : flat;
            }
        }
        FlatRule flat = FlatRule.of(rule);
        int slot = Math.floorMod(flatRulesMade++, known.length); // a race loses a slot's entry: it is made again
        known[slot] = flat != null ? flat : new FlatRule(rule, null, null, null, null, null);
        return flat;
    }

    /** The rules {@link #flatRule} looked at lately, flat or not (keys null); replaced in turn. */
    private final FlatRule[] flatRules = new FlatRule[16];
    private int flatRulesMade;

    /** {@link #tree}'s reading of a payload whose named members {@link FlatJson} read. */
    private MappedRead flat(MqttMapping rule, FlatRule flat, FlatJson.Members members, Map<String, String> captures,
            Verb verb) throws BodyFormatException {
        byte[] kinds = members.kinds();
        List<Label> labels = List.of();
        if (flat.labelNames().length > 0) {
            labels = new ArrayList<>();
            for (int l = 0; l < flat.labelNames().length; l++) {
                int k = flat.labelKeys()[l];
                String text = switch (kinds[k]) {
                    case FlatJson.STRING, FlatJson.NUMBER -> members.texts()[k];
                    case FlatJson.TRUE -> "true";
                    case FlatJson.FALSE -> "false";
                    default -> null; // absent or null: no such label, as from the tree
                };
                if (text != null) {
                    labels.add(new Label(flat.labelNames()[l], text));
                }
            }
        }
        Map<String, MetricFamily> families = new LinkedHashMap<>();
        List<SkippedField> skipped = new ArrayList<>();
        for (int m = 0; m < flat.metricKeys().length; m++) {
            MappedMetric metric = rule.metrics().get(m);
            int k = flat.metricKeys()[m];
            byte kind = kinds[k];
            String name = kind == FlatJson.ABSENT ? null : name(rule, metric, captures, metric.path().lastKey());
            switch (kind) {
                case FlatJson.ABSENT, FlatJson.NULL -> notTaken(metric, skipped); // null: as if the field were not there
                case FlatJson.NUMBER -> add(families, name, metric, labels, members.numbers()[k] * metric.scale());
                case FlatJson.TRUE, FlatJson.FALSE -> add(families, name, metric, labels,
                        (kind == FlatJson.TRUE ? 1 : 0) * metric.scale());
                default -> addUnlessSkipped(families, name, metric, metric.path().toString(),
                        new JsonPrimitive(members.texts()[k]), labels, skipped);
            }
        }
        if (families.isEmpty()) {
            return new MappedRead(null, skipped, true);
        }
        return new MappedRead(new PayloadReader.Read(ParsedBody.of(families), verb, null), skipped, false);
    }

    /** A metric the payload has no value for: refused unless it is optional, when it is counted as skipped. */
    private static void notTaken(MappedMetric metric, List<SkippedField> skipped) throws BodyFormatException {
        if (!metric.optional()) {
            throw new BodyFormatException("no value at " + metric.path() + " (mark the metric optional: true if"
                    + " the device does not always send it)");
        }
        skipped.add(new SkippedField(metric.path().toString(), SkippedField.Reason.MISSING, null));
    }

    /** Reads the payload as a tree and the rule's paths in it. */
    private MappedRead tree(MqttMapping rule, Map<String, String> captures, byte[] payload, Verb verb)
            throws BodyFormatException {
        JsonElement root = JsonPayload.parse(payload);
        if (!(root instanceof JsonObject)) {
            throw new BodyFormatException("JSON payload must be an object");
        }
        if (!rule.takes(root)) {
            return new MappedRead(null, List.of(), true);
        }
        List<Label> labels = labels(rule, root);
        if (rule.metrics().isEmpty()) {
            return MappedRead.of(new PayloadReader.Read(ParsedBody.of(everyNumber(rule, payload, labels)), verb, null));
        }
        Map<String, MetricFamily> families = new LinkedHashMap<>();
        List<SkippedField> skipped = new ArrayList<>();
        for (MappedMetric metric : rule.metrics()) {
            boolean taken = false;
            for (JsonPath.Selected selected : metric.path().select(root)) {
                List<Label> series = labels;
                if (metric.keyLabel() != null || metric.keyMatch() != null) {
                    series = keyLabels(metric, selected.wildcardKey(), labels);
                    if (series == null) {
                        continue; // a key key_match does not take
                    }
                }
                String field = field(metric.path(), selected.wildcardKey());
                String name = name(rule, metric, captures, metric.path().lastKey());
                JsonElement value = selected.value();
                if (value.isJsonNull() || value instanceof JsonArray empty && empty.isEmpty() && metric.indexLabel() != null) {
                    continue; // as if the field were not there
                }
                taken = true;
                if (value instanceof JsonArray array && metric.indexLabel() != null) {
                    for (int i = 0; i < array.size(); i++) {
                        List<Label> element = new ArrayList<>(series);
                        element.add(new Label(metric.indexLabel(), Integer.toString(i + 1)));
                        addUnlessSkipped(families, name, metric, field + "[" + i + "]", array.get(i), element, skipped);
                    }
                } else {
                    addUnlessSkipped(families, name, metric, field, value, series, skipped);
                }
            }
            if (!taken) {
                notTaken(metric, skipped);
            }
        }
        if (families.isEmpty()) {
            // every metric is optional (a missing one that is not was refused above): nothing to take
            return new MappedRead(null, skipped, true);
        }
        return new MappedRead(new PayloadReader.Read(ParsedBody.of(families), verb, null), skipped, false);
    }

    /**
     * The series labels of a value {@code *} found under {@code key}: the rule's, the key under
     * {@code key_label}, and what the named groups of {@code key_match} matched (an empty one left out,
     * as Prometheus does); null when {@code key_match} does not take the key.
     */
    private static List<Label> keyLabels(MappedMetric metric, String key, List<Label> labels) {
        List<Label> series = new ArrayList<>(labels);
        if (metric.keyMatch() != null) {
            Matcher matcher = metric.keyMatch().matcher(key);
            if (!matcher.matches()) {
                return null;
            }
            for (String group : RegexGroups.names(metric.keyMatch())) {
                String value = matcher.group(group);
                if (value != null && !value.isEmpty()) {
                    series.add(new Label(group, value));
                }
            }
        }
        if (metric.keyLabel() != null) {
            series.add(new Label(metric.keyLabel(), key));
        }
        return series;
    }

    /** The path with the key {@code *} matched put in, to name a field in messages: {@code params.humidity:0.rh}. */
    private static String field(JsonPath path, String wildcardKey) {
        return wildcardKey == null ? path.toString() : path.toString().replaceFirst("\\*", Matcher.quoteReplacement(wildcardKey));
    }

    /**
     * Adds the series of a value; a value that is no number is left out and recorded for an optional
     * metric, and refuses the message for any other.
     */
    private static void addUnlessSkipped(Map<String, MetricFamily> families, String name, MappedMetric metric, String field,
            JsonElement element, List<Label> labels, List<SkippedField> skipped) throws BodyFormatException {
        if (element.isJsonNull()) {
            if (!metric.optional()) {
                throw new BodyFormatException("no value at " + field + " (mark the metric optional: true if the device"
                        + " does not always send it)");
            }
            skipped.add(new SkippedField(field, SkippedField.Reason.MISSING, null));
            return;
        }
        String wrong = wrongType(metric, element);
        if (wrong == null) {
            add(families, name, metric, labels, number(metric, element));
        } else if (metric.optional()) {
            skipped.add(new SkippedField(field, SkippedField.Reason.WRONG_TYPE, wrong));
        } else {
            throw new BodyFormatException("value at " + field + (element.isJsonPrimitive() ? ": " : " is ") + wrong);
        }
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

    /** Why a JSON value is not a number the metric can take; null when it is one. */
    private static String wrongType(MappedMetric metric, JsonElement element) {
        if (element instanceof JsonPrimitive primitive) {
            if (primitive.isBoolean() || primitive.isNumber() || metric.valueOf(primitive.getAsString()) != null) {
                return null;
            }
            return notANumber(GoQuote.string(primitive.getAsString()), metric);
        }
        if (element.isJsonObject()) {
            return "an object, not a number";
        }
        return "an array, not a number" + (metric.indexLabel() == null ? " (index_label names the label that tells its"
                + " elements apart, when the default channel is taken)" : " (its elements are)");
    }

    /** The number of a JSON value {@link #wrongType} takes. */
    private static double number(MappedMetric metric, JsonElement element) {
        JsonPrimitive primitive = (JsonPrimitive) element;
        if (primitive.isBoolean()) {
            return (primitive.getAsBoolean() ? 1 : 0) * metric.scale();
        }
        if (primitive.isNumber()) {
            return primitive.getAsDouble() * metric.scale();
        }
        return metric.valueOf(primitive.getAsString());
    }

    private static String notANumber(String quoted, MappedMetric metric) {
        return quoted + " is not a number" + (metric.values().isEmpty() ? " (a values map turns strings into numbers)"
                : " and not one of the metric's values (" + sorted(metric.values().keySet()) + ")"
                        + (metric.ignoreCase() ? " (case ignored)" : ""));
    }

    private String name(MqttMapping rule, MappedMetric metric, Map<String, String> captures, String fallback)
            throws BodyFormatException {
        String base = metric.baseName(captures, fallback);
        NameValidation validation = payloads.names();
        MadeName[] made = NAMES.get(base);
        String name = null;
        if (made != null) {
            for (MadeName known : made) {
                if (known.metric() == metric && known.prefix().equals(rule.prefix()) && known.validation() == validation) {
                    name = known.name();
                    break;
                }
            }
        }
        if (name == null) {
            name = metric.metricName(rule.prefix(), base, validation);
            // a few metrics share a base; more are rules read again from a changed config: start afresh
            MadeName[] more = made == null || made.length >= 8 ? new MadeName[1] : Arrays.copyOf(made, made.length + 1);
            more[more.length - 1] = new MadeName(metric, rule.prefix(), validation, name);
            NAMES.put(base, more);
        }
        if (name.isEmpty()) {
            throw new BodyFormatException("the metric name is empty for this topic");
        }
        return name;
    }

    /** A metric name made of a base for one metric of a rule, with the rule's prefix, as names were checked. */
    private record MadeName(MappedMetric metric, String prefix, NameValidation validation, String name) {}

    /**
     * The metric names rules made lately, by the base they were made of (a JSON key, a rendered name template):
     * every message of a device carries the same keys, and its names are made once, not joined, checked and
     * suffixed again per message; the store then holds one copy of each name rather than one per message.
     * A metric of a rule is compared by identity: rules read again from a changed config make their names anew.
     */
    private static final RecentlyMade<String, MadeName[]> NAMES = new RecentlyMade<>(10_000);

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
