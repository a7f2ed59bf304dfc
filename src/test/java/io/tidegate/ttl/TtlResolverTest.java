package io.tidegate.ttl;

import static io.tidegate.TestKeys.key;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.key.GroupingKey;
import io.tidegate.store.Source;
import io.tidegate.store.Ttls;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Precedence (SPEC §3: body directive, push TTL, server rule, default) and the --ttl.max cap. */
class TtlResolverTest {
    private static final GroupingKey SENSOR = key("job", "sensor-1", "room", "kitchen");
    private static final GroupingKey BACKUP = key("job", "backup");
    private static final Duration NO_CAP = Duration.ZERO;
    private static final Duration NEVER = Duration.ZERO;

    private static TtlRule rule(String selector, Source.Kind source, Duration ttl) {
        return new TtlRule(LabelMatcher.parseSelector(selector), Optional.ofNullable(source), ttl);
    }

    /** Rules: sensors 5m, backup over HTTP only 26h, release never. */
    private static TtlRules rules() {
        return TtlRules.of(List.of(
                rule("{job=~\"sensor.*\"}", null, Duration.ofMinutes(5)),
                rule("{job=\"backup\"}", Source.Kind.MQTT, Duration.ofHours(26)),
                rule("{job=\"release\"}", null, Duration.ZERO)));
    }

    private static TtlResolver resolver(TtlRules rules, Duration defaultTtl, Duration maxTtl) {
        return new TtlResolver(() -> rules, defaultTtl, maxTtl);
    }

    private static Map<String, Double> stale(Object... familySeconds) {
        Map<String, Double> map = new LinkedHashMap<>();
        for (int i = 0; i < familySeconds.length; i += 2) {
            map.put((String) familySeconds[i], (Double) familySeconds[i + 1]);
        }
        return map;
    }

    @Test
    void withoutAnyTtlSourceTheDefaultOfNeverApplies() {
        Ttls ttls = resolver(TtlRules.none(), NEVER, NO_CAP)
                .resolve(BACKUP, Source.Kind.HTTP, Optional.empty(), Map.of());

        assertThat(ttls.pushMillis()).isZero();
        assertThat(ttls.familyMillis()).isEmpty();
        assertThat(ttls.forFamily("anything")).isZero();
    }

    @Test
    void theServerDefaultAppliesWhenNoRuleMatches() {
        Ttls ttls = resolver(rules(), Duration.ofMinutes(7), NO_CAP)
                .resolve(key("job", "other"), Source.Kind.HTTP, Optional.empty(), Map.of());

        assertThat(ttls.pushMillis()).isEqualTo(Duration.ofMinutes(7).toMillis());
    }

    @Test
    void aMatchingRuleBeatsTheDefault() {
        Ttls ttls = resolver(rules(), Duration.ofMinutes(7), NO_CAP)
                .resolve(SENSOR, Source.Kind.HTTP, Optional.empty(), Map.of());

        assertThat(ttls.pushMillis()).isEqualTo(Duration.ofMinutes(5).toMillis());
    }

    @Test
    void aRuleForAnotherSourceDoesNotApply() {
        TtlResolver resolver = resolver(rules(), Duration.ofMinutes(7), NO_CAP);

        assertThat(resolver.resolve(BACKUP, Source.Kind.HTTP, Optional.empty(), Map.of()).pushMillis())
                .isEqualTo(Duration.ofMinutes(7).toMillis());
        assertThat(resolver.resolve(BACKUP, Source.Kind.MQTT, Optional.empty(), Map.of()).pushMillis())
                .isEqualTo(Duration.ofHours(26).toMillis());
    }

    @Test
    void aRuleOfZeroMeansNeverAndDoesNotFallThroughToTheDefault() {
        Ttls ttls = resolver(rules(), Duration.ofMinutes(7), NO_CAP)
                .resolve(key("job", "release"), Source.Kind.HTTP, Optional.empty(), Map.of());

        assertThat(ttls.pushMillis()).isZero();
    }

    @Test
    void thePushTtlBeatsRulesAndTheDefault() {
        TtlResolver resolver = resolver(rules(), Duration.ofMinutes(7), NO_CAP);

        assertThat(resolver.resolve(SENSOR, Source.Kind.HTTP, Optional.of(Duration.ofSeconds(30)), Map.of())
                .pushMillis()).isEqualTo(30_000);
        assertThat(resolver.resolve(key("job", "other"), Source.Kind.HTTP, Optional.of(Duration.ofSeconds(30)), Map.of())
                .pushMillis()).isEqualTo(30_000);
    }

    @Test
    void aPushTtlOfZeroMeansNeverEvenWhenARuleWouldGiveOne() {
        Ttls ttls = resolver(rules(), Duration.ofMinutes(7), NO_CAP)
                .resolve(SENSOR, Source.Kind.HTTP, Optional.of(Duration.ZERO), Map.of());

        assertThat(ttls.pushMillis()).isZero();
    }

    @Test
    void aStaleTimeoutDirectiveGivesItsFamilyItsOwnTtlAndBeatsThePushTtl() {
        Ttls ttls = resolver(rules(), Duration.ofMinutes(7), NO_CAP)
                .resolve(SENSOR, Source.Kind.HTTP, Optional.of(Duration.ofHours(1)), stale("short", 1.5, "long", 120.0));

        assertThat(ttls.pushMillis()).isEqualTo(Duration.ofHours(1).toMillis());
        assertThat(ttls.forFamily("short")).isEqualTo(1_500);
        assertThat(ttls.forFamily("long")).isEqualTo(120_000);
        assertThat(ttls.forFamily("undirected")).isEqualTo(Duration.ofHours(1).toMillis());
    }

