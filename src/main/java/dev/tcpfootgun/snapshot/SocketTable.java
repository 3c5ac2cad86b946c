package dev.tcpfootgun.snapshot;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Every TCP socket of one read, in two parts, each stored column-wise. With their details, in
 * {@link DetailedSockets}: every listener and the connections up to the read's detail limit. In {@link CompactSockets},
 * counted but not detailed: every TIME_WAIT socket (most of a busy node's sockets, and the kernel
 * sends no details for them) and the connections past the limit, which bounds a read's memory
 * however many connections a node holds (--collector.sockets.detail-limit).
 *
 * @param detailed listeners and the detailed connections, in the order the source gave them
 * @param compact TIME_WAIT sockets and the connections past the detail limit
 * @param origin which source served it
 */
public record SocketTable(DetailedSockets detailed, CompactSockets compact, SocketOrigin origin) {

    /** A detail limit that keeps every connection. */
    public static final int UNLIMITED = Integer.MAX_VALUE;

    /** Sorts a list of sockets into a table with no detail limit, TIME_WAIT ones into the column store. */
    public static SocketTable of(Collection<TcpSocket> sockets) {
        Builder b = new Builder();
        sockets.forEach(b::add);
        return b.build();
    }

    public static SocketTable empty() {
        return new SocketTable(new DetailedSockets(), new CompactSockets(), SocketOrigin.NETLINK);
    }

    /** This table as served by {@code by}. */
    public SocketTable servedBy(SocketOrigin by) {
        return new SocketTable(detailed, compact, by);
    }

    /** The detailed sockets as records, in the order the source gave them; allocates one per socket (tests, small reads). */
    public List<TcpSocket> open() {
        return detailed.sockets();
    }

    /**
     * Gives both stores' columns back to the source that read them, for its next read ({@link Recycling}):
     * only once nothing reads this table, its stores or a view of them any more.
     */
    public void recycle() {
        detailed.recycle();
        compact.recycle();
    }

    /** How many sockets, in every state. */
    public int size() {
        return detailed.size() + compact.size();
    }

    /** Connections counted without their details because of the detail limit. */
    public int undetailed() {
        return compact.notTimeWait();
    }

    /** Every socket as a record, the column store's after the rest; allocates one per socket (tests, small reads). */
    public List<TcpSocket> all() {
        List<TcpSocket> all = new ArrayList<>(size());
        all.addAll(open());
        for (int i = 0; i < compact.size(); i++) {
            all.add(compact.socket(i));
        }
        return all;
    }

    /** Collects one read's sockets. */
    public static final class Builder {
        private final DetailedSockets detailed;
        private final CompactSockets compact;
        private final int detailLimit;

        public Builder() {
            this(0, 0, UNLIMITED);
        }

        /**
         * @param expectedOpen records to make room for up front (a hint, such as the last read's count)
         * @param expectedCompact column-store sockets to make room for up front
         * @param detailLimit how many connections (sockets neither listening nor in TIME_WAIT) keep their details
         */
        public Builder(int expectedOpen, int expectedCompact, int detailLimit) {
            this(expectedOpen, expectedCompact, detailLimit, null);
        }

        /** @param recycling the source's spare columns, taken when large enough; null to allocate them */
        public Builder(int expectedOpen, int expectedCompact, int detailLimit, Recycling recycling) {
            if (detailLimit < 0) {
                throw new IllegalArgumentException("detail limit " + detailLimit);
            }
            detailed = new DetailedSockets(expectedOpen, recycling);
            compact = new CompactSockets(expectedCompact, recycling);
            this.detailLimit = detailLimit;
        }

        /**
         * Whether the next socket in {@code state} would be kept with its details: a listener always,
         * a connection while the limit allows, a TIME_WAIT socket never. A source that can skip decoding
         * the details asks first, and adds the rest to {@link #compact()}.
         */
        public boolean wantsDetail(TcpState state) {
            return state != TcpState.TIME_WAIT && (state == TcpState.LISTEN || detailed.connections() < detailLimit);
        }

        public void add(TcpSocket s) {
            if (!wantsDetail(s.state())) {
                compact.add(s);
                return;
            }
            detailed.add(s);
        }

        /** Where a decoder adds the sockets {@link #wantsDetail} took, a row at a time. */
        public DetailedSockets detailed() {
            return detailed;
        }

        /** Where a decoder adds the sockets {@link #wantsDetail} declined, without making a record of each. */
        public CompactSockets compact() {
            return compact;
        }

        /** Undoes every add since now, when called: for a dump that must be discarded and retried. */
        public Runnable rollback() {
            int detailedSize = detailed.size();
            int compactSize = compact.size();
            return () -> {
                detailed.truncate(detailedSize);
                compact.truncate(compactSize);
            };
        }

        public int size() {
            return detailed.size() + compact.size();
        }

        public SocketTable build() {
            return new SocketTable(detailed, compact, SocketOrigin.NETLINK);
        }
    }
}
