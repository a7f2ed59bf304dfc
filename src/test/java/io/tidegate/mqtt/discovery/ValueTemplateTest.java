package io.tidegate.mqtt.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The value_template subset: each construct renders as Home Assistant renders it, and what is outside is refused. */
class ValueTemplateTest {
    private static final String Z2M = "{\"temperature\":21.5,\"humidity\":48,\"battery\":100,\"occupancy\":true,"
            + "\"SI7021\":{\"Temperature\":19.25},\"list\":[3,4,5],\"action\":\"single\",\"none\":null}";

    private static String render(String template, String payload) {
        ValueTemplate.Compiled compiled = ValueTemplate.compile(template);
        assertThat(compiled.refusal()).as(template).isNull();
        ValueTemplate.Rendered rendered = compiled.template().render(payload, HomeAssistantDiscovery.json(payload));
        return rendered.text() != null ? rendered.text() : (rendered.undefined() ? "UNDEFINED: " : "ERROR: ")
                + rendered.error();
    }

    @ParameterizedTest(name = "{0} renders {1}")
    @CsvSource(delimiterString = " => ", quoteCharacter = '`', value = {
            "{{ value_json.temperature }} => 21.5",
            "{{value_json['humidity']}} => 48",
            "{{ value_json.SI7021.Temperature }} => 19.25",
            "{{ value_json['SI7021'].Temperature }} => 19.25",
            "{{ value_json.list[1] }} => 4",
            "{{ value_json.list.0 }} => 3",
            "{{ value_json.list[-1] }} => 5",
            "{{ value_json.occupancy }} => True",
            "{{ value_json.none }} => None",
            "{{ value_json.humidity | float }} => 48.0",
            "{{ value_json.temperature | int }} => 21",
            "{{ value_json.action | float(0) }} => 0",
            "{{ value_json.action | int(-1) }} => -1",
            "{{ value_json.temperature | round }} => 22",
            "{{ 2.5 | round }} => 2",
            "{{ value_json.temperature | round(1) }} => 21.5",
            "{{ (value_json.temperature * 9 / 5 + 32) | round(2) }} => 70.7",
            "{{ value_json.missing | default(7) }} => 7",
            "{{ value_json.missing | d('x') }} => x",
            "{{ value_json.action | upper }} => SINGLE",
            "{{ 'ABC' | lower }} => abc",
            "{{ -3 | abs }} => -3",
            "{{ (-3) | abs }} => 3",
            "{{ value_json.humidity | string }} => 48",
            "{{ value_json.humidity // 5 }} => 9",
            "{{ value_json.humidity % 5 }} => 3",
            "{{ -7 // 2 }} => -4",
            "{{ 2 ** 10 }} => 1024",
            "{{ value_json.humidity / 2 }} => 24.0",
            "{{ value_json.humidity - 8 }} => 40",
            "{{ value_json.temperature > 20 }} => True",
            "{{ value_json.temperature == 21.5 and not value_json.occupancy }} => False",
            "{{ value_json.missing is defined }} => False",
            "{{ value_json.temperature is defined }} => True",
            "{{ value_json.missing is not defined }} => True",
            "{{ value_json.temperature is number }} => True",
            "{{ 'on' if value_json.occupancy else 'off' }} => on",
            "{% if value_json.battery > 50 %}high{% elif value_json.battery > 10 %}low{% else %}empty{% endif %} => high",
            "{% if value_json.missing is defined %}{{ value_json.missing }}{% else %}0{% endif %} => 0",
            "t={{- value_json.humidity -}} % => t=48%",
            "{{ float(value_json.temperature) * 3.6 }} => 77.4",
            "{{ int('12') + 1 }} => 13",
            "{{ 'single' in value_json.action }} => True",
            "{{ value_json.action ~ '_' ~ 1 }} => single_1",
            "{{ value_json.temperature | is_defined }} => 21.5",
            "{{ none }} => None",
            "{{ 1e3 }} => 1000.0"})
    void rendersTheSubset(String template, String expected) {
        assertThat(render(template, Z2M)).isEqualTo(expected);
    }

