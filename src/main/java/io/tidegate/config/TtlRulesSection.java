package io.tidegate.config;

import io.tidegate.format.Durations;
import io.tidegate.ttl.LabelMatcher;
import io.tidegate.ttl.TtlRule;
import io.tidegate.ttl.TtlRules;
import io.tidegate.store.Source;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the {@code ttl_rules} section of the configuration file: a list of rules, each with an
 * optional {@code match} (a PromQL selector string, or a list of single matchers), an optional
 * {@code source} ({@code http} or {@code mqtt}) and a required {@code ttl}.
 */
final class TtlRulesSection {
    static final String KEY = "ttl_rules";

    private static final List<String> RULE_KEYS = List.of("match", "source", "ttl");

    private TtlRulesSection() {}

    static TtlRules read(ConfigNode section) throws ConfigException {
        List<TtlRule> rules = new ArrayList<>();
        for (ConfigNode entry : section.entries("a list of rules")) {
            rules.add(rule(entry));
        }
        return TtlRules.of(rules);
    }

    private static TtlRule rule(ConfigNode entry) throws ConfigException {
        Map<String, ConfigNode> fields = entry.fields("a rule (a mapping with match, source and ttl)", RULE_KEYS);
        List<LabelMatcher> matchers = matchers(fields.get("match"));
        Optional<Source.Kind> source = source(fields.get("source"));
        ConfigNode ttl = fields.get("ttl");
        if (ttl == null || ttl.isNull()) {
            throw entry.problem("ttl: missing; every rule needs one (a duration such as 5m, or 0 to never expire)");
        }
        return new TtlRule(matchers, source, ttl(ttl));
    }

    private static List<LabelMatcher> matchers(ConfigNode match) throws ConfigException {
        if (match == null || match.isNull()) {
            return List.of();
        }
        if (match.isMapping()) {
            throw match.invalid("expected a selector such as '{job=\"backup\"}' in quotes, found a mapping"
                    + " (unquoted, YAML reads {...} as a mapping)");
        }
        if (match.isList()) {
            List<LabelMatcher> matchers = new ArrayList<>();
            for (ConfigNode element : match.elements("a list of matchers")) {
                String text = element.text("a matcher such as 'job=~\"sensor.*\"'");
                try {
                    matchers.add(LabelMatcher.parse(text));
                } catch (IllegalArgumentException e) {
                    throw element.invalid(e.getMessage());
                }
            }
            return matchers;
        }
        String text = match.text("a selector such as '{job=~\"sensor.*\"}'");
        try {
            return LabelMatcher.parseSelector(text);
        } catch (IllegalArgumentException e) {
            throw match.invalid(e.getMessage());
        }
    }

    private static Optional<Source.Kind> source(ConfigNode source) throws ConfigException {
        if (source == null || source.isNull()) {
            return Optional.empty();
        }
        String text = source.text("http or mqtt");
        for (Source.Kind kind : Source.Kind.values()) {
            if (kind.wireName().equals(text)) {
                return Optional.of(kind);
            }
        }
        throw source.invalid(text, "expected http or mqtt");
    }

    /** A {@code ttl} value: a duration, or 0 for never; also read by {@link MqttMappingsSection}. */
    static Duration ttl(ConfigNode ttl) throws ConfigException {
        String text = ttl.text("a duration such as 5m, or 0 to never expire");
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw ttl.invalid(text, e.getMessage());
        }
    }
}
