package dev.tcpfootgun.source.netlink;

import dev.tcpfootgun.snapshot.TcpInfo;
import java.util.List;
import java.util.function.ToLongFunction;

/** Every TcpInfo field with the offset where it ends in struct tcp_info (include/uapi/linux/tcp.h) and its width in bytes. */
record TcpInfoFields(String name, int end, int width, ToLongFunction<TcpInfo> value) {
    static final List<TcpInfoFields> ALL = List.of(
            f("retransmits", 3, 1, TcpInfo::retransmits), f("backoff", 5, 1, TcpInfo::backoff),
            f("sndMss", 20, 4, TcpInfo::sndMss), f("unacked", 28, 4, TcpInfo::unacked),
            f("pmtu", 64, 4, TcpInfo::pmtu),
            f("rtt", 72, 4, TcpInfo::rttMicros), f("rttVar", 76, 4, TcpInfo::rttVarMicros),
            f("sndCwnd", 84, 4, TcpInfo::sndCwnd), f("advMss", 88, 4, TcpInfo::advMss),
            f("rcvSpace", 100, 4, TcpInfo::rcvSpace), f("totalRetrans", 104, 4, TcpInfo::totalRetrans),
            f("bytesAcked", 128, 8, TcpInfo::bytesAcked), f("segsOut", 140, 4, TcpInfo::segsOut),
            f("notsentBytes", 148, 4, TcpInfo::notsentBytes), f("minRtt", 152, 4, TcpInfo::minRttMicros),
            f("dataSegsOut", 160, 4, TcpInfo::dataSegsOut),
            f("deliveryRate", 168, 8, TcpInfo::deliveryRate),
            f("busyTime", 176, 8, TcpInfo::busyTimeMicros), f("rwndLimited", 184, 8, TcpInfo::rwndLimitedMicros),
            f("sndbufLimited", 192, 8, TcpInfo::sndbufLimitedMicros),
            f("bytesSent", 208, 8, TcpInfo::bytesSent), f("bytesRetrans", 216, 8, TcpInfo::bytesRetrans),
            f("sndWnd", 232, 4, TcpInfo::sndWnd));

    private static TcpInfoFields f(String name, int end, int width, ToLongFunction<TcpInfo> value) {
        return new TcpInfoFields(name, end, width, value);
    }
}
