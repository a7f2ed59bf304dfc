import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * Tidegate's MQTT ingest benchmark (SPEC §8: at least 90 % of what the bare MQTT client receives). One run, one
 * broker (Debian's Mosquitto on a free loopback port), two consumers measured one after the other under the same
 * load: the bare Paho MQTT 5 client with manual acknowledgements and a handler that only counts, and Tidegate
 * applying every message to its store.
 *
 * <pre>
 *   mvn -B package -DskipTests
 *   java -cp target/tidegate.jar bench/MqttBench.java            # defaults: about a minute
 *   java -cp target/tidegate.jar bench/MqttBench.java --help
 * </pre>
 *
 * Each consumer subscribes to {@code metrics/job/#} with QoS 1 and is then frozen (SIGSTOP) while the publisher
 * queues the whole backlog at the broker (QoS 1, 1 KB Prometheus text payloads, round-robin over the devices); the
 * consumer is then thawed (SIGCONT) and the time until it has handled the whole backlog gives its rate. Draining a
 * backlog measures the consumer alone: the publisher is done before the clock starts.
 */
public final class MqttBench {
    static int messages = 200_000;
    static int devices = 10_000;
    static int payloadBytes = 1024;
    static int rounds = 2;
    static String mosquitto = "/usr/sbin/mosquitto";
    static String tidegateJar = "target/tidegate.jar";
    /** An earlier Tidegate jar measured in the same rounds, for a before/after ratio; empty for none. */
    static String referenceJar = "";
    static String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    static String javaOpts = "-Xmn32m";
    static final long START = System.nanoTime();
    /** How often the consumers' counts are read: a read of Tidegate is a scrape of all it holds. */
    static final long POLL_MILLIS = 1000;

    public static void main(String[] args) throws Exception {
        for (String arg : args) {
            if (arg.equals("--bare-subscriber")) {
                continue;
            }
            String[] kv = arg.replaceFirst("^--", "").split("=", 2);
            switch (kv[0]) {
                case "messages" -> messages = Integer.parseInt(kv[1]);
                case "devices" -> devices = Integer.parseInt(kv[1]);
                case "payload-bytes" -> payloadBytes = Integer.parseInt(kv[1]);
                case "rounds" -> rounds = Integer.parseInt(kv[1]);
                case "java-opts" -> javaOpts = kv[1];
                case "reference-jar" -> referenceJar = kv[1];
                case "port" -> { }
                case "help" -> {
                    System.out.println("""
                            java -cp target/tidegate.jar bench/MqttBench.java [options]
                              --messages=N        backlog drained per measurement [200000]
                              --devices=N         distinct groups (topics) the messages cycle through [10000]
                              --payload-bytes=N   approximate size of each Prometheus text payload [1024]
                              --rounds=N          measurements per consumer, alternating [2]
                              --java-opts=OPTS    JVM options for Tidegate [-Xmn32m]
                              --reference-jar=JAR an earlier Tidegate jar, measured in the same rounds [none]""");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + arg + ", try --help");
            }
        }
        if (List.of(args).contains("--bare-subscriber")) {
            bareSubscriber(portOption(args));
            return;
        }
        new MqttBench().run();
    }

    private static int portOption(String[] args) {
        for (String arg : args) {
            if (arg.startsWith("--port=")) {
                return Integer.parseInt(arg.substring("--port=".length()));
            }
        }
        throw new IllegalArgumentException("--port is required with --bare-subscriber");
    }

    private Path workDir;
    private int brokerPort;

    private void run() throws Exception {
        workDir = Files.createTempDirectory("mqttbench-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-");
        progress("MqttBench: " + messages + " messages of ~" + payloadBytes + " B over " + devices + " devices, QoS 1; "
                + "logs in " + workDir + "; machine: " + Runtime.getRuntime().availableProcessors() + " CPUs");
        Process broker = startMosquitto();
        List<Double> bare = new ArrayList<>();
        List<Double> tidegate = new ArrayList<>();
        List<Double> reference = new ArrayList<>();
        try {
            for (int round = 1; round <= rounds; round++) {
                bare.add(measureBare(round));
                tidegate.add(measureTidegate(round, tidegateJar, "tidegate"));
                if (!referenceJar.isEmpty()) {
                    reference.add(measureTidegate(round, referenceJar, "reference"));
                }
            }
        } finally {
            broker.destroy();
            broker.waitFor(10, TimeUnit.SECONDS);
        }
        double bareBest = bare.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        double tidegateBest = tidegate.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        System.out.println();
        System.out.printf(Locale.ROOT, "%-60s %14s%n", "figure (QoS 1, ~" + payloadBytes + " B text payloads, " + devices + " devices)", "messages/s");
        System.out.println("-".repeat(76));
        System.out.printf(Locale.ROOT, "%-60s %14s%n", "bare Paho MQTT 5 client, trivial handler (each round)", rates(bare));
        System.out.printf(Locale.ROOT, "%-60s %14s%n", "Tidegate, applied to its store (each round)", rates(tidegate));
        double ratio = tidegateBest / bareBest;
        System.out.printf(Locale.ROOT, "%-60s %13.0f%%  %s%n", "Tidegate / bare client (best rounds)", ratio * 100,
                ratio >= 0.9 ? "SPEC §8 ≥ 90 %: met" : "SPEC §8 ≥ 90 %: NOT met");
        if (!reference.isEmpty()) {
            double referenceBest = reference.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            System.out.printf(Locale.ROOT, "%-60s %14s%n", "reference " + referenceJar + " (each round)", rates(reference));
            System.out.printf(Locale.ROOT, "%-60s %13.2fx%n", "Tidegate / reference (best rounds)", tidegateBest / referenceBest);
        }
    }

    private static String rates(List<Double> rates) {
        List<String> parts = new ArrayList<>();
        for (double rate : rates) {
            parts.add(String.format(Locale.ROOT, "%.0f", rate));
        }
        return String.join(", ", parts);
    }

    // ---- the broker -------------------------------------------------------------------------------------------

    private Process startMosquitto() throws Exception {
        brokerPort = freePort();
        Path config = workDir.resolve("mosquitto.conf");
        // an unbounded queue, so that a frozen consumer's backlog stays at the broker in full
        Files.writeString(config, """
                listener %d 127.0.0.1
                allow_anonymous true
                persistence false
                max_queued_messages 0
                max_queued_bytes 0
                log_dest stderr
                log_type error
                log_type warning
                """.formatted(brokerPort));
        Process process = new ProcessBuilder(ownSession(mosquitto, "-c", config.toString())).redirectErrorStream(true)
                .redirectOutput(workDir.resolve("mosquitto.log").toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
        awaitPort(brokerPort, process, "mosquitto");
        progress("  mosquitto on port " + brokerPort + " (pid " + process.pid() + ")");
        return process;
    }

    // ---- the consumers ----------------------------------------------------------------------------------------

    private double measureBare(int round) throws Exception {
        Path out = workDir.resolve("bare-" + round + ".log");
        Process consumer = new ProcessBuilder(ownSession(java, "-cp", System.getProperty("java.class.path"),
                Path.of("bench", "MqttBench.java").toString(), "--bare-subscriber", "--port=" + brokerPort,
                "--messages=" + messages)).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            awaitLine(out, "subscribed", consumer);
            double seconds = drain(consumer, () -> countIn(out), POLL_MILLIS);
            double rate = messages / seconds;
            progress(String.format(Locale.ROOT, "  round %d, bare client: %d messages in %.2f s: %.0f messages/s",
                    round, messages, seconds, rate));
            return rate;
        } finally {
            consumer.destroy();
            consumer.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private double measureTidegate(int round, String jar, String name) throws Exception {
        int httpPort = freePort();
        Path out = workDir.resolve(name + "-" + round + ".log");
        List<String> command = new ArrayList<>();
        command.add(java);
        for (String opt : javaOpts.trim().split("\\s+")) {
            if (!opt.isEmpty()) {
                command.add(opt);
            }
        }
        command.addAll(List.of("-jar", jar, "--web.listen-address=127.0.0.1:" + httpPort,
                "--mqtt.url=tcp://127.0.0.1:" + brokerPort, "--mqtt.client-id=mqttbench-" + name + "-" + round,
                "--log.level=warn"));
        Process tidegate = new ProcessBuilder(ownSession(command.toArray(String[]::new))).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        try {
            awaitPort(httpPort, tidegate, "tidegate");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (selfMetric(httpPort, "tidegate_mqtt_connected") < 1) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + " did not connect to the broker within 60 s, see " + out);
                }
                Thread.sleep(50);
            }
            double before = selfMetric(httpPort, "tidegate_mqtt_messages_applied_total");
            double seconds = drain(tidegate,
                    () -> (long) (selfMetric(httpPort, "tidegate_mqtt_messages_applied_total") - before), POLL_MILLIS);
            double rejected = selfMetric(httpPort, "tidegate_mqtt_messages_rejected_total");
            if (rejected > 0) {
                throw new IllegalStateException(name + " rejected " + rejected + " messages, see " + out);
            }
            double rate = messages / seconds;
            progress(String.format(Locale.ROOT, "  round %d, %s: %d messages applied in %.2f s: %.0f messages/s",
                    round, name, messages, seconds, rate));
            return rate;
        } finally {
            tidegate.destroy();
            tidegate.waitFor(20, TimeUnit.SECONDS);
        }
    }

    interface Count {
        long get() throws Exception;
    }

    /**
     * Freezes the consumer, queues the backlog at the broker, thaws the consumer and returns the seconds it took to
     * handle all of it. The count is read every {@code pollMillis}; the moment the last message was handled is
     * extrapolated from the rate between the last two readings before it, so a coarse reading (a scrape of Tidegate
     * costs it processor time, so it is read only once a second) does not count against the consumer.
     */
    private double drain(Process consumer, Count handled, long pollMillis) throws Exception {
        signal(consumer, "STOP");
        try {
            publishBacklog();
        } finally {
            signal(consumer, "CONT");
        }
        long thawed = System.nanoTime();
        double cpuBefore = cpuSeconds(consumer);
        long deadline = thawed + TimeUnit.MINUTES.toNanos(5);
        long previousAt = thawed;
        long previousCount = 0;
        double rate = 0;
        while (true) {
            Thread.sleep(pollMillis);
            long count = handled.get();
            long at = System.nanoTime();
            if (count >= messages) {
                double finished = rate > 0 ? Math.min(at, previousAt + (messages - previousCount) / rate) : at;
                progress(String.format(Locale.ROOT, "    consumer used %.2f s of processor time (user + system) while draining",
                        cpuSeconds(consumer) - cpuBefore));
                return (finished - thawed) / 1e9;
            }
            if (!consumer.isAlive() || at > deadline) {
                throw new IllegalStateException("the consumer handled only " + count + " of " + messages);
            }
            if (count > previousCount && previousCount > 0) {
                rate = (double) (count - previousCount) / (at - previousAt);
            }
            previousAt = at;
            previousCount = count;
        }
    }

    private void publishBacklog() throws Exception {
        MqttAsyncClient publisher = new MqttAsyncClient("tcp://127.0.0.1:" + brokerPort, "mqttbench-publisher", new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMaxInflight(1000);
        options.setCleanSession(true);
        publisher.connect(options).waitForCompletion(10_000);
        long started = System.nanoTime();
        byte[][] payloads = new byte[16][];
        for (int i = 0; i < payloads.length; i++) {
            payloads[i] = payload(i);
        }
        List<org.eclipse.paho.client.mqttv3.IMqttDeliveryToken> window = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            window.add(publisher.publish("metrics/job/bench/instance/device" + (i % devices), payloads[i % payloads.length], 1, false));
            if (window.size() == 500) {
                for (var token : window) {
                    token.waitForCompletion(30_000);
                }
                window.clear();
            }
        }
        for (var token : window) {
            token.waitForCompletion(30_000);
        }
        publisher.disconnect().waitForCompletion(10_000);
        publisher.close();
        progress(String.format(Locale.ROOT, "    backlog of %d messages queued at the broker in %.1f s", messages,
                (System.nanoTime() - started) / 1e9));
    }

    /** About payloadBytes of Prometheus text: one gauge family with HELP and TYPE and as many series as fit. */
    static byte[] payload(int variant) {
        StringBuilder text = new StringBuilder("# HELP bench_reading A reading of a benchmark device.\n# TYPE bench_reading gauge\n");
        for (int series = 0; text.length() < payloadBytes - 60; series++) {
            text.append("bench_reading{sensor=\"sensor-").append(series).append("\",unit=\"celsius\"} ")
                    .append(20 + variant + series / 10.0).append('\n');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    // ---- the bare client, run as its own process so it can be frozen like Tidegate ------------------------------

    private static void bareSubscriber(int port) throws Exception {
        AtomicLong received = new AtomicLong();
        MqttClient client = new MqttClient("tcp://127.0.0.1:" + port, "mqttbench-bare-" + ProcessHandle.current().pid(),
                new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        client.setManualAcks(true);
        CountDownLatch done = new CountDownLatch(1);
        client.setCallback(new MqttCallback() {
            @Override
            public void messageArrived(String topic, MqttMessage message) throws Exception {
                if (received.incrementAndGet() % 1000 == 0) {
                    System.out.println("received " + received.get());
                    System.out.flush();
                }
                client.messageArrivedComplete(message.getId(), message.getQos());
            }

            @Override
            public void disconnected(MqttDisconnectResponse response) {
                done.countDown();
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {}

            @Override
            public void deliveryComplete(IMqttToken token) {}

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {}

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {}
        });
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        client.connect(options);
        client.subscribe("metrics/job/#", 1);
        System.out.println("subscribed");
        System.out.flush();
        done.await();
    }

    private static long countIn(Path log) throws IOException {
        long count = 0;
        for (String line : Files.readAllLines(log)) {
            if (line.startsWith("received ")) {
                count = Long.parseLong(line.substring("received ".length()).trim());
            }
        }
        return count;
    }

    // ---- plumbing ---------------------------------------------------------------------------------------------

    /** utime + stime of a process, from /proc/<pid>/stat, in seconds (clock ticks of 1/100 s on Linux). */
    private static double cpuSeconds(Process process) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
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
        boolean found = false;
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$").matcher(body);
        while (matcher.find()) {
            sum += Double.parseDouble(matcher.group(2));
            found = true;
        }
        return found ? sum : 0;
    }

    private static String httpGet(int port, String path) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int body = response.indexOf("\r\n\r\n");
            return body < 0 ? "" : response.substring(body + 4);
        }
    }

    private static void awaitLine(Path log, String line, Process process) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(log) || !Files.readAllLines(log).contains(line)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("no \"" + line + "\" from the consumer, see " + log);
            }
            Thread.sleep(20);
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
