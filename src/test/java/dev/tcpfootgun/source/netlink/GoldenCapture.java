package dev.tcpfootgun.source.netlink;

import dev.tcpfootgun.snapshot.SocketTable;
import dev.tcpfootgun.source.ParseLog;
import dev.tcpfootgun.testing.NetNs;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The capture harness behind src/test/resources/golden/netlink/*.bin, the netlink replies
 * GoldenExpositionTest replays (see the README there). It builds one namespace's state, then reads it
 * with the exporter's own netlink sources through {@link NetlinkReplay.Recording}, so each file is
 * the kernel's reply to exactly the request the exporter sends, and writes ss/tc/conntrack's view of
 * the same moment beside them as the oracle. Run as root:
 * {@code .ci/with-jdk25 mvn -B -ntp -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt &&
 * .ci/with-jdk25 java -cp target/classes:target/test-classes:$(cat target/cp.txt) dev.tcpfootgun.source.netlink.GoldenCapture
 * src/test/resources/golden/netlink}, then regenerate the golden file and read its diff.
 *
 * <p>The namespace "cap" (its peer "peer" across veth v0/v1): v0 with 4 TX queues under a root mq
 * (children pfifo_fast, pfifo_fast, bfifo, pfifo), vx0 a vxlan over v0 (MTU 1450) rooted in htb; a
 * listener on 0.0.0.0:8080 with an IPv4 client from the peer that exchanged data, a dual-stack one on
 * 8443 with an IPv6 client, one peer client that closed (CLOSE_WAIT here), connections out to the peer's 9000 SNATed to
 * 10.201.0.3:40000-40099 (one ESTABLISHED, one closed here first: TIME_WAIT), a SYN_SENT to a
 * neighbour that never answers, a socket that only bound, an unreplied UDP flow. fq and fq_codel are
 * not built into this kernel (shared/reference/kernel-here.md), so no capture can hold them.
 */
public final class GoldenCapture {
    private GoldenCapture() {}

