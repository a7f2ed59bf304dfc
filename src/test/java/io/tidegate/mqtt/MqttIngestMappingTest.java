package io.tidegate.mqtt;

import static io.tidegate.TestKeys.key;
import static io.tidegate.mqtt.Publish.live;
import static io.tidegate.mqtt.Publish.retained;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.config.ConfigFile;
import io.tidegate.format.Label;
import io.tidegate.format.MetricType;
import io.tidegate.store.Group;
import io.tidegate.key.GroupingKey;
import io.tidegate.store.Verb;
import io.tidegate.store.StoreCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Messages on topics of other ecosystems, read by mapping rules, through the ingest's one path: the
 * same retained-copy memory, TTLs, rejections and store door as Tidegate's own topics.
 */
class MqttIngestMappingTest {
    private static final String RULES = """
            mqtt_mappings:
              - name: z2m-availability
                topic: zigbee2mqtt/+device/availability
                group: {job: zigbee2mqtt, device: '{device}'}
                availability: {path: state}
              - name: z2m
                topic: zigbee2mqtt/+device
                group: {job: zigbee2mqtt, device: '{device}'}
                ttl: 10m
                prefix: z2m_
                labels: {model: device.model}
                metrics:
                  - {path: temperature, unit: celsius, help: Temperature.}
                  - {path: battery, unit: percent, optional: true}
                  - {path: state, name: switch_on, values: {"ON": 1, "OFF": 0}, ignore_case: true, optional: true}
              - name: tasmota-sensor
                topic: tele/+device/SENSOR
                group: {job: tasmota, device: '{device}'}
                replace: metrics
                metrics:
                  - {path: '*.Temperature', key_label: sensor, name: temperature, unit: celsius}
              - name: tasmota-state
                topic: tele/+device/STATE
                group: {job: tasmota, device: '{device}'}
                replace: metrics
                metrics: [{path: POWER, name: relay_on, values: {"ON": 1, "OFF": 0}}]
              - name: shelly-online
                topic: shellies/+device/online
                group: {job: shelly, device: '{device}'}
                availability: true
              - name: shelly-power
                topic: shellies/+device/relay/+channel/power
                group: {job: shelly, device: '{device}', channel: '{channel}'}
                format: value
                metrics: [{name: shelly_power, unit: watts}]
              - name: gen2
                topic: +device/status/+component
                where: {component: 'switch:[0-9]+'}
                group: {job: shelly, device: '{device}', component: '{component}'}
                metrics: [{path: apower, name: power, unit: watts}]
              - name: text
                topic: legacy/+host
                group: {job: legacy, instance: '{host}'}
                format: prometheus
              - name: everything
                topic: plain/+device
                group: {job: plain, device: '{device}'}
                prefix: plain_
            """;

    @TempDir
    Path dir;

    private final IngestFixture fixture = new IngestFixture();

    @BeforeEach
    void loadRules() throws Exception {
        Path file = dir.resolve("tidegate.yml");
        Files.writeString(file, RULES);
        fixture.mappings.set(ConfigFile.load(file).mqttMappings());
    }

    private static final GroupingKey KITCHEN = key("job", "zigbee2mqtt", "device", "kitchen");

    @Test
    void aJsonStateBecomesTheSelectedRenamedMetricsOfTheDevicesGroupWithTheRulesTtl() {
        MqttOutcome outcome = fixture.handle(live("zigbee2mqtt/kitchen",
                "{\"temperature\":21.5,\"battery\":97,\"linkquality\":134,\"state\":\"on\",\"device\":{\"model\":\"WSDCGQ11LM\"}}"));

        assertThat(outcome.kind()).isEqualTo(MqttOutcome.Kind.WRITTEN);
        assertThat(outcome.rule()).isEqualTo("z2m");
        Group group = fixture.group(KITCHEN);
        assertThat(group.families()).containsOnlyKeys("z2m_temperature_celsius", "z2m_battery_percent", "z2m_switch_on",
                "push_time_seconds", "push_failure_time_seconds", "push_expiry_time_seconds");
        assertThat(fixture.value(KITCHEN, "z2m_temperature_celsius")).isEqualTo(21.5);
        assertThat(fixture.value(KITCHEN, "z2m_switch_on")).isEqualTo(1);
        assertThat(fixture.stored(KITCHEN, "z2m_temperature_celsius").family().help()).isEqualTo("Temperature.");
        assertThat(fixture.stored(KITCHEN, "z2m_temperature_celsius").family().metrics().get(0).label("model"))
                .isEqualTo("WSDCGQ11LM");
        assertThat(group.source().detail()).isEqualTo("zigbee2mqtt/kitchen");
        assertThat(fixture.deadline(KITCHEN, "z2m_temperature_celsius")).isEqualTo(fixture.now().plus(Duration.ofMinutes(10)));
        assertThat(fixture.counter("tidegate_mqtt_messages_applied_total")).isEqualTo(1);
    }

