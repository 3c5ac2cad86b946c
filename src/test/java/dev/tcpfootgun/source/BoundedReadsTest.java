package dev.tcpfootgun.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcpfootgun.snapshot.Family;
import dev.tcpfootgun.snapshot.KernelCounters;
import dev.tcpfootgun.snapshot.Sockstat;
import dev.tcpfootgun.snapshot.Sysctls;
import dev.tcpfootgun.testing.HugeKernelFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the parsers refuse of kernel text no kernel prints, and that they count it: a line past the
 * line bound, a sysctl value past a page, more counters, protocols or columns than any kernel has.
 */
class BoundedReadsTest {

    private static List<String> lines(KernelLines k) throws IOException {
        List<String> out = new ArrayList<>();
        while (k.next()) {
            out.add((k.overlong() ? "OVERLONG " : "") + k.line());
        }
        return out;
    }

    @Test
    void aLineOverTheBoundKeepsItsStartAndTheNextLineIsReadWhole() throws IOException {
        String text = "short\n" + "x".repeat(10) + "\nabcde\nlast";
        // 3-byte reads: the long line spans reads, and so does the bound
        var stream = new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 3));
            }
        };
        try (KernelLines k = KernelLines.of(stream, 5)) {
            assertThat(lines(k)).containsExactly("short", "OVERLONG xxxxx", "abcde", "last");
        }
        assertThat(lines(KernelLines.of("\n\u00e9\n"))).containsExactly("", "\u00e9");
    }

    @Test
    void bytesAboveAsciiReadAsTheReplacementCharacter() throws IOException {
        try (KernelLines k = KernelLines.of(new ByteArrayInputStream(new byte[] {'a', (byte) 0xC3, (byte) 0xA9, '\n'}), 64)) {
            assertThat(lines(k)).containsExactly("a\uFFFD\uFFFD");
        }
    }

    @Test
    void aTcpLineOverTheBoundIsSkippedAndCounted() {
        String good = "   0: 0100007F:1F90 0100007F:9C41 01 00000000:00000000 02:000007D0 00000000     0        0 777 1 0000000000000000 20 4 30 10 -1\n";
        String huge = "   1: " + "0".repeat(KernelLines.MAX_LINE) + "\n";
        ParseLog log = new ParseLog();
        assertThat(ProcNetTcp.parse(good + huge + good, Family.INET, log)).hasSize(2);
        assertThat(log.skipped()).isEqualTo(1);
        assertThat(log.firstProblem()).isEqualTo("tcp: line 2 is longer than " + KernelLines.MAX_LINE + " characters");
    }

    @Test
    void countersPastTheBoundAreLeftOutAndCounted() {
        StringBuilder text = new StringBuilder();
        int sections = NetstatFile.MAX_COUNTERS / 100 + 1;
        for (int s = 0; s < sections; s++) {
            StringBuilder names = new StringBuilder("S" + s + ":");
            StringBuilder values = new StringBuilder("S" + s + ":");
            for (int i = 0; i < 100; i++) {
                names.append(" F").append(i);
                values.append(' ').append(i);
            }
            text.append(names).append('\n').append(values).append('\n');
        }
        ParseLog log = new ParseLog();
        KernelCounters c = NetstatFile.parse(text.toString(), log);
        assertThat(c.values()).hasSize(NetstatFile.MAX_COUNTERS);
        assertThat(log.skipped()).isEqualTo(1);
        assertThat(log.firstProblem()).contains("past the bound of " + NetstatFile.MAX_COUNTERS);
    }

    @Test
    void protocolsPastTheBoundAreLeftOutAndCounted() {
        StringBuilder text = new StringBuilder("TCP: inuse 3 orphan 0 tw 2 alloc 5 mem 1\n");
        for (int i = 0; i < 100; i++) {
            text.append("P").append(i).append(": inuse 1\n");
        }
        ParseLog log = new ParseLog();
        Sockstat s = SockstatSource.parse(text.toString(), log);
        assertThat(s.protocols()).hasSize(SockstatSource.MAX_PROTOCOLS).containsKey("TCP");
        assertThat(log.skipped()).isEqualTo(101 - SockstatSource.MAX_PROTOCOLS);
    }

    @Test
    void conntrackStatsWithMoreColumnsThanAKernelFailTheSource(@TempDir Path proc) throws IOException {
        Files.createDirectories(proc.resolve("sys/net/netfilter"));
        Files.writeString(proc.resolve("sys/net/netfilter/nf_conntrack_count"), "5\n");
        Files.createDirectories(proc.resolve("net/stat"));
        StringBuilder header = new StringBuilder("entries");
        StringBuilder row = new StringBuilder("00000005");
        for (int i = 0; i < ConntrackSource.MAX_COLUMNS; i++) {
            header.append(" c").append(i);
            row.append(" 00000001");
        }
        Files.writeString(proc.resolve("net/stat/nf_conntrack"), header + "\n" + row + "\n");
        assertThatThrownBy(() -> new ConntrackSource(ProcFs.of(proc, proc)).read(new ParseLog()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining((ConntrackSource.MAX_COLUMNS + 1) + " columns, more than the " + ConntrackSource.MAX_COLUMNS);
    }

    @Test
    void aSysctlLongerThanAPageIsRefusedAndCountedAndTheRestKept(@TempDir Path proc) throws IOException {
        Path ipv4 = Files.createDirectories(proc.resolve("sys/net/ipv4"));
        Files.writeString(ipv4.resolve("tcp_fin_timeout"), "30\n");
        Files.writeString(ipv4.resolve("tcp_available_congestion_control"), "reno ".repeat(1 << 20) + "\n");
        // every other port reserved: the longest list the kernel prints, kept whole for the checks
        StringBuilder ports = new StringBuilder();
        for (int p = 1; p <= 65535; p += 2) {
            ports.append(ports.isEmpty() ? "" : ",").append(p);
        }
        Files.writeString(ipv4.resolve("ip_local_reserved_ports"), ports + "\n");
        ParseLog log = new ParseLog();
        Sysctls s = new SysctlSource(ProcFs.of(proc, proc)).read(log);
        assertThat(s.values()).containsOnlyKeys("net.ipv4.tcp_fin_timeout", Sysctls.RESERVED_PORTS);
        assertThat(Sysctls.parsePortList(s.string(Sysctls.RESERVED_PORTS).orElseThrow())).hasSize(32768);
        assertThat(ports.length()).isLessThan(SysctlSource.MAX_PORT_LIST);
        assertThat(log.skipped()).isEqualTo(1);
        assertThat(log.firstProblem()).contains("tcp_available_congestion_control")
                .contains("longer than " + SysctlSource.MAX_VALUE + " characters");
    }

    @Test
    void anInterfaceNameOrDevtypeNoKernelGivesIsNotShown(@TempDir Path sys) throws IOException {
        for (String name : List.of("eth0", "x".repeat(SysfsInterfaces.MAX_NAME + 1), "vx0")) {
            Path dev = Files.createDirectories(sys.resolve("class/net").resolve(name));
            Files.writeString(dev.resolve("ifindex"), (name.length() + 1) + "\n");
            Files.writeString(dev.resolve("mtu"), "1500\n");
        }
        Files.writeString(sys.resolve("class/net/vx0/uevent"), "DEVTYPE=" + "v".repeat(SysfsInterfaces.MAX_DEVTYPE + 1) + "\n");
        Files.writeString(sys.resolve("class/net/eth0/uevent"), "DEVTYPE=vxlan\n");
        ParseLog log = new ParseLog();
        var interfaces = new SysfsInterfaces(ProcFs.of(sys, sys)).read(log);
        assertThat(interfaces).extracting(i -> i.name() + "/" + i.kind()).containsExactly("vx0/null", "eth0/vxlan");
        assertThat(log.skipped()).isEqualTo(2);
    }

    /** snmp and sockstat6 with lines after a 64 MB line of NULs (sparse): read through, the long line counted. */
    @Test
    void linesAfterAHugeLineAreRead(@TempDir Path proc) throws IOException {
        Path net = Files.createDirectories(proc.resolve("net"));
        String snmp = Fixtures.text("linux-6.18", "net/snmp");
        HugeKernelFiles.aroundAHole(net.resolve("snmp"), "", 64L << 20, snmp);
        Files.writeString(net.resolve("sockstat"), Fixtures.text("linux-6.18", "net/sockstat"));
        HugeKernelFiles.aroundAHole(net.resolve("sockstat6"), "", 64L << 20, Fixtures.text("linux-6.18", "net/sockstat6"));
        ProcFs fs = ProcFs.of(proc, proc);
        ParseLog log = new ParseLog();
        KernelCounters counters = NetstatFile.snmp(fs).read(log);
        assertThat(counters).isEqualTo(NetstatFile.parse(snmp, new ParseLog()));
        assertThat(log.skipped()).isEqualTo(1);
        log = new ParseLog();
        Sockstat s = new SockstatSource(fs).read(log);
        assertThat(s.get("TCP6", "inuse")).isPresent();
        assertThat(s.get("TCP", "inuse")).isPresent();
        assertThat(log.skipped()).isEqualTo(1);
    }
}
