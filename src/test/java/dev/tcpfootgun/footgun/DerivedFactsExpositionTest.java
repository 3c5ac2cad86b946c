package dev.tcpfootgun.footgun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.config.DestinationLabelMode;
import dev.tcpfootgun.config.Settings;
import dev.tcpfootgun.metrics.DestinationLabels;
import dev.tcpfootgun.metrics.MetricsRenderer;
import dev.tcpfootgun.netns.Access;
import dev.tcpfootgun.netns.NetnsRef;
import dev.tcpfootgun.netns.Pod;
import dev.tcpfootgun.scrape.Assessment;
import dev.tcpfootgun.scrape.NamespaceAssessment;
import dev.tcpfootgun.snapshot.ConntrackEntries;
import dev.tcpfootgun.snapshot.NatPorts;
import dev.tcpfootgun.snapshot.PortRange;
import dev.tcpfootgun.snapshot.Qdisc;
import dev.tcpfootgun.snapshot.Reading;
import dev.tcpfootgun.snapshot.TcpState;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The renderer's whole output for a busy node: qdiscs of every shape whose per-queue rule the
 * check and footgun_network_info share, more destinations, conntrack groups, NAT groups and
 * namespaces than their top K, with ties at the cut. The expected files were rendered before the
 * egress topology, the port headroom and the top-K-plus-other rule moved into the assessment, and
 * are kept so that any later change to those shows up as a diff. Regenerate (then read the diff):
 * {@code .ci/with-jdk25 mvn -B -ntp -o test -Dtest=DerivedFactsExpositionTest -Drendered.update=true}
 */
class DerivedFactsExpositionTest {

    static final Path PLAIN = Path.of("src/test/resources/rendered/busy-node.metrics.txt");
    static final Path DROP = Path.of("src/test/resources/rendered/busy-node-drop.metrics.txt");
    static final int TOP = 3;
    static final int NETNS_TOP = 2;
    static final String NODE = "10.0.0.5";
    static final long ROOT = Qdisc.TC_H_ROOT;

    /** A node on BBR with every qdisc shape the exporter reads, clients to 7 destinations, a listener with its clients. */
    static Snapshots node() {
        Snapshots s = Snapshots.node().netlink()
                .sysctl("net.ipv4.ip_local_port_range", "32768\t33767").sysctl("net.ipv4.ip_local_reserved_ports", "33000-33009")
                .sysctl("net.ipv4.tcp_tw_reuse", "2").sysctl("net.ipv4.tcp_timestamps", "1")
                .sysctl("net.ipv4.tcp_congestion_control", "bbr").sysctl("net.core.default_qdisc", "pfifo_fast")
                .sysctl("net.core.somaxconn", "4096").sysctl("kernel.osrelease", "6.18.0")
                .link("lo", 1, 65536, "loopback", true)
                .link("eth0", 2, 1500, "physical", true) // mq, fq on every queue: paced
                .link("eth1", 3, 1500, "physical", true) // mq, fq and fq_codel: unpaced on one queue
                .link("eth2", 4, 1500, "physical", true) // pfifo_fast root
                .link("veth1", 5, 1500, "veth", true) // noqueue
                .link("eth3", 6, 1500, "physical", false) // no qdisc listed
                .link("eth4", 7, 1500, "physical", true) // fq root, with ingress
                .link("eth5", 8, 1500, "physical", true) // mq without visible children
                .qdisc(1, 0, ROOT, "noqueue")
                .qdisc(2, 0x00010000L, ROOT, "mq").qdisc(2, 0x80010000L, 0x00010001L, "fq").qdisc(2, 0x80020000L, 0x00010002L, "fq")
                .qdisc(3, 0, ROOT, "mq").qdisc(3, 0x80030000L, 0x00000001L, "fq").qdisc(3, 0x80040000L, 0x00000002L, "fq_codel")
                .qdisc(3, 0xFFFF0000L, Qdisc.TC_H_INGRESS, "ingress")
                .qdisc(4, 0, ROOT, "pfifo_fast")
                .qdisc(5, 0, ROOT, "noqueue")
                .qdisc(7, 0x80050000L, ROOT, "fq").qdisc(7, 0xFFFF0000L, Qdisc.TC_H_INGRESS, "clsact")
                .qdisc(8, 0x00020000L, ROOT, "mq")
                .conntrack(CountersChecksTest.ct(2000, 262144, 0, 0)).timeWaitCount(0)
                .netstat("TcpExt.ListenOverflows", 0).snmp("Tcp.RetransSegs", 10).snmp("Tcp.OutSegs", 1000)
                .listener("0.0.0.0", 22, 0, 128).listener(NODE, 443, 3, 4096).listener(NODE, 8080, 1, 10);
        // 7 destinations, two pairs tied in TIME_WAIT count and in ports in use
        int[] timeWait = {40, 25, 25, 10, 10, 3, 1};
        int port = 32768;
        for (int d = 0; d < timeWait.length; d++) {
            String dst = "192.0.2." + (10 + d);
            s.clients(NODE, dst, 5432, TcpState.TIME_WAIT, port, timeWait[d], 30_000);
            port += timeWait[d];
            for (int i = 0; i < (d % 3) + 1; i++) {
                s.connection(NODE, port++, dst, 5432, TcpInfos.info().rtt(2_000 + 1_000 * d + 100 * i, 200).minRtt(1_000)
                        .sent(100_000, 100).build(), Snapshots.buffers(131072, 87040));
            }
        }
        // the server's side: clients of :443 from their own ephemeral ports, grouped under the listener
        for (int i = 0; i < 12; i++) {
            s.socket(new dev.tcpfootgun.snapshot.TcpSocket(dev.tcpfootgun.snapshot.Family.INET, TcpState.TIME_WAIT,
                    new dev.tcpfootgun.snapshot.Endpoint(NODE, 443), new dev.tcpfootgun.snapshot.Endpoint("198.51.100." + i, 40000 + i),
                    0, 0, dev.tcpfootgun.snapshot.TcpSocket.TIMER_TIME_WAIT, 30_000, 0, null, null, null));
            s.connection(NODE, 443, "203.0.113." + i, 41000 + i, TcpInfos.info().rtt(20_000, 2_000).minRtt(15_000).build(),
                    Snapshots.buffers(131072, 87040));
        }
        return s.conntrackEntries(conntrack());
    }

