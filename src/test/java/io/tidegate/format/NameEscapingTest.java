package io.tidegate.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The escaping schemes of prometheus/common's model: every row is a case of model/metric_test.go's
 * TestEscapeName (v0.67.5; the same in v0.61.0), input then its underscores, dots and values escapings.
 * Unlike model.EscapeName, which escapes underscores of a legacy name under dots, {@link NameEscaping#escape}
 * leaves every legacy-valid name alone, as model.EscapeMetricFamily (the function the scrape encoders call)
 * does before it calls EscapeName.
 */
class NameEscapingTest {
    static Stream<Arguments> testEscapeNameCases() {
        return Stream.of(
                Arguments.of("mysystem.prod.west.cpu.load", "mysystem_prod_west_cpu_load",
                        "mysystem_dot_prod_dot_west_dot_cpu_dot_load", "U__mysystem_2e_prod_2e_west_2e_cpu_2e_load"),
                Arguments.of("mysystem.prod.west.cpu.load_total", "mysystem_prod_west_cpu_load_total",
                        "mysystem_dot_prod_dot_west_dot_cpu_dot_load__total",
                        "U__mysystem_2e_prod_2e_west_2e_cpu_2e_load__total"),
                Arguments.of("http.status:sum", "http_status:sum", "http_dot_status:sum", "U__http_2e_status:sum"),
                Arguments.of("label with 😱", "label_with__", "label__with____", "U__label_20_with_20__1f631_"),
                Arguments.of("花火", "__", "____", "U___82b1__706b_"),
                Arguments.of("label with \u0100", "label_with__", "label__with____", "U__label_20_with_20__100_"));
    }

    @ParameterizedTest
    @MethodSource("testEscapeNameCases")
    void escapesAsModelEscapeName(String input, String underscores, String dots, String values) {
        assertThat(NameEscaping.UNDERSCORES.escape(input)).isEqualTo(underscores);
        assertThat(NameEscaping.DOTS.escape(input)).isEqualTo(dots);
        assertThat(NameEscaping.VALUES.escape(input)).isEqualTo(values);
        assertThat(NameEscaping.ALLOW_UTF8.escape(input)).isEqualTo(input);
        // "Unescaped result should always be identical to the original input."
        assertThat(NameEscaping.unescapeValues(values)).isEqualTo(input);
    }

    @Test
    void legacyNamesAreNeverEscaped() {
        for (NameEscaping scheme : NameEscaping.values()) {
            assertThat(scheme.escape("no:escaping_required")).isEqualTo("no:escaping_required");
            assertThat(scheme.escape("")).isEmpty();
        }
    }

    @Test
    void unescapingLeavesWhatIsNotAValidEncoding() {
        // model/metric_test.go TestValueUnescapeErrors, input then expected
        String[][] cases = {
            {"U__no:unescapingrequired", "no:unescapingrequired"},
            {"U__capitals_2E_ok", "capitals.ok"},
            {"U__underscores__doubled__", "underscores_doubled_"},
            {"U__underscores_doubled_", "U__underscores_doubled_"},
            {"U__underscores__doubled_", "U__underscores__doubled_"},
            {"U__my__hack_2e_attempt_872348732fabdabbab_", "U__my__hack_2e_attempt_872348732fabdabbab_"},
            {"U__my__hack_2e", "U__my__hack_2e"},
            {"U__bad__utf_2eg_", "U__bad__utf_2eg_"},
            {"U__bad__utf_D900_", "U__bad__utf_D900_"},
        };
        for (String[] c : cases) {
            assertThat(NameEscaping.unescapeValues(c[0])).as(c[0]).isEqualTo(c[1]);
        }
        assertThat(NameEscaping.unescapeValues("U___55_____")).isEqualTo("U__"); // the README's example
        assertThat(NameEscaping.unescapeValues("U__foo_2E_bar")).isEqualTo("foo.bar");
    }

    @Test
    void parameterValuesNameTheSchemes() {
        assertThat(NameEscaping.ofParameter("allow-utf-8")).isEqualTo(NameEscaping.ALLOW_UTF8);
        assertThat(NameEscaping.ofParameter("underscores")).isEqualTo(NameEscaping.UNDERSCORES);
        assertThat(NameEscaping.ofParameter("dots")).isEqualTo(NameEscaping.DOTS);
        assertThat(NameEscaping.ofParameter("values")).isEqualTo(NameEscaping.VALUES);
        assertThat(NameEscaping.ofParameter("Values")).isNull();
        assertThat(NameEscaping.DEFAULT).isEqualTo(NameEscaping.UNDERSCORES);
    }
}
