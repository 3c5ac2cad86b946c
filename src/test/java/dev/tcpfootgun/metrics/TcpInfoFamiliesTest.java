package dev.tcpfootgun.metrics;

import static dev.tcpfootgun.metrics.Rendered.listener;
import static dev.tcpfootgun.metrics.Rendered.ok;
import static dev.tcpfootgun.metrics.Rendered.socket;
import static dev.tcpfootgun.metrics.Rendered.sockets;
import static dev.tcpfootgun.metrics.Rendered.tcpInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.within;

import dev.tcpfootgun.snapshot.Reading;
import dev.tcpfootgun.snapshot.Sysctls;
import dev.tcpfootgun.snapshot.TcpInfo;
import dev.tcpfootgun.snapshot.TcpState;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import java.util.List;
import java.util.Map;
import dev.tcpfootgun.snapshot.TcpSocket;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** TcpInfoFamilies: tcp_info of established sockets as gauge histograms, per server end, and limited times. */
class TcpInfoFamiliesTest {

    static final Reading<Sysctls> SYSCTLS = ok("sysctl", new Sysctls(Map.of("net.ipv4.ip_local_port_range", "32768\t60999")));
    static final List<String> TCP_INFO_FAMILIES = List.of("footgun_tcp_rtt_seconds", "footgun_tcp_min_rtt_seconds",
            "footgun_tcp_congestion_window_segments", "footgun_tcp_delivery_rate_bytes_per_second", "footgun_tcp_retransmits",
            "footgun_tcp_busy_seconds", "footgun_tcp_rwnd_limited_seconds", "footgun_tcp_sndbuf_limited_seconds",
            "footgun_destination_sockets", "footgun_destination_rtt_median_seconds", "footgun_destination_rtt_max_seconds",
            "footgun_destination_retransmit_ratio");

    /** Two clients of 10.0.0.9:5432, one client of our listener :443, and sockets the families must skip. */
    static Rendered node() {
        TcpInfo a = tcpInfo(248, 1_000, 800, 10, 1_000_000, 2, 100, 1_000, 2_000, 0);
        TcpInfo b = tcpInfo(248, 3_000, 900, 20, 50_000_000, 0, 100, 500, 0, 250);
        TcpInfo c = tcpInfo(248, 20_000, 15_000, 4, 20_000, 10, 50, 0, 0, 0);
        return Rendered.of(SYSCTLS, sockets(
                socket(TcpState.ESTABLISHED, "10.0.0.5", 40000, "10.0.0.9", 5432, a),
                socket(TcpState.ESTABLISHED, "10.0.0.5", 40001, "10.0.0.9", 5432, b),
                listener("10.0.0.5", 443, 0, 128),
                socket(TcpState.ESTABLISHED, "10.0.0.5", 443, "203.0.113.7", 50000, c),
                socket(TcpState.ESTABLISHED, "10.0.0.5", 40002, "10.0.0.9", 5432, null), // past the detail limit: no tcp_info
                socket(TcpState.CLOSE_WAIT, "10.0.0.5", 40003, "10.0.0.9", 5432, a))); // not established
    }

    @Test
    void distributionsAreGaugeHistogramsOfTheEstablishedSocketsWithTcpInfo() {
        Rendered r = node();
        HistogramSnapshot rtt = r.family("footgun_tcp_rtt_seconds", HistogramSnapshot.class);
        assertThat(rtt.isGaugeHistogram()).isTrue();
        assertThat(rtt.getMetadata().getHelp()).endsWith(TcpInfoFamilies.GAUGE_HISTOGRAM_HELP);
        var p = rtt.getDataPoints().getFirst();
        assertThat(Rendered.labels(p.getLabels())).isEmpty();
        assertThat(p.getCount()).isEqualTo(3);
        assertThat(p.getSum()).isCloseTo(0.024, within(1e-12));
        // 1 ms lands in le=0.001 (bounds are inclusive), 3 ms in le=0.005, 20 ms in le=0.025
        assertThat(buckets(p)).containsExactly(entry(0.001, 1L), entry(0.005, 1L), entry(0.025, 1L));

        assertThat(buckets(r.family("footgun_tcp_min_rtt_seconds", HistogramSnapshot.class).getDataPoints().getFirst()))
                .containsExactly(entry(0.001, 2L), entry(0.025, 1L));
        var cwnd = r.family("footgun_tcp_congestion_window_segments", HistogramSnapshot.class).getDataPoints().getFirst();
        assertThat(buckets(cwnd)).containsExactly(entry(4.0, 1L), entry(10.0, 1L), entry(32.0, 1L));
        assertThat(cwnd.getSum()).isEqualTo(34.0);
        assertThat(r.family("footgun_tcp_delivery_rate_bytes_per_second", HistogramSnapshot.class).getDataPoints().getFirst().getSum())
                .isEqualTo(51_020_000.0);
        assertThat(buckets(r.family("footgun_tcp_retransmits", HistogramSnapshot.class).getDataPoints().getFirst()))
                .containsExactly(entry(0.0, 1L), entry(2.0, 1L), entry(10.0, 1L));

        assertThat(r.gauge("footgun_tcp_busy_seconds")).containsExactly(entry("", 0.0015));
        assertThat(r.gauge("footgun_tcp_rwnd_limited_seconds")).containsExactly(entry("", 0.002));
        assertThat(r.gauge("footgun_tcp_sndbuf_limited_seconds")).containsExactly(entry("", 0.00025));
    }

