package dev.tcpfootgun.source.netlink;

import dev.tcpfootgun.source.ParseLog;
import java.io.IOException;
import java.util.List;

/** The sources' policy for NLM_F_DUMP_INTR: the table changed while the kernel walked it. */
final class NetlinkDumps {
    private NetlinkDumps() {}

    /**
     * Dumps into {@code into} through {@code sink} (which appends to it). An interrupted dump is
     * discarded and retried once; a second interruption keeps its results and records a skip in
     * {@code log}, since a slightly inconsistent view beats none.
     */
    static <T> void dumpWithRetry(NetlinkSocket socket, int type, byte[] body, List<T> into, MessageSink sink,
            ParseLog log, String what) throws IOException {
        int start = into.size();
        if (!socket.dump(type, body, sink).interrupted()) {
            return;
        }
        into.subList(start, into.size()).clear();
        if (socket.dump(type, body, sink).interrupted()) {
            log.skip(what + ": dump interrupted twice (NLM_F_DUMP_INTR), results may be inconsistent");
        }
    }
}
