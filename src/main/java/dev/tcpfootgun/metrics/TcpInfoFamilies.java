package dev.tcpfootgun.metrics;

import dev.tcpfootgun.footgun.ConnectionPeers;
import dev.tcpfootgun.footgun.ServerEnd;
import dev.tcpfootgun.snapshot.DetailedSockets;
import dev.tcpfootgun.snapshot.Endpoint;
import dev.tcpfootgun.snapshot.TcpInfo;
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

    private static final class DestStats {
        final ServerEnd dest;
        double[] rtts = new double[4];
        int count;
        long retrans;
        long segsOut;

        DestStats(ServerEnd dest) {
            this.dest = dest;
        }

        void add(double rtt) {
            if (count == rtts.length) {
                rtts = Arrays.copyOf(rtts, count * 2);
            }
            rtts[count++] = rtt;
        }
    }

    /** Most sockets first, then by server end: the ranking of the per-destination series. */
    private static final Comparator<DestStats> MOST_SOCKETS_FIRST = (a, b) -> {
        int c = Integer.compare(b.count, a.count);
        if (c == 0) {
            c = a.dest.ip().compareTo(b.dest.ip());
        }
        if (c == 0) {
            c = Integer.compare(a.dest.port(), b.dest.port());
        }
        return c != 0 ? c : Boolean.compare(a.dest.inbound(), b.dest.inbound());
    };

    private TcpInfoFamilies() {}

    static void render(Families f, DetailedSockets sockets, ConnectionPeers peers, int top, DestinationLabels destinationLabels) {
        // per server end, keyed by the socket's own Endpoint (equal by address and port): no key made a socket
        Map<Endpoint, DestStats> inbound = new HashMap<>();
        Map<Endpoint, DestStats> outbound = new HashMap<>();
        // the histograms and the sums in one pass over the sockets, each adding in socket order as a pass each would
        Histogram rttH = new Histogram(RTT_BOUNDS);
        Histogram minRttH = new Histogram(RTT_BOUNDS);
        Histogram cwndH = new Histogram(CWND_BOUNDS);
        Histogram rateH = new Histogram(RATE_BOUNDS);
        Histogram retransH = new Histogram(RETRANS_BOUNDS);
        int infos = 0;
        double busy = 0;
        double rwnd = 0;
        double sndbuf = 0;
        boolean limits = false;
        for (int n = 0; n < sockets.size(); n++) {
            if (sockets.state(n) != TcpState.ESTABLISHED || !sockets.hasInfo(n)) {
                continue;
            }
            infos++;
            double rtt = sockets.rttMicros(n) / 1e6;
            rttH.add(rtt);
            if (sockets.hasMinRtt(n)) {
                minRttH.add(sockets.minRttMicros(n) / 1e6);
            }
            long cwnd = sockets.sndCwnd(n);
            if (cwnd >= 0) {
                cwndH.add(cwnd);
            }
            if (sockets.covers(n, TcpInfo.SIZE_4_9)) {
                rateH.add(sockets.deliveryRate(n));
            }
            long totalRetrans = sockets.totalRetrans(n);
            if (totalRetrans >= 0) {
                retransH.add(totalRetrans);
            }
            if (sockets.hasLimitedTimes(n)) {
                limits = true;
                busy += sockets.busyTimeMicros(n) / 1e6;
                rwnd += sockets.rwndLimitedMicros(n) / 1e6;
                sndbuf += sockets.sndbufLimitedMicros(n) / 1e6;
            }
            Endpoint local = sockets.local(n);
            boolean in = peers.inbound(local.ip(), local.port());
            Endpoint end = in ? local : sockets.remote(n);
            Map<Endpoint, DestStats> dests = in ? inbound : outbound;
            DestStats d = dests.get(end);
            if (d == null) {
                d = new DestStats(new ServerEnd(end.ip(), end.port(), in));
                dests.put(end, d);
            }
            d.add(rtt);
            d.retrans += Math.max(0, totalRetrans);
            d.segsOut += Math.max(0, sockets.segsOut(n));
        }
        if (infos == 0) {
            return;
        }
        rttH.render(f, "footgun_tcp_rtt_seconds", "Smoothed RTT of established sockets (tcp_info rtt).");
        minRttH.render(f, "footgun_tcp_min_rtt_seconds", "Minimum RTT seen by established sockets (tcp_info min_rtt, 4.6+).");
        cwndH.render(f, "footgun_tcp_congestion_window_segments", "Congestion window of established sockets.");
        rateH.render(f, "footgun_tcp_delivery_rate_bytes_per_second", "Most recent delivery rate of established sockets (4.9+).");
        retransH.render(f, "footgun_tcp_retransmits", "Segments retransmitted over each established socket's life (tcp_info total_retrans).");
        if (limits) {
            f.gauge("footgun_tcp_busy_seconds", "Time established sockets spent sending, summed over the sockets open now (4.10+).").set(busy).add();
            f.gauge("footgun_tcp_rwnd_limited_seconds", "Time established sockets were limited by the peer's receive window, summed over the sockets open now.")
                    .set(rwnd).add();
            f.gauge("footgun_tcp_sndbuf_limited_seconds", "Time established sockets were limited by their send buffer, summed over the sockets open now.")
                    .set(sndbuf).add();
        }

        List<DestStats> all = new ArrayList<>(inbound.size() + outbound.size());
        all.addAll(inbound.values());
        all.addAll(outbound.values());
        List<DestStats> ranked = top(all, top); // ranked by a total order: which map a server end came from does not matter
        long rest = infos;
        var count = f.gauge("footgun_destination_sockets", "Established sockets with tcp_info per server end (the destination, or for direction=\"inbound\" the local listener "
                + "its clients reached); the top ones, the rest in \"other\".");
        var median = f.gauge("footgun_destination_rtt_median_seconds", "Median smoothed RTT of the established sockets to each top destination.");
        var max = f.gauge("footgun_destination_rtt_max_seconds", "Largest smoothed RTT among the established sockets to each top destination.");
        var retrans = f.gauge("footgun_destination_retransmit_ratio",
                "Retransmitted segments / segments sent over the life of the established sockets to each top destination.");
        for (DestStats st : ranked) {
            ServerEnd d = st.dest;
            String[] labels = {"direction", MetricsRenderer.direction(d.inbound()), "dst_ip", destinationLabels.address(d.ip()),
                "dst_port", Integer.toString(d.port())};
            double[] sorted = Arrays.copyOf(st.rtts, st.count);
            Arrays.sort(sorted);
            rest -= sorted.length;
            count.set(sorted.length, labels);
            median.set(median(sorted), labels);
            max.set(sorted[sorted.length - 1], labels);
            retrans.set(st.segsOut == 0 ? 0 : (double) st.retrans / st.segsOut, labels);
        }
        count.set(rest, "direction", MetricsRenderer.OTHER, "dst_ip", MetricsRenderer.OTHER, "dst_port", MetricsRenderer.OTHER).add();
        median.add();
        max.add();
        retrans.add();
    }

    /**
     * The first {@code k} destinations in {@link #MOST_SOCKETS_FIRST} order, chosen without sorting the
     * rest (a node can talk to thousands): a heap of the best k so far, its worst on top.
     */
    private static List<DestStats> top(java.util.Collection<DestStats> all, int k) {
        if (k <= 0) {
            return List.of();
        }
        java.util.PriorityQueue<DestStats> best = new java.util.PriorityQueue<>(Math.min(k, all.size()) + 1,
                MOST_SOCKETS_FIRST.reversed());
        for (DestStats d : all) {
            if (best.size() < k) {
                best.add(d);
            } else if (MOST_SOCKETS_FIRST.compare(d, best.peek()) < 0) {
                best.poll();
                best.add(d);
            }
        }
        DestStats[] out = best.toArray(new DestStats[0]);
        Arrays.sort(out, MOST_SOCKETS_FIRST);
        return List.of(out);
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static final String GAUGE_HISTOGRAM_HELP = " A gauge histogram of the sockets open now (_bucket, _gcount, _gsum): "
            + "query it as a gauge, never with rate() or increase().";

    /** One gauge histogram being counted: the distribution now, not accumulated over time. */
    private static final class Histogram {
        private final double[] bounds;
        private final long[] counts;
        private double sum;
        private long n;

        Histogram(double[] bounds) {
            this.bounds = bounds;
            this.counts = new long[bounds.length];
        }

        void add(double v) {
            // the first bound at or above v, as Arrays.binarySearch's insertion point (the bounds are few, the last +Inf)
            int b = 0;
            while (v > bounds[b]) {
                b++;
            }
            counts[b]++;
            sum += v;
            n++;
        }

        void render(Families f, String name, String help) {
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
}
