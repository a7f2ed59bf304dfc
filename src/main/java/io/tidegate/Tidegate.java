package io.tidegate;

import io.tidegate.config.Flags;
import io.tidegate.config.Logging;
import io.tidegate.config.Version;
import io.tidegate.store.Store;
import io.tidegate.web.OwnMetrics;
import io.tidegate.web.WebServer;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Tidegate's entry point: reads the flags, builds the store and the servers around it, and runs
 * until SIGTERM, SIGINT or {@code /-/quit}. Wiring and lifecycle only.
 */
public final class Tidegate implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Tidegate.class);

    private final WebServer web;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private Tidegate(Flags flags, Clock clock) {
        OwnMetrics metrics = new OwnMetrics();
        Store store = new Store(clock, !flags.disableConsistencyCheck, metrics::typeOf);
        metrics.watch(store);
        this.web = new WebServer(flags, store, metrics, this::stopInBackground, clock.instant());
    }

    /** Starts Tidegate with upstream-style flags; {@code --web.listen-address=127.0.0.1:0} picks a free port. */
    public static Tidegate start(String... args) {
        Flags flags = new Flags();
        Flags.commandLine(flags).parseArgs(args);
        return start(flags, Clock.systemUTC());
    }

    static Tidegate start(Flags flags, Clock clock) {
        Tidegate tidegate = new Tidegate(flags, clock);
        tidegate.web.start();
        return tidegate;
    }

    public int httpPort() {
        return web.port();
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
        web.close();
        log.info("stopped");
        stopped.countDown();
    }

    void awaitStop() throws InterruptedException {
        stopped.await();
    }

    public static void main(String[] args) throws InterruptedException {
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
        } catch (RuntimeException e) {
            log.atError().addKeyValue("err", e.getMessage()).log("could not start");
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (tidegate.stopped.getCount() > 0) {
                log.info("received SIGINT/SIGTERM; exiting gracefully...");
                tidegate.close();
            }
        }, "tidegate-shutdown"));
        tidegate.awaitStop();
    }
}
