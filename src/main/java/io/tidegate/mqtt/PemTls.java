package io.tidegate.mqtt;

import io.tidegate.config.ConfigException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS to the broker from the PEM files operators already have for Mosquitto ({@code cafile},
 * {@code certfile}, {@code keyfile}), built with the JDK alone: no keystore to convert to.
 */
final class PemTls {
    private static final Pattern PEM_BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
    private static final String[] KEY_ALGORITHMS = {"RSA", "EC", "Ed25519", "Ed448"};

    private PemTls() {}

    /**
     * A socket factory that trusts the certificates in {@code caFile} (the JVM's trust store when empty)
     * and presents the certificate in {@code certFile} with the key in {@code keyFile} (none when both
     * are empty).
     */
    static SSLSocketFactory socketFactory(String caFile, String certFile, String keyFile) throws ConfigException {
        if (certFile.isEmpty() != keyFile.isEmpty()) {
            throw new ConfigException("--mqtt.cert-file and --mqtt.key-file go together: give both or neither");
        }
        try {
            TrustManagerFactory trust = null;
            if (!caFile.isEmpty()) {
                KeyStore cas = emptyKeyStore();
                int i = 0;
                for (Certificate ca : certificates("--mqtt.ca-file", caFile)) {
                    cas.setCertificateEntry("ca" + i++, ca);
                }
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(cas);
            }
            KeyManagerFactory keys = null;
            if (!certFile.isEmpty()) {
                Collection<? extends Certificate> chain = certificates("--mqtt.cert-file", certFile);
                KeyStore store = emptyKeyStore();
                store.setKeyEntry("client", privateKey(keyFile), new char[0], chain.toArray(Certificate[]::new));
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(store, new char[0]);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new ConfigException("cannot set up TLS for MQTT: " + e.getMessage());
        }
    }

    private static KeyStore emptyKeyStore() throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException(e);
        }
        return store;
    }

    private static Collection<? extends Certificate> certificates(String flag, String file) throws ConfigException {
        byte[] pem = MqttSettings.read(flag, Path.of(file));
        Collection<? extends Certificate> certificates;
        try {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem));
        } catch (CertificateException e) {
            throw new ConfigException(flag + " " + file + " is not a PEM certificate file: " + e.getMessage());
        }
        if (certificates.isEmpty()) {
            throw new ConfigException(flag + " " + file + " holds no certificate");
        }
        return certificates;
    }

    private static PrivateKey privateKey(String file) throws ConfigException {
        String pem = new String(MqttSettings.read("--mqtt.key-file", Path.of(file)), StandardCharsets.US_ASCII);
        Matcher block = PEM_BLOCK.matcher(pem);
        while (block.find()) {
            String type = block.group(1);
            if (type.equals("PRIVATE KEY")) {
                return pkcs8(file, Base64.getMimeDecoder().decode(block.group(2)));
            }
            if (type.endsWith("PRIVATE KEY")) {
                throw new ConfigException("--mqtt.key-file " + file + " holds a " + type + "; Tidegate reads unencrypted "
                        + "PKCS#8 (BEGIN PRIVATE KEY): convert it with openssl pkcs8 -topk8 -nocrypt -in "
                        + file + " -out key.pem");
            }
        }
        throw new ConfigException("--mqtt.key-file " + file + " holds no PEM private key (BEGIN PRIVATE KEY)");
    }

    private static PrivateKey pkcs8(String file, byte[] der) throws ConfigException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
                // the DER names its algorithm; the factories for the others refuse it
            }
        }
        throw new ConfigException("--mqtt.key-file " + file + ": not an RSA, EC or EdDSA PKCS#8 key");
    }
}