    @Test
    void aStaleTimeoutDirectiveBeatsRulesAndTheDefault() {
        Ttls ttls = resolver(rules(), Duration.ofMinutes(7), NO_CAP)
                .resolve(SENSOR, Source.Kind.HTTP, Optional.empty(), stale("short", 2.0));

        assertThat(ttls.forFamily("short")).isEqualTo(2_000);
        assertThat(ttls.forFamily("undirected")).isEqualTo(Duration.ofMinutes(5).toMillis());
    }

    @Test
    void aNullStaleTimeoutMeansNeverForItsFamilyWhateverThePushSays() {
        Ttls ttls = resolver(rules(), Duration.ofMinutes(7), NO_CAP)
                .resolve(SENSOR, Source.Kind.HTTP, Optional.of(Duration.ofSeconds(10)), stale("forever", null));

        assertThat(ttls.familyMillis()).containsEntry("forever", 0L);
        assertThat(ttls.forFamily("forever")).isZero();
        assertThat(ttls.pushMillis()).isEqualTo(10_000);
    }

    @Test
    void theMaxCapsALongerPushTtl() {
        Ttls ttls = resolver(TtlRules.none(), NEVER, Duration.ofSeconds(2))
                .resolve(BACKUP, Source.Kind.HTTP, Optional.of(Duration.ofHours(1)), Map.of());

        assertThat(ttls.pushMillis()).isEqualTo(2_000);
    }

    @Test
    void theMaxLeavesAShorterTtlAlone() {
        Ttls ttls = resolver(TtlRules.none(), NEVER, Duration.ofSeconds(2))
                .resolve(BACKUP, Source.Kind.HTTP, Optional.of(Duration.ofMillis(1_500)), stale("f", 0.5));

        assertThat(ttls.pushMillis()).isEqualTo(1_500);
        assertThat(ttls.forFamily("f")).isEqualTo(500);
    }

    @Test
    void theMaxCapsNeverFromEverySource() {
        TtlResolver resolver = resolver(rules(), NEVER, Duration.ofSeconds(2));

        assertThat(resolver.resolve(BACKUP, Source.Kind.HTTP, Optional.empty(), Map.of()).pushMillis())
                .as("default of never").isEqualTo(2_000);
        assertThat(resolver.resolve(key("job", "release"), Source.Kind.HTTP, Optional.empty(), Map.of()).pushMillis())
                .as("rule of never").isEqualTo(2_000);
        assertThat(resolver.resolve(BACKUP, Source.Kind.HTTP, Optional.of(Duration.ZERO), Map.of()).pushMillis())
                .as("push TTL of never").isEqualTo(2_000);
        assertThat(resolver.resolve(BACKUP, Source.Kind.HTTP, Optional.empty(), stale("f", null)).forFamily("f"))
                .as("stale_timeout null").isEqualTo(2_000);
    }

    @Test
    void theMaxCapsRulesTheDefaultAndStaleTimeouts() {
        TtlResolver resolver = resolver(rules(), Duration.ofMinutes(7), Duration.ofMinutes(1));

        assertThat(resolver.resolve(SENSOR, Source.Kind.HTTP, Optional.empty(), Map.of()).pushMillis())
                .as("rule of 5m").isEqualTo(60_000);
        assertThat(resolver.resolve(BACKUP, Source.Kind.HTTP, Optional.empty(), Map.of()).pushMillis())
                .as("default of 7m").isEqualTo(60_000);
        assertThat(resolver.resolve(BACKUP, Source.Kind.HTTP, Optional.empty(), stale("f", 3600.0)).forFamily("f"))
                .as("stale_timeout of 1h").isEqualTo(60_000);
    }

    @Test
    void aMaxOfZeroCapsNothing() {
        Ttls ttls = resolver(TtlRules.none(), NEVER, NO_CAP)
                .resolve(BACKUP, Source.Kind.HTTP, Optional.of(Duration.ofDays(400)), stale("f", null));

        assertThat(ttls.pushMillis()).isEqualTo(Duration.ofDays(400).toMillis());
        assertThat(ttls.forFamily("f")).isZero();
    }

    @Test
    void rulesAreReadAgainOnEveryResolveSoAReloadTakesEffectAtOnce() {
        AtomicReference<TtlRules> current = new AtomicReference<>(TtlRules.none());
        TtlResolver resolver = new TtlResolver(current::get, Duration.ofMinutes(7), NO_CAP);

        assertThat(resolver.resolve(SENSOR, Source.Kind.HTTP, Optional.empty(), Map.of()).pushMillis())
                .isEqualTo(Duration.ofMinutes(7).toMillis());
        current.set(rules());
        assertThat(resolver.resolve(SENSOR, Source.Kind.HTTP, Optional.empty(), Map.of()).pushMillis())
                .isEqualTo(Duration.ofMinutes(5).toMillis());
    }

    @Test
    void theFirstMatchingRuleWins() {
        TtlRules rules = TtlRules.of(List.of(
                rule("{job=\"sensor-1\"}", null, Duration.ofSeconds(1)),
                rule("{job=~\"sensor.*\"}", null, Duration.ofHours(1))));
        TtlResolver resolver = resolver(rules, NEVER, NO_CAP);

        assertThat(resolver.resolve(SENSOR, Source.Kind.HTTP, Optional.empty(), Map.of()).pushMillis()).isEqualTo(1_000);
        assertThat(resolver.resolve(key("job", "sensor-2"), Source.Kind.HTTP, Optional.empty(), Map.of()).pushMillis())
                .isEqualTo(Duration.ofHours(1).toMillis());
    }
}
