package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.MetricsText;
import dev.tcpfootgun.testing.NetNs;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Seed section 6 for real: a new namespace starts with Linux's keepalive defaults (7200/75/9), which
 * must come out as a warning; after the seed's sysctl -w 300/30/5 in that namespace, fine. A
 * connection with SO_KEEPALIVE shows up with its keepalive timer, one without is counted as unprotected.
 */
class KeepaliveTooLongIT {

    static final Pattern UNPROTECTED = Pattern.compile("(\\d+) of (\\d+) established sockets have no timer armed");

    @Test
    void linuxDefaultsAreAdviceAndTheSeedsValuesAreFine() throws Exception {
        String why = NetNs.unavailableReason();
        assumeTrue(why == null, why);
        try (NetNs ns = NetNs.create("fg-keepalive");
                ExporterProcess exporter = ExporterProcess.start(ns, Scrapes.flags())) {
            assertThat(ns.exec("sysctl", "-n", "net.ipv4.tcp_keepalive_time").strip()).isEqualTo("7200");
            ServerSocket server = ns.call(() -> new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
            Socket withKeepalive = null;
            Socket without = null;
            try {
                withKeepalive = ns.call(() -> {
                    Socket s = new Socket();
                    s.setKeepAlive(true);
                    s.connect(server.getLocalSocketAddress());
                    return s;
                });
                Socket acceptedWith = ns.call(server::accept);
                acceptedWith.setKeepAlive(true);
                without = ns.call(() -> new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort()));
                Socket acceptedWithout = ns.call(server::accept);

                MetricsText m = Scrapes.metrics(ns);
                assertThat(Scrapes.risk(m, "keepalive_too_long")).isEqualTo(0.3);
                assertThat(m.get("footgun_finding_status", "footgun", "keepalive_too_long", "footgun_finding_status", "advice")).hasValue(1);
                String finding = Scrapes.finding(ns, "keepalive_too_long");
                assertThat(finding).contains("= 7875 s (2 h 11 min)").contains("450 s (7.5 min)")
                        .contains("tcp_retries2=15").contains("sysctl -w net.ipv4.tcp_keepalive_time=300");
                Matcher u = UNPROTECTED.matcher(finding);
                assertThat(u.find()).as(finding).isTrue();
                int unprotected = Integer.parseInt(u.group(1));
                int established = Integer.parseInt(u.group(2));
                // both ends of the plain connection lack a timer; both ends of the other have keepalive armed
                assertThat(unprotected).as(finding).isGreaterThanOrEqualTo(2);
                assertThat(established - unprotected).as(finding).isGreaterThanOrEqualTo(2);
                acceptedWith.close();
                acceptedWithout.close();

                ns.exec("sysctl", "-q", "-w", "net.ipv4.tcp_keepalive_time=300", "net.ipv4.tcp_keepalive_intvl=30",
                        "net.ipv4.tcp_keepalive_probes=5");
                MetricsText tuned = Scrapes.metrics(ns);
                assertThat(Scrapes.risk(tuned, "keepalive_too_long")).isZero();
                assertThat(tuned.get("footgun_finding_status", "footgun", "keepalive_too_long", "footgun_finding_status", "ok")).hasValue(1);
                assertThat(Scrapes.finding(ns, "keepalive_too_long")).contains("= 450 s (7.5 min)");
            } finally {
                if (withKeepalive != null) {
                    withKeepalive.close();
                }
                if (without != null) {
                    without.close();
                }
                server.close();
            }
        }
    }
}
