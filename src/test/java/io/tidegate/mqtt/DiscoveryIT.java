package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tidegate.MosquittoBroker;
import io.tidegate.RunningTidegate;
import io.tidegate.TestHttp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code --mqtt.discovery=homeassistant} against Debian's Mosquitto: the devices, played by {@code mosquitto_pub},
 * announce their sensors with retained discovery configs in the shapes zigbee2mqtt, Tasmota and ESPHome publish, before
 * Tidegate starts and after their states; what a user sees is the scrape: every sensor a series with its device's
 * labels, gone when the device says offline, when its expire_after runs out or when its config is cleared. Each test
 * has a discovery prefix of its own, so no config retained by another test is looked at.
 */
class DiscoveryIT {
    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static MosquittoBroker broker;

    private final RunningTidegate tidegate = new RunningTidegate();
    private final String run = "disc" + RUNS.incrementAndGet() + "x" + ProcessHandle.current().pid();
    private final String prefix = "ha-" + run;
    private TestHttp http;

    @BeforeAll
    static void startMosquitto() {
        broker = new MosquittoBroker().start();
    }

    @AfterAll
    static void stopMosquitto() {
        broker.close();
    }

    @AfterEach
    void stopTidegate() {
        tidegate.close();
    }

    /** A zigbee2mqtt sensor's config as zigbee2mqtt 1.x publishes it with {@code homeassistant: true}. */
    private String z2mSensor(String property, String deviceClass, String unit) {
        return """
                {"availability":[{"topic":"zigbee2mqtt-RUN/bridge/state","value_template":"{{ value_json.state }}"},\
                {"topic":"zigbee2mqtt-RUN/kitchen/availability","value_template":"{{ value_json.state }}"}],\
                "availability_mode":"all",\
                "device":{"identifiers":["zigbee2mqtt_0x00158d0001RUN"],"manufacturer":"Aqara",\
                "model":"Temperature and humidity sensor (WSDCGQ11LM)","name":"kitchen","sw_version":"3000-0001",\
                "via_device":"zigbee2mqtt_bridge_0x00124b0022RUN"},\
                "device_class":"@CLASS@","enabled_by_default":true,"object_id":"kitchen_@PROP@",\
                "origin":{"name":"Zigbee2MQTT","sw":"1.40.2","url":"https://www.zigbee2mqtt.io"},\
                "state_class":"measurement","state_topic":"zigbee2mqtt-RUN/kitchen",\
                "unique_id":"0x00158d0001RUN_@PROP@_zigbee2mqtt","unit_of_measurement":"@UNIT@",\
                "value_template":"{{ value_json.@PROP@ }}"}"""
                .replace("RUN", run).replace("@PROP@", property).replace("@CLASS@", deviceClass).replace("@UNIT@", unit);
    }

    private String z2mLabels() {
        return "device_identifiers=\"zigbee2mqtt_0x00158d0001RUN\",device_manufacturer=\"Aqara\","
                .replace("RUN", run) + "device_model=\"Temperature and humidity sensor (WSDCGQ11LM)\",device_name=\"kitchen\"";
    }

    private String z2mGroup(String property) {
        return "entity=\"sensor/0x00158d0001RUN/PROP\",instance=\"zigbee2mqtt_0x00158d0001RUN\",job=\"homeassistant\"}"
                .replace("RUN", run).replace("PROP", property);
    }

