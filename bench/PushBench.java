import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Tidegate's benchmark (SPEC §8): the upstream Pushgateway and Tidegate side by side, in one run, on this machine.
 *
 * <pre>
 *   java bench/PushBench.java                        # defaults: a few minutes
 *   java bench/PushBench.java --help                 # every option
 *   java bench/PushBench.java --candidate=upstream   # upstream against upstream: checks the harness itself
 * </pre>
 *
 * No build step and no dependencies: a single-file Java 17 program. It starts both gateways on free loopback
 * ports (fresh processes for every phase), drives them with its own small HTTP/1.1 keep-alive client (so that the
 * client costs little next to the servers), prints progress lines and finally a table with each figure for both
 * and the ratio, oriented so that a ratio above 1 means Tidegate is better. See bench/README.md.
 */
public final class PushBench {

    // ---- options ---------------------------------------------------------------------------------------------

    static final class Options {
        String upstreamBin = "/usr/bin/prometheus-pushgateway";
        String tidegateJar = "target/tidegate.jar";
        String referenceJar = ""; // a Tidegate jar in upstream's place: an earlier version against this one
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String javaOpts = "";
        String tidegateArgs = "";
        String candidate = "tidegate";
        List<String> phases = List.of("throughput", "latency", "scrape", "expiry");
        int duration = 10;
        int warmup = 3;
        List<Integer> connections = List.of(8, 64);
        int groupsPerConnection = 100;
        List<Integer> levels = List.of(1_000, 10_000, 50_000);
        int fillBudget = 240;
        int fillConnections = 4;
        int latencySamples = 2000;
        int latencyBudget = 30;
        int latencyWarmup = 5;
        int scrapeGroups = 100;
        int scrapeSeries = 1_000;
        int scrapeRepeats = 15;
        int scrapeWarmup = 100; // 20 left the JIT short: 14.3 ms plain after 20, 9.9 ms after 100 (2026-12-07)
        int expiryGroups = 100_000;
        int expirySeries = 5;
        int expiryQuiet = 5;
        int expiryPollMillis = 250;
        boolean uncheckedUpstream = false;
        boolean jvmGc = true;
        Path logDir = Path.of(System.getProperty("java.io.tmpdir"),
                "pushbench-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));

        static final String HELP = """
                java bench/PushBench.java [--option=value ...]

                  --candidate=tidegate|upstream  what runs against upstream (upstream: harness self-check) [tidegate]
                  --phases=throughput,latency,scrape,expiry  which measurements to run [all four]
                  --upstream-bin=PATH            upstream Pushgateway binary [/usr/bin/prometheus-pushgateway]
                  --tidegate-jar=PATH            Tidegate's jar, run as java -jar [target/tidegate.jar]
                  --reference-jar=PATH           run this Tidegate jar (an earlier version) in upstream's place [none]
                  --java=PATH                    java for Tidegate [this java]
                  --java-opts="..."              JVM options for Tidegate, space separated [none]
                  --tidegate-args="..."          extra Tidegate flags, space separated [none]
                  --duration=S                   seconds per throughput measurement [10]
                  --warmup=S                     seconds of unmeasured pushing before each [3]
                  --connections=8,64             concurrent connections of the throughput runs [8,64]
                  --groups-per-connection=N      distinct groups each connection cycles through [100]
                  --levels=1000,10000,50000      stored groups (of 10 series) for push latency [1000,10000,50000]
                  --fill-budget=S                seconds each side may spend filling for the latency levels [240]
                  --fill-connections=N           connections filling the store [4]
                  --latency-samples=N            single pushes timed per level [2000]
                  --latency-budget=S             seconds per level and side at most for those (min. 10 pushes) [30]
                  --latency-warmup=S             seconds of untimed replacing pushes before those [5]
                  --scrape-groups=N              groups for the scrape test [100]
                  --scrape-series=N              series per group for the scrape test [1000]
                  --scrape-repeats=N             scrapes timed, plain and gzip each [15]
                  --scrape-warmup=N              unmeasured scrapes before those, so a JIT has compiled the path [100]
                  --expiry-groups=N              groups expiring at one deadline in the mass-expiry phase [100000]
                  --expiry-series=N              series per expiring group [5]
                  --expiry-quiet=S               seconds of timed pushes before the deadline: the normal figure [5]
                  --expiry-poll-ms=MS            how often /metrics is read for tidegate_groups after the deadline [250]
                  --unchecked-upstream           also measure upstream with --push.disable-consistency-check
                  --no-jvm-gc                    skip the live-heap reading (jcmd GC.run, GC.heap_info) for a JVM
                  --log-dir=DIR                  gateway logs [$TMPDIR/pushbench-<time>]
                """;

        static Options parse(String[] args) {
            Options o = new Options();
            for (String arg : args) {
                if (arg.equals("--help") || arg.equals("-h")) {
                    System.out.print(HELP);
                    System.exit(0);
                }
                if (arg.equals("--unchecked-upstream")) {
                    o.uncheckedUpstream = true;
                    continue;
                }
                if (arg.equals("--no-jvm-gc")) {
                    o.jvmGc = false;
                    continue;
                }
                int eq = arg.indexOf('=');
                if (!arg.startsWith("--") || eq < 0) {
                    throw new IllegalArgumentException("not an option: " + arg + "; try --help");
                }
                String key = arg.substring(2, eq);
                String value = arg.substring(eq + 1);
                switch (key) {
                    case "upstream-bin" -> o.upstreamBin = value;
                    case "tidegate-jar" -> o.tidegateJar = value;
                    case "reference-jar" -> o.referenceJar = value;
                    case "java" -> o.java = value;
                    case "java-opts" -> o.javaOpts = value;
                    case "tidegate-args" -> o.tidegateArgs = value;
                    case "candidate" -> o.candidate = value;
                    case "phases" -> o.phases = List.of(value.split(","));
                    case "duration" -> o.duration = Integer.parseInt(value);
                    case "warmup" -> o.warmup = Integer.parseInt(value);
                    case "connections" -> o.connections = ints(value);
                    case "groups-per-connection" -> o.groupsPerConnection = Integer.parseInt(value);
                    case "levels" -> o.levels = ints(value);
                    case "fill-budget" -> o.fillBudget = Integer.parseInt(value);
                    case "fill-connections" -> o.fillConnections = Integer.parseInt(value);
                    case "latency-samples" -> o.latencySamples = Integer.parseInt(value);
                    case "latency-budget" -> o.latencyBudget = Integer.parseInt(value);
                    case "latency-warmup" -> o.latencyWarmup = Integer.parseInt(value);
                    case "scrape-groups" -> o.scrapeGroups = Integer.parseInt(value);
                    case "scrape-series" -> o.scrapeSeries = Integer.parseInt(value);
                    case "scrape-repeats" -> o.scrapeRepeats = Integer.parseInt(value);
                    case "scrape-warmup" -> o.scrapeWarmup = Integer.parseInt(value);
                    case "expiry-groups" -> o.expiryGroups = Integer.parseInt(value);
                    case "expiry-series" -> o.expirySeries = Integer.parseInt(value);
                    case "expiry-quiet" -> o.expiryQuiet = Integer.parseInt(value);
                    case "expiry-poll-ms" -> o.expiryPollMillis = Integer.parseInt(value);
                    case "log-dir" -> o.logDir = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option --" + key + "; try --help");
                }
            }
            if (!o.candidate.equals("tidegate") && !o.candidate.equals("upstream")) {
                throw new IllegalArgumentException("--candidate must be tidegate or upstream");
            }
            return o;
        }

        private static List<Integer> ints(String csv) {
            return Arrays.stream(csv.split(",")).map(String::trim).map(Integer::parseInt).toList();
        }
    }

    // ---- main ------------------------------------------------------------------------------------------------

