package dev.tcpfootgun.source.netlink;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One conntrack entry of a ctnetlink dump (IPCTNL_MSG_CT_NEW), decoded in place into this reused
 * scratch: a dump of 200,000 entries fills it 200,000 times and allocates nothing. Mutable on
 * purpose; nothing outside the dump's sink may keep it. Attribute numbers are from
 * include/uapi/linux/netfilter/nfnetlink_conntrack.h.
 */
final class ConntrackEntry {
    static final int NFNL_SUBSYS_CTNETLINK = 1;
    static final int IPCTNL_MSG_CT_NEW = 0;
    static final int IPCTNL_MSG_CT_GET = 1;
    /** Dump replies come as CT_NEW messages of the ctnetlink subsystem. */
    static final int MSG_NEW = NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_NEW;
    static final int MSG_GET = NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET;
    static final int NFGENMSG_SIZE = 4;

    static final int CTA_TUPLE_ORIG = 1;
    static final int CTA_TUPLE_REPLY = 2;
    static final int CTA_STATUS = 3;
    static final int CTA_PROTOINFO = 4;
    static final int CTA_TIMEOUT = 7;
    static final int CTA_TUPLE_IP = 1;
    static final int CTA_TUPLE_PROTO = 2;
    static final int CTA_IP_V4_SRC = 1;
    static final int CTA_IP_V4_DST = 2;
    static final int CTA_IP_V6_SRC = 3;
    static final int CTA_IP_V6_DST = 4;
    static final int CTA_PROTO_NUM = 1;
    static final int CTA_PROTO_SRC_PORT = 2;
    static final int CTA_PROTO_DST_PORT = 3;
    static final int CTA_PROTOINFO_TCP = 1;
    static final int CTA_PROTOINFO_TCP_STATE = 1;

    /** enum ip_conntrack_status bits. */
    static final long IPS_SEEN_REPLY = 1L << 1;
    static final long IPS_ASSURED = 1L << 2;
    static final long IPS_SRC_NAT = 1L << 4;
    static final long IPS_DST_NAT = 1L << 5;
    static final long IPS_FIXED_TIMEOUT = 1L << 10;

    static final int IPPROTO_TCP = 6;

    /** AF_INET (2) or AF_INET6 (10), from struct nfgenmsg. */
    int family;
    /** 4 or 16. */
    int addressLength;
    int protocol;
    /** Addresses, network order, the first addressLength bytes used. */
    final byte[] origSrc = new byte[16];
    final byte[] origDst = new byte[16];
    final byte[] replySrc = new byte[16];
    final byte[] replyDst = new byte[16];
    int origSrcPort;
    int origDstPort;
    int replySrcPort;
    int replyDstPort;
    long status;
    /** Seconds left (CTA_TIMEOUT), -1 when not sent. */
    long timeout;
    /** enum tcp_conntrack for TCP, -1 otherwise. */
    int tcpState;

    boolean sourceNat() {
        return (status & IPS_SRC_NAT) != 0;
    }