    @Test
    void aTopicAlreadyRoutedFollowsTheRulesOfAReloadAtOnce() throws Exception {
        fixture.publish(live("zigbee2mqtt/kitchen", "{\"temperature\":21.5}"));
        Path file = dir.resolve("reloaded.yml");
        Files.writeString(file, RULES.replace("group: {job: zigbee2mqtt, device: '{device}'}\n    ttl: 10m",
                "group: {job: zigbee, room: '{device}'}\n    ttl: 10m").replace("prefix: z2m_", "prefix: zb_"));
        fixture.mappings.set(ConfigFile.load(file).mqttMappings());

        fixture.publish(live("zigbee2mqtt/kitchen", "{\"temperature\":22.5}"));

        GroupingKey room = key("job", "zigbee", "room", "kitchen");
        assertThat(fixture.value(room, "zb_temperature_celsius")).isEqualTo(22.5);
        assertThat(fixture.value(KITCHEN, "z2m_temperature_celsius")).isEqualTo(21.5);
    }

    @Test
    void theMessagesOfOneTopicShareTheGroupsKeyAndItsLabels() {
        fixture.publish(live("zigbee2mqtt/kitchen", "{\"temperature\":21.5}"));
        Group first = fixture.group(KITCHEN);
        fixture.publish(live("zigbee2mqtt/kitchen", "{\"temperature\":22.5}"));
        Group second = fixture.group(KITCHEN);

        assertThat(second).isNotSameAs(first);
        assertThat(second.key()).isSameAs(first.key());
        assertThat(fixture.stored(KITCHEN, "push_time_seconds").family().metrics().get(0).labels())
                .isSameAs(first.families().get("push_time_seconds").family().metrics().get(0).labels());
    }

    @Test
    void theMessagesOwnTtlComesBeforeTheRules() {
        fixture.publish(live("zigbee2mqtt/kitchen", "{\"temperature\":21.5}").property("ttl", "1m"));

        assertThat(fixture.deadline(KITCHEN, "z2m_temperature_celsius")).isEqualTo(fixture.now().plus(Duration.ofMinutes(1)));
    }

    @Test
    void aJsonRuleReplacesTheWholeGroupByDefault() {
        fixture.publish(live("zigbee2mqtt/kitchen", "{\"temperature\":21.5,\"battery\":97}"));
        fixture.publish(live("zigbee2mqtt/kitchen", "{\"temperature\":21.0}"));

        assertThat(fixture.group(KITCHEN).families()).doesNotContainKey("z2m_battery_percent");
    }

    @Test
    void rulesThatReplaceOnlyTheirMetricsFillOneGroupFromSeveralTopics() {
        GroupingKey plug = key("job", "tasmota", "device", "plug");
        fixture.publish(live("tele/plug/SENSOR",
                "{\"Time\":\"2025-01-12T10:15:00\",\"AM2301\":{\"Temperature\":21.3,\"Humidity\":45.2},\"DS18B20\":{\"Temperature\":19.5},\"TempUnit\":\"C\"}"));
        fixture.publish(live("tele/plug/STATE", "{\"Time\":\"2025-01-12T10:15:00\",\"UptimeSec\":3600,\"POWER\":\"ON\"}"));

        assertThat(fixture.value(plug, "relay_on")).isEqualTo(1);
        assertThat(fixture.stored(plug, "temperature_celsius").family().metrics())
                .extracting(metric -> metric.label("sensor") + "=" + metric.value())
                .containsExactlyInAnyOrder("AM2301=21.3", "DS18B20=19.5");
        assertThat(fixture.stored(plug, "temperature_celsius").family().type()).isEqualTo(MetricType.GAUGE);
    }

