package dev.tcpfootgun.source.netlink;

import dev.tcpfootgun.snapshot.NetInterface;
import dev.tcpfootgun.source.ParseLog;
import dev.tcpfootgun.source.Source;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Every network interface of the namespace (RTM_GETLINK dump) with its MTU, kind and operstate. */
public final class RtnetlinkLinks implements Source<List<NetInterface>> {
    static final int RTM_NEWLINK = 16;
    static final int RTM_GETLINK = 18;
    private static final int IFINFOMSG_SIZE = 16;
    private static final int IFLA_IFNAME = 3;
    private static final int IFLA_MTU = 4;
    private static final int IFLA_OPERSTATE = 16;
    private static final int IFLA_LINKINFO = 18;
    private static final int IFLA_INFO_KIND = 1;
    private static final int IF_OPER_UNKNOWN = 0;
    private static final int IF_OPER_UP = 6;
    private static final int ARPHRD_LOOPBACK = 772;

    private final Duration timeout;
    private final NetlinkTransport transport;

    public RtnetlinkLinks(Duration timeout) {
        this(timeout, NetlinkTransport.KERNEL);
    }

    public RtnetlinkLinks(Duration timeout, NetlinkTransport transport) {
        this.timeout = timeout;
        this.transport = transport;
    }

    /** NLM_F_DUMP_INTR: retried once, then kept and recorded in {@code log}. */
    @Override
    public List<NetInterface> read(ParseLog log) throws IOException {
        List<NetInterface> links = new ArrayList<>();
        try (NetlinkTransport.Channel socket = transport.open(NetlinkSocket.NETLINK_ROUTE, timeout)) {
            NetlinkDumps.dumpWithRetry(socket, RTM_GETLINK, new byte[IFINFOMSG_SIZE], NetlinkDumps.truncateTo(links),
                    m -> add(m, links, log), log, "RTM_GETLINK");
        }
        return links;
    }

    /** Decodes concatenated RTM_NEWLINK messages, as captured or built for a test. */
    public static List<NetInterface> decode(MemorySegment messages, ParseLog log) throws IOException {
        List<NetInterface> links = new ArrayList<>();
        NetlinkMessages.walk(messages, NetlinkMessages.ANY_SEQ, "link replay", m -> add(m, links, log));
        return links;
    }

    private static void add(MemorySegment m, List<NetInterface> into, ParseLog log) {
        long body = NetlinkMessages.HEADER;
        if (NetlinkMessages.type(m) != RTM_NEWLINK || m.byteSize() < body + IFINFOMSG_SIZE) {
            log.skip("link: unexpected message type " + NetlinkMessages.type(m) + ", " + m.byteSize() + " bytes");
            return;
        }
        int arphrd = Short.toUnsignedInt(m.get(Nlattr.U16, body + 2));
        int ifindex = m.get(Nlattr.U32, body + 4);
        long attrs = body + IFINFOMSG_SIZE;
        long end = m.byteSize();
        String name = RtAttributes.string(m, attrs, IFLA_IFNAME);
        if (name == null) {
            log.skip("link " + ifindex + ": no IFLA_IFNAME");
            return;
        }
        // an attribute too short for its value counts as absent: reading on would leave the attribute
        long mtuAt = RtAttributes.find(m, attrs, end, IFLA_MTU);
        long mtu = mtuAt == RtAttributes.ABSENT || Nlattr.length(m, mtuAt) < Nlattr.HEADER + 4
                ? -1
                : Nlattr.u32(m, mtuAt + Nlattr.HEADER);
        long operAt = RtAttributes.find(m, attrs, end, IFLA_OPERSTATE);
        int oper = operAt == RtAttributes.ABSENT || Nlattr.length(m, operAt) < Nlattr.HEADER + 1
                ? IF_OPER_UNKNOWN
                : Byte.toUnsignedInt(m.get(ValueLayout.JAVA_BYTE, operAt + Nlattr.HEADER));
        String kind = null;
        long infoAt = RtAttributes.find(m, attrs, end, IFLA_LINKINFO);
        if (infoAt != RtAttributes.ABSENT) {
            long infoEnd = infoAt + Nlattr.length(m, infoAt);
            long kindAt = RtAttributes.find(m, infoAt + Nlattr.HEADER, infoEnd, IFLA_INFO_KIND);
            if (kindAt != RtAttributes.ABSENT) {
                kind = Nlattr.string(m, kindAt + Nlattr.HEADER, Nlattr.length(m, kindAt) - Nlattr.HEADER);
            }
        }
        if (kind == null) {
            kind = arphrd == ARPHRD_LOOPBACK ? "loopback" : "physical";
        }
        into.add(new NetInterface(name, ifindex, mtu, kind, oper == IF_OPER_UP || oper == IF_OPER_UNKNOWN));
    }
}
