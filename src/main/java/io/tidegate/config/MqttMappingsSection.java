package io.tidegate.config;

import io.tidegate.mqtt.mapping.CaptureTemplate;
import io.tidegate.mqtt.mapping.JsonPath;
import io.tidegate.mqtt.mapping.MqttMapping;
import io.tidegate.mqtt.mapping.MqttMappings;
import io.tidegate.mqtt.mapping.RegexGroups;
import io.tidegate.mqtt.mapping.TopicPattern;
import io.tidegate.mqtt.mapping.MqttMapping.Availability;
import io.tidegate.mqtt.mapping.MqttMapping.Format;
import io.tidegate.mqtt.mapping.MqttMapping.MappedMetric;
import io.tidegate.format.MetricType;
import io.tidegate.format.NameValidation;
import io.tidegate.format.Names;
import io.tidegate.format.TextFormatParser;
import io.tidegate.key.GroupingKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads the {@code mqtt_mappings} section of the configuration file: a list of rules, each turning
 * the messages of an MQTT topic filter into a group ({@link MqttMapping}). Everything a rule says is
 * checked here, so a rule that loads cannot fail on a message for a reason the file could have shown.
 * The keys are described in {@link ConfigFile}.
 */
final class MqttMappingsSection {
    static final String KEY = "mqtt_mappings";

    private static final List<String> RULE_KEYS = List.of("name", "topic_prefix", "topic", "where", "when", "group", "format",
            "replace", "ttl", "prefix", "labels", "metrics", "availability");
    private static final List<String> METRIC_KEYS = List.of("path", "name", "unit", "scale", "type", "help", "values",
            "ignore_case", "optional", "key_label", "key_match", "index_label");
    private static final List<String> AVAILABILITY_KEYS = List.of("path", "offline", "online");
    /** What an availability rule may say besides its availability. */
    private static final Set<String> AVAILABILITY_RULE_KEYS = Set.of("name", "topic_prefix", "topic", "where", "group",
            "availability");
    private static final Pattern UNIT = Pattern.compile("[a-z][a-z0-9_]*");

    private MqttMappingsSection() {}

    static MqttMappings read(ConfigNode section, NameValidation validation) throws ConfigException {
        List<MqttMapping> rules = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (ConfigNode entry : section.entries("a list of mapping rules")) {
            MqttMapping rule = rule(entry, rules.size() + 1, validation);
            if (!names.add(rule.name())) {
                throw entry.problem("name: " + rule.name() + " is the name of an earlier rule too; names must be unique");
            }
            rules.add(rule);
        }
        return MqttMappings.of(rules);
    }

    private static MqttMapping rule(ConfigNode entry, int index, NameValidation validation) throws ConfigException {
        Map<String, ConfigNode> fields = entry.fields("a mapping rule (a mapping with topic, group, format, metrics, ...)",
                RULE_KEYS);
        ConfigNode nameNode = fields.get("name");
        String name = nameNode == null || nameNode.isNull() ? KEY + "[" + index + "]" : nameNode.text("a name for the rule");
        ConfigNode topicNode = required(entry, fields, "topic", "an MQTT topic filter such as zigbee2mqtt/+device");
        String topicText = topicNode.text("an MQTT topic filter such as zigbee2mqtt/+device");
        ConfigNode topicPrefixNode = fields.get("topic_prefix");
        if (topicPrefixNode != null && !topicPrefixNode.isNull()) {
            // the levels in front of the topic, so that one anchor in a file sets them for all its rules
            String prefix = topicPrefixNode.text("the first levels of the topic, such as +node or home/+node");
            if (prefix.isEmpty() || prefix.endsWith("/")) {
                throw topicPrefixNode.invalid(prefix, "topic levels without a trailing /, such as +node or home/+node");
            }
            topicText = prefix + "/" + topicText;
        }
        TopicPattern topic;
        try {
            topic = TopicPattern.parse(topicText);
        } catch (IllegalArgumentException e) {
            throw topicNode.invalid(topicText, e.getMessage());
        }
        Map<String, Pattern> where = where(fields.get("where"), topic);
        List<String> captureNames = new ArrayList<>(topic.captureNames());
        for (Map.Entry<String, Pattern> condition : where.entrySet()) {
            for (String group : RegexGroups.names(condition.getValue())) {
                if (captureNames.contains(group)) {
                    throw fields.get("where").invalid("the group (?<" + group + ">...) of " + condition.getKey()
                            + " has the name of another capture; names must be unique");
                }
                captureNames.add(group);
            }
        }
        ConfigNode availabilityNode = fields.get("availability");
        boolean availability = availabilityNode != null && !availabilityNode.isNull();
        if (availability) {
            for (String key : fields.keySet()) {
                if (!AVAILABILITY_RULE_KEYS.contains(key)) {
                    throw entry.problem(key + ": an availability rule only deletes groups, so it takes no " + key
                            + " (it may have name, topic, where, group and availability)");
                }
            }
        }
        Map<String, CaptureTemplate> group = group(entry, fields, captureNames, availability, validation);
        if (availability) {
            return new MqttMapping(name, topic, where, group, Format.VALUE, false, Optional.empty(), "", Map.of(), List.of(),
                    availability(availabilityNode));
        }
        Format format = format(fields.get("format"));
        boolean replacesGroup = replacesGroup(fields.get("replace"), format);
        Optional<Duration> ttl = ttl(fields.get("ttl"));
        String prefix = prefix(fields.get("prefix"), format, validation);
        Map<JsonPath, Pattern> when = when(fields.get("when"), format);
        Map<String, JsonPath> labels = labels(fields.get("labels"), format, group.keySet(), validation);
        List<MappedMetric> metrics = metrics(entry, fields.get("metrics"), format, captureNames, group.keySet(),
                labels.keySet(), validation);
        return new MqttMapping(name, topic, where, group, format, replacesGroup, ttl, prefix, labels, metrics, null, when);
    }

