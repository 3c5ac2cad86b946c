package dev.tcpfootgun.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcpfootgun.snapshot.PortRange;
import dev.tcpfootgun.snapshot.Sysctls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SysctlSourceTest {

    @Test
    void readsCapturedSysctlsAndLeavesMissingOnesOut() throws IOException {
        ParseLog log = new ParseLog();
        Sysctls s = new SysctlSource(Fixtures.procFs("linux-6.18")).read(log);

        assertThat(log.skipped()).isZero();
        // 33 names; tcp_tw_recycle was removed in 4.12 and is absent, not zero
        assertThat(s.values()).hasSize(32).doesNotContainKey("net.ipv4.tcp_tw_recycle");
        assertThat(s.string("net.ipv4.ip_local_port_range")).hasValue("32768\t60999");
        assertThat(s.string("net.ipv4.ip_local_reserved_ports")).hasValue("");
        assertThat(s.string("net.ipv4.tcp_available_congestion_control")).hasValue("reno bbr cubic");
        assertThat(s.string("net.core.default_qdisc")).hasValue("pfifo_fast");
        assertThat(s.number("net.ipv4.tcp_tw_reuse")).hasValue(2);
        assertThat(s.number("net.ipv4.tcp_notsent_lowat")).hasValue(4_294_967_295L);
        assertThat(s.numbers("net.ipv4.tcp_rmem")).hasValueSatisfying(v -> assertThat(v).containsExactly(4096, 131072, 33554432));
        assertThat(s.ephemeralPorts()).hasValueSatisfying(p -> {
            assertThat(p.range()).isEqualTo(new PortRange(32768, 60999));
            assertThat(p.reserved()).isEmpty();
        });
    }

    @Test
    void oneUnreadableSysctlIsSkippedAndTheRestKept(@TempDir Path proc) throws IOException {
        Path ipv4 = Files.createDirectories(proc.resolve("sys/net/ipv4"));
        Files.writeString(ipv4.resolve("tcp_fin_timeout"), "  30 \n");
        Files.createDirectories(ipv4.resolve("tcp_timestamps")); // a folder where a file belongs
        ParseLog log = new ParseLog();
        Sysctls s = new SysctlSource(ProcFs.of(proc, proc)).read(log);

        assertThat(s.values()).containsOnlyKeys("net.ipv4.tcp_fin_timeout").containsValue("30");
        assertThat(log.skipped()).isEqualTo(1);
        assertThat(log.firstProblem()).contains("tcp_timestamps");
        // what a check that needs one says: the source's own reason, with the path
        assertThat(s.whyMissing("net.ipv4.tcp_timestamps")).isEqualTo("net.ipv4.tcp_timestamps: not a regular file: "
                + proc.resolve("sys/net/ipv4/tcp_timestamps"));
        assertThat(s.whyMissing("net.ipv4.tcp_mtu_probing")).isEqualTo("net.ipv4.tcp_mtu_probing: "
                + proc.resolve("sys/net/ipv4/tcp_mtu_probing") + " does not exist");
    }

    @Test
    void noSysctlAtAllFails(@TempDir Path proc) {
        assertThatThrownBy(() -> new SysctlSource(ProcFs.of(proc, proc)).read(new ParseLog()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("none of " + SysctlSource.NAMES.size() + " sysctls readable")
                .hasMessageContaining(proc.toString());
    }
}