    @Test
    void commentsRenderNothing() {
        assertThat(render("{# a comment #}{{ value }}", "21.5")).isEqualTo("21.5");
    }

    @Test
    void valueIsThePayloadTextAndValueJsonIsUndefinedWithoutJson() {
        assertThat(render("{{ value | float * 2 }}", "21.5")).isEqualTo("43.0");
        assertThat(render("{{ value_json }}", "21.5")).isEqualTo("21.5");
        assertThat(render("{{ value_json.a }}", "ON")).startsWith("UNDEFINED");
        assertThat(render("{{ value }}", "ON")).isEqualTo("ON");
    }

    @Test
    void undefinedValuesAndFailuresRenderNothingAndSayWhy() {
        assertThat(render("{{ value_json.missing }}", Z2M)).isEqualTo("UNDEFINED: .missing is undefined");
        assertThat(render("{{ value_json.a.b.c }}", Z2M)).startsWith("UNDEFINED");
        assertThat(render("{{ value_json.missing | is_defined }}", Z2M)).startsWith("UNDEFINED");
        assertThat(render("{{ value_json.action | float }}", Z2M))
                .isEqualTo("ERROR: float got invalid input 'single' and no default");
        assertThat(render("{{ value_json.humidity / 0 }}", Z2M)).isEqualTo("ERROR: division by zero");
        assertThat(render("{{ value_json.action + 1 }}", Z2M)).isEqualTo("ERROR: cannot compute 'single' + 1");
        assertThat(render("{{ value_json.action < 1 }}", Z2M)).startsWith("ERROR: cannot compare");
    }

    @ParameterizedTest(name = "{0} is refused: {1}")
    @CsvSource(delimiterString = " => ", quoteCharacter = '`', value = {
            "{{ states('sensor.x') }} => function states() is not supported (only float() and int())",
            "{{ now() }} => function now() is not supported (only float() and int())",
            "{{ value_json.x | timestamp_custom('%H') }} => filter 'timestamp_custom' is not supported",
            "{{ value_json.x | max }} => filter 'max' is not supported",
            "{% for x in value_json %}{{ x }}{% endfor %} => statement {% for %} is not supported",
            "{% set x = 1 %}{{ x }} => statement {% set %} is not supported",
            "{{ this.state }} => name 'this' is not supported (only value and value_json)",
            "{{ value_json.x.split(',') }} => method call .split() is not supported",
            "{{ value_json.x |}} => expected a filter name after",
            "{{ value_json.x|} => {{ without }}",
            "{% if value %}yes => {% if %} without {% endif %}",
            "{% endif %} => {% endif %} without {% if %}",
            "{{ value is even }} => test 'is even' is not supported",
            "{{ [1, 2] }} => list literals are not supported",
            "{{ 'open }} => {{ without }}",
            "{{ value | round(1, 2, 3) }} => filter 'round' takes at most 2 arguments"})
    void refusesWhatIsOutsideTheSubsetNamingIt(String template, String refusal) {
        ValueTemplate.Compiled compiled = ValueTemplate.compile(template);
        assertThat(compiled.template()).isNull();
        assertThat(compiled.refusal()).startsWith(refusal);
    }

    @Test
    void deepNestingIsRefusedNotOverflowed() {
        String deep = "{{ " + "(".repeat(10_000) + "1" + ")".repeat(10_000) + " }}";
        assertThat(ValueTemplate.compile(deep).refusal()).isNotNull();
        String nots = "{{ " + "not ".repeat(10_000) + "1 }}";
        assertThat(ValueTemplate.compile(nots).refusal()).isNotNull();
    }

    @Test
    void roundIsPythonsRoundHalfToEvenOnTheExactValue() {
        assertThat(render("{{ 0.5 | round }}", "")).isEqualTo("0");
        assertThat(render("{{ 1.5 | round }}", "")).isEqualTo("2");
        assertThat(render("{{ 2.675 | round(2) }}", "")).isEqualTo("2.67");
        assertThat(render("{{ 2.5 | round(0, 'half') }}", "")).isEqualTo("3");
        assertThat(render("{{ 2.1 | round(0, 'ceil') }}", "")).isEqualTo("3");
    }
}
