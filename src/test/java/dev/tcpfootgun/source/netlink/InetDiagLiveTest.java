package dev.tcpfootgun.source.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.snapshot.Family;
import dev.tcpfootgun.snapshot.TcpInfo;
import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.snapshot.TcpState;
import dev.tcpfootgun.source.ParseLog;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Real loopback connections dumped over netlink and compared with {@code ss -tinm} for the same
 * sockets.
 *
 * <p>Tolerance: none, but only for a bracketed read. srtt/rttvar, cwnd and the byte counters change
 * only when a segment or ACK is processed; after both sides have read everything, the connection
 * is idle except for a possibly pending delayed ACK (up to 40 ms on loopback). So the test reads
 * netlink, then ss, then netlink again, and compares only when both netlink reads agree (nothing
 * moved in between), retrying briefly otherwise. A drift allowance would only hide decoding errors
 * of the size it allows.
 */
class InetDiagLiveTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @Test
    void loopbackSocketsMatchSs() throws Exception {
        assumeTrue(Commands.onPath("ss"), "ss (iproute2) is needed as the oracle");
        try (Pair v4 = Pair.open(StandardProtocolFamily.INET, "127.0.0.1");
                Pair mapped = Pair.open(null, "127.0.0.1");
                Pair v6 = Pair.open(StandardProtocolFamily.INET6, "::1")) {
            for (Pair p : List.of(v4, mapped, v6)) {
                p.transfer(1_000_000, 20_000);
            }
            Set<Integer> ports = Set.of(v4.port(), mapped.port(), v6.port());

            Map<Integer, TcpSocket> sockets = null;
            Map<Integer, Map<String, String>> ss = null;
            for (int attempt = 0; attempt < 40; attempt++) {
                Map<Integer, TcpSocket> before = ours(ports);
                ss = ss(ports);
                Map<Integer, TcpSocket> after = ours(ports);
                if (stable(before).equals(stable(after)) && before.size() == 6 && ss.size() == 6) {
                    sockets = after;
                    break;
                }
                Thread.sleep(50);
            }
            assertThat(sockets).as("two identical netlink reads around ss").isNotNull();

            assertThat(sockets.get(v4.clientPort()).family()).isEqualTo(Family.INET);
            assertThat(sockets.get(mapped.clientPort()).family()).isEqualTo(Family.INET6);
            assertThat(sockets.get(mapped.clientPort()).local().ip()).isEqualTo("127.0.0.1");
            assertThat(sockets.get(v6.clientPort()).local().ip()).isEqualTo("::1");
            for (Map.Entry<Integer, TcpSocket> e : sockets.entrySet()) {
                compare(e.getValue(), ss.get(e.getKey()));
            }
            assertThat(sockets.get(v4.clientPort()).info().bytesAcked()).isEqualTo(1_000_001); // +1 for the SYN
            // bytes_sent counts retransmitted bytes again (a loaded CI machine once retransmitted 14 875 on loopback)
            TcpInfo client = sockets.get(v4.clientPort()).info();
            assertThat(client.bytesSent() - client.bytesRetrans()).isEqualTo(1_000_000);
        }
    }

    private static void compare(TcpSocket socket, Map<String, String> ss) {
        String who = socket.local() + " -> " + socket.remote();
        TcpInfo info = socket.info();
        assertThat(ss).as(who).containsKeys("rtt", "cwnd", "mss", "bytes_acked", "bytes_received", "skmem");
        assertThat(socket.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(socket.congestion()).as(who).isEqualTo(ss.get("congestion"));
        String[] rtt = ss.get("rtt").split("/");
        assertThat(info.rttMicros()).as(who + " rtt").isEqualTo(micros(rtt[0]));
        assertThat(info.rttVarMicros()).as(who + " rttvar").isEqualTo(micros(rtt[1]));
        assertThat(info.minRttMicros()).as(who + " minrtt").isEqualTo(micros(ss.get("minrtt")));
        Map<String, Long> exact = new HashMap<>();
        exact.put("cwnd", info.sndCwnd());
        exact.put("mss", info.sndMss());
        exact.put("advmss", info.advMss());
        exact.put("pmtu", info.pmtu());
        exact.put("bytes_sent", info.bytesSent());
        exact.put("bytes_acked", info.bytesAcked());
        exact.put("segs_out", info.segsOut());
        exact.put("data_segs_out", info.dataSegsOut());
        exact.put("rcv_space", info.rcvSpace());
        exact.put("snd_wnd", info.sndWnd());
        exact.forEach((key, ours) -> {
            if (ss.containsKey(key)) { // ss leaves out zero counters
                assertThat(ours).as(who + " " + key).isEqualTo(Long.parseLong(ss.get(key)));
            }
        });
        String retrans = ss.getOrDefault("retrans", "0/0");
        assertThat(info.retransmits() + "/" + info.totalRetrans()).as(who + " retrans").isEqualTo(retrans);
        Map<String, String> skmem = skmem(ss.get("skmem"));
        assertThat(socket.memory().rcvBuf()).as(who + " rb").isEqualTo(Long.parseLong(skmem.get("rb")));
        assertThat(socket.memory().sndBuf()).as(who + " tb").isEqualTo(Long.parseLong(skmem.get("tb")));
    }

    /** What the comparison uses; lastsnd/lastrcv/lastack ("ms ago") move with the clock alone. */
    private static Map<Integer, List<Object>> stable(Map<Integer, TcpSocket> sockets) {
        return sockets.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> {
            TcpInfo i = e.getValue().info();
            return List.of(e.getValue().memory(), i.rttMicros(), i.rttVarMicros(), i.minRttMicros(), i.sndCwnd(),
                    i.sndMss(), i.advMss(), i.pmtu(), i.bytesSent(), i.bytesAcked(), i.segsOut(), i.dataSegsOut(),
                    i.rcvSpace(), i.sndWnd(), i.totalRetrans());
        }));
    }

    /** ss prints times as %g milliseconds of the kernel's microseconds: exact below 1000 s. */
    private static long micros(String millis) {
        return Math.round(Double.parseDouble(millis) * 1000);
    }

    private static Map<Integer, TcpSocket> ours(Set<Integer> ports) throws IOException {
        ParseLog log = new ParseLog();
        List<TcpSocket> all = new InetDiagSockets(TIMEOUT).read(log).all();
        assertThat(log.skipped()).as(log.firstProblem()).isZero();
        return all.stream()
                .filter(s -> s.state() == TcpState.ESTABLISHED)
                .filter(s -> ports.contains(s.local().port()) || ports.contains(s.remote().port()))
                .collect(Collectors.toMap(s -> s.local().port(), s -> s));
    }

    /** {@code ss -tinmH state established}: a socket line, then its tab-indented detail line. */
    private static Map<Integer, Map<String, String>> ss(Set<Integer> ports) {
        String filter = ports.stream().map(p -> "sport = :" + p + " or dport = :" + p).collect(Collectors.joining(" or "));
        List<String> lines = Commands.run("ss", "-tinmH", "state", "established", "( " + filter + " )").lines().toList();
        Map<Integer, Map<String, String>> out = new HashMap<>();
        for (int i = 0; i + 1 < lines.size(); i += 2) {
            String[] head = lines.get(i).trim().split("\\s+");
            String local = head[2];
            int port = Integer.parseInt(local.substring(local.lastIndexOf(':') + 1));
            Map<String, String> fields = new HashMap<>();
            String[] tokens = lines.get(i + 1).trim().split("\\s+");
            for (int t = 0; t < tokens.length; t++) {
                int colon = tokens[t].indexOf(':');
                if (colon > 0) {
                    fields.put(tokens[t].substring(0, colon), tokens[t].substring(colon + 1));
                } else if (t == 1) {
                    fields.put("congestion", tokens[t]); // right after skmem:(...)
                }
            }
            out.put(port, fields);
        }
        return out;
    }

    private static Map<String, String> skmem(String value) {
        Map<String, String> out = new HashMap<>();
        for (String part : value.replace("(", "").replace(")", "").split(",")) {
            int digits = 0;
            while (!Character.isDigit(part.charAt(digits))) {
                digits++;
            }
            out.put(part.substring(0, digits), part.substring(digits));
        }
        return out;
    }

    /** A listener, a client and the accepted server side on loopback. */
    private record Pair(ServerSocketChannel listener, SocketChannel client, SocketChannel server) implements AutoCloseable {
        static Pair open(ProtocolFamily family, String address) throws IOException {
            ServerSocketChannel l = family == null ? ServerSocketChannel.open() : ServerSocketChannel.open(family);
            l.bind(new InetSocketAddress(address, 0));
            SocketChannel c = family == null ? SocketChannel.open() : SocketChannel.open(family);
            c.connect(l.getLocalAddress());
            return new Pair(l, c, Objects.requireNonNull(l.accept()));
        }

        int port() throws IOException {
            return ((InetSocketAddress) listener.getLocalAddress()).getPort();
        }

        int clientPort() throws IOException {
            return ((InetSocketAddress) client.getLocalAddress()).getPort();
        }

        int serverPort() throws IOException {
            return ((InetSocketAddress) server.getLocalAddress()).getPort(); // same as the listener's
        }

        void transfer(int up, int down) throws IOException {
            send(client, server, up);
            send(server, client, down);
        }

        private static void send(SocketChannel from, SocketChannel to, int bytes) throws IOException {
            ByteBuffer out = ByteBuffer.allocate(bytes);
            ByteBuffer in = ByteBuffer.allocate(bytes);
            while (in.hasRemaining()) {
                if (out.hasRemaining()) {
                    from.write(out);
                }
                to.read(in);
            }
        }

        @Override
        public void close() throws IOException {
            client.close();
            server.close();
            listener.close();
        }
    }
}
