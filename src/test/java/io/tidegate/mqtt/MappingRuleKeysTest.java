package io.tidegate.mqtt;

import static io.tidegate.TestKeys.key;
import static io.tidegate.mqtt.Publish.live;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidegate.config.ConfigException;
import io.tidegate.config.ConfigFile;
import io.tidegate.format.Metric;
import io.tidegate.key.GroupingKey;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The rule keys that take what devices really send: arrays (index_label), payload conditions
 * (when), the keys a {@code *} takes (key_match), named groups of where expressions, topic_prefix,
 * and optional fields of the wrong type left out and counted.
 */
class MappingRuleKeysTest {
    private final IngestFixture fixture = new IngestFixture();

    private void rules(String yaml) throws ConfigException {
        fixture.mappings.set(ConfigFile.parse("tidegate.yml", "mqtt_mappings:\n" + yaml).mqttMappings());
    }

    /** The series of a family of a group, by their labels (the group's own left out), as label text → value. */
    private Map<String, Double> series(GroupingKey key, String family) {
        Map<String, Double> series = new TreeMap<>();
        for (Metric metric : fixture.stored(key, family).family().metrics()) {
            StringBuilder labels = new StringBuilder();
            metric.labels().stream().filter(label -> !key.labelNames().contains(label.name()) && !label.name().equals("instance"))
                    .forEach(label -> labels.append(labels.length() == 0 ? "" : ",").append(label.name()).append('=')
                            .append(label.value()));
            series.put(labels.toString(), metric.value());
        }
        return series;
    }

    private double fieldsSkipped(String rule, String reason) {
        return fixture.own.families().stream().filter(family -> family.name().equals("tidegate_mqtt_fields_skipped_total"))
                .flatMap(family -> family.metrics().stream())
                .filter(metric -> rule.equals(metric.label("rule")) && reason.equals(metric.label("reason")))
                .mapToDouble(Metric::value).findFirst().orElse(0);
    }

    private static final GroupingKey DEVICE = key("job", "j", "device", "d");

    @Test
    void anArrayGivesOneSeriesPerElementCountedFromOneAndScalarFieldsStayAsTheyAre() throws Exception {
        rules("""
                  - name: energy
                    topic: e/+device
                    group: {job: j, device: '{device}'}
                    metrics:
                      - {path: E.Power}
                      - {path: E.Voltage}
                      - {path: E.State, values: {"ON": 1, "OFF": 0}}
                      - {path: E.Phases, index_label: phase}
                """);

        fixture.publish(live("e/d", "{\"E\":{\"Power\":[12,0,3.5],\"Voltage\":230,\"State\":[\"ON\",\"OFF\"],\"Phases\":[1,2]}}"));

        assertThat(series(DEVICE, "Power")).containsExactly(Map.entry("channel=1", 12.0), Map.entry("channel=2", 0.0),
                Map.entry("channel=3", 3.5));
        assertThat(series(DEVICE, "Voltage")).containsExactly(Map.entry("", 230.0));
        assertThat(series(DEVICE, "State")).containsExactly(Map.entry("channel=1", 1.0), Map.entry("channel=2", 0.0));
        assertThat(series(DEVICE, "Phases")).containsExactly(Map.entry("phase=1", 1.0), Map.entry("phase=2", 2.0));
    }

