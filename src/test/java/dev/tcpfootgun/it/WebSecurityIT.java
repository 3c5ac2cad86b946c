package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.springframework.security.crypto.bcrypt.BCrypt;
import dev.tcpfootgun.testing.Cmd;
import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.FakeKernel;
import dev.tcpfootgun.testing.TestCerts;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --web.config.file against the packaged jar: TLS, basic auth, client certificates, bad files. */
class WebSecurityIT {
    private static final String USER = "prometheus";
    private static final String PASSWORD = "correct horse battery staple";

    @TempDir
    static Path dir;
    static TestCerts certs;
    static ExporterProcess exporter;
    static int port;
    static SSLContext trustingTestCa;

    @BeforeAll
    static void start() throws Exception {
        certs = TestCerts.create(dir);
        String hash = BCrypt.hashpw(PASSWORD, BCrypt.gensalt("$2y", 10));
        Path config = Files.writeString(dir.resolve("web.yml"), """
                tls_server_config:
                  cert_file: server.crt
                  key_file: server-pkcs1.key
                basic_auth_users:
                  %s: "%s"
                """.formatted(USER, hash));
        port = FakeKernel.freePort();
        exporter = ExporterProcess.start(null, "--web.listen-address=127.0.0.1:" + port, "--web.config.file=" + config);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certs.file("ca.crt"))) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        trustingTestCa = SSLContext.getInstance("TLS");
        trustingTestCa.init(null, tmf.getTrustManagers(), null);
    }

    @AfterAll
    static void stop() {
        if (exporter != null) {
            exporter.close();
        }
    }

    private record Answer(int status, String body, String challenge) {}

    private static Answer get(String path, String user, String password) throws IOException {
        HttpsURLConnection c = (HttpsURLConnection) URI.create("https://127.0.0.1:" + port + path).toURL().openConnection();
        c.setSSLSocketFactory(trustingTestCa.getSocketFactory());
        c.setConnectTimeout(10_000);
        c.setReadTimeout(30_000);
        if (user != null) {
            c.setRequestProperty("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        int status = c.getResponseCode();
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        return new Answer(status, body, c.getHeaderField("WWW-Authenticate"));
    }

    @Test
    void theRightPasswordOverTlsGetsTheMetrics() throws Exception {
        Answer a = get("/metrics", USER, PASSWORD);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.body()).contains("footgun_build_info");
        assertThat(get("/-/healthy", USER, PASSWORD).status()).isEqualTo(200);
        assertThat(get("/", USER, PASSWORD).status()).isEqualTo(200);
    }

    @Test
    void aWrongOrMissingPasswordIs401OnEveryPath() throws Exception {
        for (String path : List.of("/metrics", "/", "/-/healthy", "/findings.json", "/nowhere")) {
            Answer none = get(path, null, null);
            assertThat(none.status()).as(path).isEqualTo(401);
            assertThat(none.challenge()).isEqualTo("Basic realm=\"tcp-footgun-exporter\", charset=\"UTF-8\"");
            assertThat(none.body()).doesNotContain("footgun_");
        }
        for (String path : List.of("/metrics", "/")) { // each costs a bcrypt check: few, under the per-client failure limit
            assertThat(get(path, USER, PASSWORD + "!").status()).as(path).isEqualTo(401);
            assertThat(get(path, "nobody", PASSWORD).status()).as(path).isEqualTo(401);
            assertThat(get(path, "", "").status()).as(path).isEqualTo(401);
        }
    }

    @Test
    void malformedAuthorizationIs401() throws Exception {
        for (String header : List.of("Basic", "Basic !!!notbase64", "Basic " + Base64.getEncoder().encodeToString("nocolon".getBytes()),
                "Bearer abc", "basic", "Digest username=x")) {
            HttpsURLConnection c = (HttpsURLConnection) URI.create("https://127.0.0.1:" + port + "/metrics").toURL().openConnection();
            c.setSSLSocketFactory(trustingTestCa.getSocketFactory());
            c.setRequestProperty("Authorization", header);
            assertThat(c.getResponseCode()).as(header).isEqualTo(401);
        }
    }

    @Test
    void aClientThatKeepsFailingIsToldToWait() throws Exception {
        // from an address of its own, so the other tests' failures do not count
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            statuses.add(dev.tcpfootgun.testing.RawHttp.get("127.0.3.1", port, trustingTestCa, "/metrics",
                    "Authorization: Basic " + Base64.getEncoder().encodeToString((USER + ":wrong" + i).getBytes(StandardCharsets.UTF_8)))
                    .status());
        }
        assertThat(statuses.subList(0, 8)).containsOnly(401);
        assertThat(statuses).contains(429);
        // the right password from another address is not held up
        assertThat(get("/metrics", USER, PASSWORD).status()).isEqualTo(200);
    }

    @Test
    void curlWithTheCaFile() throws Exception {
        assumeTrue(Cmd.available("curl"), "needs curl");
        String url = "https://127.0.0.1:" + port + "/metrics";
        assertThat(curl("--cacert", certs.file("ca.crt").toString(), "-u", USER + ":" + PASSWORD, url)).isEqualTo("200");
        assertThat(curl("--cacert", certs.file("ca.crt").toString(), url)).isEqualTo("401");
        assertThat(curl("--cacert", certs.file("ca.crt").toString(), "-u", USER + ":nope", url)).isEqualTo("401");
        assertThat(curl(url)).startsWith("exit 60"); // the test CA is not in the system store: untrusted
    }

    /** curl's HTTP status, or "exit N" when curl itself failed. */
    static String curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "20"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue() == 0 ? out : "exit " + p.exitValue();
    }

    @Test
    void plainHttpOnTheTlsPortFailsAndTheServerCarriesOn() throws Exception {
        // answered in clear text, as Go's server does, and never with metrics
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/metrics").toURL().openConnection();
        c.setReadTimeout(10_000);
        assertThat(c.getResponseCode()).isEqualTo(400);
        assertThat(new String(c.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("Client sent an HTTP request to an HTTPS server").doesNotContain("footgun_");
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] answer = s.getInputStream().readAllBytes(); // the server closes; no metrics in clear text
            assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotContain("footgun_");
        }
        // a TLS client that trusts nothing (handshake fails) does not hurt the server either
        HttpsURLConnection untrusting = (HttpsURLConnection) URI.create("https://127.0.0.1:" + port + "/").toURL().openConnection();
        assertThatThrownBy(untrusting::getResponseCode).isInstanceOf(SSLException.class);
        assertThat(get("/metrics", USER, PASSWORD).status()).isEqualTo(200);
    }

    @Test
    void clientCertificatesWhenRequired() throws Exception {
        assumeTrue(Cmd.available("curl"), "needs curl");
        Path config = Files.writeString(dir.resolve("mtls.yml"), """
                tls_server_config:
                  cert_file: ec.crt
                  key_file: ec-sec1.key
                  client_auth_type: RequireAndVerifyClientCert
                  client_ca_file: ca.crt
                  min_version: TLS13
                """);
        int mtlsPort = FakeKernel.freePort();
        try (ExporterProcess p = ExporterProcess.start(null, "--web.listen-address=127.0.0.1:" + mtlsPort, "--web.config.file=" + config)) {
            String url = "https://127.0.0.1:" + mtlsPort + "/metrics";
            String ca = certs.file("ca.crt").toString();
            assertThat(curl("--cacert", ca, "--cert", certs.file("client.crt").toString(), "--key", certs.file("client.key").toString(), url))
                    .isEqualTo("200");
            assertThat(curl("--cacert", ca, url)).startsWith("exit "); // no client certificate: handshake refused
            // a certificate the client CA did not sign
            assertThat(curl("--cacert", ca, "--cert", certs.file("stranger.crt").toString(), "--key", certs.file("stranger.key").toString(), url))
                    .startsWith("exit ");
            assertThat(curl("--cacert", ca, "--tls-max", "1.2", "--cert", certs.file("client.crt").toString(), "--key",
                    certs.file("client.key").toString(), url)).startsWith("exit "); // min_version TLS13
        }
    }

    @Test
    void aBadConfigFileIsOneLineAndExitCodeTwo() throws Exception {
        List<String> files = List.of("missing.yml", "bad-yaml.yml", "wrong-key.yml", "bad-hash.yml", "ca-without-policy.yml");
        // the toolkit's web_config_noAuth.bad.yml: a client CA without client_auth_type would verify nobody
        Files.writeString(dir.resolve("ca-without-policy.yml"),
                "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_ca_file: ca.crt\n");
        Files.writeString(dir.resolve("bad-yaml.yml"), "tls_server_config:\n  - cert_file: x\n");
        Files.writeString(dir.resolve("wrong-key.yml"), "tls_server_config:\n  cert_file: server.crt\n  key_file: ec-pkcs8.key\n");
        Files.writeString(dir.resolve("bad-hash.yml"), "basic_auth_users:\n  admin: admin\n");
        for (String f : files) {
            Process p = new ProcessBuilder(ExporterProcess.java(), "-jar", ExporterProcess.JAR.toString(),
                    "--web.config.file=" + dir.resolve(f)).start();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(f + ": " + err).isEqualTo(2);
            assertThat(err.strip().lines().count()).as(err).isEqualTo(1);
            assertThat(err).contains("--web.config.file").contains(f).doesNotContain("Exception");
            if (f.equals("ca-without-policy.yml")) {
                assertThat(err).contains("client CA's have been configured without a Client Auth Policy");
            }
        }
    }
}
