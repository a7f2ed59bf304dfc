package io.tidegate.mqtt.mapping;

import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import io.tidegate.format.MetricType;
import io.tidegate.format.NameValidation;
import io.tidegate.format.Names;
import io.tidegate.format.TextFormatParser;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One rule of the {@code mqtt_mappings} section: how the messages of a topic that does not follow
 * Tidegate's own scheme become a group. The topic's named wildcards fill the grouping key; the payload
 * is read as {@link Format JSON, a plain value or Prometheus text}; or, for an availability rule, the
 * payload says whether the device is online, and {@code offline} deletes its groups. Checked when the
 * file is read ({@link MqttMappingsSection}); applying it to a message is the MQTT ingest's business.
 *
 * @param name how messages and logs name the rule: its {@code name}, or its place in the file
 * @param where per capture name, a regular expression the captured level must match (whole) for the
 *     rule to apply; empty for none. Its named groups ({@code POWER(?<channel>[0-9]*)}) are captures too
 * @param when per JSON path, a regular expression the payload's field there must match (whole) for the
 *     message to be read; a message it leaves out is skipped. Empty for none (JSON rules only)
 * @param group the grouping key's labels, by name, as templates over the captures
 * @param replacesGroup true: a message replaces the whole group (PUT); false: only the families it
 *     carries (POST), for devices that publish one value per topic
 * @param ttl the TTL of what the rule writes when the message gives none of its own
 * @param prefix put in front of every metric name the rule makes ({@code ""} for none)
 * @param labels per series label, the JSON field that gives its value (JSON rules only)
 * @param metrics the values to take (JSON: each with a path; a plain value: exactly one, without);
 *     empty for Prometheus text, for a JSON rule that takes every number, and for availability rules
 * @param availability for an availability rule, what its payloads mean; null for the others
 */
