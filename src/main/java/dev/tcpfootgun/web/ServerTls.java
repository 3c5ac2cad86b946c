package dev.tcpfootgun.web;

import java.net.Socket;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS side of a web config, as the toolkit's Go crypto/tls settings map onto JSSE.
 *
 * @param cipherSuites the enabled suites (the configured TLS 1.2 ones plus every TLS 1.3 suite,
 *     which Go does not let a config choose); null for the JDK's defaults
 * @param namedGroups null for the JDK's defaults
 * @param files the certificate, key and CA files read, for change detection
 */
public record ServerTls(SSLContext context, List<String> protocols, List<String> cipherSuites, List<String> namedGroups,
        ClientAuth clientAuth, boolean preferServerCipherSuites, List<Path> files) {

    /** The toolkit's client_auth_type values, named as Go's tls.ClientAuthType. */
    public enum ClientAuth {
        NO_CLIENT_CERT, REQUEST_CLIENT_CERT, REQUIRE_ANY_CLIENT_CERT, VERIFY_CLIENT_CERT_IF_GIVEN, REQUIRE_AND_VERIFY_CLIENT_CERT;

        static ClientAuth parse(String s) {
            return switch (s) {
                case "", "NoClientCert" -> NO_CLIENT_CERT;
                case "RequestClientCert" -> REQUEST_CLIENT_CERT;
                case "RequireAnyClientCert", "RequireClientCert" -> REQUIRE_ANY_CLIENT_CERT; // the second: the toolkit's old name
                case "VerifyClientCertIfGiven" -> VERIFY_CLIENT_CERT_IF_GIVEN;
                case "RequireAndVerifyClientCert" -> REQUIRE_AND_VERIFY_CLIENT_CERT;
                default -> null;
            };
        }

        boolean verifies() {
            return this == VERIFY_CLIENT_CERT_IF_GIVEN || this == REQUIRE_AND_VERIFY_CLIENT_CERT;
        }
    }

    public ServerTls {
        protocols = List.copyOf(protocols);
        cipherSuites = cipherSuites == null ? null : List.copyOf(cipherSuites);
        namedGroups = namedGroups == null ? null : List.copyOf(namedGroups);
        files = List.copyOf(files);
    }

    /** The names Go's tls.CipherSuites() knows (the toolkit accepts exactly these). */
    static final List<String> GO_CIPHER_SUITES = List.of(
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
            "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA",
            "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384");
    static final List<String> TLS13_SUITES = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

    /** The toolkit's curve names and JSSE's named groups. */
    static final Map<String, String> CURVES = Map.of("CurveP256", "secp256r1", "CurveP384", "secp384r1",
            "CurveP521", "secp521r1", "X25519", "x25519", "X25519MLKEM768", "X25519MLKEM768");

    static final List<String> VERSIONS = List.of("TLS10", "TLS11", "TLS12", "TLS13");
    static final List<String> PROTOCOLS = List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    static List<String> cipherSuites(Path file, List<String> names) throws WebConfig.Invalid {
        if (names == null || names.isEmpty()) {
            return null;
        }
        for (String n : names) {
            if (!GO_CIPHER_SUITES.contains(n)) {
                throw new WebConfig.Invalid(file, "yaml: unknown cipher: " + n);
            }
        }
        return names;
    }

    static List<String> namedGroups(Path file, List<String> names, List<String> notes) throws WebConfig.Invalid {
        if (names == null || names.isEmpty()) {
            return null;
        }
        Set<String> jdk = Set.of(defaults().getSupportedSSLParameters().getNamedGroups());
        List<String> out = new ArrayList<>();
        for (String n : names) {
            String group = CURVES.get(n);
            if (group == null) {
                throw new WebConfig.Invalid(file, "yaml: unknown curve: " + n);
            }
            if (jdk.contains(group)) {
                out.add(group);
            } else {
                notes.add("curve_preferences: " + n + " is not implemented by this JDK and is not offered");
            }
        }
        if (out.isEmpty()) {
            throw new WebConfig.Invalid(file, "curve_preferences: none of " + names + " is implemented by this JDK");
        }
        return out;
    }

    static int version(Path file, String name, int otherwise) throws WebConfig.Invalid {
        if (name.isEmpty()) {
            return otherwise;
        }
        int i = VERSIONS.indexOf(name);
        if (i < 0) {
            throw new WebConfig.Invalid(file, "yaml: unknown TLS version: " + name);
        }
        return i;
    }

    /**
     * min..max as JSSE protocol names. TLS 1.0 and 1.1 are refused when the JVM's security policy
     * (jdk.tls.disabledAlgorithms) disables them, as the JDK does by default: a min_version the
     * server cannot speak would otherwise start and then fail every such handshake.
     */
    static List<String> protocols(Path file, int min, int max) throws WebConfig.Invalid {
        Set<String> allowed = Set.of(defaults().getDefaultSSLParameters().getProtocols());
        List<String> out = new ArrayList<>();
        for (int v = min; v <= max; v++) {
            if (!allowed.contains(PROTOCOLS.get(v))) {
                throw new WebConfig.Invalid(file, (v == min ? "min_version " : "max_version ") + VERSIONS.get(v) + ": "
                        + PROTOCOLS.get(v) + " is disabled by this JVM's security policy (jdk.tls.disabledAlgorithms); "
                        + "use TLS12 or TLS13, or enable it in the JVM's java.security");
            }
            out.add(PROTOCOLS.get(v));
        }
        return out;
    }

    /** The configured TLS 1.2 suites this JDK enables, plus the TLS 1.3 ones; a note for each left out. */
    static List<String> offered(SSLContext context, List<String> configured, List<String> notes) {
        if (configured == null) {
            return null;
        }
        Set<String> enabled = Set.of(context.getDefaultSSLParameters().getCipherSuites());
        List<String> out = new ArrayList<>();
        for (String c : configured) {
            if (TLS13_SUITES.contains(c)) {
                continue; // Go ignores these in cipher_suites: TLS 1.3 suites are not configurable
            }
            if (enabled.contains(c)) {
                out.add(c);
            } else {
                notes.add("cipher_suites: " + c + " is disabled by this JVM's security policy and is not offered");
            }
        }
        out.addAll(TLS13_SUITES);
        return out;
    }

    private static SSLContext defaults() {
        try {
            return SSLContext.getDefault();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has TLS", e);
        }
    }

    /** Parameters for a new server-side connection. */
    void configure(SSLSocket s) {
        SSLParameters p = context.getDefaultSSLParameters();
        p.setProtocols(protocols.toArray(String[]::new));
        if (cipherSuites != null) {
            p.setCipherSuites(cipherSuites.toArray(String[]::new));
        }
        if (namedGroups != null) {
            p.setNamedGroups(namedGroups.toArray(String[]::new));
        }
        p.setUseCipherSuitesOrder(preferServerCipherSuites);
        p.setApplicationProtocols(new String[] {"http/1.1"});
        switch (clientAuth) {
            case REQUIRE_ANY_CLIENT_CERT, REQUIRE_AND_VERIFY_CLIENT_CERT -> p.setNeedClientAuth(true);
            case REQUEST_CLIENT_CERT, VERIFY_CLIENT_CERT_IF_GIVEN -> p.setWantClientAuth(true);
            case NO_CLIENT_CERT -> { }
        }
        s.setSSLParameters(p);
        s.setUseClientMode(false);
    }

    /**
     * How client certificates are judged: against the CAs (or the JDK's trust store when there are
     * none, as Go falls back to the system roots) for the verifying policies, not at all for
     * RequestClientCert and RequireAnyClientCert; then, with client_allowed_sans, one SAN of the
     * leaf (DNS, e-mail, IP or URI) must be on the list.
     */
    static X509ExtendedTrustManager clientTrust(ClientAuth auth, List<X509Certificate> cas, List<String> allowedSans)
            throws java.security.GeneralSecurityException, java.io.IOException {
        X509TrustManager verifier = null;
        if (auth.verifies()) {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (cas == null) {
                tmf.init((KeyStore) null);
            } else {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                int i = 0;
                for (X509Certificate ca : cas) {
                    store.setCertificateEntry("client-ca-" + i++, ca);
                }
                tmf.init(store);
            }
            verifier = (X509TrustManager) Arrays.stream(tmf.getTrustManagers()).filter(t -> t instanceof X509TrustManager)
                    .findFirst().orElseThrow();
        }
        X509TrustManager verify = verifier;
        // the CAs named in the certificate request; none (any will do) for the policies that verify nothing
        X509Certificate[] issuers = cas == null || !auth.verifies() ? new X509Certificate[0] : cas.toArray(new X509Certificate[0]);
        return new X509ExtendedTrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                if (verify != null) {
                    verify.checkClientTrusted(chain, authType);
                }
                if (allowedSans != null) {
                    checkSans(chain[0], allowedSans);
                }
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
                checkClientTrusted(chain, authType);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
                checkClientTrusted(chain, authType);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("a server does not judge servers");
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
                checkServerTrusted(chain, authType);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
                checkServerTrusted(chain, authType);
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return issuers.clone();
            }
        };
    }

    /** Go's order of SAN kinds: DNS names, e-mail addresses, IP addresses, URIs. */
    static void checkSans(X509Certificate leaf, List<String> allowed) throws CertificateException {
        Map<Integer, List<String>> byKind = new LinkedHashMap<>();
        try {
            if (leaf.getSubjectAlternativeNames() != null) {
                for (List<?> san : leaf.getSubjectAlternativeNames()) {
                    byKind.computeIfAbsent((Integer) san.get(0), k -> new ArrayList<>()).add(String.valueOf(san.get(1)));
                }
            }
        } catch (CertificateParsingException e) {
            throw new CertificateException("error parsing client certificate: " + e.getMessage());
        }
        for (int kind : new int[] {2, 1, 7, 6}) { // dNSName, rfc822Name, iPAddress, uniformResourceIdentifier
            for (String v : byKind.getOrDefault(kind, List.of())) {
                if (allowed.contains(kind == 7 ? canonicalIp(v) : v)) {
                    return;
                }
            }
        }
        throw new CertificateException("could not find allowed SANs in client cert, found: " + allowed);
    }

    /** An IPv6 SAN as Go prints it (compressed); IPv4 stays as it is. */
    private static String canonicalIp(String ip) {
        try {
            if (ip.indexOf(':') < 0) {
                return ip;
            }
            String full = java.net.InetAddress.getByName(ip).getHostAddress();
            return full.replaceFirst("(^|:)(0(:|$)){2,8}", "::").replaceAll(":0+([0-9a-f])", ":$1");
        } catch (java.net.UnknownHostException e) {
            return ip;
        }
    }
}
