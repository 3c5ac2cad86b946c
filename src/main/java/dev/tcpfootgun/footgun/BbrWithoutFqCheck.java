package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.NetInterface;
import dev.tcpfootgun.snapshot.Sysctls;
import dev.tcpfootgun.snapshot.DetailedSockets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Seed section 10: BBR was built to pace its packets through the fq qdisc. Since Linux 4.13 TCP
 * paces internally when fq is missing, so BBR without fq works at a CPU cost with bursts left
 * between flows (advice: a setting, nothing measured hurting); on an older kernel its pacing has no
 * effect and it sends in bursts: a warning once connections are measured using BBR there (sock_diag
 * INET_DIAG_CONG), advice while only the sysctl names it. An interface counts as fq when every packet
 * it sends meets fq ({@link EgressQdisc}: its root, or every per-queue child of mq/mqprio). CUBIC
 * (or any non-BBR algorithm) on pfifo_fast is fine.
 */
public final class BbrWithoutFqCheck implements Check {

    static final String CONGESTION = "net.ipv4.tcp_congestion_control";
    static final String DEFAULT_QDISC = "net.core.default_qdisc";
    /** Not under net.*: the kernel release the snapshot carries among its sysctls. */
    static final String OSRELEASE = "kernel.osrelease";

    /** Interfaces named in evidence and fix; the rest are counted. */
    static final int SHOWN = 5;

    /** An egress interface whose traffic BBR sends without fq, and what it has instead. */
    record Unpaced(NetInterface link, EgressQdisc qdisc) {}

    @Override
    public Footgun footgun() {
        return Footgun.BBR_WITHOUT_FQ;
    }

    @Override
    public Finding judge(Observation o) {
        Sysctls sysctls = o.now().sysctls().value().orElse(null);
        String algorithm = sysctls == null ? null : sysctls.string(CONGESTION).orElse(null);
        int bbrSockets = o.now().sockets().map(t -> bbrSockets(t.detailed())).orElse(0);
        String defaultQdisc = sysctls == null ? null : sysctls.string(DEFAULT_QDISC).orElse(null);
        if (algorithm == null && bbrSockets == 0) {
            return Finding.unknown(footgun(), sysctls == null ? o.now().sysctls().problem() : sysctls.whyMissing(CONGESTION),
                    () -> Prose.of(fix(List.of(), defaultQdisc)));
        }
        boolean bbrDefault = isBbr(algorithm);
        if (!bbrDefault && bbrSockets == 0) {
            return Finding.of(footgun(), 0, false, Finding.Explanation.later(() -> {
                List<String> evidence = new ArrayList<>();
                evidence.add(using(algorithm, bbrSockets));
                evidence.add("no connection uses BBR, so nothing relies on fq for pacing");
                return Finding.Explanation.of(Prose.words(evidence), Prose.of(fix(List.of(), defaultQdisc)));
            }));
        }

        List<NetInterface> links = o.now().interfaces().value().orElse(null);
        Map<Integer, EgressQdisc> qdiscs = o.egressQdiscs().orElse(null);
        if (links == null || qdiscs == null) {
            String missing = links == null ? o.now().interfaces().problem() : o.now().qdiscs().problem();
            return Finding.unknown(footgun(), missing, () -> Prose.of(fix(List.of(), defaultQdisc)));
        }
        List<Unpaced> unpaced = new ArrayList<>();
        List<String> onFq = new ArrayList<>();
        for (NetInterface link : links) {
            if (!Links.isEgress(link)) {
                continue;
            }
            EgressQdisc q = qdiscs.getOrDefault(link.ifindex(), EgressQdisc.NONE);
            if (q.paced()) {
                onFq.add(link.name());
            } else {
                unpaced.add(new Unpaced(link, q));
            }
        }
        if (unpaced.isEmpty()) {
            return Finding.of(footgun(), 0, false, Finding.Explanation.later(() -> {
                List<String> evidence = new ArrayList<>();
                evidence.add(using(algorithm, bbrSockets));
                if (!onFq.isEmpty()) {
                    evidence.add("on fq: " + Links.names(onFq, SHOWN));
                } else {
                    evidence.add("no interface but loopback is up: nothing leaves this namespace");
                }
                return Finding.Explanation.of(Prose.words(evidence), Prose.of(fix(unpaced, defaultQdisc)));
            }));
        }
        Optional<KernelRelease> release = sysctls == null ? Optional.empty()
                : KernelRelease.parse(sysctls.string(OSRELEASE).orElse(null));
        // measured: connections are using BBR where nothing paces them
        boolean unpacedKernel = release.isPresent() && !release.get().atLeast(KernelFacts.TCP_INTERNAL_PACING_SINCE);
        double risk = unpacedKernel && bbrSockets > 0 ? Status.WARN_AT : 0;
        return Finding.of(footgun(), risk, true, Finding.Explanation.later(() -> Finding.Explanation.of(
                Prose.words(evidence(sysctls, algorithm, bbrSockets, defaultQdisc, onFq, unpaced, release)),
                Prose.of(fix(unpaced, defaultQdisc)))));
    }

