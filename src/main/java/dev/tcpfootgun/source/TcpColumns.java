package dev.tcpfootgun.source;

/**
 * Which field of a /proc/net/tcp line holds what, found from the header's names. "tx_queue rx_queue"
 * and "tr tm->when" are two names over one "a:b" field. The fields after the last named one have no
 * header and are read by position from {@code named}. -1 means the header lacks that name.
 *
 * @param named how many fields the header names: a line with fewer is not a socket's
 */
record TcpColumns(int local, int remote, int state, int queues, int timer, int retransmits, int named) {

    /** The layout every kernel since 2.6 prints (net/ipv4/tcp_ipv4.c), for a file without a header. */
    static final TcpColumns KERNEL = new TcpColumns(1, 2, 3, 4, 5, 6, 10);

    /** The header's layout, or null when the line is not a header (it starts with "sl"). */
    static TcpColumns fromHeader(FieldCursor f) {
        if (f.count() == 0 || !f.is(0, "sl")) {
            return null;
        }
        int local = -1, remote = -1, state = -1, queues = -1, timer = -1;
        int retransmits = -1;
        int column = 0;
        for (int i = 0; i < f.count(); i++, column++) {
            switch (f.field(i)) {
                case "local_address" -> local = column;
                case "rem_address", "remote_address" -> remote = column; // tcp6 spells it out
                case "st" -> state = column;
                case "tx_queue" -> {
                    queues = column;
                    i += next(f, i, "rx_queue");
                }
                case "tr" -> {
                    timer = column;
                    i += next(f, i, "tm->when");
                }
                case "retrnsmt" -> retransmits = column;
                default -> { } // "sl", uid, timeout, inode and names this build does not know still take a field
            }
        }
        return new TcpColumns(local, remote, state, queues, timer, retransmits, column);
    }

    private static int next(FieldCursor f, int i, String name) {
        return i + 1 < f.count() && f.is(i + 1, name) ? 1 : 0;
    }

    boolean hasAddressesAndState() {
        return local >= 0 && remote >= 0 && state >= 0;
    }
}
