package dev.tcpfootgun.source.netlink;

import java.io.IOException;
import java.time.Duration;

/**
 * Where the netlink sources' requests go: the kernel ({@link #KERNEL}, a {@link NetlinkSocket} per
 * read), or, in tests, a replay of captured replies. Passed in by whoever starts the exporter, never
 * chosen by a flag: production has one implementation and pays one interface call per read.
 */
@FunctionalInterface
public interface NetlinkTransport {

    NetlinkTransport KERNEL = NetlinkSocket::new;

    /** A channel for one read; closed when the read ends. */
    Channel open(int protocol, Duration receiveTimeout) throws IOException;

    /** One read's requests: dumps, and single requests answered with an ACK. */
    interface Channel extends NetlinkDumps.Dumper, AutoCloseable {
        /** Sends a dump request (NLM_F_REQUEST | NLM_F_DUMP) and feeds every reply message to the sink. */
        @Override
        NetlinkSocket.DumpResult dump(int type, byte[] body, MessageSink sink) throws IOException;

        /** Sends a single request with NLM_F_ACK and feeds the reply's data messages to the sink. */
        NetlinkSocket.DumpResult request(int type, byte[] body, MessageSink sink) throws IOException;

        @Override
        void close();
    }
}
