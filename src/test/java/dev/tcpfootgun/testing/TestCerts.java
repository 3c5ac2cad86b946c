package dev.tcpfootgun.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates and keys made at test time with openssl (Debian's), for 127.0.0.1 and localhost;
 * tests that need them are skipped when openssl is missing. Nothing secret is checked in.
 */
public record TestCerts(Path dir) {

    /** A CA, a server certificate signed by it (RSA, PKCS#8 key), and a client certificate signed by it. */
    public static TestCerts create(Path dir) throws Exception {
        assumeTrue(Cmd.available("openssl"), "needs openssl to make test certificates");
        java.nio.file.Files.createDirectories(dir);
        TestCerts c = new TestCerts(dir);
        c.openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
                "-subj", "/CN=tcp-footgun test CA");
        c.signed("server", "rsa:2048", "subjectAltName=IP:127.0.0.1,DNS:localhost");
        c.signed("client", "rsa:2048", "extendedKeyUsage=clientAuth");
        // the same server key in the traditional OpenSSL forms
        c.openssl("rsa", "-in", "server.key", "-traditional", "-out", "server-pkcs1.key");
        c.openssl("ecparam", "-name", "prime256v1", "-genkey", "-out", "ec-sec1.key"); // EC PARAMETERS + EC PRIVATE KEY
        c.openssl("pkey", "-in", "ec-sec1.key", "-out", "ec-pkcs8.key");
        c.openssl("req", "-new", "-key", "ec-sec1.key", "-out", "ec.csr", "-subj", "/CN=localhost");
        c.openssl("x509", "-req", "-in", "ec.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
                "-out", "ec.crt", "-extfile", c.ext("ec", "subjectAltName=IP:127.0.0.1,DNS:localhost"));
        c.openssl("pkey", "-in", "server.key", "-aes256", "-passout", "pass:secret", "-out", "server-encrypted.key");
        // a self-signed client certificate no test CA vouches for
        c.openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "stranger.key", "-out", "stranger.crt", "-days", "2",
                "-subj", "/CN=stranger");
        return c;
    }

    /** A client TLS context that trusts only the CA in {@code caFile}. */
    public static SSLContext trusting(Path caFile) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, tmf.getTrustManagers(), null);
        return c;
    }

    /** A self-signed client certificate for an existing key, with a SAN (e.g. "DNS:test3") when given. */
    public void selfSigned(Path key, Path out, String subject, String san) throws Exception {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("req", "-x509", "-new", "-key", key.toString(),
                "-out", out.toString(), "-days", "2", "-subj", subject, "-addext", "extendedKeyUsage=clientAuth"));
        if (san != null) {
            args.addAll(java.util.List.of("-addext", "subjectAltName=" + san));
        }
        openssl(args.toArray(String[]::new));
    }

    private void signed(String name, String keyType, String extension) throws Exception {
        openssl("req", "-new", "-newkey", keyType, "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + name);
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
                "-out", name + ".crt", "-extfile", ext(name, extension));
        // a chain file for curl's --cert and an unencrypted PKCS#12 for Java clients
        openssl("pkcs12", "-export", "-in", name + ".crt", "-inkey", name + ".key", "-out", name + ".p12", "-passout", "pass:changeit");
    }

    private String ext(String name, String line) throws Exception {
        Path f = dir.resolve(name + ".ext");
        java.nio.file.Files.writeString(f, line + "\n");
        return f.toString();
    }

    private void openssl(String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(cmd + ": " + out);
        }
    }

    public Path file(String name) {
        return dir.resolve(name);
    }
}