    @Test
    void anOptionalFieldOfTheWrongTypeIsLeftOutAndCountedAndTheRestOfTheMessageIsTaken() throws Exception {
        rules("""
                  - name: probe
                    topic: p/+device
                    group: {job: j, device: '{device}'}
                    metrics:
                      - {path: temperature}
                      - {path: humidity, optional: true}
                      - {path: state, values: {"ON": 1}, optional: true}
                      - {path: battery, optional: true}
                      - {path: power, optional: true}
                """);

        MqttOutcome outcome = fixture.handle(live("p/d",
                "{\"temperature\":21.5,\"humidity\":{\"rh\":40},\"state\":\"TOGGLE\",\"battery\":null,\"power\":[1,\"x\",[2]]}"));

        assertThat(outcome.kind()).isEqualTo(MqttOutcome.Kind.WRITTEN);
        assertThat(fixture.value(DEVICE, "temperature")).isEqualTo(21.5);
        assertThat(series(DEVICE, "power")).containsExactly(Map.entry("channel=1", 1.0));
        assertThat(outcome.skippedFields()).extracting(SkippedField::toString).containsExactly(
                "humidity (wrong_type: an object, not a number)",
                "state (wrong_type: \"TOGGLE\" is not a number and not one of the metric's values (ON))",
                "battery (missing)",
                "power[1] (wrong_type: \"x\" is not a number (a values map turns strings into numbers))",
                "power[2] (wrong_type: an array, not a number (its elements are))");
        assertThat(fieldsSkipped("probe", "wrong_type")).isEqualTo(4);
        assertThat(fieldsSkipped("probe", "missing")).isEqualTo(1);
        assertThat(fixture.group(DEVICE).family("humidity")).isNull();
    }

    @Test
    void aFieldOfTheWrongTypeThatIsNotOptionalRefusesTheMessageNamingTheRuleAndTheField() throws Exception {
        rules("""
                  - name: plug
                    topic: t/+device
                    group: {job: j, device: '{device}'}
                    metrics:
                      - {path: '*.Power', key_label: meter}
                      - {path: Voltage, index_label: channel}
                """);
        fixture.publish(live("t/d", "{\"M\":{\"Power\":5},\"Voltage\":230}"));

        MqttOutcome outcome = fixture.handle(live("t/d", "{\"M\":{\"Power\":{\"a\":1}},\"Voltage\":230}"));
        MqttOutcome element = fixture.handle(live("t/d", "{\"M\":{\"Power\":5},\"Voltage\":[230,\"n/a\"]}"));

        assertThat(outcome.kind()).isEqualTo(MqttOutcome.Kind.REJECTED);
        assertThat(outcome.message()).isEqualTo("rule plug: value at M.Power is an object, not a number");
        assertThat(fixture.lastRejection("t/d").message()).isEqualTo(element.message());
        assertThat(element.message()).isEqualTo(
                "rule plug: value at Voltage[1]: \"n/a\" is not a number (a values map turns strings into numbers)");
        assertThat(fixture.value(DEVICE, "Power")).isEqualTo(5);
    }

    @Test
    void anArrayWhereTheDefaultChannelLabelIsTakenIsOfTheWrongType() throws Exception {
        rules("""
                  - name: relay
                    topic: r/+device/+channel
                    group: {job: j, device: '{device}', channel: '{channel}'}
                    metrics: [{path: Power}]
                """);

        MqttOutcome outcome = fixture.handle(live("r/d/1", "{\"Power\":[1,2]}"));

        assertThat(outcome.kind()).isEqualTo(MqttOutcome.Kind.REJECTED);
        assertThat(outcome.message()).isEqualTo("rule relay: value at Power is an array, not a number (index_label names the"
                + " label that tells its elements apart, when the default channel is taken)");
    }

