package dev.tcpfootgun.snapshot;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Sockets without their details, stored column-wise: every TIME_WAIT socket (a busy proxy holds
 * 100,000 of them and more, and the kernel sends none of their details anyway), and the connections
 * beyond {@code --collector.sockets.detail-limit}. What the census needs of each is small: its state,
 * its connection (family, local address, remote address and port), its local port and how long its
 * timer has left. So a socket costs 9 bytes in four arrays instead of a {@link TcpSocket} and two
 * {@link Endpoint}s (about 120 bytes without tcp_info, 250 with it), and sockets of one connection
 * group, the unit in which connect() runs out of ports, share that group's entry (about 30 bytes,
 * plus about 100 for each distinct address): clients towards a few destinations share a handful,
 * a server's connections from distinct clients each have their own.
 *
 * <p>Filled by one reader, then only read; not thread-safe while it is being filled.
 */
public final class CompactSockets {
    private static final TcpState[] STATES = TcpState.values();
    private static final int V6_BIT = 1 << 23;
    private static final int MAX_ADDRESSES = V6_BIT;
    /**
     * The largest timer a socket keeps, ms. The census asks only how long a TIME_WAIT socket has been in
     * TIME_WAIT (60 s less its timer, TCP_TIMEWAIT_LEN), and any timer from 60 s up answers "not yet":
     * 2 bytes a socket instead of 4.
     */
    public static final int EXPIRES_MAX = Character.MAX_VALUE;

    private final Map<String, Integer> addressIds = new HashMap<>();
    private String[] addresses = new String[16];
    private boolean[] loopback = new boolean[16];
    private int addressCount;

    private final LongIntMap groupIds = new LongIntMap();
    private long[] groupKeys = new long[16];
    private int groupCount;

    private int[] groups;
    private char[] localPorts;
    /** Milliseconds, at most {@link #EXPIRES_MAX}: only a TIME_WAIT socket's is read, and it is below 60,000. */
    private char[] expires;
    private byte[] states;
    private int size;
    private int notTimeWait;
    /** Where {@link #recycle()} gives the columns back; null: never. */
    private final Recycling home;

    public CompactSockets() {
        this(64);
    }

    /**
     * @param expected how many sockets to make room for up front, and an eighth more (the last read's count, say);
     *     more still fit
     */
    public CompactSockets(int expected) {
        this(expected, null);
    }

    /**
     * @param home where the last read's columns wait once nothing reads them: taken if they hold {@code expected}
     *     sockets (the spare store is then emptied), and where {@link #recycle()} gives these back; null for neither
     */
    CompactSockets(int expected, Recycling home) {
        this.home = home;
        int n = Math.max(16, Math.min(expected, 1 << 24));
        CompactSockets spare = home == null ? null : home.takeCompact();
        if (spare != null && spare.groups != null && spare.groups.length >= n) {
            groups = spare.groups;
            localPorts = spare.localPorts;
            expires = spare.expires;
            states = spare.states;
            spare.size = 0;
            spare.notTimeWait = 0;
            spare.groups = null;
            spare.localPorts = null;
            spare.expires = null;
            spare.states = null;
            return;
        }
        n += n / 8; // a read a little larger than the last still fits, and leaves columns the next one can take
        groups = new int[n];
        localPorts = new char[n];
        expires = new char[n];
        states = new byte[n];
    }

    /** Adds one socket. */
    public void add(Family family, TcpState state, String localIp, int localPort, String remoteIp, int remotePort,
            long timerExpiresMillis) {
        if (localPort < 0 || localPort > 65535 || remotePort < 0 || remotePort > 65535) {
            throw new IllegalArgumentException("port out of range: " + localPort + ", " + remotePort);
        }
        add(family, state, addressId(localIp), localPort, addressId(remoteIp), remotePort, timerExpiresMillis);
    }

    /**
     * Adds one socket whose addresses have ids from {@link #addressId}: a decoder that sees the same
     * few addresses over and over looks each up once, not twice per socket.
     */
    public void add(Family family, TcpState state, int localId, int localPort, int remoteId, int remotePort,
            long timerExpiresMillis) {
        if (localPort < 0 || localPort > 65535) {
            throw new IllegalArgumentException("port out of range: " + localPort);
        }
        add(group(family, localId, remoteId, remotePort), state, localPort, timerExpiresMillis);
    }

