import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * Issue 17's side-by-side MQTT figures, each measured in one run, as ratios against mqtt2prometheus (Debian's
 * {@code prometheus-mqtt-exporter}) and the bare Paho client on the same backlog (paho on the JSON devices', paho-text
 * on the text devices'):
 *
 * <ol>
 *   <li><b>Backlog drain</b>: each consumer, in a fresh process, subscribes to a fresh Mosquitto, is frozen (SIGSTOP),
 *       a backlog of {@code --messages} is queued at the broker round-robin over {@code --devices} topics, and the
 *       consumer is thawed (SIGCONT) and timed until it has handled all of it. Messages/s, the consumer's processor
 *       time per message during the drain, and its resident memory idle, right after the drain and 10 s later. For QoS
 *       1 and 0, 1,000 and 10,000 devices.</li>
 *   <li><b>Live</b>: the consumer running, publishers offering {@code --live-rate} messages/s, paced evenly, for
 *       {@code --live-seconds}; what it had applied when publishing ended, and the lag until it had applied all.</li>
 *   <li><b>Start and idle</b>: Tidegate with its embedded broker and defaults, seconds from process start until
 *       {@code /-/ready} answers 200 and resident memory 15 s later; mqtt2prometheus alongside.</li>
 * </ol>
 *
 * <pre>
 *   mvn -B -q package -DskipTests
 *   java -cp target/tidegate.jar bench/DrainBench.java            # everything: about 10 minutes on 2 cores
 *   java -cp target/tidegate.jar bench/DrainBench.java --help
 * </pre>
 *
 * Tidegate runs as users run it ({@code java -jar target/tidegate.jar}, no JVM options unless {@code --java-opts}).
 * Every server is a child process on free loopback ports, killed when the bench exits, whatever the reason; their
 * logs and configuration files go to {@code $TMPDIR/drainbench-<time>/}. See bench/README.md, "DrainBench".
 */
public final class DrainBench {
    static int messages = 200_000;
    static List<Integer> deviceCounts = List.of(1_000, 10_000);
    static List<Integer> qosLevels = List.of(1, 0);
    static List<String> consumers = null; // default: DEFAULT_CONSUMERS, plus the reference jar's two when given
    static int rounds = 1;
    static Set<String> parts = new LinkedHashSet<>(List.of("drain", "live", "start"));
    static int publishers = 2;
    static int window = 1_000;
    static int textBytes = 0;
    static long pollMillis = 1_000;
    /** Print the consumer's processor time per thread name after each drain. */
    static boolean threads = false;
    static long lagPollMillis = 250;
    static int afterSeconds = 10;
    static int liveRate = 20_000;
    static int liveSeconds = 20;
    static int liveQos = 1;
    static int liveDevices = 10_000;
    static List<String> liveConsumers = null; // default: the drain's consumers
    static int startRuns = 5;
    static int idleSeconds = 15;
    static String javaOpts = "";
    /** Tidegate as the README runs it, bin/tidegate; else plain java -jar. */
    static boolean runWithLauncher = true;
    /** The launcher installed beside each jar (tidegate and reference), once the class archive is recorded. */
    static final java.util.Map<String, Path> LAUNCHERS = new java.util.HashMap<>();
    static String tidegateArgs = "";
    static String referenceJar = "";
    static String tidegateJar = "target/tidegate.jar";
    static String mosquitto = "/usr/sbin/mosquitto";
    static String exporter = "/usr/bin/prometheus-mqtt-exporter";
    static String javaCommand = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    static final long START = System.nanoTime();
    /** Who drains when --consumers is not given: all but the reference jar's, which come with --reference-jar. */
    static final List<String> DEFAULT_CONSUMERS = List.of("paho", "paho-text", "tidegate-json", "tidegate-text",
            "mqtt2prometheus");
    static final List<String> REFERENCE_CONSUMERS = List.of("reference-json", "reference-text");
    static final List<String> ALL_CONSUMERS = concat(DEFAULT_CONSUMERS, REFERENCE_CONSUMERS);

    /** The mapping rule for the devices' JSON, as EmbeddedBench writes it (examples/mappings/zigbee2mqtt.yml's, four fields). */
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

    /** The same four values for mqtt2prometheus 0.1.7, as EmbeddedBench's (c); %d: broker port, %s: client id, %d: QoS. */
    static final String EXPORTER_CONFIG = """
            mqtt:
              server: tcp://127.0.0.1:%d
              client_id: %s
              topic_path: zigbee2mqtt/+
              device_id_regex: "zigbee2mqtt/(?P<deviceid>.*)"
              qos: %d
            cache:
              timeout: 24h
            metrics:
              - {prom_name: zigbee2mqtt_temperature_celsius, mqtt_name: temperature, help: Temperature reported by the device., type: gauge}
              - {prom_name: zigbee2mqtt_humidity_percent, mqtt_name: humidity, help: Relative humidity reported by the device., type: gauge}
              - {prom_name: zigbee2mqtt_battery_percent, mqtt_name: battery, help: Battery level reported by the device., type: gauge}
              - {prom_name: zigbee2mqtt_link_quality, mqtt_name: linkquality, help: Zigbee link quality (0-255)., type: gauge}
            """;

    static final String HELP = """
            java -cp target/tidegate.jar bench/DrainBench.java [options]
            Part 1, backlog drain (each consumer frozen while the backlog is queued, then timed until it handled all):
              --messages=N          backlog per measurement [200000]
              --devices=LIST        topics the messages go round-robin over, one matrix cell each [1000,10000]
              --qos=LIST            QoS of the publishes (and of the subscriptions where the consumer chooses) [1,0]
              --consumers=LIST      of paho, paho-text, tidegate-json, tidegate-text, mqtt2prometheus, reference-json,
                                    reference-text (paho-text: the bare client on the text devices' backlog)
                                    [paho,paho-text,tidegate-json,tidegate-text,mqtt2prometheus; reference-* too with
                                    --reference-jar]
              --rounds=N            repeats of the whole matrix; even rounds take the consumers in reverse order [1]
              --text-bytes=N        tidegate-text payloads of about N bytes of Prometheus text (MqttBench's 1 KB case)
                                    instead of the four gauges the JSON devices send [0: the four gauges]
              --after-seconds=N     resident memory is read again N s after the drain [10]
              --poll-ms=N           how often a consumer's count is read during a drain (a read of Tidegate or
                                    mqtt2prometheus is a full scrape) [1000]
              --threads             also print the consumer's processor time by thread name during each drain
            Part 2, live (the consumer running, publishers paced evenly):
              --live-rate=N         messages/s offered [20000]
              --live-seconds=N      seconds of publishing [20]
              --live-qos=N          QoS of the live publishes [1]
              --live-devices=N      topics of the live part [10000]
              --live-consumers=LIST consumers of the live part [the drain's]
              --lag-poll-ms=N       how often the count is read once publishing ended [250]
            Part 3, start and idle:
              --start-runs=N        starts of each server; the median is reported [5]
              --idle-seconds=N      resident memory is read N s after ready, in the last run [15]
            General:
              --parts=LIST          of drain, live, start [drain,live,start]
              --publishers=N        Paho MQTT 5 async publishers [2]
              --window=N            QoS 1 publishes each keeps in flight, at most the broker's receive maximum - 1 [1000]
              --run=HOW             launcher: bin/tidegate, the README's run command (the jar and the launcher
                                    installed together in the log folder, its class archive recorded first);
                                    java-jar: plain java -jar JAR [launcher]
              --java-opts=OPTS      JVM options for Tidegate (JAVA_OPTS for the launcher) [none]
              --tidegate-args=ARGS  extra flags for Tidegate [none]
              --jar=JAR             the Tidegate jar [target/tidegate.jar]
              --reference-jar=JAR   an earlier Tidegate jar, measured as extra consumers reference-json and
                                    reference-text and in the start part [none]""";

    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("--bare-subscriber")) {
            bareSubscriber(args);
            return;
        }
        for (String arg : args) {
            String[] kv = arg.replaceFirst("^--", "").split("=", 2);
            String value = kv.length > 1 ? kv[1] : "";
            switch (kv[0]) {
                case "messages" -> messages = Integer.parseInt(value);
                case "devices" -> deviceCounts = ints(value);
                case "qos" -> qosLevels = ints(value);
                case "consumers" -> consumers = List.of(value.split(","));
                case "rounds" -> rounds = Integer.parseInt(value);
                case "text-bytes" -> textBytes = Integer.parseInt(value);
                case "after-seconds" -> afterSeconds = Integer.parseInt(value);
                case "poll-ms" -> pollMillis = Long.parseLong(value);
                case "threads" -> threads = true;
                case "live-rate" -> liveRate = Integer.parseInt(value);
                case "live-seconds" -> liveSeconds = Integer.parseInt(value);
                case "live-qos" -> liveQos = Integer.parseInt(value);
                case "live-devices" -> liveDevices = Integer.parseInt(value);
                case "live-consumers" -> liveConsumers = List.of(value.split(","));
                case "lag-poll-ms" -> lagPollMillis = Long.parseLong(value);
                case "start-runs" -> startRuns = Integer.parseInt(value);
                case "idle-seconds" -> idleSeconds = Integer.parseInt(value);
                case "parts" -> parts = new LinkedHashSet<>(List.of(value.split(",")));
                case "publishers" -> publishers = Integer.parseInt(value);
                case "window" -> window = Integer.parseInt(value);
                case "java-opts" -> javaOpts = value;
                case "run" -> {
                    if (!List.of("launcher", "java-jar").contains(value)) {
                        throw new IllegalArgumentException("--run is launcher or java-jar, not " + value);
                    }
                    runWithLauncher = value.equals("launcher");
                }
                case "tidegate-args" -> tidegateArgs = value;
                case "jar" -> tidegateJar = value;
                case "reference-jar" -> referenceJar = value;
                case "help" -> {
                    System.out.println(HELP);
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + arg + ", try --help");
            }
        }
        if (consumers == null) {
            consumers = referenceJar.isEmpty() ? DEFAULT_CONSUMERS : ALL_CONSUMERS;
        }
        if (liveConsumers == null) {
            liveConsumers = consumers;
        }
        for (String consumer : concat(consumers, liveConsumers)) {
            if (!ALL_CONSUMERS.contains(consumer)) {
                throw new IllegalArgumentException("unknown consumer " + consumer + ", try --help");
            }
            if (consumer.startsWith("reference-") && referenceJar.isEmpty()) {
                throw new IllegalArgumentException(consumer + " needs --reference-jar");
            }
        }
        for (String part : parts) {
            if (!List.of("drain", "live", "start").contains(part)) {
                throw new IllegalArgumentException("unknown part " + part + ", try --help");
            }
        }
        if (!Files.isRegularFile(Path.of(tidegateJar))) {
            throw new IllegalArgumentException(tidegateJar + " is missing: mvn -B -q package -DskipTests");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(DrainBench::killAll, "kill-children"));
        int failures = new DrainBench().run();
        System.exit(failures == 0 ? 0 : 1);
    }

    private static List<Integer> ints(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).map(Integer::parseInt).toList();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static Path workDir;
    private Path rules;
    private final List<DrainResult> drains = new ArrayList<>();
    private final List<LiveResult> lives = new ArrayList<>();
    private final List<StartResult> starts = new ArrayList<>();

    private int run() throws Exception {
        String time = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        workDir = tmp.resolve("drainbench-" + time);
        for (int n = 2; Files.exists(workDir); n++) {
            workDir = tmp.resolve("drainbench-" + time + "-" + n);
        }
        Files.createDirectories(workDir);
        rules = Files.writeString(workDir.resolve("zigbee2mqtt-rules.yml"), RULES);
        if (runWithLauncher) {
            for (String jar : referenceJar.isBlank() ? List.of(tidegateJar) : List.of(tidegateJar, referenceJar)) {
                Path install = Files.createDirectories(workDir.resolve("install-" + (jar.equals(tidegateJar) ? "tidegate" : "reference")));
                Files.copy(Path.of(jar), install.resolve("tidegate.jar"));
                Path launcher = Files.copy(Path.of("bin/tidegate"), install.resolve("tidegate"));
                progress("installing " + jar + " with bin/tidegate in " + install + " and recording its class archive");
                Process record = new ProcessBuilder(launcher.toString(), "--version").redirectErrorStream(true)
                        .redirectOutput(install.resolve("record.log").toFile()).start();
                if (record.waitFor() != 0 || !Files.exists(install.resolve("tidegate.jsa"))) {
                    throw new IllegalStateException("the launcher did not record its class archive, see " + install.resolve("record.log"));
                }
                LAUNCHERS.put(jar, launcher);
            }
        }
        progress("DrainBench: parts " + String.join(", ", parts) + "; Tidegate as " + (runWithLauncher ? "bin/tidegate (" + tidegateJar + ")"
                        + (javaOpts.isBlank() ? "" : " with JAVA_OPTS=" + javaOpts) : "java " + (javaOpts.isBlank() ? "" : javaOpts + " ")
                + "-jar " + tidegateJar) + (tidegateArgs.isBlank() ? "" : " ... " + tidegateArgs)
                + (referenceJar.isEmpty() ? "" : "; reference " + referenceJar) + "; logs in " + workDir
                + "; machine: " + Runtime.getRuntime().availableProcessors() + " CPUs");
        if (parts.contains("drain")) {
            progress("part 1, backlog drain: " + messages + " messages per measurement, QoS " + qosLevels + ", devices " + deviceCounts
                    + ", consumers " + consumers + ", " + rounds + " round(s)");
            Measurement previous = null;
            for (int round = 1; round <= rounds; round++) {
                List<String> order = new ArrayList<>(consumers);
                if (round % 2 == 0) {
                    Collections.reverse(order);
                }
                for (int qos : qosLevels) {
                    for (int devices : deviceCounts) {
                        for (String consumer : order) {
                            Measurement next = new Measurement(round, qos, devices, consumer);
                            next.prepare(); // while the previous consumer sits idle after its drain
                            if (previous != null) {
                                drains.add(previous.finish());
                            }
                            next.drain();
                            previous = next;
                        }
                    }
                }
            }
            if (previous != null) {
                drains.add(previous.finish());
            }
            drains.sort(Comparator.comparingInt((DrainResult r) -> r.round).thenComparingInt(r -> qosLevels.indexOf(r.qos))
                    .thenComparingInt(r -> deviceCounts.indexOf(r.devices)).thenComparingInt(r -> consumers.indexOf(r.consumer)));
        }
        if (parts.contains("live")) {
            progress("part 2, live: " + liveRate + " messages/s offered for " + liveSeconds + " s, QoS " + liveQos + ", "
                    + liveDevices + " devices, consumers " + liveConsumers);
            for (String consumer : liveConsumers) {
                lives.add(live(consumer));
            }
        }
        if (parts.contains("start")) {
            List<String> servers = new ArrayList<>(List.of("tidegate"));
            if (!referenceJar.isEmpty()) {
                servers.add("reference");
            }
            servers.add("mqtt2prometheus");
            progress("part 3, start and idle: " + startRuns + " starts each of " + servers + ", resident memory " + idleSeconds
                    + " s after ready in the last");
            starts.addAll(startAndIdle(servers));
        }
        int failures = printTables();
        System.out.println();
        System.out.println("Figures are from one shared machine: compare them only as ratios within this run. Logs: " + workDir);
        return failures;
    }

    // ---- consumers --------------------------------------------------------------------------------------------

    static boolean textPayloads(String consumer) {
        return consumer.endsWith("-text");
    }

    /** The bare Paho client (paho on the JSON devices' backlog, paho-text on the text devices'): the ceiling, not a server. */
    static boolean bareClient(String consumer) {
        return consumer.startsWith("paho");
    }

    /** How Tidegate is started: the installed launcher (JAVA_OPTS from --java-opts, see spawn), or java -jar. */
    static List<String> tidegateCommand(String jar) {
        if (runWithLauncher) {
            return List.of(LAUNCHERS.get(jar).toString());
        }
        List<String> command = new ArrayList<>(List.of(javaCommand));
        command.addAll(words(javaOpts));
        command.addAll(List.of("-jar", Path.of(jar).toAbsolutePath().toString()));
        return command;
    }

    static String jarOf(String consumer) {
        return consumer.startsWith("reference") ? referenceJar : tidegateJar;
    }

    /** A consumer process and how to read its count. */
    abstract static class Consumer implements AutoCloseable {
        final String name;
        final Process process;
        final Path log;

        Consumer(String name, Process process, Path log) {
            this.name = name;
            this.process = process;
            this.log = log;
        }

        /** Messages handled so far (Tidegate: applied; mqtt2prometheus: received; Paho: arrived). */
        abstract long handled() throws IOException;

        /** Messages refused so far (Tidegate: rejected; mqtt2prometheus: any status but success). */
        long refused() throws IOException {
            return 0;
        }

        /** The metrics page, or null for a consumer that serves none. */
        String scrape() throws IOException {
            return null;
        }

        /**
         * Devices whose temperature the consumer serves (-1 when it serves none, or with --text-bytes): after a drain every
         * device must be there, a check that the consumer did the work and not only counted.
         */
        long servedDevices() throws IOException {
            String body = scrape();
            if (body == null || (textPayloads(name) && textBytes > 0)) {
                return -1;
            }
            Matcher matcher = Pattern.compile("(?m)^zigbee2mqtt_temperature_celsius\\{").matcher(body);
            long served = 0;
            while (matcher.find()) {
                served++;
            }
            return served;
        }

        /** How often the count may be read: a read of a server is a scrape of all it holds. */
        long pollMillis(long wanted) {
            return wanted;
        }

        @Override
        public void close() throws InterruptedException {
            stop(process);
        }
    }

    private Consumer startConsumer(String consumer, int brokerPort, int qos, String tag) throws Exception {
        Path log = workDir.resolve(tag + "-" + consumer + ".log");
        if (bareClient(consumer)) {
            String filter = topicFilter(textPayloads(consumer));
            List<String> command = new ArrayList<>(List.of(javaCommand, "-cp", absoluteClassPath(),
                    Path.of("bench", "DrainBench.java").toAbsolutePath().toString(), "--bare-subscriber", "--port=" + brokerPort,
                    "--qos=" + qos, "--topic=" + filter));
            Process process = spawn(command, log);
            awaitTrue(() -> Files.exists(log) && Files.readAllLines(log).contains("subscribed"), process,
                    "no \"subscribed\" from the bare Paho client, see " + log);
            progress("  " + consumer + " (bare client) subscribed to " + filter + " with QoS " + qos + " (pid " + process.pid() + ")");
            return new Consumer(consumer, process, log) {
                long handled() throws IOException {
                    return countIn(log);
                }

                @Override
                long pollMillis(long wanted) {
                    return Math.min(wanted, 100); // its count costs it nothing: it is read from its output
                }
            };
        }
        if (consumer.equals("mqtt2prometheus")) {
            int httpPort = freePort();
            Path config = Files.writeString(workDir.resolve(tag + "-mqtt2prometheus.yaml"),
                    EXPORTER_CONFIG.formatted(brokerPort, "drainbench-" + tag, qos));
            Process process = spawn(List.of(exporter, "-config", config.toString(), "-listen-address", "127.0.0.1",
                    "-listen-port", Integer.toString(httpPort)), log);
            awaitPort(httpPort, process, "mqtt2prometheus");
            awaitTrue(() -> metricSum(httpGet(httpPort, "/metrics"), "mqtt2prometheus_connected", null) >= 1, process,
                    "mqtt2prometheus did not connect to Mosquitto, see " + log);
            progress("  mqtt2prometheus on port " + httpPort + " (pid " + process.pid() + "), qos: " + qos);
            return new Consumer(consumer, process, log) {
                @Override
                String scrape() throws IOException {
                    return httpGet(httpPort, "/metrics");
                }

                long handled() throws IOException {
                    return (long) metricSum(httpGet(httpPort, "/metrics"), "received_messages", null);
                }

                @Override
                long refused() throws IOException {
                    String body = httpGet(httpPort, "/metrics");
                    return (long) (metricSum(body, "received_messages", null) - metricSum(body, "received_messages", "status=\"success\""));
                }
            };
        }
        int httpPort = freePort();
        List<String> command = new ArrayList<>();
        command.addAll(tidegateCommand(jarOf(consumer)));
        command.addAll(List.of("--web.listen-address=127.0.0.1:" + httpPort,
                "--config.file=" + rules, "--mqtt.url=tcp://127.0.0.1:" + brokerPort, "--mqtt.client-id=drainbench-" + tag));
        command.addAll(words(tidegateArgs));
        Process process = spawn(command, log);
        awaitPort(httpPort, process, consumer);
        awaitTrue(() -> httpStatus(httpPort, "/-/ready") == 200, process, consumer + " is not ready, see " + log);
        awaitTrue(() -> metricSum(httpGet(httpPort, "/metrics"), "tidegate_mqtt_connected", null) >= 1, process,
                consumer + " did not connect to Mosquitto, see " + log);
        progress("  " + consumer + " ready on port " + httpPort + " (pid " + process.pid() + ")");
        return new Consumer(consumer, process, log) {
            @Override
            String scrape() throws IOException {
                return httpGet(httpPort, "/metrics");
            }

            long handled() throws IOException {
                return (long) metricSum(httpGet(httpPort, "/metrics"), "tidegate_mqtt_messages_applied_total", null);
            }

            @Override
            long refused() throws IOException {
                return (long) metricSum(httpGet(httpPort, "/metrics"), "tidegate_mqtt_messages_rejected_total", null);
            }
        };
    }

    /**
     * Publishes one message to the consumer's device 0 and waits until it is counted: the subscription is in place
     * (a connected client may not have subscribed yet). Returns the count after it.
     */
    private static long probe(Consumer consumer, Publishing publishing) throws Exception {
        long before = consumer.handled();
        MqttMessage message = new MqttMessage(payload(textPayloads(consumer.name), 0));
        message.setQos(1);
        publishing.clients.get(0).publish(topic(textPayloads(consumer.name), 0), message).waitForCompletion(30_000);
        awaitTrue(() -> consumer.handled() > before, consumer.process, consumer.name + " did not get the probe message, see " + consumer.log);
        return consumer.handled();
    }

    // ---- part 1: backlog drain --------------------------------------------------------------------------------

    record DrainResult(int round, int qos, int devices, String consumer, double rate, double seconds, double backlogSeconds,
            double cpuPerMessage, double brokerCpuPerMessage, double rssIdle, double rssAfter, double rssLater, long extra, String error) {
        boolean ok() {
            return error == null;
        }
    }

    /**
     * One drain measurement in two steps. {@link #prepare} starts a fresh Mosquitto and the consumer, reads its idle
     * memory, freezes it and queues the backlog; {@link #drain} thaws it and times the drain. {@link #finish} waits
     * until {@code --after-seconds} have passed since the drain, reads the memory again and stops everything. The
     * next measurement is prepared during that wait (the consumer just measured is idle then), but this one is
     * finished, its processes stopped, before the next consumer is thawed: no drain shares the machine with
     * another consumer.
     */
    final class Measurement {
        final int round;
        final int qos;
        final int devices;
        final String consumerName;
        final String tag;
        Process broker;
        Consumer consumer;
        Publishing publishing;
        boolean frozen;
        long base;
        double rssIdle = Double.NaN;
        double backlogSeconds = Double.NaN;
        double seconds = Double.NaN;
        double cpu = Double.NaN;
        double brokerCpu = Double.NaN;
        double rssAfter = Double.NaN;
        long drainedAt;
        String error;

        Measurement(int round, int qos, int devices, String consumerName) {
            this.round = round;
            this.qos = qos;
            this.devices = devices;
            this.consumerName = consumerName;
            this.tag = "drain-q" + qos + "-d" + devices + "-r" + round;
        }

        String label() {
            return String.format(Locale.ROOT, "drain, QoS %d, %d devices, round %d, %s", qos, devices, round, consumerName);
        }

        void prepare() {
            progress(label() + ": starting");
            try {
                int brokerPort = freePort();
                broker = startMosquitto(tag + "-" + consumerName, brokerPort);
                consumer = startConsumer(consumerName, brokerPort, qos, tag);
                publishing = new Publishing(brokerPort, "drainbench-" + tag + "-pub", publishers);
                base = probe(consumer, publishing);
                Thread.sleep(1_000);
                rssIdle = rssMegabytes(consumer.process);

                signal(consumer.process, "STOP");
                frozen = true;
                long queueing = System.nanoTime();
                double benchCpu0 = cpuSeconds(ProcessHandle.current().pid());
                double brokerCpu0 = cpuSeconds(broker.pid());
                awaitPublishing(publishing, publishing.publishAsync(0, messages, qos, textPayloads(consumerName), devices, 0, queueing),
                        "    queueing the backlog");
                backlogSeconds = (System.nanoTime() - queueing) / 1e9;
                progress(String.format(Locale.ROOT, "    %s frozen; backlog of %d QoS %d messages queued at the broker in %.1f s (%.0f/s; "
                                + "publishers %.1f µs/message, Mosquitto %.1f; Mosquitto now %.0f MB resident)", consumerName, messages, qos,
                        backlogSeconds, messages / backlogSeconds, (cpuSeconds(ProcessHandle.current().pid()) - benchCpu0) / messages * 1e6,
                        (cpuSeconds(broker.pid()) - brokerCpu0) / messages * 1e6, rssMegabytes(broker)));
            } catch (Exception e) {
                fail(e);
            }
        }

        void drain() {
            if (error != null) {
                return;
            }
            try {
                double cpu0 = cpuSeconds(consumer.process.pid());
                java.util.Map<String, Double> threadCpu0 = threads ? threadCpuSeconds(consumer.process.pid()) : java.util.Map.of();
                double brokerCpu0 = cpuSeconds(broker.pid());
                long thawed = System.nanoTime();
                signal(consumer.process, "CONT");
                frozen = false;
                progress("    " + consumerName + " thawed");
                Finish finish = awaitCount(consumer, base, messages, thawed, consumer.pollMillis(pollMillis), publishing, "    ");
                cpu = cpuSeconds(consumer.process.pid()) - cpu0;
                if (threads) {
                    progress("    processor time by thread during the drain: " + threadCpuChange(threadCpu0, threadCpuSeconds(consumer.process.pid())));
                }
                brokerCpu = cpuSeconds(broker.pid()) - brokerCpu0;
                rssAfter = rssMegabytes(consumer.process);
                drainedAt = System.nanoTime();
                seconds = (finish.at - thawed) / 1e9;
                long refused = consumer.refused();
                if (refused > 0) {
                    throw new IllegalStateException(consumerName + " refused " + refused + " messages, see " + consumer.log);
                }
                progress(String.format(Locale.ROOT, "    %d messages handled in %.2f s: %.0f messages/s; consumer CPU %.1f µs/message "
                                + "(Mosquitto %.1f); resident %.0f MB idle, %.0f MB right after the drain", messages, seconds,
                        messages / seconds, cpu / messages * 1e6, brokerCpu / messages * 1e6, rssIdle, rssAfter));
            } catch (Exception e) {
                fail(e);
            }
        }

        DrainResult finish() {
            double rssLater = Double.NaN;
            long extra = 0;
            try {
                if (error == null) {
                    long wait = drainedAt + TimeUnit.SECONDS.toNanos(afterSeconds) - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    rssLater = rssMegabytes(consumer.process);
                    extra = consumer.handled() - base - messages;
                    if (consumer.refused() > 0) {
                        throw new IllegalStateException(consumerName + " refused " + consumer.refused() + " messages, see " + consumer.log);
                    }
                    long served = consumer.servedDevices();
                    long expected = Math.min(devices, messages);
                    progress(String.format(Locale.ROOT, "    %s (QoS %d, %d devices): resident %.0f MB %d s after its drain%s%s", consumerName, qos,
                            devices, rssLater, afterSeconds, served < 0 ? "" : "; serves the temperature of " + served + " devices",
                            extra > 0 ? "; NOTE: it handled " + extra + " more messages than were published (redelivered)" : ""));
                    if (served >= 0 && served != expected) {
                        throw new IllegalStateException(consumerName + " serves the temperature of " + served + " devices, not " + expected);
                    }
                }
            } catch (Exception e) {
                fail(e);
            } finally {
                close();
            }
            return new DrainResult(round, qos, devices, consumerName, messages / seconds, seconds, backlogSeconds, cpu / messages,
                    brokerCpu / messages, rssIdle, rssAfter, rssLater, extra, error);
        }

        private void fail(Exception e) {
            error = e.getMessage() == null ? e.toString() : e.getMessage();
            progress("    " + label() + " FAILED: " + error);
        }

        private void close() {
            if (frozen && consumer != null) {
                Process c = consumer.process;
                quietly(() -> signal(c, "CONT"));
            }
            if (publishing != null) {
                publishing.close();
            }
            if (consumer != null) {
                Consumer c = consumer;
                quietly(c::close);
            }
            if (broker != null) {
                Process b = broker;
                quietly(() -> stop(b));
            }
        }
    }

    /** The moment the count reached its target (extrapolated between readings) and the count then read. */
    record Finish(long at, long count) {}

    /**
     * Reads the consumer's count every {@code poll} ms until it has handled {@code target} more than {@code base}.
     * The moment the last one was handled is extrapolated from the rate between the last two readings, so a coarse
     * reading does not count against the consumer. Fails when the count stands still for 30 s.
     */
    private static Finish awaitCount(Consumer consumer, long base, long target, long from, long poll, Publishing publishing,
            String indent) throws Exception {
        long deadline = from + TimeUnit.MINUTES.toNanos(10);
        long previousAt = -1;
        long previousCount = -1;
        double rate = 0;
        long lastChange = from;
        long lastCount = -1;
        long lastProgress = System.nanoTime();
        long progressCount = consumer.handled() - base;
        while (true) {
            Thread.sleep(poll);
            long count = consumer.handled() - base;
            long at = System.nanoTime();
            if (count >= target) {
                long finished = rate > 0 && previousAt > 0 ? Math.min(at, previousAt + (long) ((target - previousCount) / rate)) : at;
                return new Finish(Math.max(finished, from), count);
            }
            if (!consumer.process.isAlive()) {
                throw new IllegalStateException(consumer.name + " died after handling " + count + " of " + target + ", see " + consumer.log);
            }
            if (publishing != null && publishing.failure != null) {
                throw new IllegalStateException("a publisher failed: " + publishing.failure, publishing.failure);
            }
            if (count != lastCount) {
                lastChange = at;
                lastCount = count;
            } else if (at - lastChange > TimeUnit.SECONDS.toNanos(30)) {
                throw new IllegalStateException(consumer.name + " stands still at " + count + " of " + target
                        + " for 30 s (messages dropped by the broker, or lost on a reconnect?), see " + consumer.log);
            }
            if (at > deadline) {
                throw new IllegalStateException(consumer.name + " handled only " + count + " of " + target + " in 10 minutes");
            }
            if (previousAt > 0 && count > previousCount) {
                rate = (double) (count - previousCount) / (at - previousAt);
            }
            previousAt = at;
            previousCount = count;
            if (at - lastProgress >= TimeUnit.SECONDS.toNanos(5)) {
                progress(String.format(Locale.ROOT, "%s%5.1f s: %d of %d handled (%.0f/s over the last %.0f s)", indent, (at - from) / 1e9,
                        count, target, (count - progressCount) / ((at - lastProgress) / 1e9), (at - lastProgress) / 1e9));
                lastProgress = at;
                progressCount = count;
            }
        }
    }

    private static void awaitPublishing(Publishing publishing, Future<Long> published, String what) throws Exception {
        long started = System.nanoTime();
        while (true) {
            try {
                published.get(5, TimeUnit.SECONDS);
                return;
            } catch (TimeoutException notYet) {
                progress(String.format(Locale.ROOT, "%s: %5.1f s: %d published, %d acknowledged", what, (System.nanoTime() - started) / 1e9,
                        publishing.published.get(), publishing.acknowledged.get()));
            }
        }
    }

    // ---- part 2: live -----------------------------------------------------------------------------------------

    record LiveResult(String consumer, double offered, double achieved, long published, long appliedAtEnd, double lag,
            double cpuPerMessage, double brokerCpuPerMessage, double publisherCpuPerMessage, double rssIdle, double rssAfter,
            double maxBehind, String error) {
        boolean ok() {
            return error == null;
        }
    }

    private LiveResult live(String consumerName) {
        String tag = "live-" + consumerName;
        progress("live, " + consumerName + ": starting");
        boolean text = textPayloads(consumerName);
        int offered = liveRate * liveSeconds;
        Process broker = null;
        Consumer consumer = null;
        Publishing publishing = null;
        try {
            int brokerPort = freePort();
            broker = startMosquitto(tag, brokerPort);
            consumer = startConsumer(consumerName, brokerPort, liveQos, tag);
            publishing = new Publishing(brokerPort, "drainbench-" + tag + "-pub", publishers);
            long base = probe(consumer, publishing);
            Thread.sleep(1_000);
            double rssIdle = rssMegabytes(consumer.process);
            double cpu0 = cpuSeconds(consumer.process.pid());
            double brokerCpu0 = cpuSeconds(broker.pid());
            double benchCpu0 = cpuSeconds(ProcessHandle.current().pid());
            long started = System.nanoTime();
            // publishers that fall behind the schedule stop all the same after --live-seconds: what they sent is what they offered
            publishing.stopAt = started + TimeUnit.SECONDS.toNanos(liveSeconds);
            Future<Long> published = publishing.publishAsync(0, offered, liveQos, text, liveDevices, liveRate, started);
            while (!published.isDone()) {
                try {
                    published.get(5, TimeUnit.SECONDS);
                } catch (TimeoutException notYet) {
                    long now = System.nanoTime();
                    progress(String.format(Locale.ROOT, "    %5.1f s: published %d (schedule: %d), acknowledged %d, %s handled %d",
                            (now - started) / 1e9, publishing.published.get(), Math.min(offered, (long) ((now - started) / 1e9 * liveRate)),
                            publishing.acknowledged.get(), consumerName, consumer.handled() - base));
                }
            }
            published.get();
            long total = publishing.published.get();
            long publishEnd = publishing.finishedAt.get();
            long appliedAtEnd = consumer.handled() - base;
            double benchCpu = cpuSeconds(ProcessHandle.current().pid()) - benchCpu0;
            double achieved = total / ((publishEnd - started) / 1e9);
            progress(String.format(Locale.ROOT, "    publishing ended after %.2f s: %.0f messages/s achieved of %d offered "
                            + "(at worst %.0f ms behind schedule; publishers %.1f µs/message); %s had handled %d of %d", (publishEnd - started) / 1e9,
                    achieved, liveRate, publishing.maxBehindNanos.get() / 1e6, benchCpu / total * 1e6, consumerName, appliedAtEnd, total));
            Finish finish = appliedAtEnd >= total ? new Finish(publishEnd, appliedAtEnd)
                    : awaitCount(consumer, base, total, publishEnd, consumer.pollMillis(lagPollMillis), publishing, "    lag ");
            double cpu = cpuSeconds(consumer.process.pid()) - cpu0;
            double brokerCpu = cpuSeconds(broker.pid()) - brokerCpu0;
            double rssAfter = rssMegabytes(consumer.process);
            long refused = consumer.refused();
            if (refused > 0) {
                throw new IllegalStateException(consumerName + " refused " + refused + " messages, see " + consumer.log);
            }
            double lag = Math.max(0, (finish.at - publishEnd) / 1e9);
            progress(String.format(Locale.ROOT, "    all %d handled %.2f s after publishing ended; consumer CPU %.1f µs/message "
                    + "(Mosquitto %.1f); resident %.0f MB", total, lag, cpu / total * 1e6, brokerCpu / total * 1e6, rssAfter));
            return new LiveResult(consumerName, liveRate, achieved, total, appliedAtEnd, lag, cpu / total, brokerCpu / total,
                    benchCpu / total, rssIdle, rssAfter, publishing.maxBehindNanos.get() / 1e9, null);
        } catch (Exception e) {
            String error = e.getMessage() == null ? e.toString() : e.getMessage();
            progress("    FAILED: " + error);
            return new LiveResult(consumerName, liveRate, Double.NaN, 0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN, Double.NaN, error);
        } finally {
            if (publishing != null) {
                publishing.close();
            }
            if (consumer != null) {
                Consumer c = consumer;
                quietly(c::close);
            }
            if (broker != null) {
                Process b = broker;
                quietly(() -> stop(b));
            }
        }
    }

    // ---- part 3: start and idle -------------------------------------------------------------------------------

    record StartResult(String server, List<Double> seconds, double rssIdle, String error) {
        double median() {
            List<Double> sorted = seconds.stream().sorted().toList();
            int n = sorted.size();
            return n == 0 ? Double.NaN : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        }
    }

    private List<StartResult> startAndIdle(List<String> servers) throws Exception {
        // mqtt2prometheus connects to its broker before it serves /metrics: it gets a Mosquitto, started beforehand
        int brokerPort = freePort();
        Process broker = servers.contains("mqtt2prometheus") ? startMosquitto("start", brokerPort) : null;
        List<Idle> idle = new ArrayList<>();
        try {
            List<List<Double>> seconds = new ArrayList<>();
            double[] rss = new double[servers.size()];
            String[] errors = new String[servers.size()];
            for (int i = 0; i < servers.size(); i++) {
                seconds.add(new ArrayList<>());
                rss[i] = Double.NaN;
            }
            for (int run = 1; run <= startRuns; run++) {
                List<Integer> order = new ArrayList<>();
                for (int i = 0; i < servers.size(); i++) {
                    order.add(i);
                }
                if (run % 2 == 0) {
                    Collections.reverse(order);
                }
                for (int i : order) {
                    if (errors[i] != null) {
                        continue;
                    }
                    String server = servers.get(i);
                    Process process = null;
                    boolean keep = false;
                    try {
                        int[] ports = freePorts(2); // two different ones: each picked while the other is held
                        int httpPort = ports[0];
                        List<String> command = new ArrayList<>();
                        String path;
                        if (server.equals("mqtt2prometheus")) {
                            Path config = Files.writeString(workDir.resolve("start-" + run + "-mqtt2prometheus.yaml"),
                                    EXPORTER_CONFIG.formatted(brokerPort, "drainbench-start-" + run, 1));
                            command.addAll(List.of(exporter, "-config", config.toString(), "-listen-address", "127.0.0.1",
                                    "-listen-port", Integer.toString(httpPort)));
                            path = "/metrics";
                        } else {
                            command.addAll(tidegateCommand(server.equals("reference") ? referenceJar : tidegateJar));
                            command.addAll(List.of("--web.listen-address=127.0.0.1:" + httpPort, "--mqtt.listen-address=127.0.0.1:" + ports[1]));
                            command.addAll(words(tidegateArgs));
                            path = "/-/ready";
                        }
                        Path log = workDir.resolve("start-" + run + "-" + server + ".log");
                        long started = System.nanoTime();
                        process = spawn(command, log);
                        long deadline = started + TimeUnit.SECONDS.toNanos(60);
                        while (httpStatus(httpPort, path) != 200) {
                            if (!process.isAlive() || System.nanoTime() > deadline) {
                                throw new IllegalStateException(server + " did not answer " + path + " with 200, see " + log);
                            }
                            Thread.sleep(10);
                        }
                        double took = (System.nanoTime() - started) / 1e9;
                        seconds.get(i).add(took);
                        boolean last = run == startRuns;
                        progress(String.format(Locale.ROOT, "  start %d of %d, %s: %s answered 200 after %.2f s%s", run, startRuns, server, path,
                                took, last ? "; reading resident memory " + idleSeconds + " s after that" : ""));
                        if (last) {
                            // the last start's processes idle side by side, so their waits overlap
                            idle.add(new Idle(i, process, System.nanoTime()));
                            keep = true;
                        }
                    } catch (Exception e) {
                        errors[i] = e.getMessage() == null ? e.toString() : e.getMessage();
                        progress("    FAILED: " + errors[i]);
                    } finally {
                        if (process != null && !keep) {
                            stop(process);
                        }
                    }
                }
            }
            for (Idle waiting : idle) {
                long wait = waiting.readyAt + TimeUnit.SECONDS.toNanos(idleSeconds) - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000);
                }
                if (waiting.process.isAlive()) {
                    rss[waiting.index] = rssMegabytes(waiting.process);
                    progress(String.format(Locale.ROOT, "    %s: resident %.0f MB %d s after ready", servers.get(waiting.index),
                            rss[waiting.index], idleSeconds));
                } else {
                    errors[waiting.index] = servers.get(waiting.index) + " exited while idle";
                }
                stop(waiting.process);
            }
            List<StartResult> results = new ArrayList<>();
            for (int i = 0; i < servers.size(); i++) {
                results.add(new StartResult(servers.get(i), seconds.get(i), rss[i], errors[i]));
            }
            return results;
        } finally {
            for (Idle waiting : idle) {
                stop(waiting.process);
            }
            if (broker != null) {
                stop(broker);
            }
        }
    }

    /** A server of the last start, idle until its memory is read. */
    record Idle(int index, Process process, long readyAt) {}

    // ---- the tables -------------------------------------------------------------------------------------------

    /** Prints the three parts' Markdown tables; returns the number of failed measurements. */
    private int printTables() {
        int failures = 0;
        if (!drains.isEmpty()) {
            System.out.println();
            System.out.println("## Part 1: backlog drain");
            System.out.println();
            System.out.printf(Locale.ROOT, "%d messages per measurement, queued at Mosquitto while the consumer was frozen, then drained; "
                    + "devices publish zigbee2mqtt JSON (paho, *-json, mqtt2prometheus) or %s (*-text, paho-text included). CPU: user + system of the consumer "
                    + "process from thaw until its count was complete (its scrapes included). Resident MB (VmRSS): *idle* once subscribed, "
                    + "before the backlog; *after* right after the drain; *+%d s* %d s after the drain.%n%n", messages,
                    textBytes > 0 ? "~" + textBytes + " B of Prometheus text" : "the same four gauges as Prometheus text", afterSeconds, afterSeconds);
            List<List<String>> rows = new ArrayList<>();
            for (DrainResult r : drains) {
                if (!r.ok()) {
                    failures++;
                    rows.add(List.of(str(r.qos), str(r.devices), str(r.round), r.consumer, "FAILED: " + r.error.replace('|', '/'), "", "", "", "", "", ""));
                    continue;
                }
                rows.add(List.of(str(r.qos), str(r.devices), str(r.round), r.consumer, fmt("%.0f", r.rate), fmt("%.2f", r.seconds),
                        fmt("%.1f", r.cpuPerMessage * 1e6), fmt("%.1f", r.brokerCpuPerMessage * 1e6), fmt("%.0f", r.rssIdle),
                        fmt("%.0f", r.rssAfter), fmt("%.0f", r.rssLater)));
            }
            markdown(List.of("QoS", "devices", "round", "consumer", "msg/s drained", "drain s", "consumer CPU µs/msg", "Mosquitto CPU µs/msg",
                    "RSS MB idle", "RSS MB after", "RSS MB +" + afterSeconds + " s"), rows);

            List<List<String>> ratios = new ArrayList<>();
            int met = 0;
            int checked = 0;
            for (DrainResult r : drains) {
                if (!r.ok() || bareClient(r.consumer) || r.consumer.equals("mqtt2prometheus")) {
                    continue;
                }
                DrainResult m2p = find(r, "mqtt2prometheus");
                // "the bare Paho client on the same backlog": text consumers against the bare client on the text devices
                DrainResult paho = find(r, textPayloads(r.consumer) ? "paho-text" : "paho");
                if (m2p == null && paho == null) {
                    continue;
                }
                List<String> row = new ArrayList<>(List.of(str(r.qos), str(r.devices), str(r.round), r.consumer));
                String[] cells = {
                        m2p == null ? "-" : target(r.rate / m2p.rate, true, 1.0, "%.2fx"),
                        m2p == null ? "-" : target(r.cpuPerMessage / m2p.cpuPerMessage, false, 1.0, "%.2fx"),
                        target(r.rssIdle, false, 100, "%.0f MB"), // the issue's idle target is absolute, not a ratio
                        m2p == null ? "-" : target(r.rssAfter / m2p.rssAfter, false, 2.0, "%.1fx"),
                        m2p == null ? "-" : target(r.rssLater / m2p.rssLater, false, 2.0, "%.1fx"),
                        paho == null ? "-" : target(r.rate / paho.rate, true, 0.9, "%.0f%%")};
                for (String cell : cells) {
                    row.add(cell);
                    if (!cell.equals("-")) {
                        checked++;
                        met += cell.endsWith(" met") && !cell.endsWith("NOT met") ? 1 : 0;
                    }
                }
                ratios.add(row);
            }
            if (!ratios.isEmpty()) {
                System.out.println();
                System.out.println("Ratios, same cell and round (targets in brackets):");
                System.out.println();
                markdown(List.of("QoS", "devices", "round", "consumer", "rate ÷ mqtt2prometheus (≥ 1.0x)", "CPU/msg ÷ mqtt2prometheus (≤ 1.0x)",
                        "RSS idle (≤ 100 MB)", "RSS after ÷ mqtt2prometheus (≤ 2x)", "RSS +" + afterSeconds + " s ÷ mqtt2prometheus (≤ 2x)",
                        "rate ÷ bare Paho on the same backlog: paho, text: paho-text (≥ 90%)"), ratios);
                System.out.println();
                System.out.println("Targets met: " + met + " of " + checked + ".");
            }
        }
        if (!lives.isEmpty()) {
            System.out.println();
            System.out.println("## Part 2: live");
            System.out.println();
            System.out.printf(Locale.ROOT, "%d Paho publishers offering %d messages/s, paced evenly, for %d s (%d messages at most: publishers "
                    + "behind the schedule stop all the same), QoS %d, %d devices, to a running consumer. Achieved: messages sent / seconds "
                    + "from the first publish until the last was acknowledged by Mosquitto. Lag: seconds from then until the consumer had "
                    + "handled all (target < 2 s).%n%n",
                    publishers, liveRate, liveSeconds, liveRate * liveSeconds, liveQos, liveDevices);
            List<List<String>> rows = new ArrayList<>();
            boolean short_ = false;
            for (LiveResult r : lives) {
                if (!r.ok()) {
                    failures++;
                    rows.add(List.of(r.consumer, "FAILED: " + r.error.replace('|', '/'), "", "", "", "", "", "", "", "", ""));
                    continue;
                }
                short_ |= r.achieved < 0.97 * r.offered;
                rows.add(List.of(r.consumer, fmt("%.0f", r.offered), fmt("%.0f", r.achieved) + (r.achieved < 0.97 * r.offered ? " (short)" : ""),
                        str(r.published), str(r.appliedAtEnd) + fmt(" (%.1f%%)", 100.0 * r.appliedAtEnd / r.published),
                        bareClient(r.consumer) ? fmt("%.2f", r.lag) : target(r.lag, false, 2.0, "%.2f"),
                        fmt("%.1f", r.cpuPerMessage * 1e6), fmt("%.1f", r.brokerCpuPerMessage * 1e6), fmt("%.1f", r.publisherCpuPerMessage * 1e6),
                        fmt("%.0f", r.rssIdle), fmt("%.0f", r.rssAfter)));
            }
            markdown(List.of("consumer", "offered msg/s", "achieved msg/s", "messages sent", "handled when publishing ended", "lag s (< 2 s)",
                    "consumer CPU µs/msg", "Mosquitto CPU µs/msg", "publishers' CPU µs/msg", "RSS MB idle", "RSS MB after"), rows);
            if (short_) {
                System.out.println();
                System.out.println("The publishers could NOT reach the offered rate on this machine in the runs marked (short): "
                        + "publishers, Mosquitto and the consumer share its processors.");
            }
        }
        if (!starts.isEmpty()) {
            System.out.println();
            System.out.println("## Part 3: start and idle");
            System.out.println();
            System.out.printf(Locale.ROOT, "Seconds from process start until the server answers 200 (Tidegate: GET /-/ready, with its embedded broker "
                    + "and defaults; mqtt2prometheus: GET /metrics, which it serves once connected to a Mosquitto already running), polled every "
                    + "10 ms; median of %d starts. Resident MB (VmRSS) %d s after ready, in the last start, idle.%n%n", startRuns, idleSeconds);
            List<List<String>> rows = new ArrayList<>();
            for (StartResult r : starts) {
                if (r.error != null) {
                    failures++;
                }
                boolean reference = r.server.equals("mqtt2prometheus");
                List<String> each = r.seconds.stream().map(s -> fmt("%.2f", s)).toList();
                rows.add(List.of(r.server + (r.error == null ? "" : " (FAILED: " + r.error.replace('|', '/') + ")"),
                        r.seconds.isEmpty() ? "-" : reference ? fmt("%.2f", r.median()) : target(r.median(), false, 1.5, "%.2f s"),
                        String.join(", ", each),
                        Double.isNaN(r.rssIdle) ? "-" : reference ? fmt("%.0f", r.rssIdle) : target(r.rssIdle, false, 100, "%.0f MB")));
            }
            markdown(List.of("server", "start s, median (≤ 1.5 s)", "each start, s", "RSS MB idle, " + idleSeconds + " s after ready (≤ 100 MB)"), rows);
        }
        return failures;
    }

    private DrainResult find(DrainResult like, String consumer) {
        return drains.stream().filter(d -> d.ok() && d.consumer.equals(consumer) && d.qos == like.qos && d.devices == like.devices
                && d.round == like.round).findFirst().orElse(null);
    }

    /** "1.23x met" or "0.80x NOT met"; a percent format shows the ratio times 100. */
    private static String target(double value, boolean higherIsBetter, double limit, String format) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "-";
        }
        boolean met = higherIsBetter ? value >= limit : value <= limit;
        double shown = format.contains("%%") ? value * 100 : value;
        return fmt(format, shown) + (met ? " met" : " NOT met");
    }

    private static void markdown(List<String> header, List<List<String>> rows) {
        System.out.println("| " + String.join(" | ", header) + " |");
        System.out.println("|" + " --- |".repeat(header.size()));
        for (List<String> row : rows) {
            System.out.println("| " + String.join(" | ", row) + " |");
        }
    }

    private static String fmt(String format, double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, format, value);
    }

    private static String str(long value) {
        return Long.toString(value);
    }

    // ---- the devices ------------------------------------------------------------------------------------------

    /** Payloads cycle through this many variants, a prime, so each device's value changes from one message to its next. */
    static final int VARIANTS = 997;
    static final byte[][] JSON = new byte[VARIANTS][];
    static final byte[][] TEXT = new byte[VARIANTS][];

    static String deviceName(int device) {
        return String.format(Locale.ROOT, "dev-%05d", device);
    }

    static String topic(boolean text, int device) {
        return text ? "metrics/job/bench/instance/device" + device : "zigbee2mqtt/" + deviceName(device);
    }

    /** The filter that takes every device's topic (see {@link #topic}). */
    static String topicFilter(boolean text) {
        return text ? "metrics/job/bench/instance/+" : "zigbee2mqtt/+";
    }

    static synchronized byte[] payload(boolean text, int i) {
        int variant = i % VARIANTS;
        byte[][] cache = text ? TEXT : JSON;
        if (cache[variant] == null) {
            cache[variant] = text ? textPayload(variant) : jsonPayload(variant);
        }
        return cache[variant];
    }

    /** What zigbee2mqtt publishes for a temperature and humidity sensor, values varying with i (EmbeddedBench's). */
    static byte[] jsonPayload(int i) {
        return String.format(Locale.ROOT, "{\"temperature\":%.2f,\"humidity\":%.1f,\"battery\":%d,\"linkquality\":%d}",
                18 + (i % 1000) / 100.0, 30 + (i % 400) / 10.0, 100 - i % 100, i % 256).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The same four values as Prometheus text, with the names, help and type the JSON rule gives them, so both serve the
     * same families; with --text-bytes, about that many bytes of MqttBench's bench_reading gauge instead.
     */
    static byte[] textPayload(int i) {
        if (textBytes > 0) {
            StringBuilder text = new StringBuilder("# HELP bench_reading A reading of a benchmark device.\n# TYPE bench_reading gauge\n");
            for (int series = 0; text.length() < textBytes - 60; series++) {
                text.append("bench_reading{sensor=\"sensor-").append(series).append("\",unit=\"celsius\"} ")
                        .append(20 + i % 16 + series / 10.0).append('\n');
            }
            return text.toString().getBytes(StandardCharsets.UTF_8);
        }
        return String.format(Locale.ROOT, """
                        # HELP zigbee2mqtt_temperature_celsius Temperature reported by the device.
                        # TYPE zigbee2mqtt_temperature_celsius gauge
                        zigbee2mqtt_temperature_celsius %.2f
                        # HELP zigbee2mqtt_humidity_percent Relative humidity reported by the device.
                        # TYPE zigbee2mqtt_humidity_percent gauge
                        zigbee2mqtt_humidity_percent %.1f
                        # HELP zigbee2mqtt_battery_percent Battery level reported by the device.
                        # TYPE zigbee2mqtt_battery_percent gauge
                        zigbee2mqtt_battery_percent %d
                        # HELP zigbee2mqtt_link_quality Zigbee link quality (0-255).
                        # TYPE zigbee2mqtt_link_quality gauge
                        zigbee2mqtt_link_quality %d
                        """, 18 + (i % 1000) / 100.0, 30 + (i % 400) / 10.0, 100 - i % 100, i % 256)
                .getBytes(StandardCharsets.UTF_8);
    }

    // ---- the publishers ---------------------------------------------------------------------------------------

    /**
     * A few Paho MQTT 5 async clients, as EmbeddedBench's: publisher p publishes for the devices d with d % publishers
     * == p, so the messages of one device keep their order. QoS 1: each keeps at most {@code window} publishes in
     * flight, below the broker's receive maximum, taking a slot before each publish that Paho's completion callback
     * gives back (and tries again when Paho still says 32202). QoS 0: each ends with one QoS 1 publish to a topic
     * nobody subscribes to; Mosquitto handles a connection's packets in order, so its PUBACK says every QoS 0 publish
     * before it has been routed to the subscriber's queue. With a rate, message i is sent no earlier than
     * {@code start + i / rate}, and not at all after {@link #stopAt}.
     */
    static final class Publishing implements AutoCloseable {
        final List<MqttAsyncClient> clients = new ArrayList<>();
        final int receiveMaximum;
        final int window;
        final AtomicLong published = new AtomicLong();
        final AtomicLong acknowledged = new AtomicLong();
        final AtomicLong finishedAt = new AtomicLong();
        final AtomicLong maxBehindNanos = new AtomicLong();
        final AtomicLong tooMany = new AtomicLong();
        /** With a rate: nanoTime at which the publishers stop, sent or not what the schedule had for them; 0 for never. */
        volatile long stopAt;
        volatile Throwable failure;
        private final ExecutorService pool;

        Publishing(int port, String clientPrefix, int count) throws Exception {
            int smallest = Integer.MAX_VALUE;
            for (int p = 0; p < count; p++) {
                Connected connected = connect(port, clientPrefix + "-" + p);
                clients.add(connected.client());
                smallest = Math.min(smallest, connected.receiveMaximum());
            }
            receiveMaximum = smallest;
            window = Math.max(1, Math.min(DrainBench.window, receiveMaximum - 1));
            pool = Executors.newFixedThreadPool(count);
        }

        Future<Long> publishAsync(int first, int count, int qos, boolean text, int devices, double rate, long start) {
            published.set(0);
            acknowledged.set(0);
            maxBehindNanos.set(0);
            String[] topics = new String[devices];
            for (int d = 0; d < devices; d++) {
                topics[d] = topic(text, d);
            }
            List<Future<?>> parts = new ArrayList<>();
            for (int p = 0; p < clients.size(); p++) {
                int publisher = p;
                parts.add(pool.submit(() -> {
                    try {
                        publishShare(clients.get(publisher), publisher, first, count, qos, text, topics, rate, start);
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

        private void publishShare(MqttAsyncClient client, int publisher, int first, int count, int qos, boolean text, String[] topics,
                double rate, long start) throws Exception {
            int publishers = clients.size();
            int devices = topics.length;
            int slots = qos == 0 ? DrainBench.window : window;
            // a slot per publish in flight, given back by Paho's callback when the PUBACK (QoS 0: the write) is done:
            // no thread waits on a token, which on 2 cores halves the publishers' processor time per message
            Semaphore inFlight = new Semaphore(slots);
            MqttActionListener done = new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    int[] codes = token.getReasonCodes();
                    if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
                        failure = new IllegalStateException("a publish was refused with reason code 0x" + Integer.toHexString(codes[0]));
                    } else {
                        acknowledged.incrementAndGet();
                    }
                    inFlight.release();
                }

                @Override
                public void onFailure(IMqttToken token, Throwable exception) {
                    failure = exception;
                    inFlight.release();
                }
            };
            long behind = 0;
            for (int i = first; i < first + count && failure == null; i++) {
                int device = i % devices;
                if (device % publishers != publisher) {
                    continue;
                }
                if (rate > 0) {
                    long due = start + (long) ((i - first) * 1e9 / rate);
                    if (stopAt != 0 && (due - stopAt >= 0 || System.nanoTime() - stopAt >= 0)) {
                        break;
                    }
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    } else {
                        behind = Math.max(behind, -wait);
                    }
                }
                if (!inFlight.tryAcquire(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("no acknowledgement from the broker for 60 s");
                }
                MqttMessage message = new MqttMessage(payload(text, i));
                message.setQos(qos);
                while (true) {
                    try {
                        client.publish(topics[device], message, null, done);
                        published.incrementAndGet();
                        break;
                    } catch (MqttException full) {
                        if (full.getReasonCode() != 32202) {
                            throw full;
                        }
                        tooMany.incrementAndGet(); // acknowledged, but Paho has not freed its slot yet
                        Thread.yield();
                    }
                }
            }
            if (!inFlight.tryAcquire(slots, 60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no acknowledgement from the broker for 60 s");
            }
            if (failure != null) {
                throw new IllegalStateException(failure);
            }
            if (qos == 0) {
                MqttMessage barrier = new MqttMessage(new byte[] {'.'});
                barrier.setQos(1);
                client.publish("drainbench/barrier/" + publisher, barrier).waitForCompletion(60_000);
            }
            long finalBehind = behind;
            maxBehindNanos.accumulateAndGet(finalBehind, Math::max);
        }

        @Override
        public void close() {
            pool.shutdownNow();
            clients.forEach(DrainBench::disconnect);
        }
    }

    /** Disconnects politely when the broker is there and then closes (as EmbeddedBench does). */
    private static void disconnect(MqttAsyncClient client) {
        try {
            if (client.isConnected()) {
                client.disconnect(5_000).waitForCompletion(10_000);
            }
        } catch (MqttException ignored) {
            // the broker went away: close below all the same
        }
        try {
            client.close(true);
        } catch (MqttException ignored) {
            // nothing left to release
        }
    }

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

    // ---- the bare client, run as its own process so it can be frozen like the servers ---------------------------

    /** MqttBench's bare subscriber: Paho MQTT 5, manual acknowledgements, a handler that only counts. */
    private static void bareSubscriber(String[] args) throws Exception {
        int port = 0;
        int qos = 1;
        String filter = topicFilter(false);
        for (String arg : args) {
            String[] kv = arg.replaceFirst("^--", "").split("=", 2);
            switch (kv[0]) {
                case "port" -> port = Integer.parseInt(kv[1]);
                case "qos" -> qos = Integer.parseInt(kv[1]);
                case "topic" -> filter = kv[1];
                default -> { }
            }
        }
        AtomicLong received = new AtomicLong();
        MqttClient client = new MqttClient("tcp://127.0.0.1:" + port, "drainbench-bare-" + ProcessHandle.current().pid(),
                new MemoryPersistence());
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
                System.out.println("disconnected: " + response);
                done.countDown();
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
                System.out.println("error: " + exception);
            }

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
        client.subscribe(filter, qos);
        System.out.println("subscribed");
        System.out.flush();
        // the exact count too, for counts that are no multiple of 1000
        Thread reporter = new Thread(() -> {
            long reported = -1;
            while (true) {
                long now = received.get();
                if (now != reported && now % 1000 != 0) {
                    System.out.println("received " + now);
                    System.out.flush();
                }
                reported = now;
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "reporter");
        reporter.setDaemon(true);
        reporter.start();
        done.await();
    }

    private static long countIn(Path log) throws IOException {
        long count = 0;
        for (String line : Files.readAllLines(log)) {
            if (line.startsWith("received ")) {
                count = Math.max(count, Long.parseLong(line.substring("received ".length()).trim()));
            }
        }
        return count;
    }

    // ---- the processes ----------------------------------------------------------------------------------------

    /** Every process this bench started; the shutdown hook kills those still alive, whatever ended the bench. */
    static final List<Process> CHILDREN = Collections.synchronizedList(new ArrayList<>());

    static Process spawn(List<String> command, Path log) throws IOException {
        // Each child in a session of its own (setsid, same pid): when the shell that started the bench ends, the
        // bench's process group is orphaned, and the kernel sends a stopped member of a newly orphaned group SIGHUP
        // and SIGCONT; a consumer frozen for its backlog was thawed that way once and drained part of it early
        // (121,454 messages/s, its log saying "configuration reloaded" mid-queueing).
        List<String> own = new ArrayList<>(List.of("setsid"));
        own.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(own).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("JAVA_OPTS", javaOpts); // read by bin/tidegate
        builder.environment().put("JAVA", javaCommand);
        Process process = builder.start();
        CHILDREN.add(process);
        return process;
    }

    static void killAll() {
        synchronized (CHILDREN) {
            for (Process process : CHILDREN) {
                if (process.isAlive()) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly(); // SIGKILL: works on a frozen process too
                }
            }
        }
    }

    /** Mosquitto with Debian's defaults but for unbounded queues (MqttBench's configuration): nothing is dropped. */
    private Process startMosquitto(String name, int port) throws Exception {
        Path config = workDir.resolve("mosquitto-" + name + ".conf");
        Files.writeString(config, """
                listener %d 127.0.0.1
                allow_anonymous true
                persistence false
                max_queued_messages 0
                max_queued_bytes 0
                log_dest stderr
                log_type error
                log_type warning
                """.formatted(port));
        Process process = spawn(List.of(mosquitto, "-c", config.toString()), workDir.resolve("mosquitto-" + name + ".log"));
        awaitPort(port, process, "mosquitto");
        progress("  mosquitto on port " + port + " (pid " + process.pid() + ")");
        return process;
    }

    /** SIGTERM, then SIGKILL after 20 s; a frozen process is thawed first so that it can stop. */
    static void stop(Process process) throws InterruptedException {
        if (process.isAlive()) {
            try {
                signal(process, "CONT");
            } catch (Exception ignored) {
                // gone meanwhile
            }
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        }
        CHILDREN.remove(process);
    }

    interface Action {
        void run() throws Exception;
    }

    private static void quietly(Action action) {
        try {
            action.run();
        } catch (Exception e) {
            progress("    (while cleaning up: " + e + ")");
        }
    }

    static void signal(Process process, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    private static String absoluteClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toString()).reduce((a, b) -> a + java.io.File.pathSeparator + b).orElse("");
    }

    private static List<String> words(String text) {
        return Arrays.stream(text.trim().split("\\s+")).filter(word -> !word.isEmpty()).toList();
    }

    // ---- plumbing ---------------------------------------------------------------------------------------------

    /** utime + stime of a process, from /proc/<pid>/stat, in seconds (clock ticks of 1/100 s on Linux). */
    static double cpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
    }

    /**
     * utime + stime of each thread of a process, from /proc/<pid>/task/<tid>/stat, summed by thread name with its
     * digits taken out (the JIT's compiler threads, a pool's workers), in seconds. Threads that ended are missing.
     */
    static java.util.Map<String, Double> threadCpuSeconds(long pid) throws IOException {
        java.util.Map<String, Double> byName = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "#");
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    byName.merge(name, (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0, Double::sum);
                } catch (java.nio.file.NoSuchFileException ended) {
                    // the thread ended between the listing and the read
                }
            }
        }
        return byName;
    }

    /** The thread names whose processor time grew, largest first, as "name 1.23 s". */
    static String threadCpuChange(java.util.Map<String, Double> before, java.util.Map<String, Double> after) {
        return after.entrySet().stream()
                .map(e -> java.util.Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0.0)))
                .filter(e -> e.getValue() >= 0.01)
                .sorted(java.util.Map.Entry.<String, Double>comparingByValue().reversed())
                .map(e -> String.format(Locale.ROOT, "%s %.2f s", e.getKey(), e.getValue()))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** VmRSS from /proc/<pid>/status, in MB. */
    static double rssMegabytes(Process process) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }

    /** The sum of a metric's samples in a scrape, only those whose labels contain {@code labelFilter} if given. */
    static double metricSum(String body, String name, String labelFilter) {
        double sum = 0;
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)").matcher(body);
        while (matcher.find()) {
            if (labelFilter == null || (matcher.group(1) != null && matcher.group(1).contains(labelFilter))) {
                sum += Double.parseDouble(matcher.group(2));
            }
        }
        return sum;
    }

    static String httpGet(int port, String path) throws IOException {
        String response = http(port, path);
        int body = response.indexOf("\r\n\r\n");
        if (body < 0) {
            return "";
        }
        String head = response.substring(0, body).toLowerCase(Locale.ROOT);
        return head.contains("transfer-encoding: chunked") ? dechunk(response.substring(body + 4)) : response.substring(body + 4);
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

    static int httpStatus(int port, String path) {
        try {
            return Integer.parseInt(http(port, path).split(" ", 3)[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static String http(int port, String path) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            socket.setSoTimeout(60_000);
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

    static void awaitTrue(Condition condition, Process process, String failure) throws Exception {
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

    static void awaitPort(int port, Process process, String name) throws Exception {
        awaitTrue(() -> {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                return true;
            }
        }, process, name + " is not listening on " + port);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** {@code count} free ports, all different: the sockets are held until all are picked. */
    static int[] freePorts(int count) throws IOException {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0);
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
    }

    static void progress(String line) {
        System.out.printf(Locale.ROOT, "[%7.1fs] %s%n", (System.nanoTime() - START) / 1e9, line);
        System.out.flush();
    }
}
