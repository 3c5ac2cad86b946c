package dev.tcpfootgun;

import dev.tcpfootgun.config.Settings;
import dev.tcpfootgun.config.SocketSourceMode;
import dev.tcpfootgun.footgun.Checks;
import dev.tcpfootgun.scrape.Scraper;
import dev.tcpfootgun.source.ConntrackSource;
import dev.tcpfootgun.source.NetstatFile;
import dev.tcpfootgun.source.NodeReader;
import dev.tcpfootgun.source.NodeReader.SocketSource;
import dev.tcpfootgun.source.ProcFs;
import dev.tcpfootgun.source.ProcNetTcp;
import dev.tcpfootgun.source.SockstatSource;
import dev.tcpfootgun.source.SysctlSource;
import dev.tcpfootgun.source.SysfsInterfaces;
import java.util.ArrayList;
import java.util.List;

/** Wires sources, checks and the scraper from settings; shared by serve and doctor. */
public final class Exporter {

    private Exporter() {}

    public static String version() {
        String v = Exporter.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    public static NodeReader reader(Settings settings) {
        ProcFs fs = ProcFs.of(settings.procfs(), settings.sysfs());
        List<SocketSource> sockets = new ArrayList<>();
        if (settings.socketSource() != SocketSourceMode.NETLINK) {
            sockets.add(new SocketSource("procfs", new ProcNetTcp(fs)));
        }
        return new NodeReader(sockets, new ConntrackSource(fs), NetstatFile.netstat(fs), NetstatFile.snmp(fs),
                new SockstatSource(fs), new SysctlSource(fs), new SysfsInterfaces(fs), null);
    }

    public static Scraper scraper(Settings settings) {
        return new Scraper(reader(settings), Checks.all(), settings.destinationsTop());
    }
}
