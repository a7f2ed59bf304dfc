package io.tidegate.mqtt.mapping;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The {@code mqtt_mappings} rules of the configuration file, in file order. Immutable, so a reload
 * swaps the whole set at once. The first rule whose topic matches a message and whose {@code where}
 * conditions hold is the one that applies to it; later rules are not consulted.
 */
public record MqttMappings(List<MqttMapping> rules) {
    private static final MqttMappings NONE = new MqttMappings(List.of());

    public MqttMappings {
        rules = List.copyOf(rules);
    }

    public static MqttMappings none() {
        return NONE;
    }

    public static MqttMappings of(List<MqttMapping> rules) {
        return rules.isEmpty() ? NONE : new MqttMappings(rules);
    }

    /**
     * Which rule applies to a topic.
     *
     * @param rule the first rule that applies; null when none does
     * @param captures the levels its wildcards matched, by name, and what the named groups of its
     *     {@code where} expressions matched
     * @param topicMatched whether some rule's topic matched even though none applied (its {@code where}
     *     conditions excluded the topic): such a message is expected, not a mistake
     */
    public record Match(MqttMapping rule, Map<String, String> captures, boolean topicMatched) {
        private static final Match NONE = new Match(null, Map.of(), false);
        private static final Match EXCLUDED = new Match(null, Map.of(), true);
    }

    public Match find(String topic) {
        boolean topicMatched = false;
        for (MqttMapping rule : rules) {
            Map<String, String> captures = rule.topic().match(topic);
            if (captures != null) {
                Map<String, String> applied = rule.capturesWhere(captures);
                if (applied != null) {
                    return new Match(rule, applied, true);
                }
                topicMatched = true;
            }
        }
        return topicMatched ? Match.EXCLUDED : Match.NONE;
    }

    /** The subscriptions the rules need, each once, in file order. */
    public List<String> topicFilters() {
        LinkedHashSet<String> filters = new LinkedHashSet<>();
        for (MqttMapping rule : rules) {
            filters.add(rule.topic().filter());
        }
        return new ArrayList<>(filters);
    }

    public int size() {
        return rules.size();
    }

    @Override
    public String toString() {
        return rules.isEmpty() ? "no mqtt mappings" : rules.toString();
    }
}
