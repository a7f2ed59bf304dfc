package io.tidegate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.cli.Flags;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Model.OptionSpec;

/** The command line as a new user meets it: help, the commands, mistakes. */
class CommandLineTest {
    private record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Tidegate.runCommand(args, new Flags(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpListsTheCommandsAndEveryFlagUnderItsPartWithItsDefault() {
        Run help = run("--help");

        assertThat(help.status()).isZero();
        assertThat(help.out()).startsWith("usage: tidegate [<flags>]\n       tidegate <command> [<args>]\n")
                .contains("\nCommands:\n  help [<command>]").contains("\n  mappings test <flags>")
                .contains("\n  healthcheck [<flags>]").contains("\n  selftest")
                .contains("\nWeb:\n").contains("\nPersistence:\n").contains("\nPush limits:\n").contains("\nStore limits:\n")
                .contains("\nExpiry:\n").contains("\nMQTT:\n").contains("\nEmbedded MQTT broker (without --mqtt.url):\n")
                .contains("\nLogging:\n");
        String[] lines = help.out().split("\n");
        for (OptionSpec option : Flags.commandLine(new Flags()).getCommandSpec().options()) {
            String name = option.negatable() ? "--[no-]" + option.longestName().substring(2) : option.longestName();
            assertThat(Arrays.stream(lines).filter(line -> line.matches("  (-[hV], )?"
                    + java.util.regex.Pattern.quote(name) + "([= ].*)?"))).as(name + " on a line of its own, whole").hasSize(1);
        }
        String flowing = help.out().replaceAll("\\s+", " ");
        assertThat(flowing).contains("--web.listen-address=<address> Address to listen on for the web interface, API and"
                + " telemetry; repeatable, to listen on several (default: :9091).")
                .contains("--persistence.interval=<duration> How often the journal is compacted into a snapshot of"
                        + " --persistence.file (default: 5m).")
                .contains("--mqtt.topic-prefix=<prefix> Topics <prefix>/job/<job>{/<label>/<value>} carry metric groups"
                        + " (default: metrics).");
        assertThat(lines).allSatisfy(line -> assertThat(line.length() <= 80 || !line.strip().contains(" "))
                .as("%s fits 80 columns", line).isTrue());
    }

    @Test
    void helpAsAWordIsTheSameHelpAndShowsEachCommandsOwn() {
        assertThat(run("help")).isEqualTo(run("--help"));

        Run mappings = run("help", "mappings");
        assertThat(mappings.status()).isZero();
        assertThat(mappings.out()).startsWith("usage: tidegate mappings test --config FILE --topic TOPIC --payload PAYLOAD")
                .contains("--retained");
        assertThat(run("mappings", "--help")).isEqualTo(mappings);
        assertThat(run("help", "healthcheck").out()).contains("--url=<url>").contains("--timeout=<duration>");
        assertThat(run("help", "selftest").out()).startsWith("usage: tidegate selftest");

        Run unknown = run("help", "frobnicate");
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err()).isEqualTo("tidegate help: no command \"frobnicate\"; the commands are help, mappings,"
                + " healthcheck, selftest\n");
    }

    @Test
    void aMistypedFlagOrCommandGetsTheClosestOneSuggested() {
        assertThat(run("--web.listen-adress=:9091")).isEqualTo(new Run(2, "", "tidegate: error: unknown flag"
                + " --web.listen-adress=:9091, did you mean --web.listen-address? (try --help)\n"));
        assertThat(run("--ttl.defualt", "5m").err()).contains("did you mean --ttl.default?");
        assertThat(run("--no-mqtt.embeded").err()).contains("did you mean --no-mqtt.embedded?");
        assertThat(run("--frobnicate=yes").err()).isEqualTo("tidegate: error: unknown flag --frobnicate=yes"
                + " (try --help)\n");
        assertThat(run("mapings", "test").err()).isEqualTo("tidegate: error: unexpected argument mapings, did you mean"
                + " mappings? (try --help)\n");
        assertThat(run("--web.listen-address").err()).startsWith("tidegate: error: Missing required parameter for option"
                + " '--web.listen-address'");
    }

    /**
     * Every flag of upstream 1.11's main.go (exporter-toolkit's web flags, its own, promslog's), with
     * values a unit file gives them, in kingpin's forms (bare booleans, {@code --flag value}), is taken
     * and Tidegate starts on it, listening on both addresses ({@code --web.systemd-socket} cannot apply
     * and is said so). One flag is Tidegate's, {@code --no-mqtt.embedded}, so that no broker takes port
     * 1883.
     */
    @Test
    void anUpstreamUnitFilesCommandLineStartsTidegate(@TempDir Path dir) throws Exception {
        Path webConfig = Files.writeString(dir.resolve("web-config.yml"),
                "http_server_config:\n  headers:\n    X-Frame-Options: deny\n");
        int first = freePort("127.0.0.1");
        int second = freePort("127.0.0.2");
        String[] unitFile = {
            "--web.listen-address=127.0.0.1:" + first, "--web.listen-address", "127.0.0.2:" + second,
            "--web.systemd-socket",
            "--web.config.file=" + webConfig,
            "--web.telemetry-path=/metrics",
            "--web.external-url=http://localhost:9091/gateway/", "--web.route-prefix=/gateway",
            "--web.enable-lifecycle", "--web.enable-admin-api",
            "--persistence.file=" + dir.resolve("pushgateway.db"), "--persistence.interval=5m0s",
            "--push.disable-consistency-check", "--push.enable-utf8-names",
            "--log.level", "INFO", "--log.format=logfmt",
            "--no-mqtt.embedded"};
        Flags flags = new Flags();

        assertThat(Tidegate.runCommand(unitFile, flags, System.out, System.err)).as("flags taken, server to start")
                .isEqualTo(-1);
        try (Tidegate tidegate = Tidegate.start(flags, Clock.systemUTC())) {
            for (TestHttp http : List.of(new TestHttp("127.0.0.1", first), new TestHttp("127.0.0.2", second))) {
                TestHttp.Answer pushed = http.put("/gateway/metrics/job/unit", "x 1\n");
                assertThat(pushed.status()).as("an unchecked push").isEqualTo(202);
                assertThat(pushed.header("X-Frame-Options")).isEqualTo("deny");
                assertThat(http.get("/gateway/metrics").body()).contains("x{instance=\"\",job=\"unit\"} 1");
                assertThat(http.put("/gateway/metrics/job/unit/U__site_2e_id/s1", "{\"room.temp\"} 21\n").status())
                        .as("a UTF-8 name, taken with --push.enable-utf8-names").isEqualTo(202);
            }
            assertThat(tidegate.httpPort()).isEqualTo(first);
            assertThat(new TestHttp(first).put("/gateway/api/v1/admin/wipe", "").status()).isEqualTo(202);
        }
        assertThat(flags.notApplied()).as("said at start, one warning line each").containsExactly(
                "--web.systemd-socket is not supported (the JVM cannot take systemd's listening sockets); listening on "
                        + "--web.listen-address 127.0.0.1:" + first + ",127.0.0.2:" + second + " instead, so stop the "
                        + "socket unit that holds the port");
        flags = new Flags();
        Tidegate.runCommand(new String[] {"--web.systemd-socket", "--web.listen-address=vsock://:9091"}, flags,
                System.out, System.err);
        assertThat(flags.notApplied()).hasSize(2);
        Flags onlyVsock = flags;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Tidegate.start(onlyVsock, Clock.systemUTC()))
                .hasMessage("no --web.listen-address that Tidegate can listen on (vsock:// is not supported)");
    }

