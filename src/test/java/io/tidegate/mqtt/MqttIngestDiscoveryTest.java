package io.tidegate.mqtt;

import static io.tidegate.mqtt.Publish.live;
import static io.tidegate.mqtt.Publish.retained;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.config.ConfigFile;
import io.tidegate.format.Label;
import io.tidegate.format.MetricType;
import io.tidegate.key.GroupingKey;
import io.tidegate.store.Group;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Home Assistant discovery through the ingest: each announced sensor its own group, written through the store's
 * one door, with its expire_after as TTL, taken away by availability and by an empty config, and changed at once by
 * a new config; an explicit rule wins.
 */
class MqttIngestDiscoveryTest {
    private final IngestFixture fixture = IngestFixture.withDiscovery();

    /** A zigbee2mqtt sensor's config, as zigbee2mqtt announces it (lib/extension/homeassistant.ts). */
    private static String z2m(String property, String deviceClass, String unit, String extra) {
        return """
                {"availability":[{"topic":"zigbee2mqtt/bridge/state","value_template":"{{ value_json.state }}"},
                                 {"topic":"zigbee2mqtt/living_room/availability","value_template":"{{ value_json.state }}"}],
                 "availability_mode":"all",
                 "device":{"identifiers":["zigbee2mqtt_0x00158d0001a2b3c4"],"manufacturer":"Aqara",
                           "model":"Temperature and humidity sensor (WSDCGQ11LM)","name":"living_room","sw_version":"3000-0001"},
                 "device_class":"%s","enabled_by_default":true,"object_id":"living_room_%s",
                 "origin":{"name":"Zigbee2MQTT","sw":"1.40.0","url":"https://www.zigbee2mqtt.io"},
                 "state_class":"measurement","state_topic":"zigbee2mqtt/living_room",
                 "unique_id":"0x00158d0001a2b3c4_%s_zigbee2mqtt","unit_of_measurement":"%s",
                 "value_template":"{{ value_json.%s }}"%s}
                """.formatted(deviceClass, property, property, unit, property, extra);
    }

    private static final String STATE = "{\"battery\":97,\"humidity\":48.2,\"linkquality\":134,\"temperature\":21.5,"
            + "\"voltage\":3005,\"action\":\"single\"}";

    private static GroupingKey entity(String entity) {
        return GroupingKey.of(Map.of("job", "homeassistant", "instance", "zigbee2mqtt_0x00158d0001a2b3c4",
                "entity", entity));
    }

    private static final GroupingKey TEMPERATURE = entity("sensor/0x00158d0001a2b3c4/temperature");
    private static final GroupingKey HUMIDITY = entity("sensor/0x00158d0001a2b3c4/humidity");
    private static final GroupingKey BATTERY = entity("sensor/0x00158d0001a2b3c4/battery");

    private void announceLivingRoom() {
        fixture.publish(retained("homeassistant/sensor/0x00158d0001a2b3c4/temperature/config",
                z2m("temperature", "temperature", "°C", "")));
        fixture.publish(retained("homeassistant/sensor/0x00158d0001a2b3c4/humidity/config",
                z2m("humidity", "humidity", "%", "")));
        fixture.publish(retained("homeassistant/sensor/0x00158d0001a2b3c4/battery/config",
                z2m("battery", "battery", "%", ",\"expire_after\":600")));
    }

    @Test
    void oneStateMessageWritesEachAnnouncedSensorToItsOwnGroupWithDeviceLabels() {
        announceLivingRoom();
        MqttOutcome outcome = fixture.handle(live("zigbee2mqtt/living_room", STATE));

        assertThat(outcome.kind()).isEqualTo(MqttOutcome.Kind.DISCOVERED);
        assertThat(outcome.discovery().writes()).hasSize(3);
        assertThat(fixture.value(TEMPERATURE, "temperature_celsius")).isEqualTo(21.5);
        assertThat(fixture.value(HUMIDITY, "humidity_percent")).isEqualTo(48.2);
        assertThat(fixture.value(BATTERY, "battery_percent")).isEqualTo(97);
        assertThat(fixture.stored(TEMPERATURE, "temperature_celsius").family().type()).isEqualTo(MetricType.GAUGE);
        assertThat(fixture.stored(TEMPERATURE, "temperature_celsius").family().metrics().get(0).labels()).contains(
                new Label("device_name", "living_room"), new Label("device_manufacturer", "Aqara"),
                new Label("device_model", "Temperature and humidity sensor (WSDCGQ11LM)"),
                new Label("device_identifiers", "zigbee2mqtt_0x00158d0001a2b3c4"));
        assertThat(fixture.counter("tidegate_mqtt_messages_applied_total")).isEqualTo(4);
    }

