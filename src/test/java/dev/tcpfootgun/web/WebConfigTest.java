package dev.tcpfootgun.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcpfootgun.config.Settings;
import dev.tcpfootgun.testing.TestCerts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The web config loader beyond the toolkit's own files (ToolkitTestdataTest): key formats, YAML, mistakes. */
class WebConfigTest {
    static final String HASH = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"; // "U*U"

    @TempDir
    static Path dir;
    static TestCerts certs;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certs = TestCerts.create(dir);
    }

    private static WebConfig load(String yaml) throws Exception {
        Path f = Files.writeString(dir.resolve("web.yml"), yaml);
        return WebConfig.load(f);
    }

    private static String tls(String cert, String key) {
        return "tls_server_config:\n  cert_file: " + cert + "\n  key_file: " + key + "\n";
    }

    @Test
    void everyKeyFormatLoads() throws Exception {
        for (List<String> pair : List.of(List.of("server.crt", "server.key"), List.of("server.crt", "server-pkcs1.key"),
                List.of("ec.crt", "ec-sec1.key"), List.of("ec.crt", "ec-pkcs8.key"))) {
            WebConfig w = load(tls(pair.get(0), pair.get(1)));
            assertThat(w.tls()).as(pair.toString()).isNotNull();
            assertThat(w.tls().protocols()).containsExactly("TLSv1.2", "TLSv1.3");
            assertThat(w.tls().clientAuth()).isEqualTo(ServerTls.ClientAuth.NO_CLIENT_CERT);
            assertThat(w.users()).isEmpty();
        }
    }

    @Test
    void inlineCertificatesAndEveryClientAuthType() throws Exception {
        String cert = Files.readString(certs.file("server.crt")).indent(4);
        String key = Files.readString(certs.file("server.key")).indent(4);
        WebConfig inline = load("tls_server_config:\n  cert: |\n" + cert + "  key: |\n" + key);
        assertThat(inline.tls()).isNotNull();
        assertThat(inline.referencedFiles()).isEmpty();
        for (ServerTls.ClientAuth a : ServerTls.ClientAuth.values()) {
            String name = switch (a) {
                case NO_CLIENT_CERT -> "NoClientCert";
                case REQUEST_CLIENT_CERT -> "RequestClientCert";
                case REQUIRE_ANY_CLIENT_CERT -> "RequireAnyClientCert";
                case VERIFY_CLIENT_CERT_IF_GIVEN -> "VerifyClientCertIfGiven";
                case REQUIRE_AND_VERIFY_CLIENT_CERT -> "RequireAndVerifyClientCert";
            };
            // without a CA every type loads (the verifying ones then use the JDK's trust store, as Go uses the system roots)
            assertThat(load(tls("server.crt", "server.key") + "  client_auth_type: " + name + "\n").tls().clientAuth()).isEqualTo(a);
            String withCa = tls("server.crt", "server.key") + "  client_auth_type: " + name + "\n  client_ca_file: ca.crt\n";
            if (a == ServerTls.ClientAuth.NO_CLIENT_CERT) {
                assertThatThrownBy(() -> load(withCa)).hasMessageContaining("client CA's have been configured without a Client Auth Policy");
            } else {
                assertThat(load(withCa).tls().clientAuth()).isEqualTo(a);
            }
        }
        assertThat(load(tls("server.crt", "server.key") + "  client_auth_type: RequireClientCert\n").tls().clientAuth())
                .isEqualTo(ServerTls.ClientAuth.REQUIRE_ANY_CLIENT_CERT);
    }

    @Test
    void usersVersionsHeadersAndLimits() throws Exception {
        WebConfig w = load(tls("server.crt", "server.key") + "  client_auth_type: RequireAndVerifyClientCert\n"
                + "  client_ca_file: ca.crt\n  min_version: TLS13\nbasic_auth_users:\n  prometheus: " + HASH + "\n"
                + "http_server_config:\n  http2: false\n  headers:\n    X-Frame-Options: sameorigin\n"
                + "rate_limit:\n  interval: 1m30s\n  burst: 5\n");
        assertThat(w.tls().protocols()).containsExactly("TLSv1.3");
        assertThat(w.users()).isEqualTo(Map.of("prometheus", HASH));
        assertThat(w.http2()).isFalse();
        assertThat(w.headers()).isEqualTo(Map.of("X-Frame-Options", "sameorigin"));
        assertThat(w.rateLimit()).isEqualTo(new WebConfig.RateLimit(Duration.ofSeconds(90), 5));
        assertThat(w.referencedFiles()).containsExactly(dir.resolve("server.crt").toAbsolutePath(),
                dir.resolve("server.key").toAbsolutePath(), dir.resolve("ca.crt").toAbsolutePath());
        assertThat(load("basic_auth_users:\n  a: '" + HASH + "'\n").tls()).isNull();
        assertThat(load("").tls()).isNull();
        // no TLS field but versions: plain HTTP, as the toolkit's IsEnabled says
        assertThat(load("tls_server_config:\n  min_version: TLS13\n").tls()).isNull();
    }

    @Test
    void yamlAsItIsWritten() throws Exception {
        // \\x escapes, a document end marker, a non-ASCII comment in the PEM file and in the YAML
        Path pem = dir.resolve("commented.crt");
        Files.writeString(pem, "Zertifikat für localhost — ünïcödé\n" + Files.readString(certs.file("server.crt")), StandardCharsets.UTF_8);
        WebConfig w = load("# Konfiguration für Prometheus\ntls_server_config:\n  cert_file: \"commented\\x2ecrt\"\n"
                + "  key_file: server.key\n...\n");
        assertThat(w.tls()).isNotNull();
    }

    @Test
    void tls10IsRefusedClearlyWhileTheJdkDisablesIt() {
        assertThatThrownBy(() -> load(tls("server.crt", "server.key") + "  min_version: TLS10\n"))
                .hasMessageContaining("min_version TLS10: TLSv1 is disabled by this JVM's security policy");
        assertThatThrownBy(() -> load(tls("server.crt", "server.key") + "  min_version: TLS13\n  max_version: TLS12\n"))
                .hasMessageContaining("no supported versions satisfy MinVersion and MaxVersion");
    }

    @Test
    void everyMistakeIsOneLineNamingTheFile() throws Exception {
        Map<String, String> cases = Map.ofEntries(
                Map.entry(tls("server.crt", "ec-sec1.key"), "does not belong to the certificate"),
                Map.entry(tls("server.crt", "server-encrypted.key"), "encrypted private keys are not supported"),
                Map.entry(tls("server.crt", "missing.key"), "no such file or directory"),
                Map.entry(tls("server.key", "server.key"), "no CERTIFICATE block"),
                Map.entry(tls("web.yml", "server.key"), "no PEM block"),
                Map.entry("tls_server_config:\n  cert_file: server.crt\n", "missing one of key or key_file"),
                Map.entry(tls("server.crt", "server.key") + "  client_auth_type: Sometimes\n", "invalid ClientAuth: Sometimes"),
                Map.entry(tls("server.crt", "server.key") + "  min_version: TLS14\n", "unknown TLS version: TLS14"),
                Map.entry(tls("server.crt", "server.key") + "  cipher_suites: x\n", "cipher_suites: cannot unmarshal"),
                Map.entry(tls("server.crt", "server.key") + "  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ca.crt\n"
                        + "  client_allowed_sans: [a]\n", "client_allowed_sans requires client_auth_type"),
                Map.entry("basic_auth_users:\n  admin: secret\n", "hashedSecret too short"),
                Map.entry("basic_auth_users: nobody\n", "cannot unmarshal"),
                Map.entry("http_server_config:\n  http3: true\n", "field http3 not found in http_server_config"),
                Map.entry("rate_limit:\n  interval: soon\n", "is not a duration"),
                Map.entry("tls_server_config:\n  cert_file: a\n  cert_file: b\n", "yaml: "),
                Map.entry("tls_server_config:\n  - cert_file: x\n", "cannot unmarshal a list into a mapping"));
        for (var c : cases.entrySet()) {
            assertThatThrownBy(() -> load(c.getKey())).as(c.getKey())
                    .isInstanceOf(WebConfig.Invalid.class)
                    .hasMessageStartingWith("--web.config.file: " + dir.resolve("web.yml") + ": ")
                    .hasMessageContaining(c.getValue())
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
        assertThatThrownBy(() -> WebConfig.load(dir.resolve("absent.yml"))).hasMessageContaining("no such file or directory");
    }

    @Test
    void settingsCarryOnlyThePath() throws Exception {
        assertThat(Settings.parse(List.of("--web.config.file=/etc/web.yml")).webConfigFile()).isEqualTo(Path.of("/etc/web.yml"));
        assertThat(Settings.parse(List.of()).webConfigFile()).isNull();
        assertThat(Settings.USAGE).contains("--web.config.file=FILE");
    }
}
