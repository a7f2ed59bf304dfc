import io.tidegate.format.Label;
import io.tidegate.format.Metric;
import io.tidegate.format.MetricFamily;
import io.tidegate.format.MetricType;
import io.tidegate.store.RetainedMemory;
import io.tidegate.persist.Persistence;
import io.tidegate.key.GroupingKey;
import io.tidegate.store.Source;
import io.tidegate.store.Store;
import io.tidegate.store.Ttls;
import io.tidegate.store.Verb;
import io.tidegate.store.WriteRequest;
import io.tidegate.telemetry.OwnMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * How long Tidegate takes to start over a persistence file of many groups, and how well concurrent
 * writers share journal syncs. Run after mvn package:
 *
 * <pre>java -cp target/tidegate.jar bench/PersistenceBench.java [groups] [writers] [dir]</pre>
 *
 * Each group holds three gauge families of two series, a TTL of one hour, and its push times. It
 * times (1) writing the groups through the journal with concurrent writers (records per sync), (2)
 * starting over that journal as a kill -9 leaves it (no snapshot yet), (3) starting over the
 * snapshot the previous start wrote.
 */
public final class PersistenceBench {
    public static void main(String[] args) throws Exception {
        int groups = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int writers = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        Path dir = args.length > 2 ? Files.createDirectories(Path.of(args[2])) : Files.createTempDirectory("tidegate-bench");
        Path file = dir.resolve("tidegate.db");
        Clock clock = Clock.systemUTC();

        Store store = store(clock);
        OwnMetrics metrics = new OwnMetrics();
        Persistence persistence = Persistence.open(file, Duration.ZERO, store, new RetainedMemory(RetainedMemory.DEFAULT_CAPACITY),
                clock, metrics);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        long started = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            done.add(pool.submit(() -> {
                for (int g = writer; g < groups; g += writers) {
                    store.write(push(g));
                }
            }));
        }
        for (Future<?> future : done) {
            future.get();
        }
        long writeNanos = System.nanoTime() - started;
        pool.shutdown();
        System.out.printf("wrote %d groups with %d writers in %.2f s (%.0f writes/s, %.1f µs per write per writer)%n",
                groups, writers, writeNanos / 1e9, groups / (writeNanos / 1e9), writeNanos / 1e3 / groups * writers);
        double records = value(metrics, "tidegate_persistence_journal_records_total");
        MetricFamily syncs = family(metrics, "tidegate_persistence_sync_duration_seconds");
        double syncCount = syncs.metrics().get(0).count();
        System.out.printf("journal: %.0f records in %.0f syncs (%.1f records per sync), mean sync %.3f ms%n", records,
                syncCount, records / syncCount, syncs.metrics().get(0).sum() / syncCount * 1000);

        Path crashed = Files.createDirectories(dir.resolve("crashed"));
        copyFiles(dir, crashed);
        persistence.close();
        System.out.printf("files: %s%n", sizes(crashed));

        timeStart("start over the journal a kill -9 left (100% replay)", crashed.resolve("tidegate.db"), clock, groups);
        timeStart("start over the snapshot written at the previous start", crashed.resolve("tidegate.db"), clock, groups);
    }

    private static Store store(Clock clock) {
        return new Store(clock, true, name -> null, new io.tidegate.ttl.ExpirySchedule());
    }

    private static WriteRequest push(int g) {
        GroupingKey key = GroupingKey.of(Map.of("job", "bench", "instance", "host-" + g));
        Map<String, MetricFamily> families = new java.util.HashMap<>();
        for (String name : List.of("temperature_celsius", "humidity_ratio", "battery_volts")) {
            families.put(name, new MetricFamily(name, "A reading.", MetricType.GAUGE, List.of(
                    Metric.simple(List.of(new Label("sensor", "a")), g * 0.5, null),
                    Metric.simple(List.of(new Label("sensor", "b")), g * 0.25, null))));
        }
        return new WriteRequest(key, Verb.PUT, families, Ttls.of(3_600_000), Source.http("10.0.0.1"));
    }

    private static void timeStart(String what, Path file, Clock clock, int expected) {
        Store store = store(clock);
        long started = System.nanoTime();
        Persistence persistence = Persistence.open(file, Duration.ZERO, store, new RetainedMemory(RetainedMemory.DEFAULT_CAPACITY),
                clock, new OwnMetrics());
        long nanos = System.nanoTime() - started;
        if (store.snapshot().groupCount() != expected) {
            throw new IllegalStateException("loaded " + store.snapshot().groupCount() + " groups, expected " + expected);
        }
        System.out.printf("%s: %d groups loaded and a new snapshot written in %.2f s%n", what, store.snapshot().groupCount(), nanos / 1e9);
        persistence.close();
    }

    private static MetricFamily family(OwnMetrics metrics, String name) {
        return metrics.families().stream().filter(family -> family.name().equals(name)).findFirst().orElseThrow();
    }

    private static double value(OwnMetrics metrics, String name) {
        return family(metrics, name).metrics().get(0).value();
    }

    private static void copyFiles(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.list(from)) {
            for (Path path : files.filter(Files::isRegularFile).toList()) {
                Files.copy(path, to.resolve(path.getFileName()));
            }
        }
    }

    private static String sizes(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted(Comparator.naturalOrder())
                    .map(path -> path.getFileName() + " " + path.toFile().length() / 1024 + " KiB").toList().toString();
        }
    }
}
