package dev.tcpfootgun.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.config.ListenAddress;
import dev.tcpfootgun.testing.Cmd;
import dev.tcpfootgun.testing.TestCerts;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exporter-toolkit's own web config test files (src/test/resources/exporter-toolkit-testdata,
 * see its README) against this exporter, case by case as the toolkit's web/tls_config_test.go runs
 * them: the files it refuses are refused with its reason; the files it loads are served by the real
 * listener (a "Hello World!" handler, as the toolkit's tests use) and answer real TLS clients (JSSE
 * sockets, openssl s_client where installed) as there.
 */
class ToolkitTestdataTest {
    static final Path TESTDATA = Path.of("src", "test", "resources", "exporter-toolkit-testdata");

    @TempDir
    static Path dir;
    static SSLContext trustingCa;

    @BeforeAll
    static void lay() throws Exception {
        try (Stream<Path> files = Files.list(TESTDATA)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        TestCerts certs = TestCerts.create(dir.resolve("certs"));
        Files.copy(certs.file("ca.crt"), dir.resolve("tls-ca-chain.pem"));
        Files.copy(certs.file("server.crt"), dir.resolve("server.crt"));
        Files.copy(certs.file("server.key"), dir.resolve("server.key"));
        certs.selfSigned(dir.resolve("client_selfsigned.key"), dir.resolve("client_selfsigned.pem"), "/CN=test", null);
        certs.selfSigned(dir.resolve("client2_selfsigned.key"), dir.resolve("client2_selfsigned.pem"), "/CN=test2", "DNS:test3");
        Files.writeString(dir.resolve("web_config_empty.yml"), "");
        Files.writeString(dir.resolve("web_config_junk.yml"), "these are not the keys you are looking for\n");
        trustingCa = client(null);
    }

    static WebConfig load(String name) throws WebConfig.Invalid {
        return WebConfig.load(dir.resolve(name));
    }

    /** TestYAMLFiles and the refusals of TestServerBehaviour: file, the toolkit's expected error. */
    @Test
    void theFilesTheToolkitRefusesAreRefusedForItsReason() {
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("somefile", "no such file");
        refused.put("web_config_junk.yml", "yaml");
        refused.put("web_config_junk_key.yml", "yaml");
        refused.put("web_config_noAuth_certPath_empty.bad.yml", "missing one of cert or cert_file");
        refused.put("web_config_noAuth_cert_empty.bad.yml", "missing one of cert or cert_file");
        refused.put("web_config_noAuth_keyPath_empty.bad.yml", "missing one of key or key_file");
        refused.put("web_config_noAuth_key_empty.bad.yml", "missing one of key or key_file");
        refused.put("web_config_noAuth_certPath_keyPath_empty.bad.yml", "missing one of cert or cert_file");
        refused.put("web_config_noAuth_certPath_invalid.bad.yml", "no such file");
        refused.put("web_config_noAuth_keyPath_invalid.bad.yml", "no such file");
        refused.put("web_config_noAuth_certPath_keyPath_invalid.bad.yml", "no such file");
        refused.put("web_config_noAuth.bad.yml", "client CA's have been configured without a Client Auth Policy");
        refused.put("web_config_auth_clientCAs_invalid.bad.yml", "no such file");
        refused.put("web_config_auth_user_list_invalid.bad.yml", "hashedSecret too short to be a bcrypted password");
        refused.put("web_config_noAuth_inventedCiphers.bad.yml", "unknown cipher");
        refused.put("web_config_noAuth_inventedCurves.bad.yml", "unknown curve");
        refused.put("web_config_noAuth_wrongTLSVersion.bad.yml", "unknown TLS version");
        refused.put("web_config_noAuth_noHTTP2Cipher.bad.yml", "TLSConfig.CipherSuites is missing an HTTP/2-required");
        refused.put("web_config_headers_content_type_options.bad.yml", "invalid value for");
        refused.put("web_config_headers_frame_options.bad.yml", "invalid value for");
        refused.put("web_config_headers_extra_header.bad.yml", "HTTP header \"Content-Type\" can not be configured");
        for (var r : refused.entrySet()) {
            assertThatThrownBy(() -> load(r.getKey())).as(r.getKey()).isInstanceOf(WebConfig.Invalid.class)
                    .hasMessageContaining(r.getValue())
                    .hasMessageStartingWith("--web.config.file: " + dir.resolve(r.getKey()) + ": ")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
    }

    @Test
    void theFilesTheToolkitLoadsLoad() throws Exception {
        List<String> loaded = List.of("web_config_empty.yml", "web_config_noAuth.good.yml", "web_config_noAuth_tlsInline.good.yml",
                "web_config_noAuth_allCiphers.good.yml", "web_config_noAuth_someCiphers.good.yml",
                "web_config_noAuth_someCiphers_noOrder.good.yml", "web_config_noAuth_allCurves.good.yml",
                "web_config_noAuth_someCurves.good.yml", "web_config_noAuth_noHTTP2.good.yml", "web_config_headers.good.yml",
                "tls_config_noAuth.requireanyclientcert.good.yml", "tls_config_noAuth.requireandverifyclientcert.good.yml",
                "web_config_auth_client_san.good.yaml", "web_config_auth_client_san.bad.yaml",
                "web_config_rate_limiter_nonblocking.yaml", "web_config_rate_limiter_one_second.yaml",
                "web_config_noAuth.good.blocking.yml", "web_config_users_noTLS.good.yml", "web_config_users.good.yml");
        for (String f : loaded) {
            assertThat(load(f)).as(f).isNotNull();
        }
        // every .yml/.yaml copied from the toolkit is tried: loaded here, or refused in the test above (19 of them)
        try (Stream<Path> files = Files.list(TESTDATA)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.matches(".*\\.ya?ml"))
                    .filter(n -> !loaded.contains(n) && !n.contains(".bad.") && !n.contains("junk")).toList()).isEmpty();
        }
        assertThat(load("web_config_empty.yml").tls()).isNull();
        assertThat(load("web_config_noAuth_allCurves.good.yml").notes()).anyMatch(n -> n.contains("X25519MLKEM768"));
        assertThat(load("web_config_rate_limiter_nonblocking.yaml").rateLimit()).isNull();
        assertThat(load("web_config_rate_limiter_one_second.yaml").rateLimit()).isEqualTo(
                new WebConfig.RateLimit(java.time.Duration.ofSeconds(1), 0));
        assertThat(load("web_config_users_noTLS.good.yml").users()).containsOnlyKeys("alice", "bob", "carol", "dave");
    }

