package io.tidegate.ttl;

import static io.tidegate.TestKeys.key;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.store.Source;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TtlRulesTest {
    private static TtlRule rule(String selector, Source.Kind source, Duration ttl) {
        return new TtlRule(LabelMatcher.parseSelector(selector), Optional.ofNullable(source), ttl);
    }

    @Test
    void firstMatchingRuleWins() {
        TtlRules rules = TtlRules.of(List.of(
                rule("{job=~\"sensor.*\", room!=\"lab\"}", null, Duration.ofMinutes(5)),
                rule("{job=~\"sensor.*\"}", null, Duration.ofHours(1)),
                rule("{}", null, Duration.ofDays(1))));

        assertThat(rules.ttlFor(key("job", "sensor-1", "room", "kitchen"), Source.Kind.MQTT)).contains(Duration.ofMinutes(5));
        assertThat(rules.ttlFor(key("job", "sensor-1"), Source.Kind.MQTT)).contains(Duration.ofMinutes(5));
        assertThat(rules.ttlFor(key("job", "sensor-1", "room", "lab"), Source.Kind.MQTT)).contains(Duration.ofHours(1));
        assertThat(rules.ttlFor(key("job", "backup"), Source.Kind.HTTP)).contains(Duration.ofDays(1));
    }

    @Test
    void everyMatcherOfARuleMustMatch() {
        TtlRules rules = TtlRules.of(List.of(rule("{job=\"a\", instance=\"x\"}", null, Duration.ofMinutes(1))));

        assertThat(rules.ttlFor(key("job", "a", "instance", "x"), Source.Kind.HTTP)).contains(Duration.ofMinutes(1));
        assertThat(rules.ttlFor(key("job", "a", "instance", "y"), Source.Kind.HTTP)).isEmpty();
        assertThat(rules.ttlFor(key("job", "a"), Source.Kind.HTTP)).isEmpty();
    }

    @Test
    void ruleWithASourceAppliesOnlyToThatSource() {
        TtlRules rules = TtlRules.of(List.of(
                rule("{job=\"meter\"}", Source.Kind.MQTT, Duration.ofMinutes(5)),
                rule("{job=\"meter\"}", Source.Kind.HTTP, Duration.ofMinutes(30))));

        assertThat(rules.ttlFor(key("job", "meter"), Source.Kind.MQTT)).contains(Duration.ofMinutes(5));
        assertThat(rules.ttlFor(key("job", "meter"), Source.Kind.HTTP)).contains(Duration.ofMinutes(30));
    }

    @Test
    void noMatchingRuleLeavesTheTtlToTheDefault() {
        TtlRules rules = TtlRules.of(List.of(rule("{job=\"a\"}", Source.Kind.MQTT, Duration.ofMinutes(5))));

        assertThat(rules.ttlFor(key("job", "b"), Source.Kind.MQTT)).isEmpty();
        assertThat(rules.ttlFor(key("job", "a"), Source.Kind.HTTP)).isEmpty();
        assertThat(TtlRules.none().ttlFor(key("job", "a"), Source.Kind.HTTP)).isEmpty();
        assertThat(TtlRules.none().size()).isZero();
    }

    @Test
    void zeroTtlMeansNeverExpireAndStopsTheSearch() {
        TtlRules rules = TtlRules.of(List.of(
                rule("{job=\"release\"}", null, Duration.ZERO),
                rule("{}", null, Duration.ofHours(1))));

        assertThat(rules.ttlFor(key("job", "release"), Source.Kind.HTTP)).contains(Duration.ZERO);
    }

    @Test
    void rulesReadWellInLogs() {
        TtlRules rules = TtlRules.of(List.of(
                rule("{job=~\"sensor.*\", room!=\"lab\"}", Source.Kind.MQTT, Duration.ofMinutes(5)),
                rule("{}", null, Duration.ZERO),
                rule("{job=\"backup\"}", null, Duration.ofMinutes(90))));

        assertThat(rules.rules().get(0)).hasToString("{job=~\"sensor.*\", room!=\"lab\"} source=mqtt ttl=5m");
        assertThat(rules).hasToString("ttl_rules[1] {job=~\"sensor.*\", room!=\"lab\"} source=mqtt ttl=5m;"
                + " ttl_rules[2] {} source=any ttl=0 (never expire); ttl_rules[3] {job=\"backup\"} source=any ttl=1h30m");
        assertThat(TtlRules.none()).hasToString("no ttl rules");
        assertThat(rules.size()).isEqualTo(3);
    }
}
