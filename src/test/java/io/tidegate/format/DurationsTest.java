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
    void formattingUsesTheShortestSpelling() {
        assertThat(Durations.format(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    }
}
