package dev.tcpfootgun.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * --web.config.file in the Prometheus exporter-toolkit's format, with the toolkit's meaning and its
 * error messages, so one file serves node_exporter and this exporter alike:
 *
 * <pre>
 * tls_server_config:
 *   cert_file / cert, key_file / key     # PEM files relative to this file, or inline PEM
 *   client_auth_type: NoClientCert | RequestClientCert | RequireAnyClientCert
 *                     | VerifyClientCertIfGiven | RequireAndVerifyClientCert
 *   client_ca_file / client_ca            # the CAs that verify client certificates
 *   client_allowed_sans: [..]             # a client certificate must carry one of these SANs
 *   cipher_suites, curve_preferences, min_version, max_version, prefer_server_cipher_suites
 * http_server_config: {http2: bool, headers: {..}}
 * rate_limit: {interval: 1s, burst: N}
 * basic_auth_users: {name: bcrypt hash}
 * </pre>
 *
 * Read and checked whole (certificates parsed, keys matched), so a bad file is one line and exit
 * code 2 at start-up; {@link WebConfigFile} re-reads it when it changes.
 *
 * @param tls null for plain HTTP
 * @param users user name to bcrypt hash; empty for no authentication
 * @param headers extra response headers (http_server_config.headers)
 * @param rateLimit null for no limit
 * @param notes things worth one log line (a curve or cipher this JDK does not offer)
 */
