package io.tidegate.mqtt;

import static io.tidegate.TestKeys.key;
import static io.tidegate.mqtt.Publish.live;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidegate.config.ConfigException;
import io.tidegate.config.ConfigFile;
import io.tidegate.format.NameValidation;
import io.tidegate.key.GroupingKey;
import io.tidegate.store.WriteLimits;
import org.junit.jupiter.api.Test;

/**
 * UTF-8 names over MQTT with {@code --push.enable-utf8-names}: topics carry {@code U__}-encoded label names as
 * push paths do, text payloads quoted names, and mapping rules may name labels and metrics in UTF-8. Without
 * the flag every one of them is refused or read as before.
 */
class MqttUtf8NamesTest {
    private static final WriteLimits D = WriteLimits.DEFAULTS;
    private static final WriteLimits UTF8 = new WriteLimits(D.maxSeries(), D.maxLabelsPerSeries(), D.maxLabelNameLength(),
            D.maxLabelValueLength(), D.maxGroups(), D.maxStoredSeries(), D.maxStoredBytes(), NameValidation.UTF8);

    private static final String RULES = """
            mqtt_mappings:
              - name: rooms
                topic: house/+room
                group: {job: house, "room.name": '{room}'}
                labels: {"sensor.model": model}
                metrics:
                  - {path: temp, name: 'temp.{room}', unit: celsius}
            """;

    @Test
    void aTopicCarriesAnEncodedLabelNameAndAPayloadQuotedNames() {
        IngestFixture fixture = new IngestFixture(UTF8);
        MqttOutcome outcome = fixture.handle(live("metrics/job/j/U__room_2e_name/kitchen",
                "{\"temp.celsius\",\"sensor.model\"=\"x1\"} 21.5\n"));

        assertThat(outcome.kind()).isEqualTo(MqttOutcome.Kind.WRITTEN);
        GroupingKey key = key("job", "j", "room.name", "kitchen");
        assertThat(fixture.value(key, "temp.celsius")).isEqualTo(21.5);
        assertThat(fixture.stored(key, "temp.celsius").family().metrics().get(0).label("sensor.model")).isEqualTo("x1");
    }

    @Test
    void withoutTheFlagTheSameMessageIsRejectedAndTheEncodedNameIsALegacyName() {
        IngestFixture fixture = new IngestFixture();
        MqttOutcome quoted = fixture.handle(live("metrics/job/j/U__room_2e_name/kitchen",
                "{\"temp.celsius\"} 21.5\n"));
        assertThat(quoted.kind()).isEqualTo(MqttOutcome.Kind.REJECTED);
        assertThat(fixture.handle(live("metrics/job/j/U__room_2e_name/kitchen", "temp 21.5\n")).kind())
                .isEqualTo(MqttOutcome.Kind.WRITTEN);
        assertThat(fixture.value(key("job", "j", "U__room_2e_name", "kitchen"), "temp")).isEqualTo(21.5);
    }

    @Test
    void withoutTheFlagATextPayloadTakesQuotedLegacyNamesAsAnHttpBodyDoes() {
        IngestFixture fixture = new IngestFixture();
        MqttOutcome outcome = fixture.handle(live("metrics/job/j", "m{\"code\"=\"200\"} 1\n\"other\" 2"));

        assertThat(outcome.kind()).isEqualTo(MqttOutcome.Kind.WRITTEN);
        assertThat(fixture.stored(key("job", "j"), "m").family().metrics().get(0).label("code")).isEqualTo("200");
        assertThat(fixture.value(key("job", "j"), "other")).isEqualTo(2);
        MqttOutcome dotted = fixture.handle(live("metrics/job/j", "m{\"code.class\"=\"2xx\"} 1"));
        assertThat(dotted.kind()).isEqualTo(MqttOutcome.Kind.REJECTED);
        assertThat(dotted.message()).isEqualTo("text format parsing error in line 1: invalid label name \"code.class\"");
    }

    @Test
    void withoutTheFlagAPayloadStartingWithAQuotedNameInBracesIsTextOnlyWhenItsContentTypeSaysSo() {
        IngestFixture fixture = new IngestFixture();
        // sniffed: a payload starting with {" is JSON, as before (only the flag sniffs quoted names in braces)
        assertThat(fixture.handle(live("metrics/job/j", "{\"temp\"} 21.5")).kind()).isEqualTo(MqttOutcome.Kind.REJECTED);
        assertThat(fixture.rejected(RejectReason.BAD_PAYLOAD)).isEqualTo(1);
        // an MQTT 5 content type decides: text, read as an HTTP body is
        MqttOutcome text = fixture.handle(live("metrics/job/j", "{\"temp\"} 21.5").contentType("text/plain"));
        assertThat(text.kind()).isEqualTo(MqttOutcome.Kind.WRITTEN);
        assertThat(fixture.value(key("job", "j"), "temp")).isEqualTo(21.5);
        // with the flag the same payload is sniffed as text
        IngestFixture utf8 = new IngestFixture(UTF8);
        assertThat(utf8.handle(live("metrics/job/j", "{\"temp\"} 21.5")).kind()).isEqualTo(MqttOutcome.Kind.WRITTEN);
        assertThat(utf8.value(key("job", "j"), "temp")).isEqualTo(21.5);
    }

    @Test
    void aTopicOfAUtf8LabelNameReadsBackToTheSameKey() {
        TopicScheme scheme = new TopicScheme("metrics", NameValidation.UTF8);
        GroupingKey key = key("job", "j", "room/name+#", "kitchen", "zone", "eu");
        String topic = scheme.topicOf(key);
        assertThat(topic).isEqualTo("metrics/job/j/U__room_2f_name_2b__23_/kitchen/zone/eu");
        assertThat(scheme.parse(topic).key()).isEqualTo(key);
    }

    @Test
    void aMappingRuleNamesLabelsAndMetricsInUtf8WithTheFlag() throws ConfigException {
        IngestFixture fixture = new IngestFixture(UTF8);
        fixture.mappings.set(ConfigFile.parse("tidegate.yml", RULES, NameValidation.UTF8).mqttMappings());

        MqttOutcome outcome = fixture.handle(live("house/kitchen", "{\"temp\": 21.5, \"model\": \"x1\"}"));

        assertThat(outcome.kind()).isEqualTo(MqttOutcome.Kind.WRITTEN);
        GroupingKey key = key("job", "house", "room.name", "kitchen");
        assertThat(fixture.value(key, "temp.kitchen_celsius")).isEqualTo(21.5);
        assertThat(fixture.stored(key, "temp.kitchen_celsius").family().metrics().get(0).label("sensor.model"))
                .isEqualTo("x1");
    }

    @Test
    void withoutTheFlagAMappingRuleWithUtf8LabelNamesIsRefusedAndNamesAreSanitised() throws ConfigException {
        assertThatThrownBy(() -> ConfigFile.parse("tidegate.yml", RULES))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("invalid label name (letters, digits and _, not starting with a digit or __)");
        IngestFixture fixture = new IngestFixture();
        fixture.mappings.set(ConfigFile.parse("tidegate.yml", RULES.replace("\"room.name\"", "room")
                .replace("\"sensor.model\"", "model")).mqttMappings());
        fixture.handle(live("house/kitchen", "{\"temp\": 21.5, \"model\": \"x1\"}"));
        assertThat(fixture.value(key("job", "house", "room", "kitchen"), "temp_kitchen_celsius")).isEqualTo(21.5);
    }
}
