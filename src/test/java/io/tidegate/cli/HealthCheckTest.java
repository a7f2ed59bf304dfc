package io.tidegate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.tidegate.MosquittoBroker;
import io.tidegate.RunningTidegate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code tidegate healthcheck}, as a container's HEALTHCHECK runs it: exit 0 for a healthy Tidegate, 1 and why otherwise. */
class HealthCheckTest {
    private final RunningTidegate tidegate = new RunningTidegate();
    private HttpServer fakeServer;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @AfterEach
    void stop() {
        tidegate.close();
        if (fakeServer != null) {
            fakeServer.stop(0);
        }
    }

    private int healthcheck(String... arguments) {
        return new HealthCheck().run(List.of(arguments), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aRunningTidegateIsHealthy() {
        tidegate.start();

        assertThat(healthcheck("--url=" + tidegate.baseUri())).isZero();
        assertThat(stderr()).isEmpty();
    }

    @Test
    void theRoutePrefixInTheUrlIsHonoured() {
        tidegate.start("--web.route-prefix=/gateway");

        assertThat(healthcheck("--url=" + tidegate.baseUri() + "/gateway/")).isZero();
        assertThat(healthcheck("--url", tidegate.baseUri().toString())).isEqualTo(1);
        assertThat(stderr()).isEqualTo("tidegate healthcheck: " + tidegate.baseUri() + "/-/healthy: status 404\n");
    }

    @Test
    void nothingListeningIsConnectionRefused() {
        int port = MosquittoBroker.freeLoopbackPort();

        assertThat(healthcheck("--url=http://127.0.0.1:" + port)).isEqualTo(1);
        assertThat(stderr()).isEqualTo("tidegate healthcheck: http://127.0.0.1:" + port + "/-/healthy: connection refused\n");
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws IOException {
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) { // never accepts
            assertThat(healthcheck("--url=http://127.0.0.1:" + silent.getLocalPort(), "--timeout=300ms")).isEqualTo(1);
        }
        assertThat(stderr()).endsWith("/-/healthy: no answer within 300ms\n");
    }

    @Test
    void anUnhealthyAnswerNamesItsStatus() throws IOException {
        int port = fakeServer(503, new AtomicReference<>());

        assertThat(healthcheck("--url=http://127.0.0.1:" + port)).isEqualTo(1);
        assertThat(stderr()).isEqualTo("tidegate healthcheck: http://127.0.0.1:" + port + "/-/healthy: status 503\n");
    }

    @Test
    void credentialsInTheUrlAreSentAsBasicAuthAndNeverPrinted() throws IOException {
        AtomicReference<String> authorization = new AtomicReference<>();
        int port = fakeServer(401, authorization);

        assertThat(healthcheck("--url=http://probe:s%3Acret@127.0.0.1:" + port)).isEqualTo(1);
        assertThat(authorization.get()).isEqualTo("Basic cHJvYmU6czpjcmV0"); // probe:s:cret
        assertThat(stderr()).isEqualTo("tidegate healthcheck: http://127.0.0.1:" + port + "/-/healthy: status 401\n");
    }

    @Test
    void aUrlThatIsNotHttpOrANoTimeoutIsAUsageError() {
        assertThat(healthcheck("--url=localhost:9091")).isEqualTo(2);
        assertThat(stderr()).contains("invalid --url \"localhost:9091\"").contains("try --help");
        assertThat(healthcheck("--colour")).isEqualTo(2);
        assertThat(healthcheck("--timeout=0")).isEqualTo(2);
        assertThat(stderr()).contains("--timeout must be longer than 0s");
    }

    private int fakeServer(int status, AtomicReference<String> authorization) throws IOException {
        fakeServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        fakeServer.createContext("/-/healthy", exchange -> {
            authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        fakeServer.start();
        return fakeServer.getAddress().getPort();
    }
}
