package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.NetInterface;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** How the checks read a namespace's interfaces: which carry traffic out, which are tunnels, which is the underlay. */
final class Links {

    /**
     * Kinds that put frames on a wire or hand them to another namespace as they are. A null kind is
     * counted too: sysfs cannot tell veth from a plain device.
     */
    static final Set<String> UNDERLAY_KINDS = Set.of("physical", "veth", "bond", "team", "vlan", "macvlan", "ipvlan");

    /** An up tunnel interface and what its encapsulation costs. */
    record Tunnel(NetInterface link, Encapsulation encapsulation) {}

    private Links() {}

    /** Up and not loopback: traffic leaves the node through it. */
    static boolean isEgress(NetInterface i) {
        return i.operUp() && !"loopback".equals(i.kind());
    }

    /**
     * The up underlay interface with the largest MTU: what a tunnel's outer packets must fit. The
     * tunnel's own lower device is not in the snapshot, so the largest is assumed; a tunnel over a
     * smaller one is worse than reported.
     */
    static Optional<NetInterface> underlay(List<NetInterface> links) {
        NetInterface best = null;
        for (NetInterface i : links) {
            boolean candidate = i.operUp() && i.mtu() > 0 && (i.kind() == null || UNDERLAY_KINDS.contains(i.kind()));
            // the largest MTU; among equals the lowest ifindex
            if (candidate && (best == null || i.mtu() > best.mtu() || i.mtu() == best.mtu() && i.ifindex() < best.ifindex())) {
                best = i;
            }
        }
        return Optional.ofNullable(best);
    }

    static List<Tunnel> tunnels(List<NetInterface> links) {
        List<Tunnel> out = new ArrayList<>();
        for (NetInterface i : links) {
            if (i.operUp()) {
                Encapsulation.ofKind(i.kind()).ifPresent(e -> out.add(new Tunnel(i, e)));
            }
        }
        return out;
    }

    /** "a, b, c and 4 more": evidence names a few, never a whole node's worth of veths. */
    static String names(List<String> names, int shown) {
        return few(names.stream().map(Prose::of).toList(), shown).toString();
    }

    /** As {@link #names}, of sentences that may name addresses. */
    static Prose few(List<Prose> names, int shown) {
        if (names.size() <= shown) {
            return Prose.join(", ", names);
        }
        return Prose.of(Prose.join(", ", names.subList(0, shown)), " and " + (names.size() - shown) + " more");
    }
}
