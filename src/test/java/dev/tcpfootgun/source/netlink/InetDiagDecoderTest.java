package dev.tcpfootgun.source.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.snapshot.Family;
import dev.tcpfootgun.snapshot.TcpInfo;
import dev.tcpfootgun.snapshot.SocketTable;
import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.snapshot.TcpState;
import dev.tcpfootgun.source.ParseLog;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Decodes inet_diag_loopback.bin, captured from kernel 6.18 (see the README beside it). */
class InetDiagDecoderTest {
    private static final byte[] CAPTURE = NetlinkBytes.resource("inet_diag_loopback.bin");
    private final ParseLog log = new ParseLog();

    private List<TcpSocket> decode(byte[]... messages) throws IOException {
        return InetDiagDecoder.decode(NetlinkBytes.segment(messages), log);
    }

    private static TcpSocket find(List<TcpSocket> sockets, TcpState state, int localPort, Family family) {
        return sockets.stream()
                .filter(s -> s.state() == state && s.local().port() == localPort && s.family() == family)
                .findFirst().orElseThrow(() -> new AssertionError("no " + state + " on " + localPort));
    }

    @Test
    void capturedLoopbackDumpHasTheKnownSockets() throws IOException {
        List<TcpSocket> sockets = decode(CAPTURE);
        assertThat(log.skipped()).isZero();
        assertThat(sockets).hasSize(8);

        TcpSocket listener = find(sockets, TcpState.LISTEN, 47101, Family.INET);
        assertThat(listener.local().ip()).isEqualTo("127.0.0.1");
        assertThat(listener.remote().ip()).isEqualTo("0.0.0.0");
        assertThat(listener.txQueue()).as("LISTEN wqueue = backlog").isEqualTo(50);

        TcpSocket server = find(sockets, TcpState.ESTABLISHED, 47101, Family.INET);
        assertThat(server.remote().ip()).isEqualTo("127.0.0.1");
        assertThat(server.congestion()).isEqualTo("bbr");
        TcpInfo info = server.info();
        assertThat(info.size()).isEqualTo(280);
        // the values ss -tinm printed for this socket at capture time
        assertThat(info.rttMicros()).isEqualTo(18);
        assertThat(info.rttVarMicros()).isEqualTo(10);
        assertThat(info.sndMss()).isEqualTo(35328);
        assertThat(info.advMss()).isEqualTo(65483);
        assertThat(info.pmtu()).isEqualTo(65535);
        assertThat(info.sndCwnd()).isEqualTo(11);
        assertThat(info.bytesAcked()).isEqualTo(1000);
        assertThat(info.bytesSent()).isEqualTo(1000);
        assertThat(info.segsOut()).isEqualTo(3);
        assertThat(info.rcvSpace()).isEqualTo(65483);
        assertThat(info.minRttMicros()).isEqualTo(4);
        assertThat(info.sndWnd()).isEqualTo(70656);
        assertThat(server.memory().rcvBuf()).isEqualTo(131072);
        assertThat(server.memory().sndBuf()).isEqualTo(3939840);

        TcpSocket client = find(sockets, TcpState.ESTABLISHED, server.remote().port(), Family.INET);
        assertThat(client.remote().port()).isEqualTo(47101);
        assertThat(client.info().bytesAcked()).isEqualTo(100001);
        assertThat(client.info().rttMicros()).isEqualTo(104);
        assertThat(client.info().rttVarMicros()).isEqualTo(147);
    }

    @Test
    void ipv6AndV4MappedAddressesAreCanonical() throws IOException {
        List<TcpSocket> sockets = decode(CAPTURE);
        TcpSocket v6 = find(sockets, TcpState.ESTABLISHED, 47102, Family.INET6);
        assertThat(v6.local().ip()).isEqualTo("::1");
        assertThat(v6.remote().ip()).isEqualTo("::1");
        assertThat(v6.info().advMss()).isEqualTo(65464);
        assertThat(find(sockets, TcpState.LISTEN, 47102, Family.INET6).remote().ip()).isEqualTo("::");

        TcpSocket mappedListener = find(sockets, TcpState.LISTEN, 47103, Family.INET6);
        assertThat(mappedListener.local().ip()).isEqualTo("127.0.0.1");
        assertThat(mappedListener.remote().ip()).isEqualTo("::");
    }

