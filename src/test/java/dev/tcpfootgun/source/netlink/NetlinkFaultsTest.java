package dev.tcpfootgun.source.netlink;

import static dev.tcpfootgun.source.netlink.NetlinkBytes.concat;
import static dev.tcpfootgun.source.netlink.NetlinkBytes.message;
import static dev.tcpfootgun.source.netlink.NetlinkBytes.u32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcpfootgun.snapshot.SocketTable;
import dev.tcpfootgun.snapshot.Reading;
import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.source.NodeReader;
import dev.tcpfootgun.source.ParseLog;
import dev.tcpfootgun.source.Source;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The kernel's netlink failures replayed byte for byte through the real receive loop
 * ({@link NetlinkSocket#readReply}) and the sources' retry policy ({@link NetlinkDumps#dumpWithRetry}):
 * ENOBUFS as a recv errno and as NLMSG_ERROR, EINTR, a timeout, a truncated datagram, NLM_F_DUMP_INTR.
 */
class NetlinkFaultsTest {
    private static final byte[] SOCKETS = NetlinkBytes.resource("inet_diag_loopback.bin");
    private static final byte[] DONE = message(NetlinkMessages.NLMSG_DONE, NetlinkMessages.NLM_F_MULTI, 1, u32(0));

    /** A recv(2) that hands out scripted datagrams, or a negative errno, one per call. */
    private static NetlinkSocket.Receiver script(Object... steps) {
        Deque<Object> left = new ArrayDeque<>(List.of(steps));
        return buffer -> {
            Object next = left.removeFirst();
            if (next instanceof Integer errno) {
                return -errno;
            }
            byte[] datagram = (byte[]) next;
            MemorySegment.copy(MemorySegment.ofArray(datagram), 0, buffer, 0, Math.min(datagram.length, buffer.byteSize()));
            return datagram.length;
        };
    }

    private static NetlinkSocket.DumpResult replay(NetlinkSocket.Receiver recv, MessageSink sink) throws IOException {
        return NetlinkSocket.readReply(recv, MemorySegment.ofArray(new byte[NetlinkSocket.RECEIVE_BUFFER]),
                NetlinkMessages.ANY_SEQ, "replay", Duration.ofSeconds(5), sink);
    }

    @Test
    void enobufsFromRecvMidDumpIsANetlinkException() {
        List<MemorySegment> seen = new ArrayList<>();
        assertThatThrownBy(() -> replay(script(SOCKETS, Errno.ENOBUFS), seen::add))
                .isInstanceOfSatisfying(NetlinkException.class, e -> {
                    assertThat(e.errnoName()).isEqualTo("ENOBUFS");
                    assertThat(e.getMessage()).contains("recv");
                });
        assertThat(seen).isNotEmpty(); // the first datagram was delivered; the source drops it with the exception
    }

    @Test
    void enobufsAsNlmsgErrorIsANetlinkException() {
        byte[] error = message(NetlinkMessages.NLMSG_ERROR, 0, 1, u32(-Errno.ENOBUFS), new byte[16]);
        assertThatThrownBy(() -> replay(script(concat(SOCKETS, error)), m -> { }))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOBUFS));
        byte[] doneWithError = message(NetlinkMessages.NLMSG_DONE, NetlinkMessages.NLM_F_MULTI, 1, u32(-Errno.ENOBUFS));
        assertThatThrownBy(() -> replay(script(doneWithError), m -> { }))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errnoName()).isEqualTo("ENOBUFS"));
    }

    @Test
    void eintrIsRetriedAndEagainIsATimeout() throws IOException {
        int[] n = {0};
        assertThat(replay(script(Errno.EINTR, SOCKETS, Errno.EINTR, DONE), m -> n[0]++).messages()).isEqualTo(n[0]).isPositive();
        assertThatThrownBy(() -> replay(script(Errno.EAGAIN), m -> { }))
                .isInstanceOf(NetlinkException.class).hasMessageContaining("no reply within 5000 ms");
    }

    @Test
    void aTruncatedOrEmptyDatagramIsAnIoException() {
        byte[] huge = new byte[NetlinkSocket.RECEIVE_BUFFER + 1];
        assertThatThrownBy(() -> replay(script(huge), m -> { })).isInstanceOf(IOException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> replay(script(new byte[0]), m -> { })).isInstanceOf(IOException.class).hasMessageContaining("empty");
    }

    /** The captured dump with NLM_F_DUMP_INTR set on its first message. */
    private static byte[] interrupted() {
        byte[] b = SOCKETS.clone();
        ByteBuffer h = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
        h.putShort(6, (short) (h.getShort(6) | NetlinkMessages.NLM_F_DUMP_INTR));
        return b;
    }

    private static List<TcpSocket> dumpSockets(Deque<byte[]> attempts, ParseLog log) throws IOException {
        SocketTable.Builder sockets = new SocketTable.Builder();
        InetDiagDecoder decoder = new InetDiagDecoder(log, sockets);
        NetlinkDumps.Dumper replaying = (type, body, sink) -> replay(script(attempts.removeFirst(), DONE), sink);
        NetlinkDumps.dumpWithRetry(replaying, InetDiagDecoder.SOCK_DIAG_BY_FAMILY, new byte[56],
                sockets.rollback(), decoder, log, "inet_diag");
        return sockets.build().all();
    }

    @Test
    void anInterruptedDumpIsDiscardedAndRetriedOnce() throws IOException {
        ParseLog cleanLog = new ParseLog();
        List<TcpSocket> clean = InetDiagDecoder.decode(MemorySegment.ofArray(SOCKETS), cleanLog);

        ParseLog log = new ParseLog();
        Deque<byte[]> attempts = new ArrayDeque<>(List.of(interrupted(), SOCKETS));
        assertThat(dumpSockets(attempts, log)).isEqualTo(clean); // nothing of the first attempt doubled
        assertThat(attempts).isEmpty();
        assertThat(log.skipped()).isZero();
    }

    @Test
    void aDumpInterruptedTwiceIsKeptOnceAndRecorded() throws IOException {
        List<TcpSocket> clean = InetDiagDecoder.decode(MemorySegment.ofArray(SOCKETS), new ParseLog());
        ParseLog log = new ParseLog();
        Deque<byte[]> attempts = new ArrayDeque<>(List.of(interrupted(), interrupted()));
        assertThat(dumpSockets(attempts, log)).isEqualTo(clean);
        assertThat(log.skipped()).isEqualTo(1);
        assertThat(log.firstProblem()).contains("NLM_F_DUMP_INTR");
    }

    /** A source that fails with ENOBUFS costs its reading only, with the errno as reason; the next read is fine. */
    @Test
    void aSourceFailingWithEnobufsRecoversOnTheNextRead() {
        int[] calls = {0};
        Source<List<String>> flaky = new Source<>() {
            @Override
            public List<String> read(ParseLog log) throws IOException {
                if (calls[0]++ == 0) {
                    throw new NetlinkException("netlink request type 20: recv", Errno.ENOBUFS, null);
                }
                return List.of("ok");
            }
        };
        Reading<List<String>> first = NodeReader.read("sockets", flaky);
        Reading<List<String>> second = NodeReader.read("sockets", flaky);
        assertThat(first.state()).isEqualTo(Reading.State.FAILED);
        assertThat(first.reason()).isEqualTo("netlink request type 20: recv: ENOBUFS");
        assertThat(second.success()).isTrue();
        assertThat(second.value()).contains(List.of("ok"));
    }
}
