package io.tidegate.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.format.Durations;
import io.tidegate.cli.Flags;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile, checked without a Docker engine (none runs on these machines): a Maven build stage
 * that makes the jar Maven really makes, a Java 17 runtime stage that copies exactly that jar, runs it as
 * a user other than root through the launcher (bin/tidegate, with its class archive recorded at build
 * time), keeps --persistence.file on a volume and checks itself with the jar's own
 * {@code healthcheck}.
 */
class DockerfileTest {
    private static final Path DOCKERFILE = Path.of("Dockerfile");

    /** One instruction: its keyword and its arguments, continuation lines joined. */
    record Instruction(String keyword, String arguments) {}

    static List<List<Instruction>> stages() throws IOException {
        List<List<Instruction>> stages = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        for (String line : Files.readAllLines(DOCKERFILE)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || trimmed.isEmpty() && pending.isEmpty()) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                pending.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            String whole = pending.append(trimmed).toString().strip();
            pending.setLength(0);
            String[] parts = whole.split("\\s+", 2);
            Instruction instruction = new Instruction(parts[0].toUpperCase(), parts.length > 1 ? parts[1] : "");
            if (instruction.keyword().equals("FROM")) {
                stages.add(new ArrayList<>());
            }
            assertThat(stages).as("an instruction before the first FROM: " + whole).isNotEmpty();
            stages.get(stages.size() - 1).add(instruction);
        }
        return stages;
    }

    private static List<String> arguments(List<Instruction> stage, String keyword) {
        return stage.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
    }

    /** The words of an exec-form JSON array such as {@code ["java", "-jar", "x.jar"]}. */
    private static List<String> execForm(String arguments) {
        assertThat(arguments).as("exec form (a JSON array), so signals reach Java directly").startsWith("[").endsWith("]");
        List<String> words = new ArrayList<>();
        Matcher word = Pattern.compile("\"([^\"]*)\"").matcher(arguments);
        while (word.find()) {
            words.add(word.group(1));
        }
        return words;
    }

    @Test
    void theBuildStageRunsMavenPackageOnAMavenTemurin17Image() throws IOException {
        List<Instruction> build = stages().get(0);

        assertThat(build.get(0).arguments()).matches("maven:\\S*eclipse-temurin-17\\S* AS build");
        assertThat(arguments(build, "RUN")).anyMatch(run -> run.contains("mvn -B -q package -DskipTests"));
        assertThat(arguments(build, "COPY")).contains("pom.xml .", "src ./src");
    }

    @Test
    void theRuntimeCopiesTheJarMavenBuildsAndRunsItAsAnUnprivilegedUser() throws IOException {
        List<List<Instruction>> stages = stages();
        assertThat(stages).hasSize(2);
        List<Instruction> runtime = stages.get(1);
        String pom = Files.readString(Path.of("pom.xml"));

        assertThat(runtime.get(0).arguments()).matches("eclipse-temurin:17-jre\\S*");
        assertThat(pom).contains("<finalName>tidegate</finalName>"); // so Maven writes target/tidegate.jar
        assertThat(arguments(runtime, "COPY")).containsExactly("--from=build /build/target/tidegate.jar /app/tidegate.jar",
                "--from=build /build/bin/tidegate /app/tidegate");
        assertThat(arguments(stages.get(0), "COPY")).contains("bin ./bin"); // the build runs the launcher (class archive)
        assertThat(arguments(stages.get(0), "WORKDIR")).containsExactly("/build");
        List<String> users = arguments(runtime, "USER");
        assertThat(users).hasSize(1);
        assertThat(users.get(0)).isNotIn("root", "0", "0:0", "root:root");
        assertThat(arguments(runtime, "RUN")).anyMatch(run -> run.contains("useradd") && run.contains(users.get(0)));
        int userAt = runtime.indexOf(new Instruction("USER", users.get(0)));
        int entrypointAt = runtime.indexOf(runtime.stream().filter(i -> i.keyword().equals("ENTRYPOINT")).findFirst().orElseThrow());
        assertThat(userAt).as("USER comes before the entry point").isLessThan(entrypointAt);
        // the class archive is recorded at build time, where /app can still be written, for the image's own Java
        int archiveAt = runtime.indexOf(new Instruction("RUN", "/app/tidegate --version"));
        assertThat(archiveAt).as("RUN /app/tidegate --version").isPositive().isLessThan(userAt);
    }

    @Test
    void theEntryPointRunsTheJarWithFlagsTidegateAccepts() throws IOException {
        List<Instruction> runtime = stages().get(1);
        List<String> entrypoint = execForm(arguments(runtime, "ENTRYPOINT").get(0));
        List<String> command = execForm(arguments(runtime, "CMD").get(0));

        assertThat(entrypoint).containsExactly("/app/tidegate"); // the launcher, beside /app/tidegate.jar
        Flags flags = new Flags();
        Flags.commandLine(flags).parseArgs(command.toArray(String[]::new));
        assertThat(flags.persistenceFile).isEqualTo("/data/tidegate.db");
        assertThat(arguments(runtime, "VOLUME")).containsExactly("/data");
        assertThat(arguments(runtime, "EXPOSE")).containsExactly("9091 1883");
    }

    @Test
    void theHealthCheckIsTheJarsOwnSubcommand() throws IOException {
        List<String> healthchecks = arguments(stages().get(1), "HEALTHCHECK");
        assertThat(healthchecks).hasSize(1);
        String[] optionsAndCommand = healthchecks.get(0).split("\\s+CMD\\s+", 2);
        assertThat(optionsAndCommand).hasSize(2);
        List<String> command = execForm(optionsAndCommand[1]);

        assertThat(command.get(0)).isEqualTo("java");
        assertThat(command).endsWith("-jar", "/app/tidegate.jar", new io.tidegate.cli.HealthCheck().name());
        // Docker's limit leaves the JVM time to start on top of the check's own 3 s default
        String dockerTimeout = Arrays.stream(optionsAndCommand[0].split("\\s+"))
                .filter(option -> option.startsWith("--timeout=")).findFirst().orElseThrow();
        assertThat(Durations.parse(dockerTimeout.substring("--timeout=".length()))).isGreaterThanOrEqualTo(Duration.ofSeconds(6));
    }

    @Test
    void theBuildContextHoldsOnlyWhatTheBuildNeeds() throws IOException {
        List<String> rules = Files.readAllLines(Path.of(".dockerignore")).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#")).toList();

        assertThat(rules).containsExactly("*", "!pom.xml", "!src", "!bin");
    }
}
