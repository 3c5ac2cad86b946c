package dev.tcpfootgun.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcpfootgun.testing.TestCerts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
            assertThat(w.tls().clientAuth()).isEqualTo(WebConfig.ClientAuth.NONE);
            assertThat(w.users()).isEmpty();
        }
    }

    @Test
    void usersVersionsAndClientCertificates() throws Exception {
        WebConfig w = load(tls("server.crt", "server.key") + "  client_auth_type: RequireAndVerifyClientCert\n"
                + "  client_ca_file: ca.crt\n  min_version: TLS13\nbasic_auth_users:\n  prometheus: " + HASH + "\n");
        assertThat(w.tls().clientAuth()).isEqualTo(WebConfig.ClientAuth.REQUIRE_AND_VERIFY);
        assertThat(w.tls().protocols()).containsExactly("TLSv1.3");
        assertThat(w.users()).isEqualTo(Map.of("prometheus", HASH));
        assertThat(load("basic_auth_users:\n  a: '" + HASH + "'\n").tls()).isNull();
        assertThat(load("").tls()).isNull();
    }

    @Test
    void everyMistakeIsOneLineNamingTheFile() throws Exception {
        Map<String, String> cases = Map.ofEntries(
                Map.entry(tls("server.crt", "ec-sec1.key"), "does not belong to the certificate"),
                Map.entry(tls("server.crt", "server-encrypted.key"), "encrypted private keys are not supported"),
                Map.entry(tls("server.crt", "missing.key"), "cannot read"),
                Map.entry(tls("server.key", "server.key"), "no CERTIFICATE block"),
                Map.entry(tls("web.yml", "server.key"), "no PEM block"),
                Map.entry("tls_server_config:\n  cert_file: server.crt\n", "needs both cert_file and key_file"),
                Map.entry(tls("server.crt", "server.key") + "  client_auth_type: RequireAnyClientCert\n", "not supported"),
                Map.entry(tls("server.crt", "server.key") + "  client_auth_type: RequireAndVerifyClientCert\n", "needs client_ca_file"),
                Map.entry(tls("server.crt", "server.key") + "  client_auth_type: Sometimes\n", "expected NoClientCert"),
                Map.entry(tls("server.crt", "server.key") + "  min_version: TLS14\n", "min_version: expected one of"),
                Map.entry(tls("server.crt", "server.key") + "  min_version: TLS13\n  max_version: TLS12\n", "above max_version"),
                Map.entry(tls("server.crt", "server.key") + "  cipher_suites: x\n", "unsupported key tls_server_config.cipher_suites"),
                Map.entry("basic_auth_users:\n  admin: secret\n", "admin: not a bcrypt hash"),
                Map.entry("basic_auth_users: nobody\n", "expected a mapping"),
                Map.entry("http_server_config:\n  http2: false\n", "unsupported key http_server_config"),
                Map.entry("tls_server_config:\n  - cert_file: x\n", "line 2: lists are not supported"));
        for (var c : cases.entrySet()) {
            assertThatThrownBy(() -> load(c.getKey())).as(c.getKey())
                    .isInstanceOf(BadFlagException.class)
                    .hasMessageStartingWith("--web.config.file: " + dir.resolve("web.yml") + ": ")
                    .hasMessageContaining(c.getValue())
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
        assertThatThrownBy(() -> WebConfig.load(dir.resolve("absent.yml"))).hasMessageContaining("cannot read");
    }

    @Test
    void settingsReadTheFlag() throws Exception {
        Path f = Files.writeString(dir.resolve("web.yml"), tls("server.crt", "server.key"));
        assertThat(Settings.parse(List.of("--web.config.file=" + f)).webConfig().tls()).isNotNull();
        assertThat(Settings.parse(List.of()).webConfig()).isNull();
        assertThat(Settings.parse(List.of("--destinations.labels=hash")).destinationLabels()).isEqualTo(DestinationLabelMode.HASH);
        assertThat(Settings.parse(List.of()).destinationLabels()).isEqualTo(DestinationLabelMode.PLAIN);
        assertThatThrownBy(() -> Settings.parse(List.of("--destinations.labels=mask"))).hasMessageContaining("plain, hash or drop");
        assertThat(Settings.USAGE).contains("--web.config.file=FILE").contains("--destinations.labels=plain|hash|drop");
    }
}
