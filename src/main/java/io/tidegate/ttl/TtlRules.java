package io.tidegate.ttl;

import io.tidegate.key.GroupingKey;
import io.tidegate.store.Source;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The server TTL rules of the configuration file (SPEC §3, item 3), in file order: the first rule
 * that applies to a group gives its TTL. Immutable, so a reload swaps the whole set at once.
 *
 * @param rules in file order
 */
public record TtlRules(List<TtlRule> rules) {
    private static final TtlRules NONE = new TtlRules(List.of());

    public TtlRules {
        rules = List.copyOf(rules);
    }

    public static TtlRules none() {
        return NONE;
    }

    public static TtlRules of(List<TtlRule> rules) {
        return rules.isEmpty() ? NONE : new TtlRules(rules);
    }

    /**
     * The TTL of the first rule that applies to a group with this key, pushed over this source; empty
     * when none applies (then the server default is next). {@link Duration#ZERO} means a rule says
     * never expire, which is a decision, not a fall-through.
     */
    public Optional<Duration> ttlFor(GroupingKey key, Source.Kind source) {
        for (TtlRule rule : rules) {
            if (rule.appliesTo(key, source)) {
                return Optional.of(rule.ttl());
            }
        }
        return Optional.empty();
    }

    public int size() {
        return rules.size();
    }

    /** For logs: {@code ttl_rules[1] {job="a"} source=any ttl=5m; ttl_rules[2] ...}, one entry per rule. */
    @Override
    public String toString() {
        if (rules.isEmpty()) {
            return "no ttl rules";
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < rules.size(); i++) {
            if (i > 0) {
                text.append("; ");
            }
            text.append("ttl_rules[").append(i + 1).append("] ").append(rules.get(i));
        }
        return text.toString();
    }
}
