package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.testing.Cmd;
import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.MetricsText;
import dev.tcpfootgun.testing.NetNs;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Seed section 9: in a namespace where an iptables conntrack rule makes the kernel track loopback
 * connections, footgun_conntrack_entries is that namespace's nf_conntrack_count (per namespace),
 * while the limit is the host's.
 */
class ConntrackIT {

    static final int EXPORTER_PORT = 9998;

    @Test
    void entriesEqualTheNamespaceCount() throws Exception {
        String why = NetNs.unavailableReason();
        assumeTrue(why == null, why);
        assumeTrue(Cmd.available("iptables"), "needs iptables");
        try (NetNs ns = NetNs.create("fg-ct")) {
            ns.exec("iptables", "-A", "INPUT", "-m", "conntrack", "--ctstate", "NEW,ESTABLISHED", "-j", "ACCEPT");
            try (ExporterProcess exporter = ExporterProcess.start(ns, "--web.listen-address=127.0.0.1:" + EXPORTER_PORT)) {
                List<AutoCloseable> sockets = ns.call(() -> {
                    List<AutoCloseable> list = new ArrayList<>();
                    ServerSocket server = new ServerSocket(7000, 64, InetAddress.getLoopbackAddress());
                    list.add(server);
                    for (int i = 0; i < 25; i++) {
                        list.add(new Socket(InetAddress.getLoopbackAddress(), 7000));
                        list.add(server.accept());
                    }
                    return list;
                });
                try {
                    // The scrape's own connection is tracked too: read the count after it, and compare
                    // with a second scrape once the table is stable.
                    PortExhaustionIT.scrape(ns, EXPORTER_PORT);
                    long before = count(ns);
                    MetricsText m = MetricsText.parse(PortExhaustionIT.scrape(ns, EXPORTER_PORT));
                    long after = count(ns);
                    assertThat(before).isGreaterThanOrEqualTo(25);
                    double entries = m.get("footgun_conntrack_entries").orElseThrow();
                    assertThat(entries).isBetween((double) before, (double) after);
                    assertThat(m.get("footgun_conntrack_entries_limit").orElseThrow())
                            .isEqualTo(Double.parseDouble(Cmd.run("cat", "/proc/sys/net/netfilter/nf_conntrack_max").trim()));
                    assertThat(m.get("footgun_scrape_collector_success", "collector", "conntrack")).hasValue(1);
                    assertThat(m.has("footgun_conntrack_insert_failed_total")).isTrue();
                    assertThat(m.has("footgun_conntrack_drop_total")).isTrue();
                } finally {
                    ns.call(() -> {
                        for (AutoCloseable s : sockets) {
                            s.close();
                        }
                        return null;
                    });
                }
            }
        }
    }

    private static long count(NetNs ns) throws Exception {
        return Long.parseLong(ns.exec("cat", "/proc/sys/net/netfilter/nf_conntrack_count").trim());
    }
}
