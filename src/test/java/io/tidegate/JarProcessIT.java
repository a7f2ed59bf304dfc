package io.tidegate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The packaged jar as an operator runs it: a process of its own, with signals. (Other tests start
 * Tidegate inside the test JVM, where signals cannot reach it.)
 */
class JarProcessIT {
    private static final Path JAR = Path.of("target", "tidegate.jar");

    @TempDir
    Path dir;

    private Process tidegate;
    private Path log;
    /** Options for the JVM of the Tidegate a test launches. */
    private List<String> jvmOptions = List.of();

    @AfterEach
    void stop() throws InterruptedException {
        if (tidegate != null && tidegate.isAlive()) {
            tidegate.destroy();
            tidegate.waitFor();
        }
    }

    @Test
    void sighupReloadsTheConfigurationFileAndKeepsTheOldOneWhenTheNewIsBroken() throws Exception {
        Path config = dir.resolve("tidegate.yml");
        Files.writeString(config, "ttl_rules:\n  - match: '{job=\"sensor\"}'\n    ttl: 5m\n");
        TestHttp http = start("--config.file=" + config);
        assertThat(http.put("/metrics/job/sensor", "t 1\n").header("Push-TTL")).isEqualTo("5m");

        Files.writeString(config, "ttl_rules:\n  - match: '{job=\"sensor\"}'\n    ttl: 90s\n");
        signal("HUP");

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(http.put("/metrics/job/sensor", "t 1\n").header("Push-TTL")).isEqualTo("1m30s"));
        assertThat(Files.readString(log)).contains("msg=\"configuration reloaded\"");

