package io.tidegate.mqtt;

import static io.tidegate.TestKeys.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicSchemeTest {
    private final TopicScheme scheme = new TopicScheme("metrics");

    @Test
    void labelPairsAfterTheJobMakeTheKey() {
        TopicScheme.Parsed parsed = scheme.parse("metrics/job/sensor/room/kitchen/floor/1");

        assertThat(parsed.key()).isEqualTo(key("job", "sensor", "room", "kitchen", "floor", "1"));
        assertThat(parsed.metricLevel()).isNull();
        assertThat(parsed.error()).isNull();
    }

    @Test
    void oneLevelMoreNamesTheMetric() {
        TopicScheme.Parsed parsed = scheme.parse("metrics/job/sensor/room/kitchen/temperature_celsius");

        assertThat(parsed.key()).isEqualTo(key("job", "sensor", "room", "kitchen"));
        assertThat(parsed.metricLevel()).isEqualTo("temperature_celsius");
    }

    @Test
    void levelsMayHoldWhatUrlsCannot() {
        assertThat(scheme.parse("metrics/job/a b%2F/room/k?x#").key()).isEqualTo(key("job", "a b%2F", "room", "k?x#"));
    }

    @Test
    void aPrefixWithWildcardsOrNothingIsRefused() {
        assertThatThrownBy(() -> new TopicScheme("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TopicScheme("/")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TopicScheme("site/+/metrics")).hasMessageContaining("wildcards");
        assertThatThrownBy(() -> new TopicScheme("metrics/#")).hasMessageContaining("wildcards");
    }

    @Test
    void theFiltersCoverBothSpellingsOfTheJob() {
        assertThat(scheme.topicFilters()).containsExactly("metrics/job/#", "metrics/job@base64/#");
    }

    @Test
    void aSurrogatePairIsFineALoneSurrogateIsNot() {
        assertThat(scheme.parse("metrics/job/\uD83C\uDF0A").key()).isEqualTo(key("job", "\uD83C\uDF0A"));
        assertThat(scheme.parse("metrics/job/\uDF0A").error()).isEqualTo("topic is not valid UTF-8");
    }
}
