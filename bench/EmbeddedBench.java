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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * Tidegate's embedded broker against the pipelines users run today, side by side in one run: zigbee2mqtt-style
 * JSON devices publishing QoS 1 (a) to Tidegate's embedded broker, which takes every message inside itself,
 * (b) to Debian's Mosquitto with Tidegate subscribed ({@code --mqtt.url}), (c) to Mosquitto with mqtt2prometheus
 * (Debian's {@code prometheus-mqtt-exporter}) subscribed. Then the durability rounds: acknowledged publishes,
 * {@code kill -9} of Tidegate as soon as every PUBACK is back, restart, count what is served.
 *
 * <pre>
 *   mvn -B package -DskipTests
 *   java -cp target/tidegate.jar bench/EmbeddedBench.java            # defaults: a few minutes
 *   java -cp target/tidegate.jar bench/EmbeddedBench.java --help
 * </pre>
 *
 * Every server is a child process on free loopback ports, started fresh for each measurement, with the defaults a
 * user runs ({@code java -jar target/tidegate.jar}: no JVM options unless {@code --java-opts}). The publishers are
 * Paho MQTT 5 async clients in this process, each keeping at most as many QoS 1 publishes in flight as the broker's
 * receive maximum allows. Each measurement first sends a warm-up (every device once at least, not timed), then
 * times from the first publish until the consumer has applied them all.
 */
public final class EmbeddedBench {
    static int messages = 200_000;
    static int warmup = 50_000;
    static int devices = 1_000;
    static int publishers = 4;
    static int window = 1_000;
    static int rounds = 1;
    static int durableMessages = 200;
    static int durablePublishers = 4;
    static int durableRounds = 3;
    static long pollMillis = 500;
    static long progressSeconds = 5;
    static String javaOpts = "";
    static String tidegateArgs = "";
    static List<String> scenarios = List.of("embedded", "embedded-persistent", "mosquitto-tidegate", "mosquitto-mqtt2prometheus");
    static boolean durability = true;
    static String rulesFile = "";
    static String mosquitto = "/usr/sbin/mosquitto";
    static String exporter = "/usr/bin/prometheus-mqtt-exporter";
    static String tidegateJar = "target/tidegate.jar";
    static String javaCommand = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    static final long START = System.nanoTime();

    /** The mapping rule for the devices' JSON, as examples/mappings/zigbee2mqtt.yml has it, with the four fields sent. */
    static final String RULES = """
            mqtt_mappings:
              - name: zigbee2mqtt-devices
                topic: zigbee2mqtt/+device
                where: {device: '(?!bridge$).*'}
                group: {job: zigbee2mqtt, device: '{device}'}
                ttl: 2h
                prefix: zigbee2mqtt_
                metrics:
                  - {path: temperature, unit: celsius, help: Temperature reported by the device.}
                  - {path: humidity, unit: percent, help: Relative humidity reported by the device.}
                  - {path: battery, unit: percent, help: Battery level reported by the device.}
                  - {path: linkquality, name: link_quality, help: Zigbee link quality (0-255).}
            """;

    /** The same four values for mqtt2prometheus 0.1.7 (its README's config file); %d: broker port, %s: client id. */
    static final String EXPORTER_CONFIG = """
            mqtt:
              server: tcp://127.0.0.1:%d
              client_id: %s
              topic_path: zigbee2mqtt/+
              device_id_regex: "zigbee2mqtt/(?P<deviceid>.*)"
              qos: 1
            cache:
              timeout: 24h
            metrics:
              - {prom_name: zigbee2mqtt_temperature_celsius, mqtt_name: temperature, help: Temperature reported by the device., type: gauge}
              - {prom_name: zigbee2mqtt_humidity_percent, mqtt_name: humidity, help: Relative humidity reported by the device., type: gauge}
              - {prom_name: zigbee2mqtt_battery_percent, mqtt_name: battery, help: Battery level reported by the device., type: gauge}
              - {prom_name: zigbee2mqtt_link_quality, mqtt_name: linkquality, help: Zigbee link quality (0-255)., type: gauge}
            """;

    public static void main(String[] args) throws Exception {
        for (String arg : args) {
            String[] kv = arg.replaceFirst("^--", "").split("=", 2);
            String value = kv.length > 1 ? kv[1] : "";
            switch (kv[0]) {
                case "messages" -> messages = Integer.parseInt(value);
                case "warmup" -> warmup = Integer.parseInt(value);
                case "devices" -> devices = Integer.parseInt(value);
                case "publishers" -> publishers = Integer.parseInt(value);
                case "window" -> window = Integer.parseInt(value);
                case "rounds" -> rounds = Integer.parseInt(value);
                case "scenarios" -> scenarios = List.of(value.split(","));
                case "durable-messages" -> durableMessages = Integer.parseInt(value);
                case "durable-publishers" -> durablePublishers = Integer.parseInt(value);
                case "no-durability" -> durability = false;
                case "only-durability" -> scenarios = List.of();
                case "poll-ms" -> pollMillis = Long.parseLong(value);
                case "java-opts" -> javaOpts = value;
                case "tidegate-args" -> tidegateArgs = value;
                case "rules" -> rulesFile = value;
                case "jar" -> tidegateJar = value;
                case "help" -> {
                    System.out.println("""
                            java -cp target/tidegate.jar bench/EmbeddedBench.java [options]
                              --messages=N           QoS 1 messages timed per measurement [200000]
                              --warmup=N             messages sent first, not timed (JIT, every device stored once) [50000]
                              --devices=N            zigbee2mqtt devices (topics zigbee2mqtt/dev-<n>) [1000]; SPEC §8 says 10000
                              --publishers=N         concurrent Paho MQTT 5 async clients, each publishing for its share of the devices [4]
                              --window=N             QoS 1 publishes each keeps in flight, at most the broker's receive maximum - 1 [1000]
                              --rounds=N             measurements per scenario; even rounds run the scenarios in reverse order [1]
                              --scenarios=LIST       of embedded, embedded-persistent, mosquitto-tidegate, mosquitto-mqtt2prometheus
                                                     [embedded,embedded-persistent,mosquitto-tidegate,mosquitto-mqtt2prometheus]
                              --durable-messages=N   acknowledged publishes per durability round [200]
                              --durable-publishers=N concurrent publishers in the durability rounds [4]
                              --no-durability        skip the durability rounds
                              --only-durability      only the durability rounds
                              --poll-ms=N            how often the consumer's count is read (a read is a full scrape) [500]
                              --java-opts=OPTS       JVM options for Tidegate [none: java -jar, as the README runs it]
                              --tidegate-args=ARGS   extra flags for Tidegate [none]
                              --rules=FILE           Tidegate's mapping rules instead of the bench's zigbee2mqtt rule
                              --jar=JAR              the Tidegate jar [target/tidegate.jar]""");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + arg + ", try --help");
            }
        }
        new EmbeddedBench().run();
    }

    private Path workDir;
    private Path rules;

    private void run() throws Exception {
        workDir = Files.createTempDirectory("embeddedbench-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-");
        rules = rulesFile.isEmpty() ? Files.writeString(workDir.resolve("zigbee2mqtt-rules.yml"), RULES) : Path.of(rulesFile);
        progress("EmbeddedBench: " + messages + " timed QoS 1 messages (+" + warmup + " warm-up) from " + devices
                + " zigbee2mqtt devices over " + publishers + " publishers; Tidegate as java " + (javaOpts.isBlank() ? "" : javaOpts + " ")
                + "-jar " + tidegateJar + "; logs in " + workDir + "; machine: " + Runtime.getRuntime().availableProcessors() + " CPUs");
        List<List<Result>> results = new ArrayList<>();
        for (int round = 1; round <= rounds && !scenarios.isEmpty(); round++) {
            List<String> order = new ArrayList<>(scenarios);
            if (round % 2 == 0) {
                Collections.reverse(order);
            }
            List<Result> roundResults = new ArrayList<>();
            for (String scenario : order) {
                roundResults.add(measure(round, scenario));
            }
            roundResults.sort((x, y) -> Integer.compare(scenarios.indexOf(x.scenario), scenarios.indexOf(y.scenario)));
            results.add(roundResults);
        }
        List<String> durable = new ArrayList<>();
        if (durability) {
            durable.addAll(durabilityRounds(false));
            durable.addAll(durabilityRounds(true));
        }
        for (int round = 0; round < results.size(); round++) {
            printTable(round + 1, results.get(round));
        }
        if (!durable.isEmpty()) {
            System.out.println();
            System.out.println("durability: " + durableMessages + " acknowledged QoS 1 publishes by " + durablePublishers
                    + " publishers, kill -9 of Tidegate once every PUBACK is back, restart, count (--persistence.file)");
            durable.forEach(line -> System.out.println("  " + line));
        }
        System.out.println();
        System.out.println("Figures are from one shared machine: compare them only as ratios within this run. Logs: " + workDir);
    }

    // ---- throughput -------------------------------------------------------------------------------------------

    /** What one measurement found. Processor times and memory are NaN where the scenario has no such process. */
    record Result(String scenario, double rate, double ackRate, double consumerCpu, double brokerCpu, double consumerRssIdle,
            double consumerRssAfter, double brokerRssAfter, double publisherCpu, int receiveMaximum) {
        double serverCpu() {
            return consumerCpu + (Double.isNaN(brokerCpu) ? 0 : brokerCpu);
        }
    }

    /** The processes of one scenario and how to read its consumer. */
    private interface Setup extends AutoCloseable {
        int brokerPort();

        Process consumer();

        Process broker(); // null when the consumer is the broker

        long handled() throws IOException;

        long refused() throws IOException;

        @Override
        void close() throws Exception;
    }

    private Result measure(int round, String scenario) throws Exception {
        String label = label(scenario);
        progress(label + ", round " + round + ": starting");
        try (Setup setup = start(round, scenario)) {
            double rssIdle = rssMegabytes(setup.consumer());
            Publishing publishing = new Publishing(setup.brokerPort(), "bench-" + scenario + "-" + round, publishers);
            try {
                progress(String.format(Locale.ROOT, "  %d publishers connected; the broker's receive maximum is %d, so at most %d in flight each",
                        publishers, publishing.receiveMaximum, publishing.window));
                long before = setup.handled();
                publishing.publish(0, warmup);
                awaitHandled(setup, before + warmup, label + " warm-up", null, null);
                progress(String.format(Locale.ROOT, "  warm-up: %d messages applied", warmup));

                long base = setup.handled();
                double consumerCpu0 = cpuSeconds(setup.consumer());
                double brokerCpu0 = setup.broker() == null ? Double.NaN : cpuSeconds(setup.broker());
                double benchCpu0 = cpuSeconds(ProcessHandle.current().pid());
                long started = System.nanoTime();
                Future<Long> published = publishing.publishAsync(warmup, messages);
                double seconds = awaitHandled(setup, base + messages, label, publishing, started);
                double publishedSeconds = (publishing.finishedAt.get() - started) / 1e9;
                published.get();
                double consumerCpu = cpuSeconds(setup.consumer()) - consumerCpu0;
                double brokerCpu = setup.broker() == null ? Double.NaN : cpuSeconds(setup.broker()) - brokerCpu0;
                double benchCpu = cpuSeconds(ProcessHandle.current().pid()) - benchCpu0;
                long refused = setup.refused();
                if (refused > 0) {
                    throw new IllegalStateException(label + " refused " + refused + " messages, see the logs in " + workDir);
                }
                Result result = new Result(scenario, messages / seconds, messages / publishedSeconds, consumerCpu / messages,
                        brokerCpu / messages, rssIdle, rssMegabytes(setup.consumer()),
                        setup.broker() == null ? Double.NaN : rssMegabytes(setup.broker()), benchCpu / messages, publishing.receiveMaximum);
                progress(String.format(Locale.ROOT, "  %d messages applied in %.2f s: %.0f messages/s (publishers acknowledged in %.2f s, "
                                + "%d publishes retried after Paho's 32202); "
                                + "server processor time %.1f µs/message%s", messages, seconds, result.rate, publishedSeconds,
                        publishing.tooMany.get(), result.serverCpu() * 1e6, setup.broker() == null ? "" : String.format(Locale.ROOT,
                                " (consumer %.1f + Mosquitto %.1f)", consumerCpu / messages * 1e6, brokerCpu / messages * 1e6)));
                return result;
            } finally {
                publishing.close();
            }
        }
    }

    private static String label(String scenario) {
        return switch (scenario) {
            case "embedded" -> "(a) devices -> Tidegate's embedded broker";
            case "embedded-persistent" -> "(a') devices -> Tidegate's embedded broker, --persistence.file";
            case "mosquitto-tidegate" -> "(b) devices -> Mosquitto -> Tidegate";
            case "mosquitto-mqtt2prometheus" -> "(c) devices -> Mosquitto -> mqtt2prometheus";
            default -> throw new IllegalArgumentException("unknown scenario " + scenario + ", try --help");
        };
    }

    private Setup start(int round, String scenario) throws Exception {
        String name = scenario + "-" + round;
        return switch (scenario) {
            case "embedded" -> embeddedTidegate(name, List.of());
            case "embedded-persistent" -> embeddedTidegate(name, List.of("--persistence.file=" + workDir.resolve(name + ".db")));
            case "mosquitto-tidegate" -> {
                Mosquitto mosquitto = startMosquitto(name);
                Process broker = mosquitto.process();
                int brokerPort = mosquitto.port();
                Tidegate tidegate = Tidegate.start(this, name, List.of("--mqtt.url=tcp://127.0.0.1:" + brokerPort,
                        "--mqtt.client-id=embeddedbench-" + name));
                tidegate.awaitConnected();
                yield new Setup() {
                    public int brokerPort() { return brokerPort; }
                    public Process consumer() { return tidegate.process; }
                    public Process broker() { return broker; }
                    public long handled() throws IOException { return (long) tidegate.metric("tidegate_mqtt_messages_applied_total"); }
                    public long refused() throws IOException { return (long) tidegate.metric("tidegate_mqtt_messages_rejected_total"); }
                    public void close() throws Exception { tidegate.stop(); stop(broker); }
                };
            }
            case "mosquitto-mqtt2prometheus" -> {
                Mosquitto mosquitto = startMosquitto(name);
                Process broker = mosquitto.process();
                int brokerPort = mosquitto.port();
                int httpPort = freePort();
                Path config = Files.writeString(workDir.resolve(name + "-mqtt2prometheus.yaml"),
                        EXPORTER_CONFIG.formatted(brokerPort, "embeddedbench-" + name));
                Process exporterProcess = new ProcessBuilder(exporter, "-config", config.toString(), "-listen-address", "127.0.0.1",
                        "-listen-port", Integer.toString(httpPort)).redirectErrorStream(true)
                        .redirectOutput(workDir.resolve(name + "-mqtt2prometheus.log").toFile()).start();
                Runtime.getRuntime().addShutdownHook(new Thread(exporterProcess::destroy));
                awaitPort(httpPort, exporterProcess, "mqtt2prometheus");
                awaitTrue(() -> metricSum(httpGet(httpPort, "/metrics"), "mqtt2prometheus_connected", null) >= 1, exporterProcess,
                        "mqtt2prometheus did not connect to Mosquitto");
                progress("  mqtt2prometheus on port " + httpPort + " (pid " + exporterProcess.pid() + ")");
                yield new Setup() {
                    public int brokerPort() { return brokerPort; }
                    public Process consumer() { return exporterProcess; }
                    public Process broker() { return broker; }
                    public long handled() throws IOException { return (long) metricSum(httpGet(httpPort, "/metrics"), "received_messages", null); }
                    public long refused() throws IOException {
                        String body = httpGet(httpPort, "/metrics");
                        return (long) (metricSum(body, "received_messages", null) - metricSum(body, "received_messages", "status=\"success\""));
                    }
                    public void close() throws Exception { stop(exporterProcess); stop(broker); }
                };
            }
            default -> throw new IllegalArgumentException("unknown scenario " + scenario + ", try --help");
        };
    }

    private Setup embeddedTidegate(String name, List<String> extra) throws Exception {
        int mqttPort = freePort();
        List<String> flags = new ArrayList<>(List.of("--mqtt.listen-address=127.0.0.1:" + mqttPort));
        flags.addAll(extra);
        Tidegate tidegate = Tidegate.start(this, name, flags);
        awaitPort(mqttPort, tidegate.process, "the embedded broker");
        return new Setup() {
            public int brokerPort() { return mqttPort; }
            public Process consumer() { return tidegate.process; }
            public Process broker() { return null; }
            public long handled() throws IOException { return (long) tidegate.metric("tidegate_mqtt_messages_applied_total"); }
            public long refused() throws IOException { return (long) tidegate.metric("tidegate_mqtt_messages_rejected_total"); }
            public void close() throws Exception { tidegate.stop(); }
        };
    }

    /**
     * Waits until the consumer has handled {@code target} messages and returns the seconds since {@code started}.
     * The count is read every {@code pollMillis}; the moment the last message was handled is extrapolated from the
     * rate between the last two readings, so a coarse reading does not count against the consumer.
     */
    private double awaitHandled(Setup setup, long target, String label, Publishing publishing, Long started) throws Exception {
        long from = started == null ? System.nanoTime() : started;
        long deadline = from + TimeUnit.MINUTES.toNanos(10);
        long previousAt = from;
        long previousCount = setup.handled();
        long firstCount = previousCount;
        long lastProgress = System.nanoTime();
        long progressCount = previousCount;
        double rate = 0;
        while (true) {
            Thread.sleep(pollMillis);
            long count = setup.handled();
            long at = System.nanoTime();
            if (count >= target) {
                if (started == null) {
                    return (at - from) / 1e9;
                }
                double finished = rate > 0 ? Math.min(at, previousAt + (target - previousCount) / rate) : at;
                return (finished - from) / 1e9;
            }
            if (!setup.consumer().isAlive() || at > deadline) {
                throw new IllegalStateException(label + ": the consumer handled only " + (count - firstCount) + " of "
                        + (target - firstCount) + ", see the logs in " + workDir);
            }
            if (publishing != null && publishing.failure != null) {
                throw new IllegalStateException(label + ": a publisher failed", publishing.failure);
            }
            if (count > previousCount && previousCount > firstCount) {
                rate = (double) (count - previousCount) / (at - previousAt);
            }
            previousAt = at;
            previousCount = count;
            if (publishing != null && at - lastProgress >= TimeUnit.SECONDS.toNanos(progressSeconds)) {
                progress(String.format(Locale.ROOT, "    %5.1f s: published %d, acknowledged %d, applied %d (%.0f/s over the last %.0f s)",
                        (at - from) / 1e9, publishing.published.get(), publishing.acknowledged.get(), count - firstCount,
                        (count - progressCount) / ((at - lastProgress) / 1e9), (at - lastProgress) / 1e9));
                lastProgress = at;
                progressCount = count;
            }
        }
    }

    private void printTable(int round, List<Result> results) {
        Result reference = results.stream().filter(r -> r.scenario.equals("mosquitto-mqtt2prometheus")).findFirst().orElse(null);
        System.out.println();
        System.out.printf(Locale.ROOT, "round %d: %d timed QoS 1 messages, %d zigbee2mqtt devices (4 values each), %d publishers%n",
                round, messages, devices, publishers);
        for (Result r : results) {
            System.out.println("  " + label(r.scenario));
        }
        int width = 44;
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s", "figure"));
        for (Result r : results) {
            header.append(String.format(Locale.ROOT, " %11s", "(" + code(r.scenario) + ")"));
        }
        if (reference != null) {
            for (Result r : results) {
                if (r != reference) {
                    header.append(String.format(Locale.ROOT, " %8s", code(r.scenario) + "/c"));
                }
            }
        }
        System.out.println(header);
        System.out.println("-".repeat(header.length()));
        row("messages/s applied (higher is better)", results, reference, Result::rate, "%.0f", width);
        row("messages/s acknowledged to the publishers", results, reference, Result::ackRate, "%.0f", width);
        row("server CPU µs/message, all (lower is better)", results, reference, r -> r.serverCpu() * 1e6, "%.1f", width);
        row("  of which the consumer (Tidegate, mqtt2prom.)", results, reference, r -> r.consumerCpu * 1e6, "%.1f", width);
        row("  of which Mosquitto", results, reference, r -> r.brokerCpu * 1e6, "%.1f", width);
        row("resident MB, consumer, idle after start", results, reference, Result::consumerRssIdle, "%.0f", width);
        row("resident MB, consumer, after the run", results, reference, Result::consumerRssAfter, "%.0f", width);
        row("resident MB, Mosquitto, after the run", results, reference, Result::brokerRssAfter, "%.1f", width);
        row("publishers' CPU µs/message (bench process)", results, null, r -> r.publisherCpu * 1e6, "%.1f", width);
        row("broker's receive maximum (in flight each)", results, null, r -> r.receiveMaximum, "%.0f", width);
    }

    private static void row(String name, List<Result> results, Result reference, ToDoubleFunction<Result> figure,
            String format, int width) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s", name));
        for (Result r : results) {
            double value = figure.applyAsDouble(r);
            line.append(String.format(Locale.ROOT, " %11s", Double.isNaN(value) ? "-" : String.format(Locale.ROOT, format, value)));
        }
        if (reference != null) {
            double base = figure.applyAsDouble(reference);
            for (Result r : results) {
                if (r != reference) {
                    double value = figure.applyAsDouble(r);
                    line.append(String.format(Locale.ROOT, " %8s", Double.isNaN(value) || Double.isNaN(base) || base == 0 ? ""
                            : String.format(Locale.ROOT, "%.2fx", value / base)));
                }
            }
        }
        System.out.println(line);
    }

    private static String code(String scenario) {
        return switch (scenario) {
            case "embedded" -> "a";
            case "embedded-persistent" -> "a'";
            case "mosquitto-tidegate" -> "b";
            default -> "c";
        };
    }

    // ---- durability -------------------------------------------------------------------------------------------

    /**
     * Three rounds against one persistence file: publish, every PUBACK back, kill -9, restart, count. Through
     * Mosquitto the PUBACK comes from Mosquitto, so Tidegate is given until its count stops growing after the
     * restart (the broker redelivers what Tidegate had not acknowledged).
     */
    private List<String> durabilityRounds(boolean throughMosquitto) throws Exception {
        String kind = throughMosquitto ? "mosquitto" : "embedded";
        String title = throughMosquitto ? "devices -> Mosquitto -> Tidegate" : "devices -> Tidegate's embedded broker";
        progress("durability, " + title + ": " + durableRounds + " rounds of " + durableMessages + " acknowledged publishes, kill -9, restart");
        Mosquitto broker = throughMosquitto ? startMosquitto("durable") : null;
        List<String> lines = new ArrayList<>();
        try {
            int brokerPort = throughMosquitto ? broker.port() : freePort();
            List<String> flags = new ArrayList<>(List.of("--persistence.file=" + workDir.resolve("durable-" + kind + ".db")));
            if (throughMosquitto) {
                flags.addAll(List.of("--mqtt.url=tcp://127.0.0.1:" + brokerPort, "--mqtt.client-id=embeddedbench-durable"));
            } else {
                flags.add("--mqtt.listen-address=127.0.0.1:" + brokerPort);
            }
            for (int round = 1; round <= durableRounds; round++) {
                boolean burst = round > 1;
                String devicePrefix = "durable-" + kind + "-r" + round + "-";
                Tidegate tidegate = Tidegate.start(this, "durable-" + kind + "-" + round, flags);
                if (throughMosquitto) {
                    tidegate.awaitConnected();
                } else {
                    awaitPort(brokerPort, tidegate.process, "the embedded broker");
                }
                long publishing = System.nanoTime();
                List<MqttAsyncClient> clients = new ArrayList<>();
                int acknowledged = publishDurable(brokerPort, devicePrefix, burst, clients);
                tidegate.process.destroyForcibly(); // SIGKILL, before anything else
                double publishedMillis = (System.nanoTime() - publishing) / 1e6;
                tidegate.process.waitFor();
                clients.forEach(EmbeddedBench::disconnect);
                int fromJournal = -1;
                if (throughMosquitto) {
                    // what Tidegate had made durable when it was killed: its file alone, with MQTT off
                    List<String> offline = new ArrayList<>(flags.subList(0, 1));
                    offline.add("--no-mqtt.embedded");
                    Tidegate journal = Tidegate.start(this, "durable-" + kind + "-" + round + "-journal", offline);
                    try {
                        fromJournal = servedDevices(journal, devicePrefix);
                    } finally {
                        journal.stop();
                    }
                }
                Tidegate restarted = Tidegate.start(this, "durable-" + kind + "-" + round + "-restart", flags);
                try {
                    int served = servedDevices(restarted, devicePrefix);
                    long redelivered = 0;
                    if (throughMosquitto) {
                        restarted.awaitConnected();
                        long lastChange = System.nanoTime();
                        long deadline = lastChange + TimeUnit.SECONDS.toNanos(60);
                        while (served < acknowledged && System.nanoTime() - lastChange < TimeUnit.SECONDS.toNanos(5)
                                && System.nanoTime() < deadline) {
                            Thread.sleep(100);
                            int now = servedDevices(restarted, devicePrefix);
                            if (now != served) {
                                served = now;
                                lastChange = System.nanoTime();
                            }
                        }
                        Thread.sleep(500);
                        served = servedDevices(restarted, devicePrefix);
                        redelivered = (long) restarted.metric("tidegate_mqtt_messages_received_total");
                    }
                    String line = String.format(Locale.ROOT, "%s, round %d (%s, %.0f ms from connecting to the last PUBACK): "
                                    + "%d of %d acknowledged publishes served after kill -9 and restart%s",
                            title, round, burst ? "burst" : "each publisher waits for every ack", publishedMillis, served, acknowledged,
                            throughMosquitto ? String.format(Locale.ROOT, " once caught up (%d of them in Tidegate's file when it was killed; "
                                    + "%d redelivered by Mosquitto after the restart)", fromJournal, redelivered) : "");
                    progress("  " + line);
                    lines.add(line + (served == acknowledged && acknowledged == durableMessages ? "" : "  <-- LOST " + (durableMessages - served)));
                } finally {
                    restarted.stop();
                }
            }
        } finally {
            if (broker != null) {
                stop(broker.process());
            }
        }
        return lines;
    }

    /** Each publisher publishes its share, each message to a device of its own, and counts the successful PUBACKs. */
    private static int publishDurable(int port, String devicePrefix, boolean burst, List<MqttAsyncClient> clients) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(durablePublishers);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int p = 0; p < durablePublishers; p++) {
                int publisher = p;
                int share = durableMessages / durablePublishers + (p < durableMessages % durablePublishers ? 1 : 0);
                futures.add(pool.submit(() -> {
                    MqttAsyncClient client = connect(port, devicePrefix + "p" + publisher).client();
                    synchronized (clients) {
                        clients.add(client); // disconnected by the caller, after the kill
                    }
                    ArrayDeque<IMqttToken> inFlight = new ArrayDeque<>();
                    int acknowledged = 0;
                    for (int i = 0; i < share; i++) {
                        MqttMessage message = new MqttMessage(payload(i));
                        message.setQos(1);
                        String topic = "zigbee2mqtt/" + devicePrefix + "p" + publisher + "-" + i;
                        while (true) {
                            try {
                                inFlight.addLast(client.publish(topic, message));
                                break;
                            } catch (MqttException full) {
                                if (full.getReasonCode() != 32202) {
                                    throw full;
                                }
                                if (inFlight.isEmpty()) { // acknowledged, but Paho has not freed the slot yet
                                    Thread.yield();
                                } else {
                                    acknowledged += acknowledgedCount(inFlight.removeFirst());
                                }
                            }
                        }
                        if (!burst) {
                            acknowledged += acknowledgedCount(inFlight.removeFirst());
                        }
                    }
                    while (!inFlight.isEmpty()) {
                        acknowledged += acknowledgedCount(inFlight.removeFirst());
                    }
                    return acknowledged;
                }));
            }
            int acknowledged = 0;
            for (Future<Integer> future : futures) {
                acknowledged += future.get();
            }
            return acknowledged;
        } finally {
            pool.shutdownNow();
        }
    }

    private static int servedDevices(Tidegate tidegate, String devicePrefix) throws IOException {
        Matcher matcher = Pattern.compile("(?m)^zigbee2mqtt_temperature_celsius\\{[^}]*device=\"" + Pattern.quote(devicePrefix))
                .matcher(httpGet(tidegate.httpPort, "/metrics"));
        int served = 0;
        while (matcher.find()) {
            served++;
        }
        return served;
    }

    private static int acknowledgedCount(IMqttToken token) throws MqttException {
        token.waitForCompletion(60_000);
        int[] codes = token.getReasonCodes();
        return codes == null || codes.length == 0 || codes[0] < 0x80 ? 1 : 0;
    }

    // ---- the publishers ---------------------------------------------------------------------------------------

    /**
     * A few Paho MQTT 5 async clients; publisher p publishes for the devices d with d % publishers == p, so the
     * messages of one device keep their order. Each keeps at most {@code window} publishes in flight, fewer when
     * the broker's receive maximum says so, and waits for the oldest when Paho says 32202 (too many in flight).
     */
    private static final class Publishing implements AutoCloseable {
        final List<MqttAsyncClient> clients = new ArrayList<>();
        final int receiveMaximum;
        final int window;
        final AtomicLong published = new AtomicLong();
        final AtomicLong acknowledged = new AtomicLong();
        final AtomicLong finishedAt = new AtomicLong();
        /** Publishes Paho refused with 32202 (too many in flight) and that were tried again. */
        final AtomicLong tooMany = new AtomicLong();
        volatile Throwable failure;
        private final ExecutorService pool;

        Publishing(int port, String clientPrefix, int count) throws Exception {
            int smallest = Integer.MAX_VALUE;
            for (int p = 0; p < count; p++) {
                Connected connected = connect(port, clientPrefix + "-p" + p);
                clients.add(connected.client());
                smallest = Math.min(smallest, connected.receiveMaximum());
            }
            receiveMaximum = smallest;
            // below the receive maximum: Paho frees a slot only after it completed the token, so a window of exactly
            // the receive maximum would often be refused with 32202 right after the oldest publish was acknowledged
            window = Math.max(1, Math.min(EmbeddedBench.window, receiveMaximum - 1));
            pool = Executors.newFixedThreadPool(count);
        }

        void publish(int first, int count) throws Exception {
            publishAsync(first, count).get();
        }

        /** Publishes messages first .. first + count - 1 (message i to device i % devices); returns the acknowledged count. */
        Future<Long> publishAsync(int first, int count) {
            published.set(0);
            acknowledged.set(0);
            List<Future<?>> parts = new ArrayList<>();
            for (int p = 0; p < clients.size(); p++) {
                int publisher = p;
                parts.add(pool.submit(() -> {
                    try {
                        publishShare(clients.get(publisher), publisher, first, count);
                    } catch (Throwable e) {
                        failure = e;
                        throw new IllegalStateException(e);
                    }
                    return null;
                }));
            }
            FutureTask<Long> all = new FutureTask<>(() -> {
                for (Future<?> part : parts) {
                    part.get();
                }
                finishedAt.set(System.nanoTime());
                return acknowledged.get();
            });
            Thread waiter = new Thread(all, "publishing");
            waiter.setDaemon(true);
            waiter.start();
            return all;
        }

        private void publishShare(MqttAsyncClient client, int publisher, int first, int count) throws Exception {
            ArrayDeque<IMqttToken> inFlight = new ArrayDeque<>();
            int publishers = clients.size();
            for (int i = first; i < first + count; i++) {
                int device = i % devices;
                if (device % publishers != publisher) {
                    continue;
                }
                MqttMessage message = new MqttMessage(payload(i));
                message.setQos(1);
                String topic = "zigbee2mqtt/" + deviceName(device);
                while (true) {
                    try {
                        inFlight.addLast(client.publish(topic, message));
                        published.incrementAndGet();
                        break;
                    } catch (MqttException full) {
                        if (full.getReasonCode() != 32202) {
                            throw full;
                        }
                        tooMany.incrementAndGet();
                        if (inFlight.isEmpty()) { // acknowledged, but Paho has not freed the slot yet
                            Thread.yield();
                        } else {
                            awaitOldest(inFlight);
                        }
                    }
                }
                if (inFlight.size() >= window) {
                    awaitOldest(inFlight);
                }
            }
            while (!inFlight.isEmpty()) {
                awaitOldest(inFlight);
            }
        }

        private void awaitOldest(ArrayDeque<IMqttToken> inFlight) throws MqttException {
            IMqttToken token = inFlight.removeFirst();
            if (acknowledgedCount(token) == 0) {
                throw new IllegalStateException("a publish was refused with reason code 0x"
                        + Integer.toHexString(token.getReasonCodes()[0]));
            }
            acknowledged.incrementAndGet();
        }

        @Override
        public void close() {
            pool.shutdownNow();
            clients.forEach(EmbeddedBench::disconnect);
        }
    }

    /**
     * Disconnects politely when the broker is there and then closes. (Paho's forced close while its receiver thread
     * is still running makes that thread die with a NullPointerException on the console.)
     */
    private static void disconnect(MqttAsyncClient client) {
        try {
            if (client.isConnected()) {
                client.disconnect(5_000).waitForCompletion(10_000);
            }
        } catch (MqttException ignored) {
            // the broker went away (a killed Tidegate): close below all the same
        }
        try {
            client.close(true);
        } catch (MqttException ignored) {
            // nothing left to release
        }
    }

    /** A connected publisher and the receive maximum the broker gave it in its CONNACK (MQTT 5: absent means 65,535). */
    record Connected(MqttAsyncClient client, int receiveMaximum) {}

    private static Connected connect(int port, String clientId) throws Exception {
        MqttAsyncClient client = new MqttAsyncClient("tcp://127.0.0.1:" + port, clientId, new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setKeepAliveInterval(60);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                IMqttToken connected = client.connect(options);
                connected.waitForCompletion(10_000);
                Integer receiveMaximum = connected.getResponseProperties() == null ? null
                        : connected.getResponseProperties().getReceiveMaximum();
                return new Connected(client, receiveMaximum == null ? 65_535 : receiveMaximum);
            } catch (MqttException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                Thread.sleep(100);
            }
        }
    }

    static String deviceName(int device) {
        return String.format(Locale.ROOT, "dev-%05d", device);
    }

    /** What zigbee2mqtt publishes for a temperature and humidity sensor, values varying with i. */
    static byte[] payload(int i) {
        return String.format(Locale.ROOT, "{\"temperature\":%.2f,\"humidity\":%.1f,\"battery\":%d,\"linkquality\":%d}",
                18 + (i % 1000) / 100.0, 30 + (i % 400) / 10.0, 100 - i % 100, i % 256).getBytes(StandardCharsets.UTF_8);
    }

    // ---- the servers ------------------------------------------------------------------------------------------

    /** One Tidegate process: java [--java-opts] -jar JAR --web.listen-address=... --config.file=RULES [flags]. */
    private static final class Tidegate {
        final Process process;
        final int httpPort;

        private Tidegate(Process process, int httpPort) {
            this.process = process;
            this.httpPort = httpPort;
        }

        static Tidegate start(EmbeddedBench bench, String name, List<String> flags) throws Exception {
            int httpPort = freePort();
            List<String> command = new ArrayList<>();
            command.add(javaCommand);
            command.addAll(words(javaOpts));
            command.addAll(List.of("-jar", tidegateJar, "--web.listen-address=127.0.0.1:" + httpPort, "--config.file=" + bench.rules));
            command.addAll(flags);
            command.addAll(words(tidegateArgs));
            Path log = bench.workDir.resolve("tidegate-" + name + ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
            Tidegate tidegate = new Tidegate(process, httpPort);
            awaitPort(httpPort, process, "tidegate");
            awaitTrue(() -> httpStatus(httpPort, "/-/ready") == 200, process, "tidegate is not ready, see " + log);
            progress("  tidegate " + name + " ready on port " + httpPort + " (pid " + process.pid() + ")");
            return tidegate;
        }

        void awaitConnected() throws Exception {
            awaitTrue(() -> metric("tidegate_mqtt_connected") >= 1, process, "tidegate did not connect to the broker");
        }

        double metric(String name) throws IOException {
            return metricSum(httpGet(httpPort, "/metrics"), name, null);
        }

        void stop() throws InterruptedException {
            EmbeddedBench.stop(process);
        }
    }

    private static List<String> words(String text) {
        return Arrays.stream(text.trim().split("\\s+")).filter(word -> !word.isEmpty()).toList();
    }

    /** A Mosquitto child process and the loopback port it listens on. */
    record Mosquitto(Process process, int port) {}

    /** Mosquitto with Debian's defaults but for an unbounded queue: with its default 1,000 it drops what a subscriber lags behind. */
    private Mosquitto startMosquitto(String name) throws Exception {
        int port = freePort();
        Path config = workDir.resolve("mosquitto-" + name + ".conf");
        Files.writeString(config, """
                listener %d 127.0.0.1
                allow_anonymous true
                persistence false
                max_queued_messages 0
                log_dest stderr
                log_type error
                log_type warning
                """.formatted(port));
        Process process = new ProcessBuilder(mosquitto, "-c", config.toString()).redirectErrorStream(true)
                .redirectOutput(workDir.resolve("mosquitto-" + name + ".log").toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
        awaitPort(port, process, "mosquitto");
        progress("  mosquitto on port " + port + " (pid " + process.pid() + ")");
        return new Mosquitto(process, port);
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    // ---- plumbing ---------------------------------------------------------------------------------------------

    private static double cpuSeconds(Process process) throws IOException {
        return cpuSeconds(process.pid());
    }

    /** utime + stime of a process, from /proc/<pid>/stat, in seconds (clock ticks of 1/100 s on Linux). */
    private static double cpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
    }

    /** VmRSS from /proc/<pid>/status, in MB. */
    private static double rssMegabytes(Process process) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }

    /** The sum of a metric's samples in a scrape, only those whose labels contain {@code labelFilter} if given. */
    private static double metricSum(String body, String name, String labelFilter) {
        double sum = 0;
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)").matcher(body);
        while (matcher.find()) {
            if (labelFilter == null || (matcher.group(1) != null && matcher.group(1).contains(labelFilter))) {
                sum += Double.parseDouble(matcher.group(2));
            }
        }
        return sum;
    }

    private static String httpGet(int port, String path) throws IOException {
        String response = http(port, path);
        int body = response.indexOf("\r\n\r\n");
        if (response.contains("Transfer-Encoding: chunked") || response.contains("transfer-encoding: chunked")) {
            return dechunk(response.substring(body + 4));
        }
        return body < 0 ? "" : response.substring(body + 4);
    }

    private static String dechunk(String chunked) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (at < chunked.length()) {
            int lineEnd = chunked.indexOf("\r\n", at);
            if (lineEnd < 0) {
                break;
            }
            int size = Integer.parseInt(chunked.substring(at, lineEnd).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            body.append(chunked, lineEnd + 2, Math.min(chunked.length(), lineEnd + 2 + size));
            at = lineEnd + 2 + size + 2;
        }
        return body.toString();
    }

    private static int httpStatus(int port, String path) {
        try {
            String response = http(port, path);
            return Integer.parseInt(response.split(" ", 3)[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static String http(int port, String path) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(Condition condition, Process process, String failure) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (IOException notYet) {
                // not answering yet
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException(failure);
            }
            Thread.sleep(20);
        }
    }

    private static void awaitPort(int port, Process process, String name) throws Exception {
        awaitTrue(() -> {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                return true;
            }
        }, process, name + " is not listening on " + port);
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
