package dev.tcpfootgun.source.netlink;

import dev.tcpfootgun.snapshot.NetInterface;
import dev.tcpfootgun.snapshot.Qdisc;
import dev.tcpfootgun.source.ParseLog;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Run by {@link NetnsLiveTest} as a child JVM under {@code ip netns exec}, so its netlink sockets
 * and /proc/net belong to that namespace. Prints one fact per line.
 */
public final class NetnsProbe {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private NetnsProbe() {}

    public static void main(String[] args) throws Exception {
        ParseLog log = new ParseLog();
        switch (args[0]) {
            case "route" -> {
                for (NetInterface l : new RtnetlinkLinks(TIMEOUT).read(log)) {
                    System.out.println("link " + l.ifindex() + " " + l.name() + " " + l.kind() + " " + l.mtu() + " " + l.operUp());
                }
                for (Qdisc q : new RtnetlinkQdiscs(TIMEOUT).read(log)) {
                    System.out.println("qdisc " + q.ifindex() + " " + q.handle() + " " + q.parent() + " " + q.kind());
                }
            }
            case "conntrack" -> conntrack(log);
            case "dump" -> dump(log);
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.println("skipped " + log.skipped());
    }

    /**
     * Tracked loopback traffic, then a flush under nf_conntrack_tcp_loose=0 so the connection's next
     * segments are invalid, and a manual insert; then ctnetlink and procfs read back to back, twice
     * around procfs so the caller can see nothing moved in between.
     */
    private static void conntrack(ParseLog log) throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress("127.0.0.1", 0));
                SocketChannel client = SocketChannel.open(listener.getLocalAddress());
                SocketChannel server = listener.accept()) {
            echo(client, server);
            Commands.run("conntrack", "-F");
            echo(client, server);
            Commands.run("conntrack", "-I", "-p", "tcp", "-s", "192.0.2.1", "-d", "192.0.2.2",
                    "--sport", "1000", "--dport", "2000", "--state", "ESTABLISHED", "-t", "600");
            Thread.sleep(300); // let delayed ACKs go out before the counters are read
            CtnetlinkStats source = new CtnetlinkStats(TIMEOUT);
            Map<String, Long> first = source.read(log);
            String proc = Files.readString(Path.of("/proc/net/stat/nf_conntrack"));
            Map<String, Long> second = source.read(log);
            CtnetlinkStats.TableSize size = source.tableSize();
            String count = Files.readString(Path.of("/proc/sys/net/netfilter/nf_conntrack_count")).strip();
            first.forEach((k, v) -> System.out.println("netlink " + k + " " + v));
            System.out.println("stable " + first.equals(second));
            proc.lines().forEach(l -> System.out.println("proc " + l));
            System.out.println("entries " + size.entries() + " " + size.maxEntries() + " " + count);
        }
    }

    /**
     * The conntrack dump source read twice through a transport that counts dump requests: with the
     * namespace's table empty, then after a manual insert. Prints "dumps N entries M" per read.
     */
    private static void dump(ParseLog log) throws Exception {
        int[] dumps = {0};
        NetlinkTransport counting = (protocol, timeout) -> {
            NetlinkTransport.Channel kernel = NetlinkTransport.KERNEL.open(protocol, timeout);
            return new NetlinkTransport.Channel() {
                @Override
                public NetlinkSocket.DumpResult dump(int type, byte[] body, MessageSink sink) throws IOException {
                    if (type == ConntrackEntry.MSG_GET) {
                        dumps[0]++;
                    }
                    return kernel.dump(type, body, sink);
                }

                @Override
                public NetlinkSocket.DumpResult request(int type, byte[] body, MessageSink sink) throws IOException {
                    return kernel.request(type, body, sink);
                }

                @Override
                public void close() {
                    kernel.close();
                }
            };
        };
        CtnetlinkDump source = new CtnetlinkDump(TIMEOUT, Long.MAX_VALUE, Duration.ofSeconds(10), null, counting);
        for (int read = 0; read < 2; read++) {
            if (read == 1) {
                Commands.run("conntrack", "-I", "-p", "tcp", "-s", "192.0.2.1", "-d", "192.0.2.2",
                        "--sport", "1000", "--dport", "2000", "--state", "ESTABLISHED", "-t", "600");
            }
            dumps[0] = 0;
            var entries = source.read(log);
            System.out.println("dumps " + dumps[0] + " entries " + entries.count("tcp", "established") + " partial " + entries.partial());
        }
    }

    private static void echo(SocketChannel client, SocketChannel server) throws IOException {
        client.write(ByteBuffer.wrap(new byte[100]));
        ByteBuffer in = ByteBuffer.allocate(100);
        while (in.hasRemaining()) {
            server.read(in);
        }
    }
}
