package dev.tcpfootgun.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.snapshot.KernelCounters;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class NetstatFileTest {

    @Test
    void capturedNetstatKeepsEverySectionAndField() throws IOException {
        ParseLog log = new ParseLog();
        KernelCounters c = NetstatFile.netstat(Fixtures.procFs("linux-6.18")).read(log);

        assertThat(log.skipped()).isZero();
        // TcpExt 135 + IpExt 18 + MPTcpExt 76 names, counted with awk on the fixture
        assertThat(c.values()).hasSize(135 + 18 + 76);
        assertThat(c.get("TcpExt", "TW")).hasValue(14);
        assertThat(c.get("TcpExt", "DelayedACKs")).hasValue(20);
        assertThat(c.get("IpExt", "InOctets")).hasValue(49_065_371);
        assertThat(c.get("TcpExt", "RcvPruned")).hasValue(0);
        assertThat(c.get("MPTcpExt", "MPCapableSYNRX")).hasValue(0);
        assertThat(c.get("TcpExt", "NoSuchCounter")).isEmpty();
    }

    @Test
    void capturedSnmpHasMaxConnMinusOne() throws IOException {
        ParseLog log = new ParseLog();
        NetstatFile snmp = NetstatFile.snmp(Fixtures.procFs("linux-6.18"));
        KernelCounters c = snmp.read(log);

        assertThat(log.skipped()).isZero();
        // Ip 20 + Icmp 29 + IcmpMsg 1 + Tcp 15 + Udp 9 + UdpLite 9
        assertThat(c.values()).hasSize(83);
        assertThat(c.get("Tcp", "MaxConn")).hasValue(-1);
        assertThat(c.get("Tcp", "RtoMax")).hasValue(120_000);
        assertThat(c.get("IcmpMsg", "InType3")).hasValue(1);
        assertThat(c.get("Icmp", "InDestUnreachs")).hasValue(1);
    }

    @Test
    void largeValuesAndAMismatchedSection() {
        ParseLog log = new ParseLog();
        KernelCounters c = NetstatFile.parse(Fixtures.text("edge-cases", "net/netstat"), log);

        // "Broken:" has 3 names and 2 values: that pair alone is dropped
        assertThat(log.skipped()).isEqualTo(1);
        assertThat(log.firstProblem()).contains("Broken");
        assertThat(c.values()).hasSize(3 + 2 + 2);
        // both sections have RcvPruned on some kernels (not 6.18's MPTcpExt); the section keeps them apart
        assertThat(c.get("TcpExt", "RcvPruned")).hasValue(7);
        assertThat(c.get("MPTcpExt", "RcvPruned")).hasValue(3);
        // 2^64-1 rounds to 2^64 as a double
        assertThat(c.get("TcpExt", "TCPTimeWaitOverflow")).hasValue(Math.pow(2, 64));
        assertThat(c.get("IpExt", "InOctets")).hasValue(3 * Math.pow(2, 32));
        assertThat(c.get("IpExt", "OutOctets")).hasValue(Math.pow(2, 32) + 1);
    }

    @Test
    void unpairedLineIsSkippedAndPairingResumes() {
        String text = """
                TcpExt: A B
                IpExt: InOctets
                IpExt: 5
                Tcp: X
                """;
        ParseLog log = new ParseLog();
        KernelCounters c = NetstatFile.parse(text, log);
        assertThat(c.values()).containsExactly(java.util.Map.entry("IpExt.InOctets", 5.0));
        assertThat(log.skipped()).isEqualTo(2);
    }

    @Test
    void notANumberCostsOnlyItsField() {
        ParseLog log = new ParseLog();
        KernelCounters c = NetstatFile.parse("Tcp: A B\nTcp: x 2", log);
        assertThat(c.values()).containsExactly(java.util.Map.entry("Tcp.B", 2.0));
        assertThat(log.skipped()).isEqualTo(1);
    }
}
