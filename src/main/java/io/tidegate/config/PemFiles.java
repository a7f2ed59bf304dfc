package io.tidegate.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates and keys from the PEM files operators already have (for Mosquitto, for the
 * Prometheus exporter toolkit), turned into what the JDK's TLS needs, with the JDK alone: no
 * keystore to convert to. Both the MQTT client and the HTTPS listener read theirs here.
 *
 * <p>Each method takes {@code what}, the file as messages name it ({@code --mqtt.key-file /etc/key.pem},
 * {@code web.yml: tls_server_config: key_file /etc/key.pem}), and the file's bytes.
 */
public final class PemFiles {
    private static final Pattern PEM_BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
    private static final String[] KEY_ALGORITHMS = {"RSA", "EC", "Ed25519", "Ed448"};

    private PemFiles() {}

    /** Every certificate in the file, in order (a chain starts with its leaf); at least one. */
    public static List<X509Certificate> certificates(String what, byte[] pem) throws ConfigException {
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            for (Certificate certificate : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem))) {
                certificates.add((X509Certificate) certificate);
            }
        } catch (CertificateException e) {
            throw new ConfigException(what + " is not a PEM certificate file: " + e.getMessage());
        }
        if (certificates.isEmpty()) {
            throw new ConfigException(what + " holds no certificate");
        }
        return certificates;
    }

    /** The file's unencrypted PKCS#8 private key (RSA, EC or EdDSA). */
    public static PrivateKey privateKey(String what, byte[] pem) throws ConfigException {
        Matcher block = PEM_BLOCK.matcher(new String(pem, StandardCharsets.US_ASCII));
        while (block.find()) {
            String type = block.group(1);
            if (type.equals("PRIVATE KEY")) {
                return pkcs8(what, Base64.getMimeDecoder().decode(block.group(2)));
            }
            if (type.endsWith("PRIVATE KEY")) {
                throw new ConfigException(what + " holds a " + type + "; Tidegate reads unencrypted PKCS#8 "
                        + "(BEGIN PRIVATE KEY): convert it with openssl pkcs8 -topk8 -nocrypt -in <file> -out key.pem");
            }
        }
        throw new ConfigException(what + " holds no PEM private key (BEGIN PRIVATE KEY)");
    }

    private static PrivateKey pkcs8(String what, byte[] der) throws ConfigException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException | NoSuchAlgorithmException e) {
                // the DER names its algorithm; the factories for the others refuse it
            }
        }
        throw new ConfigException(what + ": not an RSA, EC or EdDSA PKCS#8 key");
    }

    /** Key managers that present {@code chain} (leaf first) with its {@code key}. */
    public static KeyManager[] keyManagers(List<X509Certificate> chain, PrivateKey key) throws GeneralSecurityException {
        KeyStore store = emptyKeyStore();
        store.setKeyEntry("key", key, new char[0], chain.toArray(Certificate[]::new));
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, new char[0]);
        return keys.getKeyManagers();
    }

    /** Trust managers that trust exactly these CA certificates. */
    public static TrustManager[] trustManagers(List<X509Certificate> cas) throws GeneralSecurityException {
        KeyStore store = emptyKeyStore();
        int i = 0;
        for (X509Certificate ca : cas) {
            store.setCertificateEntry("ca" + i++, ca);
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        return trust.getTrustManagers();
    }

    /**
     * Whether {@code key} belongs to {@code certificate}: signs a few bytes and checks them with the
     * certificate's public key, so a swapped file is a startup error, not a failed handshake later.
     */
    public static boolean matches(X509Certificate certificate, PrivateKey key) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // Ed25519, Ed448 and EdDSA sign as themselves
        };
        byte[] probe = "tidegate".getBytes(StandardCharsets.US_ASCII);
        try {
            java.security.Signature signer = java.security.Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            java.security.Signature verifier = java.security.Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // a key of another kind than the certificate's
        }
    }

    private static KeyStore emptyKeyStore() throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        return store;
    }
}
