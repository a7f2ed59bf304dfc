import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/**
 * Tidegate's soak test: HTTP pushes and MQTT messages for several minutes, concurrently, while /metrics is
 * scraped and short-lived groups keep expiring. Afterwards it checks that nothing answered was lost (every
 * long-lived group shows the last value whose push was answered, or whose MQTT publication the broker
 * acknowledged), that every short-lived group is gone, and that the live Java heap came back to its level.
 *
 * <pre>
 *   mvn -B package -DskipTests
 *   java -cp target/tidegate.jar bench/SoakBench.java               # 3 minutes
 *   java -cp target/tidegate.jar bench/SoakBench.java --minutes=30
 * </pre>
 *
 * HTTP pushers push as fast as they are answered; one MQTT device publishes at a steady --mqtt-rate (Tidegate's
 * peak MQTT rate is MqttBench's business).
 *
 * Tidegate runs as its own process, started by the launcher users run (bin/tidegate: its JVM settings), with its
 * embedded MQTT broker and --persistence.file, as in production. The load runs for --warmup-minutes first, so the
 * heap's baseline holds what is bounded but filled by the first messages; the soak then checks against it.
 * Exit status 0 when every check passed, 1 otherwise.
 */
public final class SoakBench {
    static double minutes = 3;
    static double warmupMinutes = 1;
    static int stableGroups = 2_000;
    static int httpPushers = 4;
    static int mqttRate = 500;
    static long ttlSeconds = 2;
    /** What users run (README, quick start): the launcher with its JVM settings, the jar beside it or in ../target. */
    static String launcher = "bin/tidegate";
    static final long START = System.nanoTime();
    static final Pattern SAMPLE = Pattern.compile("(?m)^soak_value\\{[^}]*instance=\"(s[0-9]+)\"[^}]*\\} (\\S+)$");

    public static void main(String[] args) throws Exception {
        for (String arg : args) {
            String[] kv = arg.replaceFirst("^--", "").split("=", 2);
            switch (kv[0]) {
                case "minutes" -> minutes = Double.parseDouble(kv[1]);
                case "warmup-minutes" -> warmupMinutes = Double.parseDouble(kv[1]);
                case "launcher" -> launcher = kv[1];
                case "stable-groups" -> stableGroups = Integer.parseInt(kv[1]);
                case "http-pushers" -> httpPushers = Integer.parseInt(kv[1]);
                case "mqtt-rate" -> mqttRate = Integer.parseInt(kv[1]);
                case "help" -> {
                    System.out.println("java -cp target/tidegate.jar bench/SoakBench.java [--minutes=3] [--warmup-minutes=1] [--launcher=bin/tidegate] "
                            + "[--stable-groups=2000] [--http-pushers=4] [--mqtt-rate=500 messages/s]");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + arg + ", try --help");
            }
        }
        System.exit(new SoakBench().run() ? 0 : 1);
    }

    private final Map<String, Long> answered = new ConcurrentHashMap<>(); // stable group -> last answered value
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong httpPushes = new AtomicLong();
    private final AtomicLong mqttMessages = new AtomicLong();
    private final AtomicLong scrapes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicReference<String> firstFailure = new java.util.concurrent.atomic.AtomicReference<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private int httpPort;
    private int mqttPort;

