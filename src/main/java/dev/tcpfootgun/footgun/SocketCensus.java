package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.CompactSockets;
import dev.tcpfootgun.snapshot.Endpoint;
import dev.tcpfootgun.snapshot.EphemeralPorts;
import dev.tcpfootgun.snapshot.Family;
import dev.tcpfootgun.snapshot.NodeSnapshot;
import dev.tcpfootgun.snapshot.SocketTable;
import dev.tcpfootgun.snapshot.Sysctls;
import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.snapshot.TcpState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Socket counts derived once per snapshot: by family and state, TIME_WAIT per destination, and
 * ephemeral-port use per (local address, remote address, remote port), the unit in which
 * connect() runs out of ports.
 *
 * @param ports the usable ephemeral range, null when the sysctls could not be read
 * @param portGroups every group with at least one socket on an ephemeral port, most used first
 * @param timeWait TIME_WAIT sockets per remote address and port, most first
 */
public record SocketCensus(
        Map<Family, Map<TcpState, Integer>> byFamilyState,
        EphemeralPorts ports,
        List<PortGroup> portGroups,
        List<DestinationCount> timeWait,
        TimeWaitReuse reuse) {

    /** Sockets towards one destination from one local address whose local ports came from the ephemeral range. */
    public record PortGroup(String srcIp, String dstIp, int dstPort, int inUse, int timeWait, int reusableTimeWait) {
        /** Ports connect() cannot take right now: TIME_WAIT sockets old enough for tcp_tw_reuse do not count. */
        public int blocking() {
            return inUse - reusableTimeWait;
        }

        public String destination() {
            return dstIp.indexOf(':') >= 0 ? "[" + dstIp + "]:" + dstPort : dstIp + ":" + dstPort;
        }
    }

    public record DestinationCount(String dstIp, int dstPort, int count) {}

    /**
     * When connect() may take over a TIME_WAIT socket's port (tcp_tw_reuse): 1 for every destination,
     * 2 (the default) for loopback only, and in both cases only with timestamps on and once the
     * socket is older than tcp_tw_reuse_delay.
     */
    public record TimeWaitReuse(int mode, boolean timestamps, long delayMillis) {
        static TimeWaitReuse of(Sysctls s) {
            if (s == null) {
                return new TimeWaitReuse(0, false, KernelFacts.DEFAULT_TW_REUSE_DELAY_MILLIS);
            }
            int mode = (int) s.number("net.ipv4.tcp_tw_reuse").orElse(0);
            boolean ts = s.number("net.ipv4.tcp_timestamps").orElse(0) != 0;
            long delay = s.number("net.ipv4.tcp_tw_reuse_delay").orElse(KernelFacts.DEFAULT_TW_REUSE_DELAY_MILLIS);
            return new TimeWaitReuse(mode, ts, delay);
        }

        /** Whether connect() may take over the port of a TIME_WAIT socket with this much time left. */
        boolean appliesTo(boolean remoteLoopback, long timerExpiresMillis) {
            if (!timestamps || mode == 0 || (mode == 2 && !remoteLoopback)) {
                return false;
            }
            long ageMillis = KernelFacts.TIME_WAIT_SECONDS * 1000L - timerExpiresMillis;
            return ageMillis >= delayMillis;
        }
    }

    private record GroupKey(String srcIp, String dstIp, int dstPort) {}

    private record DestKey(String dstIp, int dstPort) {}

    public static SocketCensus of(NodeSnapshot snapshot) {
        Sysctls sysctls = snapshot.sysctls().value();
        EphemeralPorts ports = sysctls == null ? null : sysctls.ephemeralPorts().orElse(null);
        TimeWaitReuse reuse = TimeWaitReuse.of(sysctls);
        // counted in arrays, not merged into maps per socket: that would box every count above 127
        int[][] byState = new int[Family.values().length][TcpState.values().length];
        Map<GroupKey, int[]> groups = new HashMap<>();
        Map<DestKey, int[]> tw = new HashMap<>();
        SocketTable table = snapshot.sockets().value();
        for (TcpSocket s : table.open()) {
            byState[s.family().ordinal()][s.state().ordinal()]++;
            if (ports != null && s.state() != TcpState.LISTEN && !s.remote().isUnspecified()
                    && ports.isEphemeral(s.local().port())) {
                groups.computeIfAbsent(new GroupKey(s.local().ip(), s.remote().ip(), s.remote().port()), k -> new int[3])[0]++;
            }
        }
        // the column store (TIME_WAIT, and connections past the detail limit): counted per connection
        // group first, then folded into the maps once per group
        CompactSockets cs = table.compact();
        int[] perGroupTw = new int[cs.groupCount()];
        int[] ephemeral = new int[cs.groupCount()];
        int[] ephemeralTw = new int[cs.groupCount()];
        int[] reusable = new int[cs.groupCount()];
        for (int i = 0; i < cs.size(); i++) {
            int g = cs.group(i);
            TcpState state = cs.state(i);
            boolean timeWait = state == TcpState.TIME_WAIT;
            byState[cs.groupFamily(g).ordinal()][state.ordinal()]++;
            if (timeWait) {
                perGroupTw[g]++;
            }
            if (ports != null && state != TcpState.LISTEN && ports.isEphemeral(cs.localPort(i))) {
                ephemeral[g]++;
                if (timeWait) {
                    ephemeralTw[g]++;
                    if (reuse.appliesTo(cs.groupRemoteIsLoopback(g), cs.timerExpiresMillis(i))) {
                        reusable[g]++;
                    }
                }
            }
        }
        for (int g = 0; g < perGroupTw.length; g++) {
            if (perGroupTw[g] == 0 && ephemeral[g] == 0) {
                continue;
            }
            String dstIp = cs.groupRemoteIp(g);
            int dstPort = cs.groupRemotePort(g);
            if (perGroupTw[g] > 0) {
                tw.computeIfAbsent(new DestKey(dstIp, dstPort), k -> new int[1])[0] += perGroupTw[g];
            }
            if (ephemeral[g] > 0 && !new Endpoint(dstIp, dstPort).isUnspecified()) {
                int[] c = groups.computeIfAbsent(new GroupKey(cs.groupLocalIp(g), dstIp, dstPort), k -> new int[3]);
                c[0] += ephemeral[g];
                c[1] += ephemeralTw[g];
                c[2] += reusable[g];
            }
        }
        Map<Family, Map<TcpState, Integer>> byFamilyState = new EnumMap<>(Family.class);
        for (Family f : Family.values()) {
            for (TcpState st : TcpState.values()) {
                int n = byState[f.ordinal()][st.ordinal()];
                if (n > 0) {
                    byFamilyState.computeIfAbsent(f, k -> new EnumMap<>(TcpState.class)).put(st, n);
                }
            }
        }
        List<PortGroup> portGroups = new ArrayList<>(groups.size());
        groups.forEach((k, c) -> portGroups.add(new PortGroup(k.srcIp, k.dstIp, k.dstPort, c[0], c[1], c[2])));
        portGroups.sort(Comparator.comparingInt(PortGroup::inUse).reversed()
                .thenComparing(PortGroup::dstIp).thenComparingInt(PortGroup::dstPort).thenComparing(PortGroup::srcIp));
        List<DestinationCount> timeWait = new ArrayList<>(tw.size());
        tw.forEach((k, c) -> timeWait.add(new DestinationCount(k.dstIp, k.dstPort, c[0])));
        timeWait.sort(Comparator.comparingInt(DestinationCount::count).reversed()
                .thenComparing(DestinationCount::dstIp).thenComparingInt(DestinationCount::dstPort));
        return new SocketCensus(byFamilyState, ports, List.copyOf(portGroups), List.copyOf(timeWait), reuse);
    }

    /** The group closest to running out: most ports connect() cannot take. Null when there is none. */
    public PortGroup worstPortGroup() {
        PortGroup worst = null;
        for (PortGroup g : portGroups) {
            if (worst == null || g.blocking() > worst.blocking()) {
                worst = g;
            }
        }
        return worst;
    }

    public int count(Family family, TcpState state) {
        return byFamilyState.getOrDefault(family, Map.of()).getOrDefault(state, 0);
    }

    public int count(TcpState state) {
        int n = 0;
        for (Map<TcpState, Integer> m : byFamilyState.values()) {
            n += m.getOrDefault(state, 0);
        }
        return n;
    }
}