public record MqttMapping(String name, TopicPattern topic, Map<String, Pattern> where, Map<String, CaptureTemplate> group,
        Format format, boolean replacesGroup, Optional<Duration> ttl, String prefix, Map<String, JsonPath> labels,
        List<MappedMetric> metrics, Availability availability, Map<JsonPath, Pattern> when) {

    public MqttMapping {
        Objects.requireNonNull(topic, "topic");
        where = Collections.unmodifiableMap(new LinkedHashMap<>(where));
        group = Collections.unmodifiableMap(new LinkedHashMap<>(group));
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        metrics = List.copyOf(metrics);
        when = Collections.unmodifiableMap(new LinkedHashMap<>(when));
    }

    /** A rule without payload conditions. */
    public MqttMapping(String name, TopicPattern topic, Map<String, Pattern> where, Map<String, CaptureTemplate> group,
            Format format, boolean replacesGroup, Optional<Duration> ttl, String prefix, Map<String, JsonPath> labels,
            List<MappedMetric> metrics, Availability availability) {
        this(name, topic, where, group, format, replacesGroup, ttl, prefix, labels, metrics, availability, Map.of());
    }

    /** How a rule reads its payloads, as the {@code format} key spells it. */
    public enum Format {
        /** A JSON object; values chosen by {@link MappedMetric#path()}, or every number and boolean. */
        JSON("json"),
        /** One value: a number, or a string its value map turns into one ({@code ON}, {@code off}). */
        VALUE("value"),
        /** Prometheus text format 0.0.4, as the Tidegate topic scheme takes it. */
        PROMETHEUS("prometheus");

        private final String key;

        Format(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    /**
     * One metric a rule makes.
     *
     * @param path where the value is in a JSON payload; null for a plain value
     * @param name the metric name as a template over the captures; null for the path's last key (JSON)
     *     or the topic's last level (plain value)
     * @param unit put at the end of the name unless it ends with it already; null for none
     * @param scale the value is multiplied by it (1 for as is), to turn {@code Wh} into joules, say
     * @param help null for none
     * @param values strings and the numbers they stand for; keys in lower case when {@code ignoreCase}
     * @param optional a value the payload lacks, or one of the wrong type, is then left out (and counted)
     *     rather than a rejection
     * @param keyLabel with a {@code *} in the path, the series label that takes the key it matched; null for none
     * @param keyMatch with a {@code *} in the path, a regular expression the key must match (whole) to be taken;
     *     its named groups become series labels ({@code POWER(?<channel>[0-9]*)}); null to take every key
     * @param indexLabel the series label that tells the elements of an array apart (1 for the first, as
     *     Tasmota counts channels); null when an array is not taken (it is then of the wrong type)
     */
    public record MappedMetric(JsonPath path, CaptureTemplate name, String unit, double scale, MetricType type,
            String help, Map<String, Double> values, boolean ignoreCase, boolean optional, String keyLabel,
            Pattern keyMatch, String indexLabel) {

        /** The label an array's elements take unless the metric says otherwise. */
        public static final String DEFAULT_INDEX_LABEL = "channel";

        public MappedMetric {
            values = Map.copyOf(values);
        }

        /** A metric that takes every key {@code *} matches and no arrays. */
        public MappedMetric(JsonPath path, CaptureTemplate name, String unit, double scale, MetricType type,
                String help, Map<String, Double> values, boolean ignoreCase, boolean optional, String keyLabel) {
            this(path, name, unit, scale, type, help, values, ignoreCase, optional, keyLabel, null, null);
        }

        /** {@link #metricName(String, Map, String, NameValidation)} with legacy names. */
        public String metricName(String prefix, Map<String, String> captures, String fallback) {
            return metricName(prefix, captures, fallback, NameValidation.LEGACY);
        }

        /**
         * The metric's name for a message: {@code prefix} + name (or {@code fallback}), made a valid
         * metric name as JSON payloads' names are (with UTF-8 names, {@code --push.enable-utf8-names},
         * kept as it is: any UTF-8 text names a metric), then the unit and, for a counter, {@code _total}
         * appended as Prometheus' naming conventions ask ({@code energy} with unit {@code joules}
         * as a counter: {@code energy_joules_total}). Empty when nothing is left to name it.
         */
        public String metricName(String prefix, Map<String, String> captures, String fallback, NameValidation names) {
            return metricName(prefix, baseName(captures, fallback), names);
        }

        /** What the metric's name is made of for a message: its name template rendered, or {@code fallback}. */
        public String baseName(Map<String, String> captures, String fallback) {
            return name == null ? fallback : name.render(captures);
        }

        /** {@link #metricName(String, Map, String, NameValidation)} from the {@link #baseName}. */
        public String metricName(String prefix, String base, NameValidation names) {
            if (base.isEmpty()) {
                return "";
            }
            String joined = prefix + base;
            String sanitised = names.isValidMetricName(joined) ? joined : Names.sanitiseMetricName(joined);
            boolean counter = type == MetricType.COUNTER;
            if (counter && sanitised.endsWith("_total")) {
                sanitised = sanitised.substring(0, sanitised.length() - "_total".length());
            }
            if (unit != null && !sanitised.endsWith("_" + unit)) {
                sanitised += "_" + unit;
            }
            return counter ? sanitised + "_total" : sanitised;
        }

        /** The number a string stands for: its value-map entry, else the string read as a number; null if neither. */
        public Double valueOf(String text) {
            Double mapped = values.get(ignoreCase ? text.toLowerCase(Locale.ROOT) : text);
            if (mapped != null) {
                return mapped * scale;
            }
            Double number = TextFormatParser.parseGoFloat(text.strip());
            return number == null ? null : number * scale;
        }
    }

    /**
     * What an availability topic's payloads mean. Compared without regard to case and surrounding
     * white space; a JSON object payload is read at {@code path} ({@code state} for zigbee2mqtt's
     * {@code {"state":"offline"}}).
     *
     * @param path null to read the payload itself only
     * @param offline the payloads that delete the device's groups, in lower case
     * @param online the payloads that change nothing, in lower case
     */
    public record Availability(JsonPath path, Set<String> offline, Set<String> online) {
        public static final Set<String> DEFAULT_OFFLINE = Set.of("offline", "false");
        public static final Set<String> DEFAULT_ONLINE = Set.of("online", "true");

        public Availability {
            offline = Set.copyOf(offline);
            online = Set.copyOf(online);
        }
    }

    /** The rule applies to a topic its pattern matches if each {@code where} expression matches its capture. */
    public boolean appliesTo(Map<String, String> captures) {
        return capturesWhere(captures) != null;
    }

    /**
     * The captures of a topic the rule applies to, with what the named groups of its {@code where}
     * expressions matched added (an optional group that matched nothing is empty); null when a
     * {@code where} expression does not match its capture.
     */
    public Map<String, String> capturesWhere(Map<String, String> captures) {
        Map<String, String> all = captures;
        for (Map.Entry<String, Pattern> condition : where.entrySet()) {
            Matcher matcher = condition.getValue().matcher(captures.getOrDefault(condition.getKey(), ""));
            if (!matcher.matches()) {
                return null;
            }
            List<String> groups = RegexGroups.names(condition.getValue());
            if (!groups.isEmpty()) {
                if (all == captures) {
                    all = new LinkedHashMap<>(captures);
                }
                for (String group : groups) {
                    String value = matcher.group(group);
                    all.put(group, value == null ? "" : value);
                }
            }
        }
        return all;
    }

    /**
     * Whether a JSON payload passes the rule's {@code when} conditions: each field is there, a string,
     * number or boolean whose text the expression matches (whole).
     */
    public boolean takes(JsonElement payload) {
        for (Map.Entry<JsonPath, Pattern> condition : when.entrySet()) {
            List<JsonPath.Selected> found = condition.getKey().select(payload);
            if (found.isEmpty() || !(found.get(0).value() instanceof JsonPrimitive primitive)
                    || !condition.getValue().matcher(primitive.getAsString()).matches()) {
                return false;
            }
        }
        return true;
    }

    /** For logs: {@code zigbee2mqtt (mqtt_mappings[1]): zigbee2mqtt/+device json}. */
    @Override
    public String toString() {
        return name + ": " + topic + " " + (availability != null ? "availability" : format.key());
    }
}
