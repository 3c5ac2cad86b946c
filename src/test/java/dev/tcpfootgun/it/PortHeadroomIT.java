package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.testing.Cmd;
import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.MetricsText;
import dev.tcpfootgun.testing.NetNs;
import dev.tcpfootgun.testing.TestServer;
import java.io.Closeable;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The headroom the exporter predicts is what connect() then gives, exactly. In a namespace with 200
 * ephemeral ports minus 10 reserved, 150 client-closed connections to one destination leave 150
 * TIME_WAIT sockets; then ports are held through bind() (a listener in the range, sockets that only
 * called bind(), clients that called bind() before connect() to another destination) or not
 * (IP_BIND_ADDRESS_NO_PORT clients), under tcp_tw_reuse 0, 1 and 2, over loopback and over a veth.
 * After the scrape the test connect()s to the destination until EADDRNOTAVAIL and compares.
 */
class PortHeadroomIT {

    static final int LOW = 50000;
    static final int HIGH = 50199;
    static final int RESERVED = 10;
    static final int USABLE = HIGH - LOW + 1 - RESERVED;
    static final int TIME_WAIT = 150;
    static final int EXPORTER_PORT = 9999;
    static final int DESTINATION_PORT = 8080;
    static final int OTHER_PORT = 8081;

    /** What the test adds to the 150 TIME_WAIT sockets before the scrape. */
    record Extras(boolean listener, int bindOnly, int bindThenConnect, int noPortThenConnect, int bindThenConnectClosed) {
        static final Extras NONE = new Extras(false, 0, 0, 0, 0);

        Extras(boolean listener, int bindOnly, int bindThenConnect, int noPortThenConnect) {
            this(listener, bindOnly, bindThenConnect, noPortThenConnect, 0);
        }
    }

    @Test
    void aListenerInTheRangeIsLostToEveryDestination() throws Exception {
        assertPredictionHolds(false, 0, new Extras(true, 0, 0, 0), USABLE - TIME_WAIT - 1);
    }

    @Test
    void socketsThatOnlyCalledBindAreLostToEveryDestinationAndSsNodeExporterAndTheExporterAgreePerState() throws Exception {
        assertPredictionHolds(false, 0, new Extras(false, 10, 0, 0), USABLE - TIME_WAIT - 10);
    }

    @Test
    void bindBeforeConnectToAnotherDestinationIsLostToThisOne() throws Exception {
        assertPredictionHolds(false, 0, new Extras(false, 0, 5, 0), USABLE - TIME_WAIT - 5);
    }

    @Test
    void bindBeforeConnectClosedIntoTimeWaitStillHoldsItsPortFromThisDestination() throws Exception {
        assertPredictionHolds(false, 0, new Extras(false, 0, 0, 0, 5), USABLE - TIME_WAIT - 5);
    }

    @Test
    void allTogether() throws Exception {
        assertPredictionHolds(false, 0, new Extras(true, 10, 5, 0), USABLE - TIME_WAIT - 16);
    }

    @Test
    void ipBindAddressNoPortLetsConnectChooseSoNothingIsLost() throws Exception {
        assumeTrue(Cmd.available("python3"), "needs python3 to set IP_BIND_ADDRESS_NO_PORT");
        assertPredictionHolds(false, 0, new Extras(false, 0, 0, 5), USABLE - TIME_WAIT);
    }

    @Test
    void twReuse0OnLoopback() throws Exception {
        assertPredictionHolds(false, 0, Extras.NONE, USABLE - TIME_WAIT);
    }

    @Test
    void twReuse1OnLoopback() throws Exception {
        assertPredictionHolds(false, 1, Extras.NONE, USABLE);
    }

    @Test
    void twReuse2OnLoopback() throws Exception {
        assertPredictionHolds(false, 2, Extras.NONE, USABLE);
    }

    @Test
    void twReuse0OverAVeth() throws Exception {
        assertPredictionHolds(true, 0, Extras.NONE, USABLE - TIME_WAIT);
    }

