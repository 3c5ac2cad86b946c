package dev.tcpfootgun.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A table given back ({@link SocketTable#recycle()}) lends its columns to the source's next read: that read
 * holds exactly its own sockets, the records made from the old table before keep their values, and the old
 * table, should anything still read it, has no sockets left instead of the new read's.
 */
class RecyclingTest {

    private static TcpInfo info(long rtt) {
        return new TcpInfo(TcpInfo.SIZE_5_4, 0, 0, 1448, 0, 1500, rtt, 100, 10, 1448, 14480, 0, 99L, 20, 0, 40, 18, 5000L,
                1000L, 0L, 0L, 2000L, 0L, 65535);
    }

    private static TcpSocket connection(int port, long rtt) {
        return new TcpSocket(Family.INET, TcpState.ESTABLISHED, new Endpoint("10.0.0.1", port), new Endpoint("10.0.0.2", 5432),
                7, 3, TcpSocket.TIMER_KEEPALIVE, 1000, 0, info(rtt), "cubic", new SocketMemory(131072, 87040));
    }

    private static TcpSocket timeWait(int port) {
        return new TcpSocket(Family.INET, TcpState.TIME_WAIT, new Endpoint("10.0.0.1", port), new Endpoint("10.0.0.2", 5432),
                0, 0, TcpSocket.TIMER_TIME_WAIT, 30_000, 0, null, null, null);
    }

    private static SocketTable read(Recycling recycling, List<TcpSocket> sockets) {
        SocketTable.Builder b = new SocketTable.Builder(8, 8, SocketTable.UNLIMITED, recycling);
        sockets.forEach(b::add);
        return b.build();
    }

    @Test
    void theNextReadFillsTheColumnsGivenBackAndHoldsOnlyItsOwnSockets() {
        Recycling recycling = new Recycling();
        List<TcpSocket> first = List.of(connection(40000, 200), connection(40001, 300), timeWait(40002), timeWait(40003));
        SocketTable old = read(recycling, first);
        TcpSocket kept = old.detailed().socket(0);
        assertThat(old.all()).isEqualTo(first);

        old.recycle();
        List<TcpSocket> second = List.of(connection(50000, 900), timeWait(50001));
        SocketTable next = read(recycling, second);

        assertThat(next.all()).isEqualTo(second);
        assertThat(next.detailed().rttMicros(0)).isEqualTo(900);
        // a record made before keeps its own copy of tcp_info, not a view of the columns now refilled
        assertThat(kept).isEqualTo(first.getFirst());
        assertThat(kept.info().rttMicros()).isEqualTo(200);
        // the old table lent its columns: it reads as empty, never as the next read's sockets
        assertThat(old.detailed().size()).isZero();
        assertThat(old.compact().size()).isZero();
        assertThatThrownBy(() -> old.detailed().state(0)).isInstanceOf(RuntimeException.class);
    }

    @Test
    void aTableNotGivenBackStaysAsItWas() {
        Recycling recycling = new Recycling();
        List<TcpSocket> first = List.of(connection(40000, 200), timeWait(40002));
        SocketTable old = read(recycling, first);
        SocketTable next = read(recycling, List.of(connection(50000, 900)));
        assertThat(old.all()).isEqualTo(first);
        assertThat(next.all()).containsExactly(connection(50000, 900));
    }

    @Test
    void columnsTooSmallForTheNextReadAreLeftAndItAllocates() {
        Recycling recycling = new Recycling();
        SocketTable old = read(recycling, List.of(connection(40000, 200), timeWait(40002)));
        old.recycle();
        SocketTable.Builder big = new SocketTable.Builder(100_000, 100_000, SocketTable.UNLIMITED, recycling);
        big.add(connection(50000, 900));
        big.add(timeWait(50001));
        SocketTable next = big.build();
        assertThat(next.all()).containsExactly(connection(50000, 900), timeWait(50001));
    }

    @Test
    void aTableWithoutASourceToGiveBackToIgnoresRecycle() {
        List<TcpSocket> sockets = List.of(connection(40000, 200), timeWait(40002));
        SocketTable t = SocketTable.of(sockets);
        t.recycle();
        assertThat(t.all()).isEqualTo(sockets);
    }
}