    @Test
    void aWhenConditionTakesOnlyMatchingPayloadsAndSkipsTheOthersWithoutARejection() throws Exception {
        rules("""
                  - name: rpc
                    topic: +device/events/rpc
                    when: {method: 'NotifyStatus|NotifyFullStatus', 'params.ts': '[0-9.]+'}
                    group: {job: j, device: '{device}'}
                    metrics: [{path: 'params.*.tC', key_label: component, name: temperature}]
                """);

        MqttOutcome taken = fixture.handle(live("d/events/rpc",
                "{\"method\":\"NotifyStatus\",\"params\":{\"ts\":1.5,\"temperature:0\":{\"tC\":20}}}"));
        MqttOutcome event = fixture.handle(live("d/events/rpc",
                "{\"method\":\"NotifyEvent\",\"params\":{\"ts\":1.5,\"temperature:0\":{\"tC\":99}}}"));
        MqttOutcome noMethod = fixture.handle(live("d/events/rpc", "{\"params\":{\"ts\":1.5,\"temperature:0\":{\"tC\":99}}}"));
        MqttOutcome objectMethod = fixture.handle(live("d/events/rpc",
                "{\"method\":{\"x\":1},\"params\":{\"ts\":1,\"temperature:0\":{\"tC\":99}}}"));

        assertThat(taken.kind()).isEqualTo(MqttOutcome.Kind.WRITTEN);
        for (MqttOutcome skipped : List.of(event, noMethod, objectMethod)) {
            assertThat(skipped.kind()).isEqualTo(MqttOutcome.Kind.SKIPPED);
            assertThat(skipped.skipped()).isEqualTo(SkipReason.UNMAPPED);
            assertThat(skipped.rule()).isEqualTo("rpc");
        }
        assertThat(fixture.skipped(SkipReason.UNMAPPED)).isEqualTo(3);
        assertThat(series(DEVICE, "temperature")).containsExactly(Map.entry("component=temperature:0", 20.0));
        // a payload that is no JSON object is still refused: the condition cannot be read
        assertThat(fixture.handle(live("d/events/rpc", "[1]")).kind()).isEqualTo(MqttOutcome.Kind.REJECTED);
    }

    @Test
    void keyMatchTakesOnlyTheKeysItMatchesAndItsNamedGroupsBecomeLabelsAnEmptyOneLeftOut() throws Exception {
        rules("""
                  - name: state
                    topic: tele/+device/STATE
                    group: {job: j, device: '{device}'}
                    metrics:
                      - {path: '*', key_match: 'POWER(?<channel>[0-9]*)', name: relay_on, values: {"ON": 1, "OFF": 0}}
                      - {path: '*', key_match: '(?<phase>[abc])_(?<kind>act|aprt)_power', name: power}
                """);

        fixture.publish(live("tele/d/STATE", "{\"UptimeSec\":5,\"POWER1\":\"ON\",\"POWER2\":\"OFF\",\"POWERX\":\"ON\","
                + "\"a_act_power\":1,\"b_aprt_power\":2,\"n_act_power\":3}"));
        fixture.publish(live("tele/e/STATE", "{\"POWER\":\"ON\",\"a_act_power\":1}"));

        assertThat(series(DEVICE, "relay_on")).containsExactly(Map.entry("channel=1", 1.0), Map.entry("channel=2", 0.0));
        assertThat(series(DEVICE, "power")).containsExactly(Map.entry("kind=act,phase=a", 1.0),
                Map.entry("kind=aprt,phase=b", 2.0));
        assertThat(series(key("job", "j", "device", "e"), "relay_on")).containsExactly(Map.entry("", 1.0));
    }

    @Test
    void theNamedGroupsOfWhereExpressionsAreCapturesForTheGroupAndTheName() throws Exception {
        rules("""
                  - name: stat
                    topic: stat/+device/+relay
                    where: {relay: 'POWER(?<channel>[0-9]*)'}
                    group: {job: j, device: '{device}', channel: '{channel}'}
                    format: value
                    metrics: [{name: 'relay{channel}_on', values: {"ON": 1, "OFF": 0}}]
                """);

        fixture.publish(live("stat/d/POWER2", "ON"));
        MqttOutcome result = fixture.handle(live("stat/d/RESULT", "{\"POWER2\":\"ON\"}"));

        assertThat(fixture.value(key("job", "j", "device", "d", "channel", "2"), "relay2_on")).isEqualTo(1);
        assertThat(result.skipped()).isEqualTo(SkipReason.UNMAPPED);
    }

