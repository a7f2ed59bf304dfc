package io.tidegate.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every refusal of fuzzed input must look like: a message an operator can read in a log line
 * or an HTTP answer. Input is quoted in messages, so a raw control character in one means some
 * path forgot to quote, which would let a publisher forge log lines.
 */
public final class Refusals {
    private Refusals() {}

    public static void assertClean(String message) {
        assertThat(message).as("refusal message").isNotBlank();
        assertThat(message.chars().filter(Character::isISOControl).findFirst())
                .as("control character in refusal message %s", message).isEmpty();
        assertThat(message).doesNotContain("\u2028", "\u2029");
    }
}
