package io.tidegate.persist;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidegate.TestClock;
import io.tidegate.TestKeys;
import io.tidegate.format.BodyFormatException;
import io.tidegate.format.NameEscaping;
import io.tidegate.format.NameValidation;
import io.tidegate.format.TextFormatParser;
import io.tidegate.format.WireFormat;
import io.tidegate.store.RetainedMemory;
import io.tidegate.store.Source;
import io.tidegate.store.Store;
import io.tidegate.store.Verb;
import io.tidegate.store.WriteLimits;
import io.tidegate.store.WriteRequest;
import io.tidegate.telemetry.OwnMetrics;
import io.tidegate.ttl.ExpirySchedule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Groups with UTF-8 names survive a restart as they were stored, and are served escaped as before it. */
class PersistedUtf8NamesTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-11-25T10:00:00Z"));
    @TempDir
    Path dir;

    private static WriteLimits limits(NameValidation names) {
        WriteLimits d = WriteLimits.DEFAULTS;
        return new WriteLimits(d.maxSeries(), d.maxLabelsPerSeries(), d.maxLabelNameLength(), d.maxLabelValueLength(),
                d.maxGroups(), d.maxStoredSeries(), d.maxStoredBytes(), names);
    }

    private static String scrape(Store store, NameEscaping escaping) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.snapshot().scrape(WireFormat.TEXT, escaping, List.of(), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void utf8NamesComeBackAfterARestart() throws BodyFormatException, IOException {
        Path file = dir.resolve("tidegate.db");
        String utf8;
        String underscores;
        Store store = new Store(clock, true, name -> null, 0, limits(NameValidation.UTF8), new ExpirySchedule());
        try (Persistence persistence = Persistence.open(file, Duration.ZERO, store,
                new RetainedMemory(RetainedMemory.DEFAULT_CAPACITY), clock, new OwnMetrics())) {
            var body = new TextFormatParser(store.bodyLimits()).parse(
                    "# TYPE \"room.temperature\" gauge\n{\"room.temperature\",\"sensor.id\"=\"😀\"} 21.5\n");
            assertThat(store.write(new WriteRequest(TestKeys.key("job", "house", "room.name", "kitchen"), Verb.PUT,
                    body.families(), Source.http("10.0.0.1"))).refusal()).isNull();
            utf8 = scrape(store, NameEscaping.ALLOW_UTF8);
            underscores = scrape(store, NameEscaping.UNDERSCORES);
        }
        assertThat(utf8).contains("{\"room.temperature\",instance=\"\",job=\"house\",\"room.name\"=\"kitchen\","
                + "\"sensor.id\"=\"😀\"} 21.5\n");

        Store restarted = new Store(clock, true, name -> null, 0, limits(NameValidation.UTF8), new ExpirySchedule());
        try (Persistence persistence = Persistence.open(file, Duration.ZERO, restarted,
                new RetainedMemory(RetainedMemory.DEFAULT_CAPACITY), clock, new OwnMetrics())) {
            assertThat(scrape(restarted, NameEscaping.ALLOW_UTF8)).isEqualTo(utf8);
            assertThat(scrape(restarted, NameEscaping.UNDERSCORES)).isEqualTo(underscores)
                    .contains("room_temperature{instance=\"\",job=\"house\",room_name=\"kitchen\",sensor_id=\"😀\"} 21.5\n");
        }

        // restarted without the flag: what was stored is still served (only new pushes are checked), escaped as asked
        Store legacy = new Store(clock, true, name -> null, 0, limits(NameValidation.LEGACY), new ExpirySchedule());
        try (Persistence persistence = Persistence.open(file, Duration.ZERO, legacy,
                new RetainedMemory(RetainedMemory.DEFAULT_CAPACITY), clock, new OwnMetrics())) {
            assertThat(scrape(legacy, NameEscaping.UNDERSCORES)).isEqualTo(underscores);
        }
    }
}
