package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.TcpInfo;

/**
 * Builds a TcpInfo for check tests: a 6.18 kernel's full struct with every field 0 but those a test
 * sets; {@link #size} trims it to an older kernel's, whose missing fields read -1 as the decoder makes them.
 */
final class TcpInfos {
    private int size = 248;
    private long rtt;
    private long rttVar;
    private long minRtt = TcpInfo.MIN_RTT_UNSET;
    private long sndMss = 1448;
    private long rcvSpace;
    private long bytesSent;
    private long dataSegsOut;
    private long busy;
    private long rwndLimited;
    private long sndbufLimited;
    private long sndWnd;
    private long unacked;
    private long notsent;
    private long inFlight;
    private int retransmits;
    private int backoff;
    private long advMss = 65483;
    private long pmtu = 65535;

    static TcpInfos info() {
        return new TcpInfos();
    }

    TcpInfos size(int bytes) {
        size = bytes;
        return this;
    }

    /** Smoothed RTT and its variance, microseconds. */
    TcpInfos rtt(long micros, long varMicros) {
        rtt = micros;
        rttVar = varMicros;
        return this;
    }

    TcpInfos minRtt(long micros) {
        minRtt = micros;
        return this;
    }

    TcpInfos sndMss(long bytes) {
        sndMss = bytes;
        return this;
    }

    TcpInfos rcvSpace(long bytes) {
        rcvSpace = bytes;
        return this;
    }

    /** Data sent: bytes in this many data segments. */
    TcpInfos sent(long bytes, long segments) {
        bytesSent = bytes;
        dataSegsOut = segments;
        return this;
    }

    /** busy_time, rwnd_limited and sndbuf_limited, microseconds. */
    TcpInfos busy(long busyMicros, long rwndLimitedMicros, long sndbufLimitedMicros) {
        busy = busyMicros;
        rwndLimited = rwndLimitedMicros;
        sndbufLimited = sndbufLimitedMicros;
        return this;
    }

    TcpInfos retransmits(int n) {
        retransmits = n;
        return this;
    }

    TcpInfos backoff(int n) {
        backoff = n;
        return this;
    }

    /** snd_mss, advmss and pmtu together: what ss -ti shows as mss:, advmss:, pmtu:. */
    TcpInfos path(long sndMss, long advMss, long pmtu) {
        this.sndMss = sndMss;
        this.advMss = advMss;
        this.pmtu = pmtu;
        return this;
    }

    /** Nagle holding data back: {@code notsent} bytes written but unsent behind {@code inFlight} bytes in {@code unacked} segments. */
    TcpInfos held(long notsent, long unacked, long inFlight) {
        this.notsent = notsent;
        this.unacked = unacked;
        this.inFlight = inFlight;
        return this;
    }

    TcpInfos sndWnd(long bytes) {
        sndWnd = bytes;
        return this;
    }

    TcpInfo build() {
        boolean v46 = size >= TcpInfo.SIZE_4_6;
        boolean v410 = size >= TcpInfo.SIZE_4_10;
        boolean v419 = size >= TcpInfo.SIZE_4_19;
        return new TcpInfo(size, retransmits, backoff, sndMss, unacked, pmtu, rtt, rttVar, 10, advMss, rcvSpace, 0,
                bytesSent - inFlight, dataSegsOut,
                v46 ? notsent : -1, v46 ? minRtt : -1, v46 ? dataSegsOut : -1,
                size >= TcpInfo.SIZE_4_9 ? 0 : -1,
                v410 ? busy : -1, v410 ? rwndLimited : -1, v410 ? sndbufLimited : -1,
                v419 ? bytesSent : -1, v419 ? 0 : -1,
                size >= TcpInfo.SIZE_5_4 ? sndWnd : -1);
    }
}
