package io.tidegate.mqtt;

import com.hivemq.configuration.service.InternalConfigurations;
import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import io.tidegate.format.HostPort;
import io.tidegate.mqtt.access.BrokerAccess;
import io.tidegate.telemetry.Version;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT 5 broker Tidegate runs when no {@code --mqtt.url} is given: HiveMQ Community Edition,
 * in memory, with its files in a temporary directory that goes when it stops. (Moquette, the light
 * alternative, speaks only MQTT 3.1.1, and the TTL rules need MQTT 5's message expiry.) Who gets in
 * and what they may do is Tidegate's {@link BrokerExtension}, started by HiveMQ before it listens;
 * the bounds on packets and connections are HiveMQ's own ({@link BrokerSettings}), given to it with the rest of its
 * configuration in the process ({@link BrokerConfiguration}), not as a file it would parse.
 */
public final class EmbeddedBroker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedBroker.class);

    private final EmbeddedHiveMQ hivemq;
    private final Path home;
    private final HostPort address;
    private final BrokerExtension extension;
    private final BrokerAccess access;

    private EmbeddedBroker(EmbeddedHiveMQ hivemq, Path home, HostPort address, BrokerExtension extension,
            BrokerAccess access) {
        this.hivemq = hivemq;
        this.home = home;
        this.address = address;
        this.extension = extension;
        this.access = access;
    }

    /**
     * Starts a broker listening on {@code listenAddress} with the flags' defaults (no password file,
     * anonymous clients from loopback only); port 0 picks a free one.
     *
     * @throws MqttStartException when the address is in use or the broker does not start
     */
    public static EmbeddedBroker start(String listenAddress) {
        return start(listenAddress, BrokerSettings.defaults(), Clock.systemUTC());
    }

    /**
     * Starts a broker listening on {@code listenAddress} that admits and bounds clients as
     * {@code settings} say; port 0 picks a free one.
     *
     * @throws MqttStartException when the address is in use or the broker does not start
     */
    public static EmbeddedBroker start(String listenAddress, BrokerSettings settings, Clock clock) {
        return start(listenAddress, settings, clock, null, null);
    }

    /**
     * Starts a broker as {@link #start(String, BrokerSettings, Clock)} with Tidegate inside: {@code ingest}
     * sees every client's publish the ACL lets through before the broker takes it, {@code clients} every
     * connection's start and end (both null for a plain broker).
     *
     * @throws MqttStartException when the address is in use or the broker does not start
     */
    static EmbeddedBroker start(String listenAddress, BrokerSettings settings, Clock clock,
            PublishInboundInterceptor ingest, ClientLifecycleEventListener clients) {
        HostPort requested = HostPort.parse(listenAddress);
        HostPort address = new HostPort(requested.host(), requested.port() == 0 ? freePort(requested.host()) : requested.port());
        // HiveMQ would log its own errors and fail later; checking first gives the operator one clear line.
        if (!isFree(address)) {
            throw new MqttStartException("mqtt listen address " + listenAddress + " is in use");
        }
        Path home;
        try {
            home = Files.createTempDirectory("tidegate-mqtt-");
            Files.createDirectories(home.resolve("data"));
            Files.createDirectories(home.resolve("extensions"));
            Files.writeString(home.resolve("config.xml"), CONFIG_FILE);
        } catch (IOException e) {
            throw new MqttStartException("cannot prepare the embedded MQTT broker: " + e);
        }
        InternalConfigurations.MAX_INFLIGHT_WINDOW_SIZE_MESSAGES = IN_FLIGHT_WINDOW;
        // HiveMQ wires itself with Guice at every start; Guice's defaults (a class generated per constructor,
        // a stack trace kept per binding) serve debugging and cost processor time at every start
        defaultProperty("guice_bytecode_gen_option", "DISABLED");
        defaultProperty("guice_include_stack_traces", "OFF");
        // HiveMQ's Netty takes its buffers from 4 MB chunks, one per event loop that serves a client. Allowed to
        // reach DirectByteBuffer's constructor (the jar's manifest opens java.nio to it), Netty allocates a chunk
        // itself and its pages become resident as they are used; otherwise the JDK zeroes all 4 MB at the first
        // client (README, "Performance"). Without the opening Netty falls back to the JDK, as before.
        defaultProperty("io.netty.tryReflectionSetAccessible", "true");
        BrokerExtension extension = new BrokerExtension(settings.access(), clock, ingest, clients);
        EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(home)
                .withDataFolder(home.resolve("data"))
                .withExtensionsFolder(home.resolve("extensions"))
                .withEmbeddedExtension(EmbeddedExtension.builder()
                        .withId(BrokerExtension.ID)
                        .withName("Tidegate")
                        .withVersion(Version.current())
                        .withAuthor("Tidegate")
                        .withPriority(1000)
                        .withStartPriority(1000)
                        .withExtensionMain(extension)
                        .build())
                .withoutLoggingBootstrap() // Tidegate's logging stays one line per event
                .build();
        BrokerConfiguration.offer(home, BrokerConfiguration.of(address, settings), clock);
        try {
            hivemq.start().get();
            if (!extension.started()) {
                // without its authenticator HiveMQ would let every client in: no broker rather than an open one
                throw new ExecutionException(new IllegalStateException("Tidegate's broker extension did not start"));
            }
        } catch (ExecutionException | InterruptedException e) {
            stopQuietly(hivemq);
            deleteTree(home);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new MqttStartException(isFree(address)
                    ? "embedded MQTT broker did not start on " + listenAddress + ": " + e.getCause()
                    : "mqtt listen address " + listenAddress + " is in use");
        } finally {
            BrokerConfiguration.withdraw(home); // HiveMQ has read it at start
        }
        BrokerAccess access = settings.access();
        log.atInfo().addKeyValue("address", address.host() + ":" + address.port())
                .addKeyValue("password_file", access.passwordFile().map(Path::toString).orElse(""))
                .addKeyValue("users", access.users())
                .addKeyValue("acl_file", access.aclFile().map(Path::toString).orElse(""))
                .addKeyValue("acl_rules", access.acl().map(acl -> acl.topicRules() + acl.patternRules()).orElse(0))
                .addKeyValue("anonymous", access.allowsAnonymous() ? "any address"
                        : access.passwordFile().isPresent() ? "refused" : "loopback only")
                .addKeyValue("max_connections", settings.maxConnections())
                .addKeyValue("max_packet_size", settings.maxPacketBytes())
                .log("embedded MQTT broker listening");
        if (access.allowsAnonymous()) {
            log.atWarn().addKeyValue("flag", "--mqtt.embedded.allow-anonymous")
                    .log("anonymous MQTT clients from any address may connect to the embedded broker and publish and "
                            + "delete groups" + (access.hasAcl() ? ", as far as the ACL's anonymous lines let them" : ""));
        }
        return new EmbeddedBroker(hivemq, home, address, extension, access);
    }

    public int port() {
        return address.port();
    }

    /**
     * After the access files were reloaded: disconnects the clients whose user the password file no
     * longer has, or has with another password.
     */
    void disconnectRevoked() {
        extension.disconnectRevoked();
    }

    /** The URL Tidegate's own subscriber reaches this broker at: loopback when it listens everywhere. */
    public String url() {
        String host = address.host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.isEmpty()) {
            host = "127.0.0.1";
        }
        return "tcp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.port();
    }

    @Override
    public void close() {
        stopQuietly(hivemq);
        deleteTree(home);
        log.info("embedded MQTT broker stopped");
    }

    /**
     * Messages the broker holds for one client beyond those in flight. HiveMQ's default of 1,000
     * discards QoS 1 messages it has already acknowledged to their publisher as soon as a burst
     * outruns Tidegate for a moment; Mosquitto's default queue is as small, but Tidegate's own
     * broker should not lose what devices were told was delivered.
     */
    static final int MAX_QUEUED_MESSAGES = 1_000_000;

    /**
     * QoS 1 messages the broker sends a subscriber before it waits for their acknowledgements.
     * With HiveMQ's built-in 50, a backlog reached Tidegate (or a bare mosquitto_sub) at about
     * 1,100 messages a second; with 1,000, at the rate Tidegate applies them (20,000 queued
     * messages: 18 s before, 2-3 s after). Only an internal setting, global to the process,
     * which holds one embedded broker.
     */
    static final int IN_FLIGHT_WINDOW = 1_000;

    /**
     * HiveMQ's {@code config.xml}, which it must find in its configuration folder (without one it logs an error). It is
     * not read: the configuration is {@link BrokerConfiguration}'s, given to HiveMQ in the process.
     */
    private static final String CONFIG_FILE = """
            <?xml version="1.0"?>
            <!-- Not read: Tidegate gives this broker its configuration in the process (io.tidegate.mqtt.BrokerConfiguration). -->
            <hivemq/>
            """;

    /** Sets a system property the command line (-D) left unset; one it set stays. */
    private static void defaultProperty(String name, String value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }

    private static boolean isFree(HostPort address) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(address.host()), address.port()));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** HiveMQ cannot tell which port it picked for 0, so Tidegate picks it; the port is free again once picked. */
    private static int freePort(String host) {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new MqttStartException("cannot find a free port on " + host + " for the embedded MQTT broker: " + e);
        }
    }

    /** Stops HiveMQ and ends its threads: after stop() alone a non-daemon thread of it keeps the JVM alive. */
    private static void stopQuietly(EmbeddedHiveMQ hivemq) {
        try {
            hivemq.close();
        } catch (ExecutionException e) {
            log.atWarn().addKeyValue("err", String.valueOf(e.getCause())).log("embedded MQTT broker did not stop cleanly");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the embedded MQTT broker's directory " + root, e);
        }
    }
}
