package io.tidegate.differential;

import java.net.URI;

/** A running gateway the differential test sends requests to. */
public interface GatewayUnderTest extends AutoCloseable {

    /** Short name for the report, e.g. {@code upstream} or {@code tidegate}. */
    String name();

    /** {@code http://host:port}, without a trailing slash. */
    URI baseUri();

    @Override
    void close();

    /** A gateway started by the caller, reached at {@code baseUri}; closing it runs {@code stop}. */
    static GatewayUnderTest stoppedBy(String name, URI baseUri, Runnable stop) {
        return new Handle(name, baseUri, stop);
    }

    /** A gateway somebody else started and stops, e.g. for debugging against a server in an IDE. */
    static GatewayUnderTest alreadyRunning(String name, URI baseUri) {
        return stoppedBy(name, baseUri, () -> {
            // not ours to stop
        });
    }

    /** A gateway as the test holds it: its name, its address, and how to stop it. */
    record Handle(String name, URI baseUri, Runnable stop) implements GatewayUnderTest {
        @Override
        public void close() {
            stop.run();
        }
    }
}
