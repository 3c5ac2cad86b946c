package dev.tcpfootgun.source.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sources read inside a fresh network namespace: the test sets the namespace up with ip, tc and
 * iptables, and reads it through {@link NetnsProbe} in a child JVM under {@code ip netns exec}.
 */
class NetnsLiveTest {
    private final String ns = "tfg-nl-" + ProcessHandle.current().pid();

    @BeforeEach
    void namespace() {
        assumeTrue(Commands.isRoot(), "needs root for ip netns");
        assumeTrue(Commands.onPath("ip") && Commands.onPath("tc"), "needs iproute2 (ip, tc)");
        Commands.run("ip", "netns", "add", ns);
        Commands.run("ip", "-n", ns, "link", "set", "lo", "up");
    }

    @AfterEach
    void removeNamespace() {
        if (Commands.isRoot() && Commands.onPath("ip")) {
            try {
                Commands.run("ip", "netns", "del", ns);
            } catch (IllegalStateException alreadyGone) {
                // the namespace was never created
            }
        }
    }

    @Test
    void qdiscKindsAndLinksAsConfigured() throws Exception {
        ip("link", "add", "v0", "numtxqueues", "4", "type", "veth", "peer", "name", "v1");
        ip("link", "set", "v0", "up");
        ip("link", "set", "v1", "up");
        ip("link", "add", "br0", "type", "bridge");
        ip("link", "set", "v1", "mtu", "9000");
        Commands.run("tc", "-n", ns, "qdisc", "add", "dev", "v0", "root", "handle", "1:", "mq");
        Commands.run("tc", "-n", ns, "qdisc", "add", "dev", "v1", "root", "pfifo_fast");
        Commands.run("tc", "-n", ns, "qdisc", "replace", "dev", "lo", "root", "noqueue");

        List<String> out = probe("route");
        assertThat(out).contains("skipped 0");
        Map<String, String[]> links = out.stream().filter(l -> l.startsWith("link "))
                .map(l -> l.split(" ")).collect(Collectors.toMap(f -> f[2], f -> f));
        assertThat(links).containsOnlyKeys("lo", "v0", "v1", "br0");
        assertThat(links.get("lo")[3]).isEqualTo("loopback");
        assertThat(links.get("v0")[3]).isEqualTo("veth");
        assertThat(links.get("v1")[4]).isEqualTo("9000");
        assertThat(links.get("br0")[3]).isEqualTo("bridge");
        assertThat(links.get("br0")[5]).isEqualTo("false"); // never set up

        Map<String, String> nameByIndex = new HashMap<>();
        links.values().forEach(f -> nameByIndex.put(f[1], f[2]));
        List<String> roots = new ArrayList<>();
        List<String> children = new ArrayList<>();
        for (String line : out) {
            if (line.startsWith("qdisc ")) {
                String[] f = line.split(" ");
                String name = nameByIndex.get(f[1]);
                (Long.parseLong(f[3]) == 0xFFFFFFFFL ? roots : children).add(name + " " + f[4]);
            }
        }
        // br0, never up, has only the built-in noop qdisc, which dumps (and tc) leave out
        assertThat(roots).containsExactlyInAnyOrder("lo noqueue", "v0 mq", "v1 pfifo_fast");
        assertThat(children).containsExactly("v0 pfifo_fast", "v0 pfifo_fast", "v0 pfifo_fast", "v0 pfifo_fast");
    }

    @Test
    void conntrackStatisticsMatchProcfsAndTheCountMatchesTheSysctl() throws Exception {
        assumeTrue(Commands.onPath("iptables") && Commands.onPath("conntrack"), "needs iptables and conntrack-tools");
        Commands.run("ip", "netns", "exec", ns, "iptables", "-t", "raw", "-A", "OUTPUT", "-j", "CT");
        Commands.run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.netfilter.nf_conntrack_tcp_loose=0");

        List<String> out = probe("conntrack");
        assertThat(out).contains("skipped 0", "stable true");
        Map<String, Long> netlink = new HashMap<>();
        out.stream().filter(l -> l.startsWith("netlink ")).map(l -> l.split(" "))
                .forEach(f -> netlink.put(f[1], Long.parseLong(f[2])));
        Map<String, Long> proc = ProcConntrackStat.sums(out.stream().filter(l -> l.startsWith("proc "))
                .map(l -> l.substring(5)).collect(Collectors.joining("\n")));

        assertThat(netlink).containsOnlyKeys("found", "invalid", "insert", "insert_failed", "drop", "early_drop",
                "icmp_error", "search_restart", "clashres", "chainlength");
        netlink.forEach((column, value) -> assertThat(value).as(column).isEqualTo(proc.get(column)));
        assertThat(netlink.get("invalid")).as("segments of the flushed flow").isPositive();
        assertThat(netlink.get("insert")).as("conntrack -I").isEqualTo(1);

        String[] entries = out.stream().filter(l -> l.startsWith("entries ")).findFirst().orElseThrow().split(" ");
        assertThat(entries[1]).as("count over ctnetlink vs nf_conntrack_count").isEqualTo(entries[3]);
        assertThat(Long.parseLong(entries[1])).isPositive();
        assertThat(Long.parseLong(entries[2])).isEqualTo(Long.parseLong(
                Commands.run("cat", "/proc/sys/net/netfilter/nf_conntrack_max").strip()));
    }

    @Test
    void anEmptyConntrackTableIsNotDumpedAndATableWithAnEntryIs() throws Exception {
        assumeTrue(Commands.onPath("conntrack"), "needs conntrack-tools");
        assumeTrue(Files.exists(Path.of("/proc/sys/net/netfilter/nf_conntrack_count")), "needs nf_conntrack loaded");
        // a new namespace's table is empty: nothing here makes the kernel track a flow
        assertThat(probe("dump")).containsExactly("dumps 0 entries 0 partial null", "dumps 1 entries 1 partial null", "skipped 0");
    }

    private void ip(String... args) {
        List<String> command = new ArrayList<>(List.of("ip", "-n", ns));
        command.addAll(List.of(args));
        Commands.run(command);
    }

    private List<String> probe(String mode) throws URISyntaxException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = location(NetlinkSocket.class) + ":" + location(NetnsProbe.class);
        return Commands.run("ip", "netns", "exec", ns, java, "--enable-native-access=ALL-UNNAMED",
                "-cp", classpath, NetnsProbe.class.getName(), mode).lines().toList();
    }

    private static String location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
