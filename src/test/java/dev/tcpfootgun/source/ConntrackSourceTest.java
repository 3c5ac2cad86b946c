package dev.tcpfootgun.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcpfootgun.snapshot.Conntrack;
import dev.tcpfootgun.snapshot.Conntrack.StatsOrigin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConntrackSourceTest {

    @Test
    void oldKernelColumnsSummedAcrossTwoCpus() {
        ParseLog log = new ParseLog();
        Map<String, Long> stats = ConntrackSource.parseStats(Fixtures.text("old-kernel", "net/stat/nf_conntrack"), log);

        assertThat(log.skipped()).isZero();
        // 17 header names minus "entries"
        assertThat(stats).hasSize(16).doesNotContainKey("entries");
        assertThat(stats).containsEntry("searched", 0L)
                .containsEntry("found", 0xaL + 0x6L)             // 16
                .containsEntry("invalid", 0x3L + 0xcL)           // 15
                .containsEntry("ignore", 0xffL + 0x100L)         // 511
                .containsEntry("delete", 0xffffffffL + 1L)       // 4294967296: no 32-bit wrap
                .containsEntry("delete_list", 0L)
                .containsEntry("insert_failed", 1L + 2L)
                .containsEntry("drop", 2L + 0xeL)                // 16
                .containsEntry("early_drop", 5L)
                .containsEntry("icmp_error", 4L)
                .containsEntry("search_restart", 0x10L + 0xfL);  // 31
    }

    @Test
    void newKernelColumnsFromLinux618() {
        ParseLog log = new ParseLog();
        Map<String, Long> stats = ConntrackSource.parseStats(Fixtures.text("linux-6.18", "net/stat/nf_conntrack"), log);

        assertThat(log.skipped()).isZero();
        assertThat(stats.keySet()).containsExactly("clashres", "found", "new", "invalid", "ignore", "delete",
                "chainlength", "insert", "insert_failed", "drop", "early_drop", "icmp_error", "expect_new",
                "expect_create", "expect_delete", "search_restart");
        assertThat(stats.values()).containsOnly(0L);
    }

    @Test
    void rowWithWrongColumnCountIsSkipped() {
        String text = "entries drop\n00000001 00000002\n00000001\n00000001 0000000a\n";
        ParseLog log = new ParseLog();
        assertThat(ConntrackSource.parseStats(text, log)).containsExactly(Map.entry("drop", 12L));
        assertThat(log.skipped()).isEqualTo(1);
    }

    @Test
    void readsSysctlsAndProcfsStats() throws IOException {
        ConntrackSource source = new ConntrackSource(Fixtures.procFs("linux-6.18"));
        Conntrack ct = source.read(new ParseLog());

        assertThat(ct.count()).isZero();
        assertThat(ct.max()).hasValue(262_144);
        assertThat(ct.buckets()).hasValue(262_144);
        assertThat(ct.timeWaitTimeoutSeconds()).hasValue(120);
        assertThat(ct.statsOrigin()).isEqualTo(StatsOrigin.PROCFS);
        assertThat(ct.stat("drop")).hasValue(0);
        assertThat(ct.maxMissing()).isEmpty();
    }

    @Test
    void aLimitThatIsNotANumberIsMissingWithTheFilesWords(@TempDir Path proc) throws IOException {
        Path netfilter = Files.createDirectories(proc.resolve("sys/net/netfilter"));
        Files.writeString(netfilter.resolve("nf_conntrack_count"), "17\n");
        Files.writeString(netfilter.resolve("nf_conntrack_max"), "lots\n");
        ParseLog log = new ParseLog();
        Conntrack ct = new ConntrackSource(ProcFs.of(proc, proc)).read(log);

        assertThat(ct.max()).isEmpty();
        assertThat(ct.maxMissing()).isEqualTo(netfilter.resolve("nf_conntrack_max") + ": not a number: \"lots\"");
        assertThat(log.skipped()).isEqualTo(1);
    }

    @Test
    void withoutProcfsStatsTheOriginIsNone(@TempDir Path proc) throws IOException {
        Path netfilter = Files.createDirectories(proc.resolve("sys/net/netfilter"));
        Files.writeString(netfilter.resolve("nf_conntrack_count"), "17\n");
        Conntrack ct = new ConntrackSource(ProcFs.of(proc, proc)).read(new ParseLog());

        assertThat(ct.count()).isEqualTo(17);
        assertThat(ct.max()).isEmpty();
        assertThat(ct.maxMissing()).isEqualTo(netfilter.resolve("nf_conntrack_max") + " does not exist");
        assertThat(ct.stats()).isEmpty();
        assertThat(ct.statsOrigin()).isEqualTo(StatsOrigin.NONE);
        assertThat(ct.statsMissing()).startsWith(proc.resolve("net/stat/nf_conntrack") + " does not exist");
    }

    @Test
    void moduleNotLoaded(@TempDir Path proc) {
        assertThatThrownBy(() -> new ConntrackSource(ProcFs.of(proc, proc)).read(new ParseLog()))
                .isInstanceOf(IOException.class)
                .hasMessage("nf_conntrack not loaded: " + proc.resolve("sys/net/netfilter/nf_conntrack_count") + " missing");
    }
}
