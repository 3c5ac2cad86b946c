package dev.tcpfootgun.metrics;

import dev.tcpfootgun.footgun.ConnectionPeers;
import dev.tcpfootgun.snapshot.TcpInfo;
import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.snapshot.TcpState;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Aggregates tcp_info over established sockets (never one series per socket): distributions as
 * gauge histograms Grafana can draw as a heatmap, per-destination RTT and retransmits for the top
 * destinations, and time spent limited by the receive window and the send buffer.
 */
final class TcpInfoFamilies {

    static final double[] RTT_BOUNDS = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.04,
        0.05, 0.1, 0.2, 0.5, 1, 2.5, Double.POSITIVE_INFINITY};
    static final double[] CWND_BOUNDS = {1, 2, 4, 8, 10, 16, 32, 64, 128, 256, 512, 1024, 4096, Double.POSITIVE_INFINITY};
    static final double[] RATE_BOUNDS = {1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, Double.POSITIVE_INFINITY};
    static final double[] RETRANS_BOUNDS = {0, 1, 2, 5, 10, 50, 100, 1000, Double.POSITIVE_INFINITY};

    /** A connection's server end: the destination, or for inbound connections the local listener. */
    private record Dest(String ip, int port, boolean inbound) {}

    private static final class DestStats {
        final List<Double> rtts = new ArrayList<>();
        long retrans;
        long segsOut;
    }

    private TcpInfoFamilies() {}

    static void render(Families f, List<TcpSocket> sockets, ConnectionPeers peers, int top, DestinationLabels destinationLabels) {
        List<TcpInfo> infos = new ArrayList<>();
        Map<Dest, DestStats> dests = new HashMap<>();
        for (TcpSocket s : sockets) {
            TcpInfo i = s.info();
            if (s.state() != TcpState.ESTABLISHED || i == null) {
                continue;
            }
            infos.add(i);
            Dest key = peers.inbound(s.local().ip(), s.local().port())
                    ? new Dest(s.local().ip(), s.local().port(), true)
                    : new Dest(s.remote().ip(), s.remote().port(), false);
            DestStats d = dests.computeIfAbsent(key, k -> new DestStats());
            d.rtts.add(i.rttMicros() / 1e6);
            d.retrans += Math.max(0, i.totalRetrans());
            d.segsOut += Math.max(0, i.segsOut());
        }
        if (infos.isEmpty()) {
            return;
        }
        histogram(f, "footgun_tcp_rtt_seconds", "Smoothed RTT of established sockets (tcp_info rtt).", infos,
                RTT_BOUNDS, i -> i.rttMicros() / 1e6, i -> true);
        histogram(f, "footgun_tcp_min_rtt_seconds", "Minimum RTT seen by established sockets (tcp_info min_rtt, 4.6+).", infos,
                RTT_BOUNDS, i -> i.minRttMicros() / 1e6, TcpInfo::hasMinRtt);
        histogram(f, "footgun_tcp_congestion_window_segments", "Congestion window of established sockets.", infos,
                CWND_BOUNDS, TcpInfo::sndCwnd, i -> i.sndCwnd() >= 0);
        histogram(f, "footgun_tcp_delivery_rate_bytes_per_second", "Most recent delivery rate of established sockets (4.9+).",
                infos, RATE_BOUNDS, TcpInfo::deliveryRate, i -> i.covers(TcpInfo.SIZE_4_9));
        histogram(f, "footgun_tcp_retransmits", "Segments retransmitted over each established socket's life (tcp_info total_retrans).",
                infos, RETRANS_BOUNDS, TcpInfo::totalRetrans, i -> i.totalRetrans() >= 0);

        double busy = 0;
        double rwnd = 0;
        double sndbuf = 0;
        boolean limits = false;
        for (TcpInfo i : infos) {
            if (i.hasLimitedTimes()) {
                limits = true;
                busy += i.busyTimeMicros() / 1e6;
                rwnd += i.rwndLimitedMicros() / 1e6;
                sndbuf += i.sndbufLimitedMicros() / 1e6;
            }
        }
        if (limits) {
            f.gauge("footgun_tcp_busy_seconds", "Time established sockets spent sending, summed over the sockets open now (4.10+).").set(busy).add();
            f.gauge("footgun_tcp_rwnd_limited_seconds", "Time established sockets were limited by the peer's receive window, summed over the sockets open now.")
                    .set(rwnd).add();
            f.gauge("footgun_tcp_sndbuf_limited_seconds", "Time established sockets were limited by their send buffer, summed over the sockets open now.")
                    .set(sndbuf).add();
        }

        TopK<Map.Entry<Dest, DestStats>> ranked = TopK.of(dests.entrySet(), top,
                Comparator.<Map.Entry<Dest, DestStats>>comparingInt(e -> e.getValue().rtts.size()).reversed()
                        .thenComparing(e -> e.getKey().ip()).thenComparingInt(e -> e.getKey().port())
                        .thenComparing(e -> e.getKey().inbound()));
        var count = f.gauge("footgun_destination_sockets", "Established sockets with tcp_info per server end (the destination, or for direction=\"inbound\" the local listener "
                + "its clients reached); the top ones, the rest in \"other\".");
        var median = f.gauge("footgun_destination_rtt_median_seconds", "Median smoothed RTT of the established sockets to each top destination.");
        var max = f.gauge("footgun_destination_rtt_max_seconds", "Largest smoothed RTT among the established sockets to each top destination.");
        var retrans = f.gauge("footgun_destination_retransmit_ratio",
                "Retransmitted segments / segments sent over the life of the established sockets to each top destination.");
        for (Map.Entry<Dest, DestStats> e : ranked.top()) {
            Dest d = e.getKey();
            DestStats st = e.getValue();
            String[] labels = {"direction", MetricsRenderer.direction(d.inbound()), "dst_ip", destinationLabels.address(d.ip()),
                "dst_port", Integer.toString(d.port())};
            double[] sorted = st.rtts.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            count.set(sorted.length, labels);
            median.set(median(sorted), labels);
            max.set(sorted[sorted.length - 1], labels);
            retrans.set(st.segsOut == 0 ? 0 : (double) st.retrans / st.segsOut, labels);
        }
        count.set(ranked.restSum(e -> e.getValue().rtts.size()), "direction", MetricsRenderer.OTHER, "dst_ip", MetricsRenderer.OTHER, "dst_port", MetricsRenderer.OTHER).add();
        median.add();
        max.add();
        retrans.add();
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static final String GAUGE_HISTOGRAM_HELP = " A gauge histogram of the sockets open now (_bucket, _gcount, _gsum): "
            + "query it as a gauge, never with rate() or increase().";

    /** A gauge histogram: the distribution now, not accumulated over time. */
    private static void histogram(Families f, String name, String help, List<TcpInfo> infos, double[] bounds,
            ToDoubleFunction<TcpInfo> value, java.util.function.Predicate<TcpInfo> present) {
        long[] counts = new long[bounds.length];
        double sum = 0;
        long n = 0;
        for (TcpInfo i : infos) {
            if (!present.test(i)) {
                continue;
            }
            double v = value.applyAsDouble(i);
            int b = Arrays.binarySearch(bounds, v);
            counts[b >= 0 ? b : -b - 1]++;
            sum += v;
            n++;
        }
        if (n == 0) {
            return;
        }
        // the text format cannot type a gauge histogram (it says histogram), so the help says it
        HistogramSnapshot.Builder b = HistogramSnapshot.builder().name(name).help(help + GAUGE_HISTOGRAM_HELP).gaugeHistogram(true);
        if (name.endsWith("_seconds")) {
            b.unit(Unit.SECONDS);
        }
        b.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts)).sum(sum).labels(Labels.EMPTY).build());
        f.add(b.build());
    }
}
