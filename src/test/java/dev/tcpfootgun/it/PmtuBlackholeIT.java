package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.testing.Cmd;
import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.NetNs;
import dev.tcpfootgun.testing.TestServer;
import dev.tcpfootgun.testing.ScrapedFindings;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Seed section 8 for real: sender - router - receiver in three namespaces. The router's link to the
 * receiver has MTU 1100 and its firewall drops the ICMP fragmentation-needed it would send back,
 * while both ends keep MTU 1500 and agree on MSS 1460: the classic PMTU blackhole. A bulk send from
 * the sender stalls in retransmission backoff with full-size segments. With tcp_mtu_probing=0 the
 * exporter in the sender's namespace calls that critical and names the receiver; with
 * tcp_mtu_probing=1 the same transfer completes (TCP shrinks its segments after repeated timeouts)
 * and the finding is at most a warning while it stalls, ok after. Addresses: 198.18.30.0/24 and
 * 198.18.31.0/24; nothing leaves the namespaces.
 */
class PmtuBlackholeIT {

    static final int EXPORTER_PORT = 10071;
    static final String FOOTGUN = "pmtu_blackhole";
    static final String SENDER = "198.18.30.1";
    static final String ROUTER_IN = "198.18.30.2";
    static final String ROUTER_OUT = "198.18.31.1";
    static final String RECEIVER = "198.18.31.2";
    static final int PORT = 5001;
    static final int BYTES = 256 * 1024;
    /** Above tcp_base_mss 1024 plus headers, so probing recovers at its first step. */
    static final int ROUTER_MTU = 1100;

    @Test
    void fullSizeSegmentsStallingWithProbingOffAreCriticalAndProbingRecovers() throws Exception {
        String why = NetNs.unavailableReason();
        assumeTrue(why == null, why);
        assumeTrue(Cmd.available("iptables"), "needs iptables");
        try (NetNs sender = NetNs.create("fg-pmtus"); NetNs router = NetNs.create("fg-pmtur");
                NetNs receiver = NetNs.create("fg-pmtud")) {
            sender.exec("ip", "link", "add", "ps0", "type", "veth", "peer", "name", "pr0", "netns", router.name());
            router.exec("ip", "link", "add", "pr1", "mtu", Integer.toString(ROUTER_MTU), "type", "veth",
                    "peer", "name", "pd0", "netns", receiver.name());
            sender.exec("ip", "addr", "add", SENDER + "/24", "dev", "ps0");
            router.exec("ip", "addr", "add", ROUTER_IN + "/24", "dev", "pr0");
            router.exec("ip", "addr", "add", ROUTER_OUT + "/24", "dev", "pr1");
            receiver.exec("ip", "addr", "add", RECEIVER + "/24", "dev", "pd0");
            sender.exec("ip", "link", "set", "ps0", "up");
            router.exec("ip", "link", "set", "pr0", "up");
            router.exec("ip", "link", "set", "pr1", "up");
            receiver.exec("ip", "link", "set", "pd0", "up");
            sender.exec("ip", "route", "add", "default", "via", ROUTER_IN);
            receiver.exec("ip", "route", "add", "default", "via", ROUTER_OUT);
            router.sysctl("net.ipv4.ip_forward", "1");
            // the security team's "ICMP is a risk" rule, on the router
            router.exec("iptables", "-A", "OUTPUT", "-p", "icmp", "--icmp-type", "fragmentation-needed", "-j", "DROP");
            assertThat(receiver.exec("ip", "-o", "link", "show", "pd0")).contains("mtu 1500");
            sender.sysctl("net.ipv4.tcp_mtu_probing", "0");

            TestServer sink = TestServer.draining(receiver.call(() -> new ServerSocket(PORT, 16, InetAddress.getByName(RECEIVER))));
            try (ExporterProcess exporter = ExporterProcess.start(sender, "--web.listen-address=127.0.0.1:" + EXPORTER_PORT)) {
                ScrapedFindings calm = ScrapedFindings.get(sender, EXPORTER_PORT);
                assertThat(calm.status(FOOTGUN)).as(calm.line(FOOTGUN)).isEqualTo("ok");

                List<String> seen = new ArrayList<>();
                try (Transfer blocked = Transfer.start(sender, RECEIVER, PORT, BYTES)) {
                    ScrapedFindings stalled = await(sender, f -> f.status(FOOTGUN).equals("critical"), 20, seen);
                    assertThat(stalled.status(FOOTGUN)).as("statuses seen: %s", seen).isEqualTo("critical");
                    assertThat(stalled.risk(FOOTGUN)).isEqualTo(0.8);
                    assertThat(stalled.line(FOOTGUN))
                            .contains("net.ipv4.tcp_mtu_probing=0: off")
                            .contains(RECEIVER + ":" + PORT + " (from " + SENDER + ")")
                            .contains("at path MTU 1500")
                            .contains("consistent with ICMP being blocked on the path")
                            .contains("between this node and " + RECEIVER)
                            .contains("sysctl -w net.ipv4.tcp_mtu_probing=1 (now 0)");
                    assertThat(sink.received(0)).as("the receiver got only what small packets carry").isLessThan(BYTES);
                    blocked.abort();
                }

                sender.sysctl("net.ipv4.tcp_mtu_probing", "1");
                seen.clear();
                try (Transfer probed = Transfer.start(sender, RECEIVER, PORT, BYTES)) {
                    ScrapedFindings last = await(sender, f -> sink.received(1) >= BYTES, 30, seen);
                    assertThat(sink.received(1)).as("probing shrinks the segments until they pass").isEqualTo(BYTES);
                    assertThat(seen).as("while it stalls, probing on is a warning, never critical").contains("warn")
                            .doesNotContain("critical");
                    assertThat(last.line(FOOTGUN)).contains("net.ipv4.tcp_mtu_probing=1: blackhole detection on");
                    ScrapedFindings after = await(sender, f -> f.status(FOOTGUN).equals("ok"), 10, seen);
                    assertThat(after.status(FOOTGUN)).as("once the transfer is through; statuses seen: %s", seen).isEqualTo("ok");
                }
            } finally {
                receiver.call(() -> {
                    sink.close();
                    return null;
                });
            }
        }
    }

    /** Scrapes every 200 ms until {@code done} holds or {@code seconds} pass; returns the last scrape. */
    static ScrapedFindings await(NetNs ns, Predicate<ScrapedFindings> done, int seconds, List<String> seen) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            ScrapedFindings f = ScrapedFindings.get(ns, EXPORTER_PORT);
            seen.add(f.status(FOOTGUN));
            if (done.test(f) || System.nanoTime() > deadline) {
                return f;
            }
            Thread.sleep(200);
        }
    }

    /** One connection from {@code ns} writing {@code bytes} on its own thread, which blocks while the path eats them. */
    static final class Transfer implements AutoCloseable {
        private final Socket socket;

        private Transfer(Socket socket) {
            this.socket = socket;
        }

        static Transfer start(NetNs ns, String ip, int port, int bytes) throws Exception {
            Socket s = ns.call(() -> new Socket(ip, port));
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    out.write(new byte[bytes]);
                    out.flush();
                } catch (IOException e) {
                    // aborted by the test
                }
            }, "bulk-send");
            writer.setDaemon(true);
            writer.start();
            return new Transfer(s);
        }

        /** Reset: nothing lingers retransmitting into the blackhole. */
        void abort() throws IOException {
            socket.setSoLinger(true, 0);
            socket.close();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
