package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.MetricsText;
import dev.tcpfootgun.testing.NatTopology;
import dev.tcpfootgun.testing.NetNs;
import dev.tcpfootgun.testing.TestServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SNAT port exhaustion for real: a client behind a router that masquerades TCP to its own address
 * with --to-ports narrowed to 100 ports opens connections to one server address:port until one
 * fails. The exporter in the router's namespace must predict the free NAT ports before, the
 * prediction must equal the connections that got through, and the risk must pass 0.8 before the
 * failure. After the client closes them, a second round measures what their TIME_WAIT entries
 * still hold: this kernel takes some of them over, and the exporter must count the rest.
 */
class SnatExhaustionIT {
    static final int LOW = 40000;
    static final int HIGH = 40099;
    static final int RANGE = HIGH - LOW + 1;
    static final int PORT = 8080;
    static final int EXPORTER = 9971;

    @Test
    void predictedFreeNatPortsAreTheConnectionsThatGetThrough() throws Exception {
        String why = NatTopology.unavailableReason();
        assumeTrue(why == null, why);
        try (NatTopology t = NatTopology.create("fg-snat", 1)) {
            NetNs router = t.router();
            NetNs client = t.clients().getFirst();
            router.exec("iptables", "-t", "nat", "-A", "POSTROUTING", "-o", t.routerOut(), "-p", "tcp", "-j", "MASQUERADE",
                    "--to-ports", LOW + "-" + HIGH);
            TestServer server = t.server().call(() -> {
                ServerSocket s = new ServerSocket();
                s.bind(new InetSocketAddress(InetAddress.getByName(NatTopology.SERVER), PORT), 512);
                return TestServer.draining(s);
            });
            List<Socket> open = new ArrayList<>();
            try (ExporterProcess exporter = ExporterProcess.start(router, "--web.listen-address=127.0.0.1:" + EXPORTER)) {
                MetricsText before = scrape(router);
                String[] group = {"dst_ip", NatTopology.SERVER, "dst_port", Integer.toString(PORT), "protocol", "tcp",
                    "src_ip", NatTopology.ROUTER_OUT};
                // nothing is NATed yet: no group, so the prediction is the rule's range, read from nf_tables
                assertThat(before.get("footgun_snat_port_range_info", "kind", "masquerade", "origin", "nftables", "protocol", "6",
                        "ports", LOW + "-" + HIGH, "random_fully", "false", "rule", "ip nat POSTROUTING")).hasValue(1);
                assertThat(before.get("footgun_scrape_collector_success", "collector", "conntrack_entries")).hasValue(1);

                double riskBeforeFailure = Double.NaN;
                long predictedAtOne = -1;
                int through = 0;
                while (true) {
                    Socket s = client.call(() -> connect());
                    if (s == null) {
                        break;
                    }
                    open.add(s);
                    through++;
                    if (through == 1) {
                        predictedAtOne = (long) scrape(router).get("footgun_snat_ports_free", group).orElseThrow();
                    }
                    if (through == RANGE * 8 / 10) {
                        riskBeforeFailure = scrape(router).get("footgun_risk_ratio", "footgun", "snat_port_exhaustion").orElseThrow();
                    }
                    assertThat(through).as("connections through a %d-port NAT range", RANGE).isLessThanOrEqualTo(RANGE);
                }
                // the exporter's free ports after the first connection, plus that one, are the connections NAT let through
                assertThat(predictedAtOne + 1).isEqualTo(through);
                assertThat(through).isEqualTo(RANGE);
                assertThat(riskBeforeFailure).isGreaterThanOrEqualTo(0.8);

                MetricsText full = scrape(router);
                assertThat(full.get("footgun_snat_ports_held", group)).hasValue(RANGE);
                assertThat(full.get("footgun_snat_ports_free", group)).hasValue(0);
                assertThat(full.get("footgun_snat_ports_usable", group)).hasValue(RANGE);
                assertThat(full.get("footgun_snat_port_headroom_connections_per_second", group)).hasValue(0);
                // the failed SYNs were refused at insert (insert_failed): measured harm, failing now
                assertThat(full.get("footgun_risk_ratio", "footgun", "snat_port_exhaustion")).hasValue(1);
                assertThat(full.get("footgun_finding_status", "footgun", "snat_port_exhaustion", "footgun_finding_status", "critical")).hasValue(1);

                // the client closes first: every tuple goes to TIME_WAIT in the router's table
                client.call(() -> {
                    for (Socket s : open) {
                        s.close();
                    }
                    return null;
                });
                open.clear();
                server.awaitFinished(RANGE);
                awaitClosed(t, RANGE);
                MetricsText closed = scrape(router);
                assertThat(closed.get("footgun_snat_ports_held", group)).hasValue(RANGE);
                assertThat(closed.get("footgun_snat_ports_time_wait", group)).hasValue(RANGE);
                assertThat(closed.get("footgun_conntrack_dump_entries", "protocol", "tcp", "state", "time_wait").orElse(0)
                        + closed.get("footgun_conntrack_dump_entries", "protocol", "tcp", "state", "close").orElse(0))
                        .as("closed TCP entries: the NATed ones and the scrapes' own on loopback").isGreaterThanOrEqualTo(RANGE);

                int again = 0;
                while (true) {
                    Socket s = client.call(() -> connect());
                    if (s == null) {
                        break;
                    }
                    open.add(s);
                    again++;
                    assertThat(again).isLessThanOrEqualTo(RANGE);
                }
                // this kernel took over some TIME_WAIT tuples (nf_nat_used_tuple_harder); the rest still hold their ports
                assertThat(again).as("new connections through ports held by TIME_WAIT entries").isPositive();
                int stillTimeWait = closedEntries(t);
                assertThat(stillTimeWait + again).isEqualTo(RANGE);
                MetricsText reused = scrape(router);
                assertThat(reused.get("footgun_snat_ports_time_wait", group)).hasValue(stillTimeWait);
                assertThat(reused.get("footgun_snat_ports_held", group)).hasValue(RANGE);
                assertThat(reused.get("footgun_snat_ports_free", group)).hasValue(0);
                System.err.println("SnatExhaustionIT: " + through + " through a " + RANGE + "-port range; after closing, "
                        + again + " reused TIME_WAIT tuples, " + stillTimeWait + " still held");
                PortExhaustionIT.checkWithPromtool(reused.text());
            } finally {
                client.call(() -> {
                    for (Socket s : open) {
                        s.close();
                    }
                    return null;
                });
                t.server().call(() -> {
                    server.close();
                    return null;
                });
            }
        }
    }

    /** One connection from the client, or null when its SYN goes unanswered (NAT found no free port). */
    static Socket connect() throws Exception {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(NatTopology.SERVER, PORT), 1500);
            return s;
        } catch (SocketTimeoutException e) {
            s.close();
            return null;
        }
    }

    /** Entries to the server in TIME_WAIT or CLOSE (a closed connection's last state), as conntrack -L lists them. */
    static int closedEntries(NatTopology t) throws Exception {
        return t.conntrackCount(" TIME_WAIT ", "dport=" + PORT) + t.conntrackCount(" CLOSE ", "dport=" + PORT);
    }

    static void awaitClosed(NatTopology t, int n) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        int seen;
        do {
            seen = closedEntries(t);
            if (seen == n) {
                return;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("conntrack -L shows " + seen + " closed entries to port " + PORT + ", expected " + n + ":\n"
                + t.router().exec("conntrack", "-L"));
    }

    static MetricsText scrape(NetNs router) throws Exception {
        return MetricsText.parse(PortExhaustionIT.scrape(router, EXPORTER));
    }
}
