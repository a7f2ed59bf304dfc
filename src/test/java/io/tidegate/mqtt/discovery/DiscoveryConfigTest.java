package io.tidegate.mqtt.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.format.MetricType;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Reading discovery configs: full and abbreviated keys, the ~ base topic, the device block, availability forms. */
class DiscoveryConfigTest {
    private static DiscoveryConfig.Read read(String topic, String json) {
        return DiscoveryConfig.read("homeassistant", topic, json.getBytes(StandardCharsets.UTF_8));
    }

    private static DiscoveryConfig config(String topic, String json) {
        DiscoveryConfig.Read read = read(topic, json);
        assertThat(read.refusal()).isNull();
        return read.config();
    }

    @Test
    void fullAndAbbreviatedKeysReadAlike() {
        DiscoveryConfig full = config("homeassistant/sensor/node/temp/config", """
                {"state_topic":"a/state","value_template":"{{ value_json.t }}","unit_of_measurement":"°C",
                 "device_class":"temperature","state_class":"measurement","expire_after":60,"name":"T",
                 "availability_topic":"a/status","payload_available":"up","payload_not_available":"down",
                 "device":{"identifiers":["id1","id2"],"name":"Dev","model":"M","manufacturer":"Mf"}}""");
        DiscoveryConfig abbreviated = config("homeassistant/sensor/node/temp/config", """
                {"stat_t":"a/state","val_tpl":"{{ value_json.t }}","unit_of_meas":"°C","dev_cla":"temperature",
                 "stat_cla":"measurement","exp_aft":60,"name":"T","avty_t":"a/status","pl_avail":"up",
                 "pl_not_avail":"down","dev":{"ids":["id1","id2"],"name":"Dev","mdl":"M","mf":"Mf"}}""");

        assertThat(abbreviated).usingRecursiveComparison().ignoringFields("valueTemplate", "availability")
                .isEqualTo(full);
        assertThat(abbreviated.stateTopic()).isEqualTo("a/state");
        assertThat(abbreviated.valueTemplate().source()).isEqualTo("{{ value_json.t }}");
        assertThat(abbreviated.expireAfterSeconds()).isEqualTo(60);
        assertThat(abbreviated.instance()).isEqualTo("id1");
        assertThat(abbreviated.entity()).isEqualTo("sensor/node/temp");
        assertThat(abbreviated.device()).isEqualTo(new DiscoveryConfig.Device("Dev", "M", "Mf", java.util.List.of("id1", "id2"),
                java.util.List.of()));
        assertThat(abbreviated.availability()).singleElement().satisfies(a -> {
            assertThat(a.topic()).isEqualTo("a/status");
            assertThat(a.payloadAvailable()).isEqualTo("up");
            assertThat(a.payloadNotAvailable()).isEqualTo("down");
        });
    }

    @Test
    void theBaseTopicReplacesTildeAtTheStartOrEndOfTopics() {
        DiscoveryConfig config = config("homeassistant/sensor/x/config", """
                {"~":"tele/plug","stat_t":"~/SENSOR","avty":[{"t":"~/LWT"},{"topic":"status/~"}]}""");
        assertThat(config.stateTopic()).isEqualTo("tele/plug/SENSOR");
        assertThat(config.availability()).extracting(DiscoveryConfig.Availability::topic)
                .containsExactly("tele/plug/LWT", "status/tele/plug");
        assertThat(config.availability().get(0).payloadAvailable()).isEqualTo("online");
    }

    @Test
    void theDevicesInstanceIsItsFirstIdentifierElseConnectionElseNodeIdElseObjectId() {
        assertThat(config("homeassistant/sensor/n/o/config", "{\"stat_t\":\"s\",\"dev\":{\"ids\":\"aa:bb\"}}").instance())
                .isEqualTo("aa:bb");
        assertThat(config("homeassistant/sensor/n/o/config",
                "{\"stat_t\":\"s\",\"dev\":{\"cns\":[[\"mac\",\"aa:bb:cc\"]]}}").instance()).isEqualTo("mac_aa:bb:cc");
        assertThat(config("homeassistant/sensor/n/o/config", "{\"stat_t\":\"s\"}").instance()).isEqualTo("n");
        assertThat(config("homeassistant/sensor/o/config", "{\"stat_t\":\"s\"}").instance()).isEqualTo("o");
    }

    @Test
    void theAvailabilityListTakesItsOwnPayloadsTemplatesAndMode() {
        DiscoveryConfig config = config("homeassistant/binary_sensor/z/occupancy/config", """
                {"stat_t":"z2m/hall","pl_on":true,"pl_off":false,"avty_mode":"any",
                 "availability":[{"topic":"z2m/bridge/state","value_template":"{{ value_json.state }}"},
                                 {"topic":"z2m/hall/availability","payload_available":"yes","payload_not_available":"no"}]}""");
        assertThat(config.payloadOn()).isEqualTo("True");
        assertThat(config.payloadOff()).isEqualTo("False");
        assertThat(config.availabilityMode()).isEqualTo(DiscoveryConfig.AvailabilityMode.ANY);
        assertThat(config.availability().get(0).template().source()).isEqualTo("{{ value_json.state }}");
        assertThat(config.availability().get(1).payloadAvailable()).isEqualTo("yes");
    }

