package dev.tcpfootgun.source;

import dev.tcpfootgun.snapshot.Family;
import dev.tcpfootgun.snapshot.SocketTable;
import dev.tcpfootgun.snapshot.Sockstat;
import dev.tcpfootgun.snapshot.TcpState;
import java.io.IOException;

/**
 * Another namespace's sockets from its /proc/PID/net/tcp{,6}, skipping the files its sockstat says
 * are empty. Each of those reads walks the kernel's one socket hash table of the whole node (about
 * 25 ms of kernel CPU here, 262 144 buckets, however few sockets the namespace has), so on a node
 * of 250 pods a skipped file is what the read costs: an IPv4-only pod's tcp6 is never read, and a
 * namespace without TCP reads neither. sockstat's counts are the namespace's own (TCP inuse: IPv4
 * sockets, TCP6 inuse: IPv6, tw: TIME_WAIT of both), so tcp6 is read when it has sockets or when
 * tcp did not hold every TIME_WAIT.
 */
public final class NamespaceSockets implements Source<SocketTable> {

    private final ProcFs procFs;
    private final int detailLimit;

    public NamespaceSockets(ProcFs procFs, int detailLimit) {
        this.procFs = procFs;
        this.detailLimit = detailLimit;
    }

    @Override
    public SocketTable read(ParseLog log) throws IOException {
        Sockstat counts;
        try {
            counts = new SockstatSource(procFs).read(new ParseLog());
        } catch (IOException e) {
            return new ProcNetTcp(procFs, detailLimit).read(log); // no counts to go by: read both
        }
        long v4 = counts.get("TCP", "inuse").orElse(-1);
        long tw = counts.get("TCP", "tw").orElse(-1);
        long v6 = counts.get("TCP6", "inuse").orElse(-1);
        SocketTable.Builder sockets = new SocketTable.Builder(0, 0, detailLimit);
        int[] timeWait = new int[1];
        try {
            if (v4 != 0 || tw != 0) {
                try (KernelLines tcp = KernelLines.required(procFs.net("tcp"))) {
                    ProcNetTcp.parseInto(tcp, Family.INET, log, s -> {
                        timeWait[0] += s.state() == TcpState.TIME_WAIT ? 1 : 0;
                        sockets.add(s);
                    });
                }
            }
            if (v6 != 0 || tw < 0 || timeWait[0] < tw) {
                try (KernelLines tcp6 = KernelLines.open(procFs.net("tcp6"))) {
                    if (tcp6 != null) {
                        ProcNetTcp.parseInto(tcp6, Family.INET6, log, sockets::add);
                    }
                }
            }
            return sockets.build();
        } catch (RuntimeException e) {
            throw KernelFiles.failure(e);
        }
    }
}