    static final String HERE = "10.201.0.1";
    static final String HERE6 = "fd20::1";
    static final String NAT_SOURCE = "10.201.0.3";
    static final String PEER = "10.201.0.2";
    static final String PEER6 = "fd20::2";
    static final String SILENT = "10.201.0.99";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    public static void main(String[] args) throws Exception {
        String why = NetNs.unavailableReason();
        if (why != null) {
            throw new IllegalStateException("GoldenCapture " + why);
        }
        Path out = Path.of(args.length > 0 ? args[0] : "src/test/resources/golden/netlink");
        try (NetNs cap = NetNs.create("golden-cap"); NetNs peer = NetNs.create("golden-peer")) {
            links(cap, peer);
            cap.exec("iptables", "-t", "nat", "-A", "POSTROUTING", "-o", "v0", "-p", "tcp", "-d", PEER, "-j", "SNAT",
                    "--to-source", NAT_SOURCE + ":40000-40099");
            // the ip6 nat table makes the namespace track IPv6 flows too
            cap.exec("ip6tables", "-t", "nat", "-A", "POSTROUTING", "-o", "v0", "-p", "udp", "-j", "MASQUERADE");

            ServerSocketChannel listener = cap.call(() -> listen(StandardProtocolFamily.INET, "0.0.0.0", 8080));
            ServerSocketChannel listener6 = cap.call(() -> listen(StandardProtocolFamily.INET6, "::", 8443));
            ServerSocketChannel remote = peer.call(() -> listen(StandardProtocolFamily.INET, "0.0.0.0", 9000));
            List<AutoCloseable> held = new ArrayList<>(List.of(listener, listener6, remote));
            try {
                // inbound: an IPv4 client sends 32 KiB and gets 4 KiB back, an IPv6 one 1000 and 100
                held.addAll(exchange(peer, PEER, HERE, 8080, cap, listener, 32768, 4096));
                held.addAll(exchange(peer, PEER6, HERE6, 8443, cap, listener6, 1000, 100));
                // inbound, the client gone: the accepted socket here stays in CLOSE_WAIT
                List<SocketChannel> closing = exchange(peer, PEER, HERE, 8080, cap, listener, 10, 10);
                peer.call(() -> {
                    closing.getFirst().close();
                    return null;
                });
                held.add(closing.getLast());
                // outbound through SNAT: one kept, one closed here first (TIME_WAIT here once the peer closes too)
                held.addAll(exchange(cap, HERE, PEER, 9000, peer, remote, 20000, 300));
                List<SocketChannel> timeWait = exchange(cap, HERE, PEER, 9000, peer, remote, 100, 100);
                cap.call(() -> {
                    timeWait.getFirst().close();
                    return null;
                });
                peer.call(() -> {
                    SocketChannel served = timeWait.getLast();
                    served.read(ByteBuffer.allocate(1)); // EOF: the client's FIN arrived
                    served.close();
                    return null;
                });
                held.add(cap.call(() -> { // SYN_SENT: the neighbour's MAC is answered by no one
                    SocketChannel c = SocketChannel.open(StandardProtocolFamily.INET);
                    c.configureBlocking(false);
                    c.connect(new InetSocketAddress(SILENT, 9000));
                    return c;
                }));
                held.add(cap.call(() -> { // bound, never connected: holds its port from connect()
                    SocketChannel c = SocketChannel.open(StandardProtocolFamily.INET);
                    c.bind(new InetSocketAddress(HERE, 0));
                    return c;
                }));
                cap.call(() -> { // an unreplied UDP flow (nothing listens on 5353)
                    try (DatagramChannel u = DatagramChannel.open()) {
                        u.send(ByteBuffer.wrap(new byte[] {1}), new InetSocketAddress(PEER, 5353));
                    }
                    return null;
                });
                cap.awaitTimeWait(9000, 1);
                record(cap, out);
            } finally {
                for (AutoCloseable c : held.reversed()) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        // best effort: the namespaces go next
                    }
                }
            }
        }
    }

    private static void links(NetNs cap, NetNs peer) throws Exception {
        cap.exec("ip", "link", "add", "v0", "numtxqueues", "4", "type", "veth", "peer", "name", "v1", "netns", peer.name());
        cap.exec("ip", "addr", "add", HERE + "/24", "dev", "v0");
        cap.exec("ip", "addr", "add", NAT_SOURCE + "/24", "dev", "v0");
        cap.exec("ip", "addr", "add", HERE6 + "/64", "dev", "v0", "nodad");
        cap.exec("ip", "link", "set", "v0", "up");
        cap.exec("ip", "neigh", "add", SILENT, "lladdr", "02:00:00:00:00:99", "dev", "v0", "nud", "permanent");
        cap.exec("tc", "qdisc", "replace", "dev", "v0", "root", "handle", "1:", "mq");
        cap.exec("tc", "qdisc", "replace", "dev", "v0", "parent", "1:3", "bfifo");
        cap.exec("tc", "qdisc", "replace", "dev", "v0", "parent", "1:4", "pfifo");
        cap.exec("ip", "link", "add", "vx0", "type", "vxlan", "id", "42", "dev", "v0", "dstport", "4789", "local", HERE);
        cap.exec("ip", "link", "set", "vx0", "up");
        cap.exec("tc", "qdisc", "replace", "dev", "vx0", "root", "handle", "1:", "htb");
        peer.exec("ip", "addr", "add", PEER + "/24", "dev", "v1");
        peer.exec("ip", "addr", "add", PEER6 + "/64", "dev", "v1", "nodad");
        peer.exec("ip", "link", "set", "v1", "up");
    }

    private static ServerSocketChannel listen(StandardProtocolFamily family, String address, int port) throws Exception {
        ServerSocketChannel s = ServerSocketChannel.open(family);
        s.bind(new InetSocketAddress(address, port), 16);
        return s;
    }

    /**
     * A client in {@code from} (bound to {@code source}, of its address family) connects to
     * {@code server}'s listener, sends {@code up} bytes and reads {@code down} back. Returns the client
     * channel and the accepted one.
     */
    private static List<SocketChannel> exchange(NetNs from, String source, String to, int port, NetNs server,
            ServerSocketChannel listener, int up, int down) throws Exception {
        SocketChannel client = from.call(() -> {
            SocketChannel c = SocketChannel.open(to.contains(":") ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
            c.bind(new InetSocketAddress(source, 0));
            c.connect(new InetSocketAddress(to, port));
            c.write(ByteBuffer.allocate(up));
            return c;
        });
        SocketChannel accepted = server.call(() -> {
            SocketChannel c = listener.accept();
            c.socket().getInputStream().readNBytes(up);
            c.write(ByteBuffer.allocate(down));
            return c;
        });
        from.call(() -> client.socket().getInputStream().readNBytes(down));
        return List.of(client, accepted);
    }

    /** Reads the namespace with the exporter's netlink sources, keeping every reply; the oracle beside. */
    private static void record(NetNs cap, Path out) throws Exception {
        NetlinkReplay.Recording recording = new NetlinkReplay.Recording();
        ParseLog log = new ParseLog();
        cap.call(() -> {
            new InetDiagSockets(TIMEOUT, SocketTable.UNLIMITED, recording).read(log);
            new RtnetlinkLinks(TIMEOUT, recording).read(log);
            new RtnetlinkQdiscs(TIMEOUT, recording).read(log);
            new CtnetlinkStats(TIMEOUT, recording).read(log);
            new CtnetlinkDump(TIMEOUT, Long.MAX_VALUE, Duration.ofSeconds(10), null, recording).read(log);
            return null;
        });
        if (log.skipped() > 0) {
            throw new IllegalStateException("the sources skipped parts of the replies: " + log.firstProblem());
        }
        Files.createDirectories(out);
        for (String f : recording.writeTo(out)) {
            System.out.println("wrote " + out.resolve(f));
        }
        Files.writeString(out.resolve("oracle.txt"), "# ss -tanoei\n" + cap.exec("sh", "-c", "ss -tanoeiH 2>/dev/null")
                + "\n# ip -d link\n" + cap.exec("ip", "-d", "link") + "\n# tc qdisc show\n" + cap.exec("tc", "qdisc", "show")
                + "\n# conntrack -L\n" + cap.exec("sh", "-c", "conntrack -L -f ipv4 2>/dev/null; conntrack -L -f ipv6 2>/dev/null")
                + "\n# nft list ruleset\n" + cap.exec("nft", "list", "ruleset"));
    }
}