public record WebConfig(Path file, ServerTls tls, Map<String, String> users, Map<String, String> headers, boolean http2,
        RateLimit rateLimit, List<String> notes) {

    /** The toolkit's rate_limit: {@code burst} requests at once, one more every {@code interval}. */
    public record RateLimit(Duration interval, int burst) {}

    /** The web config refused, in one line that names the file. */
    public static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(Path file, String what) {
            super("--web.config.file: " + file + ": " + what.replaceAll("\\s+", " ").strip());
        }
    }

    static final Map<String, Set<String>> KEYS = Map.of(
            "", Set.of("tls_server_config", "http_server_config", "rate_limit", "basic_auth_users"),
            "tls_server_config", Set.of("cert", "key", "client_ca", "cert_file", "key_file", "client_auth_type",
                    "client_ca_file", "cipher_suites", "curve_preferences", "min_version", "max_version",
                    "prefer_server_cipher_suites", "client_allowed_sans"),
            "http_server_config", Set.of("http2", "headers"),
            "rate_limit", Set.of("burst", "interval"));

    /** The headers the toolkit lets a web config set, with the values it allows (empty: any). */
    static final Map<String, List<String>> EXTRA_HEADERS = Map.of(
            "Strict-Transport-Security", List.of(),
            "X-Content-Type-Options", List.of("nosniff"),
            "X-Frame-Options", List.of("deny", "sameorigin"),
            "X-XSS-Protection", List.of(),
            "Content-Security-Policy", List.of());

    public WebConfig {
        users = Map.copyOf(users);
        headers = Map.copyOf(headers);
        notes = List.copyOf(notes);
    }

    /** No file: plain HTTP, no users. */
    public static WebConfig none() {
        return new WebConfig(null, null, Map.of(), Map.of(), true, null, List.of());
    }

    /** Reads and checks the file; any problem is one line naming the file and what is wrong. */
    public static WebConfig load(Path file) throws Invalid {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Invalid(file, "open " + file + ": " + ioReason(e));
        }
        Map<String, Object> root = yaml(file, text);
        // the toolkit's order: users, then the YAML's types, then TLS
        Map<String, String> users = users(file, root);
        Map<String, Object> http = section(file, root, "http_server_config");
        boolean http2 = http == null || bool(file, http, "http2", true);
        Map<String, String> headers = headers(file, http);
        RateLimit limit = rateLimit(file, section(file, root, "rate_limit"));
        List<String> notes = new ArrayList<>();
        Map<String, Object> tlsSection = section(file, root, "tls_server_config");
        ServerTls tls = tlsSection == null ? null : tls(file, tlsSection, http2, notes);
        return new WebConfig(file, tls, users, headers, http2, limit, notes);
    }

    /** The files this config reads besides itself (certificates, keys, CAs), for change detection. */
    public List<Path> referencedFiles() {
        return tls == null ? List.of() : tls.files();
    }

    private static Map<String, Object> yaml(Path file, String text) throws Invalid {
        LoadSettings settings = LoadSettings.builder().setAllowDuplicateKeys(false).setMaxAliasesForCollections(10)
                .setCodePointLimit(4 * 1024 * 1024).setLabel(file.toString()).build();
        Object doc;
        try {
            doc = new Load(settings).loadFromString(text);
        } catch (YamlEngineException e) {
            throw new Invalid(file, "yaml: " + e.getMessage().replace(file.toString(), "").replaceAll("\\s+", " "));
        }
        if (doc == null) {
            return Map.of();
        }
        if (!(doc instanceof Map)) {
            throw new Invalid(file, "yaml: unmarshal errors: cannot unmarshal " + kind(doc) + " into the web config (expected a mapping)");
        }
        Map<String, Object> root = strings(file, "", doc);
        unknownKeys(file, "", root);
        return root;
    }

    private static String kind(Object v) {
        return v instanceof Map ? "a mapping" : v instanceof List ? "a list" : "a scalar \"" + v + "\"";
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> strings(Path file, String where, Object map) throws Invalid {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<Object, Object> e : ((Map<Object, Object>) map).entrySet()) {
            if (!(e.getKey() instanceof String) && !(e.getKey() instanceof Number) && !(e.getKey() instanceof Boolean)) {
                throw new Invalid(file, "yaml: " + where + ": a key that is " + kind(e.getKey()));
            }
            out.put(String.valueOf(e.getKey()), e.getValue());
        }
        return out;
    }

    private static void unknownKeys(Path file, String section, Map<String, Object> map) throws Invalid {
        for (String k : map.keySet()) {
            if (!KEYS.get(section).contains(k)) {
                throw new Invalid(file, "yaml: unmarshal errors: field " + k + " not found in "
                        + (section.isEmpty() ? "the web config" : section) + " (known: "
                        + String.join(", ", KEYS.get(section).stream().sorted().toList()) + ")");
            }
        }
    }

    private static Map<String, Object> section(Path file, Map<String, Object> root, String name) throws Invalid {
        Object v = root.get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Map)) {
            throw new Invalid(file, "yaml: unmarshal errors: " + name + ": cannot unmarshal " + kind(v) + " into a mapping");
        }
        Map<String, Object> m = strings(file, name, v);
        if (KEYS.containsKey(name)) {
            unknownKeys(file, name, m);
        }
        return m;
    }

    /** A scalar as the toolkit's YAML library reads it into a string field ("" when absent). */
    private static String string(Path file, Map<String, Object> map, String key) throws Invalid {
        Object v = map.get(key);
        if (v == null) {
            return "";
        }
        if (v instanceof Map || v instanceof List) {
            throw new Invalid(file, "yaml: unmarshal errors: " + key + ": cannot unmarshal " + kind(v) + " into a string");
        }
        return String.valueOf(v);
    }

    private static List<String> list(Path file, Map<String, Object> map, String key) throws Invalid {
        Object v = map.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof List<?> l)) {
            throw new Invalid(file, "yaml: unmarshal errors: " + key + ": cannot unmarshal " + kind(v) + " into a list");
        }
        List<String> out = new ArrayList<>();
        for (Object o : l) {
            if (o instanceof Map || o instanceof List || o == null) {
                throw new Invalid(file, "yaml: unmarshal errors: " + key + ": an entry that is " + (o == null ? "empty" : kind(o)));
            }
            out.add(String.valueOf(o));
        }
        return out;
    }

    private static boolean bool(Path file, Map<String, Object> map, String key, boolean otherwise) throws Invalid {
        Object v = map.get(key);
        if (v == null) {
            return otherwise;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        // YAML 1.1 booleans, which the toolkit's yaml.v2 also reads
        return switch (String.valueOf(v).toLowerCase(Locale.ROOT)) {
            case "yes", "on", "y", "true" -> true;
            case "no", "off", "n", "false" -> false;
            default -> throw new Invalid(file, "yaml: unmarshal errors: " + key + ": cannot unmarshal \"" + v + "\" into a bool");
        };
    }

    private static Map<String, String> users(Path file, Map<String, Object> root) throws Invalid {
        Map<String, Object> users = section(file, root, "basic_auth_users");
        Map<String, String> hashes = new LinkedHashMap<>();
        if (users != null) {
            for (String user : users.keySet()) {
                String hash = string(file, users, user);
                String wrong = BcryptHashes.problem(hash);
                if (wrong != null) {
                    throw new Invalid(file, "basic_auth_users: " + user + ": " + wrong + " (make one with htpasswd -nBC 10 USER)");
                }
                hashes.put(user, hash);
            }
        }
        return hashes;
    }

    private static Map<String, String> headers(Path file, Map<String, Object> http) throws Invalid {
        if (http == null || http.get("headers") == null) {
            return Map.of();
        }
        Map<String, Object> h = section(file, http, "headers");
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : h.keySet()) {
            String value = string(file, h, name);
            List<String> allowed = EXTRA_HEADERS.get(name);
            if (allowed == null) {
                throw new Invalid(file, "HTTP header \"" + name + "\" can not be configured");
            }
            if (!allowed.isEmpty() && !allowed.contains(value)) {
                throw new Invalid(file, "invalid value for " + name + ". Expected one of: " + allowed + ", but got: \"" + value + "\"");
            }
            if (value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
                throw new Invalid(file, "invalid value for " + name + ": control characters");
            }
            out.put(name, value);
        }
        return out;
    }

    private static RateLimit rateLimit(Path file, Map<String, Object> section) throws Invalid {
        if (section == null) {
            return null;
        }
        Duration interval = GoDuration.parse(string(file, section, "interval"));
        if (interval == null) {
            throw new Invalid(file, "yaml: unmarshal errors: rate_limit.interval: \"" + section.get("interval")
                    + "\" is not a duration like 1s or 500ms");
        }
        int burst;
        try {
            burst = Integer.parseInt(string(file, section, "burst").isEmpty() ? "0" : string(file, section, "burst"));
        } catch (NumberFormatException e) {
            throw new Invalid(file, "yaml: unmarshal errors: rate_limit.burst: \"" + section.get("burst") + "\" is not a whole number");
        }
        if (burst < 0) {
            throw new Invalid(file, "rate_limit.burst: must not be negative");
        }
        // the toolkit turns the limiter on only for a non-zero interval
        return interval.isZero() ? null : new RateLimit(interval, burst);
    }

    private static ServerTls tls(Path file, Map<String, Object> t, boolean http2, List<String> notes) throws Invalid {
        Path dir = file.toAbsolutePath().getParent();
        String certFile = string(file, t, "cert_file");
        String keyFile = string(file, t, "key_file");
        String caFile = string(file, t, "client_ca_file");
        String certText = string(file, t, "cert");
        String keyText = string(file, t, "key");
        String caText = string(file, t, "client_ca");
        String clientAuth = string(file, t, "client_auth_type");
        List<String> ciphers = ServerTls.cipherSuites(file, list(file, t, "cipher_suites"));
        List<String> curves = ServerTls.namedGroups(file, list(file, t, "curve_preferences"), notes);
        int min = ServerTls.version(file, string(file, t, "min_version"), 2);
        int max = ServerTls.version(file, string(file, t, "max_version"), 3);
        boolean preferServer = bool(file, t, "prefer_server_cipher_suites", true);
        List<String> sans = list(file, t, "client_allowed_sans");
        boolean enabled = !certFile.isEmpty() || !certText.isEmpty() || !keyFile.isEmpty() || !keyText.isEmpty()
                || !caFile.isEmpty() || !caText.isEmpty() || !clientAuth.isEmpty();
        if (!enabled) {
            return null; // the toolkit: no TLS field set is plain HTTP, whatever versions or ciphers say
        }
        if (certFile.isEmpty() && certText.isEmpty()) {
            throw new Invalid(file, "missing one of cert or cert_file");
        }
        if (keyFile.isEmpty() && keyText.isEmpty()) {
            throw new Invalid(file, "missing one of key or key_file");
        }
        List<Path> files = new ArrayList<>();
        String chainName = certFile.isEmpty() ? "tls_server_config.cert" : certFile;
        String chainPem = certFile.isEmpty() ? certText : read(file, dir, certFile, "cert_file", files);
        String keyName = keyFile.isEmpty() ? "tls_server_config.key" : keyFile;
        String keyPem = keyFile.isEmpty() ? keyText : read(file, dir, keyFile, "key_file", files);
        List<X509Certificate> chain;
        PrivateKey key;
        List<X509Certificate> cas = null;
        try {
            chain = PemFiles.certificates(chainName, chainPem);
            key = PemFiles.privateKey(keyName, keyPem, chain.get(0).getPublicKey());
            if (!caFile.isEmpty()) {
                cas = PemFiles.certificatesOrNone(caFile, read(file, dir, caFile, "client_ca_file", files));
            } else if (!caText.isEmpty()) {
                cas = PemFiles.certificatesOrNone("tls_server_config.client_ca", caText);
            }
        } catch (PemFiles.PemException e) {
            throw new Invalid(file, "failed to load X509KeyPair: " + e.getMessage());
        }
        ServerTls.ClientAuth auth = ServerTls.ClientAuth.parse(clientAuth);
        if (auth == null) {
            throw new Invalid(file, "invalid ClientAuth: " + clientAuth);
        }
        if (cas != null && auth == ServerTls.ClientAuth.NO_CLIENT_CERT) {
            throw new Invalid(file, "client CA's have been configured without a Client Auth Policy");
        }
        if (sans != null && auth != ServerTls.ClientAuth.REQUIRE_ANY_CLIENT_CERT
                && auth != ServerTls.ClientAuth.REQUIRE_AND_VERIFY_CLIENT_CERT) {
            throw new Invalid(file, "client_allowed_sans requires client_auth_type to be one of RequireAnyClientCert or RequireAndVerifyClientCert");
        }
        if (min > max) {
            throw new Invalid(file, "no supported versions satisfy MinVersion and MaxVersion");
        }
        if (http2 && ciphers != null && !ciphers.contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
                && !ciphers.contains("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256") && max >= 2) {
            // Go's HTTP/2 server refuses this at start; kept so that a file valid here is valid there
            throw new Invalid(file, "http2: TLSConfig.CipherSuites is missing an HTTP/2-required AES_128_GCM_SHA256 cipher "
                    + "(need at least one of TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 or TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)");
        }
        List<String> protocols = ServerTls.protocols(file, min, max);
        try {
            char[] password = new char[0];
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("server", key, password, chain.toArray(new X509Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), new javax.net.ssl.TrustManager[] {ServerTls.clientTrust(auth, cas, sans)}, null);
            ServerTls tls = new ServerTls(context, protocols, ServerTls.offered(context, ciphers, notes), curves, auth,
                    preferServer, files);
            return tls;
        } catch (GeneralSecurityException | IOException e) {
            throw new Invalid(file, "TLS setup failed: " + PemFiles.oneLine(e));
        }
    }

    /** A file the config names, relative to the config's folder, read as ISO-8859-1 (PEM is ASCII, comments may not be). */
    private static String read(Path file, Path dir, String name, String key, List<Path> files) throws Invalid {
        Path p = dir.resolve(name);
        files.add(p);
        try {
            return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new Invalid(file, "failed to read " + key + " (" + p + "): open " + p + ": " + ioReason(e));
        }
    }

    static String ioReason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return PemFiles.oneLine(e);
    }
}
