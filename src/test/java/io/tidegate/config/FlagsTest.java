package io.tidegate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class FlagsTest {
    private static Flags parse(String... args) {
        Flags flags = new Flags();
        Flags.commandLine(flags).parseArgs(args);
        return flags;
    }

    @Test
    void defaultsAreUpstreams() {
        Flags flags = parse();

        assertThat(flags.listenAddress).isEqualTo(":9091");
        assertThat(flags.telemetryPath).isEqualTo("/metrics");
        assertThat(flags.persistenceInterval).isEqualTo(Duration.ofMinutes(5));
        assertThat(flags.enableLifecycle).isFalse();
        assertThat(flags.enableAdminApi).isFalse();
        assertThat(flags.disableConsistencyCheck).isFalse();
        assertThat(flags.logLevel).isEqualTo(Flags.LogLevel.info);
        assertThat(flags.logFormat).isEqualTo(Flags.LogFormat.logfmt);
        assertThat(flags.maxBodySize).isEqualTo(32L * 1024 * 1024);
    }

    @Test
    void helpListsEveryUpstreamFlag() {
        String help = Flags.commandLine(new Flags()).getUsageMessage().replace("--[no-]", "--");

        for (String flag : new String[] {"--web.listen-address", "--web.telemetry-path", "--web.external-url",
                "--web.route-prefix", "--web.enable-lifecycle", "--web.enable-admin-api", "--persistence.file",
                "--persistence.interval", "--push.disable-consistency-check", "--log.level", "--log.format"}) {
            assertThat(help).contains(flag);
        }
    }

    @Test
    void upstreamBooleanFormsAreAccepted() {
        assertThat(parse("--web.enable-lifecycle").enableLifecycle).isTrue();
        assertThat(parse("--web.enable-lifecycle", "--no-web.enable-lifecycle").enableLifecycle).isFalse();
        assertThat(parse("--web.enable-admin-api=true").enableAdminApi).isTrue();
    }

    @Test
    void badValuesAreRefusedWithTheValueNamed() {
        assertThatThrownBy(() -> parse("--persistence.interval=5x")).hasMessageContaining("invalid duration \"5x\"");
        assertThatThrownBy(() -> parse("--push.max-body-size=lots")).hasMessageContaining("invalid size \"lots\"");
        assertThatThrownBy(() -> parse("--log.level=loud")).hasMessageContaining("loud");
        assertThatThrownBy(() -> parse("--no-such-flag")).hasMessageContaining("--no-such-flag");
    }

    @Test
    void flagValuesAreListedForTheStatusApi() {
        Flags flags = new Flags();
        Flags.commandLine(flags).parseArgs("--web.enable-admin-api");

        assertThat(flags.asMap()).containsEntry("web.enable-admin-api", "true")
                .containsEntry("persistence.interval", "5m").containsEntry("web.listen-address", ":9091")
                .doesNotContainKey("help");
    }
}