    @Test
    void aPlainValuePerTopicUpdatesItsOwnChannelsGroup() {
        fixture.publish(live("shellies/s1/relay/0/power", "42.50"));
        fixture.publish(live("shellies/s1/relay/1/power", "7"));

        assertThat(fixture.value(key("job", "shelly", "device", "s1", "channel", "0"), "shelly_power_watts")).isEqualTo(42.5);
        assertThat(fixture.value(key("job", "shelly", "device", "s1", "channel", "1"), "shelly_power_watts")).isEqualTo(7);
        assertThat(fixture.handle(live("shellies/s1/relay/0/power", "")).write().verb()).isEqualTo(Verb.DELETE);
        assertThat(fixture.group(key("job", "shelly", "device", "s1", "channel", "0"))).isNull();
    }

    @Test
    void offlineDeletesEveryGroupOfTheDeviceAtOnceAndOnlineChangesNothing() {
        fixture.publish(live("shellies/s1/relay/0/power", "42.50"));
        fixture.publish(live("shellies/s1/relay/1/power", "7"));
        fixture.publish(live("shellies/s2/relay/0/power", "3"));

        assertThat(fixture.handle(live("shellies/s1/online", "true")).kind()).isEqualTo(MqttOutcome.Kind.ONLINE);
        assertThat(fixture.store.snapshot().groups()).hasSize(3);
        MqttOutcome offline = fixture.handle(retained("shellies/s1/online", "false"));

        assertThat(offline.kind()).isEqualTo(MqttOutcome.Kind.OFFLINE);
        assertThat(offline.deletedGroups()).isEqualTo(2);
        assertThat(fixture.store.snapshot().groups()).extracting(Group::key)
                .containsExactly(key("job", "shelly", "device", "s2", "channel", "0"));
    }

    @Test
    void zigbee2mqttJsonAvailabilityAndARetainedOfflineForAnUnknownDeviceAreHarmless() {
        fixture.publish(live("zigbee2mqtt/kitchen", "{\"temperature\":21.5}"));

        MqttOutcome unknown = fixture.handle(retained("zigbee2mqtt/hall/availability", "{\"state\":\"offline\"}"));
        assertThat(unknown.kind()).isEqualTo(MqttOutcome.Kind.OFFLINE);
        assertThat(unknown.deletedGroups()).isZero();
        assertThat(fixture.group(KITCHEN)).isNotNull();

        fixture.publish(live("zigbee2mqtt/kitchen/availability", "{\"state\":\"OFFLINE\"}"));
        assertThat(fixture.group(KITCHEN)).isNull();
    }

    @Test
    void aRetainedCopyOfAMappedMessageAlreadyAppliedNeitherRefreshesNorRevives() {
        fixture.publish(live("zigbee2mqtt/kitchen", "{\"temperature\":21.5}"));
        fixture.advance(Duration.ofMinutes(11));
        fixture.store.apply(new StoreCommand.ExpireDue(100));
        assertThat(fixture.group(KITCHEN)).isNull();

        MqttOutcome copy = fixture.handle(retained("zigbee2mqtt/kitchen", "{\"temperature\":21.5}"));

        assertThat(copy.kind()).isEqualTo(MqttOutcome.Kind.SKIPPED);
        assertThat(copy.skipped()).isEqualTo(SkipReason.RETAINED_SEEN);
        assertThat(fixture.group(KITCHEN)).isNull();
    }

    @Test
    void badPayloadsAreRejectedWithTheRuleAndTheReasonAndTheGroupKeepsItsValue() {
        fixture.publish(live("zigbee2mqtt/kitchen", "{\"temperature\":21.5}"));

        assertRejected("zigbee2mqtt/kitchen", "{\"temperature\":", RejectReason.BAD_PAYLOAD, "rule z2m: invalid JSON:");
        assertRejected("zigbee2mqtt/kitchen", "{\"battery\":90}", RejectReason.BAD_PAYLOAD,
                "rule z2m: no value at temperature (mark the metric optional: true");
        assertRejected("zigbee2mqtt/kitchen", "{\"temperature\":{\"c\":1}}", RejectReason.BAD_PAYLOAD,
                "rule z2m: value at temperature is an object, not a number");
        assertRejected("zigbee2mqtt/kitchen", "[21.5]", RejectReason.BAD_PAYLOAD, "rule z2m: JSON payload must be an object");
        assertRejected("shellies/s1/relay/0/power", "n/a", RejectReason.BAD_PAYLOAD,
                "rule shelly-power: \"n/a\" is not a number (a values map turns strings into numbers)");
        assertRejected("tele/plug/STATE", "{\"POWER\":\"on\"}", RejectReason.BAD_PAYLOAD,
                "rule tasmota-state: value at POWER: \"on\" is not a number and not one of the metric's values (OFF, ON)");
        assertRejected("shellies/s1/online", "maybe", RejectReason.BAD_PAYLOAD,
                "rule shelly-online: availability \"maybe\" is neither offline (false, offline) nor online (online, true)");
        assertRejected("legacy/h1", "not text format", RejectReason.BAD_PAYLOAD, "rule text: ");

        assertThat(fixture.value(KITCHEN, "z2m_temperature_celsius")).isEqualTo(21.5);
    }

