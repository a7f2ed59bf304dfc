package io.tidegate.mqtt.mapping;

import io.tidegate.format.MetricType;
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
 *     rule to apply; empty for none
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
        List<MappedMetric> metrics, Availability availability) {

    public MqttMapping {
        Objects.requireNonNull(topic, "topic");
        where = Map.copyOf(where);
        group = Collections.unmodifiableMap(new LinkedHashMap<>(group));
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        metrics = List.copyOf(metrics);
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
     * @param optional a value the payload lacks is then left out rather than a rejection
     * @param keyLabel with a {@code *} in the path, the series label that takes the key it matched
     */
    public record MappedMetric(JsonPath path, CaptureTemplate name, String unit, double scale, MetricType type,
            String help, Map<String, Double> values, boolean ignoreCase, boolean optional, String keyLabel) {

        public MappedMetric {
            values = Map.copyOf(values);
        }

        /**
         * The metric's name for a message: {@code prefix} + name (or {@code fallback}), made a valid
         * metric name as JSON payloads' names are, then the unit and, for a counter, {@code _total}
         * appended as Prometheus' naming conventions ask ({@code energy} with unit {@code joules}
         * as a counter: {@code energy_joules_total}). Empty when nothing is left to name it.
         */
        public String metricName(String prefix, Map<String, String> captures, String fallback) {
            String base = name == null ? fallback : name.render(captures);
            if (base.isEmpty()) {
                return "";
            }
            String sanitised = Names.sanitiseMetricName(prefix + base);
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
        for (Map.Entry<String, Pattern> condition : where.entrySet()) {
            if (!condition.getValue().matcher(captures.getOrDefault(condition.getKey(), "")).matches()) {
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
