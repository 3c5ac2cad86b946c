package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.testing.Cmd;
import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.MetricsText;
import dev.tcpfootgun.testing.NetNs;
import dev.tcpfootgun.testing.ProcfsTree;
import dev.tcpfootgun.testing.TestServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every network namespace of a node, read with no capability and with them. The test builds the
 * node: a "node" namespace where the exporter runs (as the DaemonSet's does in the host's, with
 * hostNetwork: the real host namespace is shared with other tests, so a namespace of our own stands
 * in for it, its ip_local_port_range being "the node's"), and three namespaces with a process each,
 * owned by root, uid 1001 and uid 1002; two are pods by a node layout built here (real cgroups
 * holding the processes, in the cgroupfs and the systemd driver's naming, kubelet pod log folders)
 * with pod IPs (IPv4, IPv6). The exporter sees those processes only (ProcfsTree), so other tests'
 * namespaces stay out.
 */
class NetnsIT {

    private static final List<String> UNPRIVILEGED = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all");
    private static final int PORT = 10071;

    @Test
    void withNoCapabilityEveryNamespaceIsFoundAndJudgedAndCapabilitiesAddOnlyWhatSetnsGives() throws Exception {
        assumeNodeLayout();
        try (PodNode n = PodNode.build()) {
            Map<String, Double> withoutCaps;
            String findingsWithout;
            try (ExporterProcess exporter = ExporterProcess.start(n.node, UNPRIVILEGED, n.flags())) {
                MetricsText m = MetricsText.parse(n.scrape("/metrics"));
                n.assertAttribution(m, "procfs");
                for (String id : List.of(n.idA, n.idB, n.idC)) {
                    assertThat(m.get("footgun_netns_tcp_info_sockets", "netns", id)).as(id).hasValue(0);
                    assertThat(m.get("footgun_netns_scrape_collector_success", "netns", id, "collector", "sockets")).hasValue(1);
                    assertThat(m.get("footgun_netns_scrape_collector_success", "netns", id, "collector", "netstat")).hasValue(1);
                    // its own sysctls are not read: 0, and the checks say they assumed the node's
                    assertThat(m.get("footgun_netns_scrape_collector_success", "netns", id, "collector", "sysctl")).hasValue(0);
                    assertThat(m.get("footgun_netns_scrape_collector_success", "netns", id, "collector", "conntrack")).hasValue(0);
                }
                findingsWithout = n.scrape("/findings.json");
                assertThat(findingsWithout).contains("worst in pod shop/cart-1 (netns " + n.idA + ")")
                        .contains("sysctls assumed: the node's");
                withoutCaps = n.comparable(m);
                assertThat(exporter.log().stream().filter(l -> l.contains("cannot enter"))).hasSize(1);
            }
            // the same exporter in the machine's real host namespace: the node's range is then the host's,
            // so the ports' risk is not the test's to set, but discovery and attribution are the same
            int hostPort;
            try (ServerSocket free = new ServerSocket(0)) {
                hostPort = free.getLocalPort();
            }
            String[] hostFlags = n.flags();
            hostFlags[0] = "--web.listen-address=127.0.0.1:" + hostPort;
            try (ExporterProcess exporter = ExporterProcess.start(null, UNPRIVILEGED, hostFlags)) {
                var r = ExporterProcess.get("http://127.0.0.1:" + hostPort + "/metrics", null);
                assertThat(r.status()).isEqualTo(200);
                MetricsText m = MetricsText.parse(r.body());
                n.assertFound(m, "procfs");
                assertThat(m.get("footgun_netns_namespaces")).hasValue(5); // the host's, the node's, A, B, C
                assertThat(m.get("footgun_netns_risk_ratio", "netns", n.idA, "footgun", "ephemeral_port_exhaustion")).isPresent();
            }
            try (ExporterProcess exporter = ExporterProcess.start(n.node, n.flags())) {
                MetricsText m = MetricsText.parse(n.scrape("/metrics"));
                n.assertAttribution(m, "setns");
                // what only setns gives: tcp_info, the namespace's own sysctls, its conntrack count
                assertThat(m.get("footgun_netns_tcp_info_sockets", "netns", n.idB).orElseThrow()).isGreaterThanOrEqualTo(20);
                assertThat(m.get("footgun_netns_tcp_info_sockets", "netns", n.idC).orElseThrow()).isGreaterThanOrEqualTo(6);
                for (String id : List.of(n.idA, n.idB, n.idC)) {
                    assertThat(m.get("footgun_netns_scrape_collector_success", "netns", id, "collector", "sysctl")).hasValue(1);
                }
                assertThat(m.get("footgun_netns_conntrack_entries", "netns", n.idB).orElseThrow()).isGreaterThanOrEqualTo(10);
                assertThat(n.comparable(m)).isEqualTo(withoutCaps);
                assertThat(n.scrape("/findings.json")).contains("worst in pod shop/cart-1 (netns " + n.idA + ")")
                        .doesNotContain("sysctls assumed");
                assertThat(exporter.log()).noneMatch(l -> l.contains("cannot enter"));
            }
        }
    }

    /**
     * A process that exits between discovery and its read, its namespace deleted meanwhile: the read
     * is paused on the test's FIFO standing in for /proc/PID/cgroup, the process killed and its
     * namespace deleted, then the read let go. The scrape answers, that namespace is dropped, the
     * others are there, and nothing is logged more than once.
     */
    @Test
    void aNamespaceDeletedWhileItIsReadIsDroppedAndNothingElseChanges() throws Exception {
        assumeNodeLayout();
        for (List<String> wrapper : List.of(UNPRIVILEGED, List.<String>of())) {
            try (NetNs node = NetNs.create("pods-node"); NetNs kept = NetNs.create("pods-kept")) {
                Process pn = node.start("sleep", "600");
                Process pk = kept.start("setpriv", "--reuid=1001", "--regid=1001", "--clear-groups", "sleep", "600");
                NetNs doomed = NetNs.create("pods-gone");
                Process pd = doomed.start("setpriv", "--reuid=1002", "--regid=1002", "--clear-groups", "sleep", "600");
                try (ProcfsTree tree = ProcfsTree.create(pn.pid())) {
                    awaitNamespaceOf(pk, kept);
                    awaitNamespaceOf(pd, doomed);
                    tree.add(pk.pid());
                    Path fake = tree.fake(pd.pid());
                    Files.createSymbolicLink(fake.resolve("net"), Path.of("/proc/" + pd.pid() + "/net"));
                    Files.createSymbolicLink(fake.resolve("ns"), Path.of("/proc/" + pd.pid() + "/ns"));
                    Path cgroup = ProcfsTree.fifo(fake.resolve("cgroup"));
                    String idKept = ProcfsTree.identity(Path.of("/proc/" + pk.pid()));
                    try (ExporterProcess exporter = ExporterProcess.launch(node, wrapper, "--web.listen-address=127.0.0.1:" + PORT,
                            "--path.procfs=" + tree.root(), "--collector.netns", "--scrape.timeout=30s")) {
                        // the start-up read opens the FIFO: the namespace has been discovered and its read begun
                        CompletableFuture<Void> release = CompletableFuture.runAsync(() -> {
                            try (OutputStream w = Files.newOutputStream(cgroup)) {
                                pd.destroyForcibly().waitFor();
                                doomed.close();
                                w.write("0::/\n".getBytes(StandardCharsets.US_ASCII));
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
                        release.get(60, TimeUnit.SECONDS);
                        exporter.awaitStarted();
                        for (int i = 0; i < 2; i++) {
                            var r = node.call(() -> ExporterProcess.get("http://127.0.0.1:" + PORT + "/metrics", null));
                            assertThat(r.status()).isEqualTo(200);
                            MetricsText m = MetricsText.parse(r.body());
                            assertThat(m.get("footgun_netns_scrape_collector_success", "netns", idKept, "collector", "sockets")).hasValue(1);
                            assertThat(m.get("footgun_netns_namespaces")).as(r.body()).hasValue(2); // the node's and the kept one
                        }
                        List<String> log = exporter.log();
                        assertThat(log).doesNotHaveDuplicates();
                        assertThat(log).noneMatch(l -> l.contains("Exception") || l.contains("ERROR"));
                    }
                } finally {
                    pd.destroyForcibly().waitFor();
                    pk.destroyForcibly().waitFor();
                    pn.destroyForcibly().waitFor();
                    doomed.close();
                }
            }
        }
    }

    static void assumeNodeLayout() {
        String why = NetNs.unavailableReason();
        assumeTrue(why == null, why);
        assumeTrue(Cmd.available("setpriv"), "needs setpriv (util-linux)");
        assumeTrue(Cmd.available("mkfifo"), "needs mkfifo");
    }

    /** Waits until a process started through ip netns exec has entered its namespace (ip execs it). */
    static void awaitNamespaceOf(Process p, NetNs ns) throws Exception {
        String want = Cmd.run("stat", "-L", "-c", "%i", "/run/netns/" + ns.name()).trim();
        for (int i = 0; i < 100; i++) {
            String have = Cmd.run("stat", "-L", "-c", "%i", "/proc/" + p.pid() + "/ns/net").trim();
            if (have.equals(want) && !Files.readString(Path.of("/proc/" + p.pid() + "/comm")).startsWith("ip")
                    && !Files.readString(Path.of("/proc/" + p.pid() + "/comm")).startsWith("setpriv")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("process " + p.pid() + " never entered " + ns.name());
    }

    /** The node the first test builds, and what it expects of any exporter reading it. */
    private static final class PodNode implements AutoCloseable {
        final List<AutoCloseable> cleanup = new ArrayList<>();
        final List<Process> processes = new ArrayList<>();
        final List<Path> cgroups = new ArrayList<>();
        NetNs node;
        ProcfsTree tree;
        Path podLogs;
        String uidA = UUID.randomUUID().toString();
        String uidC = UUID.randomUUID().toString();
        String idA;
        String idB;
        String idC;
        long pa;
        long pb;
        long pc;

        static PodNode build() throws Exception {
            PodNode n = new PodNode();
            try {
                n.create();
            } catch (Exception | Error e) {
                n.close();
                throw e;
            }
            return n;
        }

        private void create() throws Exception {
            Path cgroupRoot = Files.exists(Path.of("/sys/fs/cgroup/cgroup.procs")) ? Path.of("/sys/fs/cgroup") : Path.of("/sys/fs/cgroup/pids");
            assumeTrue(Files.isWritable(cgroupRoot), "needs a writable cgroup hierarchy at " + cgroupRoot);
            node = NetNs.create("pods-node");
            cleanup.add(node);
            NetNs a = NetNs.create("pods-a");
            NetNs b = NetNs.create("pods-b");
            NetNs c = NetNs.create("pods-c");
            cleanup.addAll(List.of(a, b, c));
            // the node's range, and each pod's own (pods may set it, a safe sysctl): the same, so the node's
            // value, assumed without setns, is right here (a new namespace starts from the kernel's default)
            for (NetNs ns : List.of(node, a, b, c)) {
                ns.sysctl("net.ipv4.ip_local_port_range", "40000 40099");
                ns.sysctl("net.ipv4.tcp_tw_reuse", "0");
            }
            b.exec("iptables", "-A", "INPUT", "-m", "conntrack", "--ctstate", "NEW,ESTABLISHED", "-j", "ACCEPT");
            a.exec("ip", "addr", "add", "10.77.1.7/32", "dev", "lo");
            c.exec("ip", "-6", "addr", "add", "fd00:77::c/128", "dev", "lo", "nodad");

            Process pn = node.start("sleep", "600");
            Process pA = a.start("sleep", "600");
            Process pB = b.start("setpriv", "--reuid=1001", "--regid=1001", "--clear-groups", "sleep", "600");
            Process pC = c.start("setpriv", "--reuid=1002", "--regid=1002", "--clear-groups", "sleep", "600");
            processes.addAll(List.of(pn, pA, pB, pC));
            awaitNamespaceOf(pn, node);
            awaitNamespaceOf(pA, a);
            awaitNamespaceOf(pB, b);
            awaitNamespaceOf(pC, c);
            pa = pA.pid();
            pb = pB.pid();
            pc = pC.pid();
            place(pa, cgroupRoot.resolve("kubepods/besteffort/pod" + uidA + "/0123456789ab"));
            place(pc, cgroupRoot.resolve("kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + uidC.replace('-', '_')
                    + ".slice/cri-containerd-cafe.scope"));
            podLogs = Files.createTempDirectory("pods-logs-");
            ProcfsTree.open(podLogs);
            Files.createDirectories(podLogs.resolve("shop_cart-1_" + uidA));
            Files.createDirectories(podLogs.resolve("payments_api-7f9_" + uidC));
            tree = ProcfsTree.create(pn.pid());
            for (long pid : List.of(pa, pb, pc)) {
                tree.add(pid);
            }
            idA = ProcfsTree.identity(Path.of("/proc/" + pa));
            idB = ProcfsTree.identity(Path.of("/proc/" + pb));
            idC = ProcfsTree.identity(Path.of("/proc/" + pc));

            TestServer la = a.call(() -> TestServer.draining(8080));
            TestServer lb = b.call(() -> TestServer.draining(8080));
            TestServer lc = c.call(() -> TestServer.draining(9090));
            cleanup.add(() -> a.call(() -> closing(la)));
            cleanup.add(() -> b.call(() -> closing(lb)));
            cleanup.add(() -> c.call(() -> closing(lc)));
            a.call(() -> closeAfterConnect(92, 8080));
            b.call(() -> closeAfterConnect(20, 8080));
            c.call(() -> closeAfterConnect(5, 9090));
            for (AutoCloseable k : b.call(() -> established(7000, 10))) {
                cleanup.add(() -> b.call(() -> closing(k)));
            }
            for (AutoCloseable k : c.call(() -> established(7000, 3))) {
                cleanup.add(() -> c.call(() -> closing(k)));
            }
            la.awaitFinished(92);
            lb.awaitFinished(20);
            lc.awaitFinished(5);
            a.awaitTimeWait(8080, 92);
            b.awaitTimeWait(8080, 20);
            c.awaitTimeWait(9090, 5);
        }

        String[] flags() {
            return new String[] {"--web.listen-address=127.0.0.1:" + PORT, "--path.procfs=" + tree.root(), "--collector.netns",
                    "--netns.top=100", "--path.pod-logs=" + podLogs};
        }

        String scrape(String path) throws Exception {
            var r = node.call(() -> ExporterProcess.get("http://127.0.0.1:" + PORT + path, null));
            assertThat(r.status()).isEqualTo(200);
            return r.body();
        }

        /** Pods, pod IPs, TIME_WAIT and ports per namespace, and the worst named: the same with or without setns. */
        void assertAttribution(MetricsText m, String access) {
            assertFound(m, access);
            assertThat(m.get("footgun_netns_namespaces")).hasValue(4);
            assertThat(m.get("footgun_netns_risk_ratio", "netns", idA, "footgun", "ephemeral_port_exhaustion")).hasValue(0.92);
            assertThat(m.get("footgun_risk_ratio", "footgun", "ephemeral_port_exhaustion")).hasValue(0.92);
            assertThat(m.get("footgun_risk_worst_netns_info", "footgun", "ephemeral_port_exhaustion", "netns", idA,
                    "pod_namespace", "shop", "pod_name", "cart-1")).hasValue(1);
        }

        /** Each namespace found, with its pod, pod IPs, TIME_WAIT and ports. */
        void assertFound(MetricsText m, String access) {
            assertThat(m.get("footgun_netns_info", "netns", idA, "pid", Long.toString(pa), "pod_namespace", "shop",
                    "pod_name", "cart-1", "pod_uid", uidA, "pod_ips", "10.77.1.7", "access", access)).as(m.text()).hasValue(1);
            assertThat(m.get("footgun_netns_info", "netns", idB, "pid", Long.toString(pb), "pod_namespace", "",
                    "pod_name", "", "pod_uid", "", "pod_ips", "", "access", access)).hasValue(1);
            assertThat(m.get("footgun_netns_info", "netns", idC, "pid", Long.toString(pc), "pod_namespace", "payments",
                    "pod_name", "api-7f9", "pod_uid", uidC, "pod_ips", "fd00:77::c", "access", access)).hasValue(1);
            assertThat(m.get("footgun_netns_tcp_time_wait_sockets", "netns", idA, "direction", "outbound", "dst_ip", "127.0.0.1", "dst_port", "8080")).hasValue(92);
            assertThat(m.get("footgun_netns_tcp_time_wait_sockets", "netns", idB, "direction", "outbound", "dst_ip", "127.0.0.1", "dst_port", "8080")).hasValue(20);
            assertThat(m.get("footgun_netns_tcp_time_wait_sockets", "netns", idC, "direction", "outbound", "dst_ip", "127.0.0.1", "dst_port", "9090")).hasValue(5);
            assertThat(m.get("footgun_netns_ephemeral_ports_in_use", "netns", idA, "src_ip", "127.0.0.1", "dst_ip", "127.0.0.1",
                    "dst_port", "8080")).hasValue(92);
        }

        /** The series of the three namespaces that must not change with the capabilities, access label left out. */
        Map<String, Double> comparable(MetricsText m) {
            Map<String, Double> out = new TreeMap<>();
            m.samples().forEach((k, v) -> {
                boolean ours = k.contains("netns=\"" + idA + "\"") || k.contains("netns=\"" + idB + "\"") || k.contains("netns=\"" + idC + "\"");
                if (ours && (k.startsWith("footgun_netns_info{") || k.startsWith("footgun_netns_tcp_time_wait_sockets{")
                        || k.startsWith("footgun_netns_ephemeral_ports_in_use{")
                        || k.startsWith("footgun_risk_worst_netns_info{footgun=\"ephemeral_port_exhaustion\"")
                        || k.startsWith("footgun_netns_risk_ratio{netns=\"" + idA + "\",footgun=\"ephemeral_port_exhaustion\"")
                        || k.startsWith("footgun_netns_risk_ratio{footgun=\"ephemeral_port_exhaustion\",netns=\"" + idA + "\""))) {
                    out.put(k.replaceAll("access=\"[a-z]+\",?", ""), v);
                }
            });
            return out;
        }

        private void place(long pid, Path cgroup) throws Exception {
            List<Path> levels = new ArrayList<>();
            for (Path p = cgroup; p != null && !Files.exists(p); p = p.getParent()) {
                levels.addFirst(p);
            }
            for (Path p : levels) {
                Files.createDirectory(p);
                cgroups.add(p);
            }
            Files.writeString(cgroup.resolve("cgroup.procs"), Long.toString(pid));
        }

        @Override
        public void close() throws Exception {
            for (AutoCloseable c : cleanup.reversed()) {
                if (!(c instanceof NetNs)) {
                    c.close();
                }
            }
            for (Process p : processes) {
                p.destroyForcibly().waitFor();
            }
            for (Path cg : cgroups.reversed()) {
                Files.deleteIfExists(cg);
            }
            for (AutoCloseable c : cleanup.reversed()) {
                if (c instanceof NetNs) {
                    c.close();
                }
            }
            if (tree != null) {
                tree.close();
            }
            if (podLogs != null) {
                Cmd.run("rm", "-rf", podLogs.toString());
            }
        }
    }

    private static Void closing(AutoCloseable c) throws Exception {
        c.close();
        return null;
    }

    private static List<AutoCloseable> established(int port, int n) throws Exception {
        List<AutoCloseable> list = new ArrayList<>();
        ServerSocket s = new ServerSocket(port, 64, InetAddress.getLoopbackAddress());
        list.add(s);
        for (int i = 0; i < n; i++) {
            list.add(new Socket(InetAddress.getLoopbackAddress(), port));
            list.add(s.accept());
        }
        return list;
    }

    private static Void closeAfterConnect(int n, int port) throws Exception {
        for (int i = 0; i < n; i++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.getOutputStream().write(1);
            }
        }
        return null;
    }
}
