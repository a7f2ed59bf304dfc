package io.tidegate.persist;

import io.tidegate.TestKeys;
import io.tidegate.format.BodyFormatException;
import io.tidegate.format.ParsedBody;
import io.tidegate.format.TextFormatParser;
import io.tidegate.format.WireFormat;
import io.tidegate.store.RetainedMemory;
import io.tidegate.key.GroupingKey;
import io.tidegate.store.Source;
import io.tidegate.store.Store;
import io.tidegate.store.Ttls;
import io.tidegate.store.Verb;
import io.tidegate.store.WriteOutcome;
import io.tidegate.store.WriteRequest;
import io.tidegate.telemetry.OwnMetrics;
import io.tidegate.ttl.ExpirySchedule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** A store with its retained memory kept in a persistence file, as Tidegate wires them, for tests. */
final class PersistedGateway implements AutoCloseable {
    final Store store;
    final RetainedMemory retained = new RetainedMemory(RetainedMemory.DEFAULT_CAPACITY);
    final Persistence persistence;

    PersistedGateway(Path file, Clock clock, long tombstoneMillis) {
        store = new Store(clock, true, name -> null, tombstoneMillis, new ExpirySchedule());
        persistence = Persistence.open(file, Duration.ZERO, store, retained, clock, new OwnMetrics());
    }

    /** Its journal on {@code disk}, retried every {@code retry} while failing; Tidegate's own metrics in {@code own}. */
    PersistedGateway(Path file, Clock clock, JournalDisk disk, Duration retry, OwnMetrics own) {
        store = new Store(clock, true, own::typeOf, 0, new ExpirySchedule());
        persistence = Persistence.open(file, Duration.ZERO, store, retained, clock, own, disk, retry);
    }

    PersistedGateway(Path file, Clock clock) {
        this(file, clock, 0);
    }

    WriteOutcome push(Verb verb, String body, long ttlMillis, String... key) {
        ParsedBody parsed;
        try {
            parsed = new TextFormatParser().parse(body);
        } catch (BodyFormatException e) {
            throw new IllegalArgumentException(e);
        }
        return store.write(new WriteRequest(TestKeys.key(key), verb, parsed.families(), Ttls.of(ttlMillis),
                Source.http("10.0.0.1")));
    }

    void delete(String... key) {
        store.write(WriteRequest.delete(TestKeys.key(key), Source.http("10.0.0.1")));
    }

    static GroupingKey key(String... key) {
        return TestKeys.key(key);
    }

    /** What {@code /metrics} would show of the pushed groups, in the text format. */
    String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            store.snapshot().scrape(WireFormat.TEXT, List.of(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        persistence.close();
    }
}
