package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.CompactSockets;
import dev.tcpfootgun.snapshot.DetailedSockets;
import dev.tcpfootgun.snapshot.Endpoint;
import dev.tcpfootgun.snapshot.EphemeralPorts;
import dev.tcpfootgun.snapshot.Family;
import dev.tcpfootgun.snapshot.NodeSnapshot;
import dev.tcpfootgun.snapshot.SocketTable;
import dev.tcpfootgun.snapshot.Sysctls;
import dev.tcpfootgun.snapshot.TcpState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Socket counts derived once per snapshot: by family and state, TIME_WAIT per destination, and the
 * ephemeral ports connect() cannot take per (local address, remote address, remote port), the unit
 * in which connect() runs out of ports.
 *
 * <p>The port rule is the kernel's {@code __inet_hash_connect} (net/ipv4/inet_hashtables.c): it
 * skips every port whose bind bucket was made or joined by bind() ({@code tb->fastreuse >= 0 ||
 * tb->fastreuseport >= 0}), for every destination, and takes any other port whose 4-tuple is unique
 * ({@code __inet_check_established}), a TIME_WAIT socket of that 4-tuple giving way when
 * {@code tcp_twsk_unique} allows it. Userspace sees which sockets got their port through bind() only
 * for listeners and unconnected (bound-inactive) sockets; for a connection it cannot (sock_diag and
 * /proc show no bucket state, and the BC_AUTO filter sees only an explicit port). So a connection
 * counts as made by connect() when another connection from the same local address to another
 * destination shares its port (bind() never hands out a port in use there), and otherwise its port is
 * counted as lost to every other destination, as if bind() had made it: never more headroom than
 * the kernel gives.
 *
 * @param ports the usable ephemeral range, null when the sysctls could not be read
 * @param portGroups every group with at least one socket on an ephemeral port, most used first
 * @param timeWait TIME_WAIT sockets per server end, most first: the remote address and port of outbound
 *     connections, the local listener of inbound ones (never a client's ephemeral port)
 * @param bound ephemeral ports held through bind(), lost to every destination
 * @param unseenOrigin ephemeral ports held only by connections whose origin cannot be seen (see above)
 */
public record SocketCensus(
        Map<Family, Map<TcpState, Integer>> byFamilyState,
        EphemeralPorts ports,
        List<PortGroup> portGroups,
        List<DestinationCount> timeWait,
        TimeWaitReuse reuse,
        BoundPorts bound,
        int unseenOrigin) {

    /**
     * Sockets towards one destination from one local address whose local ports came from the ephemeral range.
     *
     * @param lost ports connect() to this destination cannot take: held through bind(), held by this group
     *     (TIME_WAIT ports tcp_tw_reuse gives back excepted), or held by other connections of unseen origin
     * @param heldElsewhere of {@code lost}, the ports held only by other destinations' connections of unseen origin
     * @param free ports connect() to this destination can still take: the usable range minus {@code lost}
     */
    public record PortGroup(String srcIp, String dstIp, int dstPort, int inUse, int timeWait, int reusableTimeWait,
            int lost, int heldElsewhere, int free) {
        /** Ports connect() to this destination cannot take right now. */
        public int blocking() {
            return lost;
        }

        /** The headroom: new connections per second this group can sustain, its free ports over TIME_WAIT's length. */
        public double headroomPerSecond() {
            return free / (double) KernelFacts.TIME_WAIT_SECONDS;
        }

        public Endpoint destination() {
            return new Endpoint(dstIp, dstPort);
        }
    }

    /**
     * TIME_WAIT sockets towards one server end.
     *
     * @param inbound true when the server end is this node's ({@code dstIp:dstPort} is the local listener and
     *     the sockets are its clients'), false for connections this node opened
     */
    public record DestinationCount(String dstIp, int dstPort, boolean inbound, int count) {}

    /**
     * Ephemeral ports held through bind(), and what holds them.
     *
     * @param ports distinct ports
     * @param listeners listening sockets on them
     * @param unconnected sockets that only called bind() (bound-inactive)
     */
    public record BoundPorts(int ports, int listeners, int unconnected) {}

    /**
     * When connect() may take over a TIME_WAIT socket's port ({@code tcp_twsk_unique}, tcp_tw_reuse): 1 for
     * every destination, 2 (the default) when either address is loopback, and in both cases only with
     * timestamps on and once the socket has been in TIME_WAIT longer than tcp_tw_reuse_delay.
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
        boolean appliesTo(boolean loopback, long timerExpiresMillis) {
            if (!mayApply(loopback)) {
                return false;
            }
            long ageMillis = KernelFacts.TIME_WAIT_SECONDS * 1000L - timerExpiresMillis;
            return ageMillis > delayMillis; // time_after32(now, entry + delay)
        }

        /** Whether the rule may apply to a TIME_WAIT socket between these addresses once it is old enough. */
        boolean mayApply(boolean loopback) {
            return timestamps && mode != 0 && (mode != 2 || loopback);
        }
    }

    // equals and hashCode written out: a record's generated ones are method-handle chains under the C1-only JIT
    private record GroupKey(String srcIp, String dstIp, int dstPort) {
        @Override
        public boolean equals(Object o) {
            return o instanceof GroupKey k && dstPort == k.dstPort && dstIp.equals(k.dstIp) && srcIp.equals(k.srcIp);
        }

        @Override
        public int hashCode() {
            return (srcIp.hashCode() * 31 + dstIp.hashCode()) * 31 + dstPort;
        }
    }

    private static final TcpState[] STATES = TcpState.values();
    private static final int TIME_WAIT = TcpState.TIME_WAIT.ordinal();
    /** {@link #boundOnly} of each state with a peer, by ordinal. */
    private static final boolean[] BOUND_ONLY = new boolean[STATES.length];

    static {
        for (TcpState st : STATES) {
            BOUND_ONLY[st.ordinal()] = boundOnly(st, false);
        }
    }

    public static SocketCensus of(NodeSnapshot snapshot) {
        SocketTable table = snapshot.sockets().value().orElseThrow();
        return of(snapshot, () -> ConnectionPeers.of(table.detailed().listeners(), ephemeralPorts(snapshot)));
    }

    /** The usable ephemeral range the census counts in, null when the sysctls could not be read. */
    static EphemeralPorts ephemeralPorts(NodeSnapshot snapshot) {
        Sysctls sysctls = snapshot.sysctls().value().orElse(null);
        return sysctls == null ? null : sysctls.ephemeralPorts().orElse(null);
    }

    /** @param rangedPeers the snapshot's peers by listening ports and {@link #ephemeralPorts}, asked only when a server's TIME_WAIT needs them */
    static SocketCensus of(NodeSnapshot snapshot, Supplier<ConnectionPeers> rangedPeers) {
        Sysctls sysctls = snapshot.sysctls().value().orElse(null);
        EphemeralPorts ports = ephemeralPorts(snapshot);
        TimeWaitReuse reuse = TimeWaitReuse.of(sysctls);
        // counted in arrays, not merged into maps per socket: that would box every count above 127
        int[][] byState = new int[Family.values().length][TcpState.values().length];
        Map<ServerEnd, int[]> tw = new HashMap<>();
        SocketTable table = snapshot.sockets().value().orElseThrow();
        DetailedSockets open = table.detailed();
        CompactSockets cs = table.compact();
        Ledger ledger = ports == null ? null : new Ledger(ports, open.size() + cs.size());
        boolean[] ephemeral = ledger == null ? null : ledger.ephemeral;
        // the ports something listens on, as bits: a TIME_WAIT socket on another port asks ConnectionPeers nothing
        long[] listened = new long[65536 / 64];
        // the open sockets' ledger groups, and the column store's group to ledger group: both passes use them
        int[] openGroup = new int[open.size()];
        int[] compactGroup = new int[cs.groupCount()];
        Arrays.fill(compactGroup, Ledger.NONE);
        for (int i = 0; i < open.size(); i++) {
            TcpState state = open.state(i);
            Endpoint local = open.local(i);
            byState[open.family(i).ordinal()][state.ordinal()]++;
            openGroup[i] = Ledger.NONE;
            if (state == TcpState.LISTEN) {
                listened[local.port() >>> 6] |= 1L << local.port();
            }
            if (ledger != null && ephemeral[local.port()]) {
                Endpoint remote = open.remote(i);
                if (boundOnly(state, remote.isUnspecified())) {
                    ledger.bound(local.port(), state);
                } else {
                    openGroup[i] = ledger.group(local.ip(), remote.ip(), remote.port());
                    ledger.hold(openGroup[i], local.port(), state == TcpState.TIME_WAIT, reusable(reuse, open, i));
                }
            }
        }
        // the column store (TIME_WAIT, and connections past the detail limit): what a socket's group
        // decides (family, addresses, whether tcp_tw_reuse may apply) is looked up once per group, not once
        // per socket, and a socket's own work is inline array updates, not calls (C1 inlines next to nothing)
        int groups = cs.groupCount();
        int[] groupFamily = new int[groups];
        String[] groupLocalIp = new String[groups];
        boolean[] groupReuse = new boolean[groups];
        boolean[] groupNoPeer = new boolean[groups];
        for (int g = 0; g < groups; g++) {
            groupFamily[g] = cs.groupFamily(g).ordinal();
            groupLocalIp[g] = cs.groupLocalIp(g);
            groupReuse[g] = reuse.mayApply(cs.groupIsLoopback(g));
            groupNoPeer[g] = cs.groupRemoteIsUnspecified(g);
        }
        long reuseDelay = reuse.delayMillis();
        int[] perGroupTw = new int[groups];
        // a group's sockets counted here, added to its ledger group after the pass
        int[] groupHeld = new int[groups];
        int[] groupTimeWait = new int[groups];
        int[] groupReusable = new int[groups];
        CompactSockets.Columns columns = cs.columns();
        int[] colGroup = columns.group();
        char[] colPort = columns.localPort();
        byte[] colState = columns.state();
        char[] colExpires = columns.timerExpiresMillis();
        int[] byFamily = new int[byState.length * STATES.length];
        ConnectionPeers peers = null;
        boolean byPort = ledger != null && ledger.byPort();
        int portLow = ledger == null ? 0 : ledger.low;
        long[] first = ledger == null ? null : ledger.first;
        byte[] flags = ledger == null ? null : ledger.flags;
        for (int i = 0; i < columns.size(); i++) {
            int g = colGroup[i];
            int st = colState[i];
            int port = colPort[i];
            boolean timeWait = st == TIME_WAIT;
            byFamily[groupFamily[g] * STATES.length + st]++;
            if (timeWait) {
                boolean inbound;
                if ((listened[port >>> 6] & (1L << port)) != 0) {
                    if (peers == null) {
                        peers = rangedPeers.get();
                    }
                    inbound = peers.inbound(groupLocalIp[g], port);
                } else {
                    inbound = ephemeral != null && !ephemeral[port]; // ConnectionPeers.inbound's answer off a listened port
                }
                if (inbound) {
                    // a server's TIME_WAIT: counted under its listener, so client ports never become keys
                    tw.computeIfAbsent(new ServerEnd(groupLocalIp[g], port, true), k -> new int[1])[0]++;
                } else {
                    perGroupTw[g]++;
                }
            }
            if (ledger == null || !ephemeral[port]) {
                continue;
            }
            if (groupNoPeer[g] || BOUND_ONLY[st]) {
                ledger.bound(port, STATES[st]);
                continue;
            }
            int lg = compactGroup[g];
            if (lg == Ledger.NONE) {
                lg = ledger.group(groupLocalIp[g], cs.groupRemoteIp(g), cs.groupRemotePort(g));
                compactGroup[g] = lg;
            }
            // TimeWaitReuse.appliesTo, its per-group part in groupReuse
            boolean isReusable = timeWait && groupReuse[g] && KernelFacts.TIME_WAIT_SECONDS * 1000L - colExpires[i] > reuseDelay;
            groupHeld[g]++;
            if (timeWait) {
                groupTimeWait[g]++;
            }
            if (isReusable) {
                groupReusable[g]++;
            }
            // Ledger.hold's common case inline: the port's first group holds one more socket on it
            int p = port - portLow;
            int e = byPort ? p : ledger.entry(p);
            long held = first[e];
            if ((int) held == 0) {
                held = lg + 1;
            }
            if ((int) held == lg + 1 && (held & Ledger.HELD_MASK) != Ledger.HELD_MASK) {
                first[e] = held + (isReusable ? Ledger.ONE_HELD | Ledger.ONE_REUSABLE : Ledger.ONE_HELD);
            } else if ((int) held != lg + 1) {
                // a later group's socket, as Ledger.holdOnEntry charges it
                int firstLg = (int) held - 1;
                byte f = (byte) (flags[e] | (ledger.source[firstLg] == ledger.source[lg] ? Ledger.SHARED : Ledger.MIXED));
                if ((f & Ledger.BOUND) == 0 && Ledger.connectMade(p, f)) {
                    if (!isReusable) {
                        ledger.sharedLost[lg]++;
                    }
                    f |= Ledger.CHARGED;
                }
                flags[e] = f;
            } else {
                ledger.holdOnEntry(e, p, lg, isReusable); // the first group's count is full
            }
        }
        for (int g = 0; g < groups; g++) {
            if (groupHeld[g] > 0) {
                ledger.count(compactGroup[g], groupHeld[g], groupTimeWait[g], groupReusable[g]);
            }
            if (perGroupTw[g] > 0) {
                tw.computeIfAbsent(new ServerEnd(cs.groupRemoteIp(g), cs.groupRemotePort(g), false), k -> new int[1])[0] += perGroupTw[g];
            }
        }
        for (int f = 0; f < byState.length; f++) {
            for (int st = 0; st < STATES.length; st++) {
                byState[f][st] += byFamily[f * STATES.length + st];
            }
        }
        List<PortGroup> portGroups = List.of();
        BoundPorts bound = new BoundPorts(0, 0, 0);
        int unseen = 0;
        if (ledger != null) {
            int[] boundAndUnseen = ledger.boundAndUnseen();
            if (!ledger.settled()) {
                // second pass: a port's holders changed what earlier holders lose after they were charged
                ledger.clearCharges();
                for (int i = 0; i < open.size(); i++) {
                    if (openGroup[i] != Ledger.NONE) {
                        ledger.charge(openGroup[i], open.local(i).port(), reusable(reuse, open, i));
                    }
                }
                for (int i = 0; i < columns.size(); i++) {
                    int g = colGroup[i];
                    int port = colPort[i];
                    if (ephemeral[port] && !groupNoPeer[g] && !BOUND_ONLY[colState[i]]) {
                        ledger.charge(compactGroup[g], port, colState[i] == TIME_WAIT && groupReuse[g]
                                && KernelFacts.TIME_WAIT_SECONDS * 1000L - colExpires[i] > reuseDelay);
                    }
                }
            }
            portGroups = ledger.groups(boundAndUnseen[0], boundAndUnseen[1]);
            bound = ledger.boundPorts(boundAndUnseen[0]);
            unseen = boundAndUnseen[1];
            ledger.release();
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
        DestinationCount[] timeWait = new DestinationCount[tw.size()];
        int n = 0;
        for (Map.Entry<ServerEnd, int[]> e : tw.entrySet()) {
            ServerEnd k = e.getKey();
            timeWait[n++] = new DestinationCount(k.ip(), k.port(), k.inbound(), e.getValue()[0]);
        }
        Arrays.sort(timeWait, MOST_TIME_WAIT_FIRST);
        return new SocketCensus(byFamilyState, ports, portGroups, List.of(timeWait), reuse, bound, unseen);
    }

    /** A socket that holds a port without a peer: a listener, or one that only called bind(). Only bind() gives those a port. */
    private static boolean boundOnly(TcpState state, boolean remoteUnspecified) {
        return state == TcpState.LISTEN || state == TcpState.BOUND_INACTIVE || state == TcpState.CLOSE || remoteUnspecified;
    }

    /** Whether connect() may take this socket's port back under tcp_tw_reuse: a TIME_WAIT socket the rule applies to. */
    private static boolean reusable(TimeWaitReuse reuse, DetailedSockets d, int i) {
        return d.state(i) == TcpState.TIME_WAIT
                && reuse.appliesTo(d.local(i).isLoopback() || d.remote(i).isLoopback(), d.timerExpiresMillis(i));
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

    /** Ports a connect() to a destination no socket uses yet cannot take. */
    public int lostToNewDestination() {
        return bound.ports() + unseenOrigin;
    }

    /** Ports a connect() to a destination no socket uses yet can take; 0 without the range. */
    public int freeForNewDestination() {
        return ports == null ? 0 : Math.max(0, ports.usable() - lostToNewDestination());
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

    /**
     * Who holds each ephemeral port, and what each group loses to them. A port's first group is charged
     * from per-port counts once every holder is known; a later group's socket is charged as it is held,
     * as it would be once all are known unless the port later turns bound or mixed (odd ports): then
     * a second pass over the sockets charges every socket again. Only the ports sockets hold have an entry: a small
     * node's census touches a few thousand ports, not the whole range, so what it allocates and scans
     * grows with its sockets (a hash table up to half the range, the range itself beyond).
     */
    private static final class Ledger {
        static final int NONE = -1;
        static final byte BOUND = 1;
        static final byte SHARED = 2; // connections from one local address to two destinations: made by connect()
        static final byte MIXED = 4; // connections from different local addresses: bind() may share those
        static final byte CHARGED = 8; // a later group's socket was charged as it was held

        private final EphemeralPorts ports;
        /** {@link EphemeralPorts#mask()}: every pass over the sockets looks ports up in it. */
        final boolean[] ephemeral;
        final int low;
        /** Per entry, the port's index from the range's low end plus one (0: a free entry); null when entries are indexed by port. */
        private final int[] index;
        private final int shift;
        /**
         * Per entry, its first holder's group plus one (low 32 bits; 0: no connection holds it, only bind()), the
         * sockets of that group on it (the next 16) and of those the ones tcp_tw_reuse gives back (the top 16): one
         * a 4-tuple, so 16 bits (a count that would pass 65535 leaves the charges to the second pass). One long, so a
         * socket's pass touches one place a port, not three arrays.
         */
        final long[] first;
        static final long ONE_HELD = 1L << 32;
        static final long ONE_REUSABLE = 1L << 48;
        static final long HELD_MASK = 0xffffL << 32;
        final byte[] flags;
        /** Whether the charges made as sockets were held are final: no later group's port turned bound or mixed. */
        private boolean settled = true;
        private final Map<GroupKey, Integer> ids = new HashMap<>();
        private final List<GroupKey> keys = new ArrayList<>();
        private final Map<String, Integer> sources = new HashMap<>();
        int[] source = new int[16];
        private int[] inUse = new int[16];
        private int[] timeWait = new int[16];
        private int[] reusable = new int[16];
        int[] sharedLost = new int[16];
        private int[] ownUnseen = new int[16];
        private int[] ownUnseenFree = new int[16];
        private int listeners;
        private int unconnected;

        /** @param holders at most how many sockets will hold or bind a port: the table never fills past half */
        Ledger(EphemeralPorts ports, int holders) {
            this.ports = ports;
            this.ephemeral = ports.mask();
            this.low = ports.range().low();
            int size = ports.range().size();
            int bits = 4;
            while (bits < 16 && (1 << bits) < 2L * holders) { // 2^16 covers any range: then entries go by port
                bits++;
            }
            if ((1 << bits) >= size) {
                index = null;
                shift = 0;
                Table spare = SPARE.getAndSet(null);
                boolean fits = spare != null && spare.first.length == size;
                first = fits ? spare.first : new long[size];
                flags = fits ? spare.flags : new byte[size];
            } else {
                index = new int[1 << bits];
                shift = 32 - bits;
                first = new long[1 << bits];
                flags = new byte[1 << bits];
            }
        }

        /**
         * A table indexed by port that a census has finished with, zeroed: the next census of a node as busy
         * takes it instead of allocating one (the range's 8 KiB to 512 KiB a census, in a young generation of
         * 2.5 MiB, copied and promoted with the rest of the scrape). One spare: censuses that overlap allocate.
         */
        private record Table(long[] first, byte[] flags) {}

        private static final AtomicReference<Table> SPARE = new AtomicReference<>();

        /** Gives a table indexed by port back, zeroed, once nothing reads it (the hashed ones are small: garbage). */
        void release() {
            if (index == null) {
                Arrays.fill(first, 0);
                Arrays.fill(flags, (byte) 0);
                SPARE.set(new Table(first, flags));
            }
        }

        /** The entry of the port at {@code i} from the range's low end, made if it has none. */
        int entry(int i) {
            if (index == null) {
                return i;
            }
            int mask = index.length - 1;
            for (int e = (i * 0x9E3779B1) >>> shift; ; e = (e + 1) & mask) {
                int k = index[e];
                if (k == i + 1) {
                    return e;
                }
                if (k == 0) {
                    index[e] = i + 1;
                    return e;
                }
            }
        }

        /** The port index from the range's low end of a used entry. */
        private int portIndex(int e) {
            return index == null ? e : index[e] - 1;
        }

        int group(String srcIp, String dstIp, int dstPort) {
            GroupKey key = new GroupKey(srcIp, dstIp, dstPort);
            Integer id = ids.get(key);
            if (id != null) {
                return id;
            }
            int g = keys.size();
            keys.add(key);
            ids.put(key, g);
            if (g == inUse.length) {
                int n = g * 2;
                source = Arrays.copyOf(source, n);
                inUse = Arrays.copyOf(inUse, n);
                timeWait = Arrays.copyOf(timeWait, n);
                reusable = Arrays.copyOf(reusable, n);
                sharedLost = Arrays.copyOf(sharedLost, n);
                ownUnseen = Arrays.copyOf(ownUnseen, n);
                ownUnseenFree = Arrays.copyOf(ownUnseenFree, n);
            }
            source[g] = sources.computeIfAbsent(srcIp, k -> sources.size());
            return g;
        }

        void bound(int port, TcpState state) {
            flags[entry(port - low)] |= BOUND;
            if (state == TcpState.LISTEN) {
                listeners++;
            } else {
                unconnected++;
            }
        }

        void hold(int g, int port, boolean isTimeWait, boolean isReusable) {
            count(g, 1, isTimeWait ? 1 : 0, isReusable ? 1 : 0);
            int p = port - low;
            int e = entry(p);
            long held = first[e];
            if ((int) held == 0) {
                held = g + 1;
            }
            if ((int) held == g + 1 && (held & HELD_MASK) != HELD_MASK) {
                first[e] = held + (isReusable ? ONE_HELD | ONE_REUSABLE : ONE_HELD);
            } else {
                holdOnEntry(e, p, g, isReusable);
            }
        }

        /** Adds sockets to a group's counts; the census's pass over the column store adds each group's once. */
        void count(int g, int held, int isTimeWait, int isReusable) {
            inUse[g] += held;
            timeWait[g] += isTimeWait;
            reusable[g] += isReusable;
        }

        /** Whether entries are indexed by port (from the range's low end), not through the hash table. */
        boolean byPort() {
            return index == null;
        }

        /**
         * A socket of group {@code g} on entry {@code e} (port index {@code p}) that {@link #hold}'s common case
         * did not take: a later group's, or its first group's past what a char counts.
         */
        void holdOnEntry(int e, int p, int g, boolean isReusable) {
            int firstG = (int) first[e] - 1;
            if (firstG == g) {
                settled = false; // its count is full
                return;
            }
            byte f = (byte) (flags[e] | (source[firstG] == source[g] ? SHARED : MIXED));
            // a later group's socket: what charge() would give it if the port's flags stay as they are now
            if ((f & BOUND) == 0 && connectMade(p, f)) {
                if (!isReusable) {
                    sharedLost[g]++;
                }
                f |= CHARGED;
            }
            flags[e] = f;
        }

        /** Forgets the charges, for a second pass of charge() over every socket. */
        void clearCharges() {
            Arrays.fill(sharedLost, 0);
            Arrays.fill(ownUnseen, 0);
            Arrays.fill(ownUnseenFree, 0);
        }

        boolean settled() {
            return settled;
        }

        void charge(int g, int port, boolean isReusable) {
            int p = port - low;
            byte f = flags[entry(p)];
            if ((f & BOUND) != 0) {
                return; // counted once, for every group
            }
            if (connectMade(p, f)) {
                if (!isReusable) {
                    sharedLost[g]++;
                }
            } else if ((f & MIXED) == 0) {
                ownUnseen[g]++;
                if (isReusable) {
                    ownUnseenFree[g]++;
                }
            }
        }

        /**
         * Whether the connections on the port at {@code index} from the range's low end got it from connect(): it
         * has the low end's parity, which connect() scans first and bind(0) last (inet_csk_find_open_port does
         * "the opposite choice"), or connections from one local address to two destinations share it, which
         * bind() never hands out.
         */
        static boolean connectMade(int index, byte f) {
            return (index & 1) == 0 || ((f & SHARED) != 0 && (f & MIXED) == 0);
        }

        /**
         * Ports held through bind() ({@code [0]}) and ports held by connections only, none of them shown to be
         * made by connect() ({@code [1]}): one pass over the entries.
         */
        int[] boundAndUnseen() {
            int bound = 0;
            int unseen = 0;
            for (int e = 0; e < flags.length; e++) {
                byte f = flags[e];
                long held = first[e];
                int firstG = (int) held - 1;
                int firstHeld = (int) (held >>> 32) & 0xffff;
                int firstReusable = (int) (held >>> 48);
                if ((f & BOUND) != 0) {
                    bound++;
                    settled &= (f & CHARGED) == 0;
                } else if (firstG == NONE) {
                    continue;
                } else if (connectMade(portIndex(e), f)) {
                    sharedLost[firstG] += firstHeld - firstReusable;
                } else {
                    unseen++;
                    settled &= (f & CHARGED) == 0;
                    if ((f & MIXED) == 0) {
                        ownUnseen[firstG] += firstHeld;
                        ownUnseenFree[firstG] += firstReusable;
                    }
                }
            }
            return new int[] {bound, unseen};
        }

        BoundPorts boundPorts(int ports) {
            return new BoundPorts(ports, listeners, unconnected);
        }

        List<PortGroup> groups(int bound, int unseen) {
            int usable = ports.usable(); // once: it counts the reserved ports in a fresh BitSet
            PortGroup[] out = new PortGroup[keys.size()];
            for (int g = 0; g < keys.size(); g++) {
                GroupKey k = keys.get(g);
                int elsewhere = unseen - ownUnseen[g];
                int lost = bound + elsewhere + (ownUnseen[g] - ownUnseenFree[g]) + sharedLost[g];
                out[g] = new PortGroup(k.srcIp(), k.dstIp(), k.dstPort(), inUse[g], timeWait[g], reusable[g], lost, elsewhere,
                        Math.max(0, usable - lost));
            }
            return List.of(mostUsedFirst(out));
        }
    }

    /**
     * The groups in {@link #MOST_USED_FIRST} order, sorted as longs: the addresses ranked once (a few distinct
     * ones), then each group's (sockets, destination, port, source, index) packed into one long in as many bits as
     * each needs, so the sort compares longs instead of calling the comparator and String.compareTo (at 1k sockets,
     * 250 groups, that sort was a third of the census's time under C1). The comparator sorts what does not fit 63 bits.
     */
    static PortGroup[] mostUsedFirst(PortGroup[] groups) {
        Map<String, Integer> rank = new HashMap<>();
        int most = 0;
        for (PortGroup g : groups) {
            most = Math.max(most, g.inUse());
            rank.putIfAbsent(g.srcIp(), 0);
            rank.putIfAbsent(g.dstIp(), 0);
        }
        int useBits = bits(most);
        int rankBits = bits(rank.size() - 1);
        int indexBits = bits(groups.length - 1);
        if (useBits + 2 * rankBits + 16 + indexBits > 63) {
            Arrays.sort(groups, MOST_USED_FIRST);
            return groups;
        }
        String[] addresses = rank.keySet().toArray(new String[0]);
        Arrays.sort(addresses);
        for (int i = 0; i < addresses.length; i++) {
            rank.put(addresses[i], i);
        }
        int srcShift = indexBits;
        int portShift = srcShift + rankBits;
        int dstShift = portShift + 16;
        int useShift = dstShift + rankBits;
        long[] key = new long[groups.length];
        for (int g = 0; g < groups.length; g++) {
            PortGroup pg = groups[g];
            key[g] = (long) (most - pg.inUse()) << useShift | (long) rank.get(pg.dstIp()) << dstShift
                    | (long) pg.dstPort() << portShift | (long) rank.get(pg.srcIp()) << srcShift | g;
        }
        Arrays.sort(key);
        long indexMask = (1L << indexBits) - 1;
        PortGroup[] out = new PortGroup[groups.length];
        for (int i = 0; i < key.length; i++) {
            out[i] = groups[(int) (key[i] & indexMask)];
        }
        return out;
    }

    /** Bits that hold every value from 0 to {@code max}. */
    private static int bits(int max) {
        return 32 - Integer.numberOfLeadingZeros(Math.max(0, max));
    }

    /** Most sockets first, then by destination and source: one comparator, not a chain of four lambdas per comparison. */
    private static final Comparator<PortGroup> MOST_USED_FIRST = (a, b) -> {
        int c = Integer.compare(b.inUse(), a.inUse());
        if (c == 0) {
            c = a.dstIp().compareTo(b.dstIp());
        }
        if (c == 0) {
            c = Integer.compare(a.dstPort(), b.dstPort());
        }
        return c != 0 ? c : a.srcIp().compareTo(b.srcIp());
    };

    /** Most TIME_WAIT first, then by server end. */
    private static final Comparator<DestinationCount> MOST_TIME_WAIT_FIRST = (a, b) -> {
        int c = Integer.compare(b.count(), a.count());
        if (c == 0) {
            c = a.dstIp().compareTo(b.dstIp());
        }
        if (c == 0) {
            c = Integer.compare(a.dstPort(), b.dstPort());
        }
        return c != 0 ? c : Boolean.compare(a.inbound(), b.inbound());
    };
}
