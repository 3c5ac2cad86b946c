package dev.tcpfootgun.source.netlink;

import static dev.tcpfootgun.source.netlink.NetlinkBytes.attr;
import static dev.tcpfootgun.source.netlink.NetlinkBytes.be32;
import static dev.tcpfootgun.source.netlink.NetlinkBytes.message;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.source.ParseLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ctnetlink_stats*.bin were captured from kernel 6.18 together with /proc/net/stat/nf_conntrack. */
class CtnetlinkStatsTest {
    private final ParseLog log = new ParseLog();

    @Test
    void capturedPerCpuStatsSumToTheProcfsColumns() throws IOException {
        Map<String, Long> stats = CtnetlinkStats.decodeCpuStats(
                NetlinkBytes.segment(NetlinkBytes.resource("ctnetlink_stats_cpu.bin")), log);
        Map<String, Long> proc = ProcConntrackStat.sums(
                new String(NetlinkBytes.resource("ctnetlink_stats_cpu.proc.txt"), StandardCharsets.US_ASCII));

        assertThat(log.skipped()).isZero();
        assertThat(stats).containsOnlyKeys("found", "invalid", "insert", "insert_failed", "drop", "early_drop",
                "icmp_error", "search_restart", "clashres", "chainlength");
        assertThat(stats.get("invalid")).isEqualTo(10);
        stats.forEach((column, value) -> assertThat(value).as(column).isEqualTo(proc.get(column)));
    }

    @Test
    void capturedGlobalStatsGiveCountAndMax() throws IOException {
        CtnetlinkStats.TableSize size = CtnetlinkStats.decodeTableSize(
                NetlinkBytes.segment(NetlinkBytes.resource("ctnetlink_stats.bin")));
        assertThat(size.entries()).isEqualTo(5); // the capture's /proc "entries" column
        assertThat(size.maxEntries()).isEqualTo(262144);
    }

    @Test
    void countersAreBigEndianWithOrWithoutTheByteOrderFlagAndSumOverCpus() throws IOException {
        int netByteOrder = 0x4000;
        Map<String, Long> stats = CtnetlinkStats.decodeCpuStats(NetlinkBytes.segment(
                message(CtnetlinkStats.STATS_CPU, 2, 1, new byte[] {0, 0, 0, 0},
                        attr(10, be32(3)), attr(11 | netByteOrder, be32(0x01000000)), attr(99, be32(5))),
                message(CtnetlinkStats.STATS_CPU, 2, 1, new byte[] {0, 0, 0, 1},
                        attr(10 | netByteOrder, be32(4)), attr(9, be32(-1)))), log);
        assertThat(stats).containsOnly(
                Map.entry("drop", 7L), Map.entry("early_drop", 0x01000000L), Map.entry("insert_failed", 0xffffffffL));
    }
}
