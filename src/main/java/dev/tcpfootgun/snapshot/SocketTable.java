package dev.tcpfootgun.snapshot;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Every TCP socket of one read: the TIME_WAIT ones column-wise in {@link TimeWaitSockets} (they are
 * most of a busy node's sockets, and carry neither tcp_info nor queues), every other one as a
 * {@link TcpSocket}.
 *
 * @param open the sockets in any state but TIME_WAIT: listeners, connections, request sockets
 * @param timeWait the TIME_WAIT sockets
 */
public record SocketTable(List<TcpSocket> open, TimeWaitSockets timeWait) {

    /** Sorts a list of sockets into a table, TIME_WAIT ones into the column store. */
    public static SocketTable of(Collection<TcpSocket> sockets) {
        Builder b = new Builder();
        sockets.forEach(b::add);
        return b.build();
    }

    public static SocketTable empty() {
        return new SocketTable(List.of(), new TimeWaitSockets());
    }

    /** How many sockets, in every state. */
    public int size() {
        return open.size() + timeWait.size();
    }

    /** Every socket as a record, TIME_WAIT ones after the rest; allocates one per socket (tests, small reads). */
    public List<TcpSocket> all() {
        List<TcpSocket> all = new ArrayList<>(size());
        all.addAll(open);
        for (int i = 0; i < timeWait.size(); i++) {
            all.add(timeWait.socket(i));
        }
        return all;
    }

    /** Collects one read's sockets. */
    public static final class Builder {
        private final List<TcpSocket> open;
        private final TimeWaitSockets timeWait;

        public Builder() {
            this(0, 0);
        }

        /** Room for this many sockets up front (a hint, such as the last read's counts), so the arrays grow less. */
        public Builder(int expectedOpen, int expectedTimeWait) {
            open = new ArrayList<>(Math.max(10, Math.min(expectedOpen, 1 << 24)));
            timeWait = new TimeWaitSockets(expectedTimeWait);
        }

        public void add(TcpSocket s) {
            if (s.state() == TcpState.TIME_WAIT) {
                timeWait.add(s);
            } else {
                open.add(s);
            }
        }

        /** Where a decoder adds TIME_WAIT sockets without making a record of each. */
        public TimeWaitSockets timeWait() {
            return timeWait;
        }

        /** Undoes every add since now, when called: for a dump that must be discarded and retried. */
        public Runnable rollback() {
            int openSize = open.size();
            int twSize = timeWait.size();
            return () -> {
                open.subList(openSize, open.size()).clear();
                timeWait.truncate(twSize);
            };
        }

        public int size() {
            return open.size() + timeWait.size();
        }

        public SocketTable build() {
            return new SocketTable(open, timeWait);
        }
    }
}
