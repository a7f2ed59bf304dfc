package io.tidegate.config;

import io.tidegate.ttl.TtlRule;
import io.tidegate.ttl.TtlRules;
import static io.tidegate.TestKeys.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidegate.store.Source;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
    @TempDir
    Path dir;

    private Path file;

    @BeforeEach
    void nameTheFile() {
        file = dir.resolve("tidegate.yml");
    }

    private ConfigFile load(String yaml) throws Exception {
        Files.writeString(file, yaml);
        return ConfigFile.load(file);
    }

    private AbstractThrowableAssert<?, ? extends Throwable> loading(String yaml) throws IOException {
        Files.writeString(file, yaml);
        return assertThatThrownBy(() -> ConfigFile.load(file)).isInstanceOf(ConfigException.class);
    }

    @Test
    void exampleFileLoadsAndSaysWhatItsCommentsSay() throws Exception {
        TtlRules rules = ConfigFile.load(Path.of("examples/tidegate.yml")).ttlRules();

        assertThat(rules.size()).isEqualTo(5);
        assertThat(rules.ttlFor(key("job", "sensor-1", "room", "kitchen"), Source.Kind.MQTT)).contains(Duration.ofMinutes(5));
        assertThat(rules.ttlFor(key("job", "sensor-1"), Source.Kind.MQTT)).contains(Duration.ofMinutes(5));
        assertThat(rules.ttlFor(key("job", "sensor-1", "room", "lab"), Source.Kind.MQTT)).contains(Duration.ofHours(1));
        assertThat(rules.ttlFor(key("job", "sensor-1", "room", "kitchen"), Source.Kind.HTTP)).contains(Duration.ofHours(1));
        assertThat(rules.ttlFor(key("job", "backup", "instance", "db1"), Source.Kind.HTTP)).contains(Duration.ofHours(26));
        assertThat(rules.ttlFor(key("job", "migration"), Source.Kind.HTTP)).contains(Duration.ZERO);
        assertThat(rules.ttlFor(key("job", "other"), Source.Kind.MQTT)).isEmpty();
    }

    @Test
    void anEmojiAcrossTheYamlReadersBufferBoundaryIsRead() throws Exception {
        // found by ConfigInputFuzzTest: snakeyaml-engine 2.x threw IndexOutOfBoundsException when a surrogate pair
        // straddled its 1,024-character read buffer
        for (int padding = 1010; padding < 1030; padding++) {
            ConfigFile config = load("ttl_rules: []\n#" + "x".repeat(padding) + "\uD83D\uDE00\n");
            assertThat(config.ttlRules().size()).isZero();
        }
    }

    @Test
    void rulesKeepTheirFileOrder() throws Exception {
        ConfigFile config = load("""
                ttl_rules:
                  - match: '{job=~"sensor.*", room!="lab"}'
                    source: mqtt
                    ttl: 5m
                  - match: '{job="backup"}'
                    ttl: 26h
                """);

        assertThat(config.ttlRules()).hasToString("ttl_rules[1] {job=~\"sensor.*\", room!=\"lab\"} source=mqtt ttl=5m;"
                + " ttl_rules[2] {job=\"backup\"} source=any ttl=1d2h");
    }

    @Test
    void matchAsAListOfMatchersEqualsTheSelector() throws Exception {
        ConfigFile asList = load("""
                ttl_rules:
                  - match: ['job=~"sensor.*"', "room!=\\"lab\\""]
                    ttl: 5m
                """);
        ConfigFile asSelector = load("""
                ttl_rules:
                  - match: '{job=~"sensor.*", room!="lab"}'
                    ttl: 5m
                """);

        assertThat(asList).isEqualTo(asSelector);
    }

    @Test
    void ttlTakesPrometheusDurationsAndPlainSeconds() throws Exception {
        ConfigFile config = load("""
                ttl_rules:
                  - {match: '{job="a"}', ttl: 1h30m}
                  - {match: '{job="b"}', ttl: 300}
                  - {match: '{job="c"}', ttl: 2.5}
                  - {match: '{job="d"}', ttl: "2d"}
                  - {match: '{job="e"}', ttl: 0}
                """);

        assertThat(config.ttlRules().rules()).extracting(TtlRule::ttl).containsExactly(Duration.ofMinutes(90),
                Duration.ofMinutes(5), Duration.ofMillis(2500), Duration.ofDays(2), Duration.ZERO);
    }

    @Test
    void ruleWithoutMatchAppliesToEveryGroup() throws Exception {
        ConfigFile config = load("""
                ttl_rules:
                  - source: http
                    ttl: 1h
                  - match:
                    ttl: 2h
                """);

        assertThat(config.ttlRules().ttlFor(key("job", "x"), Source.Kind.HTTP)).contains(Duration.ofHours(1));
        assertThat(config.ttlRules().ttlFor(key("job", "x"), Source.Kind.MQTT)).contains(Duration.ofHours(2));
    }

    @Test
    void emptyFilesAndSectionsMeanNoRules() throws Exception {
        assertThat(load("")).isEqualTo(ConfigFile.empty());
        assertThat(load("# nothing yet\n")).isEqualTo(ConfigFile.empty());
        assertThat(load("ttl_rules:\n")).isEqualTo(ConfigFile.empty());
        assertThat(load("ttl_rules: []\n").ttlRules().size()).isZero();
    }

    @Test
    void missingFileIsNamed() {
        assertThatThrownBy(() -> ConfigFile.load(file)).isInstanceOf(ConfigException.class)
                .hasMessage(file + ": cannot read the configuration file: no such file");
    }

    @Test
    void directoryIsNotAFile() {
        assertThatThrownBy(() -> ConfigFile.load(dir)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(dir + ": cannot read the configuration file: ");
    }

    @Test
    void fileThatIsNotUtf8IsRefused() throws Exception {
        Files.write(file, "ttl_rules:\n  - ttl: 5m # \u00e9\n".getBytes(StandardCharsets.ISO_8859_1));

        assertThatThrownBy(() -> ConfigFile.load(file)).isInstanceOf(ConfigException.class)
                .hasMessage(file + ": cannot read the configuration file: it is not UTF-8 text");
    }

    @Test
    void yamlSyntaxErrorSaysWhere() throws Exception {
        loading("""
                ttl_rules:
                  - match: '{job="a"}'
                    ttl: 5m
                   source: http
                """).hasMessage(file + ": YAML syntax error at line 4, column 4: expected <block end>, but found"
                + " '<block mapping start>' (while parsing a block collection at line 2, column 3)");
        loading("ttl_rules:\n  - match: '{job=\"a\"}\n    ttl: 5m\n").hasMessage(file + ": YAML syntax error at line 4,"
                + " column 1: found unexpected end of stream (while scanning a quoted scalar at line 2, column 12)");
        loading("\tttl_rules:\n").hasMessageStartingWith(file + ": YAML syntax error at line 1, column 1: found character"
                + " '\\t(TAB)' that cannot start any token.");
        loading("x: \u0001\n").hasMessage(file + ": YAML syntax error at line 1, column 4: character U+0001 is not"
                + " allowed in YAML");
    }

    @Test
    void oneDocumentOnly() throws Exception {
        loading("ttl_rules: []\n---\nttl_rules: []\n").hasMessage(file + ": YAML syntax error at line 2, column 1:"
                + " expected a single document in the stream, but found another document");
    }

    @Test
    void absurdNestingAndAliasBombsAreRefused() throws Exception {
        loading("[".repeat(1000)).hasMessage(file + ": YAML nested deeper than 50 levels at line 1, column 51");
        StringBuilder bomb = new StringBuilder("a: &a [x, x]\n");
        for (int i = 1; i < 60; i++) {
            bomb.append("a").append(i).append(": &a").append(i).append(" [*a").append(i == 1 ? "" : i - 1)
                    .append(", *a").append(i == 1 ? "" : i - 1).append("]\n");
        }
        loading(bomb.toString()).hasMessage(file + ": invalid YAML: Number of aliases for non-scalar nodes exceeds"
                + " the specified max=50");
    }

    @Test
    void unknownTopLevelKeysAreNamed() throws Exception {
        loading("ttl_rule:\n  - ttl: 5m\n").hasMessage(file + ": unknown top-level key \"ttl_rule\" (line 1); known: ttl_rules, mqtt_mappings");
        loading("mqtt_rules: []\nttl_rules: []\nretention: 5m\n").hasMessage(file + ": unknown top-level keys"
                + " \"mqtt_rules\" (line 1), \"retention\" (line 3); known: ttl_rules, mqtt_mappings");
    }

    @Test
    void topLevelMustBeAMapping() throws Exception {
        loading("- ttl: 5m\n").hasMessage(file + ": expected a mapping of sections (ttl_rules, mqtt_mappings) at the top, found a list");
        loading("5m\n").hasMessage(file + ": expected a mapping of sections (ttl_rules, mqtt_mappings) at the top, found the string \"5m\"");
        loading("? [a]\n: b\n").hasMessage(file + ": expected a name as top-level key, found a list (line 1)");
        loading("ttl_rules: []\nttl_rules: []\n").hasMessage(file + ": duplicate top-level key \"ttl_rules\" (lines 1 and 2)");
    }

    @Test
    void ttlRulesMustBeAListOfMappings() throws Exception {
        loading("ttl_rules: 5m\n").hasMessage(file + ": ttl_rules (line 1): expected a list of rules, found the string \"5m\"");
        loading("ttl_rules:\n  - 5m\n").hasMessage(file + ": ttl_rules[1] (line 2): expected a rule (a mapping with"
                + " match, source and ttl), found the string \"5m\"");
    }

    @Test
    void unknownKeyInARuleIsNamed() throws Exception {
        loading("""
                ttl_rules:
                  - match: '{job="a"}'
                    tll: 5m
                """).hasMessage(file + ": ttl_rules[1] (line 2): unknown key \"tll\" (line 3); known: match, source, ttl");
    }

    @Test
    void duplicateKeyInARuleIsRefused() throws Exception {
        loading("ttl_rules:\n  - ttl: 5m\n    ttl: 6m\n").hasMessage(file + ": ttl_rules[1] (line 2): duplicate key"
                + " \"ttl\" (lines 2 and 3)");
    }

    @Test
    void invalidDurationNamesTheRuleItsLineAndTheValue() throws Exception {
        loading("""
                # TTL rules for the house
                ttl_rules:
                  - match: '{job="a"}'
                    ttl: 5m

                  # the heating
                  - match: '{job="boiler"}'
                    ttl: 5x
                """).hasMessage(file + ": ttl_rules[2] (line 7): ttl \"5x\": invalid duration \"5x\": unknown or missing"
                + " unit at position 2 (use y, w, d, h, m, s or ms)");
        loading("ttl_rules:\n  - ttl: -5m\n").hasMessage(file + ": ttl_rules[1] (line 2): ttl \"-5m\": invalid duration"
                + " \"-5m\": expected a number at position 1");
        loading("ttl_rules:\n  - ttl: [5m]\n").hasMessage(file + ": ttl_rules[1] (line 2): ttl: expected a duration"
                + " such as 5m, or 0 to never expire, found a list");
    }

    @Test
    void messagesStayOnOneLineWhateverTheValue() throws Exception {
        loading("ttl_rules:\n  - ttl: \"5m\\nand\\tmore\"\n").hasMessage(file + ": ttl_rules[1] (line 2): ttl"
                + " \"5m\\nand\\tmore\": invalid duration \"5m\\nand\\tmore\": expected a number at position 3");
    }

    @Test
    void missingTtlIsAnError() throws Exception {
        loading("ttl_rules:\n  - match: '{job=\"a\"}'\n").hasMessage(file + ": ttl_rules[1] (line 2): ttl: missing;"
                + " every rule needs one (a duration such as 5m, or 0 to never expire)");
        loading("ttl_rules:\n  - match: '{job=\"a\"}'\n    ttl:\n").hasMessage(file + ": ttl_rules[1] (line 2): ttl:"
                + " missing; every rule needs one (a duration such as 5m, or 0 to never expire)");
    }

    @Test
    void invalidRegexNamesTheRegexAndTheMatcher() throws Exception {
        loading("""
                ttl_rules:
                  - match: '{job=~"sensor("}'
                    ttl: 5m
                """).hasMessage(file + ": ttl_rules[1] (line 2): match: invalid regex \"sensor(\" in matcher"
                + " job=~\"sensor(\": unclosed group at the end");
    }

    @Test
    void invalidSelectorSaysWhatWasExpected() throws Exception {
        loading("ttl_rules:\n  - match: 'job=\"a\"'\n    ttl: 5m\n").hasMessage(file + ": ttl_rules[1] (line 2): match:"
                + " invalid selector job=\"a\": expected \"{\" (a selector is written {name=\"value\", ...}), found \"j\""
                + " at position 1");
    }

    @Test
    void unquotedSelectorIsExplained() throws Exception {
        loading("ttl_rules:\n  - match: {job=\"a\"}\n    ttl: 5m\n").hasMessage(file + ": ttl_rules[1] (line 2): match:"
                + " expected a selector such as '{job=\"backup\"}' in quotes, found a mapping (unquoted, YAML reads {...}"
                + " as a mapping)");
    }

    @Test
    void badMatcherInAListIsNamedByItsIndex() throws Exception {
        loading("ttl_rules:\n  - match: ['job=\"a\"', 'room=lab']\n    ttl: 5m\n").hasMessage(file + ": ttl_rules[1]"
                + " (line 2): match[2]: invalid matcher room=lab: expected a quoted value (\"...\", '...' or `...`),"
                + " found \"l\" at position 6");
        loading("ttl_rules:\n  - match: ['job=\"a\"', [x]]\n    ttl: 5m\n").hasMessage(file + ": ttl_rules[1] (line 2):"
                + " match[2]: expected a matcher such as 'job=~\"sensor.*\"', found a list");
    }

    @Test
    void unknownSourceIsRefused() throws Exception {
        loading("ttl_rules:\n  - source: tcp\n    ttl: 5m\n").hasMessage(file + ": ttl_rules[1] (line 2): source \"tcp\":"
                + " expected http or mqtt");
        loading("ttl_rules:\n  - source: [http]\n    ttl: 5m\n").hasMessage(file + ": ttl_rules[1] (line 2): source:"
                + " expected http or mqtt, found a list");
    }
}