    /**
     * The group of (family, local address, remote address, remote port), made on first sight; addresses
     * by {@link #addressId}. Groups are never forgotten, so a decoder may remember them by the bytes
     * that decided them.
     */
    public int group(Family family, int localId, int remoteId, int remotePort) {
        if (remotePort < 0 || remotePort > 65535) {
            throw new IllegalArgumentException("port out of range: " + remotePort);
        }
        if (localId < 0 || localId >= addressCount || remoteId < 0 || remoteId >= addressCount) {
            throw new IllegalArgumentException("unknown address id: " + localId + ", " + remoteId);
        }
        long key = (long) (localId | (family == Family.INET6 ? V6_BIT : 0)) << 40
                | (long) remoteId << 16 | remotePort;
        int group = groupIds.get(key);
        if (group < 0) {
            group = groupCount++;
            if (group == groupKeys.length) {
                groupKeys = Arrays.copyOf(groupKeys, group * 2);
            }
            groupKeys[group] = key;
            groupIds.put(key, group);
        }
        return group;
    }

    /** Adds one socket of a group from {@link #group}. */
    public void add(int group, TcpState state, int localPort, long timerExpiresMillis) {
        if (group < 0 || group >= groupCount || localPort < 0 || localPort > 65535) {
            throw new IllegalArgumentException("group " + group + " of " + groupCount + ", port " + localPort);
        }
        if (size == groups.length) {
            int n = size + (size >> 1);
            groups = Arrays.copyOf(groups, n);
            localPorts = Arrays.copyOf(localPorts, n);
            expires = Arrays.copyOf(expires, n);
            states = Arrays.copyOf(states, n);
        }
        groups[size] = group;
        localPorts[size] = (char) localPort;
        expires[size] = (char) Math.max(0, Math.min(EXPIRES_MAX, timerExpiresMillis));
        states[size] = (byte) state.ordinal();
        size++;
        if (state != TcpState.TIME_WAIT) {
            notTimeWait++;
        }
    }

    /** Adds a socket that a source already made, keeping only what this store holds. */
    public void add(TcpSocket s) {
        add(s.family(), s.state(), s.local().ip(), s.local().port(), s.remote().ip(), s.remote().port(), s.timerExpiresMillis());
    }

    /** The id of an address in this store, made on first sight; ids are never reused or forgotten. */
    public int addressId(String ip) {
        Integer id = addressIds.get(ip);
        if (id != null) {
            return id;
        }
        if (addressCount == MAX_ADDRESSES) {
            throw new IllegalStateException("more than " + MAX_ADDRESSES + " distinct addresses");
        }
        int n = addressCount++;
        if (n == addresses.length) {
            addresses = Arrays.copyOf(addresses, n * 2);
            loopback = Arrays.copyOf(loopback, n * 2);
        }
        addresses[n] = ip;
        loopback[n] = Endpoint.loopback(ip);
        addressIds.put(ip, n);
        return n;
    }

    /**
     * Gives the per-socket columns back to where they came from, for the next read: only once nothing reads
     * this store, or a {@link Columns} view of it, any more.
     */
    public void recycle() {
        if (home != null && groups != null) {
            home.give(this);
        }
    }

    /** Forgets the sockets added after the first {@code keep}; their groups stay, empty. */
    public void truncate(int keep) {
        if (keep < 0 || keep > size) {
            throw new IllegalArgumentException("cannot keep " + keep + " of " + size);
        }
        for (int i = keep; i < size; i++) {
            if (states[i] != TcpState.TIME_WAIT.ordinal()) {
                notTimeWait--;
            }
        }
        size = keep;
    }

    public int size() {
        return size;
    }

    /** How many of the sockets are not in TIME_WAIT: connections stored without their details. */
    public int notTimeWait() {
        return notTimeWait;
    }

    public TcpState state(int i) {
        return STATES[states[index(i)]];
    }

    /** The group of socket {@code i}, in [0, {@link #groupCount()}). */
    public int group(int i) {
        return groups[index(i)];
    }

    public int localPort(int i) {
        return localPorts[index(i)];
    }

    /** Milliseconds until the socket's timer fires (for TIME_WAIT: until it leaves TIME_WAIT), at most {@link #EXPIRES_MAX}. */
    public long timerExpiresMillis(int i) {
        return expires[index(i)];
    }

