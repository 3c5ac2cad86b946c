package dev.tcpfootgun.footgun;

import java.util.Locale;
import java.util.Optional;

/**
 * Tunnel link kinds (rtnetlink IFLA_INFO_KIND) and the bytes each adds to every packet, seed section
 * 7's table. A tunnel's MTU plus its overhead must fit the underlay's MTU, or full-size packets are
 * fragmented or dropped. Where the overhead depends on the underlay's IP version or on the cipher,
 * {@code smallest} is the IPv4 / lightest case and {@code largest} the IPv6 / heaviest one, and
 * {@code varies} says whether it can change while the tunnel runs.
 */
public enum Encapsulation {
    VXLAN("vxlan", "VXLAN", Seed.VXLAN, Seed.VXLAN + Seed.V6, false),
    /** Same layout as VXLAN without options. */
    GENEVE("geneve", "Geneve", Seed.VXLAN, Seed.VXLAN + Seed.V6, false),
    GRE("gre", "GRE", Seed.GRE, Seed.GRE, false),
    /** GRE carrying Ethernet frames. */
    GRETAP("gretap", "GRE (Ethernet)", Seed.GRE + Seed.ETH, Seed.GRE + Seed.ETH, false),
    IP6GRE("ip6gre", "GRE over IPv6", Seed.GRE + Seed.V6, Seed.GRE + Seed.V6, false),
    IP6GRETAP("ip6gretap", "GRE (Ethernet) over IPv6", Seed.GRE + Seed.V6 + Seed.ETH, Seed.GRE + Seed.V6 + Seed.ETH, false),
    IPIP("ipip", "IP-in-IP", Seed.IPIP, Seed.IPIP, false),
    /** IPv6 in IPv4: one outer IPv4 header, as ipip. */
    SIT("sit", "IPv6-in-IPv4 (sit)", Seed.IPIP, Seed.IPIP, false),
    /** One outer IPv6 header. */
    IP6TNL("ip6tnl", "IP-in-IPv6", Seed.IPIP + Seed.V6, Seed.IPIP + Seed.V6, false),
    WIREGUARD("wireguard", "WireGuard", Seed.WIREGUARD, Seed.WIREGUARD + Seed.V6, true),
    /** xfrm interfaces run over either IP version. */
    XFRM("xfrm", "IPsec (xfrm)", Seed.IPSEC_TUNNEL_MIN, Seed.IPSEC_TUNNEL_MAX + Seed.V6, true),
    VTI("vti", "IPsec (vti)", Seed.IPSEC_TUNNEL_MIN, Seed.IPSEC_TUNNEL_MAX, true),
    VTI6("vti6", "IPsec (vti6)", Seed.IPSEC_TUNNEL_MIN + Seed.V6, Seed.IPSEC_TUNNEL_MAX + Seed.V6, true);

    /** The seed's overheads over IPv4, each once. */
    static final class Seed {
        /** Outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14. */
        static final int VXLAN = 50;
        /** Outer IPv4 20 + the basic GRE header 4 (a key adds 4 more). */
        static final int GRE = 24;
        /** IPsec tunnel mode, by cipher and padding. */
        static final int IPSEC_TUNNEL_MIN = 52;
        static final int IPSEC_TUNNEL_MAX = 73;
        /** 80 over IPv6. */
        static final int WIREGUARD = 60;
        /** One outer IPv4 header. */
        static final int IPIP = 20;
        /** What the same tunnel adds over an IPv6 underlay. */
        static final int V6 = KernelFacts.IPV6_EXTRA_HEADER_BYTES;
        /** The inner Ethernet header of the *tap tunnels. */
        static final int ETH = KernelFacts.ETHERNET_HEADER_BYTES;

        private Seed() {}
    }

    private final String kind;
    private final String label;
    private final int smallest;
    private final int largest;
    private final boolean varies;

    Encapsulation(String kind, String label, int smallest, int largest, boolean varies) {
        this.kind = kind;
        this.label = label;
        this.smallest = smallest;
        this.largest = largest;
        this.varies = varies;
    }

    /** The tunnel behind a link kind, empty for every kind that adds no encapsulation. */
    public static Optional<Encapsulation> ofKind(String kind) {
        if (kind == null) {
            return Optional.empty();
        }
        String k = kind.toLowerCase(Locale.ROOT);
        for (Encapsulation e : values()) {
            if (e.kind.equals(k)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    public String kind() {
        return kind;
    }

    public String label() {
        return label;
    }

    /** Overhead over an IPv4 underlay with the lightest variant. */
    public int smallest() {
        return smallest;
    }

    /** Overhead over an IPv6 underlay or with the heaviest variant. */
    public int largest() {
        return largest;
    }

    /**
     * True when the overhead can grow while the tunnel runs: WireGuard endpoints roam between IPv4
     * and IPv6, IPsec renegotiates its cipher. VXLAN, Geneve and GRE keep the underlay family they
     * were configured with.
     */
    public boolean varies() {
        return varies;
    }

    /** "50 bytes", or "52-73 bytes" when it varies. */
    public String overheadText() {
        return smallest == largest ? smallest + " bytes" : smallest + "-" + largest + " bytes";
    }
}