    private final Options options;
    private final Results results = new Results();

    private PushBench(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        new PushBench(options).run();
    }

    private void run() throws Exception {
        Files.createDirectories(options.logDir);
        progress("PushBench: " + (options.referenceJar.isEmpty() ? "upstream (" + options.upstreamBin : "reference (" + options.referenceJar) + ") vs " + candidateName() + " ("
                + (isTidegate() ? options.tidegateJar : options.upstreamBin) + ")");
        progress("machine: " + Runtime.getRuntime().availableProcessors() + " CPUs, "
                + "load " + loadAverage() + "; gateway logs in " + options.logDir);
        if (isTidegate() && !Files.isRegularFile(Path.of(options.tidegateJar))) {
            throw new IllegalStateException(options.tidegateJar + " not found: build it with mvn -B package -DskipTests");
        }
        if (!Files.isExecutable(Path.of(options.upstreamBin))) {
            throw new IllegalStateException(options.upstreamBin + " not executable (Debian package prometheus-pushgateway)");
        }
        long started = System.nanoTime();
        if (options.phases.contains("throughput")) {
            throughputPhase();
        }
        if (options.phases.contains("latency")) {
            latencyPhase();
        }
        if (options.phases.contains("scrape")) {
            scrapePhase();
        }
        if (options.phases.contains("expiry")) {
            expiryPhase();
        }
        progress("done in " + seconds(System.nanoTime() - started));
        System.out.println();
        results.print(options.referenceJar.isEmpty() ? "upstream" : "reference", candidateName());
    }

    private boolean isTidegate() {
        return options.candidate.equals("tidegate");
    }

    private String candidateName() {
        return isTidegate() ? "tidegate" : "upstream-2";
    }

    private Gateway startUpstream(String name, String... extraFlags) throws IOException {
        if (!options.referenceJar.isEmpty()) {
            return startTidegate(name.replace("upstream", "reference"), options.referenceJar);
        }
        List<String> command = new ArrayList<>(List.of(options.upstreamBin, "--web.enable-admin-api",
                // Debian's build defaults the persistence file to /var/lib/prometheus/pushgateway.data, shared by
                // everything on the machine: off, as upstream's own default.
                "--persistence.file="));
        command.addAll(List.of(extraFlags));
        return Gateway.start(name, command, options.logDir);
    }

    private Gateway startCandidate(String name) throws IOException {
        if (!isTidegate()) {
            return startUpstream(name);
        }
        return startTidegate(name, options.tidegateJar);
    }

    private Gateway startTidegate(String name, String jar) throws IOException {
        List<String> command = new ArrayList<>(List.of(options.java));
        command.addAll(split(options.javaOpts));
        command.addAll(List.of("-jar", jar, "--web.enable-admin-api"));
        command.addAll(split(options.tidegateArgs));
        return Gateway.start(name, command, options.logDir);
    }

    private interface GatewayStarter {
        Gateway start() throws IOException;
    }

    private List<Map.Entry<String, GatewayStarter>> sides() {
        List<Map.Entry<String, GatewayStarter>> sides = new ArrayList<>();
        sides.add(Map.entry("upstream", () -> startUpstream("upstream")));
        sides.add(Map.entry(candidateName(), () -> startCandidate(candidateName())));
        return sides;
    }

    // ---- phase 1: throughput ---------------------------------------------------------------------------------

    private void throughputPhase() throws Exception {
        progress("== push throughput: PUT of a 10-series group, each connection cycling through "
                + options.groupsPerConnection + " groups of its own; " + options.warmup + " s warm-up, then "
                + options.duration + " s counted (2xx answers)");
        for (int connections : options.connections) {
            Map<String, Double> bySide = new LinkedHashMap<>();
            for (Map.Entry<String, GatewayStarter> side : sides()) {
                try (Gateway gateway = side.getValue().start()) {
                    bySide.put(side.getKey(), throughput(gateway, connections));
                }
            }
            if (options.uncheckedUpstream) {
                try (Gateway gateway = startUpstream("upstream-unchecked", "--push.disable-consistency-check")) {
                    double rate = throughput(gateway, connections);
                    results.note("upstream with --push.disable-consistency-check (answers 202 unchecked), "
                            + connections + " connections: " + format(rate, "push/s"));
                }
            }
            results.add("push throughput, " + connections + " connections", "push/s",
                    bySide.get("upstream"), bySide.get(candidateName()), true, 50, "≥ 50x");
        }
    }

    private double throughput(Gateway gateway, int connections) throws Exception {
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong counting = new AtomicLong(0); // 0 = warm-up, 1 = counting, 2 = stop
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        List<Future<?>> workers = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            int connection = c;
            workers.add(pool.submit(() -> {
                try (Http1 http = new Http1(gateway.port)) {
                    long n = 0;
                    while (counting.get() < 2) {
                        int group = (int) (n % options.groupsPerConnection);
                        int status = http.push("PUT", "/metrics/job/bench/instance/c" + connection + "-" + group,
                                tenSeriesBody(n));
                        n++;
                        if (counting.get() == 1) {
                            if (status >= 200 && status < 300) {
                                ok.incrementAndGet();
                            } else {
                                failed.incrementAndGet();
                            }
                        }
                    }
                } catch (IOException e) {
                    if (counting.get() < 2) {
                        failed.incrementAndGet();
                        System.err.println("  connection " + connection + " failed: " + e);
                    }
                }
                return null;
            }));
        }
        Thread.sleep(options.warmup * 1000L);
        long before = ok.get();
        counting.set(1);
        long start = System.nanoTime();
        Thread.sleep(options.duration * 1000L);
        long counted = ok.get() - before;
        long elapsed = System.nanoTime() - start;
        counting.set(2);
        pool.shutdown();
        if (!pool.awaitTermination(60, TimeUnit.SECONDS)) {
            pool.shutdownNow();
        }
        double rate = counted / (elapsed / 1e9);
        progress(String.format(Locale.ROOT, "  %-10s %3d connections: %s (%d answered 2xx, %d not, in %s)",
                gateway.name, connections, format(rate, "push/s"), counted, failed.get(), seconds(elapsed)));
        return rate;
    }

    /** A group of 10 series; values change with n so that every push carries new data. */
    static byte[] tenSeriesBody(long n) {
        StringBuilder body = new StringBuilder(400);
        body.append("# HELP bench_value A benchmark gauge.\n# TYPE bench_value gauge\n");
        for (int s = 0; s < 10; s++) {
            body.append("bench_value{series=\"").append(s).append("\"} ").append(n + s).append('\n');
        }
        return body.toString().getBytes(StandardCharsets.US_ASCII);
    }

    // ---- phase 2: latency and memory with groups stored ------------------------------------------------------

