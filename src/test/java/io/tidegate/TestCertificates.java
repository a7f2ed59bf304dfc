package io.tidegate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A test CA (RSA) and two certificates it signs, made with {@code openssl} in {@code dir}: one for a
 * server on localhost and 127.0.0.1, one for a client, both with EC keys in PEM, PKCS#8, as
 * operators keep them for Mosquitto.
 */
public record TestCertificates(Path dir) {
    public static TestCertificates createIn(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestCertificates certificates = new TestCertificates(dir);
        String d = dir.toString();
        MosquittoBroker.run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=Tidegate Test CA", "-keyout", d + "/ca.key", "-out", d + "/ca.crt");
        certificates.sign("server", "/CN=localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        certificates.sign("client", "/CN=tidegate", "extendedKeyUsage=clientAuth");
        return certificates;
    }

    private void sign(String name, String subject, String extension) {
        String d = dir.toString();
        try {
            Files.writeString(dir.resolve(name + ".ext"), extension + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        MosquittoBroker.run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-subj", subject, "-keyout", d + "/" + name + ".key", "-out", d + "/" + name + ".csr");
        MosquittoBroker.run("openssl", "x509", "-req", "-in", d + "/" + name + ".csr", "-CA", d + "/ca.crt",
                "-CAkey", d + "/ca.key", "-CAcreateserial", "-days", "2", "-extfile", d + "/" + name + ".ext",
                "-out", d + "/" + name + ".crt");
    }

    public Path caCertificate() {
        return dir.resolve("ca.crt");
    }

    /** The CA's own key: RSA, PKCS#8. */
    public Path caKey() {
        return dir.resolve("ca.key");
    }

    public Path serverCertificate() {
        return dir.resolve("server.crt");
    }

    public Path serverKey() {
        return dir.resolve("server.key");
    }

    public Path clientCertificate() {
        return dir.resolve("client.crt");
    }

    public Path clientKey() {
        return dir.resolve("client.key");
    }
}
