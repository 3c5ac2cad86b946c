package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.NodeSnapshot;
import dev.tcpfootgun.snapshot.SocketTable;
import dev.tcpfootgun.snapshot.TcpInfo;
import dev.tcpfootgun.snapshot.DetailedSockets;
import dev.tcpfootgun.snapshot.TcpState;
import java.util.function.Predicate;

/** Why the per-socket tcp_info a check needs is not there; a check reports it as unknown, never as fine. */
final class TcpInfoAvailability {

    private TcpInfoAvailability() {}

    /**
     * Null when the check can judge: sockets were read, and either some socket's tcp_info has the
     * fields, or there is no full socket at all (nothing to judge, which is not missing data).
     * Otherwise what is missing: the sockets, tcp_info itself, or the fields on this kernel.
     */
    static String missing(NodeSnapshot now, Predicate<TcpInfo> hasFields, String fields, String since) {
        SocketTable table = now.sockets().value().orElse(null);
        if (table == null) {
            return now.sockets().problem();
        }
        TcpInfo sample = null;
        boolean fullSocket = false;
        DetailedSockets d = table.detailed();
        for (int i = 0; i < d.size(); i++) {
            if (d.hasInfo(i)) {
                // a view of the row, read only here: on a kernel without the fields every socket is looked at
                TcpInfo info = TcpInfo.view(d.infoInts(), d.infoLongs(), i);
                if (hasFields.test(info)) {
                    return null;
                }
                sample = info;
            }
            // TIME_WAIT and request sockets never carry tcp_info
            TcpState state = d.state(i);
            fullSocket |= state != TcpState.TIME_WAIT && state != TcpState.NEW_SYN_RECV;
        }
        if (sample != null) {
            return fields + " need Linux " + since + "; this kernel's tcp_info has " + sample.size() + " bytes";
        }
        if (!fullSocket) {
            return null;
        }
        return table.origin().withoutTcpInfo();
    }
}
