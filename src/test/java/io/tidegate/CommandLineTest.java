package io.tidegate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.cli.Flags;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
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
                + " telemetry (default: :9091).")
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

    @Test
    void goodFlagsStartTheServerAndVersionPrintsItself() {
        assertThat(run("--web.listen-address=:0", "--ttl.default=5m").status()).isEqualTo(-1);
        Run version = run("--version");
        assertThat(version.status()).isZero();
        assertThat(version.out()).startsWith("tidegate, version ");
    }
}
