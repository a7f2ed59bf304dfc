package io.tidegate.mqtt.mapping;

import io.tidegate.config.ConfigException;
import io.tidegate.config.ConfigFile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonParser;
import io.tidegate.mqtt.mapping.MqttMapping.MappedMetric;
import io.tidegate.format.MetricType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code mqtt_mappings} section: what a rule says once loaded, and what a broken rule is told. */
class MqttMappingsTest {
    private static final String FILE = "tidegate.yml";

    private static MqttMappings mappings(String yaml) throws ConfigException {
        return ConfigFile.parse(FILE, "mqtt_mappings:\n" + yaml).mqttMappings();
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> loading(String yaml) {
        return assertThatThrownBy(() -> mappings(yaml)).isInstanceOf(ConfigException.class);
    }

    @Test
    void aFullRuleLoadsWithEveryKeyItGives() throws Exception {
        MqttMapping rule = mappings("""
                  - name: tasmota-sensor
                    topic: tele/+device/SENSOR
                    where: {device: 'kitchen-.*'}
                    group: {job: tasmota, device: '{device}'}
                    format: json
                    replace: metrics
                    ttl: 15m
                    prefix: tasmota_
                    labels: {firmware: Info.Version}
                    metrics:
                      - {path: '*.Temperature', key_label: sensor, name: temperature, unit: celsius, help: Temperature.}
                      - {path: ENERGY.Total, name: energy, unit: joules, scale: 3600000, type: counter, optional: true}
                      - {path: POWER, values: {"ON": 1, "OFF": 0}, ignore_case: true}
                """).rules().get(0);

        assertThat(rule.name()).isEqualTo("tasmota-sensor");
        assertThat(rule.topic().filter()).isEqualTo("tele/+/SENSOR");
        assertThat(rule.format()).isEqualTo(MqttMapping.Format.JSON);
        assertThat(rule.replacesGroup()).isFalse();
        assertThat(rule.ttl()).contains(Duration.ofMinutes(15));
        assertThat(rule.labels()).containsOnlyKeys("firmware");
        assertThat(rule.availability()).isNull();
        MappedMetric energy = rule.metrics().get(1);
        assertThat(energy.type()).isEqualTo(MetricType.COUNTER);
        assertThat(energy.optional()).isTrue();
        assertThat(energy.metricName("tasmota_", Map.of(), "Total")).isEqualTo("tasmota_energy_joules_total");
        assertThat(energy.valueOf("2")).isEqualTo(7_200_000.0);
        MappedMetric power = rule.metrics().get(2);
        assertThat(power.metricName("tasmota_", Map.of(), power.path().lastKey())).isEqualTo("tasmota_POWER");
        assertThat(power.valueOf("on")).isEqualTo(1.0);
        assertThat(power.valueOf("Off")).isEqualTo(0.0);
        assertThat(power.valueOf("standby")).isNull();
    }

    @Test
    void defaultsAreJsonReplacingTheGroupAndAValueRuleReplacesOnlyItsMetricNamedByTheLastLevel() throws Exception {
        MqttMappings mappings = mappings("""
                  - topic: zigbee2mqtt/+device
                    group: {job: zigbee2mqtt, device: '{device}'}
                  - topic: shellies/+device/relay/+channel/power
                    group: {job: shelly, device: '{device}', channel: '{channel}'}
                    format: value
                """);

        MqttMapping json = mappings.rules().get(0);
        assertThat(json.name()).isEqualTo("mqtt_mappings[1]");
        assertThat(json.format()).isEqualTo(MqttMapping.Format.JSON);
        assertThat(json.replacesGroup()).isTrue();
        assertThat(json.metrics()).isEmpty();
        MqttMapping value = mappings.rules().get(1);
        assertThat(value.replacesGroup()).isFalse();
        assertThat(value.metrics()).hasSize(1);
        assertThat(value.metrics().get(0).metricName("", Map.of(), "power")).isEqualTo("power");
        assertThat(value.metrics().get(0).type()).isEqualTo(MetricType.GAUGE);
    }

    @ParameterizedTest(name = "{0} with unit {1} as {2} is {3}")
    @CsvSource({
        "temperature, celsius, gauge, temperature_celsius",
        "temperature_celsius, celsius, gauge, temperature_celsius",
        "energy, joules, counter, energy_joules_total",
        "energy_total, joules, counter, energy_joules_total",
        "energy_joules_total, joules, counter, energy_joules_total",
        "Living Room.Temp, '', untyped, Living_Room_Temp",
        "1st-floor, '', gauge, _1st_floor",
    })
    void metricNamesFollowPrometheusConventions(String name, String unit, String type, String expected) throws Exception {
        MappedMetric metric = mappings("""
                  - topic: a/+x
                    group: {job: a}
                    format: value
                    metrics: [{name: '%s', %s type: %s}]
                """.formatted(name, unit.isEmpty() ? "" : "unit: " + unit + ",", type)).rules().get(0).metrics().get(0);

        assertThat(metric.metricName("", Map.of(), "x")).isEqualTo(expected);
    }

    @Test
    void namesAndLabelValuesTakeTheCapturedLevels() throws Exception {
        MqttMapping rule = mappings("""
                  - topic: +node/sensor/+sensor/state
                    group: {job: esphome, node: 'n-{node}', literal: '{{braces}}'}
                    format: value
                    metrics: [{name: 'esphome_{sensor}'}]
                """).rules().get(0);
        Map<String, String> captures = rule.topic().match("livingroom/sensor/living_room_temperature/state");

        assertThat(captures).containsExactly(Map.entry("node", "livingroom"), Map.entry("sensor", "living_room_temperature"));
        assertThat(rule.group().get("node").render(captures)).isEqualTo("n-livingroom");
        assertThat(rule.group().get("literal").render(captures)).isEqualTo("{braces}");
        assertThat(rule.metrics().get(0).metricName("", captures, "state")).isEqualTo("esphome_living_room_temperature");
    }

    @ParameterizedTest(name = "{0} against {1}: {2}")
    @CsvSource(delimiter = '|', value = {
        "zigbee2mqtt/+device | zigbee2mqtt/kitchen | {device=kitchen}",
        "zigbee2mqtt/+device | zigbee2mqtt/kitchen/availability | null",
        "zigbee2mqtt/+device | zigbee2mqtt | null",
        "zigbee2mqtt/+device | zigbee2mqtt/ | {device=}",
        "a/+/c | a/b/c | {}",
        "site/#rest | site/a/b/c | {rest=a/b/c}",
        "site/#rest | site | {rest=}",
        "+device/online | $SYS/online | null",
        "+device/online | shellyplus1-ab/online | {device=shellyplus1-ab}",
        "tele/+device/SENSOR | tele/x/sensor | null",
    })
    void topicsMatchAsMqttSaysAndCaptureTheirNamedLevels(String pattern, String topic, String expected) {
        Map<String, String> captures = TopicPattern.parse(pattern).match(topic);

        assertThat(String.valueOf(captures)).isEqualTo(expected);
    }

    @Test
    void theFirstRuleThatAppliesWinsAndWhereConditionsPassTopicsOn() throws Exception {
        MqttMappings mappings = mappings("""
                  - name: switches
                    topic: +device/status/+component
                    where: {component: 'switch:[0-9]+'}
                    group: {job: shelly, device: '{device}', component: '{component}'}
                  - name: covers
                    topic: +device/status/+component
                    where: {component: 'cover:[0-9]+'}
                    group: {job: shelly, device: '{device}', component: '{component}'}
                  - name: catch-all
                    topic: '#'
                    where: {}
                    group: {job: other}
                """);

        assertThat(mappings.find("s1/status/switch:0").rule().name()).isEqualTo("switches");
        assertThat(mappings.find("s1/status/cover:1").rule().name()).isEqualTo("covers");
        assertThat(mappings.find("s1/status/sys").rule().name()).isEqualTo("catch-all");
        assertThat(mappings.topicFilters()).containsExactly("+/status/+", "#");
    }

    @Test
    void aTopicOnlyExcludedByWhereConditionsIsToldApartFromOneNoRuleMatches() throws Exception {
        MqttMappings mappings = mappings("""
                  - topic: +device/status/+component
                    where: {component: 'switch:[0-9]+'}
                    group: {job: shelly}
                """);

        assertThat(mappings.find("s1/status/sys")).satisfies(match -> {
            assertThat(match.rule()).isNull();
            assertThat(match.topicMatched()).isTrue();
        });
        assertThat(mappings.find("elsewhere").topicMatched()).isFalse();
    }

    @Test
    void jsonPathsSelectKeysIndexesAndAnyKey() {
        var root = JsonParser.parseString("""
                {"ENERGY": {"Power": 45}, "AM2301": {"Temperature": 21.3}, "DS18B20": {"Temperature": 19.5},
                 "Time": "2025-01-12T10:15:00", "aenergy": {"by_minute": [1.5, 2.5]}}""");

        assertThat(JsonPath.parse("ENERGY.Power").select(root)).singleElement()
                .satisfies(selected -> assertThat(selected.value().getAsDouble()).isEqualTo(45));
        assertThat(JsonPath.parse("$.aenergy.by_minute[1]").select(root)).singleElement()
                .satisfies(selected -> assertThat(selected.value().getAsDouble()).isEqualTo(2.5));
        assertThat(JsonPath.parse("*.Temperature").select(root)).extracting(JsonPath.Selected::wildcardKey)
                .containsExactly("AM2301", "DS18B20");
        assertThat(JsonPath.parse("ENERGY.Voltage").select(root)).isEmpty();
        assertThat(JsonPath.parse("aenergy.by_minute[5]").select(root)).isEmpty();
        assertThat(JsonPath.parse("Time.Hour").select(root)).isEmpty();
    }

    @Test
    void availabilityRulesTakeTheirWordsCaseInsensitivelyOrTheDefaults() throws Exception {
        MqttMappings mappings = mappings("""
                  - topic: tele/+device/LWT
                    group: {job: tasmota, device: '{device}'}
                    availability: {offline: Offline, online: [Online, Up]}
                  - topic: +node/status
                    group: {node: '{node}'}
                    availability: true
                """);

        MqttMapping.Availability tasmota = mappings.rules().get(0).availability();
        assertThat(tasmota.offline()).containsExactly("offline");
        assertThat(tasmota.online()).containsExactlyInAnyOrder("online", "up");
        assertThat(mappings.rules().get(1).availability().offline()).containsExactlyInAnyOrder("offline", "false");
    }

    /** Each kind of broken rule, and the message that names the rule's place and the problem. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no topic | - group: {job: a} | mqtt_mappings[1] (line 2): topic: missing; every rule needs one (an MQTT topic filter such as zigbee2mqtt/+device)",
        "wildcard inside a level | - {topic: 'a/b+c', group: {job: a}} | mqtt_mappings[1] (line 2): topic \"a/b+c\": level 2 \"b+c\": a wildcard + or # must be the whole level (MQTT matches no part of a level)",
        "# not last | - {topic: 'a/#x/b', group: {job: a}} | mqtt_mappings[1] (line 2): topic \"a/#x/b\": level 2 \"#x\": # matches the rest of the topic, so it can only be the last level",
        "bad wildcard name | - {topic: 'a/+1x', group: {job: a}} | mqtt_mappings[1] (line 2): topic \"a/+1x\": level 2 \"+1x\": a wildcard is + alone or + followed by a name (letters, digits and _, not starting with a digit)",
        "name twice | - {topic: '+a/+a', group: {job: a}} | mqtt_mappings[1] (line 2): topic \"+a/+a\": the wildcard name \"a\" is used twice",
        "no group | - {topic: a} | mqtt_mappings[1] (line 2): group: missing; every rule needs one (the grouping key's labels, such as {job: zigbee2mqtt, device: \"{device}\"})",
        "no job | - {topic: '+d', group: {device: '{d}'}} | mqtt_mappings[1] (line 2): group: no job label; every grouping key has one",
        "unknown capture | - {topic: '+d', group: {job: a, device: '{dev}'}} | mqtt_mappings[1] (line 2): device \"{dev}\": {dev} is not a wildcard name of the topic (it names d)",
        "bad label name | - {topic: a, group: {job: a, __x: b}} | mqtt_mappings[1] (line 2): __x: invalid label name (letters, digits and _, not starting with a digit or __)",
        "where on no capture | - {topic: '+d', where: {x: '.*'}, group: {job: a}} | mqtt_mappings[1] (line 2): x: not a wildcard name of the topic +d (it names d)",
        "bad where regex | - {topic: '+d', where: {d: '(x'}, group: {job: a}} | mqtt_mappings[1] (line 2): d \"(x\": invalid regular expression: Unclosed group",
        "unknown format | - {topic: a, group: {job: a}, format: xml} | mqtt_mappings[1] (line 2): format \"xml\": expected json, value or prometheus",
        "unknown replace | - {topic: a, group: {job: a}, replace: all} | mqtt_mappings[1] (line 2): replace \"all\": expected group (replace the whole group) or metrics (replace only the metrics the message carries)",
        "bad ttl | - {topic: a, group: {job: a}, ttl: soon} | mqtt_mappings[1] (line 2): ttl \"soon\": invalid duration \"soon\"",
        "unknown rule key | - {topic: a, group: {job: a}, metric: []} | mqtt_mappings[1] (line 2): unknown key \"metric\" (line 2); known: name, topic_prefix, topic, where, when, group, format, replace, ttl, prefix, labels, metrics, availability",
        "json metric without path | - {topic: a, group: {job: a}, metrics: [{name: x}]} | mqtt_mappings[1] (line 2): metrics[1] (line 2): path: missing; a metric of a json rule says where its value is (such as ENERGY.Power)",
        "bad path | - {topic: a, group: {job: a}, metrics: [{path: 'a..b'}]} | mqtt_mappings[1] (line 2): metrics[1] (line 2): path \"a..b\": empty key in \"a..b\" (keys are separated by single dots)",
        "wildcard without key_label | - {topic: a, group: {job: a}, metrics: [{path: '*.T'}]} | mqtt_mappings[1] (line 2): metrics[1] (line 2): key_label: missing; with a * in the path, each key it matches is a series, told apart by this label (such as key_label: sensor)",
        "path on a value rule | - {topic: a, group: {job: a}, format: value, metrics: [{path: x}]} | mqtt_mappings[1] (line 2): metrics[1] (line 2): path: a plain value has no fields; path is for json rules",
        "two metrics on a value rule | - {topic: a, group: {job: a}, format: value, metrics: [{name: x}, {name: y}]} | mqtt_mappings[1] (line 2): metrics: a plain value makes one metric, so a value rule lists at most one",
        "metrics on prometheus | - {topic: a, group: {job: a}, format: prometheus, metrics: [{name: x}]} | mqtt_mappings[1] (line 2): metrics: a Prometheus text payload names its own metrics; metrics is for json and value rules",
        "bad unit | - {topic: a, group: {job: a}, format: value, metrics: [{unit: °C}]} | mqtt_mappings[1] (line 2): metrics[1] (line 2): unit \"°C\": a unit is written in lower case letters, digits and _ (celsius, watts, percent)",
        "bad type | - {topic: a, group: {job: a}, format: value, metrics: [{type: histogram}]} | mqtt_mappings[1] (line 2): metrics[1] (line 2): type \"histogram\": expected gauge, counter or untyped",
        "value not a number | - {topic: a, group: {job: a}, format: value, metrics: [{values: {on: yes}}]} | mqtt_mappings[1] (line 2): metrics[1] (line 2): on \"yes\": not a number",
        "zero scale | - {topic: a, group: {job: a}, format: value, metrics: [{scale: 0}]} | mqtt_mappings[1] (line 2): metrics[1] (line 2): scale: a scale multiplies the value: a finite number other than 0",
        "same metric twice | - {topic: a, group: {job: a}, metrics: [{path: x, name: t}, {path: y, name: t}]} | mqtt_mappings[1] (line 2): metrics[2] (line 2): makes the metric t, as an earlier metric of the rule does",
        "labels on a value rule | - {topic: a, group: {job: a}, format: value, labels: {x: y}} | mqtt_mappings[1] (line 2): labels: labels are taken from JSON fields, so only a json rule has them",
        "label that is a group label | - {topic: a, group: {job: a}, labels: {job: y}} | mqtt_mappings[1] (line 2): job \"job\": is a label of the group already; the grouping key would override it",
        "availability with metrics | - {topic: a, group: {job: a}, availability: true, metrics: []} | mqtt_mappings[1] (line 2): metrics: an availability rule only deletes groups, so it takes no metrics (it may have name, topic, where, group and availability)",
        "online and offline alike | - {topic: a, group: {job: a}, availability: {offline: x, online: X}} | mqtt_mappings[1] (line 2): availability: \"x\" is both online and offline",
        "names twice | '- {name: n, topic: a, group: {job: a}}\n  - {name: n, topic: b, group: {job: a}}' | mqtt_mappings[2] (line 3): name: n is the name of an earlier rule too; names must be unique",
    })
    void brokenRulesAreRefusedNamingTheRuleAndTheProblem(String what, String yaml, String message) {
        loading("  " + yaml.replace("\\n", "\n") + "\n").hasMessageStartingWith(FILE + ": " + message);
    }

    @Test
    void everyExampleFileLoads() throws Exception {
        for (String example : List.of("zigbee2mqtt", "tasmota", "shelly-gen1", "shelly-gen2", "esphome",
                "homeassistant-statestream")) {
            MqttMappings mappings = ConfigFile.load(java.nio.file.Path.of("examples/mappings/" + example + ".yml")).mqttMappings();
            assertThat(mappings.size()).as(example).isGreaterThan(1);
            assertThat(mappings.rules()).as(example).anyMatch(rule -> rule.availability() != null || example.startsWith("home"));
        }
    }
}
