package io.tidegate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidegate.config.PemFiles;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --web.config.file} with real clients: Java's HTTP client over TLS trusting a test CA,
 * with and without a client certificate, and curl; basic auth on every endpoint.
 */
class WebSecurityIT {
    @TempDir
    static Path dir;

    private static TestCertificates certificates;
    private static TestCertificates strangers; // another CA, and a client certificate it signed
    private static String aliceHash;

    private final RunningTidegate tidegate = new RunningTidegate();

    @BeforeAll
    static void makeCertificatesAndHashes() {
        certificates = TestCertificates.createIn(dir.resolve("tls"));
        strangers = TestCertificates.createIn(dir.resolve("strangers"));
        aliceHash = OpenBSDBCrypt.generate("2y", "wonderland".toCharArray(), new byte[16], 10);
    }

    @AfterEach
    void stop() {
        tidegate.close();
    }

    private void start(String webConfig) throws IOException {
        Path file = dir.resolve("web.yml");
        Files.writeString(file, webConfig);
        tidegate.start("--web.config.file=" + file);
    }

    private static String serverTls(String... more) {
        return "tls_server_config:\n  cert_file: " + certificates.serverCertificate() + "\n  key_file: "
                + certificates.serverKey() + "\n" + String.join("", java.util.List.of(more).stream()
                        .map(line -> "  " + line + "\n").toList());
    }

    /** A client that trusts the test CA and presents {@code client}'s certificate, or none. */
    private static HttpClient client(TestCertificates client) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(client == null ? null : PemFiles.keyManagers(
                        PemFiles.certificates("client cert", Files.readAllBytes(client.clientCertificate())),
                        PemFiles.privateKey("client key", Files.readAllBytes(client.clientKey()))),
                PemFiles.trustManagers(PemFiles.certificates("ca", Files.readAllBytes(certificates.caCertificate()))),
                null);
        return HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private HttpResponse<String> get(HttpClient client, String scheme, String path, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(scheme + "://localhost:" + tidegate.port() + path))
                .timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void servesHttpsWithTheConfiguredCertificate() throws Exception {
        start(serverTls("min_version: TLS12"));
        HttpResponse<String> answer = get(client(null), "https", "/-/healthy");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("OK");
        assertThat(answer.sslSession()).isPresent();
        assertThat(answer.sslSession().get().getPeerCertificates()[0].equals(
                PemFiles.certificates("server", Files.readAllBytes(certificates.serverCertificate())).get(0))).isTrue();
        assertThatThrownBy(() -> get(HttpClient.newHttpClient(), "https", "/-/healthy"))
                .as("a client that does not trust the test CA").isInstanceOf(IOException.class);
    }

    @Test
    void tlsVersionsAreBounded() throws Exception {
        start(serverTls("min_version: TLS13", "max_version: TLS13"));
        assertThat(get(client(null), "https", "/-/ready").sslSession().orElseThrow().getProtocol()).isEqualTo("TLSv1.3");

        SSLContext twelveOnly = SSLContext.getInstance("TLSv1.2");
        twelveOnly.init(null, PemFiles.trustManagers(PemFiles.certificates("ca",
                Files.readAllBytes(certificates.caCertificate()))), null);
        javax.net.ssl.SSLParameters parameters = new javax.net.ssl.SSLParameters();
        parameters.setProtocols(new String[] {"TLSv1.2"});
        HttpClient old = HttpClient.newBuilder().sslContext(twelveOnly).sslParameters(parameters).build();
        assertThatThrownBy(() -> get(old, "https", "/-/ready")).as("a TLS 1.2 client").isInstanceOf(IOException.class);
    }

    @Test
    void mutualTlsRequiresAClientCertificateFromTheClientCa() throws Exception {
        start(serverTls("client_auth_type: RequireAndVerifyClientCert",
                "client_ca_file: " + certificates.caCertificate()));
        assertThat(get(client(certificates), "https", "/-/healthy").statusCode()).isEqualTo(200);
        assertThatThrownBy(() -> get(client(null), "https", "/-/healthy"))
                .as("no client certificate").isInstanceOf(IOException.class);
        assertThatThrownBy(() -> get(client(strangers), "https", "/-/healthy"))
                .as("a client certificate from another CA").isInstanceOf(IOException.class);
    }

    @Test
    void clientCertificateIfGivenMustVerifyButMayBeAbsent() throws Exception {
        start(serverTls("client_auth_type: VerifyClientCertIfGiven", "client_ca_file: " + certificates.caCertificate()));
        assertThat(get(client(null), "https", "/-/healthy").statusCode()).isEqualTo(200);
        assertThat(get(client(certificates), "https", "/-/healthy").statusCode()).isEqualTo(200);
        assertThatThrownBy(() -> get(client(strangers), "https", "/-/healthy")).isInstanceOf(IOException.class);
    }

