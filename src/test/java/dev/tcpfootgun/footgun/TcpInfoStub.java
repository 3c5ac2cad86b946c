package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.TcpInfo;

/** A tcp_info of kernel 5.4's size with only the fields a check test sets; the rest are zero. */
final class TcpInfoStub {
    private int retransmits;
    private int backoff;
    private long sndMss;
    private long advMss;
    private long pmtu;

    static TcpInfoStub info() {
        return new TcpInfoStub();
    }

    TcpInfoStub retransmits(int n) {
        retransmits = n;
        return this;
    }

    TcpInfoStub backoff(int n) {
        backoff = n;
        return this;
    }

    /** snd_mss, advmss and pmtu together: what ss -ti shows as mss:, advmss:, pmtu:. */
    TcpInfoStub path(long sndMss, long advMss, long pmtu) {
        this.sndMss = sndMss;
        this.advMss = advMss;
        this.pmtu = pmtu;
        return this;
    }

    TcpInfo build() {
        return new TcpInfo(TcpInfo.SIZE_5_4, 1, 0, retransmits, 0, backoff, TcpInfo.OPT_TIMESTAMPS, 7, 7, false,
                200_000, 40_000, sndMss, 536, 0, 0, 0, 0, 0,
                0, 0, 0, pmtu, 0, 100, 50, 0, 10, advMss, 3, 0, 14480, 0,
                0, 0, 0, 0, 0, 0,
                0, 100, 0, 0,
                0,
                0, 0, 0,
                0, 0,
                0, 0, 0, 0,
                0, 0,
                0, 0,
                0, 0, 0);
    }
}
