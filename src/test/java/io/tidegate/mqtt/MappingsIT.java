package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tidegate.MosquittoBroker;
import io.tidegate.RunningTidegate;
import io.tidegate.TestHttp;
import io.tidegate.TidegateJar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ready-made rule files of {@code examples/mappings/} end to end: Tidegate started with one of them
 * against Debian's Mosquitto, the devices played by {@code mosquitto_pub} publishing what each project
 * documents its firmware sends, and the outcome read where a user reads it, on {@code /metrics}. Also:
 * a reload that changes the rules changes the subscriptions on the live connection, and one that
 * fails keeps the old rules.
 *
 * <p>Device names are made unique per test, and each Tidegate has its own client id, so what one test
 * leaves retained on the shared broker is nothing another test looks at.
 */
class MappingsIT {
    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static MosquittoBroker broker;

    private final RunningTidegate tidegate = new RunningTidegate();
    private final String run = "it" + RUNS.incrementAndGet() + "x" + ProcessHandle.current().pid();
    private TestHttp http;

    @TempDir
    Path dir;

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

    /**
     * One example file's test: what devices publish (topic, payload, and {@code -r} for retained), the
     * lines {@code /metrics} then shows, and an availability message with a line it removes and one it
     * keeps. {@code DEV} stands for the test's unique device name.
     */
    record Example(String file, List<String[]> publications, List<String> lines, String[] offline, String gone,
            String kept) {
        @Override
        public String toString() {
            return file;
        }
    }

    private static String[] publish(String topic, String payload, String... flags) {
        return Stream.concat(Stream.of(flags), Stream.of("-t", topic, "-m", payload)).toArray(String[]::new);
    }