    /**
     * The first {@link #size()} entries of each column, as stored: a pass over every socket (100,000 at
     * a busy node) reads them directly instead of through four checked calls a socket. Read-only by
     * contract: the store is filled before it is read, and a later add copies, never writes, what a
     * view already holds.
     *
     * @param state {@link TcpState#ordinal()} of each socket
     */
    public record Columns(int size, int[] group, char[] localPort, char[] timerExpiresMillis, byte[] state) {}

    public Columns columns() {
        return new Columns(size, groups, localPorts, expires, states);
    }

    public int groupCount() {
        return groupCount;
    }

    public Family groupFamily(int g) {
        return (groupKey(g) >>> 40 & V6_BIT) != 0 ? Family.INET6 : Family.INET;
    }

    public String groupLocalIp(int g) {
        return addresses[(int) (groupKey(g) >>> 40) & (V6_BIT - 1)];
    }

    public String groupRemoteIp(int g) {
        return addresses[remoteId(g)];
    }

    public int groupRemotePort(int g) {
        return (int) (groupKey(g) & 0xffff);
    }

    /** Either address is loopback: what tcp_tw_reuse=2 asks of a TIME_WAIT socket (tcp_twsk_unique). */
    public boolean groupIsLoopback(int g) {
        return loopback[remoteId(g)] || loopback[(int) (groupKey(g) >>> 40) & (V6_BIT - 1)];
    }

    /** The remote end is the unspecified address with port 0: the socket has no peer. */
    public boolean groupRemoteIsUnspecified(int g) {
        return groupRemotePort(g) == 0 && new Endpoint(groupRemoteIp(g), 0).isUnspecified();
    }

    /**
     * Socket {@code i} as a record; allocates. A TIME_WAIT socket comes back as a source made it; any
     * other without what this store does not hold (queues, timers, owner, tcp_info).
     */
    public TcpSocket socket(int i) {
        int g = group(i);
        TcpState state = state(i);
        return new TcpSocket(groupFamily(g), state, new Endpoint(groupLocalIp(g), localPort(i)),
                new Endpoint(groupRemoteIp(g), groupRemotePort(g)), 0, 0,
                state == TcpState.TIME_WAIT ? TcpSocket.TIMER_TIME_WAIT : TcpSocket.TIMER_NONE,
                state == TcpState.TIME_WAIT ? timerExpiresMillis(i) : 0, 0, null, null, null);
    }

    private int remoteId(int g) {
        return (int) (groupKey(g) >>> 16) & 0xffffff;
    }

    private long groupKey(int g) {
        if (g < 0 || g >= groupCount) {
            throw new IndexOutOfBoundsException("group " + g + " of " + groupCount);
        }
        return groupKeys[g];
    }

    private int index(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("socket " + i + " of " + size);
        }
        return i;
    }

    /** Open addressing from a long key to an int value, no boxing; values are never negative. */
    private static final class LongIntMap {
        private long[] keys = new long[64];
        private int[] values = new int[64];
        private int count;

        {
            Arrays.fill(values, -1);
        }

        int get(long key) {
            int mask = keys.length - 1;
            for (int i = slot(key, mask); ; i = (i + 1) & mask) {
                int v = values[i];
                if (v < 0 || keys[i] == key) {
                    return v;
                }
            }
        }

        void put(long key, int value) {
            if ((count + 1) * 2 > keys.length) {
                grow();
            }
            int mask = keys.length - 1;
            int i = slot(key, mask);
            while (values[i] >= 0 && keys[i] != key) {
                i = (i + 1) & mask;
            }
            if (values[i] < 0) {
                count++;
            }
            keys[i] = key;
            values[i] = value;
        }

        private void grow() {
            long[] oldKeys = keys;
            int[] oldValues = values;
            keys = new long[oldKeys.length * 2];
            values = new int[oldKeys.length * 2];
            Arrays.fill(values, -1);
            int mask = keys.length - 1;
            for (int j = 0; j < oldKeys.length; j++) {
                if (oldValues[j] >= 0) {
                    int i = slot(oldKeys[j], mask);
                    while (values[i] >= 0) {
                        i = (i + 1) & mask;
                    }
                    keys[i] = oldKeys[j];
                    values[i] = oldValues[j];
                }
            }
        }

        private static int slot(long key, int mask) {
            return (int) ((key * 0x9E3779B97F4A7C15L) >>> 32) & mask;
        }
    }
}
