package io.tidegate.web;

import io.tidegate.config.ConfigException;
import io.tidegate.config.ConfigNode;
import io.tidegate.config.PemFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * The web configuration file ({@code --web.config.file}) in the format of the Prometheus exporter
 * toolkit, which every Prometheus component reads: TLS for the HTTP listener, extra response
 * headers, and bcrypt basic auth for the whole server. Read once at start: a broken file is a
 * startup error naming the file, the place and the problem; any key the format does not have is
 * one too. Certificates and keys are loaded and checked (the key must belong to the certificate)
 * while the file is read; relative file names are relative to the file's directory, as upstream.
 *
 * <pre>{@code
 * tls_server_config:
 *   cert_file: server.crt            # or cert: inline PEM
 *   key_file: server.key             # or key: inline PEM; unencrypted PKCS#8
 *   client_auth_type: RequireAndVerifyClientCert
 *   client_ca_file: ca.crt           # or client_ca: inline PEM
 *   client_allowed_sans: [scraper.example.com]
 *   min_version: TLS12               # TLS10 ... TLS13
 *   max_version: TLS13
 *   cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]
 *   curve_preferences: [X25519, CurveP256]
 *   prefer_server_cipher_suites: true
 * http_server_config:
 *   http2: true
 *   headers: {X-Frame-Options: deny}
 * basic_auth_users:
 *   alice: $2y$10$...                # bcrypt hash
 *   bob: $2y$10$...
 * tidegate:                          # Tidegate's own, not upstream's: see Role
 *   admin_users: [alice]             # only alice may wipe; absent: every user may
 *   lifecycle_users: [alice]         # only alice may quit and reload; absent: every user may
 * }</pre>
 *
 * <p>{@code rate_limit} of recent toolkits is refused with a message: limit request rates in the
 * proxy in front instead. The {@code tidegate} section is the one extension: upstream's parser
 * refuses any key it does not know, so a file with it is Tidegate's alone.
 *
 * @param roles the users each limited role is limited to; a role not in the map is open to every user
 */
