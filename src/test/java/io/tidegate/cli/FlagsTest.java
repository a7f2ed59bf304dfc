package io.tidegate.cli;

import io.tidegate.format.NameValidation;
import io.tidegate.mqtt.MqttProtocol;
import io.tidegate.mqtt.RetainedMode;
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

    /** The help a user reads ({@code tidegate --help}). */
    private static String usage() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        Usage.print(Flags.commandLine(new Flags()), java.util.List.of(), new java.io.PrintStream(out, true,
                java.nio.charset.StandardCharsets.UTF_8));
        return out.toString(java.nio.charset.StandardCharsets.UTF_8).replace("--[no-]", "--");
    }

    @Test
    void defaultsAreUpstreams() {
        Flags flags = parse();

        assertThat(flags.listenAddresses).containsExactly(":9091");
        assertThat(flags.systemdSocket).isFalse();
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
        String help = usage();

        for (String flag : new String[] {"--web.listen-address", "--web.telemetry-path", "--web.external-url",
                "--web.route-prefix", "--web.enable-lifecycle", "--web.enable-admin-api", "--persistence.file",
                "--persistence.interval", "--push.disable-consistency-check", "--log.level", "--log.format",
                "--web.systemd-socket", "--web.config.file", "--help-long", "--help-man", "--completion-script-bash",
                "--completion-script-zsh", "--version"}) {
            assertThat(help).contains(flag);
        }
    }

    @Test
    void utf8NamesAreOffUnlessEnabledAsUpstream() {
        assertThat(parse().nameValidation()).isEqualTo(NameValidation.LEGACY);
        assertThat(parse("--push.enable-utf8-names").nameValidation()).isEqualTo(NameValidation.UTF8);
        assertThat(parse("--push.enable-utf8-names").writeLimits().body().names()).isEqualTo(NameValidation.UTF8);
        assertThat(parse("--push.enable-utf8-names=false").nameValidation()).isEqualTo(NameValidation.LEGACY);
        assertThat(usage()).contains("--push.enable-utf8-names");
    }

    @Test
    void upstreamBooleanFormsAreAccepted() {
        assertThat(parse("--web.enable-lifecycle").enableLifecycle).isTrue();
        assertThat(parse("--web.enable-lifecycle", "--no-web.enable-lifecycle").enableLifecycle).isFalse();
        assertThat(parse("--web.enable-admin-api=true").enableAdminApi).isTrue();
    }

    @Test
    void theListenAddressIsRepeatableAsUpstreamsAndReplacesTheDefault() {
        Flags flags = parse("--web.listen-address=127.0.0.1:9091", "--web.listen-address", "[::1]:9091");

        assertThat(flags.listenAddresses).containsExactly("127.0.0.1:9091", "[::1]:9091");
        assertThat(flags.webSettings().listenAddresses()).containsExactly("127.0.0.1:9091", "[::1]:9091");
        assertThat(flags.asMap()).containsEntry("web.listen-address", "127.0.0.1:9091,[::1]:9091");
        assertThat(flags.notApplied()).isEmpty();
    }

    @Test
    void upstreamFlagsThatCannotApplyHereAreEachNamedOnOneLineWithWhy() {
        Flags flags = parse("--web.systemd-socket", "--web.listen-address=:9091", "--web.listen-address=vsock://:9100",
                "--web.local-assets=/usr/share/prometheus/pushgateway");

        assertThat(flags.notApplied()).containsExactly(
                "--web.systemd-socket is not supported (the JVM cannot take systemd's listening sockets); listening on "
                        + "--web.listen-address :9091 instead, so stop the socket unit that holds the port",
                "--web.local-assets /usr/share/prometheus/pushgateway is not used: Tidegate serves its page and its "
                        + "files from its jar",
                "--web.listen-address vsock://:9100 is passed over: the JVM cannot listen on vsock");
        assertThat(flags.tcpListenAddresses()).containsExactly(":9091");
        assertThat(flags.webSettings().listenAddresses()).containsExactly(":9091");
        assertThat(flags.asMap()).containsEntry("web.systemd-socket", "true");
        assertThat(parse("--web.systemd-socket", "--no-web.systemd-socket").notApplied()).isEmpty();
    }

    @Test
    void theLogLevelIsReadInAnyCaseAsUpstreamReadsIt() {
        assertThat(parse("--log.level=DEBUG").logLevel).isEqualTo(Flags.LogLevel.debug);
        assertThat(parse("--log.level", "Warn").logLevel).isEqualTo(Flags.LogLevel.warn);
        assertThatThrownBy(() -> parse("--log.level=trace")).hasMessageContaining("unrecognized log level trace");
    }

    @Test
    void thePersistenceIntervalTakesGoDurationsAsUpstreamDoes() {
        assertThat(parse("--persistence.interval=1.5h").persistenceInterval).isEqualTo(Duration.ofMinutes(90));
        assertThat(parse("--persistence.interval=5m0s").persistenceInterval).isEqualTo(Duration.ofMinutes(5));
        assertThat(parse("--persistence.interval=2m30s").persistenceInterval).isEqualTo(Duration.ofSeconds(150));
        assertThat(parse("--persistence.interval=300").persistenceInterval).isEqualTo(Duration.ofMinutes(5));
        assertThatThrownBy(() -> parse("--persistence.interval=-5m")).hasMessageContaining("invalid duration \"-5m\"");
    }

    @Test
    void flagsThatOnlyPrintAreLeftOutOfTheStatusAsUpstreamLeavesThemOut() {
        assertThat(parse().asMap()).doesNotContainKeys("help", "version", "help-long", "help-man",
                "completion-script-bash", "completion-script-zsh").containsKey("web.systemd-socket");
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

    @Test
    void mqttDefaultsRunTheEmbeddedBrokerOnPort1883WithMetricsTopics() {
        Flags flags = parse();

        assertThat(flags.mqttUrl).isEmpty();
        assertThat(flags.mqttEmbedded).isTrue();
        assertThat(flags.mqttListenAddress).isEqualTo(":1883");
        assertThat(flags.mqttProtocol).isEqualTo(MqttProtocol.AUTO);
        assertThat(flags.mqttTopicPrefix).isEqualTo("metrics");
        assertThat(flags.mqttRetained).isEqualTo(RetainedMode.APPLY);
        assertThat(flags.mqttMaxPayloadSize).isEqualTo(1024L * 1024);
        assertThat(flags.mqttKeepAlive).isEqualTo(Duration.ofSeconds(30));
        assertThat(flags.asMap()).containsEntry("mqtt.protocol", "auto").containsEntry("mqtt.retained", "apply")
                .containsEntry("mqtt.keep-alive", "30s");
    }

    @Test
    void theEmbeddedBrokerTakesNoFilesLetsAnonymousClientsInFromLoopbackOnlyAndHoldsTenThousandConnections() {
        Flags flags = parse();

        assertThat(flags.mqttEmbeddedPasswordFile).isEmpty();
        assertThat(flags.mqttEmbeddedAclFile).isEmpty();
        assertThat(flags.mqttEmbeddedAllowAnonymous).isFalse();
        assertThat(flags.mqttEmbeddedMaxConnections).isEqualTo(10_000);
        assertThat(parse("--mqtt.embedded.allow-anonymous").mqttEmbeddedAllowAnonymous).isTrue();
        assertThat(parse("--no-mqtt.embedded.allow-anonymous").mqttEmbeddedAllowAnonymous).isFalse();
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
        String help;
        try {
            System.setErr(new java.io.PrintStream(warnings, true));
            help = Flags.commandLine(new Flags()).getUsageMessage();
        } finally {
            System.setErr(err);
        }
        assertThat(help).contains("--[no-]mqtt.embedded.allow-anonymous").contains("(default: 10000)")
                .contains("pattern with %u and %c");
        assertThat(warnings.toString()).as("picocli's warnings: a description is a format string, % written as %%")
                .isEmpty();
    }

    @Test
    void mqttFlagsTakeTheirSpellings() {
        assertThat(parse("--mqtt.protocol=3.1.1").mqttProtocol).isEqualTo(MqttProtocol.MQTT_3_1_1);
        assertThat(parse("--mqtt.protocol=5").mqttProtocol).isEqualTo(MqttProtocol.MQTT_5);
        assertThat(parse("--mqtt.retained=ignore-unseen").mqttRetained).isEqualTo(RetainedMode.IGNORE_UNSEEN);
        assertThat(parse("--no-mqtt.embedded").mqttEmbedded).isFalse();
        assertThat(parse("--mqtt.embedded=false").mqttEmbedded).isFalse();
        assertThat(parse("--mqtt.max-payload-size=64KiB").mqttMaxPayloadSize).isEqualTo(65536);
        assertThat(parse("--mqtt.keep-alive=2m").mqttKeepAlive).isEqualTo(Duration.ofMinutes(2));
        assertThat(parse("--mqtt.keep-alive=45").mqttKeepAlive).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void badMqttValuesAreRefusedWithTheValueNamed() {
        assertThatThrownBy(() -> parse("--mqtt.protocol=4")).hasMessageContaining("invalid --mqtt.protocol \"4\"")
                .hasMessageContaining("auto, 5, 3.1.1");
        assertThatThrownBy(() -> parse("--mqtt.retained=never")).hasMessageContaining("invalid --mqtt.retained \"never\"");
        assertThatThrownBy(() -> parse("--mqtt.max-payload-size=big")).hasMessageContaining("invalid size \"big\"");
        assertThatThrownBy(() -> parse("--mqtt.keep-alive=soon")).hasMessageContaining("--mqtt.keep-alive");
    }

    @Test
    void helpDocumentsEveryMqttFlag() {
        String help = usage();

        for (String flag : new String[] {"--mqtt.url", "--mqtt.username", "--mqtt.password-file", "--mqtt.ca-file",
                "--mqtt.cert-file", "--mqtt.key-file", "--mqtt.client-id", "--mqtt.protocol", "--mqtt.topic-prefix",
                "--mqtt.retained", "--mqtt.max-payload-size", "--mqtt.status-topic", "--mqtt.embedded",
                "--mqtt.listen-address", "--mqtt.keep-alive", "--mqtt.embedded.password-file",
                "--mqtt.embedded.acl-file", "--mqtt.embedded.allow-anonymous", "--mqtt.embedded.max-connections"}) {
            assertThat(help).contains(flag);
        }
    }
}