    @Test
    void twReuse1OverAVeth() throws Exception {
        assertPredictionHolds(true, 1, Extras.NONE, USABLE);
    }

    @Test
    void twReuse2OverAVethIsLoopbackOnly() throws Exception {
        assertPredictionHolds(true, 2, Extras.NONE, USABLE - TIME_WAIT);
    }

    /**
     * Builds the case, scrapes, then connect()s until EADDRNOTAVAIL. {@code expected} is the count the
     * kernel rule gives; the kernel must give it and the exporter must predict it.
     */
    static void assertPredictionHolds(boolean veth, int twReuse, Extras extras, int expected) throws Exception {
        String why = NetNs.unavailableReason();
        assumeTrue(why == null, why);
        try (NetNs ns = NetNs.create("pred-hr"); NetNs far = veth ? NetNs.create("pred-hs") : null) {
            ns.sysctl("net.ipv4.ip_local_port_range", LOW + " " + HIGH);
            ns.sysctl("net.ipv4.ip_local_reserved_ports", LOW + "-" + (LOW + RESERVED - 1));
            ns.sysctl("net.ipv4.tcp_tw_reuse", Integer.toString(twReuse));
            String address = "127.0.0.1";
            NetNs serverNs = ns;
            if (veth) {
                ns.exec("ip", "link", "add", "hr0", "type", "veth", "peer", "name", "hr1", "netns", far.name());
                ns.exec("ip", "addr", "add", "10.255.13.1/24", "dev", "hr0");
                far.exec("ip", "addr", "add", "10.255.13.2/24", "dev", "hr1");
                ns.exec("ip", "link", "set", "hr0", "up");
                far.exec("ip", "link", "set", "hr1", "up");
                address = "10.255.13.2";
                serverNs = far;
            }
            InetAddress dst = InetAddress.getByName(address);
            TestServer destination = serverNs.call(() -> TestServer.draining(listener(dst, DESTINATION_PORT)));
            TestServer other = serverNs.call(() -> TestServer.draining(listener(dst, OTHER_PORT)));
            List<Closeable> held = new ArrayList<>();
            Process noPort = null;
            try (ExporterProcess exporter = ExporterProcess.start(ns, "--web.listen-address=127.0.0.1:" + EXPORTER_PORT,
                    "--destinations.top=20")) {
                ns.call(() -> {
                    for (int i = 0; i < TIME_WAIT; i++) {
                        try (Socket s = new Socket(dst, DESTINATION_PORT)) {
                            s.getOutputStream().write('x');
                        }
                    }
                    return null;
                });
                destination.awaitFinished(TIME_WAIT);
                ns.awaitTimeWait(DESTINATION_PORT, TIME_WAIT);
                held.addAll(ns.call(() -> hold(extras, dst)));
                if (extras.bindThenConnectClosed() > 0) {
                    ns.call(() -> {
                        for (int i = 0; i < extras.bindThenConnectClosed(); i++) {
                            try (Socket s = new Socket()) {
                                s.bind(new InetSocketAddress(dst.isLoopbackAddress() ? dst : InetAddress.getByName("10.255.13.1"), 0));
                                s.connect(new InetSocketAddress(dst, OTHER_PORT));
                                s.getOutputStream().write('x');
                            }
                        }
                        return null;
                    });
                    other.awaitFinished(extras.bindThenConnectClosed());
                    ns.awaitTimeWait(OTHER_PORT, extras.bindThenConnectClosed());
                }
                if (extras.noPortThenConnect() > 0) {
                    noPort = noPortClients(ns, address, extras.noPortThenConnect());
                }
                if (twReuse > 0) {
                    Thread.sleep(1500); // past tcp_tw_reuse_delay (1 s): the TIME_WAIT ports are reusable where reuse applies
                }

                Process nodeExporter = extras.bindOnly() > 0 ? startNodeExporter(ns) : null;
                String body;
                try {
                    body = ns.call(() -> resetAfterGet(EXPORTER_PORT));
                    if (nodeExporter != null) {
                        assertStatesAgree(ns, MetricsText.parse(body), extras.bindOnly());
                    }
                } finally {
                    if (nodeExporter != null) {
                        nodeExporter.destroy();
                        nodeExporter.waitFor();
                    }
                }
                MetricsText m = MetricsText.parse(body);
                double perSecond = m.get("footgun_ephemeral_port_headroom_connections_per_second",
                        "src_ip", veth ? "10.255.13.1" : "127.0.0.1", "dst_ip", address, "dst_port", Integer.toString(DESTINATION_PORT))
                        .orElseThrow(() -> new AssertionError("no headroom for the destination in\n" + body));
                long predicted = Math.round(perSecond * 60);
                assertThat(ns.exec("ss", "-H", "-tan", "state", "time-wait", "dport", "= :" + DESTINATION_PORT).strip().lines().count())
                        .as("TIME_WAIT sockets still there after the scrape").isEqualTo(TIME_WAIT);

                List<Socket> made = ns.call(() -> connectUntilRefused(dst));
                held.addAll(made);
                assertThat(made.size()).as("connect()s the kernel allowed (the rule's count)").isEqualTo(expected);
                assertThat(predicted).as("the exporter's predicted free ports").isEqualTo(made.size());
            } finally {
                if (noPort != null) {
                    noPort.destroy();
                    noPort.waitFor();
                }
                ns.call(() -> {
                    for (Closeable c : held) {
                        c.close();
                    }
                    return null;
                });
                serverNs.call(() -> {
                    destination.close();
                    other.close();
                    return null;
                });
            }
        }
    }

