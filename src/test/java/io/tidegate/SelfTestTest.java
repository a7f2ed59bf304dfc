package io.tidegate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code tidegate selftest}: the run the launcher records its class archive from, and a check of an installation. */
class SelfTestTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... arguments) {
        return new SelfTest().run(List.of(arguments), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void startsATidegateOfItsOwnServesAPushAndAnMqttMessageAndSaysSo() {
        int status = run();

        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(status).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .matches("tidegate selftest: ok: started on 127\\.0\\.0\\.1:\\d+ \\(MQTT \\d+\\), a push and an MQTT message were served\\R");
    }

    @Test
    void takesNoArguments() {
        assertThat(run("--web.listen-address=:9091")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("tidegate selftest: takes no arguments, got [--web.listen-address=:9091]\n");
    }
}