    private void assertRejected(String topic, String payload, RejectReason reason, String messageStart) {
        MqttOutcome outcome = fixture.handle(live(topic, payload));
        assertThat(outcome.kind()).as(payload).isEqualTo(MqttOutcome.Kind.REJECTED);
        assertThat(outcome.rejection()).as(payload).isEqualTo(reason);
        assertThat(outcome.message()).as(payload).startsWith(messageStart);
        assertThat(fixture.lastRejection(topic).message()).isEqualTo(outcome.message());
    }

    @Test
    void prometheusTextAndEveryNumberOfAJsonObjectWorkOnMappedTopicsToo() {
        fixture.publish(live("legacy/h1", "#!set stale_timeout = 30\nuptime_seconds 12"));
        fixture.publish(live("plain/p1", "{\"a\":{\"b\":2},\"on\":true,\"name\":\"x\"}"));

        GroupingKey legacy = key("job", "legacy", "instance", "h1");
        assertThat(fixture.value(legacy, "uptime_seconds")).isEqualTo(12);
        assertThat(fixture.deadline(legacy, "uptime_seconds")).isEqualTo(fixture.now().plusSeconds(30));
        assertThat(fixture.group(key("job", "plain", "device", "p1")).families())
                .containsKeys("plain_a_b", "plain_on");
    }

    @Test
    void tidegateTopicsAlwaysFollowTheSchemeAndTopicsExcludedByWhereAreSkipped() {
        fixture.publish(live("metrics/job/sensor/room/hall", "temp 20.1"));
        assertThat(fixture.value(key("job", "sensor", "room", "hall"), "temp")).isEqualTo(20.1);

        MqttOutcome sys = fixture.handle(live("s1/status/sys", "{\"uptime\":5}"));
        assertThat(sys.kind()).isEqualTo(MqttOutcome.Kind.SKIPPED);
        assertThat(fixture.skipped(SkipReason.UNMAPPED)).isEqualTo(1);
        assertThat(fixture.lastRejection("s1/status/sys")).isNull();

        MqttOutcome nowhere = fixture.handle(live("somewhere/else", "1"));
        assertThat(nowhere.rejection()).isEqualTo(RejectReason.BAD_TOPIC);
        assertThat(nowhere.message()).isEqualTo("topic is not under metrics/, and no mqtt_mappings rule applies to it");
    }

    @Test
    void anEmptyCapturedJobIsABadTopic() throws Exception {
        Path file = dir.resolve("job.yml");
        Files.writeString(file, "mqtt_mappings:\n  - {topic: 'x/+job', group: {job: '{job}'}, format: value}\n");
        fixture.mappings.set(ConfigFile.load(file).mqttMappings());

        MqttOutcome outcome = fixture.handle(live("x/", "1"));

        assertThat(outcome.rejection()).isEqualTo(RejectReason.BAD_TOPIC);
        assertThat(outcome.message()).isEqualTo("rule mqtt_mappings[1]: the job label is empty for this topic");
    }

    @Test
    void aGroupUpdatedFromAMappedTopicCarriesTheRulesLabelsOnEverySeries() {
        fixture.publish(live("s1/status/switch:0", "{\"apower\":42.1}"));

        List<Label> labels = fixture.stored(key("job", "shelly", "device", "s1", "component", "switch:0"), "power_watts")
                .family().metrics().get(0).labels();
        assertThat(labels).contains(new Label("component", "switch:0"), new Label("device", "s1"), new Label("job", "shelly"));
    }
}
