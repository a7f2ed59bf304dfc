package io.tidegate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tidegate.key.GroupingKey;
import io.tidegate.store.Source;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class ReloadableConfigTest {
    private static final GroupingKey SENSOR = GroupingKey.of(Map.of("job", "sensor"));
    private static final String SENSOR_5M_FILE = "ttl_rules:\n  - match: '{job=\"sensor\"}'\n    ttl: 5m\n";

    @TempDir
    Path dir;

    private Path file;
    private final Logger logger = (Logger) LoggerFactory.getLogger(ReloadableConfig.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private Level previousLevel;

    @BeforeEach
    void captureLogs() {
        file = dir.resolve("tidegate.yml");
        previousLevel = logger.getLevel();
        logger.setLevel(Level.INFO);
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void releaseLogs() {
        logger.detachAppender(logged);
        logger.setLevel(previousLevel);
    }

    private void write(String yaml) throws Exception {
        Files.writeString(file, yaml);
    }

    /** Given a configuration loaded from a file with this text. */
    private ReloadableConfig loaded(String yaml) throws Exception {
        write(yaml);
        return ReloadableConfig.load(file);
    }

    /** The one event logged, after checking its level and message. */
    private static ILoggingEvent onlyEvent(List<ILoggingEvent> events, Level level, String message) {
        assertThat(events).hasSize(1);
        ILoggingEvent event = events.get(0);
        assertThat(event.getLevel()).isEqualTo(level);
        assertThat(event.getFormattedMessage()).isEqualTo(message);
        return event;
    }

    private static Map<String, String> keyValues(ILoggingEvent event) {
        return event.getKeyValuePairs().stream().collect(Collectors.toMap(pair -> pair.key, pair -> String.valueOf(pair.value)));
    }

    private List<ILoggingEvent> afterLoad() {
        return logged.list.subList(1, logged.list.size());
    }

    @Test
    void firstLoadGivesTheFileAndSaysSo() throws Exception {
        write(SENSOR_5M_FILE);

        ReloadableConfig config = ReloadableConfig.load(file);

        assertThat(config.current().ttlRules().ttlFor(SENSOR, Source.Kind.MQTT)).contains(Duration.ofMinutes(5));
        ILoggingEvent event = onlyEvent(logged.list, Level.INFO, "configuration loaded");
        assertThat(keyValues(event)).containsEntry("file", file.toString()).containsEntry("ttl_rules", "1");
    }

    @Test
    void brokenFileAtStartupIsAnError() throws Exception {
        write("ttl_rules:\n  - ttl: soon\n");

        assertThatThrownBy(() -> ReloadableConfig.load(file)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ": ttl_rules[1] (line 2): ttl \"soon\": invalid duration \"soon\"");
    }

    @Test
    void reloadSwapsInTheNewRulesAndLogsOneInfoLine() throws Exception {
        ReloadableConfig config = loaded(SENSOR_5M_FILE);
        ConfigFile before = config.current();
        write("ttl_rules:\n  - match: '{job=\"sensor\"}'\n    ttl: 10m\n  - ttl: 1h\n");

        ReloadOutcome outcome = config.reload();

        assertThat(outcome.succeeded()).isTrue();
        assertThat(outcome.failure()).isNull();
        assertThat(config.current()).isNotSameAs(before);
        assertThat(config.current().ttlRules().ttlFor(SENSOR, Source.Kind.MQTT)).contains(Duration.ofMinutes(10));
        ILoggingEvent event = onlyEvent(afterLoad(), Level.INFO, "configuration reloaded");
        assertThat(keyValues(event)).containsExactlyInAnyOrderEntriesOf(Map.of("file", file.toString(), "ttl_rules", "2",
                "mqtt_mappings", "0"));
    }

    @Test
    void failedReloadKeepsTheOldRulesAndSaysWhyOnce() throws Exception {
        ReloadableConfig config = loaded(SENSOR_5M_FILE);
        ConfigFile before = config.current();
        write("ttl_rules:\n  - match: '{job=~\"sensor(\"}'\n    ttl: 10m\n");

        ReloadOutcome outcome = config.reload();

        String why = file + ": ttl_rules[1] (line 2): match: invalid regex \"sensor(\" in matcher job=~\"sensor(\":"
                + " unclosed group at the end";
        assertThat(outcome.succeeded()).isFalse();
        assertThat(outcome.failure()).isEqualTo(why);
        assertThat(config.current()).isSameAs(before);
        assertThat(config.current().ttlRules().ttlFor(SENSOR, Source.Kind.MQTT)).contains(Duration.ofMinutes(5));
        ILoggingEvent event = onlyEvent(afterLoad(), Level.WARN, "configuration reload failed, keeping the previous one");
        assertThat(keyValues(event)).containsExactlyInAnyOrderEntriesOf(Map.of("file", file.toString(), "err", why));
        assertThat(event.getThrowableProxy()).isNull();
    }

    @Test
    void deletedFileKeepsTheOldRules() throws Exception {
        ReloadableConfig config = loaded("ttl_rules:\n  - ttl: 5m\n");
        Files.delete(file);

        ReloadOutcome outcome = config.reload();

        assertThat(outcome.failure()).isEqualTo(file + ": cannot read the configuration file: no such file");
        assertThat(config.current().ttlRules().size()).isEqualTo(1);
    }

    @Test
    void goodReloadAfterABadOneApplies() throws Exception {
        ReloadableConfig config = loaded("ttl_rules:\n  - ttl: 5m\n");
        write("ttl_rules: [\n");
        assertThat(config.reload().succeeded()).isFalse();
        write("ttl_rules:\n  - ttl: 7m\n");

        assertThat(config.reload().succeeded()).isTrue();
        assertThat(config.current().ttlRules().ttlFor(SENSOR, Source.Kind.HTTP)).contains(Duration.ofMinutes(7));
    }

    @Test
    void withoutAFileThereAreNoRulesAndReloadingDoesNothing() {
        ReloadableConfig config = ReloadableConfig.none();

        assertThat(config.current()).isEqualTo(ConfigFile.empty());
        assertThat(config.reload().succeeded()).isTrue();
        assertThat(logged.list).isEmpty();
    }
}
