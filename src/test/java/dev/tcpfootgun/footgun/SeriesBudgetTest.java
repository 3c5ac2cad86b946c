package dev.tcpfootgun.footgun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.config.DestinationLabelMode;
import dev.tcpfootgun.config.Settings;
import dev.tcpfootgun.metrics.DestinationLabels;
import dev.tcpfootgun.metrics.MetricsRenderer;
import dev.tcpfootgun.scrape.Assessment;
import dev.tcpfootgun.snapshot.TcpState;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The per-node series budget the README states, held: an idle node, a busy web server and a busy
 * client each stay within theirs, and a server's series do not grow with its clients (the TIME_WAIT
 * and per-destination families group its inbound sockets under its listener), nor a node's with its
 * pods' veths (left out of the interface series by default).
 */
class SeriesBudgetTest {

    /** The README's budgets (section Metrics, "Series per node"). */
    static final int IDLE_BUDGET = 400;
    static final int WEB_SERVER_BUDGET = 450;
    static final int CLIENT_BUDGET = 700;

    static final String NODE = "10.0.0.5";

    /** A node as a cloud VM has it: default-ish sysctls, eth0, conntrack, and {@code veths} pods' veths. */
    static Snapshots node(int veths) {
        Snapshots s = Snapshots.node().netlink()
                .sysctl("net.ipv4.ip_local_port_range", "32768\t60999").sysctl("net.ipv4.tcp_tw_reuse", "2")
                .sysctl("net.ipv4.tcp_timestamps", "1").sysctl("net.ipv4.tcp_fin_timeout", "60")
                .sysctl("net.ipv4.tcp_max_tw_buckets", "262144").sysctl("net.core.somaxconn", "4096")
                .sysctl("net.ipv4.tcp_keepalive_time", "7200").sysctl("net.ipv4.tcp_keepalive_intvl", "75")
                .sysctl("net.ipv4.tcp_keepalive_probes", "9").sysctl("net.ipv4.tcp_mtu_probing", "0")
                .sysctl("net.ipv4.tcp_congestion_control", "bbr").sysctl("net.core.default_qdisc", "pfifo_fast")
                .sysctl("kernel.osrelease", "6.8.0-1015-gcp")
                .link("lo", 1, 65536, "loopback", true).link("eth0", 2, 1460, "physical", true)
                .qdisc(1, 0, dev.tcpfootgun.snapshot.Qdisc.TC_H_ROOT, "noqueue")
                .qdisc(2, 0x80010000L, dev.tcpfootgun.snapshot.Qdisc.TC_H_ROOT, "pfifo_fast")
                .conntrack(CountersChecksTest.ct(2000, 262144, 0, 0)).timeWaitCount(0)
                .netstat("TcpExt.ListenOverflows", 0).netstat("TcpExt.TCPTimeWaitOverflow", 0)
                .snmp("Tcp.RetransSegs", 10).snmp("Tcp.OutSegs", 1000)
                .listener("0.0.0.0", 22, 0, 128).listener("0.0.0.0", 10071, 0, 4096);
        for (int i = 0; i < veths; i++) {
            s.link(String.format("veth%07x", i * 7919), 10 + i, 1460, "veth", true);
        }
        return s;
    }

    /** A web server on :443: {@code clients} closed connections (the server closes first) and 200 open, all from clients' ephemeral ports. */
    static Snapshots webServer(int clients) {
        Snapshots s = node(30).listener("0.0.0.0", 443, 3, 4096);
        for (int i = 0; i < clients; i++) {
            s.socket(new dev.tcpfootgun.snapshot.TcpSocket(dev.tcpfootgun.snapshot.Family.INET, TcpState.TIME_WAIT,
                    new dev.tcpfootgun.snapshot.Endpoint(NODE, 443),
                    new dev.tcpfootgun.snapshot.Endpoint("198.51.100." + (i % 250), 32768 + i % 28000),
                    0, 0, dev.tcpfootgun.snapshot.TcpSocket.TIMER_TIME_WAIT, 30_000, 0, null, null, null));
        }
        for (int i = 0; i < 200; i++) {
            s.connection(NODE, 443, "203.0.113." + (i % 200), 40000 + i, TcpInfos.info().rtt(20_000, 2_000).minRtt(15_000).build(),
                    Snapshots.buffers(131072, 87040));
        }
        return s;
    }