    static ServerSocket listener(InetAddress address, int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(address, port), 512);
        return s;
    }

    /** Sockets holding ports through bind(), made inside the namespace. */
    static List<Closeable> hold(Extras extras, InetAddress dst) throws IOException {
        List<Closeable> held = new ArrayList<>();
        if (extras.listener()) {
            // a server's fixed port inside the range: the first one from the top that no TIME_WAIT socket holds
            for (int port = HIGH; ; port--) {
                ServerSocket l = new ServerSocket();
                try {
                    l.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5);
                    held.add(l);
                    break;
                } catch (BindException e) {
                    l.close();
                }
            }
        }
        for (int i = 0; i < extras.bindOnly(); i++) {
            Socket s = new Socket();
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            held.add(s);
        }
        for (int i = 0; i < extras.bindThenConnect(); i++) {
            Socket s = new Socket();
            s.bind(new InetSocketAddress(dst.isLoopbackAddress() ? dst : InetAddress.getByName("10.255.13.1"), 0));
            s.connect(new InetSocketAddress(dst, OTHER_PORT));
            held.add(s);
        }
        return held;
    }

    /** Clients that bind() an address with IP_BIND_ADDRESS_NO_PORT, then connect(): Java has no such option, python does. */
    static Process noPortClients(NetNs ns, String address, int n) throws IOException {
        String script = String.join("\n",
                "import socket, sys",
                "held = []",
                "for i in range(" + n + "):",
                "    s = socket.socket()",
                "    s.setsockopt(socket.IPPROTO_IP, 24, 1)  # IP_BIND_ADDRESS_NO_PORT",
                "    s.bind(('" + (address.startsWith("127.") ? address : "10.255.13.1") + "', 0))",
                "    s.connect(('" + address + "', " + OTHER_PORT + "))",
                "    held.append(s)",
                "print('ready', flush=True)",
                "sys.stdin.read()");
        Process p = ns.start("python3", "-c", script);
        String line = new String(p.getInputStream().readNBytes(6), StandardCharsets.US_ASCII);
        assertThat(line).as("python clients ready").isEqualTo("ready\n");
        return p;
    }

    static List<Socket> connectUntilRefused(InetAddress dst) throws IOException {
        List<Socket> made = new ArrayList<>();
        while (true) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(dst, DESTINATION_PORT));
                made.add(s);
            } catch (BindException e) {
                s.close();
                assertThat(e.getMessage()).contains("assign requested address");
                return made;
            }
        }
    }

    /** node_exporter with only tcpstat, inside the namespace on loopback; null (and a line on stderr) when not installed. */
    static Process startNodeExporter(NetNs ns) throws Exception {
        if (!Cmd.available("prometheus-node-exporter")) {
            System.err.println("prometheus-node-exporter not installed: tcpstat comparison skipped");
            return null;
        }
        Process ne = ns.start("prometheus-node-exporter", "--web.listen-address=127.0.0.1:" + NODE_EXPORTER_PORT,
                "--collector.disable-defaults", "--collector.tcpstat");
        for (int i = 0; i < 200; i++) {
            try {
                ns.call(() -> resetAfterGet(NODE_EXPORTER_PORT));
                return ne;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        ne.destroy();
        throw new AssertionError("node_exporter did not answer");
    }

    static final int NODE_EXPORTER_PORT = 9101;

    /**
     * GET /metrics on 127.0.0.1:{@code port}, the body read to its end, then the connection reset (SO_LINGER 0):
     * no TIME_WAIT on either side, so the states the tools count are the test's alone.
     */
    static String resetAfterGet(int port) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/plain\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            var in = new java.io.DataInputStream(new java.io.BufferedInputStream(s.getInputStream()));
            long length = -1;
            boolean chunked = false;
            for (String line; !(line = readLine(in)).isEmpty(); ) {
                String lower = line.toLowerCase(java.util.Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(lower.substring(15).strip());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                }
            }
            var body = new java.io.ByteArrayOutputStream();
            if (chunked) {
                for (int n; (n = Integer.parseInt(readLine(in).split(";")[0].strip(), 16)) > 0; ) {
                    body.write(in.readNBytes(n));
                    readLine(in);
                }
                readLine(in);
            } else {
                body.write(in.readNBytes((int) length));
            }
            s.setSoLinger(true, 0);
            return body.toString(StandardCharsets.UTF_8);
        }
    }

    private static String readLine(java.io.DataInputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("connection closed mid-response");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    static double both(MetricsText m, String name, String state) {
        return m.get(name, "family", "ipv4", "state", state).orElse(0) + m.get(name, "family", "ipv6", "state", state).orElse(0);
    }

    /**
     * ss -tan and node_exporter's tcpstat neither ask for bound-inactive sockets; per state they report what the
     * exporter does, and the exporter alone shows the sockets that only called bind(), as bound_inactive, never close.
     * The exporter and node_exporter each count the one connection their own scrape holds open (both ends): ss has none.
     */
    static void assertStatesAgree(NetNs ns, MetricsText exporter, int bindOnly) throws Exception {
        String ss = ns.exec("ss", "-H", "-tan");
        MetricsText node = MetricsText.parse(ns.call(() -> resetAfterGet(NODE_EXPORTER_PORT)));
        assertThat(both(exporter, "footgun_tcp_sockets", "bound_inactive")).isEqualTo(bindOnly);
        assertThat(both(exporter, "footgun_tcp_sockets", "close")).isZero();
        assertThat(node.get("node_tcp_connection_states", "state", "close").orElse(0)).isZero();
        assertThat(ss.lines().filter(l -> l.startsWith("UNCONN") || l.startsWith("CLOSE ")).count()).isZero();
        String[][] states = {{"time_wait", "TIME-WAIT"}, {"listen", "LISTEN"}, {"established", "ESTAB"},
            {"syn_recv", "SYN-RECV"}, {"fin_wait1", "FIN-WAIT-1"}, {"fin_wait2", "FIN-WAIT-2"}, {"close_wait", "CLOSE-WAIT"},
            {"last_ack", "LAST-ACK"}};
        for (String[] st : states) {
            long inSs = ss.lines().filter(l -> l.startsWith(st[1] + " ")).count();
            long ownScrape = st[0].equals("established") ? 2 : 0;
            assertThat(both(exporter, "footgun_tcp_sockets", st[0])).as("exporter " + st[0]).isEqualTo(inSs + ownScrape);
            assertThat(node.get("node_tcp_connection_states", "state", st[0]).orElse(0)).as("node_exporter " + st[0])
                    .isEqualTo(inSs + ownScrape);
        }
    }
}