public record WebConfig(Optional<Tls> tls, boolean http2, Map<String, String> headers, Map<String, String> users,
        Map<Role, Set<String>> roles) {
    /** No file: plain HTTP, no authentication. */
    public static final WebConfig NONE = new WebConfig(Optional.empty(), true, Map.of(), Map.of(), Map.of());

    private static final String TLS = "tls_server_config";
    private static final String HTTP = "http_server_config";
    private static final String USERS = "basic_auth_users";
    private static final String RATE_LIMIT = "rate_limit";
    private static final String TIDEGATE = "tidegate";
    private static final List<String> SECTIONS = List.of(TLS, HTTP, USERS, RATE_LIMIT, TIDEGATE);
    private static final List<String> ROLE_KEYS = Arrays.stream(Role.values()).map(role -> role.key).toList();
    private static final List<String> TLS_KEYS = List.of("cert", "key", "client_ca", "cert_file", "key_file",
            "client_auth_type", "client_ca_file", "client_allowed_sans", "min_version", "max_version", "cipher_suites",
            "prefer_server_cipher_suites", "curve_preferences");
    private static final List<String> HTTP_KEYS = List.of("http2", "headers");
    /** The headers upstream lets a file set, with the values it allows (any when none are listed). */
    private static final Map<String, List<String>> HEADERS = Map.of(
            "Strict-Transport-Security", List.of(),
            "X-Content-Type-Options", List.of("nosniff"),
            "X-Frame-Options", List.of("deny", "sameorigin"),
            "X-XSS-Protection", List.of(),
            "Content-Security-Policy", List.of());
    private static final Map<String, String> CURVES = Map.of(
            "CurveP256", "secp256r1", "CurveP384", "secp384r1", "CurveP521", "secp521r1", "X25519", "x25519");
    // Go's bcrypt accepts these: version 2 with a minor letter, a two-digit cost, 22 characters of salt, 31 of hash
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$(\\d\\d)\\$[./A-Za-z0-9]{53}");
    static final String BCRYPT_HINT = "make one with: htpasswd -nbBC 10 \"\" '<password>' | tr -d ':\\n'";

    public WebConfig {
        headers = Map.copyOf(headers);
        users = Map.copyOf(users);
        Map<Role, Set<String>> copied = new EnumMap<>(Role.class);
        roles.forEach((role, members) -> copied.put(role, Set.copyOf(members)));
        roles = Collections.unmodifiableMap(copied);
    }

    /** Whether {@code user} (who passed basic auth) may use what {@code role} grants: always, unless the file limits the role. */
    public boolean permits(Role role, String user) {
        Set<String> members = roles.get(role);
        return members == null || members.contains(user);
    }

    /** Who may connect, as Go's {@code tls.ClientAuthType} names it. */
    public enum ClientAuth {
        NO_CLIENT_CERT("NoClientCert"),
        REQUEST_CLIENT_CERT("RequestClientCert"),
        REQUIRE_ANY_CLIENT_CERT("RequireAnyClientCert"),
        VERIFY_CLIENT_CERT_IF_GIVEN("VerifyClientCertIfGiven"),
        REQUIRE_AND_VERIFY_CLIENT_CERT("RequireAndVerifyClientCert");

        public final String spelling;

        ClientAuth(String spelling) {
            this.spelling = spelling;
        }

        /** Whether the server asks the client for a certificate. */
        public boolean asks() {
            return this != NO_CLIENT_CERT;
        }

        /** Whether a client without a certificate is refused. */
        public boolean requires() {
            return this == REQUIRE_ANY_CLIENT_CERT || this == REQUIRE_AND_VERIFY_CLIENT_CERT;
        }

        /** Whether a certificate given must chain to a trusted CA. */
        public boolean verifies() {
            return this == VERIFY_CLIENT_CERT_IF_GIVEN || this == REQUIRE_AND_VERIFY_CLIENT_CERT;
        }

        static Optional<ClientAuth> parse(String spelling) {
            if (spelling.isEmpty()) {
                return Optional.of(NO_CLIENT_CERT);
            }
            if (spelling.equals("RequireClientCert")) { // upstream keeps the old name
                return Optional.of(REQUIRE_ANY_CLIENT_CERT);
            }
            return Arrays.stream(values()).filter(auth -> auth.spelling.equals(spelling)).findFirst();
        }
    }

    /** A TLS version as the file names it, with the JDK's name for it. */
    public enum TlsVersion {
        TLS10("TLSv1"), TLS11("TLSv1.1"), TLS12("TLSv1.2"), TLS13("TLSv1.3");

        public final String protocol;

        TlsVersion(String protocol) {
            this.protocol = protocol;
        }
    }

    /**
     * The HTTPS listener's settings, loaded.
     *
     * @param clientCas the CAs a client certificate must chain to; empty for the JVM's trust store
     * @param clientAllowedSans a client certificate must carry one of these SANs; empty for any
     * @param cipherSuites JDK names of the TLS 1.2 (and older) suites allowed; empty for the JDK's
     * @param namedGroups JDK names of the key-exchange groups, in preference order; empty for the JDK's
     */
    public record Tls(List<X509Certificate> chain, PrivateKey key, ClientAuth clientAuth,
            List<X509Certificate> clientCas, List<String> clientAllowedSans, TlsVersion minVersion,
            TlsVersion maxVersion, List<String> cipherSuites, List<String> namedGroups,
            boolean preferServerCipherSuites) {
        public Tls {
            chain = List.copyOf(chain);
            clientCas = List.copyOf(clientCas);
            clientAllowedSans = List.copyOf(clientAllowedSans);
            cipherSuites = List.copyOf(cipherSuites);
            namedGroups = List.copyOf(namedGroups);
        }

        /** The JDK's names of the versions from the minimum to the maximum. */
        public List<String> protocols() {
            List<String> protocols = new ArrayList<>();
            for (TlsVersion version : TlsVersion.values()) {
                if (version.compareTo(minVersion) >= 0 && version.compareTo(maxVersion) <= 0) {
                    protocols.add(version.protocol);
                }
            }
            return protocols;
        }
    }

    /** Reads and checks the file; messages name it as given. */
    public static WebConfig load(Path path) throws ConfigException {
        String file = path.toString();
        String what = file + ": cannot read the web configuration file";
        byte[] bytes = read(what, path);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(what + ": it is not UTF-8 text");
        }
        return parse(file, text, path.toAbsolutePath().getParent());
    }

    /** The configuration this YAML text gives; {@code file} names it in messages, file names are relative to {@code directory}. */
    static WebConfig parse(String file, String text, Path directory) throws ConfigException {
        Map<String, ConfigNode> sections = ConfigNode.parse(file, text).sections(SECTIONS);
        ConfigNode rateLimit = sections.get(RATE_LIMIT);
        if (rateLimit != null) {
            throw rateLimit.problem("not supported by Tidegate; limit request rates in a reverse proxy");
        }
        ConfigNode tls = sections.get(TLS);
        ConfigNode http = sections.get(HTTP);
        ConfigNode users = sections.get(USERS);
        boolean http2 = true;
        Map<String, String> headers = Map.of();
        if (http != null) {
            Map<String, ConfigNode> fields = http.fields("a mapping with " + String.join(", ", HTTP_KEYS), HTTP_KEYS);
            if (fields.containsKey("http2") && !fields.get("http2").isNull()) {
                http2 = fields.get("http2").bool();
            }
            if (fields.containsKey("headers")) {
                headers = headers(fields.get("headers"));
            }
        }
        Map<String, String> userHashes = users == null ? Map.of() : users(users);
        ConfigNode tidegate = sections.get(TIDEGATE);
        return new WebConfig(tls == null ? Optional.empty() : tls(tls, directory), http2, headers, userHashes,
                tidegate == null ? Map.of() : roles(tidegate, userHashes.keySet()));
    }

    /** The {@code tidegate} section: each role's users, every one of them a user of {@code basic_auth_users}. */
    private static Map<Role, Set<String>> roles(ConfigNode node, Set<String> users) throws ConfigException {
        Map<String, ConfigNode> fields = node.fields("a mapping with " + String.join(", ", ROLE_KEYS), ROLE_KEYS);
        Map<Role, Set<String>> roles = new EnumMap<>(Role.class);
        for (Role role : Role.values()) {
            ConfigNode list = fields.get(role.key);
            if (list == null) {
                continue;
            }
            String expected = "a list of user names from " + USERS;
            if (list.isNull()) { // a forgotten list must not open the role to everyone, nor close it to all
                throw list.expectedKind(expected + " ([] for nobody; leave the key out for every user)");
            }
            if (users.isEmpty()) {
                throw list.invalid("limits " + role.grants + " to named users, but " + USERS
                        + " names none: add the users and their bcrypt hashes there");
            }
            Set<String> members = new LinkedHashSet<>();
            for (ConfigNode element : list.elements(expected)) {
                String user = element.text("a user name");
                if (!users.contains(user)) {
                    throw element.invalid(user, "not a user of " + USERS + " (" + String.join(", ",
                            users.stream().sorted().toList()) + ")");
                }
                members.add(user);
            }
            roles.put(role, members);
        }
        return roles;
    }

    private static Map<String, String> headers(ConfigNode node) throws ConfigException {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> header : node.fields("a mapping of header names to values",
                HEADERS.keySet().stream().sorted().toList()).entrySet()) {
            String value = text(header.getValue());
            List<String> allowed = HEADERS.get(header.getKey());
            if (!allowed.isEmpty() && !allowed.contains(value)) {
                throw header.getValue().invalid(value, "expected one of " + String.join(", ", allowed));
            }
            if (!value.isEmpty()) { // blank means unset, as upstream
                headers.put(header.getKey(), value);
            }
        }
        return headers;
    }

    private static Map<String, String> users(ConfigNode node) throws ConfigException {
        Map<String, String> users = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> user : node.pairs("a mapping of user names to bcrypt hashes").entrySet()) {
            String hash = user.getValue().text("a bcrypt hash");
            Matcher bcrypt = BCRYPT.matcher(hash);
            // the hash is a secret: messages never quote it
            if (!bcrypt.matches()) {
                throw user.getValue().invalid("not a bcrypt hash (60 characters: $2a$, $2b$ or $2y$, a cost, salt "
                        + "and hash); " + BCRYPT_HINT);
            }
            int cost = Integer.parseInt(bcrypt.group(1));
            if (cost < 4 || cost > 31) {
                throw user.getValue().invalid("bcrypt cost " + cost + " is outside the allowed range (4 to 31)");
            }
            users.put(user.getKey(), hash);
        }
        return users;
    }

    /** Absent when the section sets none of the fields that turn TLS on, as upstream. */
    private static Optional<Tls> tls(ConfigNode node, Path directory) throws ConfigException {
        Map<String, ConfigNode> fields = node.fields("a mapping with " + String.join(", ", TLS_KEYS), TLS_KEYS);
        Map<String, String> texts = new LinkedHashMap<>();
        for (String key : List.of("cert", "key", "client_ca", "cert_file", "key_file", "client_auth_type",
                "client_ca_file", "min_version", "max_version")) {
            texts.put(key, fields.containsKey(key) ? text(fields.get(key)) : "");
        }
        boolean enabled = false;
        for (String key : List.of("cert", "key", "client_ca", "cert_file", "key_file", "client_auth_type", "client_ca_file")) {
            enabled |= !texts.get(key).isEmpty();
        }
        // the lists are checked even when TLS is off, so that a mistake shows at once
        List<String> allowedSans = list(fields.get("client_allowed_sans"), "a list of subject alternative names");
        List<String> cipherSuites = cipherSuites(fields.get("cipher_suites"));
        List<String> namedGroups = namedGroups(fields.get("curve_preferences"));
        TlsVersion min = version(fields.get("min_version"), texts.get("min_version"), TlsVersion.TLS12);
        TlsVersion max = version(fields.get("max_version"), texts.get("max_version"), TlsVersion.TLS13);
        boolean preferServer = !fields.containsKey("prefer_server_cipher_suites")
                || fields.get("prefer_server_cipher_suites").isNull() || fields.get("prefer_server_cipher_suites").bool();
        if (!enabled) {
            return Optional.empty();
        }
        if (min.compareTo(max) > 0) {
            throw node.problem("min_version " + min + " is above max_version " + max);
        }
        List<X509Certificate> chain = pem(node, fields, texts, "cert", directory,
                (what, bytes) -> PemFiles.certificates(what, bytes));
        PrivateKey key = pem(node, fields, texts, "key", directory, (what, bytes) -> PemFiles.privateKey(what, bytes));
        if (!PemFiles.matches(chain.get(0), key)) {
            throw node.problem("the private key (" + describe(texts, "key") + ") does not belong to the certificate ("
                    + describe(texts, "cert") + ")");
        }
        ClientAuth clientAuth = ClientAuth.parse(texts.get("client_auth_type")).orElseThrow(() ->
                fields.get("client_auth_type").invalid(texts.get("client_auth_type"), "expected one of "
                        + String.join(", ", Arrays.stream(ClientAuth.values()).map(auth -> auth.spelling).toList())));
        boolean hasCa = !texts.get("client_ca").isEmpty() || !texts.get("client_ca_file").isEmpty();
        List<X509Certificate> clientCas = hasCa
                ? pem(node, fields, texts, "client_ca", directory, (what, bytes) -> PemFiles.certificates(what, bytes))
                : List.of();
        if (hasCa && !clientAuth.asks()) {
            throw node.problem("client_ca_file is set but client_auth_type is NoClientCert: set client_auth_type to "
                    + "RequireAndVerifyClientCert to check client certificates");
        }
        if (!allowedSans.isEmpty() && !clientAuth.requires()) {
            throw node.problem("client_allowed_sans needs client_auth_type RequireAnyClientCert or "
                    + "RequireAndVerifyClientCert");
        }
        return Optional.of(new Tls(chain, key, clientAuth, clientCas, allowedSans, min, max, cipherSuites, namedGroups,
                preferServer));
    }

    private interface PemReader<T> {
        T read(String what, byte[] pem) throws ConfigException;
    }

    /** The PEM of {@code name} (inline) or {@code name_file}: exactly one of them. */
    private static <T> T pem(ConfigNode section, Map<String, ConfigNode> fields, Map<String, String> texts, String name,
            Path directory, PemReader<T> reader) throws ConfigException {
        String inline = texts.get(name);
        String file = texts.get(name + "_file");
        if (!inline.isEmpty() && !file.isEmpty()) {
            throw section.problem("give " + name + " or " + name + "_file, not both");
        }
        if (!file.isEmpty()) {
            Path path = directory.resolve(file);
            String what = section.problem(name + "_file " + path).getMessage();
            return reader.read(what, read(what, path));
        }
        if (!inline.isEmpty()) {
            return reader.read(section.problem(name).getMessage(), inline.getBytes(StandardCharsets.US_ASCII));
        }
        throw section.problem("missing one of " + name + " or " + name + "_file");
    }

    private static String describe(Map<String, String> texts, String name) {
        return texts.get(name + "_file").isEmpty() ? name : name + "_file " + texts.get(name + "_file");
    }

    private static TlsVersion version(ConfigNode node, String text, TlsVersion absent) throws ConfigException {
        if (text.isEmpty()) {
            return absent;
        }
        try {
            return TlsVersion.valueOf(text);
        } catch (IllegalArgumentException e) {
            throw node.invalid(text, "unknown TLS version (one of TLS10, TLS11, TLS12, TLS13)");
        }
    }

    private static List<String> cipherSuites(ConfigNode node) throws ConfigException {
        List<String> names = list(node, "a list of cipher suite names");
        if (names.isEmpty()) {
            return names;
        }
        Set<String> supported;
        try {
            supported = Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
        } catch (NoSuchAlgorithmException e) {
            throw node.invalid("this Java has no TLS: " + e.getMessage());
        }
        for (String name : names) {
            if (!supported.contains(name)) {
                throw node.invalid(name, "unknown cipher suite, or one this Java does not support");
            }
        }
        return names;
    }

    private static List<String> namedGroups(ConfigNode node) throws ConfigException {
        List<String> groups = new ArrayList<>();
        for (String curve : list(node, "a list of curve names")) {
            String group = CURVES.get(curve);
            if (group == null) {
                throw node.invalid(curve, "unknown curve (one of " + String.join(", ", CURVES.keySet().stream()
                        .sorted().toList()) + ")");
            }
            groups.add(group);
        }
        return groups;
    }

    private static List<String> list(ConfigNode node, String expected) throws ConfigException {
        List<String> texts = new ArrayList<>();
        if (node != null) {
            for (ConfigNode element : node.elements(expected)) {
                texts.add(element.text("a string"));
            }
        }
        return texts;
    }

    /** A scalar's text; absent (null) is the empty string, as in Go. */
    private static String text(ConfigNode node) throws ConfigException {
        return node.isNull() ? "" : node.text("a string");
    }

    private static byte[] read(String what, Path path) throws ConfigException {
        try {
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new ConfigException(what + ": no such file");
        } catch (AccessDeniedException e) {
            throw new ConfigException(what + ": permission denied");
        } catch (IOException e) {
            throw new ConfigException(what + ": " + e.getMessage());
        }
    }
}
