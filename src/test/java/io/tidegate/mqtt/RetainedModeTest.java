package io.tidegate.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RetainedModeTest {
    @Test
    void parsesTheFlagValues() {
        assertThat(RetainedMode.parse("apply")).isEqualTo(RetainedMode.APPLY);
        assertThat(RetainedMode.parse("ignore-unseen")).isEqualTo(RetainedMode.IGNORE_UNSEEN);
        assertThat(RetainedMode.parse(" Ignore-Unseen ")).isEqualTo(RetainedMode.IGNORE_UNSEEN);
        assertThat(RetainedMode.IGNORE_UNSEEN).hasToString("ignore-unseen");
    }

    @Test
    void refusesAnythingElseSayingWhatWouldDo() {
        assertThatThrownBy(() -> RetainedMode.parse("ignore"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid retained mode \"ignore\": use apply or ignore-unseen");
    }
}
