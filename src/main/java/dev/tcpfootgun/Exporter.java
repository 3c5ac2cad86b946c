package dev.tcpfootgun;

import dev.tcpfootgun.config.Settings;
import dev.tcpfootgun.config.SocketSourceMode;
import dev.tcpfootgun.footgun.Checks;
import dev.tcpfootgun.scrape.Scraper;
import dev.tcpfootgun.source.Collector;
import dev.tcpfootgun.source.Collectors;
import dev.tcpfootgun.source.DeadlineReader;
import dev.tcpfootgun.source.NodeReader;
import dev.tcpfootgun.source.ProcFs;
import dev.tcpfootgun.source.Scope;
import dev.tcpfootgun.source.netlink.NetlinkTransport;
import dev.tcpfootgun.netns.NetnsDiscovery;
import dev.tcpfootgun.netns.NetnsRef;
import dev.tcpfootgun.netns.NetnsScanner;
import dev.tcpfootgun.netns.PodResolver;
import java.util.List;

/** Wires sources, checks and the scraper from settings; shared by serve and doctor. */
public final class Exporter {

    private Exporter() {}

    public static String version() {
        return BuildInfo.current().version();
    }

    /** The collectors switched on, from the registry. */
    static List<Collector<?>> collectors(Settings settings) {
        return settings.collectors().stream().<Collector<?>>map(n -> Collectors.named(n).orElseThrow()).toList();
    }

    /**
     * The reader of the exporter's own namespace. netlink reads the exporter's own network
     * namespace; procfs reads --path.procfs, which is what fixtures need. auto prefers netlink and
     * falls back to files when netlink is refused.
     */
    public static NodeReader reader(Settings settings) {
        return reader(settings, NetlinkTransport.KERNEL);
    }

    /** {@link #reader(Settings)} with netlink requests sent through {@code transport} (captured replies in tests). */
    static NodeReader reader(Settings settings, NetlinkTransport transport) {
        return NodeReader.of(collectors(settings),
                scope(settings, ProcFs.of(settings.procfs(), settings.sysfs()), Scope.Where.OWN, transport));
    }

    /**
     * The reader of another network namespace, reached through one of its processes. Entered (a
     * thread inside it), it reads like the main reader but takes links from rtnetlink only, since
     * sysfs shows the namespace that mounted it. Not entered, only the /proc/PID/net files answer.
     */
    public static NodeReader namespaceReader(Settings settings, NetnsRef ref, boolean entered) {
        return namespaceReader(settings, ref, entered, NetlinkTransport.KERNEL);
    }

    private static NodeReader namespaceReader(Settings settings, NetnsRef ref, boolean entered, NetlinkTransport transport) {
        ProcFs fs = ProcFs.of(settings.procfs(), settings.sysfs()).forPid(ref.pid());
        return NodeReader.of(collectors(settings),
                scope(settings, fs, entered ? Scope.Where.ENTERED : Scope.Where.OUTSIDE, transport));
    }

    private static Scope scope(Settings settings, ProcFs fs, Scope.Where where, NetlinkTransport transport) {
        var dump = settings.conntrackDump();
        return new Scope(fs, where, settings.socketSource() != SocketSourceMode.PROCFS,
                settings.socketSource() != SocketSourceMode.NETLINK, settings.effectiveSocketDetailLimit(),
                new Scope.ConntrackDump(dump.entryLimit(), settings.scrapeTimeout().dividedBy(2), dump.natPortRange()),
                transport);
    }

    public static Scraper scraper(Settings settings) {
        return scraper(settings, NetlinkTransport.KERNEL);
    }

    /** {@link #scraper(Settings)} with netlink requests sent through {@code transport} (captured replies in tests). */
    static Scraper scraper(Settings settings, NetlinkTransport transport) {
        NetnsScanner scanner = null;
        if (settings.netns()) {
            scanner = new NetnsScanner(settings.procfs(),
                    new NetnsDiscovery(settings.procfs(), new PodResolver(settings.podLogs())),
                    (ref, entered) -> namespaceReader(settings, ref, entered, transport), settings.collectors());
        }
        NodeReader own = reader(settings, transport);
        return new Scraper(new DeadlineReader(own, settings.scrapeTimeout()), Checks.all(),
                scanner, settings.scrapeTimeout(), own.collectors());
    }
}