    @Test
    void subscriptionsFollowTheConfigs() {
        assertThat(fixture.ingest.discoveryTopicFilters())
                .containsExactly("homeassistant/+/+/config", "homeassistant/+/+/+/config");
        announceLivingRoom();
        assertThat(fixture.discoveryTopics.get()).containsExactly("homeassistant/+/+/config",
                "homeassistant/+/+/+/config", "zigbee2mqtt/living_room", "zigbee2mqtt/bridge/state",
                "zigbee2mqtt/living_room/availability");
        for (String sensor : new String[] {"temperature", "humidity", "battery"}) {
            fixture.publish(retained("homeassistant/sensor/0x00158d0001a2b3c4/" + sensor + "/config", ""));
        }
        assertThat(fixture.discoveryTopics.get()).containsExactly("homeassistant/+/+/config",
                "homeassistant/+/+/+/config");
    }

    @Test
    void expireAfterIsTheEntitysTtlSoADeadSensorDisappearsByItself() {
        announceLivingRoom();
        fixture.publish(live("zigbee2mqtt/living_room", STATE));

        assertThat(fixture.deadline(BATTERY, "battery_percent")).isEqualTo(IngestFixture.START.plusSeconds(600));
        assertThat(fixture.deadline(TEMPERATURE, "temperature_celsius")).isNull(); // no expire_after, no default
        fixture.advance(Duration.ofSeconds(601));
        assertThat(fixture.group(BATTERY)).isNull();
        assertThat(fixture.group(TEMPERATURE)).isNotNull();
    }

    @Test
    void withoutExpireAfterTheMessagesOwnTtlApplies() {
        announceLivingRoom();
        fixture.publish(live("zigbee2mqtt/living_room", STATE).expiry(120));

        assertThat(fixture.deadline(TEMPERATURE, "temperature_celsius")).isEqualTo(IngestFixture.START.plusSeconds(120));
        assertThat(fixture.deadline(BATTERY, "battery_percent")).isEqualTo(IngestFixture.START.plusSeconds(600));
    }

    @Test
    void notAvailableUnderItsModeDeletesTheEntitiesGroups() {
        announceLivingRoom();
        fixture.publish(live("zigbee2mqtt/living_room", STATE));
        fixture.publish(retained("zigbee2mqtt/bridge/state", "{\"state\":\"online\"}"));
        fixture.publish(live("zigbee2mqtt/living_room/availability", "{\"state\":\"online\"}"));
        assertThat(fixture.group(TEMPERATURE)).isNotNull();

        MqttOutcome offline = fixture.handle(live("zigbee2mqtt/living_room/availability", "{\"state\":\"offline\"}"));

        assertThat(offline.discovery().deleted()).containsExactlyInAnyOrder(TEMPERATURE, HUMIDITY, BATTERY);
        assertThat(fixture.store.snapshot().groups()).isEmpty();
        fixture.publish(live("zigbee2mqtt/living_room/availability", "{\"state\":\"online\"}"));
        fixture.publish(live("zigbee2mqtt/living_room", STATE));
        assertThat(fixture.value(TEMPERATURE, "temperature_celsius")).isEqualTo(21.5);
    }

    @Test
    void anEmptyConfigRemovesTheEntityAndItsGroup() {
        announceLivingRoom();
        fixture.publish(live("zigbee2mqtt/living_room", STATE));

        fixture.publish(retained("homeassistant/sensor/0x00158d0001a2b3c4/humidity/config", ""));

        assertThat(fixture.group(HUMIDITY)).isNull();
        fixture.publish(live("zigbee2mqtt/living_room", STATE));
        assertThat(fixture.group(HUMIDITY)).isNull();
        assertThat(fixture.group(TEMPERATURE)).isNotNull();
    }

