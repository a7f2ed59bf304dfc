package io.tidegate.web;

import io.tidegate.config.ConfigException;
import io.tidegate.config.PemFiles;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The HTTPS listener of a {@code tls_server_config}: Jetty's {@link SslContextFactory.Server} with
 * the certificate and key, the TLS versions, cipher suites and curves of the file, and client
 * certificates asked for, required and verified as Go's {@code tls.ClientAuthType} does.
 */
final class TlsConnector {
    // Go's crypto/tls always enables these for TLS 1.3; cipher_suites only restricts older versions
    private static final List<String> TLS13_SUITES = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256");
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    /** SSLParameters.setNamedGroups, from Java 20 on; null before. */
    private static final MethodHandle SET_NAMED_GROUPS = namedGroupsSetter();

    private final SslContextFactory.Server factory;

    TlsConnector(WebConfig.Tls tls) throws ConfigException {
        if (!tls.namedGroups().isEmpty() && SET_NAMED_GROUPS == null) {
            throw new ConfigException("curve_preferences needs Java 20 or newer (this is Java "
                    + Runtime.version().feature() + "); remove it to use the JDK's curves");
        }
        SSLContext context;
        try {
            context = SSLContext.getInstance("TLS");
            context.init(PemFiles.keyManagers(tls.chain(), tls.key()), clientTrust(tls), null);
        } catch (GeneralSecurityException e) {
            throw new ConfigException("cannot set up TLS for the web listener: " + e.getMessage());
        }
        List<String> namedGroups = tls.namedGroups();
        factory = new SslContextFactory.Server() {
            @Override
            public void customize(SSLEngine engine) {
                super.customize(engine);
                if (!namedGroups.isEmpty()) {
                    SSLParameters parameters = engine.getSSLParameters();
                    setNamedGroups(parameters, namedGroups);
                    engine.setSSLParameters(parameters);
                }
            }
        };
        factory.setSslContext(context);
        factory.setIncludeProtocols(tls.protocols().toArray(String[]::new));
        // Go's crypto/tls offers TLS 1.0 and 1.1 when asked to; Jetty excludes nothing but SSL by default either
        factory.setExcludeProtocols("SSL", "SSLv2", "SSLv2Hello", "SSLv3");
        if (!tls.cipherSuites().isEmpty()) {
            List<String> suites = new ArrayList<>(tls.cipherSuites());
            TLS13_SUITES.stream().filter(suite -> !suites.contains(suite)).forEach(suites::add);
            factory.setIncludeCipherSuites(suites.toArray(String[]::new));
            factory.setExcludeCipherSuites();
        }
        factory.setUseCipherSuitesOrder(tls.preferServerCipherSuites());
        factory.setNeedClientAuth(tls.clientAuth().requires());
        factory.setWantClientAuth(tls.clientAuth().asks() && !tls.clientAuth().requires());
        factory.setSniRequired(false);
    }

    /** Listens on {@code host:port} (all interfaces for an empty host) for HTTP over TLS. */
    ServerConnector connector(Server server, HttpConfiguration http, String host, int port) {
        HttpConfiguration https = new HttpConfiguration(http);
        // Go serves whatever Host a client names; Jetty would refuse one the certificate does not name
        https.addCustomizer(new SecureRequestCustomizer(false, false, -1, false));
        ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(factory, "http/1.1"),
                new HttpConnectionFactory(https));
        connector.setHost(host.isEmpty() ? null : host);
        connector.setPort(port);
        return connector;
    }

    /**
     * Checks client certificates as the client auth type says: against the CAs given (or the JVM's)
     * when it verifies, not at all when it only asks or requires one; and then against the allowed SANs.
     */
    private static TrustManager[] clientTrust(WebConfig.Tls tls) throws GeneralSecurityException {
        X509TrustManager verifier = null;
        if (tls.clientAuth().verifies()) {
            TrustManager[] managers;
            if (tls.clientCas().isEmpty()) {
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init((KeyStore) null);
                managers = factory.getTrustManagers();
            } else {
                managers = PemFiles.trustManagers(tls.clientCas());
            }
            verifier = (X509TrustManager) managers[0];
        }
        return new TrustManager[] {new ClientCertificateCheck(verifier, tls.clientAllowedSans())};
    }

    /** A client certificate chained to the verifier's CAs (any, without one) that names an allowed SAN (any, without them). */
    private static final class ClientCertificateCheck extends X509ExtendedTrustManager {
        private final X509TrustManager verifier;
        private final List<String> allowedSans;

        ClientCertificateCheck(X509TrustManager verifier, List<String> allowedSans) {
            this.verifier = verifier;
            this.allowedSans = allowedSans;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (verifier != null) {
                verifier.checkClientTrusted(chain, authType);
            }
            if (!allowedSans.isEmpty() && !namesAllowedSan(chain[0])) {
                throw new CertificateException("the client certificate names none of client_allowed_sans "
                        + allowedSans);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        private boolean namesAllowedSan(X509Certificate certificate) throws CertificateParsingException {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names == null) {
                return false;
            }
            for (List<?> name : names) {
                int type = (Integer) name.get(0);
                if (type == 1 || type == 2 || type == 6) { // e-mail, DNS, URI: as written
                    if (allowedSans.contains((String) name.get(1))) {
                        return true;
                    }
                } else if (type == 7 && allowedSans.stream().anyMatch(allowed -> sameAddress(allowed, (String) name.get(1)))) {
                    return true;
                }
            }
            return false;
        }

        /** IP addresses compare as addresses: "::1" names the same as "0:0:0:0:0:0:0:1". */
        private static boolean sameAddress(String allowed, String address) {
            if (!IP_LITERAL.matcher(allowed).matches()) {
                return false; // a host name: InetAddress would look it up
            }
            try {
                return InetAddress.getByName(allowed).equals(InetAddress.getByName(address));
            } catch (UnknownHostException e) {
                return false;
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("this trust manager only checks clients");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            // the CAs named to clients in the handshake, so they pick a certificate those signed
            return verifier == null ? new X509Certificate[0] : verifier.getAcceptedIssuers();
        }
    }

    private static MethodHandle namedGroupsSetter() {
        try {
            return MethodHandles.publicLookup().findVirtual(SSLParameters.class, "setNamedGroups",
                    MethodType.methodType(void.class, String[].class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }

    private static void setNamedGroups(SSLParameters parameters, List<String> groups) {
        try {
            SET_NAMED_GROUPS.invoke(parameters, groups.toArray(String[]::new));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
