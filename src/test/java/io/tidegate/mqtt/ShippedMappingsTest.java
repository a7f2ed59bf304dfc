package io.tidegate.mqtt;

import static io.tidegate.mqtt.Publish.live;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.config.ConfigFile;
import io.tidegate.format.ExpositionFormat;
import io.tidegate.format.WireFormat;
import io.tidegate.store.Group;
import io.tidegate.store.StoredFamily;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rule files of {@code examples/mappings/} as shipped, fed what the devices publish as their
 * projects document it, and the lines {@code /metrics} then shows. Each payload names its source.
 */
class ShippedMappingsTest {
    @TempDir
    Path dir;

    private final IngestFixture fixture = new IngestFixture();

    private void load(String example) throws Exception {
        fixture.mappings.set(ConfigFile.load(Path.of("examples/mappings/" + example + ".yml")).mqttMappings());
    }

    private MqttOutcome publish(String topic, String payload) {
        MqttOutcome outcome = fixture.handle(live(topic, payload));
        assertThat(outcome.kind()).as(topic + " " + payload + ": " + outcome.message()).isEqualTo(MqttOutcome.Kind.WRITTEN);
        return outcome;
    }

    /** Every series the store holds, as /metrics writes them, without Tidegate's own push_* gauges. */
    private String scrape() throws IOException {
        ExpositionFormat text = WireFormat.TEXT.format();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Group group : fixture.store.snapshot().groups()) {
            for (StoredFamily stored : group.families().values()) {
                if (!stored.name().startsWith("push_")) {
                    text.writeFamily(stored.name(), stored.family().help(), stored.family().type(),
                            List.of(text.renderSeries(stored.family())), out);
                }
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private double fieldsSkipped(String rule, String reason) {
        return fixture.own.families().stream().filter(family -> family.name().equals("tidegate_mqtt_fields_skipped_total"))
                .flatMap(family -> family.metrics().stream())
                .filter(metric -> rule.equals(metric.label("rule")) && reason.equals(metric.label("reason")))
                .mapToDouble(io.tidegate.format.Metric::value).findFirst().orElse(0);
    }

    // --- Shelly Gen2 ---

    @Test
    void shellyPlusHtStatusTopicsGiveTemperatureHumidityAndBattery() throws Exception {
        load("shelly-gen2");
        // https://shelly-api-docs.shelly.cloud/gen2/ComponentsAndServices/Temperature#status, .../Humidity#status,
        // .../DevicePower#status; published on <id>/status/<component>:<id> with status_ntf (MQTT page)
        publish("shellyplusht-c049ef8b1234/status/temperature:0", "{\"id\":0,\"tC\":22.3,\"tF\":72.1}");
        publish("shellyplusht-c049ef8b1234/status/humidity:0", "{\"id\":0,\"rh\":45.6}");
        publish("shellyplusht-c049ef8b1234/status/devicepower:0",
                "{\"id\":0,\"battery\":{\"V\":5.46,\"percent\":73},\"external\":{\"present\":false}}");

        assertThat(scrape()).contains(
                "shelly_temperature_celsius{component=\"temperature:0\",device=\"shellyplusht-c049ef8b1234\",instance=\"\",job=\"shelly\"} 22.3\n",
                "shelly_humidity_percent{component=\"humidity:0\",device=\"shellyplusht-c049ef8b1234\",instance=\"\",job=\"shelly\"} 45.6\n",
                "shelly_battery_percent{component=\"devicepower:0\",device=\"shellyplusht-c049ef8b1234\",instance=\"\",job=\"shelly\"} 73\n",
                "shelly_battery_voltage_volts{component=\"devicepower:0\",device=\"shellyplusht-c049ef8b1234\",instance=\"\",job=\"shelly\"} 5.46\n",
                "shelly_external_power{component=\"devicepower:0\",device=\"shellyplusht-c049ef8b1234\",instance=\"\",job=\"shelly\"} 0\n");
    }

    @Test
    void shellyPlusHtFullStatusNotificationGivesTheSameSeriesFromOneMessage() throws Exception {
        load("shelly-gen2");
        // https://shelly-api-docs.shelly.cloud/gen2/General/Notifications (NotifyFullStatus: the status of every
        // component under params, keyed as in Shelly.GetStatus); what an H&T sends on <id>/events/rpc when it wakes up
        MqttOutcome outcome = publish("shellyplusht-c049ef8b1234/events/rpc", "{\"src\":\"shellyplusht-c049ef8b1234\","
                + "\"dst\":\"shellyplusht-c049ef8b1234/events\",\"method\":\"NotifyFullStatus\",\"params\":{\"ts\":1736676900.12,"
                + "\"ble\":{},\"cloud\":{\"connected\":false},\"devicepower:0\":{\"id\":0,\"battery\":{\"V\":5.46,\"percent\":73},"
                + "\"external\":{\"present\":false}},\"ht_ui\":{},\"humidity:0\":{\"id\":0,\"rh\":45.6},\"mqtt\":{\"connected\":true},"
                + "\"sys\":{\"mac\":\"C049EF8B1234\",\"restart_required\":false,\"uptime\":2,\"wakeup_period\":7200},"
                + "\"temperature:0\":{\"id\":0,\"tC\":22.3,\"tF\":72.1},\"wifi\":{\"sta_ip\":\"192.168.1.20\",\"status\":\"got ip\","
                + "\"ssid\":\"home\",\"rssi\":-60},\"ws\":{\"connected\":false}}}");

        assertThat(outcome.rule()).isEqualTo("shelly-gen2-notifications");
        assertThat(scrape()).contains(
                "shelly_temperature_celsius{component=\"temperature:0\",device=\"shellyplusht-c049ef8b1234\",instance=\"\",job=\"shelly\"} 22.3\n",
                "shelly_humidity_percent{component=\"humidity:0\",device=\"shellyplusht-c049ef8b1234\",instance=\"\",job=\"shelly\"} 45.6\n",
                "shelly_battery_percent{component=\"devicepower:0\",device=\"shellyplusht-c049ef8b1234\",instance=\"\",job=\"shelly\"} 73\n");
        // the H&T has no switch, cover, input or meter: those metrics are left out, and counted
        assertThat(outcome.skippedFields()).extracting(SkippedField::reason).containsOnly(SkippedField.Reason.MISSING);
        assertThat(fieldsSkipped("shelly-gen2-notifications", "missing")).isEqualTo(outcome.skippedFields().size());
    }

    @Test
    void aStatusNotificationUpdatesWhatChangedAndAnEventIsSkippedNotRefused() throws Exception {
        load("shelly-gen2");
        // https://shelly-api-docs.shelly.cloud/gen2/General/Notifications#notifystatus (the example given there)
        publish("shellypro4pm-f008d1d8b8b8/events/rpc", "{\"src\":\"shellypro4pm-f008d1d8b8b8\",\"dst\":\"user_1\","
                + "\"method\":\"NotifyStatus\",\"params\":{\"ts\":1631266595.43,\"switch:0\":{\"id\":0,\"output\":true,"
                + "\"source\":\"button\"}}}");
        // https://shelly-api-docs.shelly.cloud/gen2/General/Notifications#notifyevent
        MqttOutcome event = fixture.handle(live("shellypro4pm-f008d1d8b8b8/events/rpc", "{\"src\":\"shellypro4pm-f008d1d8b8b8\","
                + "\"dst\":\"user_1\",\"method\":\"NotifyEvent\",\"params\":{\"ts\":1631266595.43,\"events\":[{\"component\":"
                + "\"input:0\",\"id\":0,\"event\":\"single_push\",\"ts\":1631266595.43}]}}"));

        assertThat(scrape()).contains("shelly_switch_on{component=\"switch:0\",device=\"shellypro4pm-f008d1d8b8b8\","
                + "instance=\"\",job=\"shelly\"} 1\n");
        assertThat(event.kind()).isEqualTo(MqttOutcome.Kind.SKIPPED);
        assertThat(event.skipped()).isEqualTo(SkipReason.UNMAPPED);
        assertThat(event.rule()).isEqualTo("shelly-gen2-notifications");
        assertThat(fixture.rejected(RejectReason.BAD_TOPIC) + fixture.rejected(RejectReason.BAD_PAYLOAD)).isZero();
    }

    @Test
    void shellyGen2SwitchCoverInputAndMetersGiveTheirReadingsInBaseUnits() throws Exception {
        load("shelly-gen2");
        // https://shelly-api-docs.shelly.cloud/gen2/ComponentsAndServices/Switch#status
        publish("shellyplus2pm-a8032ab12345/status/switch:1", "{\"id\":1,\"source\":\"WS_in\",\"output\":true,\"apower\":8.9,"
                + "\"voltage\":237.5,\"current\":0.068,\"aenergy\":{\"total\":6.532,\"by_minute\":[45.199,47.141,88.397],"
                + "\"minute_ts\":1654511972},\"temperature\":{\"tC\":23.5,\"tF\":74.4}}");
        // https://shelly-api-docs.shelly.cloud/gen2/ComponentsAndServices/Cover#status
        publish("shellyplus2pm-b8d61a8b1234/status/cover:0", "{\"id\":0,\"source\":\"limit_switch\",\"state\":\"stopped\","
                + "\"apower\":0.0,\"voltage\":233.0,\"current\":0.00,\"pf\":0.00,\"aenergy\":{\"total\":0.000,"
                + "\"by_minute\":[0.000,0.000,0.000],\"minute_ts\":1654511973},\"current_pos\":100,\"temperature\":"
                + "{\"tC\":44.6,\"tF\":112.3},\"pos_control\":true,\"last_direction\":\"open\"}");
        // https://shelly-api-docs.shelly.cloud/gen2/ComponentsAndServices/Input#status (a switch input; a button's is null)
        publish("shellyplusi4-c4d8d5561234/status/input:0", "{\"id\":0,\"state\":false}");
        MqttOutcome button = fixture.handle(live("shellyplusi4-c4d8d5561234/status/input:1", "{\"id\":1,\"state\":null}"));
        // https://shelly-api-docs.shelly.cloud/gen2/ComponentsAndServices/EM#status (Pro 3EM)
        publish("shellypro3em-c8f09e81234/status/em:0", "{\"id\":0,\"a_current\":4.029,\"a_voltage\":236.1,"
                + "\"a_act_power\":951.2,\"a_aprt_power\":951.9,\"a_pf\":1,\"a_freq\":50,\"b_current\":4.027,\"b_voltage\":236.201,"
                + "\"b_act_power\":-951.1,\"b_aprt_power\":951.8,\"b_pf\":1,\"b_freq\":50,\"c_current\":3.03,\"c_voltage\":236.402,"
                + "\"c_act_power\":715.4,\"c_aprt_power\":716.2,\"c_pf\":1,\"c_freq\":50,\"n_current\":null,\"total_current\":11.029,"
                + "\"total_act_power\":2484.782,\"total_aprt_power\":2486.7,\"user_calibrated_phase\":[]}");
        // https://shelly-api-docs.shelly.cloud/gen2/ComponentsAndServices/EM1#status (Pro EM)
        publish("shellyproem50-a0dd6c9e1234/status/em1:1", "{\"id\":1,\"current\":2.598,\"voltage\":234.9,\"act_power\":501.8,"
                + "\"aprt_power\":612.4,\"pf\":0.84,\"freq\":50,\"calibration\":\"factory\"}");
        // https://shelly-api-docs.shelly.cloud/gen2/ComponentsAndServices/PM1#status (Plus PM Mini)
        publish("shellypluspmmini-e465b8b1234/status/pm1:0", "{\"id\":0,\"voltage\":231.3,\"current\":0.475,\"apower\":104.8,"
                + "\"freq\":49.9,\"aenergy\":{\"total\":1529.461,\"by_minute\":[1746.123,1746.321,1746.214],\"minute_ts\":1714045680},"
                + "\"ret_aenergy\":{\"total\":0.000,\"by_minute\":[0.000,0.000,0.000],\"minute_ts\":1714045680}}");

        assertThat(scrape()).contains(
                "shelly_switch_on{component=\"switch:1\",device=\"shellyplus2pm-a8032ab12345\",instance=\"\",job=\"shelly\"} 1\n",
                "shelly_switch_power_watts{component=\"switch:1\",device=\"shellyplus2pm-a8032ab12345\",instance=\"\",job=\"shelly\"} 8.9\n",
                "shelly_switch_energy_joules_total{component=\"switch:1\",device=\"shellyplus2pm-a8032ab12345\",instance=\"\",job=\"shelly\"} 23515.2\n",
                "shelly_cover_position_percent{component=\"cover:0\",device=\"shellyplus2pm-b8d61a8b1234\",instance=\"\",job=\"shelly\"} 100\n",
                "shelly_cover_voltage_volts{component=\"cover:0\",device=\"shellyplus2pm-b8d61a8b1234\",instance=\"\",job=\"shelly\"} 233\n",
                "shelly_input_on{component=\"input:0\",device=\"shellyplusi4-c4d8d5561234\",instance=\"\",job=\"shelly\"} 0\n",
                "shelly_em_voltage_volts{component=\"em:0\",device=\"shellypro3em-c8f09e81234\",instance=\"\",job=\"shelly\",phase=\"a\"} 236.1\n",
                "shelly_em_power_watts{component=\"em:0\",device=\"shellypro3em-c8f09e81234\",instance=\"\",job=\"shelly\",phase=\"b\"} -951.1\n",
                "shelly_em_current_amperes{component=\"em:0\",device=\"shellypro3em-c8f09e81234\",instance=\"\",job=\"shelly\",phase=\"c\"} 3.03\n",
                "shelly_em_total_power_watts{component=\"em:0\",device=\"shellypro3em-c8f09e81234\",instance=\"\",job=\"shelly\"} 2484.782\n",
                "shelly_em1_power_watts{component=\"em1:1\",device=\"shellyproem50-a0dd6c9e1234\",instance=\"\",job=\"shelly\"} 501.8\n",
                "shelly_em1_power_factor{component=\"em1:1\",device=\"shellyproem50-a0dd6c9e1234\",instance=\"\",job=\"shelly\"} 0.84\n",
                "shelly_pm1_power_watts{component=\"pm1:0\",device=\"shellypluspmmini-e465b8b1234\",instance=\"\",job=\"shelly\"} 104.8\n",
                "shelly_pm1_energy_joules_total{component=\"pm1:0\",device=\"shellypluspmmini-e465b8b1234\",instance=\"\",job=\"shelly\"} 5.5060596e+06\n");
        // the neutral current of a Pro 3EM without a neutral CT is null: no series, and no refusal
        assertThat(scrape()).doesNotContain("phase=\"n\"");
        // a button input has no state: nothing to take from its message, which is skipped, not refused
        assertThat(button.kind()).isEqualTo(MqttOutcome.Kind.SKIPPED);
        assertThat(button.skippedFields()).extracting(SkippedField::field).contains("state");
    }

    // --- ESPHome ---

    @Test
    void esphomeLightsFansAndClimatesGiveSeries() throws Exception {
        load("esphome");
        // esphome/components/light/light_json_schema.cpp (LightJSONSchema::dump_json), published by mqtt_light.cpp
        // on <prefix>/light/<id>/state
        publish("livingroom/light/desk_lamp/state", "{\"state\":\"ON\",\"color_mode\":\"rgb\",\"brightness\":255,"
                + "\"color\":{\"r\":255,\"g\":180,\"b\":90},\"effect\":\"None\"}");
        publish("livingroom/light/ceiling/state", "{\"state\":\"OFF\",\"color_mode\":\"brightness\",\"brightness\":128}");
        // esphome/components/mqtt/mqtt_fan.cpp (MQTTFanComponent::publish_state): ON/OFF, the speed level as an
        // integer, oscillate_on/oscillate_off, forward/reverse
        publish("livingroom/fan/ceiling_fan/state", "ON");
        publish("livingroom/fan/ceiling_fan/speed_level/state", "3");
        publish("livingroom/fan/ceiling_fan/oscillation/state", "oscillate_off");
        publish("livingroom/fan/ceiling_fan/direction/state", "forward");
        // esphome/components/mqtt/mqtt_climate.cpp (MQTTClimateComponent::publish_state_): temperatures rounded to
        // the accuracy, the action as a word
        publish("livingroom/climate/thermostat/current_temperature/state", "20.5");
        publish("livingroom/climate/thermostat/target_temperature/state", "21.0");
        publish("livingroom/climate/thermostat/action/state", "heating");

        assertThat(scrape()).contains(
                "esphome_light_on{instance=\"\",job=\"esphome\",light=\"desk_lamp\",node=\"livingroom\"} 1\n",
                "esphome_light_brightness{instance=\"\",job=\"esphome\",light=\"desk_lamp\",node=\"livingroom\"} 255\n",
                "esphome_light_color{color=\"g\",instance=\"\",job=\"esphome\",light=\"desk_lamp\",node=\"livingroom\"} 180\n",
                "esphome_light_on{instance=\"\",job=\"esphome\",light=\"ceiling\",node=\"livingroom\"} 0\n",
                "esphome_fan_ceiling_fan{instance=\"\",job=\"esphome\",node=\"livingroom\"} 1\n",
                "esphome_fan_ceiling_fan_speed_level{instance=\"\",job=\"esphome\",node=\"livingroom\"} 3\n",
                "esphome_fan_ceiling_fan_oscillating{instance=\"\",job=\"esphome\",node=\"livingroom\"} 0\n",
                "esphome_fan_ceiling_fan_forward{instance=\"\",job=\"esphome\",node=\"livingroom\"} 1\n",
                "esphome_climate_thermostat_current_temperature{instance=\"\",job=\"esphome\",node=\"livingroom\"} 20.5\n",
                "esphome_climate_thermostat_target_temperature{instance=\"\",job=\"esphome\",node=\"livingroom\"} 21\n",
                "esphome_climate_thermostat_active{instance=\"\",job=\"esphome\",node=\"livingroom\"} 1\n");
    }

    @Test
    void anEsphomeNodeWithItsOwnTopicPrefixIsTakenOnceThePrefixIsSetInOnePlace() throws Exception {
        // mqtt: {topic_prefix: home/livingroom} on the node; the file's one topic_prefix changed to match
        String shipped = Files.readString(Path.of("examples/mappings/esphome.yml"));
        assertThat(shipped.split("&prefix", -1)).as("the prefix is set in one place").hasSize(2);
        Path file = dir.resolve("esphome.yml");
        Files.writeString(file, shipped.replace("&prefix '+node'", "&prefix 'home/+node'"));
        fixture.mappings.set(ConfigFile.load(file).mqttMappings());

        publish("home/livingroom/sensor/living_room_temperature/state", "21.5");
        publish("home/livingroom/light/desk_lamp/state", "{\"state\":\"ON\",\"brightness\":200}");
        MqttOutcome offline = fixture.handle(live("home/livingroom/status", "offline"));

        assertThat(offline.kind()).isEqualTo(MqttOutcome.Kind.OFFLINE);
        assertThat(offline.deletedGroups()).isEqualTo(2);
        publish("home/livingroom/sensor/living_room_temperature/state", "21.5");
        assertThat(scrape()).contains(
                "esphome_living_room_temperature{instance=\"\",job=\"esphome\",node=\"livingroom\"} 21.5\n");
    }

    // --- Tasmota ---

    @Test
    void tasmotaMultiChannelEnergyGivesOneSeriesPerChannelAndKeepsTheScalarFields() throws Exception {
        load("tasmota");
        // tasmota/tasmota_xdrv_driver/xdrv_03_energy.ino (EnergyShow): with several channels, the per-channel
        // fields are JSON arrays, channel 1 first; Voltage is one number when all channels share it
        MqttOutcome outcome = publish("tele/shelly25/SENSOR", "{\"Time\":\"2025-01-12T10:15:00\",\"ENERGY\":{\"TotalStartTime\":"
                + "\"2024-11-02T08:11:12\",\"Total\":0.003,\"Yesterday\":0.000,\"Today\":0.003,\"Period\":[0,0],\"Power\":[12,0],"
                + "\"ApparentPower\":[15,0],\"ReactivePower\":[9,0],\"Factor\":[0.80,0.00],\"Voltage\":230,\"Current\":[0.065,0.000]}}");

        assertThat(scrape()).contains(
                "tasmota_power_watts{channel=\"1\",device=\"shelly25\",instance=\"\",job=\"tasmota\"} 12\n",
                "tasmota_power_watts{channel=\"2\",device=\"shelly25\",instance=\"\",job=\"tasmota\"} 0\n",
                "tasmota_power_factor{channel=\"1\",device=\"shelly25\",instance=\"\",job=\"tasmota\"} 0.8\n",
                "tasmota_current_amperes{channel=\"1\",device=\"shelly25\",instance=\"\",job=\"tasmota\"} 0.065\n",
                "tasmota_voltage_volts{device=\"shelly25\",instance=\"\",job=\"tasmota\"} 230\n",
                "tasmota_energy_joules_total{device=\"shelly25\",instance=\"\",job=\"tasmota\"} 10800\n");
        assertThat(outcome.skippedFields()).extracting(SkippedField::reason).containsOnly(SkippedField.Reason.MISSING);
    }

    @Test
    void everyTasmotaRelayGivesItsStateFromStateAndFromStat() throws Exception {
        load("tasmota");
        // tasmota/tasmota_support/support_tasmota.cpp (MqttShowState): "POWER" with one relay, "POWER1", "POWER2", ...
        // with several; https://tasmota.github.io/docs/MQTT/ (stat/<topic>/POWER<n> ON/OFF when a relay switches)
        publish("tele/dualr3/STATE", "{\"Time\":\"2025-01-12T10:15:00\",\"Uptime\":\"0T01:00:00\",\"UptimeSec\":3600,"
                + "\"Heap\":25,\"SleepMode\":\"Dynamic\",\"Sleep\":50,\"LoadAvg\":19,\"MqttCount\":1,\"POWER1\":\"ON\","
                + "\"POWER2\":\"OFF\",\"Wifi\":{\"AP\":1,\"SSId\":\"home\",\"BSSId\":\"AA:BB:CC:DD:EE:FF\",\"Channel\":6,"
                + "\"Mode\":\"11n\",\"RSSI\":80,\"Signal\":-60,\"LinkCount\":1,\"Downtime\":\"0T00:00:03\"}}");
        publish("tele/plug/STATE", "{\"Time\":\"2025-01-12T10:15:00\",\"UptimeSec\":60,\"POWER\":\"OFF\"}");
        publish("stat/dualr3/POWER2", "ON");
        publish("stat/plug/POWER", "ON");

        assertThat(scrape()).contains(
                "tasmota_relay_on{channel=\"1\",device=\"dualr3\",instance=\"\",job=\"tasmota\"} 1\n",
                "tasmota_relay_on{channel=\"2\",device=\"dualr3\",instance=\"\",job=\"tasmota\"} 0\n",
                "tasmota_relay_on{device=\"plug\",instance=\"\",job=\"tasmota\"} 0\n",
                "tasmota_uptime_seconds{device=\"dualr3\",instance=\"\",job=\"tasmota\"} 3600\n",
                "tasmota_relay_switched_on{channel=\"2\",device=\"dualr3\",instance=\"\",job=\"tasmota\"} 1\n",
                "tasmota_relay_switched_on{channel=\"\",device=\"plug\",instance=\"\",job=\"tasmota\"} 1\n");
        // stat/<topic>/RESULT and STATUS are other stat topics: not relays, not taken
        assertThat(fixture.handle(live("stat/plug/RESULT", "{\"POWER\":\"ON\"}")).kind()).isEqualTo(MqttOutcome.Kind.SKIPPED);
    }

    // --- Shelly Gen1 ---

    @Test
    void shellyGen1EmeterReadingsAreInBaseUnits() throws Exception {
        load("shelly-gen1");
        // https://shelly-api-docs.shelly.cloud/gen1/#shelly-3em-mqtt (shellies/<id>/emeter/<i>/<reading>)
        String meter = "shellies/shellyem3-c45bbe6b1234/emeter/1/";
        publish(meter + "power", "1152.40");
        publish(meter + "reactive_power", "-12.6");
        publish(meter + "pf", "0.96");
        publish(meter + "voltage", "230.88");
        publish(meter + "current", "5.01");
        publish(meter + "energy", "120");
        publish(meter + "returned_energy", "0");
        publish(meter + "total", "3212.8");
        publish(meter + "total_returned", "1.5");

        String labels = "{channel=\"1\",device=\"shellyem3-c45bbe6b1234\",instance=\"\",job=\"shelly\"}";
        assertThat(scrape()).contains(
                "shelly_emeter_power_watts" + labels + " 1152.4\n",
                "shelly_emeter_reactive_power_var" + labels + " -12.6\n",
                "shelly_emeter_power_factor" + labels + " 0.96\n",
                "shelly_emeter_voltage_volts" + labels + " 230.88\n",
                "shelly_emeter_current_amperes" + labels + " 5.01\n",
                "shelly_emeter_energy_joules_total" + labels + " 7200\n",
                "shelly_emeter_returned_energy_joules_total" + labels + " 0\n",
                "shelly_emeter_total_energy_joules_total" + labels + " 1.156608e+07\n",
                "shelly_emeter_total_returned_energy_joules_total" + labels + " 5400\n");
    }
}