    @Test
    void anEmptyPayloadRemovesAndOtherComponentsAreIgnored() {
        assertThat(read("homeassistant/sensor/a/b/config", "").removal()).isTrue();
        assertThat(read("homeassistant/light/a/b/config", "{\"cmd_t\":\"x\"}").ignoredComponent()).isEqualTo("light");
    }

    @Test
    void badConfigsAreRefusedNamingTheKeyAndTopic() {
        String topic = "homeassistant/sensor/a/b/config";
        assertThat(read(topic, "{").refusal()).isEqualTo("discovery config on " + topic + ": the payload is not JSON");
        assertThat(read(topic, "[1]").refusal()).endsWith("the payload is not a JSON object");
        assertThat(read(topic, "{\"name\":\"x\"}").refusal()).endsWith(": state_topic is missing");
        assertThat(read(topic, "{\"stat_t\":\"a/+\"}").refusal()).endsWith("state_topic \"a/+\" is not a topic one can publish on");
        assertThat(read(topic, "{\"stat_t\":\"a\",\"exp_aft\":\"soon\"}").refusal()).endsWith("expire_after must be a number of seconds");
        assertThat(read(topic, "{\"stat_t\":\"a\",\"dev\":{\"ids\":{}}}").refusal())
                .endsWith("device.identifiers must be a string or a list of strings");
        assertThat(read(topic, "{\"stat_t\":\"a\",\"avty_mode\":\"most\"}").refusal())
                .endsWith("availability_mode must be latest, all or any, not \"most\"");
        assertThat(read(topic, "{\"stat_t\":\"a\",\"val_tpl\":\"{{ value | max }}\"}").refusal())
                .startsWith("discovery config on " + topic + ": value_template: filter 'max' is not supported");
        assertThat(read(topic, "{\"stat_t\":\"a\",\"avty\":[{\"topic\":\"b\",\"value_template\":\"{{ states('x') }}\"}]}")
                .refusal()).contains("availability[0].value_template: function states()");
        assertThat(read("homeassistant/sensor/config", "{}").refusal()).contains("the topic is not");
    }

    @Test
    void metricsAreNamedByDeviceClassElseNameElseObjectIdWithTheUnitsSuffix() {
        assertThat(metric("{\"stat_t\":\"s\",\"dev_cla\":\"temperature\",\"unit_of_meas\":\"°C\",\"name\":\"Room T\"}").name())
                .isEqualTo("temperature_celsius");
        assertThat(metric("{\"stat_t\":\"s\",\"name\":\"Room Temperature\",\"unit_of_meas\":\"°F\"}").name())
                .isEqualTo("room_temperature_celsius");
        assertThat(metric("{\"stat_t\":\"s\",\"unit_of_meas\":\"ppm\"}").name()).isEqualTo("obj_ppm");
        assertThat(metric("{\"stat_t\":\"s\",\"dev_cla\":\"duration\",\"unit_of_meas\":\"min\"}").name())
                .isEqualTo("duration_seconds");
        assertThat(metric("{\"stat_t\":\"s\",\"dev_cla\":\"pm25\",\"unit_of_meas\":\"µg/m³\"}").name())
                .isEqualTo("pm25_micrograms_per_cubic_meter");
        assertThat(metric("{\"stat_t\":\"s\",\"unit_of_meas\":\"mm/h\"}").name()).isEqualTo("obj_mm_per_h");
        EntityMetric energy = metric("{\"stat_t\":\"s\",\"dev_cla\":\"energy\",\"unit_of_meas\":\"kWh\",\"stat_cla\":\"total_increasing\"}");
        assertThat(energy.name()).isEqualTo("energy_joules_total");
        assertThat(energy.type()).isEqualTo(MetricType.COUNTER);
        EntityMetric total = metric("{\"stat_t\":\"s\",\"dev_cla\":\"energy\",\"unit_of_meas\":\"Wh\",\"stat_cla\":\"total\"}");
        assertThat(total.name()).isEqualTo("energy_joules");
        assertThat(total.type()).isEqualTo(MetricType.GAUGE);
    }

    @Test
    void unitsConvertToPrometheusBaseUnits() {
        assertThat(HomeAssistantUnits.of("°F").convert(212)).isEqualTo(100.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(HomeAssistantUnits.of("kWh").convert(2)).isEqualTo(7.2e6);
        assertThat(HomeAssistantUnits.of("hPa").convert(1013.25)).isEqualTo(101325.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(HomeAssistantUnits.of("mV").convert(3005)).isEqualTo(3.005, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(HomeAssistantUnits.of("min").convert(2)).isEqualTo(120);
        assertThat(HomeAssistantUnits.of("KiB").convert(2)).isEqualTo(2048);
        assertThat(HomeAssistantUnits.of("L").convert(1000)).isEqualTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(HomeAssistantUnits.of("L").suffix()).isEqualTo("cubic_meters");
        assertThat(HomeAssistantUnits.of("%").suffix()).isEqualTo("percent");
        assertThat(HomeAssistantUnits.of(" ")).isNull();
        assertThat(HomeAssistantUnits.of("dBm").suffix()).isEqualTo("dbm");
    }

    private static EntityMetric metric(String json) {
        return EntityMetric.of(config("homeassistant/sensor/node/obj/config", json));
    }
}
