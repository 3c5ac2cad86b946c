package dev.tcpfootgun;

import dev.tcpfootgun.config.Settings;
import dev.tcpfootgun.config.SocketSourceMode;
import dev.tcpfootgun.footgun.Checks;
import dev.tcpfootgun.scrape.Scraper;
import dev.tcpfootgun.source.ConntrackSource;
import dev.tcpfootgun.source.ConntrackWithNetlinkStats;
import dev.tcpfootgun.source.FirstOf;
import dev.tcpfootgun.source.NetstatFile;
import dev.tcpfootgun.source.NodeReader;
import dev.tcpfootgun.source.NodeReader.SocketSource;
import dev.tcpfootgun.source.ProcFs;
import dev.tcpfootgun.source.ProcNetTcp;
import dev.tcpfootgun.source.SockstatSource;
import dev.tcpfootgun.source.SysctlSource;
import dev.tcpfootgun.source.SysfsInterfaces;
import dev.tcpfootgun.source.netlink.CtnetlinkStats;
import dev.tcpfootgun.source.netlink.InetDiagSockets;
import dev.tcpfootgun.source.netlink.RtnetlinkLinks;
import dev.tcpfootgun.source.netlink.RtnetlinkQdiscs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Wires sources, checks and the scraper from settings; shared by serve and doctor. */
public final class Exporter {

    private Exporter() {}

    public static String version() {
        String v = Exporter.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** How long one netlink reply may take before the read counts as failed. */
    static final Duration NETLINK_TIMEOUT = Duration.ofSeconds(5);

    /**
     * Sources by mode. netlink reads the exporter's own network namespace; procfs reads
     * --path.procfs, which is what fixtures and other namespaces' /proc/<pid>/net need. auto prefers
     * netlink and falls back to files when netlink is refused.
     */
    public static NodeReader reader(Settings settings) {
        ProcFs fs = ProcFs.of(settings.procfs(), settings.sysfs());
        SocketSourceMode mode = settings.socketSource();
        List<SocketSource> sockets = new ArrayList<>();
        if (mode != SocketSourceMode.PROCFS) {
            sockets.add(new SocketSource("netlink", new InetDiagSockets(NETLINK_TIMEOUT)));
        }
        if (mode != SocketSourceMode.NETLINK) {
            sockets.add(new SocketSource("procfs", new ProcNetTcp(fs)));
        }
        boolean netlink = mode != SocketSourceMode.PROCFS;
        var conntrack = netlink
                ? new ConntrackWithNetlinkStats(new ConntrackSource(fs), new CtnetlinkStats(NETLINK_TIMEOUT))
                : new ConntrackSource(fs);
        var interfaces = netlink
                ? new FirstOf<>("interfaces", List.of(new RtnetlinkLinks(NETLINK_TIMEOUT), new SysfsInterfaces(fs)))
                : new SysfsInterfaces(fs);
        return new NodeReader(sockets, conntrack, NetstatFile.netstat(fs), NetstatFile.snmp(fs),
                new SockstatSource(fs), new SysctlSource(fs), interfaces, netlink ? new RtnetlinkQdiscs(NETLINK_TIMEOUT) : null);
    }

    public static Scraper scraper(Settings settings) {
        return new Scraper(reader(settings), Checks.all(), settings.destinationsTop());
    }
}
