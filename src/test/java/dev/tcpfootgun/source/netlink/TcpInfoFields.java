package dev.tcpfootgun.source.netlink;

import dev.tcpfootgun.snapshot.TcpInfo;
import java.util.List;
import java.util.function.ToLongFunction;

/** Every TcpInfo field with the offset where it ends in struct tcp_info (include/uapi/linux/tcp.h). */
record TcpInfoFields(String name, int end, ToLongFunction<TcpInfo> value) {
    static final List<TcpInfoFields> ALL = List.of(
            f("state", 1, TcpInfo::state), f("caState", 2, TcpInfo::caState),
            f("retransmits", 3, TcpInfo::retransmits), f("probes", 4, TcpInfo::probes),
            f("backoff", 5, TcpInfo::backoff), f("options", 6, TcpInfo::options),
            f("sndWscale", 7, TcpInfo::sndWscale), f("rcvWscale", 7, TcpInfo::rcvWscale),
            f("rto", 12, TcpInfo::rtoMicros), f("ato", 16, TcpInfo::atoMicros),
            f("sndMss", 20, TcpInfo::sndMss), f("rcvMss", 24, TcpInfo::rcvMss),
            f("unacked", 28, TcpInfo::unacked), f("sacked", 32, TcpInfo::sacked),
            f("lost", 36, TcpInfo::lost), f("retrans", 40, TcpInfo::retrans),
            f("fackets", 44, TcpInfo::fackets), f("lastDataSent", 48, TcpInfo::lastDataSentMillis),
            f("lastDataRecv", 56, TcpInfo::lastDataRecvMillis), f("lastAckRecv", 60, TcpInfo::lastAckRecvMillis),
            f("pmtu", 64, TcpInfo::pmtu), f("rcvSsthresh", 68, TcpInfo::rcvSsthresh),
            f("rtt", 72, TcpInfo::rttMicros), f("rttVar", 76, TcpInfo::rttVarMicros),
            f("sndSsthresh", 80, TcpInfo::sndSsthresh), f("sndCwnd", 84, TcpInfo::sndCwnd),
            f("advMss", 88, TcpInfo::advMss), f("reordering", 92, TcpInfo::reordering),
            f("rcvRtt", 96, TcpInfo::rcvRttMicros), f("rcvSpace", 100, TcpInfo::rcvSpace),
            f("totalRetrans", 104, TcpInfo::totalRetrans),
            f("pacingRate", 112, TcpInfo::pacingRate), f("maxPacingRate", 120, TcpInfo::maxPacingRate),
            f("bytesAcked", 128, TcpInfo::bytesAcked), f("bytesReceived", 136, TcpInfo::bytesReceived),
            f("segsOut", 140, TcpInfo::segsOut), f("segsIn", 144, TcpInfo::segsIn),
            f("notsentBytes", 148, TcpInfo::notsentBytes), f("minRtt", 152, TcpInfo::minRttMicros),
            f("dataSegsIn", 156, TcpInfo::dataSegsIn), f("dataSegsOut", 160, TcpInfo::dataSegsOut),
            f("deliveryRate", 168, TcpInfo::deliveryRate),
            f("busyTime", 176, TcpInfo::busyTimeMicros), f("rwndLimited", 184, TcpInfo::rwndLimitedMicros),
            f("sndbufLimited", 192, TcpInfo::sndbufLimitedMicros),
            f("delivered", 196, TcpInfo::delivered), f("deliveredCe", 200, TcpInfo::deliveredCe),
            f("bytesSent", 208, TcpInfo::bytesSent), f("bytesRetrans", 216, TcpInfo::bytesRetrans),
            f("dsackDups", 220, TcpInfo::dsackDups), f("reordSeen", 224, TcpInfo::reordSeen),
            f("rcvOoopack", 228, TcpInfo::rcvOoopack), f("sndWnd", 232, TcpInfo::sndWnd),
            f("rcvWnd", 236, TcpInfo::rcvWnd), f("rehash", 240, TcpInfo::rehash),
            f("totalRto", 242, TcpInfo::totalRto), f("totalRtoRecoveries", 244, TcpInfo::totalRtoRecoveries),
            f("totalRtoTime", 248, TcpInfo::totalRtoTimeMillis));

    private static TcpInfoFields f(String name, int end, ToLongFunction<TcpInfo> value) {
        return new TcpInfoFields(name, end, value);
    }
}