    @Test
    void timeWaitHasTimerAndNoExtensions() throws IOException {
        TcpSocket tw = decode(CAPTURE).stream().filter(s -> s.state() == TcpState.TIME_WAIT).findFirst().orElseThrow();
        assertThat(tw.family()).isEqualTo(Family.INET6);
        assertThat(tw.local().ip()).isEqualTo("127.0.0.1");
        assertThat(tw.remote()).hasToString("127.0.0.1:47103");
        assertThat(tw.timer()).isEqualTo(TcpSocket.TIMER_TIME_WAIT);
        assertThat(tw.timerExpiresMillis()).isBetween(1L, 60_000L);
        assertThat(tw.info()).isNull();
        assertThat(tw.congestion()).isNull();
        assertThat(tw.memory()).isNull();
    }

    /** tcp_info lengths older kernels send: 2.6/3.x base, 4.6, 4.9, 4.10, 5.4, 6.7. */
    @ParameterizedTest
    @ValueSource(ints = {104, 160, 168, 192, 200, 224, 232, 240, 248})
    void shorterTcpInfoKeepsTheFieldsItCoversAndMarksTheRestAbsent(int length) throws IOException {
        byte[] original = establishedServerMessage();
        TcpInfo full = decode(original).getFirst().info();
        TcpInfo cut = decode(rewriteAttribute(original, InetDiagDecoder.INET_DIAG_INFO, length)).getFirst().info();

        assertThat(log.skipped()).isZero();
        assertThat(cut.size()).isEqualTo(length);
        for (TcpInfoFields field : TcpInfoFields.ALL) {
            long expected = field.end() <= length ? field.value().applyAsLong(full) : -1;
            assertThat(field.value().applyAsLong(cut)).as(field.name() + " at length " + length).isEqualTo(expected);
        }
        assertThat(cut.hasLimitedTimes()).isEqualTo(length >= 192);
        assertThat(cut.hasSndWnd()).isEqualTo(length >= 232);
    }

    @Test
    void olderSkmeminfoWithFewerCountersLeavesTheRestAbsent() throws IOException {
        // three counters: SK_MEMINFO_RCVBUF (the second) sent, SK_MEMINFO_SNDBUF (the fourth) not
        byte[] cut = rewriteAttribute(establishedServerMessage(), InetDiagDecoder.INET_DIAG_SKMEMINFO, 12);
        TcpSocket socket = decode(cut).getFirst();
        assertThat(socket.memory().rcvBuf()).isEqualTo(131072);
        assertThat(socket.memory().sndBuf()).isEqualTo(-1);
        assertThat(socket.info().size()).isEqualTo(280);
    }

    @Test
    void unknownAttributesAreSkippedAndTypeFlagsMasked() throws IOException {
        byte[] original = establishedServerMessage();
        byte[] body = java.util.Arrays.copyOfRange(original, 16, original.length);
        byte[] unknownFirst = NetlinkBytes.message(InetDiagDecoder.SOCK_DIAG_BY_FAMILY, 2, 1,
                java.util.Arrays.copyOf(body, 72),
                NetlinkBytes.attr(99, new byte[7]),
                NetlinkBytes.attr(InetDiagDecoder.INET_DIAG_CONG | 0x4000, NetlinkBytes.string("cubic")),
                java.util.Arrays.copyOfRange(body, 72, body.length));
        TcpSocket socket = decode(unknownFirst).getFirst();
        assertThat(socket.info().size()).isEqualTo(280);
        assertThat(socket.congestion()).isEqualTo("bbr"); // the later CONG attribute wins
        assertThat(log.skipped()).isZero();
    }

    @Test
    void undecodableMessagesAreCountedNotFatal() throws IOException {
        byte[] shortBody = NetlinkBytes.message(InetDiagDecoder.SOCK_DIAG_BY_FAMILY, 2, 1, new byte[40]);
        byte[] wrongFamily = establishedServerMessage().clone();
        wrongFamily[16] = 7;
        byte[] wrongType = NetlinkBytes.message(99, 2, 1, new byte[72]);
        List<TcpSocket> sockets = decode(shortBody, wrongFamily, wrongType, establishedServerMessage());
        assertThat(sockets).hasSize(1);
        assertThat(log.skipped()).isEqualTo(3);
        assertThat(log.firstProblem()).contains("shorter than inet_diag_msg");
    }

    /** The IPv4 TIME_WAIT shortcut is taken only by a whole inet_diag_msg of a socket message type: the others are skipped as before. */
    @Test
    void timeWaitShapedMessagesThatAreNotSocketsAreSkipped() throws IOException {
        byte[] timeWait = new byte[72];
        timeWait[0] = InetDiagDecoder.AF_INET;
        timeWait[1] = (byte) TcpState.TIME_WAIT.code();
        byte[] wrongType = NetlinkBytes.message(99, 2, 1, timeWait);
        byte[] shortBody = NetlinkBytes.message(InetDiagDecoder.TCPDIAG_GETSOCK, 2, 1, java.util.Arrays.copyOf(timeWait, 71));
        byte[] socket = NetlinkBytes.message(InetDiagDecoder.TCPDIAG_GETSOCK, 2, 1, timeWait);
        List<TcpSocket> sockets = decode(wrongType, shortBody, socket);
        assertThat(sockets).singleElement().satisfies(s -> assertThat(s.state()).isEqualTo(TcpState.TIME_WAIT));
        assertThat(log.skipped()).isEqualTo(2);
        assertThat(log.firstProblem()).contains("unexpected message type 99");
    }

