package dev.tcpfootgun.snapshot;

import java.util.List;

/**
 * Where a collector's reading sits in a {@link NodeSnapshot}, typed by what it holds; its name is the
 * collector's name (the {@code collector} label and the {@code --[no-]collector.<name>} flag).
 * Checks and renderers reach readings through these; the collector registry (source/Collectors)
 * says which source fills each.
 */
public record Slot<T>(String name) {

    public static final Slot<SocketTable> SOCKETS = new Slot<>("sockets");
    public static final Slot<Conntrack> CONNTRACK = new Slot<>("conntrack");
    public static final Slot<KernelCounters> NETSTAT = new Slot<>("netstat");
    public static final Slot<KernelCounters> SNMP = new Slot<>("snmp");
    public static final Slot<Sockstat> SOCKSTAT = new Slot<>("sockstat");
    public static final Slot<Sysctls> SYSCTL = new Slot<>("sysctl");
    public static final Slot<List<NetInterface>> INTERFACES = new Slot<>("interfaces");
    public static final Slot<List<Qdisc>> QDISC = new Slot<>("qdisc");
    public static final Slot<ConntrackEntries> CONNTRACK_ENTRIES = new Slot<>("conntrack_entries");
    /** The addresses another namespace owns (its pod's IPs); not read in the exporter's own. */
    public static final Slot<List<String>> ADDRESSES = new Slot<>("addresses");
}
