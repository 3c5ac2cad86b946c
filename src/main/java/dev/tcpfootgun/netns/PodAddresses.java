package dev.tcpfootgun.netns;

import java.util.Map;
import java.util.Optional;

/**
 * Which namespace (and pod) owns an address on this node, from the addresses each namespace read
 * this scrape: what joins conntrack entries and other per-address figures to pods. The node's own
 * namespace is not in it (its addresses are the node's, not a pod's).
 *
 * @param byIp address text as {@link dev.tcpfootgun.snapshot.IpText} writes it, to its namespace
 */
public record PodAddresses(Map<String, NetnsRef> byIp) {

    public PodAddresses {
        byIp = Map.copyOf(byIp);
    }

    /** The namespace owning {@code ip}, if a namespace read this scrape does. */
    public Optional<NetnsRef> namespaceOf(String ip) {
        return Optional.ofNullable(byIp.get(ip));
    }

    /** The pod owning {@code ip}, if its namespace belongs to a known pod. */
    public Optional<Pod> podOf(String ip) {
        return namespaceOf(ip).map(NetnsRef::pod);
    }
}
