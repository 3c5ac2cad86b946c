package dev.tcpfootgun.snapshot;

/**
 * One network interface.
 *
 * @param kind link kind from rtnetlink IFLA_INFO_KIND ("vxlan", "wireguard", "veth", "bridge"...), or
 *     "physical" for a device with a backing bus device, or null when unknown
 * @param operUp operstate is "up" (or "unknown", as loopback and tunnels report)
 */
public record NetInterface(String name, int ifindex, long mtu, String kind, boolean operUp) {}