    @Test
    void anAttributeOverrunningItsMessageKeepsTheSocket() throws IOException {
        byte[] m = establishedServerMessage().clone();
        ByteBuffer.wrap(m).order(ByteOrder.nativeOrder()).putShort(88, (short) 4000);
        List<TcpSocket> sockets = decode(m);
        assertThat(sockets).hasSize(1);
        assertThat(sockets.getFirst().local().port()).isEqualTo(47101);
        assertThat(log.skipped()).isEqualTo(1);
    }

    /** The captured message of the AF_INET server-side socket on port 47101. */
    @Test
    void eachMessageDecodesInPlaceAsItWouldFromItsOwnSlice() throws IOException {
        // the dump path reads messages at their offset in the datagram; a slice of each must give the same
        List<TcpSocket> inPlace = decode(CAPTURE);
        SocketTable.Builder one = new SocketTable.Builder();
        InetDiagDecoder bySlice = new InetDiagDecoder(log, one);
        for (byte[] m : messages(CAPTURE)) {
            byte[] padded = new byte[m.length + 16];
            System.arraycopy(m, 0, padded, 8, m.length);
            java.util.Arrays.fill(padded, m.length + 8, padded.length, (byte) 0xff); // what follows must not be read
            bySlice.accept(java.lang.foreign.MemorySegment.ofArray(padded).asSlice(8, m.length));
        }
        assertThat(one.build().all()).containsExactlyInAnyOrderElementsOf(inPlace);
        assertThat(log.skipped()).isZero();
    }

    /**
     * A reply of 200 KiB handed over message by message as segments (no heap copy from the walk): each
     * decodes as the walk's path decodes it. The decoder once passed its old, smaller array along while
     * growing it for a datagram past 64 KiB.
     */
    @Test
    void aLargeReplyHandedOverAsSegmentsDecodesAsTheWalkDecodesIt() throws IOException {
        List<byte[]> copies = new ArrayList<>();
        int bytes = 0;
        while (bytes < 200 * 1024) {
            copies.add(CAPTURE);
            bytes += CAPTURE.length;
        }
        MemorySegment reply = NetlinkBytes.segment(copies.toArray(byte[][]::new));
        List<TcpSocket> walked = InetDiagDecoder.decode(reply, log);

        SocketTable.Builder out = new SocketTable.Builder();
        InetDiagDecoder decoder = new InetDiagDecoder(log, out);
        for (long off = 0; off + NetlinkMessages.HEADER <= reply.byteSize(); ) {
            int len = NetlinkMessages.length(reply, off);
            if (NetlinkMessages.type(reply, off) > NetlinkMessages.NLMSG_OVERRUN) {
                decoder.accept(reply, off, len);
            }
            off += NetlinkBytes.align(len);
        }
        assertThat(out.build().all()).hasSize(8 * copies.size()).isEqualTo(walked);
        assertThat(log.skipped()).isZero();
    }