    static Stream<Example> examples() {
        return Stream.of(
                new Example("zigbee2mqtt", List.of(
                        publish("zigbee2mqtt/DEV_kitchen", "{\"temperature\":21.34,\"humidity\":48.2,\"pressure\":1012.5,"
                                + "\"battery\":97,\"voltage\":3005,\"linkquality\":134,\"last_seen\":\"2025-01-12T10:15:00Z\"}", "-r"),
                        publish("zigbee2mqtt/DEV_plug", "{\"state\":\"ON\",\"power\":12.5,\"linkquality\":90,"
                                + "\"update\":{\"state\":\"idle\"}}"),
                        publish("zigbee2mqtt/DEV_kitchen/availability", "{\"state\":\"online\"}", "-r"),
                        publish("zigbee2mqtt/bridge/state", "{\"state\":\"online\"}", "-r")),
                        List.of("zigbee2mqtt_temperature_celsius{device=\"DEV_kitchen\",instance=\"\",job=\"zigbee2mqtt\"} 21.34",
                                "zigbee2mqtt_humidity_percent{device=\"DEV_kitchen\",instance=\"\",job=\"zigbee2mqtt\"} 48.2",
                                "zigbee2mqtt_battery_voltage_volts{device=\"DEV_kitchen\",instance=\"\",job=\"zigbee2mqtt\"} 3.005",
                                "zigbee2mqtt_link_quality{device=\"DEV_kitchen\",instance=\"\",job=\"zigbee2mqtt\"} 134",
                                "zigbee2mqtt_switch_on{device=\"DEV_plug\",instance=\"\",job=\"zigbee2mqtt\"} 1",
                                "zigbee2mqtt_power_watts{device=\"DEV_plug\",instance=\"\",job=\"zigbee2mqtt\"} 12.5"),
                        publish("zigbee2mqtt/DEV_kitchen/availability", "{\"state\":\"offline\"}", "-r"),
                        "device=\"DEV_kitchen\"", "device=\"DEV_plug\""),
                new Example("tasmota", List.of(
                        publish("tele/DEV_plug/LWT", "Online", "-r"),
                        publish("tele/DEV_plug/SENSOR", "{\"Time\":\"2025-01-12T10:15:00\",\"ENERGY\":{\"TotalStartTime\":"
                                + "\"2024-11-02T08:11:12\",\"Total\":12.345,\"Yesterday\":0.5,\"Today\":0.3,\"Power\":45,"
                                + "\"ApparentPower\":50,\"ReactivePower\":10,\"Factor\":0.9,\"Voltage\":231,\"Current\":0.195}}"),
                        publish("tele/DEV_plug/STATE", "{\"Time\":\"2025-01-12T10:15:00\",\"Uptime\":\"0T01:00:00\","
                                + "\"UptimeSec\":3600,\"Heap\":25,\"LoadAvg\":19,\"POWER\":\"ON\",\"Wifi\":{\"AP\":1,"
                                + "\"SSId\":\"home\",\"Channel\":6,\"RSSI\":80,\"Signal\":-60}}"),
                        publish("tele/DEV_probe/SENSOR", "{\"Time\":\"2025-01-12T10:15:00\",\"AM2301\":{\"Temperature\":21.3,"
                                + "\"Humidity\":45.2,\"DewPoint\":8.9},\"TempUnit\":\"C\"}"),
                        // a device metering two channels: arrays, one element per channel; relays POWER1, POWER2
                        publish("tele/DEV_dual/SENSOR", "{\"Time\":\"2025-01-12T10:15:00\",\"ENERGY\":{\"TotalStartTime\":"
                                + "\"2024-11-02T08:11:12\",\"Total\":0.003,\"Yesterday\":0.000,\"Today\":0.003,\"Period\":[0,0],"
                                + "\"Power\":[12,0],\"ApparentPower\":[15,0],\"ReactivePower\":[9,0],\"Factor\":[0.80,0.00],"
                                + "\"Voltage\":230,\"Current\":[0.065,0.000]}}"),
                        publish("tele/DEV_dual/STATE", "{\"Time\":\"2025-01-12T10:15:00\",\"UptimeSec\":60,\"POWER1\":\"ON\","
                                + "\"POWER2\":\"OFF\"}"),
                        publish("stat/DEV_dual/POWER2", "ON")),
                        List.of("tasmota_power_watts{device=\"DEV_plug\",instance=\"\",job=\"tasmota\"} 45",
                                "tasmota_energy_joules_total{device=\"DEV_plug\",instance=\"\",job=\"tasmota\"} 4.4442e+07",
                                "tasmota_relay_on{device=\"DEV_plug\",instance=\"\",job=\"tasmota\"} 1",
                                "tasmota_uptime_seconds{device=\"DEV_plug\",instance=\"\",job=\"tasmota\"} 3600",
                                "tasmota_wifi_signal_dbm{device=\"DEV_plug\",instance=\"\",job=\"tasmota\"} -60",
                                "tasmota_temperature_celsius{device=\"DEV_probe\",instance=\"\",job=\"tasmota\",sensor=\"AM2301\"} 21.3",
                                "tasmota_humidity_percent{device=\"DEV_probe\",instance=\"\",job=\"tasmota\",sensor=\"AM2301\"} 45.2",
                                "tasmota_power_watts{channel=\"1\",device=\"DEV_dual\",instance=\"\",job=\"tasmota\"} 12",
                                "tasmota_power_watts{channel=\"2\",device=\"DEV_dual\",instance=\"\",job=\"tasmota\"} 0",
                                "tasmota_voltage_volts{device=\"DEV_dual\",instance=\"\",job=\"tasmota\"} 230",
                                "tasmota_relay_on{channel=\"2\",device=\"DEV_dual\",instance=\"\",job=\"tasmota\"} 0",
                                "tasmota_relay_switched_on{channel=\"2\",device=\"DEV_dual\",instance=\"\",job=\"tasmota\"} 1"),
                        publish("tele/DEV_plug/LWT", "Offline", "-r"), "device=\"DEV_plug\"", "device=\"DEV_probe\""),
                new Example("shelly-gen1", List.of(
                        publish("shellies/DEV-1pm/online", "true", "-r"),
                        publish("shellies/DEV-1pm/relay/0", "on"),
                        publish("shellies/DEV-1pm/relay/0/power", "42.50"),
                        publish("shellies/DEV-1pm/relay/0/energy", "1000"),
                        publish("shellies/DEV-1pm/relay/1/power", "7"),
                        publish("shellies/DEV-1pm/temperature", "45.21"),
                        publish("shellies/DEV-ht/sensor/temperature", "21.50"),
                        publish("shellies/DEV-ht/sensor/humidity", "48.5"),
                        publish("shellies/DEV-ht/sensor/battery", "92")),
                        List.of("shelly_relay_on{channel=\"0\",device=\"DEV-1pm\",instance=\"\",job=\"shelly\"} 1",
                                "shelly_power_watts{channel=\"0\",device=\"DEV-1pm\",instance=\"\",job=\"shelly\"} 42.5",
                                "shelly_power_watts{channel=\"1\",device=\"DEV-1pm\",instance=\"\",job=\"shelly\"} 7",
                                "shelly_energy_joules_total{channel=\"0\",device=\"DEV-1pm\",instance=\"\",job=\"shelly\"} 60000",
                                "shelly_device_temperature_celsius{device=\"DEV-1pm\",instance=\"\",job=\"shelly\"} 45.21",
                                "shelly_temperature{device=\"DEV-ht\",instance=\"\",job=\"shelly\"} 21.5",
                                "shelly_humidity{device=\"DEV-ht\",instance=\"\",job=\"shelly\"} 48.5",
                                "shelly_battery{device=\"DEV-ht\",instance=\"\",job=\"shelly\"} 92"),
                        publish("shellies/DEV-1pm/online", "false", "-r"), "device=\"DEV-1pm\"", "device=\"DEV-ht\""),
                new Example("shelly-gen2", List.of(
                        publish("shellyplus1pm-DEV/online", "true", "-r"),
                        publish("shellyplus1pm-DEV/status/switch:0", "{\"id\":0,\"source\":\"timer\",\"output\":true,"
                                + "\"apower\":42.1,\"voltage\":230.4,\"current\":0.191,\"aenergy\":{\"total\":1234.567,"
                                + "\"by_minute\":[0.0,0.0,0.0],\"minute_ts\":1736676900},\"temperature\":{\"tC\":45.2,\"tF\":113.4}}"),
                        publish("shellyplus1pm-DEV/status/sys", "{\"mac\":\"A8032AB12345\",\"uptime\":3600,\"ram_free\":150000}"),
                        publish("shellyplusplugs-DEV/status/switch:0", "{\"id\":0,\"source\":\"init\",\"output\":false,"
                                + "\"apower\":0.0,\"voltage\":229.9,\"current\":0.0,\"aenergy\":{\"total\":0.0,"
                                + "\"by_minute\":[0.0,0.0,0.0],\"minute_ts\":1736676900},\"temperature\":{\"tC\":30.1,\"tF\":86.2}}"),
                        // a Plus H&T: status updates on one, RPC notifications (the default) on another
                        publish("shellyplusht-DEV/status/temperature:0", "{\"id\":0,\"tC\":22.3,\"tF\":72.1}"),
                        publish("shellyplusht-DEV/status/humidity:0", "{\"id\":0,\"rh\":45.6}"),
                        publish("shellyplusht-DEV2/events/rpc", "{\"src\":\"shellyplusht-DEV2\",\"dst\":\"shellyplusht-DEV2/events\","
                                + "\"method\":\"NotifyFullStatus\",\"params\":{\"ts\":1736676900.12,\"devicepower:0\":{\"id\":0,"
                                + "\"battery\":{\"V\":5.46,\"percent\":73},\"external\":{\"present\":false}},\"humidity:0\":{\"id\":0,"
                                + "\"rh\":51.2},\"sys\":{\"uptime\":2},\"temperature:0\":{\"id\":0,\"tC\":20.1,\"tF\":68.3}}}"),
                        publish("shellyplusht-DEV2/events/rpc", "{\"src\":\"shellyplusht-DEV2\",\"dst\":\"shellyplusht-DEV2/events\","
                                + "\"method\":\"NotifyEvent\",\"params\":{\"ts\":1736676901.0,\"events\":[]}}")),
                        List.of("shelly_switch_on{component=\"switch:0\",device=\"shellyplus1pm-DEV\",instance=\"\",job=\"shelly\"} 1",
                                "shelly_switch_power_watts{component=\"switch:0\",device=\"shellyplus1pm-DEV\",instance=\"\",job=\"shelly\"} 42.1",
                                "shelly_switch_energy_joules_total{component=\"switch:0\",device=\"shellyplus1pm-DEV\",instance=\"\",job=\"shelly\"} 4.4444412e+06",
                                "shelly_switch_temperature_celsius{component=\"switch:0\",device=\"shellyplus1pm-DEV\",instance=\"\",job=\"shelly\"} 45.2",
                                "shelly_switch_on{component=\"switch:0\",device=\"shellyplusplugs-DEV\",instance=\"\",job=\"shelly\"} 0",
                                "shelly_temperature_celsius{component=\"temperature:0\",device=\"shellyplusht-DEV\",instance=\"\",job=\"shelly\"} 22.3",
                                "shelly_humidity_percent{component=\"humidity:0\",device=\"shellyplusht-DEV\",instance=\"\",job=\"shelly\"} 45.6",
                                "shelly_temperature_celsius{component=\"temperature:0\",device=\"shellyplusht-DEV2\",instance=\"\",job=\"shelly\"} 20.1",
                                "shelly_battery_percent{component=\"devicepower:0\",device=\"shellyplusht-DEV2\",instance=\"\",job=\"shelly\"} 73"),
                        publish("shellyplus1pm-DEV/online", "false", "-r"), "device=\"shellyplus1pm-DEV\"",
                        "device=\"shellyplusplugs-DEV\""),
                new Example("esphome", List.of(
                        publish("DEV-livingroom/status", "online", "-r"),
                        publish("DEV-livingroom/sensor/living_room_temperature/state", "21.5", "-r"),
                        publish("DEV-livingroom/sensor/living_room_humidity/state", "48", "-r"),
                        publish("DEV-livingroom/binary_sensor/motion/state", "ON", "-r"),
                        publish("DEV-garage/switch/door_relay/state", "OFF", "-r")),
                        List.of("esphome_living_room_temperature{instance=\"\",job=\"esphome\",node=\"DEV-livingroom\"} 21.5",
                                "esphome_living_room_humidity{instance=\"\",job=\"esphome\",node=\"DEV-livingroom\"} 48",
                                "esphome_binary_sensor_motion{instance=\"\",job=\"esphome\",node=\"DEV-livingroom\"} 1",
                                "esphome_switch_door_relay{instance=\"\",job=\"esphome\",node=\"DEV-garage\"} 0"),
                        publish("DEV-livingroom/status", "offline", "-r"), "node=\"DEV-livingroom\"", "node=\"DEV-garage\""),
                new Example("homeassistant-statestream", List.of(
                        publish("homeassistant/sensor/DEV_temperature/state", "21.5", "-r"),
                        publish("homeassistant/sensor/DEV_temperature/unit_of_measurement", "\"°C\"", "-r"),
                        publish("homeassistant/sensor/DEV_temperature/friendly_name", "\"Living Room Temperature\"", "-r"),
                        publish("homeassistant/light/DEV_hall/state", "on", "-r"),
                        publish("homeassistant/light/DEV_hall/brightness", "180", "-r"),
                        publish("homeassistant/climate/DEV_hallway/current_temperature", "20.5", "-r")),
                        List.of("homeassistant_sensor_state{entity=\"DEV_temperature\",instance=\"\",job=\"homeassistant\"} 21.5",
                                "homeassistant_light_on{entity=\"DEV_hall\",instance=\"\",job=\"homeassistant\"} 1",
                                "homeassistant_brightness{entity=\"DEV_hall\",instance=\"\",job=\"homeassistant\"} 180",
                                "homeassistant_current_temperature{entity=\"DEV_hallway\",instance=\"\",job=\"homeassistant\"} 20.5"),
                        null, null, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void exampleRulesTurnWhatDevicesPublishIntoSeriesAndOfflineRemovesTheDevice(Example example) {
        start("--config.file=examples/mappings/" + example.file() + ".yml");

        for (String[] publication : example.publications()) {
            mosquittoPub(publication);
        }

        await().atMost(PATIENCE).untilAsserted(() -> {
            String scrape = scrape();
            for (String line : example.lines()) {
                assertThat(scrape).contains(unique(line) + "\n");
            }
        });
        assertThat(rejections()).as("no example payload is refused").isZero();
        if (example.offline() != null) {
            mosquittoPub(example.offline());
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape()).doesNotContain(unique(example.gone()))
                    .contains(unique(example.kept())));
        }
    }

    @Test
    void retainedStatesAreTakenOnStartAndARetainedOfflineLastWillRemovesTheDevice() {
        mosquittoPub(publish(unique("DEV-node/sensor/uptime/state"), "42", "-r"));
        start("--config.file=examples/mappings/esphome.yml");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape())
                .contains(unique("esphome_uptime{instance=\"\",job=\"esphome\",node=\"DEV-node\"} 42\n")));

