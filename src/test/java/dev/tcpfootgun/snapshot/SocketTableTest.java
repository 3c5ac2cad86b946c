package dev.tcpfootgun.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class SocketTableTest {

    /** A TIME_WAIT socket as the kernel reports one: no queues, no owner, the TIME_WAIT timer. */
    static TcpSocket timeWait(Family f, String src, int sport, String dst, int dport, long expires) {
        return new TcpSocket(f, TcpState.TIME_WAIT, new Endpoint(src, sport), new Endpoint(dst, dport), 0, 0,
                TcpSocket.TIMER_TIME_WAIT, expires, 0, null, null, null);
    }

    @Test
    void timeWaitSocketsGoToTheColumnStoreAndComeBackTheSame() {
        TcpSocket listener = TcpSocket.basic(Family.INET, TcpState.LISTEN, new Endpoint("0.0.0.0", 80), new Endpoint("0.0.0.0", 0));
        TcpSocket tw1 = timeWait(Family.INET, "10.0.0.1", 40000, "10.0.0.7", 5432, 59_000);
        TcpSocket tw2 = timeWait(Family.INET, "10.0.0.1", 40001, "10.0.0.7", 5432, 1_000);
        TcpSocket tw3 = timeWait(Family.INET6, "2001:db8::1", 40000, "2001:db8::7", 443, 30_000);
        SocketTable t = SocketTable.of(List.of(tw1, listener, tw2, tw3));

        assertThat(t.open()).containsExactly(listener);
        assertThat(t.size()).isEqualTo(4);
        CompactSockets tw = t.compact();
        assertThat(tw.size()).isEqualTo(3);
        assertThat(tw.groupCount()).isEqualTo(2); // tw1 and tw2 share a connection group
        assertThat(tw.group(0)).isEqualTo(tw.group(1)).isNotEqualTo(tw.group(2));
        assertThat(tw.groupLocalIp(tw.group(0))).isEqualTo("10.0.0.1");
        assertThat(tw.groupRemoteIp(tw.group(0))).isEqualTo("10.0.0.7");
        assertThat(tw.groupRemotePort(tw.group(0))).isEqualTo(5432);
        assertThat(tw.groupFamily(tw.group(2))).isEqualTo(Family.INET6);
        assertThat(tw.localPort(1)).isEqualTo(40001);
        assertThat(tw.timerExpiresMillis(1)).isEqualTo(1_000);
        assertThat(t.all()).containsExactly(listener, tw1, tw2, tw3);
    }

    /** A timer is kept up to 65,535 ms: TIME_WAIT's is below 60,000, and one above it answers "not yet" the same. */
    @Test
    void timersPastWhatTheStoreKeepsAreClampedAndNegativeOnesAreZero() {
        CompactSockets cs = new CompactSockets();
        for (long expires : new long[] {60_000, 65_535, 65_536, 7_200_000, -5}) {
            cs.add(Family.INET, TcpState.TIME_WAIT, "10.0.0.1", 40000, "10.0.0.7", 5432, expires);
        }
        assertThat(List.of(cs.timerExpiresMillis(0), cs.timerExpiresMillis(1), cs.timerExpiresMillis(2),
                cs.timerExpiresMillis(3), cs.timerExpiresMillis(4))).containsExactly(60_000L, 65_535L, 65_535L, 65_535L, 0L);
        assertThat(cs.columns().timerExpiresMillis()[2]).isEqualTo((char) CompactSockets.EXPIRES_MAX);
    }

    @Test
    void theSameAddressTextUnderTwoFamiliesIsTwoGroups() {
        // a v4-mapped IPv6 socket prints its address as a dotted quad, like an IPv4 socket
        SocketTable t = SocketTable.of(List.of(
                timeWait(Family.INET, "10.0.0.1", 40000, "10.0.0.7", 80, 0),
                timeWait(Family.INET6, "10.0.0.1", 40000, "10.0.0.7", 80, 0)));
        assertThat(t.compact().groupCount()).isEqualTo(2);
        assertThat(t.all()).extracting(TcpSocket::family).containsExactly(Family.INET, Family.INET6);
    }

    @Test
    void manyAddressesAndGroupsKeepTheirIdentity() {
        // more distinct addresses than 16 bits hold, on both ends: ids must not bleed between fields
        List<TcpSocket> in = new ArrayList<>();
        for (int i = 0; i < 70_000; i++) {
            String a = "10." + (i >> 16) + "." + (i >> 8 & 255) + "." + (i & 255);
            String b = "172.16." + (i >> 8 & 255) + "." + (i & 255);
            in.add(timeWait(i % 3 == 0 ? Family.INET6 : Family.INET, a, 1024 + i % 60000, b, i % 65536, i % 60_000)); // a TIME_WAIT timer is below 60 s
        }
        SocketTable t = SocketTable.of(in);
        assertThat(t.compact().groupCount()).isEqualTo(70_000);
        assertThat(t.all()).isEqualTo(in);
    }

    @Test
    void rollbackForgetsWhatADiscardedDumpAdded() {
        SocketTable.Builder b = new SocketTable.Builder();
        TcpSocket kept = timeWait(Family.INET, "10.0.0.1", 40000, "10.0.0.7", 80, 5);
        TcpSocket keptOpen = TcpSocket.basic(Family.INET, TcpState.ESTABLISHED, new Endpoint("10.0.0.1", 1), new Endpoint("10.0.0.2", 2));
        b.add(kept);
        b.add(keptOpen);
        Runnable rollback = b.rollback();
        b.add(timeWait(Family.INET, "10.0.0.9", 40001, "10.0.0.8", 81, 5));
        b.add(TcpSocket.basic(Family.INET, TcpState.SYN_SENT, new Endpoint("10.0.0.1", 3), new Endpoint("10.0.0.2", 4)));
        rollback.run();
        assertThat(b.size()).isEqualTo(2);
        assertThat(b.build().all()).containsExactly(keptOpen, kept);
    }

    @Test
    void refusesWhatItCannotHold() {
        CompactSockets tw = new CompactSockets();
        assertThatThrownBy(() -> tw.add(Family.INET, TcpState.TIME_WAIT, "10.0.0.1", 70000, "10.0.0.2", 80, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SocketTable.Builder(0, 0, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tw.localPort(0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> tw.truncate(1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void connectionsPastTheDetailLimitAreOnlyCounted() {
        TcpSocket listener = TcpSocket.basic(Family.INET, TcpState.LISTEN, new Endpoint("0.0.0.0", 80), new Endpoint("0.0.0.0", 0));
        List<TcpSocket> conns = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            conns.add(TcpSocket.basic(Family.INET, TcpState.ESTABLISHED, new Endpoint("10.0.0.1", 40000 + i), new Endpoint("10.0.0.7", 5432)));
        }
        SocketTable.Builder b = new SocketTable.Builder(0, 0, 2);
        b.add(conns.get(0));
        b.add(timeWait(Family.INET, "10.0.0.1", 39999, "10.0.0.7", 5432, 1000));
        b.add(conns.get(1));
        b.add(conns.get(2)); // past the limit
        b.add(listener); // listeners always keep their details
        b.add(conns.get(3));
        b.add(conns.get(4));
        SocketTable t = b.build();

        assertThat(t.open()).containsExactly(conns.get(0), conns.get(1), listener);
        assertThat(t.undetailed()).isEqualTo(3);
        assertThat(t.size()).isEqualTo(7);
        assertThat(t.compact().state(0)).isEqualTo(TcpState.TIME_WAIT);
        assertThat(t.compact().state(1)).isEqualTo(TcpState.ESTABLISHED);
        assertThat(t.all()).extracting(TcpSocket::local).contains(new Endpoint("10.0.0.1", 40004));
        assertThat(new SocketTable.Builder(0, 0, 0).wantsDetail(TcpState.ESTABLISHED)).isFalse();
        assertThat(new SocketTable.Builder(0, 0, 0).wantsDetail(TcpState.LISTEN)).isTrue();
    }

    @Test
    void rollbackRestoresTheDetailBudget() {
        SocketTable.Builder b = new SocketTable.Builder(0, 0, 1);
        Runnable rollback = b.rollback();
        b.add(TcpSocket.basic(Family.INET, TcpState.ESTABLISHED, new Endpoint("10.0.0.1", 1), new Endpoint("10.0.0.2", 2)));
        b.add(TcpSocket.basic(Family.INET, TcpState.ESTABLISHED, new Endpoint("10.0.0.1", 3), new Endpoint("10.0.0.2", 4)));
        rollback.run();
        assertThat(b.size()).isZero();
        assertThat(b.compact().notTimeWait()).isZero();
        assertThat(b.wantsDetail(TcpState.ESTABLISHED)).isTrue();
    }

    @Provide
    Arbitrary<List<TcpSocket>> sockets() {
        Arbitrary<String> ip = Arbitraries.oneOf(
                Arbitraries.of("10.0.0.1", "10.0.0.2", "127.0.0.1", "::1", "2001:db8::1", "0.0.0.0", "::"),
                Arbitraries.integers().between(0, 255).map(i -> "192.168.1." + i));
        Arbitrary<Integer> port = Arbitraries.oneOf(Arbitraries.of(0, 80, 443, 5432, 32768, 60999, 65535),
                Arbitraries.integers().between(0, 65535));
        Arbitrary<TcpSocket> socket = Combinators.combine(Arbitraries.of(Family.class), Arbitraries.of(TcpState.class),
                ip, port, ip, port, Arbitraries.longs().between(0, 60_000))
                .as((f, st, a, ap, b, bp, exp) -> st == TcpState.TIME_WAIT
                        ? timeWait(f, a, ap, b, bp, exp)
                        : TcpSocket.basic(f, st, new Endpoint(a, ap), new Endpoint(b, bp)));
        return socket.list().ofMaxSize(300);
    }

    /** Whatever goes in comes out: the open sockets in order, then the TIME_WAIT ones in order. */
    @Property
    void aTableHoldsExactlyItsSockets(@ForAll("sockets") List<TcpSocket> in) {
        SocketTable t = SocketTable.of(in);
        List<TcpSocket> expected = new ArrayList<>();
        in.stream().filter(s -> s.state() != TcpState.TIME_WAIT).forEach(expected::add);
        in.stream().filter(s -> s.state() == TcpState.TIME_WAIT).forEach(expected::add);
        assertThat(t.all()).isEqualTo(expected);
        assertThat(t.size()).isEqualTo(in.size());
    }
}