    private void latencyPhase() throws Exception {
        progress("== single-push latency with groups (of 10 series) stored: filled by PUTs over "
                + options.fillConnections + " connections (at most " + options.fillBudget + " s per side), then "
                + options.latencyWarmup + " s of untimed pushes and up to " + options.latencySamples
                + " timed sequential PUTs replacing random stored groups");
        Map<Integer, Double[]> p50 = new LinkedHashMap<>();
        Map<Integer, Double[]> p99 = new LinkedHashMap<>();
        Map<Integer, Double[]> memory = new LinkedHashMap<>();
        for (int level : options.levels) {
            p50.put(level, new Double[2]);
            p99.put(level, new Double[2]);
            memory.put(level, new Double[2]);
        }
        List<Map.Entry<String, GatewayStarter>> sides = sides();
        for (int sideIndex = 0; sideIndex < 2; sideIndex++) {
            try (Gateway gateway = sides.get(sideIndex).getValue().start()) {
                long baseline = gateway.startRssKb();
                long heapBaseline = gateway.isJvm && options.jvmGc ? gateway.liveHeapKbAfterFullGc() : 0;
                progress("  " + gateway.name + ": resident memory at start " + baseline / 1024 + " MiB"
                        + (gateway.isJvm && options.jvmGc ? ", live Java heap " + heapBaseline / 1024 + " MiB" : ""));
                long fillDeadline = System.nanoTime() + options.fillBudget * 1_000_000_000L;
                int stored = 0;
                double recentRate = 0;
                for (int level : options.levels) {
                    if (stored < level) {
                        long leftNanos = fillDeadline - System.nanoTime();
                        if (recentRate > 0) {
                            // upstream re-checks the whole store on every push: the cost of a push grows in
                            // proportion to what is stored, so the fill rate falls as 1/groups
                            double estimate = (level - stored) / recentRate * ((level + stored) / 2.0) / stored;
                            if (estimate * 1e9 > leftNanos) {
                                results.note(gateway.name + ": latency with " + level + " groups skipped: filling "
                                        + stored + " -> " + level + " groups would take ~" + minutes(estimate)
                                        + " (one push at a time now " + format(recentRate, "push/s") + ", and a push "
                                        + "costs more the more is stored), " + seconds(Math.max(0, leftNanos)) + " of --fill-budget="
                                        + options.fillBudget + " left");
                                progress("  " + gateway.name + ": skipping " + level + " groups and beyond (estimated "
                                        + minutes(estimate) + " to fill)");
                                break;
                            }
                        }
                        long fillStart = System.nanoTime();
                        int reached = fill(gateway, stored, level, fillDeadline);
                        double took = (System.nanoTime() - fillStart) / 1e9;
                        progress(String.format(Locale.ROOT, "  %s: filled %d -> %d groups in %s (%s)", gateway.name,
                                stored, reached, seconds(System.nanoTime() - fillStart),
                                format((reached - stored) / Math.max(took, 1e-3), "push/s")));
                        stored = reached;
                        if (reached < level) {
                            results.note(gateway.name + ": latency with " + level + " groups skipped: --fill-budget="
                                    + options.fillBudget + " s ran out at " + reached + " groups");
                            break;
                        }
                    }
                    // memory first: the timed pushes below leave garbage that a JVM keeps for a while
                    long rss = gateway.settledRssKb();
                    memory.get(level)[sideIndex] = (rss - baseline) * 1024.0 / (level * 10.0);
                    String afterGc = "";
                    if (gateway.isJvm && options.jvmGc) {
                        long heap = gateway.liveHeapKbAfterFullGc();
                        double perSeries = (heap - heapBaseline) * 1024.0 / (level * 10.0);
                        afterGc = String.format(Locale.ROOT, "; live Java heap %d MiB (%s per series)",
                                heap / 1024, bytes(perSeries));
                        results.note(gateway.name + ", " + level + " groups of 10: live Java heap after a full GC: "
                                + bytes(perSeries) + " per series");
                    }
                    double[] percentiles = latency(gateway, level);
                    p50.get(level)[sideIndex] = percentiles[0];
                    p99.get(level)[sideIndex] = percentiles[1];
                    // the push rate at this size, for estimating the next fill: sequential pushes, so a
                    // conservative figure for a gateway that takes concurrent pushes in parallel
                    recentRate = 1000.0 / percentiles[2];
                    progress(String.format(Locale.ROOT, "  %s: %d groups: p50 %s, p99 %s; resident %d MiB (%s per series)%s",
                            gateway.name, level, millis(percentiles[0]), millis(percentiles[1]), rss / 1024,
                            bytes(memory.get(level)[sideIndex]), afterGc));
                }
            }
        }
        for (int level : options.levels) {
            results.add("push p50, " + level + " groups stored", "ms", p50.get(level)[0], p50.get(level)[1], false, 0, "");
            results.add("push p99, " + level + " groups stored", "ms", p99.get(level)[0], p99.get(level)[1], false,
                    level >= 10_000 ? 100 : 0, level >= 10_000 ? "≥ 100x" : "");
        }
        int first = options.levels.get(0);
        int last = options.levels.get(options.levels.size() - 1);
        if (first != last) {
            Double[] low = p99.get(first);
            Double[] high = p99.get(last);
            results.flatness("push p99 growth " + first + " -> " + last + " groups",
                    low[0] != null && high[0] != null ? high[0] / low[0] : null,
                    low[1] != null && high[1] != null ? high[1] / low[1] : null, 1.5);
        }
        for (int level : options.levels) {
            results.add("memory per stored series, " + level + " groups of 10", "bytes",
                    memory.get(level)[0], memory.get(level)[1], false, 0, "");
        }
    }

