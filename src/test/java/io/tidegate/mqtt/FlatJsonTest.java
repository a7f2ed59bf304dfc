package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.config.ConfigException;
import io.tidegate.config.ConfigFile;
import io.tidegate.format.MetricFamily;
import io.tidegate.fuzz.FuzzBudget;
import io.tidegate.fuzz.JsonTexts;
import io.tidegate.mqtt.mapping.MqttMapping;
import io.tidegate.store.WriteLimits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * A rule whose metrics and labels each name one key reads a payload's members straight from its bytes
 * ({@link FlatJson}); what it makes of any payload, taken or refused, must be what reading the payload's tree
 * makes of it, word for word.
 */
@AddLifecycleHook(FuzzBudget.class)
class FlatJsonTest {
    private static final Map<String, String> CAPTURES = Map.of("device", "kitchen");
    private final MappedPayloadReader reader = new MappedPayloadReader(new PayloadReader(WriteLimits.DEFAULTS.body()));

    @Example
    void theShippedZigbee2mqttRuleReadsADevicesStateWithoutItsTree() throws Exception {
        MqttMapping rule = ConfigFile.parse("zigbee2mqtt.yml",
                Files.readString(Path.of("examples/mappings/zigbee2mqtt.yml"))).mqttMappings().rules().stream()
                .filter(r -> r.name().equals("zigbee2mqtt-devices")).findFirst().orElseThrow();
        String json = "{\"temperature\":21.34,\"humidity\":48.2,\"battery\":97,\"voltage\":3005,\"linkquality\":134,"
                + "\"last_seen\":\"2025-01-12T10:15:00Z\",\"update\":{\"state\":\"idle\"},\"state\":\"ON\"}";
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);

