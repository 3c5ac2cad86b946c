package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.NetNs;
import dev.tcpfootgun.testing.TestServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * --destinations.labels=hash end to end: a namespace whose sockets run between test addresses
 * (IPv4, IPv6, and IPv4 through a dual-stack listener, which the kernel lists as v4-mapped IPv6),
 * with ports exhausted towards one destination and a full accept queue so findings name them. The
 * real jar's /metrics, landing page and /findings.json, and doctor's text and JSON, name no test
 * address, and show the destination by the hash its series carry.
 */
class RedactedAddressesIT {

    static final String CLIENT = "10.77.0.1";
    static final String SERVER = "10.77.0.7";
    static final String CLIENT6 = "2001:db8:77::1";
    static final String SERVER6 = "2001:db8:77::7";
    static final List<String> ADDRESSES = List.of(CLIENT, SERVER, CLIENT6, SERVER6);
    static final int CLOSED = 90;
    static final int EXPORTER_PORT = 9983;

    @Test
    void noTestAddressAppearsInAnyOutputUnderHash() throws Exception {
        String why = NetNs.unavailableReason();
        assumeTrue(why == null, why);
        try (NetNs ns = NetNs.create("fg-redact")) {
            ns.exec("ip", "addr", "add", CLIENT + "/32", "dev", "lo");
            ns.exec("ip", "addr", "add", SERVER + "/32", "dev", "lo");
            ns.exec("ip", "-6", "addr", "add", CLIENT6 + "/128", "dev", "lo", "nodad");
            ns.exec("ip", "-6", "addr", "add", SERVER6 + "/128", "dev", "lo", "nodad");
            ns.sysctl("net.ipv4.ip_local_port_range", "40000 40099");
            ns.sysctl("net.ipv4.tcp_tw_reuse", "0");
            List<AutoCloseable> held = new ArrayList<>();
            try {
                TestServer drained = ns.call(() -> TestServer.draining(bound(SERVER, 8080, 512)));
                TestServer v6 = ns.call(() -> TestServer.draining(bound(SERVER6, 8443, 16)));
                TestServer dual = ns.call(() -> TestServer.draining(bound("::", 8444, 16)));
                held.addAll(List.of(drained, v6, dual));
                // a listener that never accepts: its backlog of 1 is full with two connections
                ServerSocket stuck = ns.call(() -> bound(SERVER, 9000, 1));
                held.add(stuck);
                ns.call(() -> {
                    for (int i = 0; i < CLOSED; i++) {
                        try (Socket s = from(CLIENT, SERVER, 8080)) {
                            s.getOutputStream().write('x');
                        }
                    }
                    for (int i = 0; i < 2; i++) {
                        held.add(from(CLIENT6, SERVER6, 8443));
                        held.add(from(CLIENT, SERVER, 8444)); // accepted by the dual-stack listener as ::ffff:10.77.0.1
                        held.add(from(CLIENT, SERVER, 9000));
                    }
                    return null;
                });
                drained.awaitFinished(CLOSED);
                ns.awaitTimeWait(8080, CLOSED);
                assertThat(ns.exec("ss", "-H", "-tn", "state", "established", "sport", "= :8444"))
                        .as("the kernel lists the dual-stack listener's connections v4-mapped").contains("::ffff:" + CLIENT);

                Map<String, String> out;
                try (ExporterProcess exporter = ExporterProcess.start(ns, "--web.listen-address=127.0.0.1:" + EXPORTER_PORT,
                        "--destinations.labels=hash")) {
                    out = new java.util.LinkedHashMap<>();
                    out.put("/metrics", get(ns, "/metrics"));
                    out.put("/", get(ns, "/"));
                    out.put("/findings.json", get(ns, "/findings.json"));
                }
                out.put("doctor", DoctorIT.doctor(ns, "--destinations.labels=hash").out());
                out.put("doctor --output json", DoctorIT.doctor(ns, "--destinations.labels=hash", "--output", "json").out());

                String server = hash(SERVER);
                assertThat(out.get("/metrics")).contains("dst_ip=\"" + server + "\",dst_port=\"8080\"")
                        .contains("dst_ip=\"" + hash(SERVER6) + "\"");
                for (var e : out.entrySet()) {
                    assertThat(e.getValue()).as(e.getKey()).doesNotContain(ADDRESSES).doesNotContain("::ffff:");
                    if (!e.getKey().equals("/metrics")) {
                        // the findings name the destination and the full listener by their series' hash
                        assertThat(e.getValue()).as(e.getKey())
                                .contains(server + ":8080 (from " + hash(CLIENT) + ") holds")
                                .contains(server + ":9000");
                    }
                }
                // prose is not addresses: the fix's port range stays as written
                assertThat(out.get("doctor")).contains("sysctl -w net.ipv4.ip_local_port_range=\"1024 65535\"");
            } finally {
                ns.call(() -> {
                    for (AutoCloseable c : held) {
                        c.close();
                    }
                    return null;
                });
            }
        }
    }

    static ServerSocket bound(String ip, int port, int backlog) throws Exception {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.ofLiteral(ip), port), backlog);
        return s;
    }

    static Socket from(String src, String dst, int port) throws Exception {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.ofLiteral(src), 0));
        s.connect(new InetSocketAddress(InetAddress.ofLiteral(dst), port), 5000);
        return s;
    }

    static String get(NetNs ns, String path) throws Exception {
        return ns.call(() -> {
            var r = ExporterProcess.get("http://127.0.0.1:" + EXPORTER_PORT + path, null);
            assertThat(r.status()).isEqualTo(200);
            return r.body();
        });
    }

    /** The label value the README documents: "h:" and the first 12 hex digits of SHA-256 of the address text. */
    static String hash(String ip) throws Exception {
        byte[] d = MessageDigest.getInstance("SHA-256").digest(ip.getBytes(StandardCharsets.US_ASCII));
        return "h:" + HexFormat.of().formatHex(d).substring(0, 12);
    }
}