        Files.writeString(config, "ttl_rules:\n  - match: '{job=\"sensor\"}'\n    ttl: 5x\n");
        signal("HUP");

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(Files.readString(log)).contains("configuration reload failed, keeping the previous one"));
        assertThat(http.put("/metrics/job/sensor", "t 1\n").header("Push-TTL")).isEqualTo("1m30s");
        assertThat(tidegate.isAlive()).isTrue();
    }

    @Test
    void sigtermStopsItGracefully() throws Exception {
        TestHttp http = start();
        assertThat(http.get("/-/healthy").status()).isEqualTo(200);

        signal("TERM");

        assertThat(tidegate.waitFor()).isIn(0, 143);
        assertThat(Files.readString(log)).contains("exiting gracefully").contains("msg=stopped");
    }

    @Test
    void aBrokenConfigurationFileStopsTheStartWithTheReason() throws Exception {
        Path config = dir.resolve("broken.yml");
        Files.writeString(config, "ttl_rule:\n  - ttl: 5m\n");
        launch("--config.file=" + config, "--web.listen-address=127.0.0.1:" + MosquittoBroker.freeLoopbackPort());

        assertThat(tidegate.waitFor()).isEqualTo(1);
        assertThat(Files.readString(log)).contains("could not start").contains("unknown top-level key \\\"ttl_rule\\\"");
    }

    @Test
    void startedUnderNohupItSaysThatSighupCannotReloadIt() throws Exception {
        int port = MosquittoBroker.freeLoopbackPort();
        List<String> command = new java.util.ArrayList<>(List.of("nohup"));
        command.addAll(javaJar("--no-mqtt.embedded", "--web.listen-address=127.0.0.1:" + port));
        log = dir.resolve("tidegate.log");
        tidegate = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        TestHttp http = new TestHttp(port);
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> http.get("/-/ready").status() == 200);

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Files.readString(log))
                .contains("level=warn component=Tidegate msg=\"SIGHUP is ignored in this process"));
    }

    @Test
    void aBusyHttpPortStopsTheStartWithOneLineNamingTheFlag() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            launch("--web.listen-address=127.0.0.1:" + taken.getLocalPort(), "--mqtt.listen-address=127.0.0.1:0");

            assertThat(tidegate.waitFor()).isEqualTo(1);
        }
        List<String> errors = Files.readAllLines(log).stream().filter(line -> line.contains("level=error")).toList();
        assertThat(errors).singleElement().asString().contains("could not start")
                .contains("web listen address 127.0.0.1:").contains("is in use (--web.listen-address)");
        assertThat(Files.readString(log)).doesNotContain("Failed to start Javalin");
    }

    /**
     * The jar leaves out RocksDB's native libraries (the embedded broker keeps everything in memory);
     * its broker must start all the same, take a publish from Mosquitto's own client, and Tidegate serve it.
     */
    @Test
    void theEmbeddedBrokerOfTheJarTakesAMosquittoPubPublishWithoutRocksDbNatives() throws Exception {
        try (ZipFile jar = new ZipFile(JAR.toFile())) {
            assertThat(jar.stream().map(ZipEntry::getName)).noneMatch(name -> name.contains("librocksdbjni"));
        }
        int mqttPort = MosquittoBroker.freeLoopbackPort();
        TestHttp http = startWithEmbeddedBroker(mqttPort);

        MosquittoBroker.client(mqttPort, "mosquitto_pub", "-V", "mqttv5", "-q", "1", "-t", "metrics/job/jar/instance/dev1",
                "-m", "temperature_celsius 21.5");

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(http.get("/metrics").body())
                .contains("temperature_celsius{instance=\"dev1\",job=\"jar\"} 21.5\n"));
        assertThat(Files.readString(log)).contains("embedded MQTT broker listening").doesNotContain("level=error")
                .doesNotContain("UnsatisfiedLinkError");
    }

    /**
     * The embedded broker's Netty takes its buffers from a 4 MB chunk per event loop. The jar opens java.nio to it,
     * so it makes that chunk itself, resident as it is used, rather than through the JDK, which zeroes all 4 MB at
     * the first client and shows them on /metrics as the JVM's direct buffers (4.28 MB before; 57 kB now).
     */
    @Test
    void theEmbeddedBrokersFirstClientDoesNotCostAZeroedFourMegabyteBuffer() throws Exception {
        int mqttPort = MosquittoBroker.freeLoopbackPort();
        TestHttp http = startWithEmbeddedBroker(mqttPort);

        MosquittoBroker.client(mqttPort, "mosquitto_pub", "-q", "1", "-t", "metrics/job/jar/instance/dev1", "-m", "humidity_percent 55");

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(http.get("/metrics").body())
                .contains("humidity_percent{instance=\"dev1\",job=\"jar\"} 55\n"));
        String direct = http.get("/metrics").body().lines().filter(line -> line.startsWith("jvm_buffer_pool_used_bytes{pool=\"direct\"} "))
                .findFirst().orElseThrow();
        assertThat(Double.parseDouble(direct.substring(direct.lastIndexOf(' ') + 1))).as(direct).isLessThan(1 << 20);
    }

    /**
     * Behind a broker the jar reads messages with Paho, through Tidegate's stand-in for Paho's counting stream (the
     * build leaves Paho's own out): a payload of a thousand series, over MQTT 5 and 3.1.1, arrives whole.
     */
    @Test
    void theJarCarriesTidegatesPahoLoggerFactoriesNotPahos() throws Exception {
        // Paho's made a logger by reflection, its catalogue looked up, for every acknowledgement (PahoLog)
        assertTheJarCarriesTidegates("org/eclipse/paho/mqttv5/client/logging/LoggerFactory.class",
                "org/eclipse/paho/client/mqttv3/logging/LoggerFactory.class");
    }

    /**
     * The jar's embedded broker takes its configuration in the process, through Tidegate's stand-in for HiveMQ's
     * {@code ConfigFileReader}, and does not count processor cores, through its stand-in for HiveMQ's
     * {@code SystemInformationImpl} (the build leaves HiveMQ's out): starting it loads neither JAXB nor the JDK's XML
     * parser (about 570 classes HiveMQ's reader loaded to read its config.xml), nor OSHI and JNA (about 150).
     */
    @Test
    void theJarsEmbeddedBrokerStartsWithoutJaxbAnXmlParserOrOshi() throws Exception {
        assertTheJarCarriesTidegates("com/hivemq/configuration/reader/ConfigFileReader.class",
                "com/hivemq/configuration/info/SystemInformationImpl.class");
        Path classes = dir.resolve("classes.log");
        jvmOptions = List.of("-Xlog:class+load=info:file=" + classes);
        start("--mqtt.embedded", "--mqtt.listen-address=127.0.0.1:" + MosquittoBroker.freeLoopbackPort());
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(Files.readString(log)).contains("embedded MQTT broker listening"));
        signal("TERM");
        assertThat(tidegate.waitFor()).isIn(0, 143);

        List<String> loaded = Files.readAllLines(classes);
        assertThat(loaded).as("HiveMQ configured itself").anyMatch(line -> line.contains(" com.hivemq.configuration.reader.ConfigFileReader "));
        assertThat(loaded).noneMatch(line -> line.matches(
                ".* (jakarta\\.xml\\.bind|org\\.glassfish\\.jaxb|com\\.sun\\.xml|javax\\.xml\\.parsers|com\\.sun\\.org\\.apache\\.xerces"
                        + "|oshi|com\\.sun\\.jna)\\..*"));
        assertThat(Files.readString(log)).doesNotContain("level=error");
    }

    /**
     * A start by the launcher takes the command line parser's classes from the class archive, as all others:
     * picocli ships Java 5 class files, which the JVM does not archive, and the build raises them to Java 8's
     * format (build/SlimJar.java). Otherwise some 175 of them are read from the jar at every start.
     */
    @Test
    void theLaunchersClassArchiveHoldsTheCommandLineParser() throws Exception {
        Path opt = Files.createDirectories(dir.resolve("opt"));
        Files.copy(JAR, opt.resolve("tidegate.jar"));
        Files.copy(Path.of("bin", "tidegate"), opt.resolve("tidegate"));
        assertThat(launcher(opt, List.of(), "--version").waitFor()).isZero(); // records the archive
        assertThat(opt.resolve("tidegate.jsa")).exists();

        Path classes = dir.resolve("classes.log");
        assertThat(launcher(opt, List.of("-Xlog:class+load=info:file=" + classes), "--version").waitFor()).isZero();

        List<String> parser = Files.readAllLines(classes).stream().filter(line -> line.contains(" picocli.")).toList();
        assertThat(parser).hasSizeGreaterThan(100).allMatch(line -> line.endsWith("source: shared objects file (top)"));
    }

    /** {@code opt/tidegate arguments...} with {@code JAVA_OPTS} of these options, its output in the test's folder. */
    private Process launcher(Path opt, List<String> javaOptions, String... arguments) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(opt.resolve("tidegate").toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder launcher = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("launcher.log").toFile()));
        launcher.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        launcher.environment().put("JAVA_OPTS", String.join(" ", javaOptions));
        return launcher.start();
    }

    /**
     * The jar's class files of these names are the ones compiled from Tidegate's sources, without the local
     * variable tables the build leaves out of every class of the jar (build/SlimJar.java).
     */
    private static void assertTheJarCarriesTidegates(String... names) throws IOException {
        try (ZipFile jar = new ZipFile(JAR.toFile())) {
            for (String name : names) {
                byte[] inJar = jar.getInputStream(jar.getEntry(name)).readAllBytes();
                byte[] compiled = Files.readAllBytes(Path.of("target", "classes").resolve(name));
                assertThat(inJar).as(name).isEqualTo(withoutLocalVariableTables(compiled));
            }
        }
    }

    private static byte[] withoutLocalVariableTables(byte[] classFile) {
        ClassWriter writer = new ClassWriter(0);
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9, super.visitMethod(access, name, descriptor, signature, exceptions)) {
                    @Override
                    public void visitLocalVariable(String name, String descriptor, String signature, Label start, Label end, int index) {}
                };
            }
        }, 0);
        return writer.toByteArray();
    }

    @Test
    void theJarReadsLargePayloadsFromMosquittoThroughItsOwnCountingStream() throws Exception {
        assertTheJarCarriesTidegates("org/eclipse/paho/mqttv5/common/packet/util/CountingInputStream.class",
                "org/eclipse/paho/client/mqttv3/internal/wire/CountingInputStream.class");
        StringBuilder text = new StringBuilder("# TYPE room_temperature_celsius gauge\n");
        for (int i = 0; i < 1_000; i++) {
            text.append("room_temperature_celsius{room=\"room-").append(i).append("\"} ").append(i).append(".5\n");
        }
        Path payload = dir.resolve("payload.txt");
        Files.writeString(payload, text);
        try (MosquittoBroker broker = new MosquittoBroker().start()) {
            TestHttp http = start("--mqtt.url=" + broker.url());
            Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> broker.client(
                    "mosquitto_sub", "-t", "metrics/tidegate/status", "-C", "1", "-W", "2").equals("online\n"));

            broker.client("mosquitto_pub", "-V", "mqttv5", "-q", "1", "-t", "metrics/job/jar/instance/five", "-f",
                    payload.toString());
            broker.client("mosquitto_pub", "-V", "mqttv311", "-q", "1", "-t", "metrics/job/jar/instance/three", "-f",
                    payload.toString());

            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                String metrics = http.get("/metrics").body();
                for (String instance : List.of("five", "three")) {
                    assertThat(metrics).contains("room_temperature_celsius{instance=\"" + instance
                            + "\",job=\"jar\",room=\"room-0\"} 0.5\n", "room_temperature_celsius{instance=\"" + instance
                            + "\",job=\"jar\",room=\"room-999\"} 999.5\n");
                    assertThat(metrics.split("\n")).filteredOn(line -> line.startsWith("room_temperature_celsius{instance=\""
                            + instance + "\"")).hasSize(1_000);
                }
            });
        }
        assertThat(Files.readString(log)).doesNotContain("level=error");
    }

    /** The Dockerfile's HEALTHCHECK runs {@code java -jar tidegate.jar healthcheck}: its exit status is the verdict. */
    @Test
    void theHealthcheckSubcommandExitsZeroForARunningTidegateAndOneOnceItHasStopped() throws Exception {
        int port = MosquittoBroker.freeLoopbackPort();
        startOn(port);
        String url = "--url=http://127.0.0.1:" + port;

        assertThat(runJar("healthcheck", url)).isEqualTo(new JarRun(0, ""));

        signal("TERM");
        tidegate.waitFor();
        assertThat(runJar("healthcheck", url))
                .isEqualTo(new JarRun(1, "tidegate healthcheck: http://127.0.0.1:" + port + "/-/healthy: connection refused\n"));
    }

    record JarRun(int exitCode, String output) {}

    private static JarRun runJar(String... arguments) throws Exception {
        Process process = new ProcessBuilder(javaJar(arguments)).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        return new JarRun(process.waitFor(), output);
    }

    private TestHttp start(String... flags) throws IOException {
        return startOn(MosquittoBroker.freeLoopbackPort(), flags);
    }

    /** Started with its embedded broker on {@code mqttPort}, once Tidegate has subscribed inside it. */
    private TestHttp startWithEmbeddedBroker(int mqttPort) throws IOException {
        TestHttp http = start("--mqtt.embedded", "--mqtt.listen-address=127.0.0.1:" + mqttPort);
        // HTTP answers before the broker listens; online on the status topic means Tidegate has subscribed.
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> MosquittoBroker.client(mqttPort,
                "mosquitto_sub", "-t", "metrics/tidegate/status", "-C", "1", "-W", "2").equals("online\n"));
        return http;
    }

    private TestHttp startOn(int port, String... flags) throws IOException {
        String[] all = new String[flags.length + 1];
        System.arraycopy(flags, 0, all, 0, flags.length);
        all[flags.length] = "--web.listen-address=127.0.0.1:" + port;
        launch(all);
        TestHttp http = new TestHttp(port);
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> http.get("/-/ready").status() == 200);
        return http;
    }

    private void launch(String... flags) throws IOException {
        assertThat(JAR).as("the jar, built by mvn package before the integration tests").exists();
        log = dir.resolve("tidegate.log");
        List<String> command = javaJar(jvmOptions, "--no-mqtt.embedded"); // a test that wants the broker passes --mqtt.embedded: the last one wins
        command.addAll(List.of(flags));
        tidegate = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** {@code java -jar target/tidegate.jar arguments...}, with the Java running the tests. */
    private static List<String> javaJar(String... arguments) {
        return javaJar(List.of(), arguments);
    }

    /** {@code java jvmOptions... -jar target/tidegate.jar arguments...}, with the Java running the tests. */
    private static List<String> javaJar(List<String> jvmOptions, String... arguments) {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", JAR.toString()));
        command.addAll(List.of(arguments));
        return command;
    }

    private void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(tidegate.pid())).start();
        assertThat(kill.waitFor()).isZero();
    }

}