    /** A client opening connections to {@code destinations} services, 30 ports each (TIME_WAIT and established). */
    static Snapshots busyClient(int destinations) {
        Snapshots s = node(30);
        for (int d = 0; d < destinations; d++) {
            String dst = "192.0.2." + (d % 250);
            int port = 5000 + d / 250;
            s.clients(NODE, dst, port, TcpState.TIME_WAIT, 33000 + d * 30, 25, 30_000);
            for (int i = 0; i < 5; i++) {
                s.connection(NODE, 50000 + d * 5 + i % 5, dst, port, TcpInfos.info().rtt(5_000, 500).minRtt(1_000).build(),
                        Snapshots.buffers(131072, 87040));
            }
        }
        return s;
    }

    /** The exposition's series (sample lines), as Prometheus would store them. */
    static Set<String> series(Snapshots s) throws IOException {
        Observation o = Snapshots.observe(s.build(), null);
        Assessment a = new Assessment(o, Checks.all().judge(o), Map.of(), List.of(), 1);
        MetricsRenderer r = new MetricsRenderer("test", 10, 20, DestinationLabels.of(DestinationLabelMode.PLAIN),
                Pattern.compile(Settings.DEFAULT_IGNORED_DEVICES));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, r.render(a));
        Set<String> lines = new TreeSet<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty() && !line.startsWith("#")) {
                lines.add(line.substring(0, line.lastIndexOf(' ')));
            }
        }
        return lines;
    }

    @Test
    void anIdleNodeStaysWithinItsBudgetAndItsPodsVethsAddNoSeries() throws IOException {
        Set<String> idle = series(node(0));
        Set<String> withPods = series(node(120));
        System.out.println("[SeriesBudgetTest] idle node: " + idle.size() + " series");
        assertThat(idle.size()).isLessThanOrEqualTo(IDLE_BUDGET);
        assertThat(withPods).isEqualTo(idle);
        assertThat(withPods).noneMatch(l -> l.contains("device=\"veth"));
    }

    @Test
    void aWebServersSeriesDoNotGrowWithItsClientsAndNameNoClientPort() throws IOException {
        Set<String> few = series(webServer(100));
        Set<String> many = series(webServer(5000));
        System.out.println("[SeriesBudgetTest] busy web server: " + many.size() + " series");
        assertThat(many.size()).isLessThanOrEqualTo(WEB_SERVER_BUDGET);
        assertThat(many.size()).as("series with 5000 clients against 100").isEqualTo(few.size());
        // every client-facing series is the listener's: no label is a client's ephemeral port
        assertThat(many).filteredOn(l -> l.contains("dst_port=")).noneMatch(l -> {
            var m = java.util.regex.Pattern.compile("dst_port=\"(\\d+)\"").matcher(l);
            return m.find() && Integer.parseInt(m.group(1)) >= 32768;
        });
        assertThat(many).anyMatch(l -> l.startsWith("footgun_tcp_time_wait_sockets{")
                && l.contains("direction=\"inbound\"") && l.contains("dst_ip=\"" + NODE + "\"") && l.contains("dst_port=\"443\""));
    }

    @Test
    void aBusyClientStaysWithinItsBudgetWhateverItsDestinations() throws IOException {
        Set<String> some = series(busyClient(40));
        Set<String> many = series(busyClient(600));
        System.out.println("[SeriesBudgetTest] busy client: " + many.size() + " series");
        assertThat(many.size()).isLessThanOrEqualTo(CLIENT_BUDGET);
        assertThat(many.size()).as("600 destinations against 40: the top K and \"other\"").isEqualTo(some.size());
    }
}