    @Test
    void topicPrefixIsPutInFrontOfTheTopicAndAYamlAnchorSetsItForEveryRule() throws Exception {
        rules("""
                  - name: status
                    topic_prefix: &prefix 'home/+node'
                    topic: status
                    group: {job: j, node: '{node}'}
                    availability: true
                  - name: sensor
                    topic_prefix: *prefix
                    topic: sensor/+sensor/state
                    group: {job: j, node: '{node}'}
                    format: value
                """);

        fixture.publish(live("home/kitchen/sensor/temperature/state", "21"));

        assertThat(fixture.value(key("job", "j", "node", "kitchen"), "state")).isEqualTo(21);
        assertThat(fixture.mappings.get().topicFilters()).containsExactly("home/+/status", "home/+/sensor/+/state");
    }

    /** Each broken use of the new keys, and what the file is told. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "when on a value rule | - {topic: a, group: {job: a}, format: value, when: {x: y}} | mqtt_mappings[1] (line 2): when: when reads fields of a JSON payload, so only a json rule has it",
        "when with a wildcard | - {topic: a, group: {job: a}, when: {'*.x': y}} | mqtt_mappings[1] (line 2): *.x \"*.x\": a condition reads one field; * is for metrics",
        "bad when regex | - {topic: a, group: {job: a}, when: {method: '(x'}} | mqtt_mappings[1] (line 2): method \"(x\": invalid regular expression: Unclosed group",
        "key_match without * | - {topic: a, group: {job: a}, metrics: [{path: x, key_match: y}]} | mqtt_mappings[1] (line 2): metrics[1] (line 2): key_match \"y\": key_match says which keys * takes; the path has no *",
        "key_match without a label | - {topic: a, group: {job: a}, metrics: [{path: '*', key_match: 'POWER[0-9]*'}]} | mqtt_mappings[1] (line 2): metrics[1] (line 2): key_label: missing; with a * in the path, each key it matches is a series, told apart by this label (such as key_label: sensor) or by the named groups of key_match",
        "key_match group on a group label | - {topic: '+d', group: {job: a, d: '{d}'}, metrics: [{path: '*', key_match: '(?<d>x)'}]} | mqtt_mappings[1] (line 2): metrics[1] (line 2): key_match \"d\": is a label of the group already; the grouping key would override it",
        "index_label on a group label | - {topic: '+d', group: {job: a, d: '{d}'}, metrics: [{path: x, index_label: d}]} | mqtt_mappings[1] (line 2): metrics[1] (line 2): index_label \"d\": is a label of the group already; the grouping key would override it",
        "index_label on the key label | - {topic: a, group: {job: a}, metrics: [{path: '*.x', key_label: s, index_label: s}]} | mqtt_mappings[1] (line 2): metrics[1] (line 2): index_label \"s\": is one of the metric's labels already",
        "index_label on a value rule | - {topic: a, group: {job: a}, format: value, metrics: [{index_label: c}]} | mqtt_mappings[1] (line 2): metrics[1] (line 2): index_label \"c\": a plain value is never an array; index_label is for json rules",
        "where group named as a capture | - {topic: '+a/+b', where: {a: '(?<b>x)'}, group: {job: a}} | mqtt_mappings[1] (line 2): where: the group (?<b>...) of a has the name of another capture; names must be unique",
        "topic_prefix ending in a slash | - {topic_prefix: 'home/', topic: a, group: {job: a}} | mqtt_mappings[1] (line 2): topic_prefix \"home/\": topic levels without a trailing /, such as +node or home/+node",
        "template of an unknown group | - {topic: '+r', where: {r: 'P(?<ch>[0-9])'}, group: {job: a, c: '{chan}'}} | mqtt_mappings[1] (line 2): c \"{chan}\": {chan} is not a wildcard name of the topic (it names r, ch)",
    })
    void brokenUsesOfTheNewKeysAreRefusedNamingTheRuleAndTheProblem(String what, String yaml, String message) {
        assertThatThrownBy(() -> rules("  " + yaml + "\n")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("tidegate.yml: " + message);
    }
}
