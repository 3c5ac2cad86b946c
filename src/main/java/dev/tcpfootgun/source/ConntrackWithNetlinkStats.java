package dev.tcpfootgun.source;

import dev.tcpfootgun.snapshot.Conntrack;
import dev.tcpfootgun.source.netlink.CtnetlinkStats;
import java.io.IOException;

/**
 * Conntrack from procfs, with the per-CPU statistics taken from ctnetlink when
 * /proc/net/stat/nf_conntrack is absent (kernels without CONFIG_NF_CONNTRACK_PROCFS), so drops and
 * insert_failed are never silently missing. If ctnetlink also refuses, the origin stays NONE.
 */
public record ConntrackWithNetlinkStats(ConntrackSource procfs, CtnetlinkStats netlink) implements Source<Conntrack> {

    @Override
    public Conntrack read(ParseLog log) throws IOException {
        Conntrack ct = procfs.read(log);
        if (ct.statsOrigin() != Conntrack.StatsOrigin.NONE) {
            return ct;
        }
        try {
            return ct.withStats(netlink.read(log), Conntrack.StatsOrigin.NETLINK);
        } catch (IOException e) {
            return ct.withStatsMissing("ctnetlink: " + e.getMessage());
        }
    }
}