    /**
     * Decodes the message at [{@code off}, {@code off + len}) of {@code m}.
     *
     * @return null when it is a conntrack entry with both tuples, else why it is skipped
     */
    String decode(MemorySegment m, long off, long len) {
        if (NetlinkMessages.type(m, off) != MSG_NEW) {
            return "ctnetlink: unexpected message type " + NetlinkMessages.type(m, off);
        }
        long attrs = off + NetlinkMessages.HEADER + NFGENMSG_SIZE;
        long end = off + len;
        if (attrs > end) {
            return "ctnetlink: message of " + len + " bytes has no nfgenmsg";
        }
        family = Byte.toUnsignedInt(m.get(ValueLayout.JAVA_BYTE, off + NetlinkMessages.HEADER));
        addressLength = family == 10 ? 16 : 4;
        protocol = -1;
        status = 0;
        timeout = -1;
        tcpState = -1;
        origSrcPort = origDstPort = replySrcPort = replyDstPort = 0;
        int seen = 0;
        for (long a = attrs; a + Nlattr.HEADER <= end; ) {
            int alen = Nlattr.length(m, a);
            if (alen < Nlattr.HEADER || a + alen > end) {
                return "ctnetlink: attribute length " + alen + " overruns its message";
            }
            long p = a + Nlattr.HEADER;
            long pend = a + alen;
            switch (Nlattr.type(m, a)) {
                case CTA_TUPLE_ORIG -> {
                    String bad = tuple(m, p, pend, true);
                    if (bad != null) {
                        return bad;
                    }
                    seen |= 1;
                }
                case CTA_TUPLE_REPLY -> {
                    String bad = tuple(m, p, pend, false);
                    if (bad != null) {
                        return bad;
                    }
                    seen |= 2;
                }
                case CTA_STATUS -> {
                    if (pend - p >= 4) {
                        status = Nlattr.be32(m, p);
                    }
                }
                case CTA_TIMEOUT -> {
                    if (pend - p >= 4) {
                        timeout = Nlattr.be32(m, p);
                    }
                }
                case CTA_PROTOINFO -> {
                    long tcp = RtAttributes.find(m, p, pend, CTA_PROTOINFO_TCP);
                    if (tcp != RtAttributes.ABSENT) {
                        long st = RtAttributes.find(m, tcp + Nlattr.HEADER, tcp + Nlattr.length(m, tcp), CTA_PROTOINFO_TCP_STATE);
                        if (st != RtAttributes.ABSENT && Nlattr.length(m, st) > Nlattr.HEADER) {
                            tcpState = Byte.toUnsignedInt(m.get(ValueLayout.JAVA_BYTE, st + Nlattr.HEADER));
                        }
                    }
                }
                default -> { }
            }
            a += Nlattr.align(alen);
        }
        if (seen != 3 || protocol < 0) {
            return "ctnetlink: entry without both tuples";
        }
        return null;
    }

    private String tuple(MemorySegment m, long start, long end, boolean orig) {
        for (long a = start; a + Nlattr.HEADER <= end; ) {
            int alen = Nlattr.length(m, a);
            if (alen < Nlattr.HEADER || a + alen > end) {
                return "ctnetlink: tuple attribute length " + alen + " overruns its tuple";
            }
            long p = a + Nlattr.HEADER;
            long pend = a + alen;
            int type = Nlattr.type(m, a);
            if (type == CTA_TUPLE_IP) {
                for (long b = p; b + Nlattr.HEADER <= pend; ) {
                    int blen = Nlattr.length(m, b);
                    if (blen < Nlattr.HEADER || b + blen > pend) {
                        return "ctnetlink: address attribute length " + blen + " overruns its tuple";
                    }
                    int t = Nlattr.type(m, b);
                    int want = t == CTA_IP_V4_SRC || t == CTA_IP_V4_DST ? 4 : t == CTA_IP_V6_SRC || t == CTA_IP_V6_DST ? 16 : 0;
                    if (want != 0) {
                        if (blen - Nlattr.HEADER < want || want != addressLength) {
                            return "ctnetlink: address of " + (blen - Nlattr.HEADER) + " bytes in a family " + family + " entry";
                        }
                        boolean src = t == CTA_IP_V4_SRC || t == CTA_IP_V6_SRC;
                        byte[] to = orig ? (src ? origSrc : origDst) : (src ? replySrc : replyDst);
                        MemorySegment.copy(m, ValueLayout.JAVA_BYTE, b + Nlattr.HEADER, to, 0, want);
                    }
                    b += Nlattr.align(blen);
                }
            } else if (type == CTA_TUPLE_PROTO) {
                for (long b = p; b + Nlattr.HEADER <= pend; ) {
                    int blen = Nlattr.length(m, b);
                    if (blen < Nlattr.HEADER || b + blen > pend) {
                        return "ctnetlink: protocol attribute length " + blen + " overruns its tuple";
                    }
                    int t = Nlattr.type(m, b);
                    long v = b + Nlattr.HEADER;
                    if (t == CTA_PROTO_NUM && blen > Nlattr.HEADER) {
                        protocol = Byte.toUnsignedInt(m.get(ValueLayout.JAVA_BYTE, v));
                    } else if ((t == CTA_PROTO_SRC_PORT || t == CTA_PROTO_DST_PORT) && blen >= Nlattr.HEADER + 2) {
                        int port = Short.toUnsignedInt(m.get(Nlattr.BE16, v));
                        if (t == CTA_PROTO_SRC_PORT) {
                            if (orig) {
                                origSrcPort = port;
                            } else {
                                replySrcPort = port;
                            }
                        } else if (orig) {
                            origDstPort = port;
                        } else {
                            replyDstPort = port;
                        }
                    }
                    b += Nlattr.align(blen);
                }
            }
            a += Nlattr.align(alen);
        }
        return null;
    }
}
