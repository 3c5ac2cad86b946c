package dev.tcpfootgun.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Clients, a router and a server, each its own network namespace, joined by veths: client i is
 * 10.77.(10+i).2 and fd77:(10+i)::2 behind the router's 10.77.(10+i).1; the server is
 * {@link #SERVER} / {@link #SERVER6} behind the router's {@link #ROUTER_OUT}. The router forwards
 * both families; NAT rules are the test's to add ({@link #routerOut()} names the interface to the
 * server). Everything goes when it is closed.
 */
public final class NatTopology implements AutoCloseable {
    public static final String SERVER = "10.77.2.2";
    public static final String ROUTER_OUT = "10.77.2.1";
    public static final String SERVER6 = "fd77:2::2";
    public static final String ROUTER_OUT6 = "fd77:2::1";
    private static final AtomicInteger SEQ = new AtomicInteger();

    private final List<NetNs> all = new ArrayList<>();
    private final List<NetNs> clients = new ArrayList<>();
    private NetNs router;
    private NetNs server;
    private String routerOut;

    private NatTopology() {}

    public static NatTopology create(String prefix, int clientCount) throws Exception {
        NatTopology t = new NatTopology();
        try {
            t.router = t.add(NetNs.create(prefix + "-r"));
            t.server = t.add(NetNs.create(prefix + "-s"));
            // veth names are global while unattached and at most 15 characters: the pid and a counter keep them apart
            String tag = "sn" + ProcessHandle.current().pid() % 100000 + (char) ('a' + SEQ.getAndIncrement() % 26);
            t.routerOut = tag + "s0";
            t.link(t.server, tag + "s1", SERVER + "/24", SERVER6 + "/64", t.routerOut, ROUTER_OUT + "/24", ROUTER_OUT6 + "/64");
            t.server.exec("ip", "route", "add", "default", "via", ROUTER_OUT);
            t.server.exec("ip", "-6", "route", "add", "default", "via", ROUTER_OUT6);
            for (int i = 0; i < clientCount; i++) {
                NetNs c = t.add(NetNs.create(prefix + "-c" + i));
                t.clients.add(c);
                int net = 10 + i;
                t.link(c, tag + "c" + i, client(i) + "/24", "fd77:" + net + "::2/64", tag + "r" + i,
                        "10.77." + net + ".1/24", "fd77:" + net + "::1/64");
                c.exec("ip", "route", "add", "default", "via", "10.77." + net + ".1");
                c.exec("ip", "-6", "route", "add", "default", "via", "fd77:" + net + "::1");
            }
            t.router.sysctl("net.ipv4.ip_forward", "1");
            t.router.sysctl("net.ipv6.conf.all.forwarding", "1");
            return t;
        } catch (Exception e) {
            t.close();
            throw e;
        }
    }

    public static String client(int i) {
        return "10.77." + (10 + i) + ".2";
    }

    public static String client6(int i) {
        return "fd77:" + (10 + i) + "::2";
    }

    private NetNs add(NetNs ns) {
        all.add(ns);
        return ns;
    }

    private void link(NetNs peer, String peerDev, String peer4, String peer6, String routerDev, String router4, String router6)
            throws Exception {
        Cmd.run("ip", "link", "add", peerDev, "type", "veth", "peer", "name", routerDev);
        Cmd.run("ip", "link", "set", peerDev, "netns", peer.name());
        Cmd.run("ip", "link", "set", routerDev, "netns", router.name());
        peer.exec("ip", "addr", "add", peer4, "dev", peerDev);
        peer.exec("ip", "addr", "add", peer6, "dev", peerDev, "nodad");
        peer.exec("ip", "link", "set", peerDev, "up");
        router.exec("ip", "addr", "add", router4, "dev", routerDev);
        router.exec("ip", "addr", "add", router6, "dev", routerDev, "nodad");
        router.exec("ip", "link", "set", routerDev, "up");
    }

    public NetNs router() {
        return router;
    }

    public NetNs server() {
        return server;
    }

    public List<NetNs> clients() {
        return clients;
    }

    /** The router's interface towards the server, for -o in NAT rules. */
    public String routerOut() {
        return routerOut;
    }

    /** Why this topology cannot be built here, or null (root, ip, iptables and conntrack present). */
    public static String unavailableReason() {
        String why = NetNs.unavailableReason();
        if (why != null) {
            return why;
        }
        for (String tool : List.of("iptables", "conntrack")) {
            if (!Cmd.available(tool)) {
                return "needs " + tool;
            }
        }
        return null;
    }

    /** Entries `conntrack -L` lists (both families) in the router's table matching every filter word, e.g. "dport=8080". */
    public int conntrackCount(String... words) throws Exception {
        int n = 0;
        // stderr's "N flow entries have been shown" would land in the middle of stdout's lines
        for (String line : router.exec("sh", "-c", "conntrack -L -f ipv4 2>/dev/null; conntrack -L -f ipv6 2>/dev/null").lines().toList()) {
            boolean all = true;
            for (String w : words) {
                all &= line.contains(w);
            }
            n += all ? 1 : 0;
        }
        return n;
    }

    @Override
    public void close() {
        for (int i = all.size() - 1; i >= 0; i--) {
            all.get(i).close();
        }
    }
}
