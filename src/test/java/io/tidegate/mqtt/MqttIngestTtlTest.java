package io.tidegate.mqtt;

import static io.tidegate.TestKeys.key;
import static io.tidegate.mqtt.Publish.live;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.ttl.LabelMatcher;
import io.tidegate.ttl.TtlRule;
import io.tidegate.ttl.TtlRules;
import io.tidegate.key.GroupingKey;
import io.tidegate.store.Source;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The TTL of an MQTT message (SPEC §3): a {@code #!set} line, else the MQTT 5 expiry interval, else
 * the {@code ttl} user property, else the server rules, else the default; {@code --ttl.max} caps.
 */
class MqttIngestTtlTest {
    private static final GroupingKey SENSOR = key("job", "sensor");
    private static final Duration DEFAULT = Duration.ofHours(1);

    private final IngestFixture gateway = new IngestFixture(RetainedMode.APPLY, 100, DEFAULT, Duration.ZERO);

    private void rule(String selector, Source.Kind source, Duration ttl) {
        gateway.rules.set(TtlRules.of(List.of(
                new TtlRule(LabelMatcher.parseSelector(selector), Optional.ofNullable(source), ttl))));
    }

    @Test
    void withNothingElseTheServerDefaultApplies() {
        gateway.publish(live("metrics/job/sensor", "temp 21\n"));

        assertThat(gateway.deadline(SENSOR, "temp")).isEqualTo(gateway.now().plus(DEFAULT));
    }

    @Test
    void aRuleForMqttBeatsTheDefault() {
        rule("{job=\"sensor\"}", Source.Kind.MQTT, Duration.ofMinutes(10));

        gateway.publish(live("metrics/job/sensor", "temp 21\n"));

        assertThat(gateway.deadline(SENSOR, "temp")).isEqualTo(gateway.now().plusSeconds(600));
    }

    @Test
    void aRuleForHttpDoesNotApplyToMqtt() {
        rule("{job=\"sensor\"}", Source.Kind.HTTP, Duration.ofMinutes(10));

        gateway.publish(live("metrics/job/sensor", "temp 21\n"));

        assertThat(gateway.deadline(SENSOR, "temp")).isEqualTo(gateway.now().plus(DEFAULT));
    }

    @Test
    void theTtlPropertyBeatsTheRules() {
        rule("{job=\"sensor\"}", null, Duration.ofMinutes(10));

        gateway.publish(live("metrics/job/sensor", "temp 21\n").property("ttl", "5m"));
        gateway.publish(live("metrics/job/sensor/humidity", "40").property("ttl", "90"));

        assertThat(gateway.deadline(SENSOR, "temp")).isEqualTo(gateway.now().plusSeconds(300));
        assertThat(gateway.deadline(SENSOR, "humidity")).isEqualTo(gateway.now().plusSeconds(90));
    }

    @Test
    void theExpiryIntervalBeatsTheTtlProperty() {
        gateway.publish(live("metrics/job/sensor", "temp 21\n").expiry(60).property("ttl", "5m"));

        assertThat(gateway.deadline(SENSOR, "temp")).isEqualTo(gateway.now().plusSeconds(60));
    }

    @Test
    void aStaleTimeoutLineInTheBodyBeatsTheExpiryInterval() {
        gateway.publish(live("metrics/job/sensor", "temp 21\n#!set stale_timeout = 30\nhumidity 40\n").expiry(60));

        assertThat(gateway.deadline(SENSOR, "temp")).isEqualTo(gateway.now().plusSeconds(60));
        assertThat(gateway.deadline(SENSOR, "humidity")).isEqualTo(gateway.now().plusSeconds(30));
    }

    @Test
    void anExpiryIntervalOfZeroMeansNeverAsAnHttpTtlOfZeroDoes() {
        gateway.publish(live("metrics/job/sensor", "temp 21\n").expiry(0));

        assertThat(gateway.deadline(SENSOR, "temp")).isNull();
    }

    @Test
    void theMaximumCapsEveryTtl() {
        IngestFixture capped = new IngestFixture(RetainedMode.APPLY, 100, Duration.ZERO, Duration.ofMinutes(2));

        capped.publish(live("metrics/job/sensor", "temp 21\n").expiry(3600));
        capped.publish(live("metrics/job/other", "#!set stale_timeout = null\ntemp 21\n"));
        capped.publish(live("metrics/job/third/humidity", "40").property("ttl", "1h"));

        assertThat(capped.deadline(SENSOR, "temp")).isEqualTo(capped.now().plusSeconds(120));
        assertThat(capped.deadline(key("job", "other"), "temp")).isEqualTo(capped.now().plusSeconds(120));
        assertThat(capped.deadline(key("job", "third"), "humidity")).isEqualTo(capped.now().plusSeconds(120));
    }

    @Test
    void aGroupIsGoneOnceItsTtlRunsOut() {
        gateway.publish(live("metrics/job/sensor", "temp 21\n").expiry(60));

        gateway.advance(Duration.ofSeconds(59));
        assertThat(gateway.group(SENSOR)).isNotNull();
        gateway.advance(Duration.ofSeconds(1));
        assertThat(gateway.group(SENSOR)).isNull();
    }

    @Test
    void aNumberTopicSetsTheTtlOfItsOwnFamilyOnly() {
        gateway.publish(live("metrics/job/sensor/temp", "21").expiry(60));
        gateway.advance(Duration.ofSeconds(30));
        gateway.publish(live("metrics/job/sensor/humidity", "40").expiry(60));

        assertThat(gateway.deadline(SENSOR, "temp")).isEqualTo(IngestFixture.START.plusSeconds(60));
        assertThat(gateway.deadline(SENSOR, "humidity")).isEqualTo(gateway.now().plusSeconds(60));
    }
}
