package io.tidegate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidegate.config.PemFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import org.awaitility.Awaitility;
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
    private static String bobHash;

    private final RunningTidegate tidegate = new RunningTidegate();

    @BeforeAll
    static void makeCertificatesAndHashes() {
        certificates = TestCertificates.createIn(dir.resolve("tls"));
        strangers = TestCertificates.createIn(dir.resolve("strangers"));
        aliceHash = OpenBSDBCrypt.generate("2y", "wonderland".toCharArray(), new byte[16], 10);
        bobHash = OpenBSDBCrypt.generate("2y", "builder".toCharArray(), new byte[16], 10);
    }

    @AfterEach
    void stop() {
        tidegate.close();
    }

    private void start(String webConfig, String... moreFlags) throws IOException {
        Path file = dir.resolve("web.yml");
        Files.writeString(file, webConfig);
        java.util.List<String> flags = new java.util.ArrayList<>(java.util.List.of("--web.config.file=" + file));
        flags.addAll(java.util.List.of(moreFlags));
        tidegate.start(flags.toArray(String[]::new));
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
    void rolesLimitWipeQuitAndReloadToNamedUsersWhilePushingAndReadingStayOpen() throws Exception {
        start("basic_auth_users:\n  alice: " + aliceHash + "\n  bob: " + bobHash + "\n"
                + "tidegate:\n  admin_users: [alice]\n  lifecycle_users: [alice]\n",
                "--web.enable-admin-api", "--web.enable-lifecycle");
        TestHttp http = tidegate.http();
        String alice = basic("alice", "wonderland");
        String bob = basic("bob", "builder");

        assertThat(http.put("/metrics/job/kept", "x 1\n", "Authorization", bob).status()).as("bob pushes").isEqualTo(200);
        assertThat(http.post("/metrics/job/gone", "y 2\n", "Authorization", bob).status()).isEqualTo(200);
        assertThat(http.send("DELETE", "/metrics/job/gone", null, "Authorization", bob).status())
                .as("deleting a group is a push, open to every user, as upstream").isEqualTo(202);
        assertThat(http.get("/metrics", "Authorization", bob).body()).contains("x{instance=\"\",job=\"kept\"} 1")
                .doesNotContain("job=\"gone\"");
        assertThat(http.get("/api/v1/metrics", "Authorization", bob).status()).isEqualTo(200);
        assertThat(http.get("/api/v1/status", "Authorization", bob).status()).isEqualTo(200);

        TestHttp.Answer wipe = http.put("/api/v1/admin/wipe", "", "Authorization", bob);
        assertThat(wipe.status()).isEqualTo(403);
        assertThat(wipe.body()).isEqualTo("Forbidden: the admin API is limited to the users in tidegate.admin_users "
                + "of the web configuration file, and \"bob\" is not one of them\n");
        for (String method : new String[] {"PUT", "POST"}) {
            for (String path : new String[] {"/-/quit", "/-/reload"}) {
                TestHttp.Answer answer = http.send(method, path, null, "Authorization", bob);
                assertThat(answer.status()).as(method + " " + path).isEqualTo(403);
                assertThat(answer.body()).as(method + " " + path).contains("tidegate.lifecycle_users");
            }
        }
        assertThat(http.get("/metrics", "Authorization", bob).body()).as("bob's wipe wiped nothing")
                .contains("job=\"kept\"");
        assertThat(http.put("/api/v1/admin/wipe", "", "Authorization", basic("carol", "builder")).status())
                .as("an unknown user is not authenticated, whatever the route").isEqualTo(401);
        assertThat(http.put("/api/v1/admin/wipe", "", "Authorization", basic("alice", "builder")).status())
                .as("alice with bob's password").isEqualTo(401);

        assertThat(http.put("/api/v1/admin/wipe", "", "Authorization", alice).status()).isEqualTo(202);
        assertThat(http.get("/metrics", "Authorization", bob).body()).doesNotContain("job=\"kept\"");
        assertThat(http.post("/-/reload", "", "Authorization", alice).status()).isEqualTo(200);
        TestHttp.Answer quit = http.put("/-/quit", "", "Authorization", alice);
        assertThat(quit.status()).isEqualTo(200);
        assertThat(quit.body()).isEqualTo("Requesting termination... Goodbye!");
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThatThrownBy(() -> http.get("/-/healthy", "Authorization", alice))
                        .as("alice's quit stopped the server").isInstanceOf(UncheckedIOException.class));
    }

    @Test
    void withoutRolesEveryUserMayWipeAndReloadAsUpstream() throws Exception {
        start("basic_auth_users:\n  alice: " + aliceHash + "\n  bob: " + bobHash + "\n",
                "--web.enable-admin-api", "--web.enable-lifecycle");
        TestHttp http = tidegate.http();
        String bob = basic("bob", "builder");
        assertThat(http.put("/metrics/job/a", "x 1\n", "Authorization", bob).status()).isEqualTo(200);
        assertThat(http.put("/api/v1/admin/wipe", "", "Authorization", bob).status()).isEqualTo(202);
        assertThat(http.get("/metrics", "Authorization", bob).body()).doesNotContain("job=\"a\"");
        assertThat(http.put("/-/reload", "", "Authorization", bob).status()).isEqualTo(200);
    }

    @Test
    void roleLimitsDoNotOpenWhatTheFlagsKeepClosed() throws Exception {
        start("basic_auth_users:\n  alice: " + aliceHash + "\n"
                + "tidegate:\n  admin_users: [alice]\n  lifecycle_users: [alice]\n");
        TestHttp http = tidegate.http();
        String alice = basic("alice", "wonderland");
        assertThat(http.put("/api/v1/admin/wipe", "", "Authorization", alice).status())
                .as("without --web.enable-admin-api").isEqualTo(404);
        TestHttp.Answer quit = http.put("/-/quit", "", "Authorization", alice);
        assertThat(quit.status()).as("without --web.enable-lifecycle").isEqualTo(403);
        assertThat(quit.body()).isEqualTo("Lifecycle API is not enabled.\n");
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