    @Test
    void aChangedConfigAppliesToTheNextStateAtOnce() {
        announceLivingRoom();
        fixture.publish(live("zigbee2mqtt/living_room", STATE));
        fixture.publish(retained("homeassistant/sensor/0x00158d0001a2b3c4/temperature/config",
                z2m("temperature", "temperature", "°F", "").replace("{{ value_json.temperature }}",
                        "{{ (value_json.temperature * 9 / 5 + 32) | round(1) }}")));

        fixture.publish(live("zigbee2mqtt/living_room", STATE));

        assertThat(fixture.value(TEMPERATURE, "temperature_celsius")).isCloseTo(21.5, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void aNewDeviceIdentityDeletesTheOldGroup() {
        announceLivingRoom();
        fixture.publish(live("zigbee2mqtt/living_room", STATE));
        fixture.publish(retained("homeassistant/sensor/0x00158d0001a2b3c4/temperature/config",
                z2m("temperature", "temperature", "°C", "").replace("zigbee2mqtt_0x00158d0001a2b3c4", "other")));

        assertThat(fixture.group(TEMPERATURE)).isNull();
        fixture.publish(live("zigbee2mqtt/living_room", STATE));
        assertThat(fixture.value(GroupingKey.of(Map.of("job", "homeassistant", "instance", "other", "entity",
                "sensor/0x00158d0001a2b3c4/temperature")), "temperature_celsius")).isEqualTo(21.5);
    }

    @Test
    void anEntityAnnouncedAfterItsStateCameTakesItsValueFromIt() {
        fixture.publish(retained("homeassistant/sensor/0x00158d0001a2b3c4/temperature/config",
                z2m("temperature", "temperature", "°C", "")));
        fixture.publish(retained("zigbee2mqtt/living_room", STATE)); // the broker's copy, sent on subscribing
        assertThat(fixture.group(TEMPERATURE)).isNotNull();
        assertThat(fixture.group(TEMPERATURE).source().retained()).isTrue();

        fixture.publish(retained("homeassistant/sensor/0x00158d0001a2b3c4/humidity/config",
                z2m("humidity", "humidity", "%", "")));

        assertThat(fixture.value(HUMIDITY, "humidity_percent")).isEqualTo(48.2);
    }

    @Test
    void aRetainedCopyOfTheLastStateIsNotAppliedAgain() {
        announceLivingRoom();
        fixture.publish(retained("zigbee2mqtt/living_room", STATE));
        fixture.advance(Duration.ofSeconds(700));
        assertThat(fixture.group(BATTERY)).isNull();

        MqttOutcome again = fixture.handle(retained("zigbee2mqtt/living_room", STATE));

        assertThat(again.skipped()).isEqualTo(SkipReason.RETAINED_SEEN);
        assertThat(fixture.group(BATTERY)).isNull();
    }

    @Test
    void aTextSensorIsSkippedNotRejected() {
        fixture.publish(retained("homeassistant/sensor/0x00158d0001a2b3c4/action/config",
                "{\"state_topic\":\"zigbee2mqtt/living_room\",\"value_template\":\"{{ value_json.action }}\","
                        + "\"device\":{\"identifiers\":[\"zigbee2mqtt_0x00158d0001a2b3c4\"]}}"));

        MqttOutcome outcome = fixture.handle(live("zigbee2mqtt/living_room", STATE));

        assertThat(outcome.skipped()).isEqualTo(SkipReason.DISCOVERY_NO_VALUE);
        assertThat(fixture.counter("tidegate_mqtt_discovery_values_dropped_total", "not_a_number")).isEqualTo(1);
        assertThat(fixture.rejected(RejectReason.BAD_PAYLOAD)).isZero();
    }

    @Test
    void aBinarySensorIsOneForPayloadOnAndZeroForPayloadOff() {
        fixture.publish(retained("homeassistant/binary_sensor/0x00158d0009/occupancy/config",
                "{\"device_class\":\"occupancy\",\"payload_on\":true,\"payload_off\":false,"
                        + "\"state_topic\":\"zigbee2mqtt/hall\",\"value_template\":\"{{ value_json.occupancy }}\","
                        + "\"device\":{\"identifiers\":[\"zigbee2mqtt_0x00158d0009\"],\"name\":\"hall\"}}"));
        GroupingKey key = GroupingKey.of(Map.of("job", "homeassistant", "instance", "zigbee2mqtt_0x00158d0009",
                "entity", "binary_sensor/0x00158d0009/occupancy"));

        fixture.publish(live("zigbee2mqtt/hall", "{\"occupancy\":true}"));
        assertThat(fixture.value(key, "occupancy")).isEqualTo(1);
        fixture.publish(live("zigbee2mqtt/hall", "{\"occupancy\":false}"));
        assertThat(fixture.value(key, "occupancy")).isEqualTo(0);

        MqttOutcome neither = fixture.handle(live("zigbee2mqtt/hall", "{\"occupancy\":\"maybe\"}"));
        assertThat(neither.rejection()).isEqualTo(RejectReason.BAD_PAYLOAD);
        assertThat(neither.message()).contains("neither payload_on \"True\" nor payload_off \"False\"");
        assertThat(fixture.counter("tidegate_mqtt_discovery_values_dropped_total", "not_on_or_off")).isEqualTo(1);
        assertThat(fixture.value(key, "occupancy")).isEqualTo(0);
    }

    @Test
    void aTemplateOutsideTheSubsetIsRejectedWhenTheConfigArrivesNamingTheConstructAndTopic() {
        String topic = "homeassistant/sensor/node/clock/config";
        MqttOutcome outcome = fixture.handle(retained(topic,
                "{\"stat_t\":\"x/state\",\"val_tpl\":\"{{ now().hour }}\"}"));

        assertThat(outcome.rejection()).isEqualTo(RejectReason.BAD_DISCOVERY_CONFIG);
        assertThat(outcome.message()).isEqualTo("discovery config on " + topic
                + ": value_template: function now() is not supported (only float() and int())");
        assertThat(outcome.keepsFromOthers()).isFalse(); // Home Assistant's message: the embedded broker passes it on
        assertThat(fixture.lastRejection(topic).reason()).isEqualTo(RejectReason.BAD_DISCOVERY_CONFIG);
        assertThat(fixture.rejected(RejectReason.BAD_DISCOVERY_CONFIG)).isEqualTo(1);
    }

    @Test
    void otherComponentsAreCountedAndLeftAlone() {
        MqttOutcome outcome = fixture.handle(retained("homeassistant/switch/0x01/relay/config",
                "{\"command_topic\":\"a/set\",\"state_topic\":\"a\"}"));

        assertThat(outcome.skipped()).isEqualTo(SkipReason.DISCOVERY_COMPONENT);
        assertThat(fixture.discoveryTopics.get()).isEmpty(); // nothing new to subscribe to
    }

    @Test
    void anExplicitRuleWinsForItsTopic() throws Exception {
        fixture.mappings.set(ConfigFile.parse("tidegate.yml", """
                mqtt_mappings:
                  - name: z2m
                    topic: zigbee2mqtt/+device
                    group: {job: zigbee2mqtt, device: '{device}'}
                    metrics: [{path: temperature, unit: celsius}]
                """).mqttMappings());
        announceLivingRoom();

        MqttOutcome outcome = fixture.handle(live("zigbee2mqtt/living_room", STATE));

        assertThat(outcome.rule()).isEqualTo("z2m");
        assertThat(fixture.group(TEMPERATURE)).isNull();
        assertThat(fixture.store.snapshot().groups()).extracting(Group::key)
                .containsExactly(GroupingKey.of(Map.of("job", "zigbee2mqtt", "device", "living_room")));
    }

    @Test
    void tasmotaAbbreviatedKeysWithTheBaseTopicAreRead() {
        // Tasmota's Home Assistant discovery (SetOption19 1), abbreviated keys and ~
        fixture.publish(retained("homeassistant/sensor/1C2A3B_AM2301_Temperature/config", """
                {"name":"Tasmota AM2301 Temperature","stat_t":"~SENSOR","avty_t":"~LWT","pl_avail":"Online",
                 "pl_not_avail":"Offline","uniq_id":"1C2A3B_AM2301_Temperature",
                 "dev":{"ids":["1C2A3B"]},"unit_of_meas":"°C","dev_cla":"temperature",
                 "frc_upd":true,"val_tpl":"{{value_json['AM2301'].Temperature}}","~":"tele/tasmota_1C2A3B/"}
                """));
        GroupingKey key = GroupingKey.of(Map.of("job", "homeassistant", "instance", "1C2A3B",
                "entity", "sensor/1C2A3B_AM2301_Temperature"));

        fixture.publish(live("tele/tasmota_1C2A3B/SENSOR",
                "{\"Time\":\"2026-11-25T10:00:00\",\"AM2301\":{\"Temperature\":22.4,\"Humidity\":41.0},\"TempUnit\":\"C\"}"));
        assertThat(fixture.value(key, "temperature_celsius")).isEqualTo(22.4);
        assertThat(fixture.stored(key, "temperature_celsius").family().metrics().get(0).labels())
                .contains(new Label("entity_name", "Tasmota AM2301 Temperature"));

        fixture.publish(retained("tele/tasmota_1C2A3B/LWT", "Offline"));
        assertThat(fixture.group(key)).isNull();
    }

    @Test
    void aTotalIncreasingEnergySensorIsACounterInJoules() {
        fixture.publish(retained("homeassistant/sensor/plug/energy/config",
                "{\"dev_cla\":\"energy\",\"stat_cla\":\"total_increasing\",\"unit_of_meas\":\"kWh\","
                        + "\"stat_t\":\"plug/state\",\"val_tpl\":\"{{ value_json.energy }}\"}"));
        GroupingKey key = GroupingKey.of(Map.of("job", "homeassistant", "instance", "plug",
                "entity", "sensor/plug/energy"));

        fixture.publish(live("plug/state", "{\"energy\":1.5}"));

        assertThat(fixture.stored(key, "energy_joules_total").family().type()).isEqualTo(MetricType.COUNTER);
        assertThat(fixture.value(key, "energy_joules_total")).isEqualTo(5.4e6);
    }
}
