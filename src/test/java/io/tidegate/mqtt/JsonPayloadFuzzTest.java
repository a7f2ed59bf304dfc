package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidegate.format.BodyFormatException;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.MetricType;
import io.tidegate.format.Names;
import io.tidegate.fuzz.FuzzBudget;
import io.tidegate.fuzz.JsonTexts;
import io.tidegate.fuzz.Refusals;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * Fuzzing of the JSON payload reader (SPEC §7): any text is read as gauges or refused with a one-line
 * reason; nesting of any depth is refused, never a StackOverflowError; the gauges read, written back
 * as a flat object, read the same.
 */
@AddLifecycleHook(FuzzBudget.class)
class JsonPayloadFuzzTest {

    @Property(tries = 2000)
    void generatedObjectsAreReadAsGaugesOrRefused(@ForAll("objects") String json) {
        check(json);
    }

    @Property(tries = 2000)
    void mutatedObjectsAreReadAsGaugesOrRefused(@ForAll("mutatedObjects") byte[] json) {
        check(new String(json, StandardCharsets.UTF_8));
    }

    @Property(tries = 150)
    void nestingOfAnyDepthIsReadOrRefusedWithoutOverflowingTheStack(@ForAll @IntRange(min = 1, max = 200_000) int depth,
            @ForAll("openers") String opener, @ForAll boolean closed) {
        Map<String, MetricFamily> families = check(JsonTexts.deep(depth, opener, closed));
        if (depth >= 255) {
            assertThat(families).as("nesting %s deep", depth).isNull();
        }
    }

    // --- findings --------------------------------------------------------------------------------

    /** Finding: JSON paths in messages held the keys raw, so a key "\n" broke the message over two lines. */
    @Example
    void keysWithControlCharactersAreEscapedInTheCollisionMessage() {
        assertThatThrownBy(() -> JsonPayload.families("{\"\\n\":1,\"\\t\":2}"))
                .hasMessage("JSON values at $.\\u000a and $.\\u0009 both make the metric name _");
    }

    /** Finding: the same in Gson's own messages, here with a NUL from a key's escape. */
    @Example
    void syntaxErrorAfterAKeyWithAControlCharacterIsOneCleanLine() {
        assertThatThrownBy(() -> JsonPayload.families("{\"a\\u0000\\n\" 1}"))
                .hasMessage("invalid JSON: Expected ':' at line 1 column 15 path $.a\\u0000\\u000a")
                .satisfies(e -> Refusals.assertClean(e.getMessage()));
    }

    @Provide
    Arbitrary<String> objects() {
        return JsonTexts.objects();
    }

    @Provide
    Arbitrary<byte[]> mutatedObjects() {
        return JsonTexts.mutatedObjects();
    }

    @Provide
    Arbitrary<String> openers() {
        return Arbitraries.of("{", "[", "{[", "[[{");
    }

    /** The gauges, or null after checking the refusal. */
    private static Map<String, MetricFamily> check(String json) {
        Map<String, MetricFamily> families;
        try {
            families = JsonPayload.families(json);
        } catch (BodyFormatException e) {
            Refusals.assertClean(e.getMessage());
            return null;
        }
        assertThat(families).isNotEmpty();
        for (var entry : families.entrySet()) {
            MetricFamily family = entry.getValue();
            assertThat(family.name()).isEqualTo(entry.getKey());
            assertThat(Names.isValidMetricName(family.name())).as("metric name %s", family.name()).isTrue();
            assertThat(family.type()).isEqualTo(MetricType.GAUGE);
            assertThat(family.metrics()).singleElement().satisfies(metric -> assertThat(metric.labels()).isEmpty());
        }
        assertFlatObjectReadsTheSame(families);
        return families;
    }

    /** JSON has no NaN or infinity (a number beyond the double range reads as one), so those are left out. */
    private static void assertFlatObjectReadsTheSame(Map<String, MetricFamily> families) {
        Map<String, Double> values = families.values().stream()
                .filter(family -> Double.isFinite(value(family)))
                .collect(Collectors.toMap(MetricFamily::name, JsonPayloadFuzzTest::value, (a, b) -> a,
                        java.util.LinkedHashMap::new));
        if (values.isEmpty()) {
            return;
        }
        String flat = values.entrySet().stream().map(e -> "\"" + e.getKey() + "\":" + e.getValue())
                .collect(Collectors.joining(",", "{", "}"));
        Map<String, MetricFamily> reread;
        try {
            reread = JsonPayload.families(flat);
        } catch (BodyFormatException e) {
            throw new AssertionError("gauges read from JSON, written back, are refused: " + e.getMessage() + " " + flat, e);
        }
        assertThat(reread.keySet()).containsExactlyElementsOf(values.keySet());
        reread.forEach((name, family) -> assertThat(value(family)).isEqualTo(values.get(name)));
    }

    private static double value(MetricFamily family) {
        Metric metric = family.metrics().get(0);
        return metric.value();
    }
}
