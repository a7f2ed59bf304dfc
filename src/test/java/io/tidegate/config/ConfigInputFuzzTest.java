package io.tidegate.config;

import io.tidegate.ttl.LabelMatcher;
import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.fuzz.FuzzBudget;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Whatever text an operator (or a fuzzer) writes as a matcher, a selector or a whole configuration
 * file, Tidegate either reads it or says what is wrong in one line: never another exception, never
 * a crash.
 */
@AddLifecycleHook(FuzzBudget.class)
class ConfigInputFuzzTest {
    private static final List<String> PROMQL_PIECES = List.of("{", "}", ",", "=", "!", "~", "=~", "!=", "!~", "\"", "'",
            "`", "\\", "\\\\", "\\\"", "\\u", "\\U", "\\x", "\\0", "\\377", "00e9", "D800", "job", "room", "a", "_", "1",
            "7", "f", "(", ")", "*", ".", "+", "?", "|", "[", "]", "^", "$", " ", "\n", "\t", "é", "😀", "\uD800",
            "__name__", "sensor.*", "\\d", "{1000}", "(?P<x>a)", "(?<x>a)\\k<x>", "\\Q", "\\E", "[[:alpha:]]", "\u0000");

    private static final List<String> YAML_PIECES = List.of("ttl_rules:", "\n", "  ", "    ", "- ", "-", "match: ",
            "source: ", "ttl: ", "mqtt_mappings: ", "5m", "0", "-1", "1e9", "mqtt", "http", "tcp", "'{job=~\"sensor.*\"}'",
            "'{job=~\"a(\"}'", "'{job=\"a\", room!=\"lab\"}'", "['job=\"a\"', 'b!~\"c\"']", "{job=\"a\"}", "[", "]", "{",
            "}", ",", ":", ": ", "&a ", "*a", "!!binary ", "!!int ", "!custom ", "? ", "---", "...", "# c", "\"", "'",
            "|", ">", "\t", "~", "null", "\\", "%YAML 1.2\n", "<<: ", "@", "`", "\u0001", "\uFEFF", "é", "😀", "\r\n",
            "topic_prefix: ", "when: ", "key_match: ", "index_label: ", "where: ", "'POWER(?<channel>[0-9]*)'", "(?<",
            "'params.*.tC'", "'+node'", "channel", "*prefix", "&prefix ");

    /** The example configuration and the shipped mapping files that use the most rule keys. */
    private static final List<String> EXAMPLES = List.of(read(Path.of("examples/tidegate.yml")),
            read(Path.of("examples/mappings/shelly-gen2.yml")), read(Path.of("examples/mappings/esphome.yml")),
            read(Path.of("examples/mappings/tasmota.yml")));

    private static Path fuzzDir;

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeContainer
    static void createDirectory() throws IOException {
        fuzzDir = Files.createTempDirectory("tidegate-config-fuzz");
    }

    @AfterContainer
    static void deleteDirectory() throws IOException {
        try (Stream<Path> files = Files.walk(fuzzDir)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.delete(path);
            }
        }
    }

    @Provide
    Arbitrary<String> promqlText() {
        Arbitrary<String> pieces = Arbitraries.of(PROMQL_PIECES).list().ofMaxSize(30).map(list -> String.join("", list));
        return Arbitraries.oneOf(pieces, Arbitraries.strings().ofMaxLength(40),
                pieces.map(text -> "{job=\"a\", " + text + "}"), pieces.map(text -> "room=~\"" + text + "\""));
    }

    @Provide
    Arbitrary<String> yamlText() {
        Arbitrary<String> pieces = Arbitraries.of(YAML_PIECES).list().ofMaxSize(60).map(list -> String.join("", list));
        Arbitrary<String> mutatedExample = Combinators.combine(Arbitraries.of(EXAMPLES),
                        Arbitraries.integers().between(0, EXAMPLES.stream().mapToInt(String::length).max().orElseThrow())
                                .list().ofMinSize(1).ofMaxSize(6),
                        Arbitraries.integers().between(0, 8),
                        Arbitraries.of(YAML_PIECES).list().ofMinSize(6).ofMaxSize(6))
                .as((example, positions, deleted, inserted) -> {
                    StringBuilder text = new StringBuilder(example);
                    for (int i = 0; i < positions.size(); i++) {
                        int at = Math.min(positions.get(i), text.length());
                        text.replace(at, Math.min(at + (i == 0 ? deleted : 0), text.length()), inserted.get(i));
                    }
                    return text.toString();
                });
        return Arbitraries.oneOf(pieces, mutatedExample, Arbitraries.strings().ofMaxLength(200));
    }

    @Property(tries = 3000)
    void anyTextGivenAsAMatcherIsReadOrRefusedWithAMessage(@ForAll("promqlText") String text) {
        LabelMatcher matcher;
        try {
            matcher = LabelMatcher.parse(text);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
            return;
        }
        assertThat(LabelMatcher.parse(matcher.toString())).isEqualTo(matcher);
        matcher.matches(text);
        matcher.matches(null);
    }

    @Property(tries = 3000)
    void anyTextGivenAsASelectorIsReadOrRefusedWithAMessage(@ForAll("promqlText") String text) {
        List<LabelMatcher> matchers;
        try {
            matchers = LabelMatcher.parseSelector(text);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
            return;
        }
        String printed = matchers.stream().map(LabelMatcher::toString).collect(Collectors.joining(", ", "{", "}"));
        assertThat(LabelMatcher.parseSelector(printed)).isEqualTo(matchers);
    }

    @Property(tries = 2000)
    void anyConfigurationFileIsLoadedOrRefusedWithAMessageNamingIt(@ForAll("yamlText") String yaml) throws IOException {
        Path file = fuzzDir.resolve("tidegate.yml");
        Files.write(file, yaml.getBytes(StandardCharsets.UTF_8));
        try {
            ConfigFile.load(file);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).startsWith(file + ": ").doesNotContain("\n");
        }
    }
}
