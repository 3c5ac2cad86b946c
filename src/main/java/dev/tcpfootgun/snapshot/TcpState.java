package dev.tcpfootgun.snapshot;

/** TCP states as numbered in the kernel's include/net/tcp_states.h. */
public enum TcpState {
    UNKNOWN(0, "unknown"),
    ESTABLISHED(1, "established"),
    SYN_SENT(2, "syn_sent"),
    SYN_RECV(3, "syn_recv"),
    FIN_WAIT1(4, "fin_wait1"),
    FIN_WAIT2(5, "fin_wait2"),
    TIME_WAIT(6, "time_wait"),
    CLOSE(7, "close"),
    CLOSE_WAIT(8, "close_wait"),
    LAST_ACK(9, "last_ack"),
    LISTEN(10, "listen"),
    CLOSING(11, "closing"),
    NEW_SYN_RECV(12, "new_syn_recv"),
    BOUND_INACTIVE(13, "bound_inactive");

    private static final TcpState[] BY_CODE = new TcpState[14];

    static {
        for (TcpState s : values()) {
            BY_CODE[s.code] = s;
        }
    }

    private final int code;
    private final String label;

    TcpState(int code, String label) {
        this.code = code;
        this.label = label;
    }

    public int code() {
        return code;
    }

    public String label() {
        return label;
    }

    /** The state with this kernel number, or UNKNOWN for a number this build does not know. */
    public static TcpState fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : UNKNOWN;
    }
}