    @Test
    void allowedSansPickClientsByName() throws Exception {
        start(serverTls("client_auth_type: RequireAnyClientCert", "client_allowed_sans: [scraper.example.com]"));
        // the test client certificate has no SAN at all
        assertThatThrownBy(() -> get(client(certificates), "https", "/-/healthy")).isInstanceOf(IOException.class);
    }

    @Test
    void basicAuthGuardsEveryEndpoint() throws Exception {
        start("basic_auth_users:\n  alice: " + aliceHash + "\n"
                + "http_server_config:\n  headers:\n    X-Frame-Options: deny\n"
                + "    Content-Security-Policy: frame-ancestors 'none'\n");
        TestHttp http = tidegate.http();
        for (String path : new String[] {"/metrics", "/api/v1/metrics", "/-/healthy", "/", "/static/page.js",
                "/no/such/page"}) {
            TestHttp.Answer anonymous = http.get(path);
            assertThat(anonymous.status()).as(path).isEqualTo(401);
            assertThat(anonymous.header("WWW-Authenticate")).isEqualTo("Basic");
            assertThat(anonymous.body()).isEqualTo("Unauthorized\n");
            assertThat(anonymous.header("X-Frame-Options")).as("headers go on every answer").isEqualTo("deny");
        }
        assertThat(http.put("/metrics/job/a", "x 1\n").status()).as("no credentials, no push").isEqualTo(401);
        assertThat(http.get("/-/healthy", "Authorization", basic("alice", "looking-glass")).status()).isEqualTo(401);
        assertThat(http.get("/-/healthy", "Authorization", basic("bob", "wonderland")).status()).isEqualTo(401);
        assertThat(http.get("/-/healthy", "Authorization", "Bearer abc").status()).isEqualTo(401);
        assertThat(http.get("/-/healthy", "Authorization", "Basic !!!").status()).isEqualTo(401);

        String alice = basic("alice", "wonderland");
        assertThat(http.put("/metrics/job/a", "x 1\n", "Authorization", alice).status()).isEqualTo(200);
        TestHttp.Answer scrape = http.get("/metrics", "Authorization", alice);
        assertThat(scrape.status()).isEqualTo(200);
        assertThat(scrape.body()).contains("x{instance=\"\",job=\"a\"} 1");
        assertThat(http.get("/static/page.js", "Authorization", alice).status()).as("the page's files").isEqualTo(200);
        assertThat(http.get("/", "Authorization", alice).headers().get("content-security-policy"))
                .as("the operator's policy and the page's, both enforced")
                .containsExactlyInAnyOrder("frame-ancestors 'none'", "default-src 'self'; base-uri 'none'; form-action 'none'");
        for (int i = 0; i < 20; i++) { // remembered: these cost a hash lookup each, not 20 bcrypt checks
            assertThat(http.get("/metrics", "Authorization", alice).status()).isEqualTo(200);
        }
        assertThat(http.get("/metrics", "Authorization", basic("alice", "wonderland!")).status())
                .as("a remembered password does not let a longer one in").isEqualTo(401);
    }

    @Test
    void curlPushesAndScrapesOverTlsWithBasicAuth() throws Exception {
        start(serverTls() + "basic_auth_users:\n  alice: " + aliceHash + "\n");
        String base = "https://localhost:" + tidegate.port();
        Path body = dir.resolve("body.txt");
        Files.writeString(body, "# TYPE temp gauge\ntemp 21.5\n");
        assertThat(curl("--cacert", certificates.caCertificate().toString(), "-u", "alice:wonderland",
                "--data-binary", "@" + body, base + "/metrics/job/curl")).isEqualTo("200");
        assertThat(curl("--cacert", certificates.caCertificate().toString(), "-u", "alice:wrong", base + "/metrics"))
                .isEqualTo("401");
        HttpResponse<String> scrape = get(client(null), "https", "/metrics", "Authorization", basic("alice", "wonderland"));
        assertThat(scrape.body()).contains("temp{instance=\"\",job=\"curl\"} 21.5");
    }

    /** Runs curl, answers the HTTP status code it got. */
    private static String curl(String... arguments) throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("curl", "-sS", "-o", "/dev/null",
                "-w", "%{http_code}"));
        command.addAll(java.util.List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return output.trim();
    }

    @Test
    void brokenWebConfigStopsTheStart() throws Exception {
        Path file = dir.resolve("broken.yml");
        Files.writeString(file, "basic_auth_users:\n  alice: plain-password\n");
        assertThatThrownBy(() -> tidegate.start("--web.config.file=" + file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file + ": basic_auth_users (line 1): alice: not a bcrypt hash");
    }
}
