package dev.tcpfootgun.source.netlink;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The test-only netlink transports: {@link #replaying} answers each request from a committed
 * capture, {@link #recording} sends it to the kernel and keeps the reply (GoldenCapture). One file per
 * request kind, named by {@link #fileName}: the reply's data messages as the kernel sent them,
 * nlmsghdr onwards, concatenated, NLMSG_DONE and the ACK left out (the format of the other .bin files).
 */
public final class NetlinkReplay {
    private NetlinkReplay() {}

    /** Message types the exporter sends, by protocol, named as the kernel's headers name them. */
    private static final Map<Integer, Map<Integer, String>> TYPES = Map.of(
            NetlinkSocket.NETLINK_ROUTE, Map.of(RtnetlinkLinks.RTM_GETLINK, "getlink", RtnetlinkQdiscs.RTM_GETQDISC, "getqdisc"),
            NetlinkSocket.NETLINK_SOCK_DIAG, Map.of(InetDiagDecoder.SOCK_DIAG_BY_FAMILY, "sock_diag_by_family",
                    InetDiagDecoder.TCPDIAG_GETSOCK, "tcpdiag_getsock"),
            NetlinkSocket.NETLINK_NETFILTER, Map.of(ConntrackEntry.MSG_GET, "ct_get", CtnetlinkStats.STATS_CPU,
                    "ct_get_stats_cpu", CtnetlinkStats.STATS, "ct_get_stats", NftNatRules.GETRULE, "nft_getrule"));
    private static final Map<Integer, String> PROTOCOLS = Map.of(NetlinkSocket.NETLINK_ROUTE, "rtnetlink",
            NetlinkSocket.NETLINK_SOCK_DIAG, "sock_diag", NetlinkSocket.NETLINK_NETFILTER, "nfnetlink");

    /**
     * The capture file of one request: protocol, message type and the address family in the request's
     * first byte, e.g. {@code sock_diag-tcpdiag_getsock-unspec.bin} (both families in one dump).
     */
    public static String fileName(int protocol, int type, byte[] body) {
        int family = body.length > 0 ? Byte.toUnsignedInt(body[0]) : 0;
        String familyName = switch (family) {
            case 0 -> "unspec";
            case InetDiagDecoder.AF_INET -> "inet";
            case InetDiagDecoder.AF_INET6 -> "inet6";
            default -> "family" + family;
        };
        return PROTOCOLS.getOrDefault(protocol, "protocol" + protocol) + "-"
                + TYPES.getOrDefault(protocol, Map.of()).getOrDefault(type, "type" + type) + "-" + familyName + ".bin";
    }

    /**
     * Answers every request from {@code dir}; a request without a capture fails as the kernel's
     * refusal would, so its source reports success 0 and the golden file shows it.
     */
    public static NetlinkTransport replaying(Path dir) {
        return (protocol, timeout) -> new NetlinkTransport.Channel() {
            @Override
            public NetlinkSocket.DumpResult dump(int type, byte[] body, MessageSink sink) throws IOException {
                return replay(dir.resolve(fileName(protocol, type, body)), sink);
            }

            @Override
            public NetlinkSocket.DumpResult request(int type, byte[] body, MessageSink sink) throws IOException {
                return replay(dir.resolve(fileName(protocol, type, body)), sink);
            }

            @Override
            public void close() {}
        };
    }

    private static NetlinkSocket.DumpResult replay(Path file, MessageSink sink) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no netlink capture " + file.getFileName() + " in " + file.getParent());
        }
        byte[] bytes = Files.readAllBytes(file);
        long[] count = {0};
        try (Arena arena = Arena.ofConfined()) {
            // native memory, as NetlinkSocket's receive buffer is: sinks read it the same way
            MemorySegment reply = arena.allocate(Math.max(bytes.length, 1), 8);
            MemorySegment.copy(bytes, 0, reply, ValueLayout.JAVA_BYTE, 0, bytes.length);
            int status = NetlinkMessages.walk(reply.asSlice(0, bytes.length), NetlinkMessages.ANY_SEQ,
                    "replay of " + file.getFileName(), new MessageSink() {
                        @Override
                        public void accept(MemorySegment message) {
                            count[0]++;
                            sink.accept(message);
                        }

                        @Override
                        public void accept(MemorySegment datagram, long offset, long length) {
                            count[0]++;
                            sink.accept(datagram, offset, length);
                        }
                    });
            return new NetlinkSocket.DumpResult(count[0], (status & NetlinkMessages.INTERRUPTED) != 0);
        }
    }

    /** Sends every request to the kernel and keeps each reply's data messages, by file name. */
    public static final class Recording implements NetlinkTransport {
        private final Map<String, byte[]> replies = new TreeMap<>();

        @Override
        public Channel open(int protocol, Duration timeout) throws IOException {
            NetlinkSocket socket = new NetlinkSocket(protocol, timeout);
            return new Channel() {
                @Override
                public NetlinkSocket.DumpResult dump(int type, byte[] body, MessageSink sink) throws IOException {
                    return keep(fileName(protocol, type, body), sink, s -> socket.dump(type, body, s));
                }

                @Override
                public NetlinkSocket.DumpResult request(int type, byte[] body, MessageSink sink) throws IOException {
                    return keep(fileName(protocol, type, body), sink, s -> socket.request(type, body, s));
                }

                @Override
                public void close() {
                    socket.close();
                }
            };
        }

        private interface Exchange {
            NetlinkSocket.DumpResult run(MessageSink sink) throws IOException;
        }

        private synchronized NetlinkSocket.DumpResult keep(String name, MessageSink sink, Exchange exchange)
                throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            NetlinkSocket.DumpResult result = exchange.run(m -> {
                bytes.writeBytes(m.toArray(ValueLayout.JAVA_BYTE));
                sink.accept(m);
            });
            replies.put(name, bytes.toByteArray()); // a retried dump (NLM_F_DUMP_INTR) keeps its last reply
            return result;
        }

        /** Writes every reply kept, one file per request kind; returns the names written. */
        public synchronized java.util.Set<String> writeTo(Path dir) throws IOException {
            Files.createDirectories(dir);
            for (Map.Entry<String, byte[]> e : replies.entrySet()) {
                Files.write(dir.resolve(e.getKey()), e.getValue());
            }
            return replies.keySet();
        }
    }
}
