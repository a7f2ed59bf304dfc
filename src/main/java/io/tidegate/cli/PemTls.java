package io.tidegate.cli;

import io.tidegate.config.ConfigException;
import io.tidegate.config.PemFiles;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * TLS to the broker from the PEM files operators already have for Mosquitto ({@code cafile},
 * {@code certfile}, {@code keyfile}), read by {@link PemFiles}.
 */
final class PemTls {
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
            TrustManager[] trust = null;
            if (!caFile.isEmpty()) {
                trust = PemFiles.trustManagers(PemFiles.certificates("--mqtt.ca-file " + caFile,
                        MqttFlags.read("--mqtt.ca-file", Path.of(caFile))));
            }
            KeyManager[] keys = null;
            if (!certFile.isEmpty()) {
                keys = PemFiles.keyManagers(
                        PemFiles.certificates("--mqtt.cert-file " + certFile,
                                MqttFlags.read("--mqtt.cert-file", Path.of(certFile))),
                        PemFiles.privateKey("--mqtt.key-file " + keyFile,
                                MqttFlags.read("--mqtt.key-file", Path.of(keyFile))));
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust, null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new ConfigException("cannot set up TLS for MQTT: " + e.getMessage());
        }
    }
}
