package dev.tcpfootgun.snapshot;

import java.util.Map;
import java.util.OptionalLong;

/**
 * The connection-tracking table of one network namespace.
 *
 * @param count nf_conntrack_count: entries in this namespace's table
 * @param max nf_conntrack_max: the limit, global to the host (read-only outside the init namespace)
 * @param buckets nf_conntrack_buckets
 * @param timeWaitTimeoutSeconds nf_conntrack_tcp_timeout_time_wait
 * @param stats per-CPU statistics summed by column name ("drop", "early_drop", "insert_failed"...),
 *     empty when {@code statsOrigin} is NONE
 * @param statsOrigin where the statistics came from
 * @param statsMissing why there are none, in the sources' words, when {@code statsOrigin} is NONE; "" otherwise
 * @param maxMissing why {@code max} is empty, in the source's words; "" when it was read
 */
public record Conntrack(
        long count,
        OptionalLong max,
        OptionalLong buckets,
        OptionalLong timeWaitTimeoutSeconds,
        Map<String, Long> stats,
        StatsOrigin statsOrigin,
        String statsMissing,
        String maxMissing) {

    public Conntrack {
        stats = Map.copyOf(stats);
    }

    public enum StatsOrigin {
        /** /proc/net/stat/nf_conntrack, present only with CONFIG_NF_CONNTRACK_PROCFS. */
        PROCFS("procfs"),
        /** ctnetlink IPCTNL_MSG_CT_GET_STATS_CPU. */
        NETLINK("netlink"),
        /** Neither source answered: drops are unknown, not zero. */
        NONE("none");

        private final String label;

        StatsOrigin(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public OptionalLong stat(String column) {
        Long v = stats.get(column);
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    public Conntrack withStats(Map<String, Long> newStats, StatsOrigin origin) {
        return new Conntrack(count, max, buckets, timeWaitTimeoutSeconds, newStats, origin, "", maxMissing);
    }

    /** This table with one more reason its statistics are missing (another source that did not answer). */
    public Conntrack withStatsMissing(String more) {
        return new Conntrack(count, max, buckets, timeWaitTimeoutSeconds, stats, statsOrigin,
                statsMissing.isEmpty() ? more : statsMissing + "; " + more, maxMissing);
    }
}
