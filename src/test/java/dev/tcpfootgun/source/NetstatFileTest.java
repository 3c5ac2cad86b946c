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

    /** The names one read kept are reused by the next: a names line that changed between reads must give its own keys. */
    @Test
    void namesKeptFromTheLastReadFollowAChangedNamesLine() throws IOException {
        NetstatFile.Keys keys = new NetstatFile.Keys();
        KernelCounters first = NetstatFile.parse(KernelLines.of("Tcp: A B\nTcp: 1 2\nUdp: C\nUdp: 3\n"), "snmp", new ParseLog(), keys);
        assertThat(first.values()).isEqualTo(java.util.Map.of("Tcp.A", 1.0, "Tcp.B", 2.0, "Udp.C", 3.0));

        KernelCounters same = NetstatFile.parse(KernelLines.of("Tcp: A B\nTcp: 4 5\nUdp: C\nUdp: 6\n"), "snmp", new ParseLog(), keys);
        assertThat(same.values()).isEqualTo(java.util.Map.of("Tcp.A", 4.0, "Tcp.B", 5.0, "Udp.C", 6.0));

        // a renamed field, one more, a section gone and a new one: the keys are the new lines'
        KernelCounters changed = NetstatFile.parse(KernelLines.of("Tcp: A X D\nTcp: 7 8 9\nIp: E\nIp: 10\n"), "snmp",
                new ParseLog(), keys);
        assertThat(changed.values()).isEqualTo(java.util.Map.of("Tcp.A", 7.0, "Tcp.X", 8.0, "Tcp.D", 9.0, "Ip.E", 10.0));
        // a name that only starts like the kept one
        KernelCounters longer = NetstatFile.parse(KernelLines.of("Tcp: A XY D\nTcp: 1 2 3\n"), "snmp", new ParseLog(), keys);
        assertThat(longer.values()).isEqualTo(java.util.Map.of("Tcp.A", 1.0, "Tcp.XY", 2.0, "Tcp.D", 3.0));

        KernelCounters back = NetstatFile.parse(KernelLines.of("Tcp: A B\nTcp: 1 2\nUdp: C\nUdp: 3\n"), "snmp", new ParseLog(), keys);
        assertThat(back).isEqualTo(first);
    }

    @Test
    void valuesReadInPlaceOrAsTextGiveTheSameCounters() throws IOException {
        NetstatFile.Keys keys = new NetstatFile.Keys();
        String names = "Tcp: A B C D E F G\n";
        String values = "Tcp: 0 123456789012345678 1234567890123456789 18446744073709551615 -1 +5 x\n";
        for (int read = 0; read < 2; read++) {
            ParseLog log = new ParseLog();
            KernelCounters c = NetstatFile.parse(KernelLines.of(names + values), "snmp", log, keys);
            assertThat(c.values()).isEqualTo(java.util.Map.of("Tcp.A", 0.0, "Tcp.B", 123456789012345678.0, "Tcp.C", 1234567890123456789.0,
                    "Tcp.D", Math.pow(2, 64), "Tcp.E", -1.0, "Tcp.F", 5.0));
            assertThat(log.skipped()).isEqualTo(1);
            assertThat(log.firstProblem()).isEqualTo("Tcp.G: not a number: x");
        }
    }

    @Test
    void oneSourceReadTwiceGivesWhatAFreshParseGives() throws IOException {
        NetstatFile netstat = NetstatFile.netstat(Fixtures.procFs("linux-6.18"));
        KernelCounters once = netstat.read(new ParseLog());
        KernelCounters twice = netstat.read(new ParseLog());
        assertThat(twice).isEqualTo(once);
        assertThat(twice).isEqualTo(NetstatFile.parse(Fixtures.text("linux-6.18", "net/netstat"), new ParseLog()));
    }
}
