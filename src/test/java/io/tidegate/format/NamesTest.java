package io.tidegate.format;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NamesTest {
    @Test
    void sanitisingKeepsValidNamesAsTheyAre() {
        assertThat(Names.sanitiseMetricName("node_cpu:rate5m")).isEqualTo("node_cpu:rate5m");
        assertThat(Names.sanitiseMetricName("_x")).isEqualTo("_x");
    }

    @Test
    void sanitisingReplacesEveryOtherCharacterWithOneUnderscore() {
        assertThat(Names.sanitiseMetricName("temp-celsius")).isEqualTo("temp_celsius");
        assertThat(Names.sanitiseMetricName("a.b c")).isEqualTo("a_b_c");
        assertThat(Names.sanitiseMetricName("wave\uD83C\uDF0A")).isEqualTo("wave_");
        assertThat(Names.sanitiseMetricName("Größe")).isEqualTo("Gr__e");
    }

    @Test
    void sanitisingPutsAnUnderscoreBeforeALeadingDigit() {
        assertThat(Names.sanitiseMetricName("1st")).isEqualTo("_1st");
        assertThat(Names.sanitiseMetricName("9")).isEqualTo("_9");
        assertThat(Names.isValidMetricName(Names.sanitiseMetricName("1-2.3"))).isTrue();
    }

    @Test
    void nothingStaysNothing() {
        assertThat(Names.sanitiseMetricName("")).isEmpty();
    }
}