    /**
     * IPv4 TIME_WAIT sockets go to their column-store group by their raw bytes: thousands of them over
     * hundreds of (local, remote, port) groups, IPv6 ones between them, each comes back as sent.
     */
    @Test
    void ipv4TimeWaitSocketsComeBackAsSentWhateverTheirGroup() throws IOException {
        java.util.Random random = new java.util.Random(18);
        List<byte[]> messages = new ArrayList<>();
        List<String> sent = new ArrayList<>();
        for (int n = 0; n < 5000; n++) {
            boolean v6 = n % 7 == 0;
            int local = random.nextInt(20);
            int remote = random.nextInt(300);
            int sport = 1024 + random.nextInt(60000);
            int dport = random.nextInt(3) * 1000 + 80;
            int expires = random.nextInt(60_000);
            ByteBuffer b = ByteBuffer.allocate(InetDiagDecoder.INET_DIAG_MSG_SIZE).order(ByteOrder.nativeOrder());
            b.put(0, (byte) (v6 ? InetDiagDecoder.AF_INET6 : InetDiagDecoder.AF_INET)).put(1, (byte) TcpState.TIME_WAIT.code())
                    .put(2, (byte) TcpSocket.TIMER_TIME_WAIT);
            b.order(ByteOrder.BIG_ENDIAN).putShort(4, (short) sport).putShort(6, (short) dport);
            byte[] src = {10, 1, 0, (byte) local};
            byte[] dst = {(byte) 192, (byte) 168, (byte) (remote >> 8), (byte) remote};
            b.put(v6 ? 8 + 12 : 8, src).put(v6 ? 24 + 12 : 24, dst);
            if (v6) {
                b.putShort(8 + 10, (short) -1).putShort(24 + 10, (short) -1); // v4-mapped
            }
            b.order(ByteOrder.nativeOrder()).putInt(52, expires);
            messages.add(NetlinkBytes.message(InetDiagDecoder.TCPDIAG_GETSOCK, NetlinkMessages.NLM_F_MULTI, 1, b.array()));
            sent.add((v6 ? Family.INET6 : Family.INET) + " 10.1.0." + local + ":" + sport + " 192.168." + (remote >> 8) + "." + (remote & 0xff)
                    + ":" + dport + " " + expires);
        }
        SocketTable table = InetDiagDecoder.decodeTable(NetlinkBytes.segment(messages.toArray(byte[][]::new)), log);
        assertThat(log.skipped()).isZero();
        assertThat(table.open()).isEmpty();
        assertThat(table.all()).allSatisfy(s -> assertThat(s.state()).isEqualTo(TcpState.TIME_WAIT))
                .map(s -> s.family() + " " + s.local() + " " + s.remote() + " " + s.timerExpiresMillis())
                .containsExactlyElementsOf(sent);
    }

    /** The raw-bytes group map against a HashMap: few address pairs, many ports, so probes meet keys that differ only in one. */
    @Test
    void v4GroupsFindsExactlyWhatWasPut() {
        InetDiagDecoder.V4Groups map = new InetDiagDecoder.V4Groups();
        java.util.Map<List<Long>, Integer> reference = new java.util.HashMap<>();
        java.util.Random random = new java.util.Random(18);
        for (int n = 0; n < 20_000; n++) {
            long addr = random.nextInt(3) * 0x0100_0000_0000L + random.nextInt(2);
            int port = random.nextInt(65536);
            List<Long> key = List.of(addr, (long) port);
            assertThat(map.get(addr, port)).as("%s", key).isEqualTo(reference.getOrDefault(key, -1));
            if (!reference.containsKey(key) && random.nextBoolean()) {
                map.put(addr, port, reference.size());
                reference.put(key, reference.size());
            }
        }
        reference.forEach((k, g) -> assertThat(map.get(k.get(0), (int) (long) k.get(1))).isEqualTo(g));
    }

    static byte[] establishedServerMessage() throws IOException {
        for (byte[] m : messages(CAPTURE)) {
            ByteBuffer b = ByteBuffer.wrap(m);
            if (m[16] == InetDiagDecoder.AF_INET && m[17] == 1 && Short.toUnsignedInt(b.getShort(20)) == 47101) {
                return m;
            }
        }
        throw new AssertionError("capture lacks the 47101 server socket");
    }

    static List<byte[]> messages(byte[] capture) throws IOException {
        List<byte[]> out = new ArrayList<>();
        NetlinkMessages.walk(MemorySegment.ofArray(capture), NetlinkMessages.ANY_SEQ, "split",
                m -> out.add(m.toArray(ValueLayout.JAVA_BYTE)));
        return out;
    }

    /** Rebuilds a message with one attribute's payload cut to {@code length}, fixing nla_len and nlmsg_len. */
    static byte[] rewriteAttribute(byte[] message, int type, int length) {
        ByteBuffer in = ByteBuffer.wrap(message).order(ByteOrder.nativeOrder());
        List<byte[]> attrs = new ArrayList<>();
        for (int off = 88; off + 4 <= message.length; ) {
            int len = Short.toUnsignedInt(in.getShort(off));
            int t = Short.toUnsignedInt(in.getShort(off + 2)) & 0x3fff;
            int keep = t == type ? Math.min(length, len - 4) : len - 4;
            attrs.add(NetlinkBytes.attr(in.getShort(off + 2), java.util.Arrays.copyOfRange(message, off + 4, off + 4 + keep)));
            off += NetlinkBytes.align(len);
        }
        byte[] header = java.util.Arrays.copyOfRange(message, 16, 88);
        int flags = Short.toUnsignedInt(in.getShort(6));
        return NetlinkBytes.message(Short.toUnsignedInt(in.getShort(4)), flags, in.getInt(8),
                NetlinkBytes.concat(header, NetlinkBytes.concat(attrs.toArray(byte[][]::new))));
    }
}
