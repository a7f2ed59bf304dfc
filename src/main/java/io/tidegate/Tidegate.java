package io.tidegate;

import io.tidegate.config.ConfigException;
import io.tidegate.cli.Flags;
import io.tidegate.cli.Logging;
import io.tidegate.config.ReloadOutcome;
import io.tidegate.config.ReloadableConfig;
import io.tidegate.cli.Subcommand;
import io.tidegate.telemetry.Version;
import io.tidegate.ttl.ExpirySchedule;
import io.tidegate.ttl.ExpirySweeper;
import io.tidegate.ttl.TtlResolver;
import io.tidegate.mqtt.BrokerReplication;
import io.tidegate.mqtt.GroupStates;
import io.tidegate.cli.MappingsCommand;
import io.tidegate.mqtt.MqttEndpoint;
import io.tidegate.mqtt.MqttIngest;
import io.tidegate.mqtt.MqttMetrics;
import io.tidegate.cli.MqttFlags;
import io.tidegate.mqtt.MqttSettings;
import io.tidegate.mqtt.discovery.HomeAssistantDiscovery;
import io.tidegate.store.RetainedMemory;
import io.tidegate.persist.Persistence;
import io.tidegate.store.Store;
import io.tidegate.cli.HealthCheck;
import io.tidegate.cli.JvmFootprint;
import io.tidegate.telemetry.OwnMetrics;
import io.tidegate.web.WebServer;
import io.tidegate.cli.Usage;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Tidegate's entry point: reads the flags, builds the store and everything around it, starts it all
 * in order and runs until SIGTERM, SIGINT or {@code /-/quit}. Wiring and lifecycle only, to be read
 * top to bottom: the constructor builds (no network, no disk but the configuration files), {@link
 * #start} takes the HTTP port, the persistence file, starts the MQTT broker, subscribes, and only then
 * answers HTTP (ready), and {@link #close} stops the same in reverse.
 */
public final class Tidegate implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Tidegate.class);

    private final Clock clock;
    private final ReloadableConfig config;
    private final OwnMetrics metrics;
    private final Store store;
    private final ExpirySweeper sweeper;
    private final MqttIngest mqttIngest;
    private final MqttEndpoint mqtt; // null when MQTT is off
    private final BrokerReplication replication; // null without --mqtt.replicate
    private final GroupStates groupStates; // null without --mqtt.replicate
    private final WebServer web;
    private final Path persistenceFile; // null without --persistence.file
    private final Duration persistenceInterval;
    private volatile Persistence persistence; // opened by start, when there is a file
    private final CountDownLatch stopped = new CountDownLatch(1);

    private Tidegate(Flags flags, Clock clock) throws ConfigException {
        this.clock = clock;
        config = flags.configFile.isEmpty() ? ReloadableConfig.none() : ReloadableConfig.load(Path.of(flags.configFile),
                flags.nameValidation());
        metrics = new OwnMetrics();
        store = new Store(clock, !flags.disableConsistencyCheck, metrics::typeOf, flags.ttlTombstone.toMillis(),
                flags.writeLimits(), new ExpirySchedule());
        metrics.watch(store);
        TtlResolver ttls = new TtlResolver(() -> config.current().ttlRules(), flags.ttlDefault, flags.ttlMax);
        sweeper = new ExpirySweeper(store, clock);

        Optional<MqttSettings> mqttSettings = MqttFlags.settings(flags);
        mqtt = mqttSettings.map(settings -> new MqttEndpoint(settings, config.current().mqttMappings().topicFilters(), clock,
                flags.persistenceFile.isEmpty() ? null : Path.of(flags.persistenceFile + ".broker")))
                .orElse(null);
        MqttMetrics mqttMetrics = mqtt == null ? new MqttMetrics(metrics) : new MqttMetrics(metrics, mqtt);
        groupStates = flags.mqttReplicate ? new GroupStates(mqtt, flags.mqttTopicPrefix, mqttSettings.get().clientId(),
                mqttSettings.get().topicFilters(), clock) : null;
        HomeAssistantDiscovery discovery = MqttFlags.discovery(flags).orElse(null);
        MqttEndpoint endpoint = mqtt;
        mqttIngest = new MqttIngest(store, ttls, flags.mqttTopicPrefix, flags.mqttRetained, flags.mqttMaxPayloadSize,
                RetainedMemory.DEFAULT_CAPACITY, clock, mqttMetrics, () -> config.current().mqttMappings(), groupStates,
                discovery, filters -> endpoint.subscribeDiscovery(filters));
        if (discovery != null) {
            // the config filters from the start; each config then adds its entity's state and availability topics
            mqtt.subscribeDiscovery(mqttIngest.discoveryTopicFilters());
        }
        if (mqtt != null) {
            // a reload that changes the rules changes the subscriptions, on the live connection once there is one
            config.onReload(reloaded -> mqtt.subscribeMappings(reloaded.mqttMappings().topicFilters()));
        }
        replication = flags.mqttReplicate ? new BrokerReplication(store, mqtt, flags.mqttTopicPrefix,
                mqttSettings.get().clientId(), mqttSettings.get().topicFilters(), mqttIngest.appliedReplications(),
                flags.mqttMaxPayloadSize, clock, BrokerReplication.OWN_APPLY_WAIT) : null;

        web = new WebServer(flags.webSettings().runningWith(mqttSettings.orElse(null)), store,
                replication != null ? replication : store, ttls, metrics, this::reload, this::stopInBackground,
                clock.instant(), mqttIngest::rejections);
        persistenceFile = flags.persistenceFile.isEmpty() ? null : Path.of(flags.persistenceFile);
        persistenceInterval = flags.persistenceInterval;
    }

    /**
     * Starts Tidegate with upstream-style flags; {@code --web.listen-address=127.0.0.1:0} picks a
     * free port. A configuration file that does not load is an IllegalArgumentException saying why.
     */
    public static Tidegate start(String... args) {
        Flags flags = new Flags();
        Flags.commandLine(flags).parseArgs(args);
        try {
            return start(flags, Clock.systemUTC());
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    static Tidegate start(Flags flags, Clock clock) throws ConfigException {
        // upstream flags that cannot apply here: said once, and the start goes on without them
        flags.notApplied().forEach(line -> log.atWarn().log(line));
        if (flags.tcpListenAddresses().isEmpty()) {
            throw new ConfigException("no --web.listen-address that Tidegate can listen on (vsock:// is not supported)");
        }
        Tidegate tidegate = new Tidegate(flags, clock);
        try {
            tidegate.start();
        } catch (RuntimeException e) { // file locked, port in use, broker unreachable or refusing: nothing may keep running
            tidegate.close();
            throw e;
        }
        return tidegate;
    }

    /**
     * Starts what the constructor built, taking every local resource before connecting to anything, so
     * that a second Tidegate started by mistake (same port, same file, same client id) stops before it
     * could take the first one's MQTT session; {@link #close} stops it in reverse. The HTTP port is taken
     * on this thread while another locks and loads the persistence file and then starts the embedded
     * broker (its port): the broker's start is most of a start's time, and nothing it takes can reach the
     * store before the file is loaded.
     */
    private void start() {
        CompletableFuture<Void> storeAndBroker = new CompletableFuture<>();
        new Thread(() -> {
            try {
                startStoreAndBroker();
                storeAndBroker.complete(null);
            } catch (RuntimeException | Error e) {
                storeAndBroker.completeExceptionally(e);
            }
        }, "tidegate-start").start();
        try {
            web.start(); // the HTTP port; answers 503 until ready
        } finally {
            // whatever the other thread started is known to close() once it is done
            storeAndBroker.exceptionally(e -> null).join();
        }
        try {
            storeAndBroker.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw (Error) e.getCause();
        }
        if (mqtt != null && !mqtt.embedded()) {
            mqtt.start(mqttIngest); // connects: only once every local resource is taken
        }
        if (replication != null) {
            replication.requireMqtt5(); // known once connected: --mqtt.protocol=auto may have fallen back
            groupStates.start();
        }
        web.ready();
        sweeper.start();
    }

    private void startStoreAndBroker() {
        if (persistenceFile != null) {
            // locked and loaded before anything can write or read, so nothing is served that is not yet back
            persistence = Persistence.open(persistenceFile, persistenceInterval, store, mqttIngest.retainedMemory(),
                    clock, metrics);
            if (mqtt != null) {
                // after a full disk, the messages a broker holds unacknowledged are delivered again
                persistence.onRecovery(mqtt::redeliverUnacknowledged);
            }
        }
        if (mqtt != null && mqtt.embedded()) {
            // the embedded broker's port, before HTTP answers, so "ready" means a device's publication is taken too
            mqtt.start(mqttIngest);
        }
    }


    /**
     * Re-reads the configuration file and the embedded broker's password file and ACL, each kept as it
     * was when its new version cannot be used; failed when either failed, saying why.
     */
    private ReloadOutcome reload() {
        ReloadOutcome outcome = config.reload();
        return mqtt == null ? outcome
                : outcome.and(mqtt.reloadBrokerAccess().map(ReloadOutcome::failed).orElse(ReloadOutcome.reloaded()));
    }

    /** Re-reads the configuration files; on SIGHUP, as every Prometheus component does. */
    private void reloadOnHangup() {
        try {
            SignalHandler before = Signal.handle(new Signal("HUP"), signal -> reload());
            if (before == SignalHandler.SIG_IGN) {
                // the JVM leaves a signal ignored at its start ignored: no handler is installed
                log.atWarn().log("SIGHUP is ignored in this process (started under nohup, or by a parent that ignores"
                        + " it), so it does not reload the configuration; use PUT or POST /-/reload"
                        + " (--web.enable-lifecycle), or start Tidegate without nohup");
            }
        } catch (IllegalArgumentException e) {
            log.atWarn().addKeyValue("err", e.getMessage()).log("SIGHUP cannot be handled here; use /-/reload");
        }
    }

    public int httpPort() {
        return web.port();
    }

    /** The embedded MQTT broker's port ({@code --mqtt.listen-address=127.0.0.1:0} picks one), or -1 without one. */
    public int mqttPort() {
        return mqtt == null ? -1 : mqtt.brokerPort().orElse(-1);
    }

    private void stopInBackground() {
        Thread stopper = new Thread(this::close, "tidegate-quit");
        stopper.start();
    }

    /** Stops what {@link #start} started, in reverse; whatever did not start is skipped. */
    @Override
    public synchronized void close() {
        if (stopped.getCount() == 0) {
            return;
        }
        sweeper.close();
        web.close();
        if (groupStates != null) {
            groupStates.close(); // the states of the last writes, while the connection is still up
        }
        if (mqtt != null) {
            mqtt.close(); // says offline and disconnects, then the embedded broker stops
        }
        if (persistence != null) {
            persistence.close(); // after the last write: HTTP and MQTT are closed
        }
        log.info("stopped");
        stopped.countDown();
    }

    void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /**
     * Everything of the command line that is not a server run: a tool named by the first argument,
     * {@code help [<command>]}, {@code --help}, {@code --version}, and flags that do not parse.
     *
     * @param flags filled from {@code args} when they are the server's flags
     * @return the exit status when that was it; -1 when the flags are good and the server should start
     */
    static int runCommand(String[] args, Flags flags, PrintStream out, PrintStream err) {
        if (args.length > 0) {
            if (args[0].equals("help")) {
                return help(List.of(args).subList(1, args.length), out, err);
            }
            for (Subcommand subcommand : SUBCOMMANDS) {
                if (subcommand.name().equals(args[0])) {
                    // a tool says what it found on standard output; the server's event log would repeat it
                    Logging.configure(Flags.LogLevel.error, Flags.LogFormat.logfmt);
                    return subcommand.run(List.of(args).subList(1, args.length), out, err);
                }
            }
        }
        CommandLine commandLine = Flags.commandLine(flags);
        try {
            commandLine.parseArgs(args);
        } catch (CommandLine.UnmatchedArgumentException e) {
            String unknown = e.getUnmatched().isEmpty() ? "" : e.getUnmatched().get(0);
            String hint = Usage.closest(commandLine, SUBCOMMANDS, unknown).map(meant -> ", did you mean " + meant + "?")
                    .orElse("");
            err.println("tidegate: error: " + (unknown.startsWith("-") ? "unknown flag " : "unexpected argument ")
                    + unknown + hint + " (try --help)");
            return 2;
        } catch (CommandLine.ParameterException e) {
            err.println("tidegate: error: " + e.getMessage() + " (try --help)");
            return 2;
        }
        if (commandLine.isUsageHelpRequested() || flags.helpLong) {
            Usage.print(commandLine, SUBCOMMANDS, out);
            return 0;
        }
        if (flags.helpMan) {
            Usage.printManPage(commandLine, SUBCOMMANDS, out);
            return 0;
        }
        if (flags.completionScriptBash || flags.completionScriptZsh) {
            out.print(picocli.AutoComplete.bash("tidegate", commandLine));
            out.flush();
            return 0;
        }
        if (commandLine.isVersionHelpRequested()) {
            commandLine.printVersionHelp(out);
            return 0;
        }
        return -1;
    }

    /** {@code tidegate help}: the server's help; {@code tidegate help <command>}: that command's. */
    private static int help(List<String> arguments, PrintStream out, PrintStream err) {
        if (arguments.isEmpty()) {
            Usage.print(Flags.commandLine(new Flags()), SUBCOMMANDS, out);
            return 0;
        }
        for (Subcommand subcommand : SUBCOMMANDS) {
            if (subcommand.name().equals(arguments.get(0))) {
                return subcommand.run(List.of("--help"), out, err);
            }
        }
        err.println("tidegate help: no command \"" + arguments.get(0) + "\"; the commands are help, "
                + String.join(", ", SUBCOMMANDS.stream().map(Subcommand::name).toList()));
        return 2;
    }

    /** Tools run instead of the server when the first argument names one. */
    private static final List<Subcommand> SUBCOMMANDS = List.of(new MappingsCommand(), new HealthCheck(), new SelfTest());

    public static void main(String[] args) throws InterruptedException {
        Flags flags = new Flags();
        int status = runCommand(args, flags, System.out, System.err);
        if (status >= 0) {
            System.exit(status);
            return;
        }
        JvmFootprint.apply();
        Logging.configure(flags.logLevel, flags.logFormat);
        log.atInfo().addKeyValue("version", Version.current()).log("starting tidegate");
        Tidegate tidegate;
        try {
            tidegate = start(flags, Clock.systemUTC());
        } catch (ConfigException | RuntimeException e) {
            log.atError().addKeyValue("err", e.getMessage()).log("could not start");
            System.exit(1);
            return;
        }
        tidegate.reloadOnHangup();
        JvmFootprint.settle();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (tidegate.stopped.getCount() > 0) {
                log.info("received SIGINT/SIGTERM; exiting gracefully...");
                tidegate.close();
            }
        }, "tidegate-shutdown"));
        tidegate.awaitStop();
    }
}
