package io.tidegate.web;

import io.tidegate.config.ConfigException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidegate.MosquittoBroker;
import io.tidegate.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.api.AbstractThrowableAssert;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --web.config.file}: the exporter toolkit's format read whole, and every mistake in it a
 * startup error naming the file, the place and the problem.
 */
class WebConfigTest {
    @TempDir
    static Path dir;

    private static TestCertificates certificates;
    private static String hash;

    @BeforeAll
    static void makeCertificatesAndAHash() {
        certificates = TestCertificates.createIn(dir.resolve("tls"));
        hash = OpenBSDBCrypt.generate("2y", "secret".toCharArray(), new byte[16], 4);
    }

    private static WebConfig load(String yaml) throws Exception {
        Path file = dir.resolve("web.yml");
        Files.writeString(file, yaml);
        return WebConfig.load(file);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> loading(String yaml) throws IOException {
        Path file = dir.resolve("web.yml");
        Files.writeString(file, yaml);
        return assertThatThrownBy(() -> WebConfig.load(file)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ": ");
    }

    /** A tls_server_config with the test server's certificate and key, relative to the file, plus these lines. */
    private static String tls(String... more) {
        return "tls_server_config:\n  cert_file: tls/server.crt\n  key_file: tls/server.key\n"
                + String.join("", List.of(more).stream().map(line -> "  " + line + "\n").toList());
    }

    @Test
    void emptyFileIsPlainHttpWithoutUsers() throws Exception {
        WebConfig config = load("# nothing yet\n");
        assertThat(config.tls()).isEmpty();
        assertThat(config.users()).isEmpty();
        assertThat(config.headers()).isEmpty();
        assertThat(config.http2()).isTrue();
    }

    @Test
    void fullFileLoadsWithFilesRelativeToItsDirectory() throws Exception {
        WebConfig config = load(tls("client_auth_type: RequireAndVerifyClientCert", "client_ca_file: tls/ca.crt",
                "client_allowed_sans: [tidegate, 127.0.0.1]", "min_version: TLS13", "max_version: TLS13",
                "cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]", "curve_preferences: [X25519, CurveP256]",
                "prefer_server_cipher_suites: false")
                + "http_server_config:\n  http2: false\n  headers:\n    X-Frame-Options: deny\n    X-XSS-Protection: ''\n"
                + "basic_auth_users:\n  alice: " + hash + "\n  '42': " + hash + "\n");
        WebConfig.Tls tls = config.tls().orElseThrow();
        assertThat(tls.chain()).hasSize(1);
        assertThat(tls.chain().get(0).getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
        assertThat(tls.key().getAlgorithm()).isEqualTo("EC");
        assertThat(tls.clientAuth()).isEqualTo(WebConfig.ClientAuth.REQUIRE_AND_VERIFY_CLIENT_CERT);
        assertThat(tls.clientCas()).hasSize(1);
        assertThat(tls.clientAllowedSans()).containsExactly("tidegate", "127.0.0.1");
        assertThat(tls.protocols()).containsExactly("TLSv1.3");
        assertThat(tls.cipherSuites()).containsExactly("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        assertThat(tls.namedGroups()).containsExactly("x25519", "secp256r1");
        assertThat(tls.preferServerCipherSuites()).isFalse();
        assertThat(config.http2()).isFalse();
        assertThat(config.headers()).as("a blank header is unset").isEqualTo(Map.of("X-Frame-Options", "deny"));
        assertThat(config.users()).isEqualTo(Map.of("alice", hash, "42", hash));
    }

    @Test
    void defaultsAreUpstreams() throws Exception {
        WebConfig.Tls tls = load(tls()).tls().orElseThrow();
        assertThat(tls.clientAuth()).isEqualTo(WebConfig.ClientAuth.NO_CLIENT_CERT);
        assertThat(tls.protocols()).containsExactly("TLSv1.2", "TLSv1.3");
        assertThat(tls.preferServerCipherSuites()).isTrue();
        assertThat(tls.clientCas()).isEmpty();
    }

    @Test
    void inlinePemWorksAsFilesDo() throws Exception {
        String cert = Files.readString(certificates.serverCertificate()).indent(4);
        String key = Files.readString(certificates.serverKey()).indent(4);
        WebConfig.Tls tls = load("tls_server_config:\n  cert: |\n" + cert + "  key: |\n" + key).tls().orElseThrow();
        assertThat(tls.chain()).hasSize(1);
    }

    @Test
    void tlsIsOffWhenNothingTurnsItOn() throws Exception {
        assertThat(load("tls_server_config:\n  min_version: TLS13\n").tls()).as("as upstream's IsEnabled").isEmpty();
    }

    @Test
    void oldClientAuthNameStillWorks() throws Exception {
        assertThat(load(tls("client_auth_type: RequireClientCert")).tls().orElseThrow().clientAuth())
                .isEqualTo(WebConfig.ClientAuth.REQUIRE_ANY_CLIENT_CERT);
    }

    @Test
    void missingFileIsAnError() {
        Path missing = dir.resolve("absent.yml");
        assertThatThrownBy(() -> WebConfig.load(missing)).isInstanceOf(ConfigException.class)
                .hasMessage(missing + ": cannot read the web configuration file: no such file");
    }

    @Test
    void unknownKeysAreErrors() throws Exception {
        loading("tls_server_confg:\n  cert_file: x\n").hasMessageContaining("unknown top-level key \"tls_server_confg\" (line 1)");
        loading(tls("certfile: x")).hasMessageContaining("tls_server_config (line 1): unknown key \"certfile\" (line 4)");
        loading("http_server_config:\n  http3: true\n").hasMessageContaining("unknown key \"http3\"");
        loading("http_server_config:\n  headers:\n    Server: tidegate\n").hasMessageContaining("unknown key \"Server\"");
    }

    @Test
    void rateLimitIsRefusedWithAReason() throws Exception {
        loading("rate_limit:\n  interval: 1s\n  burst: 10\n").hasMessageContaining("rate_limit (line 1): not supported");
    }

    @Test
    void yamlErrorsNameTheLine() throws Exception {
        loading("basic_auth_users:\n  alice: [\n").hasMessageContaining("YAML syntax error");
        loading("- just a list\n").hasMessageContaining("expected a mapping of sections");
    }

    @Test
    void missingCertificateFileIsAnError() throws Exception {
        loading("tls_server_config:\n  cert_file: nowhere.crt\n  key_file: tls/server.key\n")
                .hasMessageContaining("tls_server_config (line 1): cert_file " + dir.resolve("nowhere.crt"))
                .hasMessageEndingWith(": no such file");
    }

    @Test
    void certificateWithoutKeyAndKeyWithoutCertificateAreErrors() throws Exception {
        loading("tls_server_config:\n  cert_file: tls/server.crt\n").hasMessageContaining("missing one of key or key_file");
        loading("tls_server_config:\n  key_file: tls/server.key\n").hasMessageContaining("missing one of cert or cert_file");
        loading(tls("cert: inline")).hasMessageContaining("give cert or cert_file, not both");
    }

    @Test
    void filesMustHoldWhatTheirKeySays() throws Exception {
        loading("tls_server_config:\n  cert_file: tls/server.key\n  key_file: tls/server.key\n")
                .hasMessageContaining("cert_file").hasMessageContaining("is not a PEM certificate file");
        loading("tls_server_config:\n  cert_file: tls/server.crt\n  key_file: tls/server.crt\n")
                .hasMessageContaining("holds no PEM private key");
        loading("tls_server_config:\n  cert_file: tls/server.crt\n  key_file: tls/client.key\n")
                .hasMessageContaining("the private key (key_file tls/client.key) does not belong to the certificate "
                        + "(cert_file tls/server.crt)");
        MosquittoBroker.run("openssl", "rsa", "-in", certificates.caKey().toString(), "-traditional",
                "-out", dir.resolve("tls/pkcs1.key").toString());
        loading("tls_server_config:\n  cert_file: tls/ca.crt\n  key_file: tls/pkcs1.key\n")
                .hasMessageContaining("holds a RSA PRIVATE KEY").hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    }

    @Test
    void badVersionsAreErrors() throws Exception {
        loading(tls("min_version: TLS14")).hasMessageContaining("min_version \"TLS14\": unknown TLS version");
        loading(tls("max_version: 1.2")).hasMessageContaining("max_version \"1.2\": unknown TLS version");
        loading(tls("min_version: TLS13", "max_version: TLS12"))
                .hasMessageContaining("min_version TLS13 is above max_version TLS12");
    }

    @Test
    void badClientAuthIsAnError() throws Exception {
        loading(tls("client_auth_type: Always")).hasMessageContaining("client_auth_type \"Always\": expected one of "
                + "NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, "
                + "RequireAndVerifyClientCert");
        loading(tls("client_ca_file: tls/ca.crt")).hasMessageContaining("client_auth_type is NoClientCert");
        loading(tls("client_auth_type: VerifyClientCertIfGiven", "client_allowed_sans: [a]"))
                .hasMessageContaining("client_allowed_sans needs client_auth_type RequireAnyClientCert or "
                        + "RequireAndVerifyClientCert");
        loading(tls("client_auth_type: RequireAndVerifyClientCert", "client_ca_file: tls/none.crt"))
                .hasMessageContaining("client_ca_file").hasMessageEndingWith("no such file");
    }

    @Test
    void badCipherSuitesAndCurvesAreErrors() throws Exception {
        loading(tls("cipher_suites: [TLS_FANCY]")).hasMessageContaining("cipher_suites \"TLS_FANCY\": unknown cipher suite");
        loading(tls("curve_preferences: [P256]")).hasMessageContaining("curve_preferences \"P256\": unknown curve "
                + "(one of CurveP256, CurveP384, CurveP521, X25519)");
        loading(tls("cipher_suites: TLS_AES_128_GCM_SHA256")).hasMessageContaining("cipher_suites: expected a list");
    }

    @Test
    void badHashesAreErrorsThatDoNotQuoteThem() throws Exception {
        String truncated = hash.substring(0, 59);
        loading("basic_auth_users:\n  alice: " + truncated + "\n")
                .hasMessageContaining("basic_auth_users (line 1): alice: not a bcrypt hash")
                .hasMessageContaining("htpasswd -nbBC 10")
                .hasMessageNotContaining(truncated);
        loading("basic_auth_users:\n  alice: secret\n").hasMessageContaining("alice: not a bcrypt hash")
                .hasMessageNotContaining("secret");
        loading("basic_auth_users:\n  bob: " + hash.replace("$04$", "$03$") + "\n")
                .hasMessageContaining("bob: bcrypt cost 3 is outside the allowed range (4 to 31)");
        loading("basic_auth_users:\n  bob:\n").hasMessageContaining("bob: expected a bcrypt hash, found nothing");
        loading("basic_auth_users: [alice]\n").hasMessageContaining("expected a mapping of user names to bcrypt hashes");
    }

    @Test
    void badHeadersAreErrors() throws Exception {
        loading("http_server_config:\n  headers:\n    X-Frame-Options: always\n")
                .hasMessageContaining("X-Frame-Options \"always\": expected one of deny, sameorigin");
        loading("http_server_config:\n  http2: maybe\n").hasMessageContaining("http2: expected true or false");
    }

    /** alice and bob with the test hash, then this {@code tidegate} section. */
    private static String aliceAndBob(String tidegate) {
        return "basic_auth_users:\n  alice: " + hash + "\n  bob: " + hash + "\ntidegate:\n" + tidegate;
    }

    @Test
    void rolesLimitAdminAndLifecycleToTheUsersNamed() throws Exception {
        WebConfig config = load(aliceAndBob("  admin_users: [alice]\n  lifecycle_users: [alice, bob]\n"));
        assertThat(config.permits(Role.ADMIN, "alice")).isTrue();
        assertThat(config.permits(Role.ADMIN, "bob")).isFalse();
        assertThat(config.permits(Role.LIFECYCLE, "bob")).isTrue();
        assertThat(config.roles()).isEqualTo(Map.of(Role.ADMIN, Set.of("alice"), Role.LIFECYCLE, Set.of("alice", "bob")));
    }

    @Test
    void aRoleLeftOutIsOpenToEveryUserAsUpstream() throws Exception {
        WebConfig withoutSection = load("basic_auth_users:\n  bob: " + hash + "\n");
        assertThat(withoutSection.roles()).isEmpty();
        assertThat(withoutSection.permits(Role.ADMIN, "bob")).isTrue();
        assertThat(withoutSection.permits(Role.LIFECYCLE, "bob")).isTrue();
        WebConfig adminOnly = load(aliceAndBob("  admin_users: [alice]\n"));
        assertThat(adminOnly.permits(Role.LIFECYCLE, "bob")).isTrue();
        assertThat(load(aliceAndBob("")).roles()).as("an empty section limits nothing").isEmpty();
    }

    @Test
    void anEmptyRoleListIsNobody() throws Exception {
        WebConfig config = load(aliceAndBob("  admin_users: []\n"));
        assertThat(config.permits(Role.ADMIN, "alice")).isFalse();
        assertThat(config.permits(Role.ADMIN, "bob")).isFalse();
    }

    @Test
    void aRoleUserMustBeABasicAuthUser() throws Exception {
        loading(aliceAndBob("  admin_users: [alice]\n  lifecycle_users: [alice, carol]\n"))
                .hasMessageEndingWith(": tidegate (line 4): lifecycle_users[2] \"carol\": not a user of basic_auth_users "
                        + "(alice, bob)");
        loading("tidegate:\n  admin_users: [alice]\n")
                .hasMessageEndingWith(": tidegate (line 1): admin_users: limits the admin API to named users, but "
                        + "basic_auth_users names none: add the users and their bcrypt hashes there");
    }

    @Test
    void rolesOfTheWrongShapeAreErrors() throws Exception {
        loading(aliceAndBob("  admin_users: alice\n"))
                .hasMessageContaining("tidegate (line 4): admin_users: expected a list of user names from "
                        + "basic_auth_users, found the string \"alice\"");
        loading(aliceAndBob("  lifecycle_users:\n"))
                .hasMessageContaining("tidegate (line 4): lifecycle_users: expected a list of user names from "
                        + "basic_auth_users ([] for nobody; leave the key out for every user), found nothing");
        loading(aliceAndBob("  admin_users: [[alice]]\n"))
                .hasMessageContaining("admin_users[1]: expected a user name, found a list");
        loading(aliceAndBob("  wipe_users: [alice]\n"))
                .hasMessageContaining("tidegate (line 4): unknown key \"wipe_users\" (line 5); known: admin_users, "
                        + "lifecycle_users");
        loading("tidegate: [admin_users]\n")
                .hasMessageContaining("tidegate (line 1): expected a mapping with admin_users, lifecycle_users, found a list");
    }
}
