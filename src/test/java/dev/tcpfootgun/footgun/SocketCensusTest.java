package dev.tcpfootgun.footgun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.snapshot.Endpoint;
import dev.tcpfootgun.snapshot.EphemeralPorts;
import dev.tcpfootgun.snapshot.Family;
import dev.tcpfootgun.snapshot.NodeSnapshot;
import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.snapshot.TcpState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The census counts TIME_WAIT sockets from the column store, group by group. These tests hold it to
 * the plain definition: one pass over every socket as a record.
 */
class SocketCensusTest {

    record Node(List<TcpSocket> sockets, String range, int twReuse, int timestamps, long reuseDelay, int detailLimit) {
        Node(List<TcpSocket> sockets, String range, int twReuse, int timestamps, long reuseDelay) {
            this(sockets, range, twReuse, timestamps, reuseDelay, Integer.MAX_VALUE);
        }
    }

    static TcpSocket timeWait(String src, int sport, String dst, int dport, long expires) {
        return new TcpSocket(Family.INET, TcpState.TIME_WAIT, new Endpoint(src, sport), new Endpoint(dst, dport), 0, 0,
                TcpSocket.TIMER_TIME_WAIT, expires, 0, 0, 0, null, null, null, null);
    }

    static NodeSnapshot snapshot(Node n) {
        Snapshots s = Snapshots.node().sysctl("net.ipv4.ip_local_port_range", n.range())
                .sysctl("net.ipv4.tcp_tw_reuse", Integer.toString(n.twReuse()))
                .sysctl("net.ipv4.tcp_timestamps", Integer.toString(n.timestamps()))
                .sysctl("net.ipv4.tcp_tw_reuse_delay", Long.toString(n.reuseDelay())).detailLimit(n.detailLimit());
        n.sockets().forEach(s::socket);
        return s.build();
    }

    @Test
    void timeWaitSocketsCountPerDestinationAndPerPortGroup() {
        List<TcpSocket> sockets = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            sockets.add(timeWait("10.0.0.1", 40000 + i, "10.0.0.7", 5432, i < 20 ? 1_000 : 59_500));
        }
        sockets.add(timeWait("10.0.0.2", 40000, "10.0.0.7", 5432, 1_000));
        sockets.add(timeWait("10.0.0.1", 80, "10.0.0.9", 50000, 1_000)); // server side: port 80 is not ephemeral
        sockets.add(TcpSocket.basic(Family.INET, TcpState.ESTABLISHED, new Endpoint("10.0.0.1", 40100), new Endpoint("10.0.0.7", 5432)));
        SocketCensus c = SocketCensus.of(snapshot(new Node(sockets, "32768\t60999", 1, 1, 1000)));