    @Test
    void zigbee2mqttConfigsRetainedBeforeTidegateStartsMakeEverySensorASeriesAndOfflineRemovesThem() {
        String node = prefix + "/sensor/0x00158d0001" + run;
        publish(node + "/temperature/config", z2mSensor("temperature", "temperature", "°C"), "-r");
        publish(node + "/humidity/config", z2mSensor("humidity", "humidity", "%"), "-r");
        publish(node + "/battery/config", z2mSensor("battery", "battery", "%"), "-r");
        publish(node + "/action/config", z2mSensor("action", "enum", ""), "-r"); // a text sensor: skipped
        publish(prefix + "/switch/0x00158d0001" + run + "/relay/config", "{\"command_topic\":\"x/set\"}", "-r");
        publish("zigbee2mqtt-" + run + "/bridge/state", "{\"state\":\"online\"}", "-r");
        publish("zigbee2mqtt-" + run + "/kitchen/availability", "{\"state\":\"online\"}", "-r");

        start();
        // the config filters' retained messages come first; the state topic is subscribed once they are read
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape())
                .contains("tidegate_mqtt_discovery_entities{component=\"sensor\"} 4"));
        publish("zigbee2mqtt-" + run + "/kitchen", "{\"battery\":97,\"humidity\":48.2,\"linkquality\":134,"
                + "\"temperature\":21.34,\"voltage\":3005,\"action\":\"single\"}");

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape())
                .contains("temperature_celsius{" + z2mLabels() + "," + z2mGroup("temperature") + " 21.34\n")
                .contains("humidity_percent{" + z2mLabels() + "," + z2mGroup("humidity") + " 48.2\n")
                .contains("battery_percent{" + z2mLabels() + "," + z2mGroup("battery") + " 97\n"));
        String scrape = scrape();
        assertThat(scrape).contains("tidegate_mqtt_discovery_configs_ignored_total{component=\"switch\"} 1")
                .contains("tidegate_mqtt_discovery_values_dropped_total{reason=\"not_a_number\"} 1")
                .doesNotContain("reason=\"bad_discovery_config\"} 1");

        publish("zigbee2mqtt-" + run + "/kitchen/availability", "{\"state\":\"offline\"}", "-r");

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape()).doesNotContain(z2mGroup("temperature"))
                .doesNotContain(z2mGroup("humidity")).doesNotContain(z2mGroup("battery")));
    }

    @Test
    void esphomeConfigsArrivingAfterTheirRetainedStatesTakeThoseStatesAndExpireAfterAndAnEmptyConfigRemoveThem() {
        String node = "livingroom-" + run;
        start();
        publish(node + "/status", "online", "-r");
        publish(node + "/sensor/living_room_temperature/state", "21.5", "-r");
        publish(node + "/sensor/uptime/state", "3600", "-r");
        publish(node + "/binary_sensor/motion/state", "ON", "-r");

        // ESPHome's MQTT discovery: abbreviated keys, the device's identifiers a single string
        String device = "\"dev\":{\"ids\":\"a4cf12" + run + "\",\"name\":\"" + node + "\",\"sw\":\"2024.6.1 (ESPHome 2024.6.1)\","
                + "\"mdl\":\"esp32dev\",\"mf\":\"espressif\"}";
        publish(prefix + "/sensor/" + node + "/living_room_temperature/config", "{\"dev_cla\":\"temperature\","
                + "\"unit_of_meas\":\"°C\",\"stat_cla\":\"measurement\",\"name\":\"Living Room Temperature\","
                + "\"stat_t\":\"" + node + "/sensor/living_room_temperature/state\",\"avty_t\":\"" + node + "/status\","
                + "\"uniq_id\":\"ESPsensorliving_room_temperature\"," + device + "}", "-r");
        publish(prefix + "/sensor/" + node + "/uptime/config", "{\"dev_cla\":\"duration\",\"unit_of_meas\":\"min\","
                + "\"stat_cla\":\"total_increasing\",\"name\":\"Uptime\",\"exp_aft\":3,"
                + "\"stat_t\":\"" + node + "/sensor/uptime/state\",\"avty_t\":\"" + node + "/status\","
                + "\"uniq_id\":\"ESPsensoruptime\"," + device + "}", "-r");
        publish(prefix + "/binary_sensor/" + node + "/motion/config", "{\"dev_cla\":\"motion\",\"name\":\"Motion\","
                + "\"stat_t\":\"" + node + "/binary_sensor/motion/state\",\"avty_t\":\"" + node + "/status\","
                + "\"uniq_id\":\"ESPbinary_sensormotion\"," + device + "}", "-r");

        String labels = "device_identifiers=\"a4cf12" + run + "\",device_manufacturer=\"espressif\","
                + "device_model=\"esp32dev\",device_name=\"" + node + "\"";
        String instance = ",instance=\"a4cf12" + run + "\",job=\"homeassistant\"}";
        String temperature = "temperature_celsius{" + labels + ",entity=\"sensor/" + node + "/living_room_temperature\","
                + "entity_name=\"Living Room Temperature\"" + instance + " 21.5\n";
        String motion = "motion{" + labels + ",entity=\"binary_sensor/" + node + "/motion\",entity_name=\"Motion\""
                + instance + " 1\n";
        String uptime = "duration_seconds_total{" + labels + ",entity=\"sensor/" + node + "/uptime\","
                + "entity_name=\"Uptime\"" + instance + " 216000\n";
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape()).contains(temperature, motion, uptime));

        // uptime's expire_after of 3 s runs out: gone on its own, the others stay
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape()).doesNotContain("entity=\"sensor/" + node
                + "/uptime\"").contains(temperature));

        publish(prefix + "/sensor/" + node + "/living_room_temperature/config", "", "-r");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape())
                .doesNotContain("entity=\"sensor/" + node + "/living_room_temperature\"").contains(motion));
        publish(node + "/sensor/living_room_temperature/state", "22.0");
        publish(node + "/binary_sensor/motion/state", "OFF");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape()).contains(motion.replace(" 1\n", " 0\n"))
                .doesNotContain("entity=\"sensor/" + node + "/living_room_temperature\""));
    }

    @Test
    void tasmotaConfigsWithTheBaseTopicReadItsSensorMessageAndARefusedTemplateIsShownNotFatal() {
        String device = "tasmota_" + run;
        start();
        publish(prefix + "/sensor/1C2A3B" + run + "_AM2301_Temperature/config", ("{\"name\":\"Tasmota AM2301 Temperature\","
                + "\"stat_t\":\"~SENSOR\",\"avty_t\":\"~LWT\",\"pl_avail\":\"Online\",\"pl_not_avail\":\"Offline\","
                + "\"uniq_id\":\"1C2A3BRUN_AM2301_Temperature\",\"dev\":{\"ids\":[\"1C2A3BRUN\"]},"
                + "\"unit_of_meas\":\"°C\",\"dev_cla\":\"temperature\",\"frc_upd\":true,"
                + "\"val_tpl\":\"{{value_json['AM2301'].Temperature}}\",\"~\":\"tele/DEVICE/\"}")
                .replace("RUN", run).replace("DEVICE", device), "-r");
        String refused = prefix + "/sensor/1C2A3B" + run + "_clock/config";
        publish(refused, "{\"stat_t\":\"tele/" + device + "/STATE\",\"val_tpl\":\"{{ now().hour }}\"}", "-r");
        publish("tele/" + device + "/LWT", "Online", "-r");

        String line = "temperature_celsius{device_identifiers=\"1C2A3B" + run + "\",entity=\"sensor/1C2A3B" + run
                + "_AM2301_Temperature\",entity_name=\"Tasmota AM2301 Temperature\",instance=\"1C2A3B" + run
                + "\",job=\"homeassistant\"} 22.4\n";
        await().atMost(PATIENCE).untilAsserted(() -> {
            publish("tele/" + device + "/SENSOR", "{\"Time\":\"2026-11-25T10:00:00\",\"AM2301\":{\"Temperature\":22.4,"
                    + "\"Humidity\":41.0,\"DewPoint\":8.6},\"TempUnit\":\"C\"}");
            assertThat(scrape()).contains(line);
        });
        assertThat(scrape()).contains("tidegate_mqtt_messages_rejected_total{reason=\"bad_discovery_config\"} 1");
        assertThat(http.get("/api/v1/status").body()).isNotEmpty(); // still serving
        // the page's table of refused messages is drawn from this
        assertThat(http.get("/api/v1/metrics").body()).contains("\"mqtt_rejections\"").contains(refused)
                .contains("function now() is not supported");

        publish("tele/" + device + "/LWT", "Offline", "-r");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape()).doesNotContain(line));
    }

    @Test
    void theEmbeddedBrokerHandsAStateRetainedBeforeItsConfigToDiscoveryAndStillRetainsARefusedConfig() {
        http = tidegate.start("--mqtt.embedded", "--mqtt.listen-address=127.0.0.1:0", "--mqtt.embedded.retain-any-topic",
                "--mqtt.client-id=tidegate-discovery-" + run, "--mqtt.discovery=homeassistant",
                "--mqtt.discovery.prefix=" + prefix).http();
        int port = tidegate.mqttPort();
        String node = "porch-" + run;
        MosquittoBroker.client(port, "mosquitto_pub", "-q", "1", "-r", "-t", node + "/sensor/temperature/state", "-m", "7.5");
        MosquittoBroker.client(port, "mosquitto_pub", "-q", "1", "-r", "-t", prefix + "/sensor/" + node + "/temperature/config",
                "-m", "{\"dev_cla\":\"temperature\",\"unit_of_meas\":\"°C\",\"stat_t\":\"" + node
                        + "/sensor/temperature/state\",\"dev\":{\"ids\":\"" + node + "\"}}");

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape()).contains("temperature_celsius{"
                + "device_identifiers=\"" + node + "\",entity=\"sensor/" + node + "/temperature\",instance=\"" + node
                + "\",job=\"homeassistant\"} 7.5\n"));

        // a config discovery refuses is Home Assistant's message too: the embedded broker keeps it for its subscribers
        String refused = prefix + "/sensor/" + node + "/clock/config";
        MosquittoBroker.client(port, "mosquitto_pub", "-q", "1", "-r", "-t", refused, "-m",
                "{\"stat_t\":\"x\",\"val_tpl\":\"{{ now() }}\"}");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape())
                .contains("tidegate_mqtt_messages_rejected_total{reason=\"bad_discovery_config\"} 1"));
        assertThat(MosquittoBroker.client(port, "mosquitto_sub", "-t", refused, "-C", "1", "-W", "5"))
                .contains("now()");
    }

    private void start() {
        List<String> all = new ArrayList<>(List.of("--mqtt.url=tcp://127.0.0.1:" + broker.port(),
                "--mqtt.client-id=tidegate-discovery-" + run, "--mqtt.discovery=homeassistant",
                "--mqtt.discovery.prefix=" + prefix));
        http = tidegate.start(all.toArray(String[]::new)).http();
    }

    private void publish(String topic, String payload, String... flags) {
        List<String> arguments = new ArrayList<>(List.of("-q", "1"));
        arguments.addAll(List.of(flags));
        arguments.addAll(List.of("-t", topic, "-m", payload));
        broker.client("mosquitto_pub", arguments.toArray(String[]::new));
    }

    private String scrape() {
        TestHttp.Answer answer = http.get("/metrics");
        assertThat(answer.status()).isEqualTo(200);
        return answer.body();
    }
}