    private boolean run() throws Exception {
        Path dir = Files.createTempDirectory("soakbench-");
        httpPort = freePort();
        mqttPort = freePort();
        Process tidegate = new ProcessBuilder(launcher,
                "--web.listen-address=127.0.0.1:" + httpPort, "--mqtt.listen-address=127.0.0.1:" + mqttPort,
                "--persistence.file=" + dir.resolve("tidegate.data"), "--persistence.interval=30s", "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(dir.resolve("tidegate.log").toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(tidegate::destroyForcibly));
        try {
            awaitReady(tidegate);
            progress("SoakBench: " + minutes + " min, " + stableGroups + " long-lived groups, HTTP and MQTT, TTL "
                    + ttlSeconds + " s for the short-lived ones; Tidegate pid " + tidegate.pid() + ", files in " + dir);
            for (int group = 0; group < stableGroups; group++) {
                pushHttp("s" + group, 0, false);
            }
            long heapFilled = liveHeapKb(tidegate);
            progress(String.format(Locale.ROOT, "  filled %d long-lived groups; live heap %.1f MiB", stableGroups,
                    heapFilled / 1024.0));
            // The same load for a while first, so what is bounded but filled by the first messages (the MQTT
            // routes and retained-copy memory of every topic the load uses, the quantiles of Tidegate's own
            // summaries) is in the baseline: what grows after that is what the soak is looking for.
            load(warmupMinutes, "warm-up");
            awaitSettled();
            long heapBefore = liveHeapKb(tidegate);
            progress(String.format(Locale.ROOT, "  after the warm-up: live heap %.1f MiB, the baseline", heapBefore / 1024.0));
            load(minutes, "soak");
            return check(tidegate, heapFilled, heapBefore);
        } finally {
            tidegate.destroy();
            tidegate.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Runs the HTTP pushers, the MQTT device and the scraper for {@code phaseMinutes}, then stops them. */
    private void load(double phaseMinutes, String phase) throws Exception {
        stop.set(false);
        List<Thread> load = new ArrayList<>();
        for (int i = 0; i < httpPushers; i++) {
            int pusher = i;
            load.add(started(() -> httpLoad(pusher)));
        }
        load.add(started(this::mqttLoad));
        load.add(started(this::scrapeLoad));
        long end = System.nanoTime() + (long) (phaseMinutes * 60e9);
        while (System.nanoTime() < end) {
            Thread.sleep(Math.min(10_000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            progress(String.format(Locale.ROOT, "  %s: %d HTTP pushes, %d MQTT messages, %d scrapes, %d failures so far",
                    phase, httpPushes.get(), mqttMessages.get(), scrapes.get(), failures.get()));
        }
        stop.set(true);
        for (Thread thread : load) {
            thread.join();
        }
    }

    /** Waits for the messages the broker acknowledged to reach the store and for the short-lived groups to expire. */
    private void awaitSettled() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!mismatches(get("/metrics")).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        Thread.sleep((ttlSeconds + 2) * 1000);
    }

    private boolean check(Process tidegate, long heapFilled, long heapBefore) throws Exception {
        // MQTT messages the broker acknowledged may still be on their way to the store: wait for them
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<String> wrong;
        String scrape;
        do {
            Thread.sleep(500);
            scrape = get("/metrics");
            wrong = mismatches(scrape);
        } while (!wrong.isEmpty() && System.nanoTime() < deadline);
        Matcher counters = Pattern.compile("(?m)^tidegate_mqtt_messages_(received|applied|rejected|skipped)_total(\\{[^}]*\\})? (\\S+)$")
                .matcher(scrape);
        List<String> mqtt = new ArrayList<>();
        while (counters.find()) {
            if (Double.parseDouble(counters.group(3)) > 0) {
                mqtt.add(counters.group(1) + (counters.group(2) == null ? "" : counters.group(2)) + " " + counters.group(3));
            }
        }
        progress("  Tidegate's MQTT counters: " + String.join(", ", mqtt));
        Thread.sleep((ttlSeconds + 2) * 1000); // the last short-lived groups expire
        scrape = get("/metrics");
        boolean shortLivedGone = !scrape.contains("soak_short");
        long heapAfter = liveHeapKb(tidegate);
        boolean heapBack = heapAfter <= heapBefore * 1.2 + 4096;
        progress(String.format(Locale.ROOT, "  load: %d HTTP pushes answered, %d MQTT messages acknowledged, %d scrapes,"
                + " %d failed requests", httpPushes.get(), mqttMessages.get(), scrapes.get(), failures.get()));
        progress("  nothing answered lost: " + (wrong.isEmpty() ? "yes, all " + stableGroups + " long-lived groups show"
                + " their last answered value" : "NO, " + wrong.size() + " groups differ, e.g. " + wrong.subList(0,
                Math.min(5, wrong.size()))));
        progress("  short-lived groups all expired: " + (shortLivedGone ? "yes" : "NO"));
        progress(String.format(Locale.ROOT, "  live heap after a full GC: %.1f MiB after the fill, %.1f MiB after the"
                + " warm-up, %.1f MiB after the soak: %s", heapFilled / 1024.0, heapBefore / 1024.0, heapAfter / 1024.0,
                heapBack ? "back to its level" : "NOT back (more than +20 % over the warm-up's)"));
        return wrong.isEmpty() && shortLivedGone && heapBack && failures.get() == 0;
    }

    private List<String> mismatches(String scrape) {
        Map<String, Long> shown = new ConcurrentHashMap<>();
        Matcher matcher = SAMPLE.matcher(scrape);
        while (matcher.find()) {
            shown.put(matcher.group(1), (long) Double.parseDouble(matcher.group(2)));
        }
        List<String> wrong = new ArrayList<>();
        answered.forEach((group, value) -> {
            Long seen = shown.get(group);
            if (seen == null || seen < value) {
                wrong.add(group + ": answered " + value + ", shown " + seen);
            }
        });
        return wrong;
    }

    private void httpLoad(int pusher) {
        Random random = new Random(pusher);
        while (!stop.get()) {
            try {
                if (random.nextInt(4) == 0) {
                    pushHttp("h" + pusher + "-" + random.nextInt(5_000), ttlSeconds, true);
                } else {
                    // even groups are HTTP's, each pusher its own share, so answers for one group come in order
                    int share = stableGroups / 2 / httpPushers;
                    pushHttp("s" + 2 * (random.nextInt(share) * httpPushers + pusher), 0, false);
                }
            } catch (Exception e) {
                failed(e);
            }
        }
    }

    private void failed(Exception e) {
        if (failures.incrementAndGet() == 1) {
            firstFailure.set(e.toString());
            progress("  first failure: " + e);
        }
    }

    private void pushHttp(String instance, long ttl, boolean shortLived) throws Exception {
        long value = sequence.incrementAndGet();
        String family = shortLived ? "soak_short" : "soak_value";
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                + "/metrics/job/soak/instance/" + instance))
                .PUT(HttpRequest.BodyPublishers.ofString(family + "{series=\"a\"} " + value + "\n" + family
                        + "{series=\"b\"} " + value + "\n"));
        if (ttl > 0) {
            request.header("Push-TTL", ttl + "s");
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("push answered " + response.statusCode() + ": " + response.body());
        }
        if (!shortLived) {
            answered.merge(instance, value, Math::max);
        }
        httpPushes.incrementAndGet();
    }

    private void mqttLoad() {
        Random random = new Random(99);
        try {
            MqttClient client = new MqttClient("tcp://127.0.0.1:" + mqttPort, "soakbench-device", new MemoryPersistence());
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setCleanStart(true);
            client.connect(options);
            long nanosPerMessage = 1_000_000_000L / mqttRate;
            long next = System.nanoTime();
            while (!stop.get()) {
                next += nanosPerMessage; // a steady rate of devices, not a flood: the soak is about holding up
                long ahead = next - System.nanoTime();
                if (ahead > 0) {
                    Thread.sleep(ahead / 1_000_000, (int) (ahead % 1_000_000));
                }
                long value = sequence.incrementAndGet();
                boolean shortLived = random.nextInt(4) == 0;
                String instance = shortLived ? "m" + random.nextInt(5_000) : "s" + (random.nextInt(stableGroups / 2) * 2 + 1);
                String family = shortLived ? "soak_short" : "soak_value";
                MqttMessage message = new MqttMessage((family + "{series=\"a\"} " + value + "\n" + family
                        + "{series=\"b\"} " + value + "\n").getBytes(StandardCharsets.UTF_8));
                message.setQos(1);
                if (shortLived) {
                    MqttProperties properties = new MqttProperties();
                    properties.setUserProperties(List.of(new UserProperty("ttl", ttlSeconds + "s")));
                    message.setProperties(properties);
                }
                try {
                    publish(client, "metrics/job/soak/instance/" + instance, message);
                    if (!shortLived) {
                        answered.merge(instance, value, Math::max);
                    }
                    mqttMessages.incrementAndGet();
                } catch (Exception e) {
                    failed(e);
                }
            }
            client.disconnect();
            client.close();
        } catch (Exception e) {
            failures.incrementAndGet();
            progress("  MQTT publisher failed: " + e);
        }
    }

    /** Publishes and returns after the broker's PUBACK; Paho's own in-flight window full is a wait, not a failure. */
    private static void publish(MqttClient client, String topic, MqttMessage message) throws Exception {
        while (true) {
            try {
                client.publish(topic, message);
                return;
            } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
                if (e.getReasonCode() != org.eclipse.paho.mqttv5.client.MqttClientException.REASON_CODE_MAX_INFLIGHT) {
                    throw e;
                }
                Thread.sleep(1);
            }
        }
    }

    private void scrapeLoad() {
        while (!stop.get()) {
            try {
                get("/metrics");
                scrapes.incrementAndGet();
                Thread.sleep(1000);
            } catch (Exception e) {
                failed(e);
            }
        }
    }

    private String get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Java heap in use right after a full collection, in KiB (jcmd GC.run, then GC.heap_info). */
    /** The Java heap in use after a full collection: the sum over the collector's generations (serial: young and tenured). */
    private static long liveHeapKb(Process process) throws Exception {
        jcmd(process, "GC.run");
        String info = jcmd(process, "GC.heap_info");
        Matcher used = Pattern.compile("total \\d+K, used (\\d+)K").matcher(info);
        long kb = 0;
        boolean found = false;
        while (used.find()) {
            kb += Long.parseLong(used.group(1));
            found = true;
        }
        if (!found) {
            throw new IllegalStateException("no heap figure from jcmd: " + info);
        }
        return kb;
    }

    private static String jcmd(Process process, String command) throws Exception {
        Process jcmd = new ProcessBuilder("jcmd", Long.toString(process.pid()), command).redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jcmd.waitFor();
        return out;
    }

    private void awaitReady(Process process) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Socket socket = new Socket("127.0.0.1", mqttPort)) {
                if (get("/-/ready").startsWith("OK") && get("/metrics").contains("tidegate_mqtt_connected 1")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("tidegate did not start");
            }
            Thread.sleep(100);
        }
    }

    private static Thread started(Runnable work) {
        Thread thread = new Thread(work);
        thread.start();
        return thread;
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
