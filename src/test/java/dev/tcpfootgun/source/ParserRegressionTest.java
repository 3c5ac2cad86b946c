package dev.tcpfootgun.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.snapshot.Family;
import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.testing.Bounded;
import dev.tcpfootgun.testing.KernelText;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Inputs the parser properties found wrong answers for, kept as plain examples. */
class ParserRegressionTest {
    private static final String HEADER =
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
    private static final String GOOD =
            "   0: 0100007F:1F90 0100007F:9C41 01 00000000:00000000 02:000007D0 00000000     0        0 777 1 0000000000000000 20 4 30 10 -1\n";

    private static List<TcpSocket> tcp(String line, ParseLog log) {
        return ProcNetTcp.parse(HEADER + GOOD + line + "\n", Family.INET, log);
    }

    /** Found: "00:FFFFFFFFFFFFFFFF" read as -1 ticks, exported as a timer of -10 ms. */
    @Test
    void timerTicksAbove2To63SkipTheLineInsteadOfTurningNegative() {
        ParseLog log = new ParseLog();
        List<TcpSocket> s = tcp("   1: 0100007F:1F90 0100007F:9C42 01 00000000:00000000 02:FFFFFFFFFFFFFFFF 00000000 0 0 1 1 0 20 4 30 10 -1", log);
        assertThat(s).hasSize(1);
        assertThat(log.skipped()).isEqualTo(1);
        assertThat(log.firstProblem()).contains("FFFFFFFFFFFFFFFF");
    }

    @Test
    void ticksWhoseMillisecondsOverflowSkipTheLine() {
        ParseLog log = new ParseLog();
        assertThat(tcp("   1: 0100007F:1F90 0100007F:9C42 01 00000000:00000000 02:1000000000000000 00000000 0 0 1 1 0 20 4 30 10 -1", log))
                .hasSize(1);
        // the unnamed tail (rto, ato...) is not read: a value there cannot overflow into anything
        assertThat(tcp("   1: 0100007F:1F90 0100007F:9C42 01 00000000:00000000 02:00000001 00000000 0 0 1 1 0 1844674407370955200 4 30 10 -1", log))
                .hasSize(2);
        assertThat(log.skipped()).isEqualTo(1);
    }

    /** A state, timer or retransmit count wider than an int was truncated by a cast: 0x10000000A read as LISTEN. */
    @Test
    void hexFieldsWiderThanAnIntAreNotTruncatedIntoAnotherValue() {
        ParseLog log = new ParseLog();
        assertThat(tcp("   1: 0100007F:1F90 0100007F:9C42 10000000A 00000000:00000000 02:00000001 00000000 0 0 1", log)).hasSize(1);
        assertThat(tcp("   1: 0100007F:1F90 0100007F:9C42 01 00000000:00000000 100000002:00000001 00000000 0 0 1", log)).hasSize(1);
        assertThat(tcp("   1: 0100007F:1F90 0100007F:9C42 01 00000000:00000000 02:00000001 100000000 0 0 1", log)).hasSize(1);
        assertThat(log.skipped()).isEqualTo(3);
    }

    @Test
    void queuesPast2To63SkipTheLineAndFieldsNotReadDoNot() {
        ParseLog log = new ParseLog();
        assertThat(tcp("   1: 0100007F:1F90 0100007F:9C42 01 8000000000000000:00000000 02:00000001 0 0 0 7", log)).hasSize(1);
        assertThat(log.skipped()).isEqualTo(1);
        // uid, timeout and inode are not read (nothing uses them): what they hold cannot cost the line
        List<TcpSocket> kept = tcp("   1: 0100007F:1F90 0100007F:9C42 01 00000000:00000000 02:00000001 0 -1 4294967296 -7", log);
        assertThat(kept).hasSize(2);
        assertThat(kept.get(1).remote().port()).isEqualTo(0x9C42);
        assertThat(log.skipped()).isEqualTo(1);
    }

    /** Found: 11293594980944446465 became 1.1293594980944445E19, one ulp off the nearest double. */
    @Test
    void countersAbove2To63RoundToTheNearestDouble() {
        ParseLog log = new ParseLog();
        for (String v : List.of("11293594980944446465", "18446744073709551615", "9223372036854775809", "9223372036854777857")) {
            var c = NetstatFile.parse("TcpExt: A\nTcpExt: " + v + "\n", log);
            assertThat(c.get("TcpExt", "A")).as(v).hasValue(Double.parseDouble(v));
        }
        assertThat(log.skipped()).isZero();
    }

    /** Found: a per-CPU value of 2^63 or more, or a sum past 2^63, gave a negative counter. */
    @Test
    void conntrackStatsNeverSumIntoANegativeCounter() {
        ParseLog log = new ParseLog();
        Map<String, Long> stats = ConntrackSource.parseStats("""
                entries drop
                00000000 00000005
                00000000 FFFFFFFFFFFFFFFF
                00000000 7FFFFFFFFFFFFFFF
                00000000 00000001
                """, log);
        assertThat(stats).isEqualTo(Map.of("drop", 6L));
        assertThat(log.skipped()).isEqualTo(2); // the 2^64-1 row, then the row that would pass 2^63-1
    }

    /** Every captured text cut at every offset: each parser returns, counting what it skipped. */
    @Test
    void capturedFilesCutAtEveryOffset() throws Exception {
        for (String kernel : List.of("linux-6.18", "edge-cases")) {
            for (String file : List.of("net/tcp", "net/tcp6", "net/netstat", "net/snmp", "net/sockstat", "net/sockstat6",
                    "net/stat/nf_conntrack")) {
                if (!java.nio.file.Files.exists(Fixtures.procRoot(kernel).resolve(file))) {
                    continue;
                }
                String text = Fixtures.text(kernel, file);
                long whole = skipsOf(file, text);
                for (int cut = 0; cut <= text.length(); cut++) {
                    String part = text.substring(0, cut);
                    ParseLog log = new ParseLog();
                    Bounded.run(() -> parse(file, part, log));
                    // a cut inside a line loses at most that line and the one it pairs with, and says so
                    assertThat(log.skipped()).as(kernel + "/" + file + " cut at " + cut).isLessThanOrEqualTo(whole + 2);
                }
            }
        }
    }

    private static long skipsOf(String file, String text) {
        ParseLog log = new ParseLog();
        parse(file, text, log);
        return log.skipped();
    }

    private static void parse(String file, String part, ParseLog log) {
        switch (file) {
            case "net/tcp", "net/tcp6" -> {
                Family family = file.endsWith("6") ? Family.INET6 : Family.INET;
                int n = ProcNetTcp.parse(part, family, log).size();
                assertThat(n + log.skipped()).isBetween((long) KernelText.fieldLines(part) - 1, (long) KernelText.fieldLines(part));
            }
            case "net/netstat", "net/snmp" -> NetstatFile.parse(part, log);
            case "net/sockstat", "net/sockstat6" -> SockstatSource.parse(part, log);
            default -> ConntrackSource.parseStats(part, log);
        }
    }
}
