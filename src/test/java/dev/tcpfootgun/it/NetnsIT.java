package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.testing.Cmd;
import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.MetricsText;
import dev.tcpfootgun.testing.NetNs;
import dev.tcpfootgun.testing.TestServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every network namespace of the node: three namespaces made here, each with its own process and
 * sockets, two of them "pods" by a node layout the test builds (real cgroups holding the processes,
 * in the cgroupfs and the systemd driver's naming, and kubelet pod log folders in a temp root). The
 * exporter, given the host /proc, finds all three, attributes TIME_WAIT and conntrack entries to
 * the right one, and names the worst in the node-wide risk.
 */
class NetnsIT {

    @Test
    void findsEveryNamespaceLabelsPodsAndNamesTheWorst(@TempDir Path podLogs) throws Exception {
        String why = NetNs.unavailableReason();
        assumeTrue(why == null, why);
        assumeTrue(Cmd.available("iptables"), "needs iptables");
        Path cgroupRoot = Files.exists(Path.of("/sys/fs/cgroup/cgroup.procs")) ? Path.of("/sys/fs/cgroup") : Path.of("/sys/fs/cgroup/pids");
        assumeTrue(Files.isWritable(cgroupRoot), "needs a writable cgroup hierarchy at " + cgroupRoot);

        String uidA = UUID.randomUUID().toString();
        String uidC = UUID.randomUUID().toString();
        Path cgA = cgroupRoot.resolve("kubepods/besteffort/pod" + uidA + "/0123456789ab");
        Path cgC = cgroupRoot.resolve("kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + uidC.replace('-', '_')
                + ".slice/cri-containerd-cafe.scope");
        Files.createDirectories(podLogs.resolve("shop_cart-1_" + uidA));
        Files.createDirectories(podLogs.resolve("payments_api-7f9_" + uidC));
        List<Process> processes = new ArrayList<>();
        List<Path> cgroups = new ArrayList<>();
        try (NetNs a = NetNs.create("fg-podA"); NetNs b = NetNs.create("fg-plain"); NetNs c = NetNs.create("fg-podC")) {
            a.sysctl("net.ipv4.ip_local_port_range", "40000 40099");
            a.sysctl("net.ipv4.tcp_tw_reuse", "0");
            b.exec("iptables", "-A", "INPUT", "-m", "conntrack", "--ctstate", "NEW,ESTABLISHED", "-j", "ACCEPT");
            Process pa = a.start("sleep", "600");
            Process pb = b.start("sleep", "600");
            Process pc = c.start("sleep", "600");
            processes.addAll(List.of(pa, pb, pc));
            place(pa.pid(), cgA, cgroups);
            place(pc.pid(), cgC, cgroups);

            TestServer la = a.call(() -> TestServer.draining(8080));
            TestServer lb = b.call(() -> TestServer.draining(8080));
            TestServer lc = c.call(() -> TestServer.draining(9090));
            List<AutoCloseable> keep = new ArrayList<>();
            try {
                a.call(() -> closeAfterConnect(92, 8080));
                b.call(() -> closeAfterConnect(20, 8080));
                keep.addAll(b.call(() -> {
                    List<AutoCloseable> list = new ArrayList<>();
                    ServerSocket s = new ServerSocket(7000, 64, InetAddress.getLoopbackAddress());
                    list.add(s);
                    for (int i = 0; i < 10; i++) {
                        list.add(new Socket(InetAddress.getLoopbackAddress(), 7000));
                        list.add(s.accept());
                    }
                    return list;
                }));
                c.call(() -> closeAfterConnect(5, 9090));
                la.awaitFinished(92);
                lb.awaitFinished(20);
                lc.awaitFinished(5);
                a.awaitTimeWait(8080, 92);
                b.awaitTimeWait(8080, 20);
                c.awaitTimeWait(9090, 5);

                int port;
                try (ServerSocket s = new ServerSocket(0)) {
                    port = s.getLocalPort();
                }
                try (ExporterProcess exporter = ExporterProcess.start(null, "--web.listen-address=127.0.0.1:" + port,
                        "--collector.netns", "--netns.top=100", "--path.pod-logs=" + podLogs)) {
                    String inodeA = inode(pa.pid());
                    String inodeB = inode(pb.pid());
                    String inodeC = inode(pc.pid());
                    long ctBefore = count(b);
                    var r = ExporterProcess.get("http://127.0.0.1:" + port + "/metrics", null);
                    long ctAfter = count(b);
                    assertThat(r.status()).isEqualTo(200);
                    MetricsText m = MetricsText.parse(r.body());

                    assertThat(m.get("footgun_netns_info", "netns", inodeA, "pid", Long.toString(pa.pid()),
                            "pod_namespace", "shop", "pod_name", "cart-1", "pod_uid", uidA, "pod_ips", "", "access", "setns")).hasValue(1);
                    assertThat(m.get("footgun_netns_info", "netns", inodeC, "pid", Long.toString(pc.pid()),
                            "pod_namespace", "payments", "pod_name", "api-7f9", "pod_uid", uidC, "pod_ips", "", "access", "setns")).hasValue(1);
                    assertThat(m.get("footgun_netns_info", "netns", inodeB, "pid", Long.toString(pb.pid()),
                            "pod_namespace", "", "pod_name", "", "pod_uid", "", "pod_ips", "", "access", "setns")).hasValue(1);

                    assertThat(m.get("footgun_netns_tcp_time_wait_sockets", "netns", inodeA, "dst_ip", "127.0.0.1", "dst_port", "8080")).hasValue(92);
                    assertThat(m.get("footgun_netns_tcp_time_wait_sockets", "netns", inodeB, "dst_ip", "127.0.0.1", "dst_port", "8080")).hasValue(20);
                    assertThat(m.get("footgun_netns_tcp_time_wait_sockets", "netns", inodeC, "dst_ip", "127.0.0.1", "dst_port", "9090")).hasValue(5);
                    assertThat(m.get("footgun_netns_ephemeral_ports_in_use", "netns", inodeA, "src_ip", "127.0.0.1", "dst_ip", "127.0.0.1",
                            "dst_port", "8080")).hasValue(92);
                    assertThat(m.get("footgun_netns_risk_ratio", "netns", inodeA, "footgun", "ephemeral_port_exhaustion").orElseThrow())
                            .isEqualTo(0.92);
                    assertThat(m.get("footgun_risk_ratio", "footgun", "ephemeral_port_exhaustion")).hasValue(0.92);
                    assertThat(m.get("footgun_risk_worst_netns_info", "footgun", "ephemeral_port_exhaustion", "netns", inodeA,
                            "pod_namespace", "shop", "pod_name", "cart-1")).hasValue(1);

                    assertThat(ctBefore).isEqualTo(ctAfter).isGreaterThanOrEqualTo(10);
                    assertThat(m.get("footgun_netns_conntrack_entries", "netns", inodeB)).hasValue(ctBefore);
                    assertThat(m.get("footgun_netns_scrape_collector_success", "netns", inodeA, "collector", "sysctl")).hasValue(1);

                    var findings = ExporterProcess.get("http://127.0.0.1:" + port + "/findings.json", null);
                    assertThat(findings.body()).contains("worst in pod shop/cart-1 (netns " + inodeA + ")");
                }
            } finally {
                for (AutoCloseable k : keep) {
                    b.call(() -> {
                        k.close();
                        return null;
                    });
                }
                a.call(() -> {
                    la.close();
                    return null;
                });
                b.call(() -> {
                    lb.close();
                    return null;
                });
                c.call(() -> {
                    lc.close();
                    return null;
                });
            }
        } finally {
            for (Process p : processes) {
                p.destroyForcibly().waitFor();
            }
            for (Path cg : cgroups.reversed()) {
                Files.deleteIfExists(cg);
            }
        }
    }

    /** Creates the cgroup path (remembering each new level for cleanup) and moves the process into it. */
    private static void place(long pid, Path cgroup, List<Path> created) throws Exception {
        List<Path> levels = new ArrayList<>();
        for (Path p = cgroup; p != null && !Files.exists(p); p = p.getParent()) {
            levels.addFirst(p);
        }
        for (Path p : levels) {
            Files.createDirectory(p);
            created.add(p);
        }
        Files.writeString(cgroup.resolve("cgroup.procs"), Long.toString(pid));
    }

    private static Void closeAfterConnect(int n, int port) throws Exception {
        for (int i = 0; i < n; i++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.getOutputStream().write(1);
            }
        }
        return null;
    }

    /** A namespace's identity as the exporter tells them apart: the inode of /proc/PID/net/tcp. */
    private static String inode(long pid) throws Exception {
        return Cmd.run("stat", "-L", "-c", "%i", "/proc/" + pid + "/net/tcp").trim();
    }

    private static long count(NetNs ns) throws Exception {
        return Long.parseLong(ns.exec("cat", "/proc/sys/net/netfilter/nf_conntrack_count").trim());
    }
}
