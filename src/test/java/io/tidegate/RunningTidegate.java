package io.tidegate;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * A Tidegate started in this JVM on a free loopback port, for integration tests, with a {@link TestHttp}
 * for it. A test that needs other flags starts it again; closing it stops it.
 */
public final class RunningTidegate implements AutoCloseable {
    private Tidegate tidegate;
    private TestHttp http;

    /**
     * Starts Tidegate with {@code --web.listen-address=127.0.0.1:0}, without an MQTT broker of its own
     * (a test that wants one passes {@code --mqtt.embedded --mqtt.listen-address=127.0.0.1:0}), and these
     * flags, stopping the one started before, if any, so that a test can ask for other flags than its
     * class's default.
     *
     * @return this, to chain {@link #http()}
     */
    public RunningTidegate start(String... extraFlags) {
        close();
        List<String> flags = new ArrayList<>(List.of("--web.listen-address=127.0.0.1:0", "--no-mqtt.embedded"));
        flags.addAll(List.of(extraFlags));
        tidegate = Tidegate.start(flags.toArray(String[]::new));
        http = new TestHttp(tidegate.httpPort());
        return this;
    }

    public TestHttp http() {
        return http;
    }

    public int port() {
        return tidegate.httpPort();
    }

    /** The port of Tidegate's embedded MQTT broker, or -1 when it runs none. */
    public int mqttPort() {
        return tidegate.mqttPort();
    }

    /** {@code http://127.0.0.1:port}, without a trailing slash. */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /** Stops Tidegate; nothing happens when it is not running. */
    @Override
    public void close() {
        if (tidegate != null) {
            tidegate.close();
            tidegate = null;
            http = null;
        }
    }
}