    @Test
    void perServerEndTheTopByCountTheRestInOther() {
        Rendered r = node();
        String db = "direction=\"outbound\",dst_ip=\"10.0.0.9\",dst_port=\"5432\"";
        String web = "direction=\"inbound\",dst_ip=\"10.0.0.5\",dst_port=\"443\"";
        assertThat(r.gauge("footgun_destination_sockets")).containsExactly(
                entry(web, 1.0), entry("direction=\"other\",dst_ip=\"other\",dst_port=\"other\"", 0.0), entry(db, 2.0));
        assertThat(r.gauge("footgun_destination_rtt_median_seconds")).containsExactly(entry(web, 0.02), entry(db, 0.002));
        assertThat(r.gauge("footgun_destination_rtt_max_seconds")).containsExactly(entry(web, 0.02), entry(db, 0.003));
        assertThat(r.gauge("footgun_destination_retransmit_ratio")).containsExactly(entry(web, 0.2), entry(db, 0.01));
    }

    @Test
    void anOlderKernelsTcpInfoLeavesOutWhatItDidNotSend() {
        // 4.9's struct: no busy/rwnd/sndbuf times; the base struct: no min_rtt, no delivery rate either
        Rendered v49 = Rendered.of(SYSCTLS, sockets(socket(TcpState.ESTABLISHED, "10.0.0.5", 40000, "10.0.0.9", 5432,
                tcpInfo(TcpInfo.SIZE_4_9, 1_000, 800, 10, 1_000_000, 0, 10, 1, 1, 1))));
        assertThat(v49.has("footgun_tcp_delivery_rate_bytes_per_second")).isTrue();
        assertThat(v49.has("footgun_tcp_busy_seconds")).isFalse();
        assertThat(v49.has("footgun_tcp_rwnd_limited_seconds")).isFalse();
        Rendered base = Rendered.of(SYSCTLS, sockets(socket(TcpState.ESTABLISHED, "10.0.0.5", 40000, "10.0.0.9", 5432,
                tcpInfo(TcpInfo.SIZE_BASE, 1_000, 800, 10, 1_000_000, 0, 10, 1, 1, 1))));
        assertThat(base.has("footgun_tcp_rtt_seconds")).isTrue();
        assertThat(base.has("footgun_tcp_min_rtt_seconds")).isFalse();
        assertThat(base.has("footgun_tcp_delivery_rate_bytes_per_second")).isFalse();
    }

    @Test
    void noEstablishedSocketWithTcpInfoNoFamilyAtAll() {
        Rendered procfs = Rendered.of(SYSCTLS, sockets(socket(TcpState.ESTABLISHED, "10.0.0.5", 40000, "10.0.0.9", 5432, null)));
        Rendered failed = Rendered.of(SYSCTLS, Reading.failed("sockets", "netlink refused", 0));
        for (String name : TCP_INFO_FAMILIES) {
            assertThat(procfs.has(name)).as(name).isFalse();
            assertThat(failed.has(name)).as(name).isFalse();
        }
        assertThat(procfs.has("footgun_tcp_sockets")).isTrue();
        assertThat(failed.has("footgun_tcp_sockets")).isFalse();
    }

