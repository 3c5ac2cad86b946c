package dev.tcpfootgun.source.netlink;

import dev.tcpfootgun.source.ParseLog;
import java.io.IOException;

/** The sources' policy for NLM_F_DUMP_INTR: the table changed while the kernel walked it. */
final class NetlinkDumps {
    private NetlinkDumps() {}

    /** What sends a dump request and feeds the reply's messages to a sink: a NetlinkSocket, or a replay in tests. */
    @FunctionalInterface
    interface Dumper {
        NetlinkSocket.DumpResult dump(int type, byte[] body, MessageSink sink) throws IOException;
    }

    /**
     * Dumps through {@code sink}. An interrupted dump is discarded ({@code discard} undoes what its
     * messages added) and retried once; a second interruption keeps its results and records a skip
     * in {@code log}, since a slightly inconsistent view beats none.
     */
    static void dumpWithRetry(Dumper socket, int type, byte[] body, Runnable discard, MessageSink sink,
            ParseLog log, String what) throws IOException {
        if (!socket.dump(type, body, sink).interrupted()) {
            return;
        }
        discard.run();
        if (socket.dump(type, body, sink).interrupted()) {
            log.skip(what + ": dump interrupted twice (NLM_F_DUMP_INTR), results may be inconsistent");
        }
    }

    /** A discard for sinks that append to a list: drops what was appended since now. */
    static Runnable truncateTo(java.util.List<?> list) {
        int start = list.size();
        return () -> list.subList(start, list.size()).clear();
    }
}
