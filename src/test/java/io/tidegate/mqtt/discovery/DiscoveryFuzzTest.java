package io.tidegate.mqtt.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.fuzz.FuzzBudget;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * Fuzzing of what a discovery config's publisher controls: any template text compiles or is refused with a message,
 * and a compiled one renders or says why, for any payload; any config payload is read or refused with a message.
 * Never an exception, never a stack overflow.
 */
@AddLifecycleHook(FuzzBudget.class)
class DiscoveryFuzzTest {
    private static final List<String> PIECES = List.of("{{", "}}", "{%", "%}", "{#", "#}", "-", " ", "value", "value_json",
            ".", "[", "]", "(", ")", "'a'", "\"b\"", "0", "1.5", "-2", "|", "float", "int", "round", "default", "d",
            "is", "not", "defined", "if", "elif", "else", "endif", "and", "or", "+", "*", "/", "//", "%", "**", "~",
            "==", "<", "in", "none", "true", ",", "a", "temperature", "now", "for", "set", "=", "\\", "'", "\"");

    @Provide
    Arbitrary<String> templates() {
        return Arbitraries.of(PIECES).list().ofMaxSize(40).map(list -> String.join("", list));
    }

    @Provide
    Arbitrary<String> payloads() {
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(30),
                Arbitraries.of("{\"a\":1}", "{\"temperature\":21.5,\"a\":{\"b\":[1,2]}}", "21.5", "ON", "", "null",
                        "[1,\"x\"]", "{\"a\":\"text\"}"));
    }

    @Property(tries = 3000)
    void anyTemplateCompilesOrIsRefusedAndRendersOrSaysWhy(@ForAll("templates") String template,
            @ForAll("payloads") String payload) {
        ValueTemplate.Compiled compiled = ValueTemplate.compile(template);
        assertThat(compiled.template() == null).isEqualTo(compiled.refusal() != null);
        if (compiled.template() != null) {
            ValueTemplate.Rendered rendered = compiled.template().render(payload, HomeAssistantDiscovery.json(payload));
            assertThat(rendered.text() == null).isEqualTo(rendered.error() != null);
        } else {
            assertThat(compiled.refusal()).isNotBlank().doesNotContain("\n");
        }
    }

    @Property(tries = 500)
    void anyTextAsATemplateCompilesOrIsRefused(@ForAll String template) {
        ValueTemplate.Compiled compiled = ValueTemplate.compile(template);
        assertThat(compiled.template() == null).isEqualTo(compiled.refusal() != null);
    }

    @Provide
    Arbitrary<String> configs() {
        Arbitrary<String> keys = Arbitraries.of("stat_t", "state_topic", "val_tpl", "unit_of_meas", "dev_cla", "stat_cla",
                "exp_aft", "avty_t", "avty", "avty_mode", "pl_on", "pl_off", "dev", "~", "name", "t");
        Arbitrary<String> values = Arbitraries.oneOf(Arbitraries.of("\"a/b\"", "\"~/x\"", "\"{{ value_json.a }}\"", "1",
                "-1", "1e99", "true", "null", "[]", "{}", "[{\"t\":\"x\"}]", "{\"ids\":[\"a\"]}", "{\"ids\":{}}",
                "\"°C\"", "\"total_increasing\"", "[[\"mac\",\"aa\"]]", "\"{{ now() }}\"", "\"any\""),
                Arbitraries.strings().ofMaxLength(8).map(s -> "\"" + s.replace("\\", "").replace("\"", "") + "\""));
        return Combinators.combine(keys, values).as((k, v) -> "\"" + k + "\":" + v).list().ofMaxSize(8)
                .map(members -> "{" + String.join(",", members) + "}");
    }

    @Property(tries = 3000)
    void anyConfigIsReadOrRefusedNamingTheTopic(@ForAll("configs") String json, @ForAll boolean truncate) {
        String payload = truncate && json.length() > 2 ? json.substring(0, json.length() / 2) : json;
        String topic = "homeassistant/sensor/node/object/config";
        DiscoveryConfig.Read read = DiscoveryConfig.read("homeassistant", topic, payload.getBytes(StandardCharsets.UTF_8));
        if (read.refusal() != null) {
            assertThat(read.refusal()).startsWith("discovery config on " + topic + ": ");
        } else {
            assertThat(read.config()).isNotNull();
            HomeAssistantDiscovery discovery = new HomeAssistantDiscovery("homeassistant");
            discovery.config(topic, payload.getBytes(StandardCharsets.UTF_8));
            for (String state : List.of("21.5", "{\"a\":1}", "ON", "")) {
                discovery.states(read.config().stateTopic(), state.getBytes(StandardCharsets.UTF_8), false);
            }
        }
    }
}
