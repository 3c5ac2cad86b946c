package dev.tcpfootgun.config;

import dev.tcpfootgun.http.Bcrypt;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * --web.config.file: TLS and basic auth in the Prometheus exporter-toolkit's format, so one file
 * serves node_exporter and this exporter alike:
 *
 * <pre>
 * tls_server_config:
 *   cert_file: server.crt          # PEM chain, leaf first; relative to this file
 *   key_file: server.key           # PEM: PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY
 *   client_auth_type: RequireAndVerifyClientCert   # optional, with client_ca_file
 *   client_ca_file: clients.crt
 *   min_version: TLS12             # optional: TLS10 .. TLS13
 *   max_version: TLS13
 * basic_auth_users:
 *   prometheus: $2y$10$...         # bcrypt ($2a$, $2b$, $2y$), as htpasswd -B makes
 * </pre>
 *
 * Everything is read and checked at start-up (certificate and key parsed and matched), so a bad
 * file is one line and exit code 2, never a server that fails its first handshake. Files are not
 * re-read: restart after rotating a certificate.
 *
 * @param tls null for plain HTTP
 * @param users user name to bcrypt hash; empty for no authentication
 */
public record WebConfig(Path file, Tls tls, Map<String, String> users) {

    public enum ClientAuth { NONE, VERIFY_IF_GIVEN, REQUIRE_AND_VERIFY }

    /**
     * @param context an initialised TLS context holding the server's key and certificate chain (and
     *     the client CAs when client certificates are verified)
     * @param protocols the enabled protocol versions, e.g. TLSv1.2 and TLSv1.3
     */
    public record Tls(SSLContext context, List<String> protocols, ClientAuth clientAuth) {}

    private static final Set<String> TOP_LEVEL = Set.of("tls_server_config", "basic_auth_users");
    private static final Set<String> TLS_KEYS = Set.of("cert_file", "key_file", "client_auth_type", "client_ca_file",
            "min_version", "max_version");
    private static final List<String> VERSIONS = List.of("TLS10", "TLS11", "TLS12", "TLS13");
    private static final List<String> PROTOCOLS = List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    public WebConfig {
        users = Map.copyOf(users);
    }

    /** Reads and checks the file; any problem is one line naming the file and what is wrong. */
    public static WebConfig load(Path file) throws BadFlagException {
        try {
            return read(file);
        } catch (YamlSubset.YamlException | PemFiles.PemException e) {
            throw bad(file, e.getMessage().replace(file + ": ", ""));
        } catch (IOException e) {
            throw bad(file, "cannot read: " + PemFiles.oneLine(e));
        }
    }

    private static BadFlagException bad(Path file, String what) {
        return new BadFlagException("--web.config.file: " + file + ": " + what.replaceAll("\\s+", " ").strip());
    }

    private static WebConfig read(Path file) throws IOException, YamlSubset.YamlException, PemFiles.PemException, BadFlagException {
        Map<String, Object> root = YamlSubset.parse(Files.readString(file, StandardCharsets.UTF_8));
        unknownKeys(file, "", root, TOP_LEVEL);
        Map<String, Object> tls = section(file, root, "tls_server_config");
        Map<String, Object> users = section(file, root, "basic_auth_users");
        Map<String, String> hashes = new LinkedHashMap<>();
        if (users != null) {
            for (Map.Entry<String, Object> u : users.entrySet()) {
                if (!(u.getValue() instanceof String hash) || !Bcrypt.isWellFormed(hash)) {
                    throw bad(file, "basic_auth_users: " + u.getKey() + ": not a bcrypt hash ($2a$, $2b$ or $2y$, cost 4-31; make one with htpasswd -nB)");
                }
                hashes.put(u.getKey(), hash);
            }
        }
        return new WebConfig(file, tls == null ? null : tls(file, tls), hashes);
    }

    private static Tls tls(Path file, Map<String, Object> tls) throws IOException, PemFiles.PemException, BadFlagException {
        unknownKeys(file, "tls_server_config.", tls, TLS_KEYS);
        Path dir = file.toAbsolutePath().getParent();
        String cert = string(file, tls, "cert_file");
        String key = string(file, tls, "key_file");
        if (cert == null || key == null) {
            throw bad(file, "tls_server_config needs both cert_file and key_file");
        }
        List<X509Certificate> chain = PemFiles.certificates(dir.resolve(cert));
        PrivateKey privateKey = PemFiles.privateKey(dir.resolve(key), chain.get(0).getPublicKey());

        ClientAuth auth = switch (String.valueOf(string(file, tls, "client_auth_type"))) {
            case "null", "NoClientCert" -> ClientAuth.NONE;
            case "VerifyClientCertIfGiven" -> ClientAuth.VERIFY_IF_GIVEN;
            case "RequireAndVerifyClientCert" -> ClientAuth.REQUIRE_AND_VERIFY;
            case "RequestClientCert", "RequireAnyClientCert" -> throw bad(file, "client_auth_type "
                    + tls.get("client_auth_type") + " accepts client certificates nobody verified and is not supported; "
                    + "use VerifyClientCertIfGiven or RequireAndVerifyClientCert with client_ca_file");
            default -> throw bad(file, "client_auth_type: expected NoClientCert, VerifyClientCertIfGiven or "
                    + "RequireAndVerifyClientCert, got \"" + tls.get("client_auth_type") + "\"");
        };
        String caFile = string(file, tls, "client_ca_file");
        if (auth != ClientAuth.NONE && caFile == null) {
            throw bad(file, "client_auth_type " + tls.get("client_auth_type") + " needs client_ca_file");
        }
        int min = version(file, tls, "min_version", 2);
        int max = version(file, tls, "max_version", 3);
        if (min > max) {
            throw bad(file, "min_version is above max_version");
        }
        try {
            char[] password = new char[0];
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("server", privateKey, password, chain.toArray(new X509Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
            TrustManagerFactory tmf = null;
            if (caFile != null) {
                KeyStore cas = KeyStore.getInstance("PKCS12");
                cas.load(null, null);
                int i = 0;
                for (X509Certificate ca : PemFiles.certificates(dir.resolve(caFile))) {
                    cas.setCertificateEntry("client-ca-" + i++, ca);
                }
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(cas);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return new Tls(context, new ArrayList<>(PROTOCOLS.subList(min, max + 1)), auth);
        } catch (GeneralSecurityException e) {
            throw bad(file, "TLS setup failed: " + PemFiles.oneLine(e));
        }
    }

    private static int version(Path file, Map<String, Object> tls, String key, int otherwise) throws BadFlagException {
        String v = string(file, tls, key);
        if (v == null) {
            return otherwise;
        }
        int i = VERSIONS.indexOf(v);
        if (i < 0) {
            throw bad(file, key + ": expected one of " + String.join(", ", VERSIONS) + ", got \"" + v + "\"");
        }
        return i;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Path file, Map<String, Object> root, String name) throws BadFlagException {
        Object v = root.get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Map)) {
            throw bad(file, name + ": expected a mapping of keys to values");
        }
        return (Map<String, Object>) v;
    }

    private static String string(Path file, Map<String, Object> map, String key) throws BadFlagException {
        Object v = map.get(key);
        if (v != null && !(v instanceof String)) {
            throw bad(file, key + ": expected a value, got a mapping");
        }
        return (String) v;
    }

    private static void unknownKeys(Path file, String prefix, Map<String, Object> map, Set<String> known) throws BadFlagException {
        for (String k : map.keySet()) {
            if (!known.contains(k)) {
                throw bad(file, "unknown or unsupported key " + prefix + k + " (supported: " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }
}
