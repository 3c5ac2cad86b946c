package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.testing.Cmd;
import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.MetricsText;
import dev.tcpfootgun.testing.NetNs;
import dev.tcpfootgun.testing.TestServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The exporter's per-destination RTT and retransmit figures, after a real transfer that lost
 * packets, agree with what the kernel reports for the same socket through ss -ti (the oracle; ss
 * is never used by the product).
 */
class TcpInfoIT {

    static final int EXPORTER_PORT = 9995;
    static final int SERVER_PORT = 8090;
    static final Pattern RTT = Pattern.compile("\\brtt:([0-9.]+)/");
    static final Pattern RETRANS = Pattern.compile("\\bretrans:\\d+/(\\d+)");
    static final Pattern SEGS_OUT = Pattern.compile("\\bsegs_out:(\\d+)");

    @Test
    void rttAndRetransmitsMatchTheKernel() throws Exception {
        String why = NetNs.unavailableReason();
        assumeTrue(why == null, why);
        assumeTrue(Cmd.available("ss") && Cmd.available("iptables"), "needs ss (test oracle) and iptables");
        try (NetNs ns = NetNs.create("fg-ti")) {
            TestServer server = ns.call(() -> TestServer.draining(SERVER_PORT));
            try (ExporterProcess exporter = ExporterProcess.start(ns, "--web.listen-address=127.0.0.1:" + EXPORTER_PORT)) {
                // lose every 10th packet on its way into the server (from the 6th on, so not the SYN) so the
                // sender must retransmit. INPUT, not OUTPUT: a local OUTPUT drop is an error TCP simply
                // sends again, never a loss. No length match: loopback GSO packets can carry tot_len 0.
                ns.exec("iptables", "-A", "INPUT", "-p", "tcp", "--dport", Integer.toString(SERVER_PORT), "-m", "statistic",
                        "--mode", "nth", "--every", "10", "--packet", "5", "-j", "DROP");
                Socket client = ns.call(() -> {
                    Socket s = new Socket(InetAddress.getLoopbackAddress(), SERVER_PORT);
                    OutputStream out = s.getOutputStream();
                    byte[] chunk = new byte[16 * 1024];
                    for (int i = 0; i < 256; i++) {
                        out.write(chunk);
                    }
                    out.flush();
                    return s;
                });
                String filter = "dport = :" + SERVER_PORT;
                // write() returns once data is queued: keep the drop rule until everything is acknowledged
                awaitIdle(ns, filter);
                ns.exec("iptables", "-F", "INPUT");
                String before = awaitIdle(ns, filter);
                MetricsText m = MetricsText.parse(PortExhaustionIT.scrape(ns, EXPORTER_PORT));
                String after = ns.exec("ss", "-tin", filter);
                assertThat(figures(after)).as("the socket did not change while the exporter read it").isEqualTo(figures(before));

                double rttMs = Double.parseDouble(find(RTT, before));
                long retrans = retransmits(before);
                long segsOut = Long.parseLong(find(SEGS_OUT, before));
                assertThat(retrans).as("the transfer really retransmitted: " + before).isPositive();
                String[] dst = {"direction", "outbound", "dst_ip", "127.0.0.1", "dst_port", Integer.toString(SERVER_PORT)};
                assertThat(m.get("footgun_destination_sockets", dst)).hasValue(1);
                assertThat(m.get("footgun_destination_rtt_max_seconds", dst).orElseThrow()).isCloseTo(rttMs / 1000, org.assertj.core.data.Offset.offset(1e-9));
                assertThat(m.get("footgun_destination_rtt_median_seconds", dst).orElseThrow()).isCloseTo(rttMs / 1000, org.assertj.core.data.Offset.offset(1e-9));
                assertThat(m.get("footgun_destination_retransmit_ratio", dst).orElseThrow())
                        .isCloseTo((double) retrans / segsOut, org.assertj.core.data.Offset.offset(1e-12));
                assertThat(m.has("footgun_tcp_rtt_seconds_bucket{le=\"+Inf\"}")).isTrue();
                assertThat(m.get("footgun_tcp_retransmits_bucket", "le", "+Inf").orElseThrow()).isGreaterThanOrEqualTo(1);
                ns.call(() -> {
                    client.close();
                    return null;
                });
            } finally {
                ns.call(() -> {
                    server.close();
                    return null;
                });
            }
        }
    }

    /** ss's Send-Q column for the one socket is 0: everything written has been acknowledged. */
    private static boolean sendQueueEmpty(String ss) {
        for (String line : ss.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 3 && f[0].equals("ESTAB")) {
                return f[2].equals("0");
            }
        }
        return false;
    }

    /** The figures compared, as ss prints them; lastsnd and friends tick with the clock and are left out. */
    private static String figures(String ss) {
        return find(RTT, ss) + " " + retransmits(ss) + " " + find(SEGS_OUT, ss);
    }

    /** ss prints retrans:current/total only once the socket has retransmitted; none yet is 0. */
    private static long retransmits(String ss) {
        Matcher m = RETRANS.matcher(ss);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** ss output for the socket once two reads a moment apart agree (the transfer and its ACKs are done). */
    private static String awaitIdle(NetNs ns, String filter) throws Exception {
        String previous = ns.exec("ss", "-tin", filter);
        for (int i = 0; i < 100; i++) {
            Thread.sleep(200);
            String now = ns.exec("ss", "-tin", filter);
            if (now.contains("rtt:") && previous.contains("rtt:") && figures(now).equals(figures(previous)) && sendQueueEmpty(now)) {
                return now;
            }
            previous = now;
        }
        throw new AssertionError("socket never went idle: " + previous);
    }

    private static String find(Pattern p, String text) {
        Matcher m = p.matcher(text);
        assertThat(m.find()).as(p + " in " + text).isTrue();
        return m.group(1);
    }
}
