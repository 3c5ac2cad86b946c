package dev.tcpfootgun;

import dev.tcpfootgun.config.Settings;
import dev.tcpfootgun.config.SocketSourceMode;
import dev.tcpfootgun.footgun.Checks;
import dev.tcpfootgun.scrape.Scraper;
import dev.tcpfootgun.source.ConntrackSource;
import dev.tcpfootgun.source.ConntrackWithNetlinkStats;
import dev.tcpfootgun.source.DeadlineReader;
import dev.tcpfootgun.source.FirstOf;
import dev.tcpfootgun.source.NetstatFile;
import dev.tcpfootgun.source.NodeReader;
import dev.tcpfootgun.source.NodeReader.SocketSource;
import dev.tcpfootgun.source.ProcFs;
import dev.tcpfootgun.source.ProcNetTcp;
import dev.tcpfootgun.source.SockstatSource;
import dev.tcpfootgun.source.SysctlSource;
import dev.tcpfootgun.source.SysfsInterfaces;
import dev.tcpfootgun.source.netlink.CtnetlinkDump;
import dev.tcpfootgun.source.netlink.CtnetlinkStats;
import dev.tcpfootgun.source.netlink.InetDiagSockets;
import dev.tcpfootgun.source.netlink.RtnetlinkLinks;
import dev.tcpfootgun.source.netlink.RtnetlinkQdiscs;
import dev.tcpfootgun.netns.NetnsDiscovery;
import dev.tcpfootgun.netns.NetnsRef;
import dev.tcpfootgun.netns.NetnsScanner;
import dev.tcpfootgun.netns.PodResolver;
import dev.tcpfootgun.snapshot.NetInterface;
import dev.tcpfootgun.source.Source;
import dev.tcpfootgun.source.Unavailable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Wires sources, checks and the scraper from settings; shared by serve and doctor. */
public final class Exporter {

    private Exporter() {}

    public static String version() {
        return BuildInfo.current().version();
    }

    /** How long one netlink reply may take before the read counts as failed. */
    static final Duration NETLINK_TIMEOUT = Duration.ofSeconds(5);

    /**
     * Sources by mode. netlink reads the exporter's own network namespace; procfs reads
     * --path.procfs, which is what fixtures and other namespaces' /proc/<pid>/net need. auto prefers
     * netlink and falls back to files when netlink is refused.
     */
    public static NodeReader reader(Settings settings) {
        NodeReader r = reader(ProcFs.of(settings.procfs(), settings.sysfs()), settings.socketSource(),
                settings.effectiveSocketDetailLimit(), true);
        return withConntrackDump(r, settings);
    }

    /**
     * The conntrack dump, in the exporter's own namespace only (a pod's table is the host's when it
     * shares the host network, and other namespaces' NAT is seen from the node's). Its time bound is
     * half the scrape deadline, so the rest of the read still fits.
     */
    static NodeReader withConntrackDump(NodeReader r, Settings settings) {
        var dump = settings.conntrackDump();
        if (!dump.enabled() || settings.socketSource() == SocketSourceMode.PROCFS) {
            return r;
        }
        return new NodeReader(r.sockets(), r.conntrack(), r.netstat(), r.snmp(), r.sockstat(), r.sysctls(), r.interfaces(),
                r.qdiscs(), new CtnetlinkDump(NETLINK_TIMEOUT, dump.entryLimit(), settings.scrapeTimeout().dividedBy(2),
                        dump.natPortRange()));
    }

    /**
     * The reader of another network namespace, reached through one of its processes. Entered (a
     * thread inside it), it reads like the main reader but takes links from rtnetlink only, since
     * sysfs shows the namespace that mounted it. Not entered, only the /proc/PID/net files answer.
     */
    public static NodeReader namespaceReader(Settings settings, NetnsRef ref, boolean entered) {
        ProcFs fs = ProcFs.of(settings.procfs(), settings.sysfs()).forPid(ref.pid());
        if (entered) {
            return reader(fs, settings.socketSource(), settings.effectiveSocketDetailLimit(), false);
        }
        // /proc/sys shows the reading thread's namespace: without entering, sysctls would be ours, not
        // theirs; the scraper judges such a namespace with the node's and says so in the evidence
        String outside = "not entered (setns needs CAP_SYS_ADMIN and ptrace access): only /proc/" + ref.pid() + "/net files are readable";
        return new NodeReader(List.of(new SocketSource("procfs", new ProcNetTcp(fs, settings.effectiveSocketDetailLimit()))),
                new Unavailable<>("conntrack", outside),
                NetstatFile.netstat(fs), NetstatFile.snmp(fs), new SockstatSource(fs), new Unavailable<>("sysctl", outside),
                new Unavailable<>("interfaces", outside), new Unavailable<>("qdisc", outside));
    }

    private static NodeReader reader(ProcFs fs, SocketSourceMode mode, int detailLimit, boolean ownSysfs) {
        List<SocketSource> sockets = new ArrayList<>();
        if (mode != SocketSourceMode.PROCFS) {
            sockets.add(new SocketSource("netlink", new InetDiagSockets(NETLINK_TIMEOUT, detailLimit)));
        }
        if (mode != SocketSourceMode.NETLINK) {
            sockets.add(new SocketSource("procfs", new ProcNetTcp(fs, detailLimit)));
        }
        boolean netlink = mode != SocketSourceMode.PROCFS;
        var conntrack = netlink
                ? new ConntrackWithNetlinkStats(new ConntrackSource(fs), new CtnetlinkStats(NETLINK_TIMEOUT))
                : new ConntrackSource(fs);
        Source<List<NetInterface>> interfaces;
        if (!ownSysfs) {
            interfaces = netlink ? new RtnetlinkLinks(NETLINK_TIMEOUT)
                    : new Unavailable<>("interfaces", "links of another namespace need rtnetlink from inside it");
        } else {
            interfaces = netlink
                    ? new FirstOf<>("interfaces", List.of(new RtnetlinkLinks(NETLINK_TIMEOUT), new SysfsInterfaces(fs)))
                    : new SysfsInterfaces(fs);
        }
        return new NodeReader(sockets, conntrack, NetstatFile.netstat(fs), NetstatFile.snmp(fs),
                new SockstatSource(fs), new SysctlSource(fs), interfaces, netlink ? new RtnetlinkQdiscs(NETLINK_TIMEOUT)
                        : new Unavailable<>("qdisc", "qdiscs need rtnetlink, off with --collector.sockets.source=procfs"));
    }

    public static Scraper scraper(Settings settings) {
        NetnsScanner scanner = null;
        if (settings.netns()) {
            scanner = new NetnsScanner(settings.procfs(),
                    new NetnsDiscovery(settings.procfs(), new PodResolver(settings.podLogs())),
                    (ref, entered) -> namespaceReader(settings, ref, entered));
        }
        return new Scraper(new DeadlineReader(reader(settings), settings.scrapeTimeout()), Checks.all(),
                settings.destinationsTop(), scanner, settings.scrapeTimeout());
    }
}