        assertThat(FlatJson.read(bytes, new byte[][] {"temperature".getBytes(StandardCharsets.UTF_8)},
                new boolean[1])).as("read without the tree").isNotNull();
        MappedPayloadReader.MappedRead flat = reader.read(rule, CAPTURES, "zigbee2mqtt/kitchen", bytes);
        assertThat(flat).isEqualTo(reader.read(rule, CAPTURES, "zigbee2mqtt/kitchen", bytes, false));
        Map<String, MetricFamily> families = flat.read().body().families();
        assertThat(families.get("zigbee2mqtt_temperature_celsius").metrics().get(0).value()).isEqualTo(21.34);
        assertThat(families.get("zigbee2mqtt_battery_voltage_volts").metrics().get(0).value()).isEqualTo(3005 * 0.001);
        assertThat(families.get("zigbee2mqtt_switch_on").metrics().get(0).value()).isEqualTo(1.0);
        assertThat(flat.skippedFields()).extracting(SkippedField::field)
                .containsExactly("pressure", "occupancy", "contact", "power");
    }

    @Example
    void aNamedMemberThatIsAnObjectOrAnArrayOrNotPlainIsLeftToTheTree() {
        byte[][] keys = {"a".getBytes(StandardCharsets.UTF_8)};
        for (String json : new String[] {"{\"a\":{\"b\":1}}", "{\"a\":[1]}", "{\"a\":\"x\\n\"}", "{\"b\\n\":1}",
                "[1]", "{\"a\":1}x", "{\"a\":01}", "{\"b\":" + "[".repeat(PlainJson.MAX_DEPTH) + "]".repeat(PlainJson.MAX_DEPTH) + "}"}) {
            assertThat(FlatJson.read(json.getBytes(StandardCharsets.UTF_8), keys, new boolean[1])).as(json).isNull();
        }
        FlatJson.Members members = FlatJson.read("{\"a\":1,\"b\":{\"c\":[true,null]},\"a\":-2.5e1}"
                .getBytes(StandardCharsets.UTF_8), keys, new boolean[] {true});
        assertThat(members.kinds()[0]).isEqualTo(FlatJson.NUMBER);
        assertThat(members.numbers()[0]).as("a repeated key's last value, as in the tree").isEqualTo(-25.0);
        assertThat(members.texts()[0]).isEqualTo("-2.5e1");
    }

    @Property(tries = 3000)
    void numbersAreReadAsParseDoubleReadsThem(@ForAll("numbers") String number) {
        byte[] bytes = number.getBytes(StandardCharsets.US_ASCII);
        assertThat(Double.doubleToRawLongBits(FlatJson.parseDouble(bytes, 0, bytes.length))).as(number)
                .isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(number)));
    }

    @Property(tries = 2000)
    void generatedObjectsAreMappedAsTheirTreeIs(@ForAll("objects") String json, @ForAll("rules") MqttMapping rule) {
        sameAsTree(rule, json.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 2000)
    void mutatedObjectsAreMappedAsTheirTreeIs(@ForAll("mutatedObjects") byte[] json, @ForAll("rules") MqttMapping rule) {
        sameAsTree(rule, json);
    }

    private void sameAsTree(MqttMapping rule, byte[] json) {
        MappedPayloadReader.MappedRead flat = reader.read(rule, CAPTURES, "devices/kitchen", json);
        MappedPayloadReader.MappedRead tree = reader.read(rule, CAPTURES, "devices/kitchen", json, false);
        assertThat(flat).as(new String(json, StandardCharsets.UTF_8)).isEqualTo(tree);
    }

    @Provide
    Arbitrary<String> numbers() {
        Arbitrary<String> integer = Arbitraries.oneOf(Arbitraries.just("0"),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(20).filter(s -> s.charAt(0) != '0'));
        Arbitrary<String> fraction = Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(20)
                .injectNull(0.4).map(s -> s == null ? "" : "." + s);
        Arbitrary<String> exponent = Combinators.combine(Arbitraries.of("e", "E"), Arbitraries.of("", "+", "-"),
                Arbitraries.integers().between(0, 400)).as((e, sign, n) -> e + sign + n).injectNull(0.5)
                .map(s -> s == null ? "" : s);
        Arbitrary<String> generated = Combinators.combine(Arbitraries.of("", "-"), integer, fraction, exponent)
                .as((sign, i, f, e) -> sign + i + f + e);
        Arbitrary<String> printed = Arbitraries.doubles().filter(Double::isFinite).map(d -> Double.toString(d)
                .replace("E", "e"));
        return Arbitraries.oneOf(generated, printed, Arbitraries.of("9007199254740993", "0.1", "-0", "-0.0e5",
                "123456789012345", "1234567890123456", "1e22", "1e23", "1e-22", "1e-23", "4.9e-324", "1e309"));
    }

    /**
     * Rules whose metrics name one key each, among the keys the generated payloads use: optional or not, scaled,
     * with a values map, with labels from keys; some with a nested key besides (such a rule reads the tree).
     */
    @Provide
    Arbitrary<MqttMapping> rules() {
        Arbitrary<String> key = Arbitraries.of("temp", "battery", "level", "low", "a", "b", "a_b", "é", "1", "job");
        Arbitrary<String> metric = Combinators.combine(key, Arbitraries.of("", "optional: true, "),
                Arbitraries.of("", "scale: 0.001, ", "scale: -1, "), Arbitraries.of("", "values: {\"ON\": 1, \"off\": 0}, "))
                .as((k, optional, scale, values) -> "      - {" + optional + scale + values + "path: '" + k + "'}\n");
        Arbitrary<String> labels = key.list().ofMaxSize(2).map(keys -> {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < keys.size(); i++) {
                text.append("l").append(i).append(": '").append(keys.get(i)).append("', ");
            }
            return text.isEmpty() ? "" : "    labels: {" + text.substring(0, text.length() - 2) + "}\n";
        });
        Arbitrary<String> nested = Arbitraries.of("", "", "", "      - {optional: true, name: nested, path: 'a.b'}\n");
        return Combinators.combine(metric.list().uniqueElements(line -> line.substring(line.indexOf("path:"))).ofMinSize(1).ofMaxSize(4), labels, nested).as((metrics, labelLine, deep) ->
                rule("mqtt_mappings:\n  - topic: devices/+device\n"
                        + "    group: {job: devices, device: '{device}'}\n    prefix: dev_\n" + labelLine
                        + "    metrics:\n" + String.join("", metrics) + deep));
    }

    private static MqttMapping rule(String yaml) {
        try {
            return ConfigFile.parse("tidegate.yml", yaml).mqttMappings().rules().get(0);
        } catch (ConfigException e) {
            throw new AssertionError(yaml, e);
        }
    }

    @Provide
    Arbitrary<String> objects() {
        return JsonTexts.objects();
    }

    @Provide
    Arbitrary<byte[]> mutatedObjects() {
        return JsonTexts.mutatedObjects();
    }
}
