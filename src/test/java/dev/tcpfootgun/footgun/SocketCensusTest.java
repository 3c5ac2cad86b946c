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
                TcpSocket.TIMER_TIME_WAIT, expires, 0, null, null, null);
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
        // the server side's TIME_WAIT counts under its own address, not the client's ephemeral port
        assertThat(c.timeWait()).containsExactly(
                new SocketCensus.DestinationCount("10.0.0.7", 5432, false, 51),
                new SocketCensus.DestinationCount("10.0.0.1", 80, true, 1));
        // 50 TIME_WAIT + 1 established from 10.0.0.1; the 20 with 1 s left are 59 s old, past the 1 s reuse delay; the others are 0.5 s old
        // the 20 TIME_WAIT sockets 59 s old give their ports back (tcp_tw_reuse=1): 31 of the 51 ports are lost
        assertThat(c.portGroups()).first().isEqualTo(new SocketCensus.PortGroup("10.0.0.1", "10.0.0.7", 5432, 51, 50, 20, 31, 0, 28232 - 31));
        assertThat(c.worstPortGroup().blocking()).isEqualTo(31);
        // 10.0.0.2 (its one TIME_WAIT reusable) loses 10.0.0.1's 25 ports of bind()'s parity: bind() may have made them
        assertThat(c.portGroups()).contains(new SocketCensus.PortGroup("10.0.0.2", "10.0.0.7", 5432, 1, 1, 1, 25, 25, 28232 - 25));
        // the headroom the check states and the series shows: free ports over the 60 s of TIME_WAIT
        assertThat(c.worstPortGroup().headroomPerSecond()).isEqualTo((28232 - 31) / 60.0);
        assertThat(c.freeForNewDestination()).isEqualTo(28232 - c.lostToNewDestination());
    }

    @Test
    void inboundTimeWaitCountsUnderTheListenerNeverUnderAClientPort() {
        List<TcpSocket> sockets = new ArrayList<>();
        // a server listening inside the ephemeral range, closing first: its clients' ports vary, its own does not
        sockets.add(TcpSocket.basic(Family.INET, TcpState.LISTEN, new Endpoint("0.0.0.0", 45000), new Endpoint("0.0.0.0", 0)));
        for (int i = 0; i < 30; i++) {
            sockets.add(timeWait("10.0.0.1", 45000, "10.0.0.9", 50001 + i, 1_000));
        }
        // outbound from an ephemeral port to a peer's 45000 (no local listener there on this address)
        sockets.add(timeWait("10.0.0.2", 40001, "10.0.0.9", 45000, 1_000));
        SocketCensus c = SocketCensus.of(snapshot(new Node(sockets, "32768\t60999", 1, 1, 1000)));
        assertThat(c.timeWait()).containsExactly(
                new SocketCensus.DestinationCount("10.0.0.1", 45000, true, 30),
                new SocketCensus.DestinationCount("10.0.0.9", 45000, false, 1));
        assertThat(c.timeWait()).noneMatch(d -> d.dstPort() > 50000);
    }

    static TcpSocket socket(TcpState state, String src, int sport, String dst, int dport) {
        return TcpSocket.basic(Family.INET, state, new Endpoint(src, sport), new Endpoint(dst, dport));
    }

    /**
     * The issue's node as connect() fills it: range 50000-50499 minus 10 reserved, 450 TIME_WAIT sockets to one
     * destination on every port of the low end's parity (connect()'s first pass) and then 205 of the other,
     * tcp_tw_reuse=0. The other parity's last 40 ports, 50421-50499, are free.
     */
    static List<TcpSocket> issueNode() {
        List<TcpSocket> sockets = new ArrayList<>();
        for (int port = 50010; port <= 50498; port += 2) {
            sockets.add(timeWait("127.0.0.1", port, "127.0.0.1", 8080, 50_000));
        }
        for (int port = 50011; port <= 50419; port += 2) {
            sockets.add(timeWait("127.0.0.1", port, "127.0.0.1", 8080, 50_000));
        }
        return sockets;
    }

    static SocketCensus issueCensus(List<TcpSocket> sockets) {
        Snapshots s = Snapshots.node().sysctl("net.ipv4.ip_local_port_range", "50000\t50499")
                .sysctl("net.ipv4.ip_local_reserved_ports", "50000-50009").sysctl("net.ipv4.tcp_tw_reuse", "0")
                .sysctl("net.ipv4.tcp_timestamps", "1");
        sockets.forEach(s::socket);
        return SocketCensus.of(s.build());
    }

    static SocketCensus.PortGroup group(SocketCensus c, int dstPort) {
        return c.portGroups().stream().filter(g -> g.dstPort() == dstPort).findFirst().orElseThrow();
    }

    @Test
    void portsHeldThroughBindAreLostToEveryDestination() {
        List<TcpSocket> sockets = issueNode();
        assertThat(group(issueCensus(sockets), 8080).blocking()).isEqualTo(450);
        sockets.add(socket(TcpState.LISTEN, "0.0.0.0", 50421, "0.0.0.0", 0));
        sockets.add(socket(TcpState.ESTABLISHED, "127.0.0.1", 50421, "127.0.0.1", 33000)); // accepted: the listener's port
        for (int i = 0; i < 10; i++) {
            sockets.add(socket(TcpState.BOUND_INACTIVE, "0.0.0.0", 50423 + 2 * i, "0.0.0.0", 0)); // bind(0) takes bind()'s parity
        }
        for (int i = 0; i < 5; i++) {
            sockets.add(socket(TcpState.ESTABLISHED, "127.0.0.1", 50443 + 2 * i, "127.0.0.1", 8081)); // bind(0), then connect()
        }
        SocketCensus c = issueCensus(sockets);

        assertThat(c.bound()).isEqualTo(new SocketCensus.BoundPorts(11, 1, 10));
        SocketCensus.PortGroup d1 = group(c, 8080);
        // 490 usable: 450 own + 11 through bind() + 5 of unseen origin = 466 lost, 24 free, as the kernel gives
        assertThat(d1.blocking()).isEqualTo(466);
        assertThat(d1.heldElsewhere()).isEqualTo(5);
        assertThat(c.worstPortGroup()).isEqualTo(d1);
        assertThat(c.lostToNewDestination()).isEqualTo(11 + 205 + 5);
        assertThat(c.count(TcpState.BOUND_INACTIVE)).isEqualTo(10);
        assertThat(c.count(TcpState.CLOSE)).isZero();
    }

    @Test
    void connectionsOnConnectsParityOrSharingAPortFromOneAddressCountOnlyForTheirOwnGroup() {
        List<TcpSocket> sockets = issueNode();
        for (int i = 0; i < 20; i++) {
            // connect() to 8081 takes the ports 8080's TIME_WAIT sockets hold on its parity: the 4-tuples differ
            sockets.add(socket(TcpState.ESTABLISHED, "127.0.0.1", 50010 + 2 * i, "127.0.0.1", 8081));
        }
        sockets.add(socket(TcpState.ESTABLISHED, "127.0.0.1", 50011, "127.0.0.1", 8081)); // bind()'s parity, but shared
        sockets.add(socket(TcpState.ESTABLISHED, "127.0.0.1", 50499, "127.0.0.1", 8081)); // bind()'s parity, alone: unseen
        SocketCensus c = issueCensus(sockets);
        SocketCensus.PortGroup d1 = group(c, 8080);
        SocketCensus.PortGroup d2 = group(c, 8081);
        assertThat(d1.blocking()).isEqualTo(451);
        assertThat(d1.heldElsewhere()).isEqualTo(1);
        assertThat(d2.blocking()).isEqualTo(22 + 204); // its own, and 8080's other-parity ports but the shared one
        assertThat(c.unseenOrigin()).isEqualTo(205);
    }

    /**
     * Bound, shared, mixed, own-unseen and connect()-parity ports side by side, in a range of 100 whose
     * entries the ledger keeps for the touched ports only: the figures the whole-range ledger gave.
     */
    @Test
    void boundSharedAndMixedPortsCountAsTheWholeRangeLedgerCountedThem() {
        List<TcpSocket> sockets = List.of(
                socket(TcpState.LISTEN, "10.0.0.1", 40010, "0.0.0.0", 0), // bound
                socket(TcpState.BOUND_INACTIVE, "10.0.0.1", 40011, "0.0.0.0", 0), // bound
                socket(TcpState.ESTABLISHED, "10.0.0.1", 40021, "10.0.0.7", 5432), // shared from one address: connect()
                socket(TcpState.ESTABLISHED, "10.0.0.1", 40021, "10.0.0.8", 5432),
                socket(TcpState.ESTABLISHED, "10.0.0.1", 40031, "10.0.0.7", 5432), // mixed addresses: unseen, nobody's own
                socket(TcpState.ESTABLISHED, "10.0.0.2", 40031, "10.0.0.7", 5432),
                socket(TcpState.ESTABLISHED, "10.0.0.1", 40041, "10.0.0.7", 5432), // alone on bind()'s parity: unseen, its own
                socket(TcpState.ESTABLISHED, "10.0.0.1", 40050, "10.0.0.8", 5432), // connect()'s parity
                socket(TcpState.LISTEN, "0.0.0.0", 40061, "0.0.0.0", 0), // bound, and accepted on
                socket(TcpState.ESTABLISHED, "10.0.0.2", 40061, "10.0.0.7", 5432),
                socket(TcpState.ESTABLISHED, "10.0.0.1", 5000, "10.0.0.7", 5432)); // outside the range
        SocketCensus c = SocketCensus.of(snapshot(new Node(sockets, "40000\t40099", 0, 1, 1000)));

        assertThat(c.bound()).isEqualTo(new SocketCensus.BoundPorts(3, 2, 1));
        assertThat(c.unseenOrigin()).isEqualTo(2);
        assertThat(c.lostToNewDestination()).isEqualTo(5);
        assertThat(c.freeForNewDestination()).isEqualTo(95);
        assertThat(c.portGroups()).containsExactly(
                new SocketCensus.PortGroup("10.0.0.1", "10.0.0.7", 5432, 3, 0, 0, 6, 1, 94),
                new SocketCensus.PortGroup("10.0.0.2", "10.0.0.7", 5432, 2, 0, 0, 5, 2, 95),
                new SocketCensus.PortGroup("10.0.0.1", "10.0.0.8", 5432, 2, 0, 0, 7, 2, 93));
    }

    /**
     * A port's later holders change what its earlier ones lose: a listener after the connections on its port, a
     * second local address after two groups of one address shared a port of bind()'s parity, with and without
     * the detail limit moving every connection to the column store. Every order gives the port-by-port reference's figures.
     */
    @Test
    void holdersThatChangeAPortsVerdictAfterItWasChargedCountAsThePortByPortReference() {
        List<TcpSocket> sockets = List.of(
                socket(TcpState.ESTABLISHED, "10.0.0.1", 40061, "10.0.0.7", 5432), // accepted on before its listener is seen
                socket(TcpState.ESTABLISHED, "10.0.0.1", 40061, "10.0.0.8", 5432),
                socket(TcpState.LISTEN, "0.0.0.0", 40061, "0.0.0.0", 0),
                socket(TcpState.ESTABLISHED, "10.0.0.1", 40031, "10.0.0.7", 5432), // shared, then mixed
                socket(TcpState.ESTABLISHED, "10.0.0.1", 40031, "10.0.0.8", 5432),
                socket(TcpState.ESTABLISHED, "10.0.0.2", 40031, "10.0.0.7", 5432),
                socket(TcpState.ESTABLISHED, "10.0.0.1", 40021, "10.0.0.7", 5432), // shared and stays so
                socket(TcpState.ESTABLISHED, "10.0.0.1", 40021, "10.0.0.8", 5432),
                timeWait("10.0.0.1", 40043, "10.0.0.7", 5432, 1000),
                timeWait("10.0.0.1", 40043, "10.0.0.8", 5432, 1000),
                timeWait("10.0.0.2", 40042, "10.0.0.8", 5432, 1000),
                timeWait("10.0.0.1", 40042, "10.0.0.9", 5432, 1000),
                timeWait("10.0.0.1", 40045, "10.0.0.9", 5432, 1000));
        for (int rotate = 0; rotate < sockets.size(); rotate++) {
            List<TcpSocket> order = new ArrayList<>(sockets.subList(rotate, sockets.size()));
            order.addAll(sockets.subList(0, rotate));
            for (List<TcpSocket> o : List.of(order, order.reversed())) {
                for (int detailLimit : new int[] {Integer.MAX_VALUE, 0}) {
                SocketCensus c = SocketCensus.of(snapshot(new Node(o, "40000\t40099", 1, 1, 1000, detailLimit)));
                Reference r = Reference.of(o, c.ports(), c.reuse());
                assertThat(c.portGroups()).as("order %s", o).isEqualTo(r.portGroups);
                assertThat(c.bound()).isEqualTo(r.bound);
                assertThat(c.unseenOrigin()).isEqualTo(r.unseen);
                }
            }
        }
    }

    @Test
    void tcpTwReuseTwoAppliesWhenEitherAddressIsLoopbackAndOnlyPastTheDelay() {
        SocketCensus.TimeWaitReuse loopbackOnly = new SocketCensus.TimeWaitReuse(2, true, 1000);
        assertThat(loopbackOnly.appliesTo(true, 58_000)).isTrue();
        assertThat(loopbackOnly.appliesTo(false, 58_000)).isFalse();
        assertThat(loopbackOnly.appliesTo(true, 59_000)).as("exactly the delay old: time_after32 is strict").isFalse();
        assertThat(new SocketCensus.TimeWaitReuse(1, true, 1000).appliesTo(false, 58_000)).isTrue();
        assertThat(new SocketCensus.TimeWaitReuse(1, false, 1000).appliesTo(false, 58_000)).as("no timestamps").isFalse();
        assertThat(new SocketCensus.TimeWaitReuse(0, true, 1000).appliesTo(true, 0)).isFalse();
    }

    @Test
    void aJudgedObservationKeepsItsCensusAndCountButNotItsSockets() {
        List<TcpSocket> sockets = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            sockets.add(timeWait("10.0.0.1", 40000 + i, "10.0.0.7", 5432, 30_000));
        }
        sockets.add(TcpSocket.basic(Family.INET, TcpState.ESTABLISHED, new Endpoint("10.0.0.1", 40100), new Endpoint("10.0.0.7", 5432)));
        Observation judged = new Observation(snapshot(new Node(sockets, "32768\t60999", 0, 1, 1000)), null);
        SocketCensus census = judged.census();

        Observation kept = judged.withoutSockets();
        assertThat(kept.now().sockets().value()).isEmpty();
        assertThat(kept.now().sockets().success()).isTrue();
        assertThat(kept.census()).isSameAs(census);
        assertThat(kept.socketCount()).isEqualTo(31);
        assertThat(kept.census().count(TcpState.TIME_WAIT)).isEqualTo(30);
    }

    @Provide
    Arbitrary<Node> nodes() {
        // IPv6 too, and IPv4 addresses on IPv6 sockets (v4-mapped, shown dotted): the column store keys groups by family
        Arbitrary<String> ip = Arbitraries.of("10.0.0.1", "10.0.0.2", "127.0.0.1", "0.0.0.0", "192.168.1.9", "::1", "::", "fd00::7");
        Arbitrary<Integer> port = Arbitraries.oneOf(Arbitraries.of(0, 80, 5432, 32768, 40000, 60999),
                Arbitraries.integers().between(30000, 62000));
        Arbitrary<TcpState> state = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.just(TcpState.TIME_WAIT)),
                net.jqwik.api.Tuple.of(4, Arbitraries.of(TcpState.class)));
        Arbitrary<TcpSocket> socket = Combinators.combine(state, ip, port, ip, port, Arbitraries.longs().between(0, 60_000),
                        Arbitraries.of(Family.class))
                .as((st, a, ap, b, bp, exp, fam) -> {
                    Family f = a.contains(":") || b.contains(":") ? Family.INET6 : fam;
                    return new TcpSocket(f, st, new Endpoint(a, ap), new Endpoint(b, bp), 0, 0,
                            st == TcpState.TIME_WAIT ? TcpSocket.TIMER_TIME_WAIT : TcpSocket.TIMER_NONE,
                            st == TcpState.TIME_WAIT ? exp : 0, 0, null, null, null);
                });
        return Combinators.combine(socket.list().ofMaxSize(400).map(SocketCensusTest::unique), Arbitraries.of("32768\t60999", "40000\t40099", "1024\t65535"),
                Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 1),
                Arbitraries.longs().between(0, 60_000),
                Arbitraries.oneOf(Arbitraries.just(Integer.MAX_VALUE), Arbitraries.integers().between(0, 50))).as(Node::new);
    }

    /** The port groups' order by packed keys is the comparator's: most sockets, then destination, port and source. */
    @Property
    void portGroupsSortAsTheComparatorSortsThem(@ForAll("portGroupLists") List<SocketCensus.PortGroup> groups) {
        List<SocketCensus.PortGroup> expected = new ArrayList<>(groups);
        expected.sort(Comparator.comparingInt(SocketCensus.PortGroup::inUse).reversed().thenComparing(SocketCensus.PortGroup::dstIp)
                .thenComparingInt(SocketCensus.PortGroup::dstPort).thenComparing(SocketCensus.PortGroup::srcIp));
        assertThat(SocketCensus.mostUsedFirst(groups.toArray(new SocketCensus.PortGroup[0]))).containsExactlyElementsOf(expected);
    }

    /** Groups whose keys would need more than 63 bits (20 000 addresses, a million sockets) sort by the comparator. */
    @Test
    void portGroupsTooManyForPackedKeysSortAsTheComparatorSortsThem() {
        java.util.Random random = new java.util.Random(18);
        List<SocketCensus.PortGroup> groups = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            groups.add(new SocketCensus.PortGroup("10.0." + (i >> 8) + "." + (i & 255), "10.9.0." + random.nextInt(3), 443,
                    random.nextInt(3) == 0 ? 1 << 20 : random.nextInt(3), 0, 0, 0, 0, 0));
        }
        portGroupsSortAsTheComparatorSortsThem(groups);
    }

    @Provide
    Arbitrary<List<SocketCensus.PortGroup>> portGroupLists() {
        Arbitrary<String> ip = Arbitraries.of("10.0.0.1", "10.0.0.10", "10.0.0.2", "127.0.0.1", "::1", "fd00::7", "192.168.1.9");
        // sockets from few values, so that ties are common, and large ones that widen the keys
        Arbitrary<Integer> inUse = Arbitraries.oneOf(Arbitraries.integers().between(0, 3), Arbitraries.of(65535, 65536, 131072, Integer.MAX_VALUE));
        Arbitrary<Integer> port = Arbitraries.oneOf(Arbitraries.of(0, 80, 65535), Arbitraries.integers().between(0, 65535));
        return Combinators.combine(ip, ip, port, inUse)
                .as((src, dst, p, n) -> new SocketCensus.PortGroup(src, dst, p, n, 0, 0, 0, 0, 0))
                .list().ofMaxSize(60)
                .map(l -> List.copyOf(l.stream().collect(java.util.stream.Collectors.toMap(
                        g -> List.of(g.srcIp(), g.dstIp(), g.dstPort()), g -> g, (x, y) -> x, java.util.LinkedHashMap::new)).values()));
    }

    /** One socket per (local address and port, remote address and port): the kernel's established table allows no more. */
    static List<TcpSocket> unique(List<TcpSocket> sockets) {
        Map<List<Object>, TcpSocket> byTuple = new java.util.LinkedHashMap<>();
        for (TcpSocket s : sockets) {
            byTuple.putIfAbsent(List.of(s.local(), s.remote()), s);
        }
        return List.copyOf(byTuple.values());
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
        if (c.ports() != null) {
            assertThat(c.bound()).isEqualTo(r.bound);
            assertThat(c.unseenOrigin()).isEqualTo(r.unseen);
        }
    }

    /**
     * The census as defined: every socket a record, counted one by one; each port's holders collected, then
     * the rule applied port by port (SocketCensus's class comment).
     */
    record Reference(Map<Family, Map<TcpState, Integer>> byFamilyState, List<SocketCensus.PortGroup> portGroups,
            List<SocketCensus.DestinationCount> timeWait, SocketCensus.BoundPorts bound, int unseen) {

        static boolean boundOnly(TcpSocket s) {
            return s.state() == TcpState.LISTEN || s.state() == TcpState.BOUND_INACTIVE || s.state() == TcpState.CLOSE
                    || s.remote().isUnspecified();
        }

        static Reference of(List<TcpSocket> sockets, EphemeralPorts ports, SocketCensus.TimeWaitReuse reuse) {
            Map<Family, Map<TcpState, Integer>> byState = new EnumMap<>(Family.class);
            Map<List<Object>, int[]> groups = new java.util.LinkedHashMap<>();
            Map<List<Object>, int[]> tw = new HashMap<>();
            Map<Integer, List<TcpSocket>> holders = new HashMap<>();
            List<TcpSocket> listeners = sockets.stream().filter(l -> l.state() == TcpState.LISTEN).toList();
            for (TcpSocket s : sockets) {
                byState.computeIfAbsent(s.family(), f -> new EnumMap<>(TcpState.class)).merge(s.state(), 1, Integer::sum);
                boolean isTw = s.state() == TcpState.TIME_WAIT;
                if (isTw) {
                    // the server end: a listener on this socket's local address, or a local port connect() never picks
                    boolean inbound = listeners.stream().anyMatch(l -> l.local().port() == s.local().port()
                            && (l.local().ip().equals(s.local().ip()) || l.local().ip().equals("0.0.0.0") || l.local().ip().equals("::")))
                            || (ports != null && !ports.isEphemeral(s.local().port()));
                    Endpoint end = inbound ? s.local() : s.remote();
                    tw.computeIfAbsent(List.of(end.ip(), end.port(), inbound), k -> new int[1])[0]++;
                }
                if (ports != null && ports.isEphemeral(s.local().port())) {
                    holders.computeIfAbsent(s.local().port(), k -> new ArrayList<>()).add(s);
                    if (!boundOnly(s)) {
                        int[] g = groups.computeIfAbsent(key(s), k -> new int[3]);
                        g[0]++;
                        if (isTw) {
                            g[1]++;
                            g[2] += reusable(reuse, s) ? 1 : 0;
                        }
                    }
                }
            }
            List<SocketCensus.PortGroup> pg = new ArrayList<>();
            groups.forEach((k, g) -> {
                int lost = 0;
                int elsewhere = 0;
                for (Map.Entry<Integer, List<TcpSocket>> e : holders.entrySet()) {
                    List<TcpSocket> on = e.getValue();
                    if (on.stream().anyMatch(Reference::boundOnly)) {
                        lost++;
                        continue;
                    }
                    boolean connectParity = (e.getKey() - ports.range().low()) % 2 == 0;
                    long groupsOn = on.stream().map(Reference::key).distinct().count();
                    long sources = on.stream().map(h -> h.local().ip()).distinct().count();
                    TcpSocket mine = on.stream().filter(h -> key(h).equals(k)).findFirst().orElse(null);
                    if (connectParity || (groupsOn >= 2 && sources == 1)) {
                        lost += mine != null && !reusable(reuse, mine) ? 1 : 0; // made by connect(): only the 4-tuple counts
                    } else if (groupsOn == 1 && mine != null) {
                        lost += reusable(reuse, mine) ? 0 : 1;
                    } else {
                        lost++;
                        elsewhere++;
                    }
                }
                pg.add(new SocketCensus.PortGroup((String) k.get(0), (String) k.get(1), (Integer) k.get(2), g[0], g[1], g[2], lost, elsewhere,
                        Math.max(0, ports.usable() - lost)));
            });
            pg.sort(Comparator.comparingInt(SocketCensus.PortGroup::inUse).reversed().thenComparing(SocketCensus.PortGroup::dstIp)
                    .thenComparingInt(SocketCensus.PortGroup::dstPort).thenComparing(SocketCensus.PortGroup::srcIp));
            List<SocketCensus.DestinationCount> dc = new ArrayList<>();
            tw.forEach((k, c) -> dc.add(new SocketCensus.DestinationCount((String) k.get(0), (Integer) k.get(1), (Boolean) k.get(2), c[0])));
            dc.sort(Comparator.comparingInt(SocketCensus.DestinationCount::count).reversed()
                    .thenComparing(SocketCensus.DestinationCount::dstIp).thenComparingInt(SocketCensus.DestinationCount::dstPort)
                    .thenComparing(SocketCensus.DestinationCount::inbound));
            int boundPorts = 0;
            int unseen = 0;
            for (Map.Entry<Integer, List<TcpSocket>> e : holders.entrySet()) {
                List<TcpSocket> on = e.getValue();
                long sources = on.stream().map(h -> h.local().ip()).distinct().count();
                long groupsOn = on.stream().map(Reference::key).distinct().count();
                if (on.stream().anyMatch(Reference::boundOnly)) {
                    boundPorts++;
                } else if ((e.getKey() - ports.range().low()) % 2 != 0 && !(groupsOn >= 2 && sources == 1)) {
                    unseen++;
                }
            }
            List<TcpSocket> boundHolders = holders.values().stream().flatMap(List::stream).filter(Reference::boundOnly).toList();
            int listening = (int) boundHolders.stream().filter(h -> h.state() == TcpState.LISTEN).count();
            return new Reference(byState, pg, dc, new SocketCensus.BoundPorts(boundPorts, listening, boundHolders.size() - listening), unseen);
        }

        static List<Object> key(TcpSocket s) {
            return List.of(s.local().ip(), s.remote().ip(), s.remote().port());
        }

        static boolean reusable(SocketCensus.TimeWaitReuse reuse, TcpSocket s) {
            return s.state() == TcpState.TIME_WAIT
                    && reuse.appliesTo(s.local().isLoopback() || s.remote().isLoopback(), s.timerExpiresMillis());
        }
    }
}
