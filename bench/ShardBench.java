import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Sharding benchmark (SPEC §9): one Mosquitto, N Tidegate shard processes, shard i subscribed with
 * {@code --mqtt.topics=metrics/job/site-i/#}, for N = 1, 2 and 4 in turn. The shards are frozen (SIGSTOP) while a
 * publisher queues a backlog of QoS 1, 1 KB Prometheus text messages at the broker, spread round-robin over the
 * devices of N sites ({@code metrics/job/site-<d mod N>/instance/device<d>}); then thawed, and the time each takes to
 * apply its share gives its rate. Reports messages/s applied per shard and in total, series and resident memory per
 * shard once the backlog is applied.
 *
 * <pre>
 *   mvn -B package -DskipTests
 *   java -cp target/tidegate.jar bench/ShardBench.java                 # about two minutes
 *   java -cp target/tidegate.jar bench/ShardBench.java --shards=1,2,4 --messages=120000 --devices=12000
 * </pre>
 *
 * All processes share this machine: on 2 cores, more shards share the same two processors with the broker and each
 * other, so the total shows what one machine does, and the per-shard figures what one shard does with its share of a
 * machine. Across machines, each shard has its own processors.
 */
public final class ShardBench {
    static int messages = 120_000;
    static int devices = 12_000;
    static int payloadBytes = 1024;
    static List<Integer> shardCounts = List.of(1, 2, 4);
    static String mosquitto = "/usr/sbin/mosquitto";
    static String tidegateJar = "target/tidegate.jar";
    static String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    static String javaOpts = "-Xmn32m";
    static final long START = System.nanoTime();
    static final int WARMUP_PER_SHARD = 30_000;

    public static void main(String[] args) throws Exception {
        for (String arg : args) {
            String[] kv = arg.replaceFirst("^--", "").split("=", 2);
            switch (kv[0]) {
                case "messages" -> messages = Integer.parseInt(kv[1]);
                case "devices" -> devices = Integer.parseInt(kv[1]);
                case "shards" -> shardCounts = List.of(kv[1].split(",")).stream().map(Integer::parseInt).toList();
                case "java-opts" -> javaOpts = kv[1];
                case "help" -> {
                    System.out.println("""
                            java -cp target/tidegate.jar bench/ShardBench.java [options]
                              --shards=1,2,4      shard counts to run, one after the other [1,2,4]
                              --messages=N        backlog per run, over all shards [120000]
                              --devices=N         distinct groups over all sites [12000]
                              --java-opts=...     JVM options of each shard [-Xmn32m]""");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + arg + ", try --help");
            }
        }
        Path workDir = Files.createTempDirectory("tidegate-shardbench");
        progress("ShardBench: " + messages + " messages of about " + payloadBytes + " bytes over " + devices
                + " devices per run, on " + Runtime.getRuntime().availableProcessors() + " processors; work dir " + workDir);
        List<String> summary = new ArrayList<>();
        for (int shards : shardCounts) {
            summary.add(run(workDir, shards));
        }
        System.out.println();
        System.out.println("| shards | total msg/s (whole backlog) | per shard: msg/s applied | series held | RSS MB |");
        System.out.println("|---|---|---|---|---|");
        summary.forEach(System.out::println);
    }

    private static String run(Path workDir, int shards) throws Exception {
        progress("--- " + shards + " shard(s)");
        int brokerPort = freePort();
        Path config = workDir.resolve("mosquitto-" + shards + ".conf");
        Files.writeString(config, """
                listener %d 127.0.0.1
                allow_anonymous true
                persistence false
                max_queued_messages 0
                max_queued_bytes 0
                log_dest stderr
                log_type error
                """.formatted(brokerPort));
        Process broker = new ProcessBuilder(ownSession(mosquitto, "-c", config.toString())).redirectErrorStream(true)
                .redirectOutput(workDir.resolve("mosquitto-" + shards + ".log").toFile()).start();
        List<Process> tidegates = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        try {
            awaitPort(brokerPort, broker, "mosquitto");
            for (int i = 0; i < shards; i++) {
                int port = freePort();
                List<String> command = new ArrayList<>(List.of(java));
                for (String opt : javaOpts.trim().split("\\s+")) {
                    if (!opt.isEmpty()) {
                        command.add(opt);
                    }
                }
                command.addAll(List.of("-jar", tidegateJar, "--web.listen-address=127.0.0.1:" + port,
                        "--mqtt.url=tcp://127.0.0.1:" + brokerPort, "--mqtt.client-id=shardbench-" + shards + "-" + i,
                        "--mqtt.topics=metrics/job/site-" + i + "/#",
                        "--mqtt.status-topic=metrics/tidegate/shard-" + i + "/status", "--log.level=warn"));
                tidegates.add(new ProcessBuilder(ownSession(command.toArray(String[]::new))).redirectErrorStream(true)
                        .redirectOutput(workDir.resolve("tidegate-" + shards + "-" + i + ".log").toFile()).start());
                ports.add(port);
            }
            for (int i = 0; i < shards; i++) {
                awaitPort(ports.get(i), tidegates.get(i), "tidegate shard " + i);
                while (selfMetric(ports.get(i), "tidegate_mqtt_connected") < 1) {
                    Thread.sleep(50);
                }
            }
            // warm-up: each shard's JIT compiles the ingest on a share of its own before the clock runs
            int[] warmupShare = shares(WARMUP_PER_SHARD * shards, shards);
            publishBacklog(brokerPort, shards, WARMUP_PER_SHARD * shards);
            long[] baseline = new long[shards];
            for (int i = 0; i < shards; i++) {
                while ((baseline[i] = (long) selfMetric(ports.get(i), "tidegate_mqtt_messages_applied_total")) < warmupShare[i]) {
                    Thread.sleep(200);
                }
            }
            progress("  warmed up: " + WARMUP_PER_SHARD + " messages per shard applied");
            for (Process tidegate : tidegates) {
                signal(tidegate, "STOP");
            }
            try {
                publishBacklog(brokerPort, shards, messages);
            } finally {
                for (Process tidegate : tidegates) {
                    signal(tidegate, "CONT");
                }
            }
            long thawed = System.nanoTime();
            double[] seconds = new double[shards];
            int[] share = shares(messages, shards);
            int done = 0;
            long deadline = thawed + TimeUnit.MINUTES.toNanos(10);
            long[] previousAt = new long[shards];
            long[] previousCount = new long[shards];
            Arrays.fill(previousAt, thawed);
            while (done < shards) {
                // a reading is a scrape of all a shard holds, which costs it processor time: once a second
                Thread.sleep(1000);
                for (int i = 0; i < shards; i++) {
                    if (seconds[i] > 0) {
                        continue;
                    }
                    long count = (long) selfMetric(ports.get(i), "tidegate_mqtt_messages_applied_total") - baseline[i];
                    long at = System.nanoTime();
                    if (count >= share[i]) {
                        // when the last message was applied, at the rate since the previous reading
                        double rate = (double) (count - previousCount[i]) / (at - previousAt[i]);
                        double finished = rate > 0 ? Math.min(at, previousAt[i] + (share[i] - previousCount[i]) / rate) : at;
                        seconds[i] = (finished - thawed) / 1e9;
                        done++;
                    }
                    previousAt[i] = at;
                    previousCount[i] = count;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the shards did not apply the backlog within 10 minutes");
                }
            }
            double slowest = 0;
            List<String> perShard = new ArrayList<>();
            List<String> series = new ArrayList<>();
            List<String> rss = new ArrayList<>();
            for (int i = 0; i < shards; i++) {
                slowest = Math.max(slowest, seconds[i]);
                double rejected = selfMetric(ports.get(i), "tidegate_mqtt_messages_rejected_total");
                if (rejected > 0) {
                    throw new IllegalStateException("shard " + i + " rejected " + rejected + " messages");
                }
                double rate = share[i] / seconds[i];
                long held = (long) selfMetric(ports.get(i), "tidegate_series");
                long residentKb = residentKb(tidegates.get(i));
                progress(String.format(Locale.ROOT, "  shard %d (site-%d): %d messages in %.2f s: %.0f msg/s; %d series "
                        + "held; RSS %d MB", i, i, share[i], seconds[i], rate, held, residentKb / 1024));
                perShard.add(String.format(Locale.ROOT, "%.0f", rate));
                series.add(Long.toString(held));
                rss.add(Long.toString(residentKb / 1024));
            }
            double total = messages / slowest;
            progress(String.format(Locale.ROOT, "  total: %d messages in %.2f s: %.0f msg/s", messages, slowest, total));
            return String.format(Locale.ROOT, "| %d | %.0f | %s | %s | %s |", shards, total, String.join(", ", perShard),
                    String.join(", ", series), String.join(", ", rss));
        } finally {
            for (Process tidegate : tidegates) {
                tidegate.destroy();
                tidegate.waitFor(20, TimeUnit.SECONDS);
            }
            broker.destroy();
            broker.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** How many of {@code count} messages, spread round-robin over the devices, fall to each shard. */
    private static int[] shares(int count, int shards) {
        int[] share = new int[shards];
        for (int m = 0; m < count; m++) {
            share[(m % devices) % shards]++;
        }
        return share;
    }

    private static void publishBacklog(int brokerPort, int sites, int messages) throws Exception {
        MqttAsyncClient publisher = new MqttAsyncClient("tcp://127.0.0.1:" + brokerPort, "shardbench-publisher",
                new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMaxInflight(1000);
        options.setCleanSession(true);
        publisher.connect(options).waitForCompletion(10_000);
        long started = System.nanoTime();
        byte[][] payloads = new byte[16][];
        for (int i = 0; i < payloads.length; i++) {
            payloads[i] = payload(i);
        }
        List<IMqttDeliveryToken> window = new ArrayList<>();
        for (int m = 0; m < messages; m++) {
            int device = m % devices;
            window.add(publisher.publish("metrics/job/site-" + (device % sites) + "/instance/device" + device,
                    payloads[m % payloads.length], 1, false));
            if (window.size() == 500) {
                for (IMqttDeliveryToken token : window) {
                    token.waitForCompletion(30_000);
                }
                window.clear();
            }
        }
        for (IMqttDeliveryToken token : window) {
            token.waitForCompletion(30_000);
        }
        publisher.disconnect().waitForCompletion(10_000);
        publisher.close();
        progress(String.format(Locale.ROOT, "  backlog of %d messages queued at the broker in %.1f s", messages,
                (System.nanoTime() - started) / 1e9));
    }

    /** About payloadBytes of Prometheus text: one gauge family with as many series as fit. */
    static byte[] payload(int variant) {
        StringBuilder text = new StringBuilder("# HELP bench_reading A reading of a benchmark device.\n# TYPE bench_reading gauge\n");
        for (int series = 0; text.length() < payloadBytes - 60; series++) {
            text.append("bench_reading{sensor=\"sensor-").append(series).append("\",unit=\"celsius\"} ")
                    .append(20 + variant + series / 10.0).append('\n');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static long residentKb(Process process) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    /**
     * {@code command} run in a session of its own ({@code setsid}, the same pid): when the shell that started the
     * bench ends, the bench's process group is orphaned, and the kernel sends a stopped member of a newly orphaned
     * group SIGHUP and SIGCONT, which would thaw a consumer frozen for its backlog early (see DrainBench).
     */
    private static List<String> ownSession(String... command) {
        List<String> own = new ArrayList<>(List.of("setsid"));
        own.addAll(List.of(command));
        return own;
    }

    private static void signal(Process process, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    private static double selfMetric(int port, String name) throws IOException {
        String body = httpGet(port, "/metrics");
        double sum = 0;
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$").matcher(body);
        while (matcher.find()) {
            sum += Double.parseDouble(matcher.group(2));
        }
        return sum;
    }

    private static String httpGet(int port, String path) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int body = response.indexOf("\r\n\r\n");
            return body < 0 ? "" : response.substring(body + 4);
        }
    }

    private static void awaitPort(int port, Process process, String name) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + " is not listening on " + port);
                }
                Thread.sleep(20);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static void progress(String line) {
        System.out.printf(Locale.ROOT, "[%7.1fs] %s%n", (System.nanoTime() - START) / 1e9, line);
    }
}