    /** Pushes new groups [from, to) over several connections until done or the deadline; returns groups stored. */
    private int fill(Gateway gateway, int from, int to, long deadline) throws Exception {
        AtomicInteger next = new AtomicInteger(from);
        AtomicInteger done = new AtomicInteger(from);
        ExecutorService pool = Executors.newFixedThreadPool(options.fillConnections);
        List<Future<?>> workers = new ArrayList<>();
        for (int c = 0; c < options.fillConnections; c++) {
            workers.add(pool.submit(() -> {
                try (Http1 http = new Http1(gateway.port)) {
                    while (System.nanoTime() < deadline) {
                        int group = next.getAndIncrement();
                        if (group >= to) {
                            break;
                        }
                        int status = http.push("PUT", "/metrics/job/bench/instance/g" + group, tenSeriesBody(group));
                        if (status < 200 || status >= 300) {
                            throw new IllegalStateException("fill push answered " + status);
                        }
                        int count = done.incrementAndGet();
                        if (count % 5_000 == 0) {
                            progress("    " + gateway.name + ": " + count + " groups stored");
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        pool.shutdown();
        // groups are numbered densely only up to the first one not pushed
        return Math.min(done.get(), Math.min(next.get(), to));
    }

    /** Sequential PUTs replacing random stored groups; returns {p50, p99, mean} in ms. */
    private double[] latency(Gateway gateway, int groups) throws IOException {
        Random random = new Random(42);
        List<Double> samples = new ArrayList<>();
        long deadline = System.nanoTime() + options.latencyBudget * 1_000_000_000L;
        try (Http1 http = new Http1(gateway.port)) {
            // untimed pushes first, so that a JIT compiler has seen the code path (at least 5 of them)
            long warmUntil = System.nanoTime() + options.latencyWarmup * 1_000_000_000L;
            for (int i = 0; i < 5 || System.nanoTime() < warmUntil; i++) {
                http.push("PUT", "/metrics/job/bench/instance/g" + random.nextInt(groups), tenSeriesBody(i));
            }
            while (samples.size() < options.latencySamples && (samples.size() < 10 || System.nanoTime() < deadline)) {
                byte[] body = tenSeriesBody(samples.size());
                String path = "/metrics/job/bench/instance/g" + random.nextInt(groups);
                long start = System.nanoTime();
                int status = http.push("PUT", path, body);
                samples.add((System.nanoTime() - start) / 1e6);
                if (status < 200 || status >= 300) {
                    throw new IllegalStateException("latency push answered " + status);
                }
            }
        }
        samples.sort(null);
        if (samples.size() < options.latencySamples) {
            results.note(gateway.name + ": push latency with " + groups + " groups from " + samples.size()
                    + " pushes only (--latency-budget=" + options.latencyBudget + " s)");
        }
        double mean = samples.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        return new double[] {percentile(samples, 50), percentile(samples, 99), mean};
    }

    // ---- phase 3: scrape -------------------------------------------------------------------------------------

    private void scrapePhase() throws Exception {
        int series = options.scrapeGroups * options.scrapeSeries;
        progress("== scrape with " + series + " series stored (" + options.scrapeGroups + " groups x "
                + options.scrapeSeries + " series), " + options.scrapeRepeats + " timed scrapes each, plain and gzip");
        Double[] plainMs = new Double[2];
        Double[] gzipMs = new Double[2];
        Double[] plainSize = new Double[2];
        Double[] gzipSize = new Double[2];
        Double[] memory = new Double[2];
        String[] contentDigest = new String[2];
        List<Map.Entry<String, GatewayStarter>> sides = sides();
        for (int sideIndex = 0; sideIndex < 2; sideIndex++) {
            try (Gateway gateway = sides.get(sideIndex).getValue().start()) {
                long baseline = gateway.startRssKb();
                long heapBaseline = gateway.isJvm && options.jvmGc ? gateway.liveHeapKbAfterFullGc() : 0;
                long start = System.nanoTime();
                try (Http1 http = new Http1(gateway.port)) {
                    for (int g = 0; g < options.scrapeGroups; g++) {
                        int status = http.push("PUT", "/metrics/job/scrape/instance/g" + g, bigGroupBody(g));
                        if (status < 200 || status >= 300) {
                            throw new IllegalStateException("scrape fill push answered " + status);
                        }
                    }
                }
                progress("  " + gateway.name + ": filled " + series + " series in " + seconds(System.nanoTime() - start));
                long rss = gateway.settledRssKb();
                memory[sideIndex] = (rss - baseline) * 1024.0 / series;
                progress("  " + gateway.name + ": resident " + baseline / 1024 + " -> " + rss / 1024 + " MiB, "
                        + bytes(memory[sideIndex]) + " per series");
                if (gateway.isJvm && options.jvmGc) {
                    long heap = gateway.liveHeapKbAfterFullGc();
                    double perSeries = (heap - heapBaseline) * 1024.0 / series;
                    progress("  " + gateway.name + ": live Java heap after a full GC " + heapBaseline / 1024
                            + " -> " + heap / 1024 + " MiB, " + bytes(perSeries) + " per series");
                    results.note(gateway.name + ", " + options.scrapeGroups + " groups of " + options.scrapeSeries
                            + ": live Java heap after a full GC: " + bytes(perSeries) + " per series");
                }
                try (Http1 http = new Http1(gateway.port)) {
                    Http1.Response plain = http.get("/metrics", false);
                    contentDigest[sideIndex] = pushedContentDigest(plain.body, series);
                    Http1.Response zipped = http.get("/metrics", true);
                    String zippedDigest = pushedContentDigest(gunzip(zipped.body), series);
                    if (!zippedDigest.equals(contentDigest[sideIndex])) {
                        results.note(gateway.name + ": gzip scrape content differs from plain: " + zippedDigest);
                    }
                    double[] plainTimes = scrapes(http, false);
                    double[] gzipTimes = scrapes(http, true);
                    plainMs[sideIndex] = plainTimes[0];
                    plainSize[sideIndex] = plainTimes[1];
                    gzipMs[sideIndex] = gzipTimes[0];
                    gzipSize[sideIndex] = gzipTimes[1];
                }
                progress(String.format(Locale.ROOT, "  %s: plain median %s (%s), gzip median %s (%s)", gateway.name,
                        millis(plainMs[sideIndex]), bytes(plainSize[sideIndex]), millis(gzipMs[sideIndex]),
                        bytes(gzipSize[sideIndex])));
            }
        }
        boolean same = contentDigest[0].equals(contentDigest[1]);
        results.note("scrape content (the pushed series, self metrics left out): "
                + (same ? "the same on both sides (" + contentDigest[0] + ")"
                        : "DIFFERS: upstream " + contentDigest[0] + ", " + candidateName() + " " + contentDigest[1]));
        results.add("scrape " + series + " series, plain", "ms", plainMs[0], plainMs[1], false, 10, "≥ 10x");
        results.add("scrape " + series + " series, gzip", "ms", gzipMs[0], gzipMs[1], false, 3, "≥ 3x");
        results.add("scrape response size, plain", "bytes", plainSize[0], plainSize[1], false, 0, "");
        results.add("scrape response size, gzip", "bytes", gzipSize[0], gzipSize[1], false, 0, "");
        results.add("memory per stored series, " + options.scrapeGroups + " groups of " + options.scrapeSeries,
                "bytes", memory[0], memory[1], false, 2, "≥ 2x");
    }

    private byte[] bigGroupBody(int group) {
        StringBuilder body = new StringBuilder(options.scrapeSeries * 48);
        body.append("# HELP bench_scrape A benchmark gauge.\n# TYPE bench_scrape gauge\n");
        for (int s = 0; s < options.scrapeSeries; s++) {
            body.append("bench_scrape{series=\"").append(s).append("\"} ").append(group * 1_000_000L + s).append('\n');
        }
        return body.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Median time-to-last-byte in ms and the body size in bytes as sent (compressed, for gzip). */
    private double[] scrapes(Http1 http, boolean gzip) throws IOException {
        for (int i = 0; i < options.scrapeWarmup; i++) {
            http.get("/metrics", gzip);
        }
        List<Double> times = new ArrayList<>();
        int size = 0;
        for (int i = 0; i < options.scrapeRepeats; i++) {
            long start = System.nanoTime();
            Http1.Response response = http.get("/metrics", gzip);
            times.add((System.nanoTime() - start) / 1e6);
            size = response.body.length;
            if (gzip && !response.gzip) {
                throw new IllegalStateException("asked for gzip, got an uncompressed answer");
            }
        }
        times.sort(null);
        return new double[] {percentile(times, 50), size};
    }

    private static byte[] gunzip(byte[] body) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
            return in.readAllBytes();
        }
    }

    /** The pushed bench_scrape lines, sorted and hashed: both sides must serve the same content. */
    private static String pushedContentDigest(byte[] body, int expectedSeries) {
        List<String> lines = new ArrayList<>();
        for (String line : new String(body, StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("bench_scrape{")) {
                lines.add(line);
            }
        }
        lines.sort(null);
        int hash = lines.hashCode();
        return lines.size() + " bench_scrape series" + (lines.size() == expectedSeries ? "" : " (expected "
                + expectedSeries + ")") + ", hash " + Integer.toHexString(hash);
    }

    // ---- phase 4: mass expiry (Tidegate only) ----------------------------------------------------------------

    /** Groups without a TTL that the timed pushes replace; stored before the expiring ones. */
    private static final int EXPIRY_OTHER_GROUPS = 1_000;
    /** The quiet window (the normal figure) ends this long before the deadline... */
    private static final long QUIET_END_MILLIS = 500;
    /** ...and the mass-expiry window starts this long before it. */
    private static final long EXPIRY_LEAD_MILLIS = 250;
    /** The first poll of /metrics, this long after the deadline: before it a scrape still renders every group. */
    private static final long FIRST_POLL_MILLIS = 20;
    /** Stop waiting for the store to shrink back this long after the deadline. */
    private static final long EXPIRY_GIVE_UP_MILLIS = 30_000;

    /** Tidegate's own gauges read from one scrape of /metrics, with that scrape's time and size. */
    record SelfMetrics(long groups, long expiredGroups, double scrapeMs, int bytes) {
        private static final Pattern GROUPS = Pattern.compile("(?m)^tidegate_groups (\\S+)$");
        private static final Pattern EXPIRED = Pattern.compile("(?m)^tidegate_expired_groups_total (\\S+)$");

        static SelfMetrics read(Http1 http) throws IOException {
            long start = System.nanoTime();
            Http1.Response response = http.get("/metrics", false);
            double ms = (System.nanoTime() - start) / 1e6;
            if (response.status() != 200) {
                throw new IllegalStateException("GET /metrics answered " + response.status());
            }
            String text = new String(response.body(), StandardCharsets.UTF_8);
            return new SelfMetrics(gauge(GROUPS, text), gauge(EXPIRED, text), ms, response.body().length);
        }

        private static long gauge(Pattern pattern, String text) {
            Matcher m = pattern.matcher(text);
            if (!m.find()) {
                throw new IllegalStateException("no " + pattern.pattern() + " in /metrics: is this Tidegate?");
            }
            return (long) Double.parseDouble(m.group(1));
        }
    }

    private void expiryPhase() throws Exception {
        int groups = options.expiryGroups;
        progress("== mass expiry: " + groups + " groups of " + options.expirySeries + " series, each pushed with a "
                + "Push-TTL that ends at one common deadline; single-push latency (one connection, PUTs replacing "
                + EXPIRY_OTHER_GROUPS + " other groups without TTL) for " + options.expiryQuiet + " s before the deadline"
                + " and from " + EXPIRY_LEAD_MILLIS + " ms before it until tidegate_groups is back (/metrics polled every "
                + options.expiryPollMillis + " ms from the deadline on)");
        progress("  upstream: not applicable (the upstream Pushgateway has no TTL)");
        if (!isTidegate()) {
            results.note("mass expiry: not applicable to " + candidateName() + " (upstream has no TTL); phase skipped");
            return;
        }
        try (Gateway gateway = startCandidate(candidateName())) {
            int others = fill(gateway, 0, EXPIRY_OTHER_GROUPS, Long.MAX_VALUE);
            double rate = calibrate(gateway, others);
            SelfMetrics before;
            try (Http1 http = new Http1(gateway.port)) {
                before = SelfMetrics.read(http);
            }
            boolean heap = gateway.isJvm && options.jvmGc;
            // after the fill: one full scrape (check), settled RSS, live heap, warm-up, the quiet window
            long reserveMillis = 2_000 + 2_500 + (heap ? 5_000 : 0) + options.latencyWarmup * 1000L
                    + options.expiryQuiet * 1000L + QUIET_END_MILLIS;
            long fillMillis = (long) (groups / rate * 1500) + 2_000;
            // a whole wall-clock second, so that "the same second" is literal
            long deadline = (System.currentTimeMillis() + fillMillis + reserveMillis) / 1000 * 1000 + 1000;
            progress(String.format(Locale.ROOT, "  %s: %d groups without TTL stored; fill rate %s over %d connections,"
                            + " so the common deadline is %s (in %s)", gateway.name, before.groups,
                    format(rate, "push/s"), options.fillConnections,
                    java.time.Instant.ofEpochMilli(deadline), seconds((deadline - System.currentTimeMillis()) * 1_000_000L)));

            long fillStart = System.nanoTime();
            long[] ttlRange = {Long.MAX_VALUE, Long.MIN_VALUE};
            int filled = fillExpiring(gateway, groups, deadline, deadline - reserveMillis, ttlRange);
            progress(String.format(Locale.ROOT, "  %s: filled %d expiring groups in %s, Push-TTL from %.3f s down to %.3f s",
                    gateway.name, filled, seconds(System.nanoTime() - fillStart), ttlRange[1] / 1000.0, ttlRange[0] / 1000.0));
            if (filled < groups) {
                results.note(gateway.name + ": mass expiry with " + filled + " groups only: the fill was slower than "
                        + "estimated and had to stop to leave time before the deadline");
            }
            SelfMetrics full;
            try (Http1 http = new Http1(gateway.port)) {
                full = SelfMetrics.read(http);
            }
            progress(String.format(Locale.ROOT, "  %s: %d groups stored; a full scrape took %s (%s)", gateway.name,
                    full.groups, millis(full.scrapeMs), bytes(full.bytes)));
            if (full.groups < before.groups + filled) {
                results.note(gateway.name + ": mass expiry: only " + full.groups + " groups stored before the deadline, "
                        + "expected " + (before.groups + filled));
            }
            long rssBefore = gateway.settledRssKb();
            long heapBefore = heap ? gateway.liveHeapKbAfterFullGc() : 0;
            progress("  " + gateway.name + ": resident " + rssBefore / 1024 + " MiB"
                    + (heap ? ", live Java heap " + heapBefore / 1024 + " MiB" : "") + ", deadline in "
                    + seconds((deadline - System.currentTimeMillis()) * 1_000_000L));

            long quietStart = deadline - QUIET_END_MILLIS - options.expiryQuiet * 1000L;
            long warmStart = quietStart - options.latencyWarmup * 1000L;
            sleepUntil(warmStart);

            AtomicLong freedAt = new AtomicLong(-1); // wall-clock ms by which a poll saw the store shrunk back
            AtomicLong lastBusyPoll = new AtomicLong(-1); // when the last poll still seeing expired groups was sent
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicReference<Exception> pollFailure = new java.util.concurrent.atomic.AtomicReference<>();
            List<String> timeline = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Double> pollScrapes = java.util.Collections.synchronizedList(new ArrayList<>());
            List<long[]> pollSpans = java.util.Collections.synchronizedList(new ArrayList<>()); // {sent, received}
            Thread poller = new Thread(() -> {
                try (Http1 http = new Http1(gateway.port)) {
                    sleepUntil(deadline + FIRST_POLL_MILLIS);
                    while (true) {
                        long sent = System.currentTimeMillis();
                        SelfMetrics now = SelfMetrics.read(http);
                        long received = System.currentTimeMillis();
                        pollSpans.add(new long[] {sent, received});
                        pollScrapes.add(now.scrapeMs);
                        timeline.add(String.format(Locale.ROOT, "+%d ms: %d (%s)", sent - deadline, now.groups,
                                millis(now.scrapeMs)));
                        if (now.groups <= before.groups) {
                            freedAt.set(received);
                            break;
                        }
                        lastBusyPoll.set(sent);
                        if (received > deadline + EXPIRY_GIVE_UP_MILLIS) {
                            break;
                        }
                        sleepUntil(sent + options.expiryPollMillis);
                    }
                } catch (Exception e) {
                    pollFailure.set(e);
                } finally {
                    stop.set(true);
                }
            }, "expiry-poller");
            poller.setDaemon(true);
            poller.start();

            List<long[]> samples = new ArrayList<>(); // {wall-clock ms at send, nanoseconds to the full answer}
            Random random = new Random(11);
            try (Http1 http = new Http1(gateway.port)) {
                for (long n = 0; !stop.get(); n++) {
                    byte[] body = tenSeriesBody(n);
                    String path = "/metrics/job/bench/instance/g" + random.nextInt(others);
                    long wall = System.currentTimeMillis();
                    long start = System.nanoTime();
                    int status = http.push("PUT", path, body);
                    long took = System.nanoTime() - start;
                    if (status < 200 || status >= 300) {
                        throw new IllegalStateException("expiry latency push answered " + status);
                    }
                    if (wall >= quietStart) {
                        samples.add(new long[] {wall, took});
                    }
                }
            }
            poller.join();
            if (pollFailure.get() != null) {
                throw new IllegalStateException("polling /metrics failed", pollFailure.get());
            }
            long freed = freedAt.get();
            long windowEnd = freed >= 0 ? freed : deadline + EXPIRY_GIVE_UP_MILLIS;
            List<Double> quiet = new ArrayList<>();
            List<Double> during = new ArrayList<>();
            for (long[] sample : samples) {
                if (sample[0] < deadline - QUIET_END_MILLIS) {
                    quiet.add(sample[1] / 1e6);
                } else if (sample[0] >= deadline - EXPIRY_LEAD_MILLIS && sample[0] <= windowEnd) {
                    during.add(sample[1] / 1e6);
                }
            }
            // the slowest pushes of the expiry window and when they were sent: does a stall line up with a poll
            // (scrape) or with the sweep?
            List<long[]> slowest = new ArrayList<>();
            for (long[] sample : samples) {
                if (sample[0] >= deadline - EXPIRY_LEAD_MILLIS && sample[0] <= windowEnd) {
                    slowest.add(sample);
                }
            }
            slowest.sort((a, b) -> Long.compare(b[1], a[1]));
            List<String> slowestText = new ArrayList<>();
            for (long[] sample : slowest.subList(0, Math.min(5, slowest.size()))) {
                slowestText.add(String.format(Locale.ROOT, "%s at %+d ms", millis(sample[1] / 1e6), sample[0] - deadline));
            }
            quiet.sort(null);
            during.sort(null);
            // which slow pushes share their time with a poll of /metrics, and when the others were sent
            double slowMark = 2 * percentile(quiet, 99);
            List<Double> apartFromPolls = new ArrayList<>();
            java.util.TreeMap<Long, Integer> slowByTenth = new java.util.TreeMap<>();
            for (long[] sample : slowest) {
                long end = sample[0] + sample[1] / 1_000_000 + 1;
                boolean overlapsPoll = false;
                synchronized (pollSpans) {
                    for (long[] span : pollSpans) {
                        overlapsPoll |= sample[0] <= span[1] && end >= span[0];
                    }
                }
                if (!overlapsPoll) {
                    apartFromPolls.add(sample[1] / 1e6);
                }
                if (sample[1] / 1e6 > slowMark) {
                    slowByTenth.merge(Math.floorDiv(sample[0] - deadline, 100) * 100, 1, Integer::sum);
                }
            }
            apartFromPolls.sort(null);
            long quietSlow = quiet.stream().filter(ms -> ms > slowMark).count();
            progress(String.format(Locale.ROOT, "  %s: during mass expiry, pushes not overlapping a poll: p99 %s (%d pushes);"
                    + " pushes slower than %s by 100 ms from the deadline: %s (before the deadline: %.1f per 100 ms)",
                    gateway.name, millis(percentile(apartFromPolls, 99)), apartFromPolls.size(), millis(slowMark),
                    slowByTenth, quietSlow * 100.0 / (options.expiryQuiet * 1000.0)));
            progress("  " + gateway.name + ": tidegate_groups after the deadline: " + String.join(", ", timeline));
            progress("  " + gateway.name + ": slowest pushes during mass expiry (sent at, from the deadline): "
                    + String.join(", ", slowestText));

            double[] scrapesAfter = new double[10];
            SelfMetrics after = null;
            try (Http1 http = new Http1(gateway.port)) {
                for (int i = 0; i < 5; i++) {
                    SelfMetrics.read(http);
                }
                for (int i = 0; i < scrapesAfter.length; i++) {
                    after = SelfMetrics.read(http);
                    scrapesAfter[i] = after.scrapeMs;
                }
            }
            Arrays.sort(scrapesAfter);
            long rssAfter = gateway.settledRssKb();
            long heapAfter = heap ? gateway.liveHeapKbAfterFullGc() : 0;

            double quietP50 = percentile(quiet, 50);
            double quietP99 = percentile(quiet, 99);
            double duringP50 = percentile(during, 50);
            double duringP99 = percentile(during, 99);
            double duringMax = during.isEmpty() ? Double.NaN : during.get(during.size() - 1);
            double quietMax = quiet.isEmpty() ? Double.NaN : quiet.get(quiet.size() - 1);
            double slowestPoll = pollScrapes.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
            double scrapeAfter = scrapesAfter[scrapesAfter.length / 2];
            long expired = after.expiredGroups - before.expiredGroups;
            progress(String.format(Locale.ROOT, "  %s: push before the deadline p50 %s, p99 %s, max %s (%d pushes);"
                            + " during mass expiry p50 %s, p99 %s, max %s (%d pushes); p99 ratio %.2fx",
                    gateway.name, millis(quietP50), millis(quietP99), millis(quietMax), quiet.size(),
                    millis(duringP50), millis(duringP99), millis(duringMax), during.size(), duringP99 / quietP99));
            progress(String.format(Locale.ROOT, "  %s: %s; %d groups counted expired; scrape during expiry slowest %s"
                            + " (%d polls), after it median %s; resident %d -> %d MiB%s", gateway.name,
                    freed >= 0 ? "store back to " + before.groups + " groups " + (freed - deadline)
                            + " ms after the deadline (last poll still seeing expired groups sent at +"
                            + (lastBusyPoll.get() < 0 ? "-" : Long.toString(lastBusyPoll.get() - deadline)) + " ms)"
                            : "store NOT back within " + EXPIRY_GIVE_UP_MILLIS / 1000 + " s",
                    expired, millis(slowestPoll), pollScrapes.size(), millis(scrapeAfter), rssBefore / 1024,
                    rssAfter / 1024, heap ? ", live Java heap " + heapBefore / 1024 + " -> " + heapAfter / 1024 + " MiB" : ""));

            results.candidateOnly("push p99, quiet, before mass expiry", "ms", quietP99, 0, "");
            results.candidateOnly("push p99 during mass expiry of " + filled + " groups", "ms", duringP99, 0, "");
            results.candidateOnly("push p99 during mass expiry / quiet", "x", duringP99 / quietP99, 2,
                    "≤ 2x (absolute)");
            results.candidateOnly("expired groups freed, after the deadline", "ms",
                    (double) (freed >= 0 ? freed - deadline : EXPIRY_GIVE_UP_MILLIS), 1000, "≤ 1 s (absolute, SPEC §3)");
            results.candidateOnly("scrape before the deadline, all groups, once", "ms", full.scrapeMs, 0, "");
            results.candidateOnly("scrape during mass expiry, slowest poll", "ms", slowestPoll, 0, "");
            results.candidateOnly("scrape after mass expiry, median", "ms", scrapeAfter, 0, "");
            results.candidateOnly("resident memory, " + filled + " groups with TTL", "bytes", rssBefore * 1024.0, 0, "");
            results.candidateOnly("resident memory after they expired", "bytes", rssAfter * 1024.0, 0, "");
            if (heap) {
                results.candidateOnly("live Java heap, " + filled + " groups with TTL", "bytes", heapBefore * 1024.0, 0, "");
                results.candidateOnly("live Java heap after they expired", "bytes", heapAfter * 1024.0, 0, "");
            }
            results.note(String.format(Locale.ROOT, "%s, mass expiry: push p50 %s before, %s during; slowest push %s "
                            + "before, %s during; p99 from %d pushes before and %d during (from %d ms before the deadline"
                            + " until the store was seen back)", gateway.name, millis(quietP50), millis(duringP50),
                    millis(quietMax), millis(duringMax), quiet.size(), during.size(), EXPIRY_LEAD_MILLIS));
            results.note(gateway.name + ", mass expiry: " + (freed >= 0
                    ? "the store was back to " + before.groups + " groups by " + (freed - deadline) + " ms after the "
                    + "deadline (the answer to the first poll that saw it) and not yet at +"
                    + (lastBusyPoll.get() < 0 ? "-" : Long.toString(lastBusyPoll.get() - deadline))
                    + " ms (the last poll still seeing expired groups); /metrics polled every " + options.expiryPollMillis
                    + " ms (--expiry-poll-ms)"
                    : "the store was NOT back to " + before.groups + " groups " + EXPIRY_GIVE_UP_MILLIS / 1000
                    + " s after the deadline"));
            if (during.size() < 200) {
                results.note(gateway.name + ", mass expiry: the p99 during expiry rests on " + during.size()
                        + " pushes only, it is close to the maximum");
            }
            if (heap) {
                results.note(gateway.name + ", mass expiry: live Java heap after a full GC " + heapBefore / 1024
                        + " MiB with the groups, " + heapAfter / 1024 + " MiB after they expired (a JVM seldom hands "
                        + "freed heap back to the OS, so resident memory hardly falls)");
            }
            if (expired != filled) {
                results.note(gateway.name + ", mass expiry: tidegate_expired_groups_total grew by " + expired
                        + ", expected " + filled);
            }
        }
    }

    /**
     * Pushes over the fill connections for --warmup seconds, replacing stored groups; returns pushes per second
     * over the second half (the first warms a JIT up).
     */
    private double calibrate(Gateway gateway, int groups) throws Exception {
        AtomicLong pushes = new AtomicLong();
        long begin = System.nanoTime();
        long until = begin + Math.max(2, options.warmup) * 1_000_000_000L;
        long start = begin + (until - begin) / 2;
        ExecutorService pool = Executors.newFixedThreadPool(options.fillConnections);
        List<Future<?>> workers = new ArrayList<>();
        for (int c = 0; c < options.fillConnections; c++) {
            int connection = c;
            workers.add(pool.submit(() -> {
                try (Http1 http = new Http1(gateway.port)) {
                    for (long n = connection; System.nanoTime() < until; n += options.fillConnections) {
                        int status = http.push("PUT", "/metrics/job/bench/instance/g" + (n % groups), tenSeriesBody(n));
                        if (status < 200 || status >= 300) {
                            throw new IllegalStateException("calibration push answered " + status);
                        }
                        if (System.nanoTime() >= start) {
                            pushes.incrementAndGet();
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        pool.shutdown();
        return pushes.get() / ((System.nanoTime() - start) / 1e9);
    }

    /**
     * Pushes the expiring groups [0, groups) over several connections, each with {@code Push-TTL} set to the time
     * left until {@code deadline} (wall-clock ms, to the millisecond), so that all of them expire at that moment.
     * Stops early at {@code stopAt}. ttlRange receives the smallest and largest TTL sent, in ms.
     */
    private int fillExpiring(Gateway gateway, int groups, long deadline, long stopAt, long[] ttlRange) throws Exception {
        AtomicInteger next = new AtomicInteger(0);
        AtomicInteger done = new AtomicInteger(0);
        ExecutorService pool = Executors.newFixedThreadPool(options.fillConnections);
        List<Future<long[]>> workers = new ArrayList<>();
        for (int c = 0; c < options.fillConnections; c++) {
            workers.add(pool.submit(() -> {
                long[] range = {Long.MAX_VALUE, Long.MIN_VALUE};
                try (Http1 http = new Http1(gateway.port)) {
                    while (true) {
                        long now = System.currentTimeMillis();
                        if (now >= stopAt) {
                            break;
                        }
                        int group = next.getAndIncrement();
                        if (group >= groups) {
                            break;
                        }
                        long ttl = deadline - now;
                        range[0] = Math.min(range[0], ttl);
                        range[1] = Math.max(range[1], ttl);
                        int status = http.push("PUT", "/metrics/job/expiry/instance/e" + group, expiringBody(group),
                                "Push-TTL: " + ttl / 1000 + "." + String.format(Locale.ROOT, "%03d", ttl % 1000) + "\r\n");
                        if (status < 200 || status >= 300) {
                            throw new IllegalStateException("expiring fill push answered " + status);
                        }
                        int count = done.incrementAndGet();
                        if (count % 20_000 == 0) {
                            progress("    " + gateway.name + ": " + count + " expiring groups stored");
                        }
                    }
                }
                return range;
            }));
        }
        for (Future<long[]> worker : workers) {
            long[] range = worker.get();
            ttlRange[0] = Math.min(ttlRange[0], range[0]);
            ttlRange[1] = Math.max(ttlRange[1], range[1]);
        }
        pool.shutdown();
        return Math.min(done.get(), Math.min(next.get(), groups));
    }

    /** An expiring group: one gauge family of --expiry-series series. */
    private byte[] expiringBody(int group) {
        StringBuilder body = new StringBuilder(100 + options.expirySeries * 48);
        body.append("# HELP bench_expiring A benchmark gauge that expires.\n# TYPE bench_expiring gauge\n");
        for (int s = 0; s < options.expirySeries; s++) {
            body.append("bench_expiring{series=\"").append(s).append("\"} ").append(group + s).append('\n');
        }
        return body.toString().getBytes(StandardCharsets.US_ASCII);
    }

    // ---- gateway processes -----------------------------------------------------------------------------------

    static final class Gateway implements Closeable {
        final String name;
        final Process process;
        final int port;
        final boolean isJvm;

        private Gateway(String name, Process process, int port, boolean isJvm) {
            this.name = name;
            this.process = process;
            this.port = port;
            this.isJvm = isJvm;
        }

        static Gateway start(String name, List<String> command, Path logDir) throws IOException {
            int port = freePort();
            List<String> full = new ArrayList<>(command);
            full.add("--web.listen-address=127.0.0.1:" + port);
            Path log = logDir.resolve(name + "-" + port + ".log");
            Process process = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
            boolean isJvm = Path.of(command.get(0)).getFileName().toString().startsWith("java");
            Gateway gateway = new Gateway(name, process, port, isJvm);
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " exited with " + process.exitValue() + ", see " + log);
                }
                try (Http1 http = new Http1(port)) {
                    if (http.get("/-/ready", false).status == 200) {
                        break;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                if (System.nanoTime() > deadline) {
                    gateway.close();
                    throw new IllegalStateException(name + " not ready within 60 s, see " + log);
                }
                sleep(50);
            }
            progress("  started " + name + " (pid " + process.pid() + ", port " + port + ")");
            return gateway;
        }

        /**
         * VmRSS in KiB before anything is stored: for a JVM (Tidegate) after its settle collection 5 s after
         * ready, which gives back what starting left and shrinks the heap; read before it, the baseline counted
         * that as room the fill then took (a small fill even read as negative per series).
         */
        long startRssKb() throws IOException {
            if (isJvm) {
                sleep(5_000);
            }
            return settledRssKb();
        }

        /** VmRSS in KiB, read after a short pause so that the process has settled. */
        long settledRssKb() throws IOException {
            sleep(2_000);
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            throw new IllegalStateException("no VmRSS for pid " + process.pid());
        }

        /**
         * The Java heap in use right after a full collection, i.e. live data, in KiB: {@code jcmd <pid> GC.run},
         * then the "used" figure of {@code jcmd <pid> GC.heap_info}. A steadier measure of what a JVM needs than
         * its resident memory, which follows heap sizing.
         */
        long liveHeapKbAfterFullGc() throws IOException {
            jcmd("GC.run");
            String info = jcmd("GC.heap_info");
            Matcher used = Pattern.compile("heap\\s+total \\d+K, used (\\d+)K").matcher(info);
            if (used.find()) {
                return Long.parseLong(used.group(1)); // G1 and the parallel collector: one figure for the heap
            }
            // the serial collector (the launcher's): one figure per generation
            Matcher generation = Pattern.compile("(?:def new|tenured) generation\\s+total \\d+K, used (\\d+)K").matcher(info);
            long sum = 0;
            int found = 0;
            while (generation.find()) {
                sum += Long.parseLong(generation.group(1));
                found++;
            }
            if (found != 2) {
                throw new IllegalStateException("no heap figure from jcmd for pid " + process.pid() + ": " + info);
            }
            return sum;
        }

        private String jcmd(String command) throws IOException {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            Process run = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), command)
                    .redirectErrorStream(true).start();
            String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            try {
                run.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return output;
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static int freePort() throws IOException {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            }
        }
    }

    // ---- a small HTTP/1.1 keep-alive client ------------------------------------------------------------------

    /** One keep-alive connection; just enough HTTP/1.1 for pushes and scrapes, and cheap per request. */
    static final class Http1 implements Closeable {
        record Response(int status, byte[] body, boolean gzip) {
        }

        private final int port;
        private Socket socket;
        private InputStream in;
        private OutputStream out;

        Http1(int port) throws IOException {
            this.port = port;
            connect();
        }

        private void connect() throws IOException {
            close();
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            socket.setSoTimeout(600_000);
            in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            out = socket.getOutputStream();
        }

        int push(String method, String path, byte[] body) throws IOException {
            return push(method, path, body, "");
        }

        /** A push with extra header lines, each ending in CRLF (e.g. {@code "Push-TTL: 12.345\r\n"}). */
        int push(String method, String path, byte[] body, String extraHeaders) throws IOException {
            String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extraHeaders
                    + "Content-Type: text/plain; version=0.0.4\r\nContent-Length: " + body.length + "\r\n\r\n";
            return exchange(head, body, false).status;
        }

        Response get(String path, boolean gzip) throws IOException {
            String head = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + (gzip ? "Accept-Encoding: gzip\r\n" : "") + "\r\n";
            return exchange(head, new byte[0], true);
        }

        private Response exchange(String head, byte[] body, boolean keepBody) throws IOException {
            if (socket == null) {
                connect();
            }
            byte[] headBytes = head.getBytes(StandardCharsets.ISO_8859_1);
            byte[] request = Arrays.copyOf(headBytes, headBytes.length + body.length);
            System.arraycopy(body, 0, request, headBytes.length, body.length);
            out.write(request);
            out.flush();
            String statusLine = line();
            if (statusLine == null) {
                throw new EOFException("connection closed before an answer");
            }
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            long length = -1;
            boolean chunked = false;
            boolean close = false;
            boolean gzip = false;
            for (String header = line(); header != null && !header.isEmpty(); header = line()) {
                String lower = header.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(lower.substring(15).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                } else if (lower.startsWith("connection:") && lower.contains("close")) {
                    close = true;
                } else if (lower.startsWith("content-encoding:") && lower.contains("gzip")) {
                    gzip = true;
                }
            }
            ByteArrayOutputStream sink = keepBody ? new ByteArrayOutputStream() : null;
            if (chunked) {
                for (long size = Long.parseLong(line().split(";")[0].trim(), 16); size > 0;
                        size = Long.parseLong(line().split(";")[0].trim(), 16)) {
                    copy(size, sink);
                    line();
                }
                for (String trailer = line(); trailer != null && !trailer.isEmpty(); trailer = line()) {
                    // trailers ignored
                }
            } else if (length >= 0) {
                copy(length, sink);
            } else {
                close = true;
                copy(Long.MAX_VALUE, sink);
            }
            if (close) {
                close();
            }
            return new Response(status, sink == null ? new byte[0] : sink.toByteArray(), gzip);
        }

        private void copy(long length, ByteArrayOutputStream sink) throws IOException {
            byte[] buffer = new byte[1 << 16];
            long left = length;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    if (length == Long.MAX_VALUE) {
                        return;
                    }
                    throw new EOFException("answer cut short");
                }
                if (sink != null) {
                    sink.write(buffer, 0, n);
                }
                left -= n;
            }
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    int end = line.length();
                    return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
                }
                line.append((char) c);
            }
            return line.length() == 0 ? null : line.toString();
        }

        @Override
        public void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
                socket = null;
            }
        }
    }

    // ---- results ---------------------------------------------------------------------------------------------

    static final class Results {
        private record Row(String figure, String unit, Double upstream, Double candidate, boolean higherIsBetter,
                           double targetRatio, String target, boolean upstreamNotApplicable) {
        }

        private final List<Row> rows = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();

        void add(String figure, String unit, Double upstream, Double candidate, boolean higherIsBetter,
                 double targetRatio, String target) {
            rows.add(new Row(figure, unit, upstream, candidate, higherIsBetter, targetRatio, target, false));
        }

        /** A growth factor per side (lower is better), checked against an absolute limit for the candidate. */
        void flatness(String figure, Double upstream, Double candidate, double limit) {
            rows.add(new Row(figure, "x", upstream, candidate, false, -limit, "≤ " + limit + "x (absolute)", false));
        }

        /**
         * A figure only the candidate has (upstream shows n/a); with a limit &gt; 0 checked as an absolute
         * upper bound on the candidate's value, described by target.
         */
        void candidateOnly(String figure, String unit, Double candidate, double limit, String target) {
            rows.add(new Row(figure, unit, null, candidate, false, limit > 0 ? -limit : 0, target, true));
        }

        void note(String note) {
            synchronized (notes) {
                notes.add(note);
            }
        }

        void print(String referenceName, String candidateName) {
            String format = "%-46s %16s %16s %12s   %s%n";
            System.out.printf(Locale.ROOT, format, "figure", referenceName, candidateName,
                    "ratio", "SPEC §8 target on the ratio");
            System.out.println("-".repeat(120));
            for (Row row : rows) {
                String ratio = "";
                String verdict = row.target;
                Double r = ratio(row);
                if (r != null) {
                    ratio = String.format(Locale.ROOT, "%.2fx", r);
                }
                if (row.targetRatio < 0 && row.candidate != null) {
                    ratio = "";
                    verdict += row.candidate <= -row.targetRatio ? "  met" : "  NOT met";
                } else if (row.targetRatio > 0 && r != null) {
                    verdict += r >= row.targetRatio ? "  met" : "  NOT met";
                } else if (row.targetRatio > 0) {
                    verdict += "  (not measured)";
                }
                System.out.printf(Locale.ROOT, format, row.figure,
                        row.upstreamNotApplicable ? "n/a" : value(row.upstream, row.unit),
                        value(row.candidate, row.unit), ratio, verdict);
            }
            System.out.println();
            System.out.println("ratio: how many times better " + candidateName + " is than " + referenceName
                    + " (higher is better): candidate/" + referenceName + " for throughput, " + referenceName
                    + "/candidate for times, sizes and memory.");
            if (!notes.isEmpty()) {
                System.out.println("notes:");
                notes.forEach(n -> System.out.println("  - " + n));
            }
        }

        private static Double ratio(Row row) {
            if (row.upstream == null || row.candidate == null || row.targetRatio < 0) {
                return null;
            }
            if (row.higherIsBetter) {
                return row.upstream == 0 ? null : row.candidate / row.upstream;
            }
            return row.candidate == 0 ? null : row.upstream / row.candidate;
        }

        private static String value(Double v, String unit) {
            if (v == null) {
                return "skipped";
            }
            return switch (unit) {
                case "ms" -> millis(v);
                case "bytes" -> bytes(v);
                case "x" -> String.format(Locale.ROOT, "%.2fx", v);
                default -> format(v, unit);
            };
        }
    }

    // ---- small helpers ---------------------------------------------------------------------------------------

    private static final long T0 = System.nanoTime();

    static void progress(String line) {
        System.out.printf(Locale.ROOT, "[%7.1fs] %s%n", (System.nanoTime() - T0) / 1e9, line);
        System.out.flush();
    }

    static double percentile(List<Double> sorted, int p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    static String format(double v, String unit) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, unit);
    }

    static String millis(double ms) {
        return String.format(Locale.ROOT, ms >= 100 ? "%.0f ms" : ms >= 1 ? "%.1f ms" : "%.3f ms", ms);
    }

    static String bytes(double b) {
        if (b >= 1 << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", b / (1 << 20));
        }
        if (b >= 10 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", b / 1024);
        }
        return String.format(Locale.ROOT, "%.0f B", b);
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    static String minutes(double seconds) {
        return seconds < 120 ? String.format(Locale.ROOT, "%.0f s", seconds)
                : String.format(Locale.ROOT, "%.0f min", seconds / 60);
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    static List<String> split(String words) {
        return words.isBlank() ? List.of() : List.of(words.trim().split("\\s+"));
    }

    /** Sleeps until the wall clock reaches epochMillis (no-op if it has). */
    static void sleepUntil(long epochMillis) {
        long left = epochMillis - System.currentTimeMillis();
        if (left > 0) {
            sleep(left);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