    /** "net.ipv4.tcp_congestion_control=bbr; 3 connections use BBR", or the connections alone without the sysctl. */
    private static String using(String algorithm, int bbrSockets) {
        if (algorithm != null) {
            return CONGESTION + "=" + algorithm + (bbrSockets > 0
                    ? "; " + bbrSockets + (bbrSockets == 1 ? " connection uses" : " connections use") + " BBR"
                    : "");
        }
        return bbrSockets + (bbrSockets == 1 ? " connection uses" : " connections use") + " BBR";
    }

    private static List<String> evidence(Sysctls sysctls, String algorithm, int bbrSockets, String defaultQdisc, List<String> onFq,
            List<Unpaced> unpaced, Optional<KernelRelease> release) {
        List<String> evidence = new ArrayList<>();
        evidence.add(using(algorithm, bbrSockets));
        if (!onFq.isEmpty()) {
            evidence.add("on fq: " + Links.names(onFq, SHOWN));
        }
        evidence.add("BBR sends without fq through " + Links.names(
                unpaced.stream().map(u -> u.link().name() + " (root " + u.qdisc().describe() + ")").toList(), SHOWN));
        if (defaultQdisc != null) {
            evidence.add(DEFAULT_QDISC + "=" + defaultQdisc + (defaultQdisc.equals("fq") ? "" : ": new interfaces start without fq too"));
        }
        if (release.isEmpty()) {
            evidence.add("kernel release unknown: assumed " + KernelFacts.TCP_INTERNAL_PACING_SINCE
                    + " or newer, where TCP paces internally without fq (at a CPU cost, and bursts between flows remain)");
        } else if (release.get().atLeast(KernelFacts.TCP_INTERNAL_PACING_SINCE)) {
            evidence.add("kernel " + sysctls.string(OSRELEASE).orElseThrow() + " paces TCP internally (since "
                    + KernelFacts.TCP_INTERNAL_PACING_SINCE + "): BBR works, but pacing costs a high-resolution timer per "
                    + "connection in CPU time and bursts between flows remain");
        } else {
            evidence.add("kernel " + sysctls.string(OSRELEASE).orElseThrow() + " predates TCP internal pacing ("
                    + KernelFacts.TCP_INTERNAL_PACING_SINCE + "): without fq BBR's pacing has no effect and it sends in bursts"
                    + (release.get().atLeast(KernelFacts.BBR_SINCE) ? ""
                            : "; before " + KernelFacts.BBR_SINCE + " BBR does not exist and the kernel silently keeps CUBIC"));
        }
        return evidence;
    }

    /** Connections to other hosts whose congestion control is BBR (INET_DIAG_CONG; absent from procfs). */
    static int bbrSockets(DetailedSockets sockets) {
        if (sockets == null) {
            return 0;
        }
        int n = 0;
        for (int i = 0; i < sockets.size(); i++) {
            // congestion first: TIME_WAIT sockets have none
            String congestion = sockets.congestion(i);
            if (congestion != null && !sockets.isListening(i) && !sockets.remote(i).isLoopback() && isBbr(congestion)) {
                n++;
            }
        }
        return n;
    }

    static boolean isBbr(String algorithm) {
        return algorithm != null && algorithm.strip().toLowerCase(Locale.ROOT).startsWith("bbr");
    }

    private static String fix(List<Unpaced> unpaced, String defaultQdisc) {
        List<String> commands = new ArrayList<>();
        for (Unpaced u : unpaced.stream().limit(SHOWN).toList()) {
            commands.add(u.qdisc().multiqueue()
                    ? "tc qdisc del dev " + u.link().name() + " root (the kernel re-attaches " + u.qdisc().root()
                            + " with the default qdisc, fq, on every queue)"
                    : "tc qdisc replace dev " + u.link().name() + " root fq");
        }
        String perInterface = commands.isEmpty() ? "tc qdisc replace dev <egress> root fq"
                : String.join("; ", commands) + (unpaced.size() > SHOWN ? "; and the same for " + (unpaced.size() - SHOWN) + " more" : "");
        return "Make fq the default qdisc: sysctl -w " + DEFAULT_QDISC + "=fq"
                + (defaultQdisc == null || defaultQdisc.equals("fq") ? "" : " (now " + defaultQdisc + ")")
                + ", persisted in /etc/sysctl.d/ (NetworkManager: nmcli connection modify <connection> tc.qdisc \"root fq\"). "
                + "Then put fq under BBR on each egress interface: " + perInterface + ". "
                + "fq needs sch_fq (CONFIG_NET_SCH_FQ): if tc answers \"Unknown qdisc\", this kernel lacks it; then rely on "
                + "TCP internal pacing or use sysctl -w " + CONGESTION + "=cubic. Check with tc qdisc show.";
    }
}
