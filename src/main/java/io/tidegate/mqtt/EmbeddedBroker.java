package io.tidegate.mqtt;

import com.hivemq.configuration.service.InternalConfigurations;
import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.embedded.EmbeddedHiveMQBuilder;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import io.tidegate.format.HostPort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT 5 broker Tidegate runs when no {@code --mqtt.url} is given: HiveMQ Community Edition,
 * in memory, with its files in a temporary directory that goes when it stops. (Moquette, the light
 * alternative, speaks only MQTT 3.1.1, and the TTL rules need MQTT 5's message expiry.)
 */
public final class EmbeddedBroker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedBroker.class);

    private final EmbeddedHiveMQ hivemq;
    private final Path home;
    private final HostPort address;

    private EmbeddedBroker(EmbeddedHiveMQ hivemq, Path home, HostPort address) {
        this.hivemq = hivemq;
        this.home = home;
        this.address = address;
    }

    /**
     * Starts a broker listening on {@code listenAddress}; port 0 picks a free one.
     *
     * @throws MqttStartException when the address is in use or the broker does not start
     */
    public static EmbeddedBroker start(String listenAddress) {
        return start(listenAddress, null, null);
    }

    /**
     * Starts a broker listening on {@code listenAddress} with Tidegate inside: {@code ingest} sees every
     * client's publish before the broker takes it, {@code clients} every connection's start and end (null
     * for a plain broker).
     *
     * @throws MqttStartException when the address is in use or the broker does not start
     */
    static EmbeddedBroker start(String listenAddress, PublishInboundInterceptor ingest,
            ClientLifecycleEventListener clients) {
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
            Files.writeString(home.resolve("config.xml"), config(address));
        } catch (IOException e) {
            throw new MqttStartException("cannot prepare the embedded MQTT broker: " + e);
        }
        InternalConfigurations.MAX_INFLIGHT_WINDOW_SIZE_MESSAGES = IN_FLIGHT_WINDOW;
        EmbeddedHiveMQBuilder builder = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(home)
                .withDataFolder(home.resolve("data"))
                .withExtensionsFolder(home.resolve("extensions"))
                .withoutLoggingBootstrap(); // Tidegate's logging stays one line per event
        if (ingest != null) {
            builder.withEmbeddedExtension(extension(ingest, clients));
        }
        EmbeddedHiveMQ hivemq = builder.build();
        try {
            hivemq.start().get();
        } catch (ExecutionException | InterruptedException e) {
            stopQuietly(hivemq);
            deleteTree(home);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new MqttStartException(isFree(address)
                    ? "embedded MQTT broker did not start on " + listenAddress + ": " + e.getCause()
                    : "mqtt listen address " + listenAddress + " is in use");
        }
        log.atInfo().addKeyValue("address", address.host() + ":" + address.port()).log("embedded MQTT broker listening");
        return new EmbeddedBroker(hivemq, home, address);
    }

    /** Tidegate inside the broker: {@code ingest} sees every client's publish first, {@code clients} every connection. */
    private static EmbeddedExtension extension(PublishInboundInterceptor ingest, ClientLifecycleEventListener clients) {
        return EmbeddedExtension.builder()
                .withId("tidegate")
                .withName("Tidegate")
                .withVersion(String.valueOf(EmbeddedBroker.class.getPackage().getImplementationVersion()))
                .withExtensionMain(new ExtensionMain() {
                    @Override
                    public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
                        Services.initializerRegistry().setClientInitializer((initializer, client) ->
                                client.addPublishInboundInterceptor(ingest));
                        Services.eventRegistry().setClientLifecycleEventListener(provider -> clients);
                    }

                    @Override
                    public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {}
                })
                .build();
    }

    public int port() {
        return address.port();
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

    private static String config(HostPort address) {
        return """
                <?xml version="1.0"?>
                <hivemq>
                    <listeners>
                        <tcp-listener>
                            <port>%d</port>
                            <bind-address>%s</bind-address>
                        </tcp-listener>
                    </listeners>
                    <persistence>
                        <mode>in-memory</mode>
                    </persistence>
                    <mqtt>
                        <queued-messages>
                            <max-queue-size>%d</max-queue-size>
                        </queued-messages>
                    </mqtt>
                    <anonymous-usage-statistics>
                        <enabled>false</enabled>
                    </anonymous-usage-statistics>
                </hivemq>
                """.formatted(address.port(), address.host(), MAX_QUEUED_MESSAGES);
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