    /**
     * Many server ends, ties in count included, more than the top shown: the series are the ones a full
     * sort of every destination gives (the first {@link Rendered#TOP}, the rest summed into "other"),
     * and the histograms sum in socket order, to the last bit.
     */
    @Property(tries = 200)
    void theTopDestinationsAndHistogramsAreTheFullSortsAndSumsOverEverySocket(@ForAll("established") List<TcpSocket> sockets) {
        Rendered r = Rendered.of(SYSCTLS, sockets(sockets.toArray(TcpSocket[]::new)));
        record End(String ip, int port, boolean inbound) {}
        Map<End, List<TcpSocket>> byEnd = new java.util.LinkedHashMap<>();
        for (TcpSocket s : sockets) {
            boolean inbound = s.local().port() < 32768; // the local servers' ports: outside the ephemeral range
            End e = inbound ? new End(s.local().ip(), s.local().port(), true) : new End(s.remote().ip(), s.remote().port(), false);
            byEnd.computeIfAbsent(e, k -> new java.util.ArrayList<>()).add(s);
        }
        List<End> ranked = byEnd.keySet().stream().sorted(java.util.Comparator.<End>comparingInt(e -> byEnd.get(e).size()).reversed()
                .thenComparing(End::ip).thenComparingInt(End::port).thenComparing(End::inbound)).toList();
        List<String> expected = new java.util.ArrayList<>();
        long rest = 0;
        for (int k = 0; k < ranked.size(); k++) {
            End e = ranked.get(k);
            List<TcpSocket> on = byEnd.get(e);
            if (k >= Rendered.TOP) {
                rest += on.size();
                continue;
            }
            double[] rtts = on.stream().mapToDouble(s -> s.info().rttMicros() / 1e6).sorted().toArray();
            long retrans = on.stream().mapToLong(s -> s.info().totalRetrans()).sum();
            long segs = on.stream().mapToLong(s -> s.info().segsOut()).sum();
            String labels = "direction=\"" + (e.inbound() ? "inbound" : "outbound") + "\",dst_ip=\"" + e.ip() + "\",dst_port=\"" + e.port() + "\"";
            expected.add(labels + " " + on.size() + " " + TcpInfoFamilies.median(rtts) + " " + rtts[rtts.length - 1] + " "
                    + (segs == 0 ? 0.0 : (double) retrans / segs));
        }
        List<String> shown = new java.util.ArrayList<>();
        var counts = r.family("footgun_destination_sockets", GaugeSnapshot.class).getDataPoints();
        Map<String, Double> medians = r.gauge("footgun_destination_rtt_median_seconds");
        Map<String, Double> maxes = r.gauge("footgun_destination_rtt_max_seconds");
        Map<String, Double> ratios = r.gauge("footgun_destination_retransmit_ratio");
        for (var p : counts) {
            String labels = Rendered.labels(p.getLabels());
            if (labels.startsWith("direction=\"other\"")) {
                assertThat(p.getValue()).isEqualTo((double) rest);
                continue;
            }
            shown.add(labels + " " + (long) p.getValue() + " " + medians.get(labels) + " " + maxes.get(labels) + " " + ratios.get(labels));
        }
        assertThat(shown).containsExactlyInAnyOrderElementsOf(expected); // the exposition orders series by their labels

        double rttSum = 0;
        double cwndSum = 0;
        for (TcpSocket s : sockets) {
            rttSum += s.info().rttMicros() / 1e6;
            cwndSum += s.info().sndCwnd();
        }
        assertThat(r.family("footgun_tcp_rtt_seconds", HistogramSnapshot.class).getDataPoints().getFirst().getSum()).isEqualTo(rttSum);
        assertThat(r.family("footgun_tcp_congestion_window_segments", HistogramSnapshot.class).getDataPoints().getFirst().getSum())
                .isEqualTo(cwndSum);
        assertThat(r.family("footgun_tcp_rtt_seconds", HistogramSnapshot.class).getDataPoints().getFirst().getCount())
                .isEqualTo(sockets.size());
    }

    @Provide
    Arbitrary<List<TcpSocket>> established() {
        Arbitrary<TcpInfo> info = Combinators.combine(Arbitraries.longs().between(1, 300_000), Arbitraries.longs().between(1, 2000),
                Arbitraries.longs().between(0, 30), Arbitraries.longs().between(0, 5000))
                .as((rtt, cwnd, retrans, segs) -> tcpInfo(248, rtt, rtt, cwnd, 1_000_000, retrans, segs, 0, 0, 0));
        Arbitrary<String> ip = Arbitraries.of("10.0.0.7", "10.0.0.8", "10.0.0.9", "192.168.3.1");
        Arbitrary<Integer> port = Arbitraries.of(80, 443, 5432);
        Arbitrary<Boolean> inbound = Arbitraries.of(true, false);
        return Combinators.combine(inbound, ip, port, Arbitraries.integers().between(40000, 60000), info)
                .as((in, a, p, eph, i) -> in
                        ? socket(TcpState.ESTABLISHED, "10.0.0.5", p, a, eph, i)
                        : socket(TcpState.ESTABLISHED, "10.0.0.5", eph, a, p, i))
                .list().ofMinSize(1).ofMaxSize(60)
                .map(l -> List.copyOf(l.stream().collect(java.util.stream.Collectors.toMap(
                        s -> List.of(s.local(), s.remote()), s -> s, (x, y) -> x, java.util.LinkedHashMap::new)).values()));
    }

    /** The non-empty buckets by upper bound, counts per bucket (not cumulative). */
    static Map<Double, Long> buckets(HistogramSnapshot.HistogramDataPointSnapshot p) {
        Map<Double, Long> out = new java.util.TreeMap<>();
        var b = p.getClassicBuckets();
        for (int i = 0; i < b.size(); i++) {
            if (b.getCount(i) > 0) {
                out.put(b.getUpperBound(i), b.getCount(i));
            }
        }
        return out;
    }
}