    /** 5 destinations (two tied), one with 7 sources, one whose sources cover only part of its entries, 4 NAT groups. */
    static ConntrackEntries conntrack() {
        List<ConntrackEntries.Destination> dsts = List.of(
                new ConntrackEntries.Destination("tcp", "192.0.2.10", 5432, 90),
                new ConntrackEntries.Destination("tcp", "192.0.2.11", 5432, 30),
                new ConntrackEntries.Destination("udp", "192.0.2.53", 53, 30),
                new ConntrackEntries.Destination("tcp", "192.0.2.12", 443, 7),
                new ConntrackEntries.Destination("tcp", "192.0.2.13", 80, 2));
        List<ConntrackEntries.Source> srcs = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            srcs.add(new ConntrackEntries.Source("tcp", "192.0.2.10", 5432, "10.244.0." + (i + 2), 20 - 2 * i));
        }
        srcs.add(new ConntrackEntries.Source("tcp", "192.0.2.11", 5432, "10.244.0.2", 12));
        srcs.add(new ConntrackEntries.Source("udp", "192.0.2.53", 53, "10.244.0.3", 30));
        PortRange range = new PortRange(40000, 40099);
        List<ConntrackEntries.NatGroup> nat = List.of(
                new ConntrackEntries.NatGroup("tcp", "10.0.0.5", "192.0.2.10", 5432, 80, 80, 60, 80, range),
                new ConntrackEntries.NatGroup("tcp", "10.0.0.5", "192.0.2.11", 5432, 30, 30, 10, 30, range),
                new ConntrackEntries.NatGroup("tcp", "10.0.0.5", "192.0.2.12", 443, 30, 30, 0, 30, range),
                new ConntrackEntries.NatGroup("udp", "10.0.0.5", "192.0.2.53", 53, 5, 5, 0, 5, range));
        return new ConntrackEntries(159, null, 3, List.of(new ConntrackEntries.StateCount("tcp", "established", 120),
                new ConntrackEntries.StateCount("tcp", "time_wait", 9), new ConntrackEntries.StateCount("udp", "assured", 30)),
                100, dsts, srcs, nat, new NatPorts("default", List.of(), null, null));
    }

    /** A pod's namespace with {@code clients} TIME_WAIT sockets to each of 4 destinations. */
    static Snapshots pod(String ip, int clients) {
        Snapshots s = Snapshots.node().sysctl("net.ipv4.ip_local_port_range", "32768\t60999");
        for (int d = 0; d < 4; d++) {
            s.clients(ip, "192.0.2." + (20 + d), 80, TcpState.TIME_WAIT, 32768 + d * 100, clients - d, 30_000);
        }
        return s;
    }

    static Assessment assessment() {
        Observation own = new Observation(node().build(), null);
        List<NamespaceAssessment> namespaces = new ArrayList<>();
        namespaces.add(namespace(new NetnsRef(4026531840L, 1, true, null), own, Access.OWN, List.of()));
        String[] ips = {"10.244.0.2", "10.244.0.3", "10.244.0.4"};
        for (int i = 0; i < ips.length; i++) {
            Observation o = new Observation(pod(ips[i], 6 + 3 * i).build(), null);
            namespaces.add(namespace(new NetnsRef(4026532400L + i, 1000 + i, false, new Pod("uid-" + i, "shop", "cart-" + i)),
                    o, i == 0 ? Access.SETNS : Access.PROCFS, List.of(ips[i])));
        }
        return new Assessment(own, Checks.all().judge(own), Map.of("sockets", 0L), namespaces, 7);
    }

    static NamespaceAssessment namespace(NetnsRef ref, Observation o, Access access, List<String> ips) {
        List<Finding> findings = Checks.all().judge(o);
        int withTcpInfo = o.now().sockets().map(t -> (int) t.open().stream().filter(x -> x.info() != null).count()).orElse(0);
        // a pod's addresses are its namespace reader's addresses collector; the node's own namespace has none
        Observation read = access == Access.OWN ? o : new Observation(o.now().with(Reading.ok("addresses", ips, 0, 0)), o.previous());
        return new NamespaceAssessment(ref, read, findings, access, withTcpInfo);
    }

    static String render(DestinationLabelMode mode) throws IOException {
        MetricsRenderer r = new MetricsRenderer("test", NETNS_TOP, TOP, DestinationLabels.of(mode), Pattern.compile(Settings.DEFAULT_IGNORED_DEVICES));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, r.render(assessment()));
        // the build's revision and Java version differ between machines
        return out.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.contains("footgun_build_info"))
                .collect(Collectors.joining("\n", "", "\n"));
    }

    static void compare(Path expected, String actual) throws IOException {
        if (Boolean.getBoolean("rendered.update")) {
            Files.createDirectories(expected.getParent());
            Files.writeString(expected, actual);
        }
        assertThat(expected).as("expected exposition; regenerate with -Drendered.update=true").exists();
        assertThat(actual).isEqualTo(Files.readString(expected));
    }

    @Test
    void theBusyNodesExpositionIsAsRenderedBefore() throws IOException {
        String actual = render(DestinationLabelMode.PLAIN);
        // what the fixture is for: the cuts and the qdisc shapes are in it
        assertThat(actual).contains("footgun_tcp_time_wait_sockets{direction=\"other\",dst_ip=\"other\",dst_port=\"other\"}")
                .contains("footgun_netns_tcp_sockets{netns=\"other\"")
                .contains("child_qdiscs=\"fq,fq_codel\",device=\"eth1\"")
                .contains("footgun_ephemeral_port_headroom_connections_per_second{dst_ip=\"192.0.2.10\"");
        compare(PLAIN, actual);
    }

    @Test
    void withDestinationLabelsDroppedEveryDestinationIsInOtherAsBefore() throws IOException {
        compare(DROP, render(DestinationLabelMode.DROP));
    }

    @Test
    void theCheckAndTheSeriesStateOneHeadroom() throws IOException {
        Assessment a = assessment();
        SocketCensus.PortGroup worst = a.observation().census().worstPortGroup();
        Finding f = a.findings().stream().filter(x -> x.footgun() == Footgun.EPHEMERAL_PORT_EXHAUSTION).findFirst().orElseThrow();
        assertThat(f.evidence()).anyMatch(e -> e.contains(String.format(java.util.Locale.ROOT,
                "connect() there can take %d more: at 60 s TIME_WAIT that is %.1f new connections/s", worst.free(), worst.headroomPerSecond())));
        assertThat(render(DestinationLabelMode.PLAIN)).contains("footgun_ephemeral_port_headroom_connections_per_second{dst_ip=\""
                + worst.dstIp() + "\",dst_port=\"" + worst.dstPort() + "\",src_ip=\"" + worst.srcIp() + "\"} " + worst.headroomPerSecond() + "\n");
    }

    /** --destinations.top reaches the renderer from Settings, not through the checks' Observation. */
    @Test
    void theRenderersTopKIsSettingsDestinationsTop() throws Exception {
        Settings one = Settings.parse(List.of("--destinations.top=1"));
        MetricsRenderer r = new MetricsRenderer("test", one.netnsTop(), one.destinationsTop(), DestinationLabels.of(one.destinationLabels()),
                one.ignoredDevices());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, r.render(assessment()));
        List<String> tw = out.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("footgun_tcp_time_wait_sockets{")).toList();
        assertThat(tw).containsExactly(
                "footgun_tcp_time_wait_sockets{direction=\"other\",dst_ip=\"other\",dst_port=\"other\"} 86.0",
                "footgun_tcp_time_wait_sockets{direction=\"outbound\",dst_ip=\"192.0.2.10\",dst_port=\"5432\"} 40.0");
    }
}
