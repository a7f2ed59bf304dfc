package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidegate.format.BodyFormatException;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.MetricType;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonPayloadTest {
    private static Map<String, Double> gauges(String json) throws BodyFormatException {
        Map<String, Double> values = new LinkedHashMap<>();
        for (MetricFamily family : JsonPayload.families(json).values()) {
            assertThat(family.type()).isEqualTo(MetricType.GAUGE);
            assertThat(family.help()).isNull();
            assertThat(family.metrics()).hasSize(1);
            assertThat(family.metrics().get(0).labels()).isEmpty();
            values.put(family.name(), family.metrics().get(0).value());
        }
        return values;
    }

    @Test
    void nestedKeysAreJoinedWithUnderscores() throws BodyFormatException {
        assertThat(gauges("{\"a\": {\"b\": {\"c\": 1}, \"d\": 2}, \"e\": 3}"))
                .containsExactly(Map.entry("a_b_c", 1.0), Map.entry("a_d", 2.0), Map.entry("e", 3.0));
    }

    @Test
    void booleansAreOneAndZero() throws BodyFormatException {
        assertThat(gauges("{\"on\": true, \"off\": false}")).containsExactly(Map.entry("on", 1.0), Map.entry("off", 0.0));
    }

    @Test
    void stringsNullsArraysAndEmptyObjectsArePassedOver() throws BodyFormatException {
        assertThat(gauges("{\"s\": \"21\", \"n\": null, \"a\": [1, {\"x\": 2}], \"o\": {}, \"v\": 1}"))
                .containsExactly(Map.entry("v", 1.0));
    }

    @Test
    void numbersKeepTheirValue() throws BodyFormatException {
        assertThat(gauges("{\"a\": -0.5, \"b\": 1e3, \"c\": 12345678901234567890, \"d\": 1E-2, \"e\": 1e400}"))
                .containsExactly(Map.entry("a", -0.5), Map.entry("b", 1000.0), Map.entry("c", 1.2345678901234567e19),
                        Map.entry("d", 0.01), Map.entry("e", Double.POSITIVE_INFINITY));
    }

    @Test
    void namesAreMadeValidMetricNames() throws BodyFormatException {
        assertThat(gauges("{\"temp-c\": 1, \"1st\": 2, \"a b\": {\"c.d\": 3}, \"ns:x\": 4, \"Größe\": 5, \"_ok\": 6}"))
                .containsOnlyKeys("temp_c", "_1st", "a_b_c_d", "ns:x", "Gr__e", "_ok");
    }

    @Test
    void aLeadingDigitInANestedKeyNeedsNoPrefix() throws BodyFormatException {
        assertThat(gauges("{\"sensor\": {\"1\": 5}}")).containsOnlyKeys("sensor_1");
    }

    @Test
    void twoKeysMakingOneNameAreRejected() {
        assertThatThrownBy(() -> JsonPayload.families("{\"a\": {\"b\": 1}, \"a_b\": 2}"))
                .hasMessage("JSON values at $.a.b and $.a_b both make the metric name a_b");
        assertThatThrownBy(() -> JsonPayload.families("{\"a\": 1, \"a\": 2}"))
                .hasMessage("JSON values at $.a and $.a both make the metric name a");
    }

    @Test
    void anEmptyKeyCannotNameAMetric() {
        assertThatThrownBy(() -> JsonPayload.families("{\"\": 1}"))
                .hasMessage("JSON value at $. has an empty key, which cannot name a metric");
    }

    @Test
    void onlyAnObjectWillDo() {
        assertThatThrownBy(() -> JsonPayload.families("[1]")).hasMessage("JSON payload must be an object, not an array");
        assertThatThrownBy(() -> JsonPayload.families("21.5")).hasMessage("JSON payload must be an object, not a number");
        assertThatThrownBy(() -> JsonPayload.families("\"x\"")).hasMessage("JSON payload must be an object, not a string");
        assertThatThrownBy(() -> JsonPayload.families("null")).hasMessage("JSON payload must be an object, not null");
        assertThatThrownBy(() -> JsonPayload.families("  ")).hasMessageStartingWith("invalid JSON");
    }

    @Test
    void anObjectWithoutNumbersOrBooleansIsRejected() {
        assertThatThrownBy(() -> JsonPayload.families("{}"))
                .hasMessage("JSON payload has no number or boolean to make a gauge of");
    }

    @Test
    void onlyStrictJsonIsRead() {
        assertThatThrownBy(() -> JsonPayload.families("{a: 1}")).hasMessageStartingWith("invalid JSON");
        assertThatThrownBy(() -> JsonPayload.families("{'a': 1}")).hasMessageStartingWith("invalid JSON");
        assertThatThrownBy(() -> JsonPayload.families("{\"a\": Infinity}")).hasMessageStartingWith("invalid JSON");
        assertThatThrownBy(() -> JsonPayload.families("{\"a\": 1} // note")).hasMessageStartingWith("invalid JSON");
        assertThatThrownBy(() -> JsonPayload.families("{\"a\": 01}")).hasMessageStartingWith("invalid JSON");
    }

    @Test
    void messagesSpeakToOperatorsNotProgrammers() {
        assertThatThrownBy(() -> JsonPayload.families("{\"a\": 1,}"))
                .hasMessage("invalid JSON: Expected name at line 1 column 10 path $.a");
    }

    @Test
    void deepNestingIsRejectedNotOverflowed() {
        String deep = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);

        assertThatThrownBy(() -> JsonPayload.families(deep)).hasMessageStartingWith("invalid JSON");
    }
}