        // the broker publishes a device's Last Will when its connection drops: retained offline
        mosquittoPub(publish(unique("DEV-node/status"), "offline", "-r"));

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape()).doesNotContain(unique("DEV-node")));
    }

    @Test
    void aReloadSubscribesToNewRulesTopicsUnsubscribesFromDroppedOnesAndABrokenFileKeepsTheOldRules() throws Exception {
        Path config = dir.resolve("tidegate.yml");
        Files.writeString(config, Files.readString(Path.of("examples/mappings/tasmota.yml")));
        start("--config.file=" + config, "--web.enable-lifecycle");
        String sensor = unique("tele/DEV/SENSOR");
        mosquittoPub(publish(sensor, "{\"ENERGY\":{\"Power\":45}}"));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(power()).isEqualTo("45"));

        Files.writeString(config, "mqtt_mappings:\n  - topic: tele/+device/SENSOR\n    group: {device: '{device}'}\n");
        TestHttp.Answer broken = http.post("/-/reload", "");
        assertThat(broken.status()).isEqualTo(500);
        assertThat(broken.body()).contains("mqtt_mappings[1] (line 2): group: no job label; every grouping key has one");
        mosquittoPub(publish(sensor, "{\"ENERGY\":{\"Power\":46}}"));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(power()).isEqualTo("46"));

        // the new file has the ESPHome rules only; a retained state is waiting on one of their topics
        String node = unique("DEV-node");
        mosquittoPub(publish(node + "/sensor/uptime/state", "7", "-r"));
        Files.writeString(config, Files.readString(Path.of("examples/mappings/esphome.yml")));
        assertThat(http.post("/-/reload", "").status()).isEqualTo(200);

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape())
                .contains("esphome_uptime{instance=\"\",job=\"esphome\",node=\"" + node + "\"} 7\n"));
        // published after the dropped topic's message: once it is applied, the other would have arrived if subscribed
        mosquittoPub(publish(sensor, "{\"ENERGY\":{\"Power\":47}}"));
        mosquittoPub(publish(node + "/sensor/uptime/state", "8"));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape())
                .contains("esphome_uptime{instance=\"\",job=\"esphome\",node=\"" + node + "\"} 8\n"));
        assertThat(power()).isEqualTo("46");
        String api = http.get("/api/v1/metrics").body();
        String rejections = api.contains("\"mqtt_rejections\"") ? api.substring(api.indexOf("\"mqtt_rejections\"")) : "";
        assertThat(rejections).as("not delivered, so not even refused as matching no rule").doesNotContain(sensor);
    }

    @Test
    void aHangupSignalReloadsTheRulesAndSubscriptionsAndABrokenFileKeepsTheOldOnes() throws Exception {
        Path config = dir.resolve("tidegate.yml");
        Files.writeString(config, Files.readString(Path.of("examples/mappings/tasmota.yml")));
        try (TidegateJar jar = new TidegateJar("hangup", dir, "--mqtt.url=tcp://127.0.0.1:" + broker.port(),
                "--mqtt.client-id=tidegate-hangup-" + run, "--config.file=" + config).start()) {
            http = jar.http();
            Files.writeString(config, "mqtt_mappings:\n  - topic: tele/+device/SENSOR\n    group: {device: '{device}'}\n");
            jar.hangup();
            await().atMost(PATIENCE).until(() -> jar.log().contains("configuration reload failed, keeping the previous one"));
            assertThat(jar.log()).contains("mqtt_mappings[1] (line 2): group: no job label");
            String sensor = unique("tele/DEV/SENSOR");
            mosquittoPub(publish(sensor, "{\"ENERGY\":{\"Power\":45}}"));
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(power()).isEqualTo("45"));

            Files.writeString(config, Files.readString(Path.of("examples/mappings/esphome.yml")));
            jar.hangup();
            await().atMost(PATIENCE).until(() -> jar.log().contains("MQTT subscriptions changed"));
            String node = unique("DEV-node");
            mosquittoPub(publish(sensor, "{\"ENERGY\":{\"Power\":46}}"));
            mosquittoPub(publish(node + "/sensor/uptime/state", "8"));
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(scrape())
                    .contains("esphome_uptime{instance=\"\",job=\"esphome\",node=\"" + node + "\"} 8\n"));
            assertThat(power()).as("the dropped rule's topic is no longer taken").isEqualTo("45");
        }
    }

    private void start(String... flags) {
        List<String> all = new ArrayList<>(List.of("--mqtt.url=tcp://127.0.0.1:" + broker.port(),
                "--mqtt.client-id=tidegate-mappings-" + run));
        all.addAll(List.of(flags));
        http = tidegate.start(all.toArray(String[]::new)).http();
    }

    /** The test's own device names in place of {@code DEV}, so nothing retained by another test is looked at. */
    private String unique(String text) {
        return text.replace("DEV", run);
    }

    private void mosquittoPub(String... arguments) {
        String[] unique = new String[arguments.length + 2];
        unique[0] = "-q";
        unique[1] = "1";
        for (int i = 0; i < arguments.length; i++) {
            unique[i + 2] = unique(arguments[i]);
        }
        broker.client("mosquitto_pub", unique);
    }

    private String scrape() {
        TestHttp.Answer answer = http.get("/metrics");
        assertThat(answer.status()).isEqualTo(200);
        return answer.body();
    }

    private String power() {
        Matcher matcher = Pattern.compile("tasmota_power_watts\\{device=\"" + run + "\",[^}]*} (\\S+)\n").matcher(scrape());
        return matcher.find() ? matcher.group(1) : null;
    }

    private double rejections() {
        double total = 0;
        Matcher matcher = Pattern.compile("(?m)^tidegate_mqtt_messages_rejected_total\\{[^}]*} (\\S+)$").matcher(scrape());
        while (matcher.find()) {
            total += Double.parseDouble(matcher.group(1));
        }
        return total;
    }
}