    // ---- TestServerBehaviour, with a real listener

    /** A listener serving "Hello World!" under {@code file} (copied so a test may rewrite it). */
    static HttpListener serve(String file) throws Exception {
        WebConfig c = WebConfig.load(dir.resolve(file));
        return new HttpListener(List.of(new ListenAddress("127.0.0.1", 0)), new WebConfigFile(c),
                new RequestGate("/metrics", Map.of("/", r -> HttpResponse.text(200, "Hello World!"))),
                dev.tcpfootgun.config.Settings.DEFAULT_MAX_REQUESTS);
    }

    record Outcome(String body, String cipher, String protocol, String error) {
        boolean ok() {
            return "Hello World!".equals(body);
        }
    }

    /** A GET / over TLS with this client context and parameters. */
    static Outcome tlsGet(HttpListener l, SSLContext client, SSLParameters params, String authorization) {
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), l.ports().get(0))) {
            s.setSoTimeout(20_000);
            if (params != null) {
                s.setSSLParameters(params);
            }
            s.startHandshake();
            s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + (authorization == null ? "" : "Authorization: " + authorization + "\r\n") + "\r\n").getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Outcome(answer.substring(answer.indexOf("\r\n\r\n") + 4), s.getSession().getCipherSuite(),
                    s.getSession().getProtocol(), answer.substring(0, answer.indexOf("\r\n")));
        } catch (IOException e) {
            return new Outcome(null, null, null, e.toString());
        }
    }

    static SSLParameters params(String[] protocols, String[] ciphers, String[] groups) {
        SSLParameters p = new SSLParameters();
        if (protocols != null) {
            p.setProtocols(protocols);
        }
        if (ciphers != null) {
            p.setCipherSuites(ciphers);
        }
        if (groups != null) {
            p.setNamedGroups(groups);
        }
        return p;
    }

    @Test
    void tlsConfigsAnswerTlsClientsAsTheToolkitDoes() throws Exception {
        try (HttpListener l = serve("web_config_noAuth.good.yml")) {
            assertThat(tlsGet(l, trustingCa, null, null).ok()).isTrue();
            // a plain HTTP client is told, in clear text, that this is a TLS port
            var reply = dev.tcpfootgun.testing.RawHttp.get("127.0.0.1", l.ports().get(0), null, "/");
            assertThat(reply.head() + "\n" + reply.text()).startsWith("HTTP/1.0 400").contains("Client sent an HTTP request to an HTTPS server");
            assertThat(openssl(l, "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0")).doesNotContain("Hello World!");
        }
        try (HttpListener l = serve("web_config_noAuth_tlsInline.good.yml")) {
            Outcome o = tlsGet(l, trustingAll(), null, null);
            assertThat(o.ok()).as(o.error()).isTrue();
        }
        try (HttpListener l = serve("web_config_noAuth_allCiphers.good.yml")) {
            assertThat(tlsGet(l, trustingCa, null, null).ok()).isTrue();
        }
        String aes128 = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
        String aes256 = "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";
        String[] tls12 = {"TLSv1.2"};
        try (HttpListener l = serve("web_config_noAuth_someCiphers.good.yml")) {
            assertThat(tlsGet(l, trustingCa, params(tls12, new String[] {aes128}, null), null).ok()).isTrue();
            Outcome none = tlsGet(l, trustingCa, params(tls12, new String[] {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"}, null), null);
            assertThat(none.ok()).isFalse();
            assertThat(none.error()).containsIgnoringCase("handshake");
            assertThat(tlsGet(l, trustingCa, params(tls12, new String[] {aes128, aes256}, null), null).cipher()).isEqualTo(aes128);
            assertThat(tlsGet(l, trustingCa, null, null).protocol()).isEqualTo("TLSv1.2"); // max_version TLS12
        }
        try (HttpListener l = serve("web_config_noAuth_someCiphers_noOrder.good.yml")) {
            assertThat(tlsGet(l, trustingCa, params(tls12, new String[] {aes128, aes256}, null), null).cipher()).isEqualTo(aes128);
        }
        try (HttpListener l = serve("web_config_noAuth_allCurves.good.yml")) {
            assertThat(tlsGet(l, trustingCa, null, null).ok()).isTrue();
        }
        try (HttpListener l = serve("web_config_noAuth_someCurves.good.yml")) {
            assertThat(tlsGet(l, trustingCa, params(null, null, new String[] {"secp521r1"}), null).ok()).isTrue();
            assertThat(tlsGet(l, trustingCa, params(null, null, new String[] {"secp384r1"}), null).ok()).isFalse();
        }
        try (HttpListener l = serve("web_config_noAuth_noHTTP2.good.yml")) {
            Outcome o = tlsGet(l, trustingCa, null, null);
            assertThat(o.ok()).isTrue();
            assertThat(o.cipher()).isEqualTo(aes256);
        }
    }

    @Test
    void clientCertificatePoliciesAndSans() throws Exception {
        SSLContext selfSigned = client("client_selfsigned");
        SSLContext test3 = client("client2_selfsigned");
        try (HttpListener l = serve("tls_config_noAuth.requireanyclientcert.good.yml")) {
            assertThat(tlsGet(l, selfSigned, null, null).ok()).isTrue(); // any certificate, verified by no one
            assertThat(tlsGet(l, trustingCa, null, null).ok()).isFalse(); // but one is required
        }
        try (HttpListener l = serve("tls_config_noAuth.requireandverifyclientcert.good.yml")) {
            assertThat(tlsGet(l, selfSigned, null, null).ok()).isTrue();
            assertThat(tlsGet(l, test3, null, null).ok()).isFalse(); // not signed by the configured CA
            assertThat(tlsGet(l, trustingCa, null, null).ok()).isFalse();
            if (Cmd.available("curl")) {
                assertThat(curl(l, "--cert", dir.resolve("client_selfsigned.pem").toString(), "--key",
                        dir.resolve("client_selfsigned.key").toString())).isEqualTo("200");
                assertThat(curl(l)).startsWith("exit ");
            }
        }
        try (HttpListener l = serve("web_config_auth_client_san.good.yaml")) {
            assertThat(tlsGet(l, test3, null, null).ok()).isTrue();
        }
        try (HttpListener l = serve("web_config_auth_client_san.bad.yaml")) {
            assertThat(tlsGet(l, test3, null, null).ok()).isFalse();
            assertThat(tlsGet(l, test3, params(new String[] {"TLSv1.2"}, null, null), null).ok()).isFalse();
            // the handshake ends in an alert: JSSE sends certificate_unknown where Go sends bad_certificate (openssl shows it)
            if (Cmd.available("openssl")) {
                assertThat(openssl(l, "-tls1_2", "-cert", dir.resolve("client2_selfsigned.pem").toString(), "-key",
                        dir.resolve("client2_selfsigned.key").toString())).containsPattern("alert (certificate unknown|bad certificate)")
                        .doesNotContain("Hello World!");
            }
        }
        try (HttpListener l = serve("web_config_noAuth.good.blocking.yml")) {
            assertThat(tlsGet(l, trustingCa, null, null).ok()).isFalse(); // RequireAndVerifyClientCert, no certificate
        }
    }

    @Test
    void headersAndRateLimit() throws Exception {
        try (HttpListener l = serve("web_config_headers.good.yml")) {
            var r = dev.tcpfootgun.testing.RawHttp.get("127.0.0.1", l.ports().get(0), null, "/");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.head()).contains("X-Frame-Options: deny", "Strict-Transport-Security: max-age=31536000; includeSubDomains",
                    "X-Content-Type-Options: nosniff", "X-XSS-Protection: 1",
                    "Content-Security-Policy: default-src 'self' *.test.example.net");
            // also on answers that never reach a route
            assertThat(dev.tcpfootgun.testing.RawHttp.get("127.0.0.1", l.ports().get(0), null, "/nowhere").head())
                    .contains("X-Frame-Options: deny");
        }
        try (HttpListener l = serve("web_config_rate_limiter_nonblocking.yaml")) {
            for (int i = 0; i <= 10; i++) {
                assertThat(dev.tcpfootgun.testing.RawHttp.get("127.0.0.1", l.ports().get(0), null, "/").status()).isEqualTo(200);
            }
        }
        try (HttpListener l = serve("web_config_rate_limiter_one_second.yaml")) {
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i <= 10; i++) {
                statuses.add(dev.tcpfootgun.testing.RawHttp.get("127.0.0.1", l.ports().get(0), null, "/").status());
            }
            assertThat(statuses).contains(429); // burst 0: nothing passes, as with Go's rate.Limiter
        }
    }

    @Test
    void usersAsTheToolkitTestsThem() throws Exception {
        try (HttpListener l = serve("web_config_users_noTLS.good.yml")) {
            int port = l.ports().get(0);
            assertThat(dev.tcpfootgun.testing.RawHttp.get("127.0.0.1", port, null, "/").status()).isEqualTo(401);
            assertThat(dev.tcpfootgun.testing.RawHttp.get("127.0.0.1", port, null, "/", "Authorization: " + basic("dave", "dave123"))
                    .status()).isEqualTo(200);
            assertThat(dev.tcpfootgun.testing.RawHttp.get("127.0.0.1", port, null, "/", "Authorization: " + basic("dave", "bad"))
                    .status()).isEqualTo(401);
            assertThat(dev.tcpfootgun.testing.RawHttp.get("127.0.0.1", port, null, "/",
                    "Authorization: " + basic("nonexistent", "nonexistent")).status()).isEqualTo(401);
        }
        // bob's cost 18 makes every failure here take a cost-18 check (about 20 s): only the successes are tried
        try (HttpListener l = serve("web_config_users.good.yml")) {
            assertThat(tlsGet(l, trustingCa, null, null).error()).startsWith("HTTP/1.1 401");
            assertThat(tlsGet(l, trustingCa, null, basic("dave", "dave123")).ok()).isTrue();
            assertThat(tlsGet(l, trustingCa, null, basic("carol", "carol123")).ok()).isTrue();
        }
    }

    /** TestConfigReloading: the blocking config swapped for the good one takes effect without a restart. */
    @Test
    void aChangedFileTakesEffectOnTheNextConnection() throws Exception {
        Path live = dir.resolve("live.yml");
        Files.copy(dir.resolve("web_config_noAuth.good.blocking.yml"), live);
        try (HttpListener l = serve("live.yml")) {
            assertThat(tlsGet(l, trustingCa, null, null).ok()).isFalse();
            Files.copy(dir.resolve("web_config_noAuth.good.yml"), live, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            boolean ok = false;
            for (int i = 0; i < 30 && !ok; i++) {
                Thread.sleep(250);
                ok = tlsGet(l, trustingCa, null, null).ok();
            }
            assertThat(ok).isTrue();
            // a broken edit keeps the last good config in force
            Files.writeString(live, "tls_server_config: [\n");
            Thread.sleep(1200);
            assertThat(tlsGet(l, trustingCa, null, null).ok()).isTrue();
        } finally {
            Files.deleteIfExists(live);
        }
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** A client trusting the test CA, presenting {@code name}.pem/.key when not null. */
    static SSLContext client(String name) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", PemFiles.certificates("ca", Files.readString(dir.resolve("tls-ca-chain.pem"))).get(0));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (name != null) {
            List<X509Certificate> chain = PemFiles.certificates(name, Files.readString(dir.resolve(name + ".pem")));
            PrivateKey key = PemFiles.privateKey(name, Files.readString(dir.resolve(name + ".key")), chain.get(0).getPublicKey());
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("client", key, new char[0], chain.toArray(new X509Certificate[0]));
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
        }
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return c;
    }

    /** For the inline certificate, which the toolkit's own CA signed: any server certificate is taken. */
    static SSLContext trustingAll() throws Exception {
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, new javax.net.ssl.TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        return c;
    }

    /** openssl s_client's output for one GET, or "" when openssl is missing. */
    static String openssl(HttpListener l, String... flags) throws Exception {
        if (!Cmd.available("openssl")) {
            return "";
        }
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + l.ports().get(0), "-quiet"));
        cmd.addAll(List.of(flags));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().write("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    static String curl(HttpListener l, String... flags) throws Exception {
        assumeTrue(Cmd.available("curl"));
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "20",
                "--cacert", dir.resolve("tls-ca-chain.pem").toString()));
        cmd.addAll(List.of(flags));
        cmd.add("https://127.0.0.1:" + l.ports().get(0) + "/");
        Process p = new ProcessBuilder(cmd).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue() == 0 ? out : "exit " + p.exitValue();
    }
}
