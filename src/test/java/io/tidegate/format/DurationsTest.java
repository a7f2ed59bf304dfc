package io.tidegate.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void prometheusSyntaxAndPlainSecondsAreRead() {
        assertThat(Durations.parse("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("2d")).isEqualTo(Duration.ofDays(2));
        assertThat(Durations.parse("1w")).isEqualTo(Duration.ofDays(7));
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("30")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("2.5")).isEqualTo(Duration.ofMillis(2500));
        assertThat(Durations.parse("0")).isEqualTo(Duration.ZERO);
    }

    @Test
    void malformedDurationsNameTheValueAndTheProblem() {
        assertThatThrownBy(() -> Durations.parse("5x")).hasMessage(
                "invalid duration \"5x\": unknown or missing unit at position 2 (use y, w, d, h, m, s or ms)");
        assertThatThrownBy(() -> Durations.parse("-5s")).hasMessageContaining("invalid duration \"-5s\"");
        assertThatThrownBy(() -> Durations.parse("30m1h")).hasMessageContaining("largest to smallest");
        assertThatThrownBy(() -> Durations.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> Durations.parse("99999999999999999999y")).hasMessageContaining("too large");
    }

    @Test
    void goSyntaxIsReadWhereAskedForAsTimeParseDurationReadsIt() {
        assertThat(Durations.parseWithGoSyntax("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parseWithGoSyntax("1.5h")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parseWithGoSyntax("5m0s")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parseWithGoSyntax("1h0m0s")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parseWithGoSyntax("30s1m")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parseWithGoSyntax(".5s")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parseWithGoSyntax("1.s")).isEqualTo(Duration.ofSeconds(1));
        assertThat(Durations.parseWithGoSyntax("+2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parseWithGoSyntax("1500us")).isEqualTo(Duration.ofNanos(1_500_000));
        assertThat(Durations.parseWithGoSyntax("2\u00b5s")).isEqualTo(Duration.ofNanos(2_000));
        assertThat(Durations.parseWithGoSyntax("10ns")).isEqualTo(Duration.ofNanos(10));
        assertThat(Durations.parseWithGoSyntax("2d")).as("Prometheus syntax first").isEqualTo(Duration.ofDays(2));
        for (String bad : new String[] {"", "-5m", "5x", "1..5h", ".h", "h", "+", "5m-1s", "9999999999999999h"}) {
            assertThatThrownBy(() -> Durations.parseWithGoSyntax(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid duration");
        }
    }

    @Test
    void formattingUsesTheShortestSpelling() {
        assertThat(Durations.format(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    }
}
