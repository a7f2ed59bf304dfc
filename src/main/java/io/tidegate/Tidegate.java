package io.tidegate;

import io.tidegate.config.ConfigException;
import io.tidegate.cli.Flags;
import io.tidegate.cli.Logging;
import io.tidegate.config.ReloadableConfig;
import io.tidegate.cli.Subcommand;
import io.tidegate.telemetry.Version;
import io.tidegate.ttl.ExpirySweeper;
import io.tidegate.ttl.TtlResolver;
import io.tidegate.mqtt.BrokerReplication;
import io.tidegate.cli.MappingsCommand;
import io.tidegate.mqtt.MqttEndpoint;
import io.tidegate.mqtt.MqttIngest;
import io.tidegate.mqtt.MqttMetrics;
import io.tidegate.cli.MqttFlags;
import io.tidegate.mqtt.MqttSettings;
import io.tidegate.mqtt.MqttSubscriber;
import io.tidegate.store.RetainedMemory;
import io.tidegate.persist.Persistence;
import io.tidegate.store.Store;
import io.tidegate.cli.HealthCheck;
import io.tidegate.telemetry.OwnMetrics;
import io.tidegate.web.WebServer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import sun.misc.Signal;

/**
 * Tidegate's entry point: reads the flags, builds the store and the servers around it, and runs
 * until SIGTERM, SIGINT or {@code /-/quit}. Wiring and lifecycle only.
 */
public final class Tidegate implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Tidegate.class);

    private final WebServer web;
    private final ExpirySweeper sweeper;
    private final ReloadableConfig config;
    private final Optional<MqttSettings> mqttSettings;
    private final MqttIngest mqttIngest;
    private final MqttMetrics mqttMetrics;
    private final Persistence persistence; // null without --persistence.file
    private final BrokerReplication replication; // null without --mqtt.replicate
    private MqttEndpoint mqtt; // null when MQTT is off
    private final CountDownLatch stopped = new CountDownLatch(1);

    private Tidegate(Flags flags, Clock clock) throws ConfigException {
        config = flags.configFile.isEmpty() ? ReloadableConfig.none() : ReloadableConfig.load(Path.of(flags.configFile));
        OwnMetrics metrics = new OwnMetrics();
        Store store = new Store(clock, !flags.disableConsistencyCheck, metrics::typeOf, flags.ttlTombstone.toMillis());
        metrics.watch(store);
        store.limitTo(flags.writeLimits());
        TtlResolver ttls = new TtlResolver(() -> config.current().ttlRules(), flags.ttlDefault, flags.ttlMax);
        this.sweeper = new ExpirySweeper(store, clock);
        this.mqttSettings = MqttFlags.settings(flags);
        this.mqttMetrics = new MqttMetrics(metrics);
        this.mqttIngest = new MqttIngest(store, ttls, flags.mqttTopicPrefix, flags.mqttRetained, flags.mqttMaxPayloadSize,
                RetainedMemory.DEFAULT_CAPACITY, clock, mqttMetrics, () -> config.current().mqttMappings());
        // loaded before anything can write or read, so nothing is served that is not yet back
        this.persistence = flags.persistenceFile.isEmpty() ? null : Persistence.open(Path.of(flags.persistenceFile),
                flags.persistenceInterval, store, mqttIngest.retainedMemory(), clock, metrics);
        this.web = new WebServer(flags.webSettings(), store, ttls, metrics, config::reload, this::stopInBackground, clock.instant(),
                mqttIngest::rejections);
        this.replication = flags.mqttReplicate ? new BrokerReplication(flags.mqttTopicPrefix, mqttSettings.get().clientId(),
                mqttSettings.get().topicFilters(), mqttIngest.appliedReplications(), flags.mqttMaxPayloadSize, clock,
                BrokerReplication.OWN_APPLY_WAIT) : null;
        if (replication != null) {
            web.replicatePushesThrough(replication);
        }
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
        Tidegate tidegate = new Tidegate(flags, clock);
        try {
            // subscribed before HTTP answers ready, so "ready" means a device's publication is taken too
            tidegate.mqtt = tidegate.mqttSettings.map(settings -> MqttEndpoint.start(settings, tidegate.mqttIngest,
                    tidegate.mqttIngest.mappingFilters())).orElse(null);
            if (tidegate.mqtt != null) {
                tidegate.mqttMetrics.watch(tidegate.mqtt.subscriber());
                MqttSubscriber subscriber = tidegate.mqtt.subscriber();
                // a reload that changes the rules changes the subscriptions on the live connection
                tidegate.config.onReload(config -> subscriber.subscribeMappings(config.mqttMappings().topicFilters()));
            }
            if (tidegate.replication != null) {
                tidegate.replication.publishThrough(tidegate.mqtt.subscriber());
            }
            tidegate.web.start();
        } catch (RuntimeException e) { // port in use, broker unreachable or refusing: nothing may keep running
            tidegate.close();
            throw e;
        }
        tidegate.sweeper.start();
        return tidegate;
    }

    /** Re-reads the configuration file; on SIGHUP, as every Prometheus component does. */
    private void reloadOnHangup() {
        try {
            Signal.handle(new Signal("HUP"), signal -> config.reload());
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

    @Override
    public synchronized void close() {
        if (stopped.getCount() == 0) {
            return;
        }
        if (mqtt != null) {
            mqtt.stopSubscribing();
        }
        sweeper.close();
        web.close();
        if (persistence != null) {
            persistence.close(); // after the last write: the subscriber and the web server are closed
        }
        if (mqtt != null) {
            mqtt.close(); // the embedded broker stops last, so devices keep a broker until Tidegate is gone
        }
        log.info("stopped");
        stopped.countDown();
    }

    void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** Tools run instead of the server when the first argument names one. */
    private static final List<Subcommand> SUBCOMMANDS = List.of(new MappingsCommand(), new HealthCheck());

    public static void main(String[] args) throws InterruptedException {
        if (args.length > 0) {
            for (Subcommand subcommand : SUBCOMMANDS) {
                if (subcommand.name().equals(args[0])) {
                    // a tool says what it found on standard output; the server's event log would repeat it
                    Logging.configure(Flags.LogLevel.error, Flags.LogFormat.logfmt);
                    System.exit(subcommand.run(List.of(args).subList(1, args.length), System.out, System.err));
                    return;
                }
            }
        }
        Flags flags = new Flags();
        CommandLine commandLine = Flags.commandLine(flags);
        try {
            commandLine.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            System.err.println("tidegate: error: " + e.getMessage() + ", try --help");
            System.exit(2);
            return;
        }
        if (commandLine.isUsageHelpRequested()) {
            commandLine.usage(System.out);
            return;
        }
        if (commandLine.isVersionHelpRequested()) {
            commandLine.printVersionHelp(System.out);
            return;
        }
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
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (tidegate.stopped.getCount() > 0) {
                log.info("received SIGINT/SIGTERM; exiting gracefully...");
                tidegate.close();
            }
        }, "tidegate-shutdown"));
        tidegate.awaitStop();
    }
}