    private static Map<JsonPath, Pattern> when(ConfigNode node, Format format) throws ConfigException {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (format != Format.JSON) {
            throw node.invalid("when reads fields of a JSON payload, so only a json rule has it");
        }
        Map<JsonPath, Pattern> when = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> condition : node.pairs("a mapping of JSON paths to regular expressions")
                .entrySet()) {
            JsonPath path;
            try {
                path = JsonPath.parse(condition.getKey());
            } catch (IllegalArgumentException e) {
                throw condition.getValue().invalid(condition.getKey(), e.getMessage());
            }
            if (path.hasWildcard()) {
                throw condition.getValue().invalid(condition.getKey(), "a condition reads one field; * is for metrics");
            }
            when.put(path, regex(condition.getValue()));
        }
        return when;
    }

    private static Pattern regex(ConfigNode node) throws ConfigException {
        String regex = node.text("a regular expression");
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw node.invalid(regex, "invalid regular expression: " + e.getDescription());
        }
    }

    private static ConfigNode required(ConfigNode entry, Map<String, ConfigNode> fields, String key, String expected)
            throws ConfigException {
        ConfigNode node = fields.get(key);
        if (node == null || node.isNull()) {
            throw entry.problem(key + ": missing; every rule needs one (" + expected + ")");
        }
        return node;
    }

    private static Map<String, Pattern> where(ConfigNode node, TopicPattern topic) throws ConfigException {
        Map<String, Pattern> where = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> condition : node == null ? Map.<String, ConfigNode>of().entrySet()
                : node.pairs("a mapping of wildcard names to regular expressions").entrySet()) {
            String capture = condition.getKey();
            if (!topic.captureNames().contains(capture)) {
                throw condition.getValue().invalid("not a wildcard name of the topic " + topic
                        + (topic.captureNames().isEmpty() ? "" : " (it names " + String.join(", ", topic.captureNames()) + ")"));
            }
            where.put(capture, regex(condition.getValue()));
        }
        return where;
    }

    private static Map<String, CaptureTemplate> group(ConfigNode entry, Map<String, ConfigNode> fields,
            List<String> captureNames, boolean availability, NameValidation validation) throws ConfigException {
        ConfigNode node = required(entry, fields, "group", "the grouping key's labels, such as {job: zigbee2mqtt, device: \"{device}\"}");
        Map<String, CaptureTemplate> group = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> label : node.pairs("a mapping of label names to values").entrySet()) {
            String labelName = label.getKey();
            if (!validation.isUsableLabelName(labelName)) {
                throw label.getValue().invalid(invalidLabelName(validation));
            }
            String text = label.getValue().text("a label value, such as \"{device}\"");
            try {
                group.put(labelName, CaptureTemplate.parse(text, captureNames));
            } catch (IllegalArgumentException e) {
                throw label.getValue().invalid(text, e.getMessage());
            }
        }
        if (group.isEmpty()) {
            throw node.invalid("expected at least one label");
        }
        if (!availability && !group.containsKey(GroupingKey.JOB)) {
            throw node.invalid("no job label; every grouping key has one");
        }
        return group;
    }

    private static Format format(ConfigNode node) throws ConfigException {
        if (node == null || node.isNull()) {
            return Format.JSON;
        }
        String text = node.text("json, value or prometheus");
        for (Format format : Format.values()) {
            if (format.key().equals(text)) {
                return format;
            }
        }
        throw node.invalid(text, "expected json, value or prometheus");
    }

    private static boolean replacesGroup(ConfigNode node, Format format) throws ConfigException {
        if (node == null || node.isNull()) {
            return format != Format.VALUE;
        }
        String text = node.text("group or metrics");
        return switch (text) {
            case "group" -> true;
            case "metrics" -> false;
            default -> throw node.invalid(text, "expected group (replace the whole group) or metrics (replace only the"
                    + " metrics the message carries)");
        };
    }

    private static Optional<Duration> ttl(ConfigNode node) throws ConfigException {
        return node == null || node.isNull() ? Optional.empty() : Optional.of(TtlRulesSection.ttl(node));
    }

    private static String prefix(ConfigNode node, Format format, NameValidation validation) throws ConfigException {
        if (node == null || node.isNull()) {
            return "";
        }
        String text = node.text("the start of every metric name, such as zigbee2mqtt_");
        if (format == Format.PROMETHEUS) {
            throw node.invalid("a Prometheus text payload names its own metrics; prefix is for json and value rules");
        }
        if (!validation.isValidMetricName(text)) {
            throw node.invalid(text, validation == NameValidation.LEGACY
                    ? "not a valid start of a metric name (letters, digits, _ and :, not starting with a digit)"
                    : "not a valid start of a metric name (UTF-8 text)");
        }
        return text;
    }

    private static Map<String, JsonPath> labels(ConfigNode node, Format format, Set<String> groupLabels,
            NameValidation validation) throws ConfigException {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (format != Format.JSON) {
            throw node.invalid("labels are taken from JSON fields, so only a json rule has them");
        }
        Map<String, JsonPath> labels = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> label : node.pairs("a mapping of label names to JSON paths").entrySet()) {
            String labelName = label.getKey();
            checkSeriesLabel(label.getValue(), labelName, groupLabels, validation);
            JsonPath path = path(label.getValue());
            if (path.hasWildcard()) {
                throw label.getValue().invalid(path.toString(), "a label takes one field; * is for metrics");
            }
            labels.put(labelName, path);
        }
        return labels;
    }

    private static void checkSeriesLabel(ConfigNode node, String labelName, Set<String> groupLabels,
            NameValidation validation) throws ConfigException {
        if (!validation.isUsableLabelName(labelName)) {
            throw node.invalid(labelName, invalidLabelName(validation));
        }
        if (groupLabels.contains(labelName)) {
            throw node.invalid(labelName, "is a label of the group already; the grouping key would override it");
        }
    }

    private static String invalidLabelName(NameValidation validation) {
        return validation == NameValidation.LEGACY
                ? "invalid label name (letters, digits and _, not starting with a digit or __)"
                : "invalid label name (UTF-8 text, not starting with __)";
    }

    private static JsonPath path(ConfigNode node) throws ConfigException {
        String text = node.text("a JSON path such as ENERGY.Power");
        try {
            return JsonPath.parse(text);
        } catch (IllegalArgumentException e) {
            throw node.invalid(text, e.getMessage());
        }
    }

    private static List<MappedMetric> metrics(ConfigNode entry, ConfigNode node, Format format, List<String> captureNames,
            Set<String> groupLabels, Set<String> seriesLabels, NameValidation validation) throws ConfigException {
        List<ConfigNode> entries = node == null ? List.of() : node.entries("a list of metrics");
        if (format == Format.PROMETHEUS && !entries.isEmpty()) {
            throw node.invalid("a Prometheus text payload names its own metrics; metrics is for json and value rules");
        }
        if (format == Format.VALUE && entries.size() > 1) {
            throw node.invalid("a plain value makes one metric, so a value rule lists at most one");
        }
        if (format == Format.VALUE && entries.isEmpty()) {
            // the topic's last level names the metric, as on Tidegate's own number topics
            return List.of(new MappedMetric(null, null, null, 1, MetricType.GAUGE, null, Map.of(), false, false, null));
        }
        List<MappedMetric> metrics = new ArrayList<>();
        Set<String> literalNames = new HashSet<>();
        for (ConfigNode metricNode : entries) {
            MappedMetric metric = metric(metricNode, format, captureNames, groupLabels, seriesLabels, validation);
            if (metric.name() == null || metric.name().toString().indexOf('{') < 0) {
                String literal = metric.metricName("", Map.of(), metric.path() == null ? "" : metric.path().lastKey(),
                        validation);
                if (!literal.isEmpty() && !literalNames.add(literal)) {
                    throw metricNode.problem("makes the metric " + literal + ", as an earlier metric of the rule does");
                }
            }
            metrics.add(metric);
        }
        return metrics;
    }

    private static MappedMetric metric(ConfigNode node, Format format, List<String> captureNames, Set<String> groupLabels,
            Set<String> seriesLabels, NameValidation validation) throws ConfigException {
        Map<String, ConfigNode> fields = node.fields("a metric (a mapping with path, name, unit, type, ...)", METRIC_KEYS);
        ConfigNode pathNode = fields.get("path");
        JsonPath path = null;
        if (format == Format.JSON) {
            if (pathNode == null || pathNode.isNull()) {
                throw node.problem("path: missing; a metric of a json rule says where its value is (such as ENERGY.Power)");
            }
            path = path(pathNode);
        } else if (pathNode != null) {
            throw pathNode.invalid("a plain value has no fields; path is for json rules");
        }
        CaptureTemplate name = null;
        ConfigNode nameNode = fields.get("name");
        if (nameNode != null && !nameNode.isNull()) {
            String text = nameNode.text("a metric name, such as temperature or {sensor}");
            try {
                name = CaptureTemplate.parse(text, captureNames);
            } catch (IllegalArgumentException e) {
                throw nameNode.invalid(text, e.getMessage());
            }
            if (text.indexOf('{') < 0 && Names.sanitiseMetricName(text).isEmpty()) {
                throw nameNode.invalid(text, "names no metric");
            }
        }
        String unit = null;
        ConfigNode unitNode = fields.get("unit");
        if (unitNode != null && !unitNode.isNull()) {
            unit = unitNode.text("a unit such as celsius, watts or percent");
            if (!UNIT.matcher(unit).matches()) {
                throw unitNode.invalid(unit, "a unit is written in lower case letters, digits and _ (celsius, watts, percent)");
            }
        }
        double scale = number(fields.get("scale"), 1);
        if (scale == 0 || !Double.isFinite(scale)) {
            throw fields.get("scale").invalid("a scale multiplies the value: a finite number other than 0");
        }
        MetricType type = type(fields.get("type"));
        ConfigNode helpNode = fields.get("help");
        String help = helpNode == null || helpNode.isNull() ? null : helpNode.text("a help text");
        boolean ignoreCase = bool(fields.get("ignore_case"));
        Map<String, Double> values = values(fields.get("values"), ignoreCase);
        boolean optional = bool(fields.get("optional"));
        Set<String> metricLabels = new HashSet<>(seriesLabels);
        String keyLabel = null;
        ConfigNode keyLabelNode = fields.get("key_label");
        if (keyLabelNode != null && !keyLabelNode.isNull()) {
            keyLabel = keyLabelNode.text("a label name");
            if (path == null || !path.hasWildcard()) {
                throw keyLabelNode.invalid(keyLabel, "key_label names the label that takes the key * matched; the path has no *");
            }
            checkSeriesLabel(keyLabelNode, keyLabel, groupLabels, validation);
            if (!metricLabels.add(keyLabel)) {
                throw keyLabelNode.invalid(keyLabel, "is one of the rule's labels already");
            }
        }
        Pattern keyMatch = null;
        ConfigNode keyMatchNode = fields.get("key_match");
        if (keyMatchNode != null && !keyMatchNode.isNull()) {
            keyMatch = regex(keyMatchNode);
            if (path == null || !path.hasWildcard()) {
                throw keyMatchNode.invalid(keyMatch.pattern(), "key_match says which keys * takes; the path has no *");
            }
            for (String group : RegexGroups.names(keyMatch)) {
                checkSeriesLabel(keyMatchNode, group, groupLabels, validation);
                if (!metricLabels.add(group)) {
                    throw keyMatchNode.invalid(keyMatch.pattern(), "the group (?<" + group + ">...) names a label the"
                            + " metric has already");
                }
            }
        }
        if (path != null && path.hasWildcard() && keyLabel == null
                && (keyMatch == null || RegexGroups.names(keyMatch).isEmpty())) {
            throw node.problem("key_label: missing; with a * in the path, each key it matches is a series, told apart by"
                    + " this label (such as key_label: sensor) or by the named groups of key_match");
        }
        String indexLabel = null;
        ConfigNode indexLabelNode = fields.get("index_label");
        if (indexLabelNode != null && !indexLabelNode.isNull()) {
            indexLabel = indexLabelNode.text("a label name");
            if (path == null) {
                throw indexLabelNode.invalid(indexLabel, "a plain value is never an array; index_label is for json rules");
            }
            checkSeriesLabel(indexLabelNode, indexLabel, groupLabels, validation);
            if (metricLabels.contains(indexLabel)) {
                throw indexLabelNode.invalid(indexLabel, "is one of the metric's labels already");
            }
        } else if (path != null && !groupLabels.contains(MappedMetric.DEFAULT_INDEX_LABEL)
                && !metricLabels.contains(MappedMetric.DEFAULT_INDEX_LABEL)) {
            // otherwise an array is of the wrong type, unless index_label names another label
            indexLabel = MappedMetric.DEFAULT_INDEX_LABEL;
        }
        return new MappedMetric(path, name, unit, scale, type, help, values, ignoreCase, optional, keyLabel, keyMatch,
                indexLabel);
    }

    private static double number(ConfigNode node, double absent) throws ConfigException {
        if (node == null || node.isNull()) {
            return absent;
        }
        String text = node.text("a number");
        Double number = TextFormatParser.parseGoFloat(text.strip());
        if (number == null) {
            throw node.invalid(text, "not a number");
        }
        return number;
    }

    private static boolean bool(ConfigNode node) throws ConfigException {
        return node != null && !node.isNull() && node.bool();
    }

    private static MetricType type(ConfigNode node) throws ConfigException {
        if (node == null || node.isNull()) {
            return MetricType.GAUGE;
        }
        String text = node.text("gauge, counter or untyped");
        return switch (text) {
            case "gauge" -> MetricType.GAUGE;
            case "counter" -> MetricType.COUNTER;
            case "untyped" -> MetricType.UNTYPED;
            default -> throw node.invalid(text, "expected gauge, counter or untyped");
        };
    }

    private static Map<String, Double> values(ConfigNode node, boolean ignoreCase) throws ConfigException {
        Map<String, Double> values = new LinkedHashMap<>();
        if (node == null) {
            return values;
        }
        for (Map.Entry<String, ConfigNode> value : node.pairs("a mapping of strings to numbers, such as {\"ON\": 1, \"OFF\": 0}")
                .entrySet()) {
            String key = ignoreCase ? value.getKey().toLowerCase(Locale.ROOT) : value.getKey();
            if (values.put(key, number(value.getValue(), 0)) != null) {
                throw value.getValue().invalid("the same string as another entry, with ignore_case");
            }
        }
        return values;
    }

    private static Availability availability(ConfigNode node) throws ConfigException {
        if (node.isMapping()) {
            Map<String, ConfigNode> fields = node.fields("a mapping with path, offline and online", AVAILABILITY_KEYS);
            ConfigNode pathNode = fields.get("path");
            JsonPath path = pathNode == null || pathNode.isNull() ? null : path(pathNode);
            if (path != null && path.hasWildcard()) {
                throw pathNode.invalid(path.toString(), "availability is one field; * is for metrics");
            }
            Set<String> offline = words(fields.get("offline"), Availability.DEFAULT_OFFLINE);
            Set<String> online = words(fields.get("online"), Availability.DEFAULT_ONLINE);
            for (String word : offline) {
                if (online.contains(word)) {
                    throw node.invalid("\"" + word + "\" is both online and offline");
                }
            }
            return new Availability(path, offline, online);
        }
        if (node.bool()) {
            return new Availability(null, Availability.DEFAULT_OFFLINE, Availability.DEFAULT_ONLINE);
        }
        throw node.invalid("false is no availability; leave the key out for a rule that maps metrics");
    }

    private static Set<String> words(ConfigNode node, Set<String> absent) throws ConfigException {
        if (node == null || node.isNull()) {
            return absent;
        }
        Set<String> words = new HashSet<>();
        if (node.isList()) {
            for (ConfigNode element : node.elements("a list of payloads")) {
                words.add(element.text("a payload such as offline").strip().toLowerCase(Locale.ROOT));
            }
        } else {
            words.add(node.text("a payload such as offline, or a list of them").strip().toLowerCase(Locale.ROOT));
        }
        return words;
    }
}
