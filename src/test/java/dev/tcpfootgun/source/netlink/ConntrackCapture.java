package dev.tcpfootgun.source.netlink;

import dev.tcpfootgun.testing.NatTopology;
import dev.tcpfootgun.testing.NetNs;
import dev.tcpfootgun.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The capture harness behind src/test/resources/netlink/ctnetlink_conntrack.bin and nft_rules_*.bin
 * (see that folder's README): builds the SNAT test topology, makes one flow of every kind the tests
 * meet, and writes the router's ctnetlink dump and nf_tables rule dumps byte for byte, with
 * `conntrack -L` of the same moment as the oracle. Run as root:
 * {@code .ci/with-jdk25 mvn -o -q test-compile && .ci/with-jdk25 java -cp target/classes:target/test-classes:$(cat cp.txt)
 * dev.tcpfootgun.source.netlink.ConntrackCapture src/test/resources/netlink} (cp.txt from mvn dependency:build-classpath).
 */
public final class ConntrackCapture {
    private ConntrackCapture() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "src/test/resources/netlink");
        try (NatTopology t = NatTopology.create("fg-cap", 1)) {
            NetNs r = t.router();
            NetNs c = t.clients().getFirst();
            String o = t.routerOut();
            r.exec("iptables", "-t", "nat", "-A", "POSTROUTING", "-o", o, "-p", "tcp", "-j", "MASQUERADE", "--to-ports", "40000-40099");
            r.exec("iptables", "-t", "nat", "-A", "POSTROUTING", "-o", o, "-p", "udp", "-j", "MASQUERADE", "--random-fully");
            r.exec("iptables", "-t", "nat", "-A", "POSTROUTING", "-o", o, "-p", "icmp", "-j", "SNAT", "--to-source",
                    NatTopology.ROUTER_OUT + ":1000-2000");
            r.exec("ip6tables", "-t", "nat", "-A", "POSTROUTING", "-o", o, "-j", "MASQUERADE");
            Files.write(out.resolve("nft_rules_iptables.bin"), rules(r));

            TestServer server = t.server().call(() -> {
                ServerSocket s = new ServerSocket();
                s.bind(new InetSocketAddress(InetAddress.getByName("::"), 8080), 64);
                return TestServer.draining(s);
            });
            Process echo = t.server().start("python3", "-c", "import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                    + "s.bind(('0.0.0.0',5353))\nwhile True:\n d,a=s.recvfrom(9); s.sendto(d,a)");
            Thread.sleep(300);
            List<Socket> open = c.call(() -> {
                List<Socket> l = new ArrayList<>();
                l.add(new Socket(NatTopology.SERVER, 8080)); // established, NAT
                l.add(new Socket(NatTopology.SERVER6, 8080)); // established, IPv6 NAT
                new Socket(NatTopology.SERVER, 8080).close(); // TIME_WAIT, NAT
                try (Socket refused = new Socket()) { // RST from a closed port: CLOSE
                    refused.connect(new InetSocketAddress(NatTopology.SERVER, 8081), 1000);
                } catch (java.io.IOException expected) {
                    // refused
                }
                try (Socket lost = new Socket()) { // no such host: SYN_SENT, unreplied
                    lost.connect(new InetSocketAddress("10.77.2.99", 8080), 300);
                } catch (java.io.IOException expected) {
                    // timed out
                }
                try (DatagramSocket u = new DatagramSocket()) { // replied (echoed), NAT
                    u.setSoTimeout(1000);
                    u.send(new DatagramPacket(new byte[] {1}, 1, InetAddress.getByName(NatTopology.SERVER), 5353));
                    u.receive(new DatagramPacket(new byte[9], 9));
                }
                try (DatagramSocket u = new DatagramSocket()) { // unreplied, IPv6 NAT
                    u.send(new DatagramPacket(new byte[] {1}, 1, InetAddress.getByName(NatTopology.SERVER6), 5354));
                }
                return l;
            });
            // an ICMP echo request (id 1, checksum precomputed), SNATed to the router
            c.exec("python3", "-c", "import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_RAW,socket.IPPROTO_ICMP)\n"
                    + "s.sendto(bytes([8,0,0xf7,0xfe,0,1,0,0]),('" + NatTopology.SERVER + "',0))");
            // the router's own connection, not NATed: loopback inside it
            TestServer local = r.call(() -> TestServer.draining(9090));
            Socket own = r.call(() -> new Socket(InetAddress.getLoopbackAddress(), 9090));
            Thread.sleep(500);
            byte[] dump = r.call(() -> dump(ConntrackEntry.MSG_GET));
            Files.write(out.resolve("ctnetlink_conntrack.bin"), dump);
            Files.writeString(out.resolve("ctnetlink_conntrack.conntrack-L.txt"),
                    r.exec("sh", "-c", "conntrack -L -f ipv4 2>/dev/null; conntrack -L -f ipv6 2>/dev/null"));

            r.exec("nft", "add table ip fgnat");
            r.exec("nft", "add chain ip fgnat post { type nat hook postrouting priority 110 ; }");
            r.exec("nft", "add rule ip fgnat post tcp dport 443 masquerade to :50000-50099 fully-random");
            r.exec("nft", "add rule ip fgnat post udp dport 53 snat to " + NatTopology.ROUTER_OUT + ":3000-3999");
            r.exec("nft", "add table ip6 fgnat6");
            r.exec("nft", "add chain ip6 fgnat6 post { type nat hook postrouting priority 110 ; }");
            r.exec("nft", "add rule ip6 fgnat6 post udp dport 53 snat to [" + NatTopology.ROUTER_OUT6 + "]:4000-4999");
            Files.write(out.resolve("nft_rules_native.bin"), rules(r));
            Files.writeString(out.resolve("nft_rules_native.nft.txt"), r.exec("nft", "list", "ruleset"));
            r.call(() -> {
                own.close();
                local.close();
                return null;
            });
            c.call(() -> {
                for (Socket s : open) {
                    s.close();
                }
                return null;
            });
            t.server().call(() -> {
                server.close();
                return null;
            });
            echo.destroy();
            echo.waitFor();
        }
    }

    private static byte[] rules(NetNs r) throws Exception {
        return r.call(() -> dump(NftNatRules.GETRULE));
    }

    /** One dump's data messages, concatenated as they arrived. */
    static byte[] dump(int type) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (NetlinkSocket s = new NetlinkSocket(NetlinkSocket.NETLINK_NETFILTER, Duration.ofSeconds(5))) {
            s.dump(type, new byte[4], (MessageSink) m -> bytes.writeBytes(m.toArray(ValueLayout.JAVA_BYTE)));
        }
        return bytes.toByteArray();
    }

    static MemorySegment segment(byte[] b) {
        return MemorySegment.ofArray(b);
    }
}
