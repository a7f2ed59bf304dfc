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

    /** A gateway somebody else started and stops, e.g. for debugging against a server in an IDE. */
    static GatewayUnderTest alreadyRunning(String name, URI baseUri) {
        return new GatewayUnderTest() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public URI baseUri() {
                return baseUri;
            }

            @Override
            public void close() {
            }
        };
    }
}
