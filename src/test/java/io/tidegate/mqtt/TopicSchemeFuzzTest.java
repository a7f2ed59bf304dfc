package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.fuzz.FuzzBudget;
import io.tidegate.fuzz.KeyTexts;
import io.tidegate.fuzz.Refusals;
import io.tidegate.key.GroupingKey;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * Fuzzing of the MQTT topic scheme (SPEC §7): any topic gives a grouping key (and perhaps a metric
 * level) or a one-line reason, and any key published under its base64 spelling reads back as itself.
 */
@AddLifecycleHook(FuzzBudget.class)
class TopicSchemeFuzzTest {
    private final TopicScheme scheme = new TopicScheme("site/metrics");

    @Property(tries = 4000)
    void anyTopicGivesAKeyOrAReason(@ForAll("topics") String topic) {
        TopicScheme.Parsed parsed = scheme.parse(topic);
        if (parsed.error() != null) {
            assertThat(parsed.key()).isNull();
            Refusals.assertClean(parsed.error());
            return;
        }
        KeyTexts.assertWellFormed(parsed.key());
        assertThat(topic).startsWith("site/metrics/job");
    }

    @Property(tries = 2000)
    void everyKeyPublishedInBase64ReadsBackWithItsMetricLevel(@ForAll("keys") Map<String, String> key,
            @ForAll("metricLevels") String metricLevel) {
        String topic = "site/metrics/" + KeyTexts.encodedPath(key) + (metricLevel == null ? "" : "/" + metricLevel);

        TopicScheme.Parsed parsed = scheme.parse(topic);

        assertThat(parsed.error()).isNull();
        assertThat(parsed.key()).isEqualTo(GroupingKey.of(key));
        assertThat(parsed.metricLevel()).isEqualTo(metricLevel);
    }

    @Provide
    Arbitrary<String> topics() {
        Arbitrary<String> prefix = Arbitraries.of("site/metrics/", "site/metrics", "site/", "", "site/metrics//",
                "Site/metrics/", "site/metrics/job/", "site/metrics/job@base64/");
        return Combinators.combine(prefix, KeyTexts.path(9)).as(String::concat);
    }

    @Provide
    Arbitrary<Map<String, String>> keys() {
        return KeyTexts.keys();
    }

    @Provide
    Arbitrary<String> metricLevels() {
        // a published topic holds no NUL (MQTT forbids it) and a level no slash
        return KeyTexts.text().filter(level -> !level.contains("/") && !level.contains("\u0000")).injectNull(0.3);
    }
}
