package io.tidegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tidegate mappings test}: what a message would become, printed without a broker, and its exit status. */
class MappingsCommandTest {
    @TempDir
    Path dir;

    private String out;
    private String err;

    private int run(String... arguments) {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int status = new MappingsCommand().run(List.of(arguments), new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8));
        out = stdout.toString(StandardCharsets.UTF_8);
        err = stderr.toString(StandardCharsets.UTF_8);
        return status;
    }

    private int test(String example, String topic, String payload, String... more) {
        List<String> arguments = new ArrayList<>(List.of("test", "--config", "examples/mappings/" + example + ".yml",
                "--topic", topic, "--payload", payload));
        arguments.addAll(List.of(more));
        return run(arguments.toArray(String[]::new));
    }

    @Test
    void aMessageARulePassesPrintsTheRuleKeyTtlAndSeriesAsMetricsShowsThem() {
        int status = test("tasmota", "tele/plug/SENSOR",
                "{\"Time\":\"2025-01-12T10:15:00\",\"AM2301\":{\"Temperature\":21.3,\"Humidity\":45.2,\"DewPoint\":8.9},\"TempUnit\":\"C\"}");

        assertThat(status).isZero();
        assertThat(out).isEqualTo("""
                topic: tele/plug/SENSOR
                rule: tasmota-sensor
                grouping key: {job="tasmota", device="plug"}
                replaces: only the metrics below; the group's others stay (POST)
                ttl: 15m
                series:
                # HELP tasmota_humidity_percent Relative humidity measured by the sensor.
                # TYPE tasmota_humidity_percent gauge
                tasmota_humidity_percent{device="plug",instance="",job="tasmota",sensor="AM2301"} 45.2
                # HELP tasmota_temperature_celsius Temperature measured by the sensor.
                # TYPE tasmota_temperature_celsius gauge
                tasmota_temperature_celsius{device="plug",instance="",job="tasmota",sensor="AM2301"} 21.3
                skipped fields (optional metrics; counted in tidegate_mqtt_fields_skipped_total):
                  *.Pressure (missing)
                  ENERGY.Power (missing)
                  ENERGY.ApparentPower (missing)
                  ENERGY.ReactivePower (missing)
                  ENERGY.Factor (missing)
                  ENERGY.Voltage (missing)
                  ENERGY.Current (missing)
                  ENERGY.Total (missing)
                """);
    }

    @Test
    void utf8NamesInRulesTakeTheFlagAsTheServerDoes() throws Exception {
        Path file = dir.resolve("utf8.yml");
        java.nio.file.Files.writeString(file, """
                mqtt_mappings:
                  - name: rooms
                    topic: house/+room
                    group: {job: house, "room.name": '{room}'}
                    metrics:
                      - {path: temp, name: 'temp.{room}', unit: celsius}
                """);
        assertThat(run("test", "--config", file.toString(), "--topic", "house/kitchen", "--payload", "{\"temp\": 21.5}"))
                .isEqualTo(1);
        assertThat(err).contains("invalid label name");

        assertThat(run("test", "--config", file.toString(), "--topic", "house/kitchen", "--payload", "{\"temp\": 21.5}",
                "--push.enable-utf8-names")).isZero();
        assertThat(out).contains("{\"temp.kitchen_celsius\",instance=\"\",job=\"house\",\"room.name\"=\"kitchen\"} 21.5\n");
    }

    @Test
    void aMultiChannelMessageShowsOneSeriesPerChannelAndTheFieldsItSkipped() {
        int status = test("tasmota", "tele/dualr3/SENSOR", "{\"Time\":\"2025-01-12T10:15:00\",\"ENERGY\":{\"TotalStartTime\":"
                + "\"2024-11-02T08:11:12\",\"Total\":0.003,\"Yesterday\":0.000,\"Today\":0.003,\"Power\":[12,0],"
                + "\"ApparentPower\":[15,0],\"ReactivePower\":[9,0],\"Factor\":[0.80,0.00],\"Voltage\":230,"
                + "\"Current\":[0.065,\"n/a\"]}}");

        assertThat(status).isZero();
        assertThat(out).contains("tasmota_power_watts{channel=\"1\",device=\"dualr3\",instance=\"\",job=\"tasmota\"} 12\n"
                        + "tasmota_power_watts{channel=\"2\",device=\"dualr3\",instance=\"\",job=\"tasmota\"} 0\n")
                .contains("tasmota_current_amperes{channel=\"1\",device=\"dualr3\",instance=\"\",job=\"tasmota\"} 0.065\n")
                .doesNotContain("tasmota_current_amperes{channel=\"2\"")
                .endsWith("""
                        skipped fields (optional metrics; counted in tidegate_mqtt_fields_skipped_total):
                          *.Temperature (missing)
                          *.Humidity (missing)
                          *.Pressure (missing)
                          ENERGY.Current[1] (wrong_type: "n/a" is not a number (a values map turns strings into numbers))
                        """);
    }

    @Test
    void aMessageTheRulesWhenConditionsLeaveOutIsSkipped() {
        int status = test("shelly-gen2", "shellyplusi4-c4d8d5561234/events/rpc", "{\"src\":\"shellyplusi4-c4d8d5561234\","
                + "\"dst\":\"user_1\",\"method\":\"NotifyEvent\",\"params\":{\"ts\":1631266595.43,\"events\":"
                + "[{\"component\":\"input:0\",\"id\":0,\"event\":\"single_push\",\"ts\":1631266595.43}]}}");

        assertThat(status).isEqualTo(1);
        assertThat(out).isEqualTo("""
                topic: shellyplusi4-c4d8d5561234/events/rpc
                rule: shelly-gen2-notifications
                skipped (unmapped): the rule takes nothing from it (its when conditions leave it out, or it carries none of the rule's metrics)
                """);
    }

    @Test
    void theMessagesOwnTtlPropertyAndTheRetainedFlagAreTaken() {
        int status = test("esphome", "livingroom/sensor/living_room_temperature/state", "21.5", "--retained",
                "--property", "ttl=90s");

        assertThat(status).isZero();
        assertThat(out).contains("ttl: 1m30s\n")
                .contains("esphome_living_room_temperature{instance=\"\",job=\"esphome\",node=\"livingroom\"} 21.5\n");
    }

    @Test
    void availabilityMessagesSayWhatTheyDo() {
        assertThat(test("zigbee2mqtt", "zigbee2mqtt/kitchen/availability", "{\"state\":\"offline\"}")).isZero();
        assertThat(out).endsWith("availability: offline; deletes every group whose grouping key has"
                + " {job=\"zigbee2mqtt\", device=\"kitchen\"}\n");

        assertThat(test("tasmota", "tele/plug/LWT", "Online")).isZero();
        assertThat(out).endsWith("availability: online; changes nothing\n");
    }

    @Test
    void aMessageTheLivePathWouldRefuseSaysWhyAndExitsOne() {
        assertThat(test("shelly-gen1", "shellies/s1/relay/0/power", "n/a")).isEqualTo(1);
        assertThat(out).endsWith("rejected (bad_payload): rule shelly-relay-power: \"n/a\" is not a number"
                + " (a values map turns strings into numbers)\n");

        assertThat(test("shelly-gen2", "shellyplus1-ab/status/wifi", "{\"rssi\":-60}")).isEqualTo(1);
        assertThat(out).contains("rule: none\n").contains("skipped (unmapped)");

        assertThat(test("esphome", "nowhere", "1")).isEqualTo(1);
        assertThat(out).endsWith("rejected (bad_topic): topic is not under metrics/, and no mqtt_mappings rule applies to it\n");
    }

    @Test
    void aBrokenFileIsReportedAndExitsOne() throws Exception {
        Path broken = dir.resolve("broken.yml");
        Files.writeString(broken, "mqtt_mappings:\n  - topic: a/+x\n    group: {job: '{y}'}\n");

        assertThat(run("test", "--config", broken.toString(), "--topic", "a/b", "--payload", "1")).isEqualTo(1);
        assertThat(err).isEqualTo(broken + ": mqtt_mappings[1] (line 2): job \"{y}\": {y} is not a wildcard name of the"
                + " topic (it names x)\n");
    }

    @Test
    void badUsageExitsTwoWithTheUsage() {
        assertThat(run("test", "--topic", "a")).isEqualTo(2);
        assertThat(err).startsWith("tidegate mappings: --config (or --discovery), --topic and --payload are required\n"
                + "usage: tidegate mappings test");
        assertThat(run("check")).isEqualTo(2);
        assertThat(err).startsWith("tidegate mappings: unknown action \"check\"");
        assertThat(run("test", "--config=x.yml", "--topic=a", "--payload=1", "--property", "novalue")).isEqualTo(2);
        assertThat(err).startsWith("tidegate mappings: --property takes KEY=VALUE, not \"novalue\"");
        assertThat(run("test", "--verbose")).isEqualTo(2);
        assertThat(err).startsWith("tidegate mappings: unknown option \"--verbose\"");
    }

    @Test
    void discoveryShowsWhatAConfigAndAStateMessageBecome() {
        String config = "{\"dev_cla\":\"temperature\",\"unit_of_meas\":\"°C\",\"stat_t\":\"zigbee2mqtt/kitchen\","
                + "\"val_tpl\":\"{{ value_json.temperature }}\",\"exp_aft\":600,"
                + "\"dev\":{\"ids\":[\"zigbee2mqtt_0x01\"],\"name\":\"kitchen\"}}";
        assertThat(run("test", "--discovery", "homeassistant/sensor/0x01/temperature/config", config,
                "--topic", "zigbee2mqtt/kitchen", "--payload", "{\"temperature\":21.5,\"action\":\"single\"}")).isEqualTo(0);
        assertThat(out).isEqualTo("""
                discovery config: homeassistant/sensor/0x01/temperature/config
                  entity sensor/0x01/temperature reads zigbee2mqtt/kitchen as temperature_celsius
                topic: zigbee2mqtt/kitchen
                rule: none
                discovery entity: sensor/0x01/temperature
                grouping key: {job="homeassistant", entity="sensor/0x01/temperature", instance="zigbee2mqtt_0x01"}
                replaces: the whole group (PUT)
                ttl: 10m
                series:
                # TYPE temperature_celsius gauge
                temperature_celsius{device_identifiers="zigbee2mqtt_0x01",device_name="kitchen",\
                entity="sensor/0x01/temperature",instance="zigbee2mqtt_0x01",job="homeassistant"} 21.5
                """);
    }

    @Test
    void discoveryShowsWhyAConfigIsRefusedAndWhyAStateGivesNoValue() throws Exception {
        Path config = dir.resolve("clock.json");
        Files.writeString(config, "{\"stat_t\":\"x/state\",\"val_tpl\":\"{{ now() }}\"}");
        String text = "{\"stat_t\":\"x/state\",\"val_tpl\":\"{{ value_json.action }}\"}";
        assertThat(run("test", "--discovery", "homeassistant/sensor/x/clock/config", "@" + config,
                "--discovery", "homeassistant/sensor/x/action/config", text,
                "--topic", "x/state", "--payload", "{\"action\":\"single\"}")).isEqualTo(1);
        assertThat(out).contains("discovery config: homeassistant/sensor/x/clock/config\n  rejected (bad_discovery_config): "
                + "discovery config on homeassistant/sensor/x/clock/config: value_template: function now() is not supported")
                .contains("skipped (discovery_no_value): sensor/x/action: state \"single\" is not a number");
    }
}
