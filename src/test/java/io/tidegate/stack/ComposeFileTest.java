package io.tidegate.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.cli.Flags;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * docker-compose.yml and the files it mounts fit together (its syntax is checked by docker-compose
 * itself in {@link StackToolsIT}): every file it mounts exists, and every path a configuration names
 * inside a container is one that is mounted there. A bind mount of a missing file would make Docker
 * create an empty directory in its place, and the service fail at start.
 */
class ComposeFileTest {
    private static final Path COMPOSE = Path.of("docker-compose.yml");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(Path file) throws IOException {
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> service(String name) throws IOException {
        return (Map<String, Object>) ((Map<String, Object>) yaml(COMPOSE).get("services")).get(name);
    }

    /** A service's bind mounts: container path to the repository file or directory mounted there. */
    @SuppressWarnings("unchecked")
    private static Map<String, Path> bindMounts(String service) throws IOException {
        Map<String, Path> mounts = new HashMap<>();
        for (String volume : (List<String>) service(service).getOrDefault("volumes", List.of())) {
            String[] parts = volume.split(":");
            if (parts[0].startsWith("./")) {
                mounts.put(parts[1], Path.of(parts[0]));
            }
        }
        return mounts;
    }

    @SuppressWarnings("unchecked")
    private static List<String> command(String service) throws IOException {
        return (List<String>) service(service).get("command");
    }

    /** The value of {@code --name=value} in a command. */
    private static String flag(List<String> command, String name) {
        return command.stream().filter(word -> word.startsWith(name + "=")).map(word -> word.substring(name.length() + 1))
                .findFirst().orElseThrow(() -> new AssertionError("no " + name + " in " + command));
    }

    /** The value of a {@code key value} line of mosquitto.conf. */
    private static String mosquittoSetting(String key) throws IOException {
        return Files.readAllLines(Path.of("mosquitto", "mosquitto.conf")).stream()
                .filter(line -> line.startsWith(key + " ")).map(line -> line.substring(key.length() + 1).strip())
                .findFirst().orElseThrow(() -> new AssertionError("no " + key + " in mosquitto.conf"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyMountedFileExistsAndTheImageIsBuiltFromTheDockerfile() throws IOException {
        Map<String, Object> services = (Map<String, Object>) yaml(COMPOSE).get("services");
        assertThat(services).containsOnlyKeys("tidegate", "mosquitto", "prometheus", "grafana");
        for (String service : services.keySet()) {
            assertThat(bindMounts(service).values()).as(service).allSatisfy(source -> assertThat(source).exists());
        }
        Map<String, Object> secrets = (Map<String, Object>) yaml(COMPOSE).get("secrets");
        for (Object secret : secrets.values()) {
            assertThat(Path.of((String) ((Map<String, Object>) secret).get("file"))).isRegularFile();
        }
        assertThat(service("tidegate").get("build")).isEqualTo(".");
        assertThat(Path.of("Dockerfile")).isRegularFile();
    }

    @Test
    @SuppressWarnings("unchecked")
    void tidegateTakesItsFlagsAndLogsIntoMosquittoWithThePasswordItIsGiven() throws IOException {
        List<String> command = command("tidegate");
        Flags flags = new Flags();
        Flags.commandLine(flags).parseArgs(command.toArray(String[]::new)); // an unknown flag would throw

        assertThat(URI.create(flags.mqttUrl).getHost()).isEqualTo("mosquitto");
        assertThat(URI.create(flags.mqttUrl).getPort()).isEqualTo(1883);
        assertThat(flags.mqttUsername).isEqualTo("tidegate");
        List<String> secrets = (List<String>) service("tidegate").get("secrets");
        assertThat(flags.mqttPasswordFile).isEqualTo("/run/secrets/" + secrets.get(0));
        assertThat(flags.persistenceFile).startsWith("/data/");
        assertThat((List<String>) service("tidegate").get("volumes")).contains("tidegate-data:/data");
        assertThat(Files.readAllLines(Path.of("mosquitto", "passwd"))).anyMatch(line -> line.startsWith("tidegate:"));
    }

    @Test
    void mosquittoFindsItsConfigurationPasswordsAndAclWhereItsConfigurationSays() throws IOException {
        Map<String, Path> mounts = bindMounts("mosquitto");

        assertThat(mounts).containsEntry("/mosquitto/config/mosquitto.conf", Path.of("./mosquitto/mosquitto.conf"));
        assertThat(mounts).containsEntry(mosquittoSetting("password_file"), Path.of("./mosquitto/passwd"));
        assertThat(mounts).containsEntry(mosquittoSetting("acl_file"), Path.of("./mosquitto/acl"));
        assertThat(mosquittoSetting("allow_anonymous")).isEqualTo("false");
        assertThat(mosquittoSetting("listener")).isEqualTo("1883");
    }

    @Test
    @SuppressWarnings("unchecked")
    void prometheusScrapesTidegateWithHonorLabelsAndLoadsTheMountedRules() throws IOException {
        Map<String, Path> mounts = bindMounts("prometheus");
        String configFile = flag(command("prometheus"), "--config.file");
        Path config = mounts.get(configFile);
        assertThat(config).isEqualTo(Path.of("./prometheus/prometheus.yml"));
        Map<String, Object> prometheus = yaml(config);

        for (String rules : (List<String>) prometheus.get("rule_files")) { // relative to the configuration file
            assertThat(mounts).containsEntry(Path.of(configFile).resolveSibling(rules).toString(),
                    Path.of("./prometheus").resolve(rules));
        }
        Map<String, Object> job = ((List<Map<String, Object>>) prometheus.get("scrape_configs")).get(0);
        assertThat(job).containsEntry("job_name", "tidegate").containsEntry("honor_labels", true);
        List<Map<String, Object>> staticConfigs = (List<Map<String, Object>>) job.get("static_configs");
        assertThat((List<String>) staticConfigs.get(0).get("targets")).containsExactly("tidegate:9091");
    }

    @Test
    @SuppressWarnings("unchecked")
    void grafanaIsProvisionedWithThePrometheusServiceAndTheMountedDashboards() throws IOException {
        Map<String, Path> mounts = bindMounts("grafana");
        Path datasources = mounts.get("/etc/grafana/provisioning/datasources");
        Path dashboards = mounts.get("/etc/grafana/provisioning/dashboards");

        Map<String, Object> datasource = ((List<Map<String, Object>>) yaml(datasources.resolve("prometheus.yml"))
                .get("datasources")).get(0);
        assertThat(datasource).containsEntry("type", "prometheus").containsEntry("url", "http://prometheus:9090");
        Map<String, Object> provider = ((List<Map<String, Object>>) yaml(dashboards.resolve("tidegate.yml"))
                .get("providers")).get(0);
        String dashboardPath = (String) ((Map<String, Object>) provider.get("options")).get("path");
        assertThat(mounts.get(dashboardPath)).isEqualTo(Path.of("./grafana/dashboards"));
        assertThat(mounts.get(dashboardPath).resolve("tidegate.json")).isRegularFile();
    }
}