    private static int freePort(String address) throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(address))) {
            return socket.getLocalPort();
        }
    }

    @Test
    void upstreamsFlagsThatPrintSomethingPrintItAndExit() {
        assertThat(run("--help-long")).isEqualTo(run("--help"));

        Run man = run("--help-man");
        assertThat(man.status()).isZero();
        assertThat(man.out()).startsWith(".TH TIDEGATE 1 ").contains("\n.SH NAME\ntidegate \\- A Prometheus push gateway")
                .contains("\n.SH WEB\n").contains("\n.TP\n\\fB\\-\\-web.listen\\-address=<address>\\fR\n");

        for (String shell : List.of("bash", "zsh")) {
            Run completion = run("--completion-script-" + shell);
            assertThat(completion.status()).isZero();
            assertThat(completion.out()).contains("complete -F _complete_tidegate").contains("bashcompinit")
                    .contains("'--web.listen-address'").contains("'--help-man'");
        }
    }

    @Test
    void goodFlagsStartTheServerAndVersionPrintsItself() {
        assertThat(run("--web.listen-address=:0", "--ttl.default=5m").status()).isEqualTo(-1);
        Run version = run("--version");
        assertThat(version.status()).isZero();
        assertThat(version.out()).startsWith("tidegate, version ");
    }
}