        assertThat(c.count(TcpState.TIME_WAIT)).isEqualTo(52);
        assertThat(c.count(Family.INET, TcpState.ESTABLISHED)).isEqualTo(1);
        assertThat(c.timeWait()).containsExactly(
                new SocketCensus.DestinationCount("10.0.0.7", 5432, 51),
                new SocketCensus.DestinationCount("10.0.0.9", 50000, 1));
        // 50 TIME_WAIT + 1 established from 10.0.0.1; the 20 with 1 s left are 59 s old, past the 1 s reuse delay; the others are 0.5 s old
        assertThat(c.portGroups()).first().isEqualTo(new SocketCensus.PortGroup("10.0.0.1", "10.0.0.7", 5432, 51, 50, 20));
        assertThat(c.worstPortGroup().blocking()).isEqualTo(31);
    }

    @Test
    void aJudgedObservationKeepsItsCensusAndCountButNotItsSockets() {
        List<TcpSocket> sockets = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            sockets.add(timeWait("10.0.0.1", 40000 + i, "10.0.0.7", 5432, 30_000));
        }
        sockets.add(TcpSocket.basic(Family.INET, TcpState.ESTABLISHED, new Endpoint("10.0.0.1", 40100), new Endpoint("10.0.0.7", 5432)));
        Observation judged = new Observation(snapshot(new Node(sockets, "32768\t60999", 0, 1, 1000)), null, 20);
        SocketCensus census = judged.census();

        Observation kept = judged.withoutSockets();
        assertThat(kept.now().sockets().value()).isNull();
        assertThat(kept.now().sockets().success()).isTrue();
        assertThat(kept.census()).isSameAs(census);
        assertThat(kept.socketCount()).isEqualTo(31);
        assertThat(kept.census().count(TcpState.TIME_WAIT)).isEqualTo(30);
    }

    @Provide
    Arbitrary<Node> nodes() {
        Arbitrary<String> ip = Arbitraries.of("10.0.0.1", "10.0.0.2", "127.0.0.1", "0.0.0.0", "192.168.1.9");
        Arbitrary<Integer> port = Arbitraries.oneOf(Arbitraries.of(0, 80, 5432, 32768, 40000, 60999),
                Arbitraries.integers().between(30000, 62000));
        Arbitrary<TcpState> state = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.just(TcpState.TIME_WAIT)),
                net.jqwik.api.Tuple.of(4, Arbitraries.of(TcpState.class)));
        Arbitrary<TcpSocket> socket = Combinators.combine(state, ip, port, ip, port, Arbitraries.longs().between(0, 60_000))
                .as((st, a, ap, b, bp, exp) -> st == TcpState.TIME_WAIT
                        ? timeWait(a, ap, b, bp, exp)
                        : TcpSocket.basic(Family.INET, st, new Endpoint(a, ap), new Endpoint(b, bp)));
        return Combinators.combine(socket.list().ofMaxSize(400), Arbitraries.of("32768\t60999", "40000\t40099", "1024\t65535"),
                Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 1),
                Arbitraries.longs().between(0, 60_000),
                Arbitraries.oneOf(Arbitraries.just(Integer.MAX_VALUE), Arbitraries.integers().between(0, 50))).as(Node::new);
    }

    /** Whatever the detail limit, every socket counts: the limit only decides which keep tcp_info. */
    @Property
    void theCensusIsThePlainCountOverEverySocket(@ForAll("nodes") Node n) {
        NodeSnapshot snap = snapshot(n);
        SocketCensus c = SocketCensus.of(snap);
        Reference r = Reference.of(n.sockets(), c.ports(), c.reuse());
        for (Family f : Family.values()) {
            for (TcpState st : TcpState.values()) {
                assertThat(c.count(f, st)).as(f + " " + st).isEqualTo(r.byFamilyState.getOrDefault(f, Map.of()).getOrDefault(st, 0));
            }
        }
        assertThat(c.timeWait()).isEqualTo(r.timeWait);
        assertThat(c.portGroups()).isEqualTo(r.portGroups);
    }

    /** The census as defined: every socket a record, counted one by one. */
    record Reference(Map<Family, Map<TcpState, Integer>> byFamilyState, List<SocketCensus.PortGroup> portGroups,
            List<SocketCensus.DestinationCount> timeWait) {

        static Reference of(List<TcpSocket> sockets, EphemeralPorts ports, SocketCensus.TimeWaitReuse reuse) {
            Map<Family, Map<TcpState, Integer>> byState = new EnumMap<>(Family.class);
            Map<List<Object>, int[]> groups = new HashMap<>();
            Map<List<Object>, int[]> tw = new HashMap<>();
            for (TcpSocket s : sockets) {
                byState.computeIfAbsent(s.family(), f -> new EnumMap<>(TcpState.class)).merge(s.state(), 1, Integer::sum);
                boolean isTw = s.state() == TcpState.TIME_WAIT;
                if (isTw) {
                    tw.computeIfAbsent(List.of(s.remote().ip(), s.remote().port()), k -> new int[1])[0]++;
                }
                if (ports != null && s.state() != TcpState.LISTEN && !s.remote().isUnspecified()
                        && ports.isEphemeral(s.local().port())) {
                    int[] g = groups.computeIfAbsent(List.of(s.local().ip(), s.remote().ip(), s.remote().port()), k -> new int[3]);
                    g[0]++;
                    if (isTw) {
                        g[1]++;
                        if (reuse.appliesTo(s.remote().isLoopback(), s.timerExpiresMillis())) {
                            g[2]++;
                        }
                    }
                }
            }
            List<SocketCensus.PortGroup> pg = new ArrayList<>();
            groups.forEach((k, g) -> pg.add(new SocketCensus.PortGroup((String) k.get(0), (String) k.get(1), (Integer) k.get(2), g[0], g[1], g[2])));
            pg.sort(Comparator.comparingInt(SocketCensus.PortGroup::inUse).reversed().thenComparing(SocketCensus.PortGroup::dstIp)
                    .thenComparingInt(SocketCensus.PortGroup::dstPort).thenComparing(SocketCensus.PortGroup::srcIp));
            List<SocketCensus.DestinationCount> dc = new ArrayList<>();
            tw.forEach((k, c) -> dc.add(new SocketCensus.DestinationCount((String) k.get(0), (Integer) k.get(1), c[0])));
            dc.sort(Comparator.comparingInt(SocketCensus.DestinationCount::count).reversed()
                    .thenComparing(SocketCensus.DestinationCount::dstIp).thenComparingInt(SocketCensus.DestinationCount::dstPort));
            return new Reference(byState, pg, dc);
        }
    }
}
