package dev.tcpfootgun.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.snapshot.Family;
import dev.tcpfootgun.snapshot.KernelCounters;
import dev.tcpfootgun.snapshot.PortRange;
import dev.tcpfootgun.snapshot.Sockstat;
import dev.tcpfootgun.snapshot.Sysctls;
import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.testing.Bounded;
import dev.tcpfootgun.testing.KernelText;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Every text parser on damaged and random input: it returns what it could read and counts what it
 * skipped in the ParseLog, never throws, never hangs (each try is bounded by {@link Bounded}), and
 * never invents a value out of range (a wrapped multiplication, a truncated cast, a negative counter).
 */
class ParserPropertyTest {

    // ---- /proc/net/tcp{,6}

    @Provide
    Arbitrary<String> tcpText() {
        return Arbitraries.oneOf(
                KernelText.mutated(Fixtures.text("linux-6.18", "net/tcp"), 6),
                KernelText.mutated(Fixtures.text("linux-6.18", "net/tcp6"), 6),
                KernelText.mutated(Fixtures.text("edge-cases", "net/tcp"), 6),
                KernelText.mutated(Fixtures.text("edge-cases", "net/tcp6"), 6),
                KernelText.noise());
    }

    @Property
    void procNetTcpReadsOrCountsEveryLine(@ForAll("tcpText") String text, @ForAll Family family) throws Exception {
        ParseLog log = new ParseLog();
        List<TcpSocket> sockets = Bounded.call(() -> ProcNetTcp.parse(text, family, log));
        int lines = KernelText.fieldLines(text);
        // each line but a header is a socket or a skip; a header costs a skip only when unusable
        assertThat(sockets.size() + log.skipped()).isBetween((long) lines - 1, (long) lines);
        for (TcpSocket s : sockets) {
            assertThat(s.txQueue()).isNotNegative();
            assertThat(s.rxQueue()).isNotNegative();
            assertThat(s.timer()).isNotNegative();
            assertThat(s.timerExpiresMillis()).isNotNegative();
            assertThat(s.retransmits()).isNotNegative();
            // ticks times 10 ms must not wrap around into a made-up value
            assertThat(s.timerExpiresMillis() % 10).isZero();
        }
    }

    /** Valid lines written the way tcp4_seq_show writes them survive any garbage lines between them. */
    @Property
    void procNetTcpKeepsEveryValidLineAmongGarbage(
            @ForAll("validTcp4") List<ValidTcp4> valid, @ForAll("garbageLines") List<String> garbage) throws Exception {
        StringBuilder text = new StringBuilder(
                "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
        int g = 0;
        for (ValidTcp4 v : valid) {
            if (g < garbage.size()) {
                text.append(garbage.get(g++)).append('\n');
            }
            text.append(v.line()).append('\n');
        }
        ParseLog log = new ParseLog();
        List<TcpSocket> sockets = Bounded.call(() -> ProcNetTcp.parse(text.toString(), Family.INET, log));
        List<String> expected = valid.stream().map(ValidTcp4::expected).toList();
        List<String> got = new ArrayList<>();
        for (TcpSocket s : sockets) {
            got.add(ValidTcp4.describe(s));
        }
        assertThat(got).containsSubsequence(expected);
        assertThat(log.skipped()).isLessThanOrEqualTo(g);
    }

    /** One full or TIME_WAIT socket line with random field values. */
    record ValidTcp4(int sl, int localIp, int localPort, int remoteIp, int remotePort, int state, long txq, long rxq,
            int timer, long ticks, int retrans, long uid, int probes, long inode, boolean full, long rto, long ato) {

        String line() {
            String common = "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08X %08X %5d %8d %d".formatted(
                    sl, Integer.reverseBytes(localIp), localPort, Integer.reverseBytes(remoteIp), remotePort, state,
                    txq, rxq, timer, ticks, retrans, uid, probes, inode);
            return full
                    ? common + " 1 0000000000000000 %d %d 0 10 -1".formatted(rto, ato)
                    : common + " 3 0000000000000000";
        }

        String expected() {
            return "%s:%d %s:%d st=%d q=%d/%d t=%d/%d r=%d".formatted(
                    ip(localIp), localPort, ip(remoteIp), remotePort, state, txq, rxq, timer, ticks * 10, retrans);
        }

        static String describe(TcpSocket s) {
            return "%s:%d %s:%d st=%d q=%d/%d t=%d/%d r=%d".formatted(
                    s.local().ip(), s.local().port(), s.remote().ip(), s.remote().port(), s.state().code(),
                    s.txQueue(), s.rxQueue(), s.timer(), s.timerExpiresMillis(), s.retransmits());
        }

        private static String ip(int networkOrder) {
            return (networkOrder >>> 24) + "." + ((networkOrder >>> 16) & 0xff) + "." + ((networkOrder >>> 8) & 0xff)
                    + "." + (networkOrder & 0xff);
        }
    }

    @Provide
    Arbitrary<List<ValidTcp4>> validTcp4() {
        Arbitrary<Integer> ip = Arbitraries.integers();
        Arbitrary<Integer> port = Arbitraries.integers().between(0, 65535);
        Arbitrary<Long> u32 = Arbitraries.longs().between(0, 0xffffffffL);
        var a = net.jqwik.api.Combinators.combine(Arbitraries.integers().between(0, 9999), ip, port, ip, port,
                Arbitraries.integers().between(1, 13), u32, u32);
        var b = net.jqwik.api.Combinators.combine(Arbitraries.integers().between(0, 4), u32,
                Arbitraries.integers().between(0, 255), u32, Arbitraries.integers().between(0, 1000),
                Arbitraries.longs().between(0, Long.MAX_VALUE / 10), Arbitraries.of(true, false),
                Arbitraries.longs().between(0, 1_000_000));
        return net.jqwik.api.Combinators.combine(a.as(List::of), b.as(List::of))
                .as((x, y) -> new ValidTcp4((int) x.get(0), (int) x.get(1), (int) x.get(2), (int) x.get(3), (int) x.get(4),
                        (int) x.get(5), (long) x.get(6), (long) x.get(7), (int) y.get(0), (long) y.get(1), (int) y.get(2),
                        (long) y.get(3), (int) y.get(4), (long) y.get(5), (boolean) y.get(6), (long) y.get(7), (long) y.get(7) / 2))
                .list().ofMaxSize(20);
    }

    /** Lines that must not be mistaken for sockets' neighbours: anything without a newline. */
    @Provide
    Arbitrary<List<String>> garbageLines() {
        return Arbitraries.oneOf(
                        KernelText.weirdValues(),
                        KernelText.mutated(
                                "   1: 1401A8C0:C822 097100CB:01BB 01 000001F4:00000000 01:0000002A 00000002  1000 3 55555 2 0000000000000000 408 4 3 1 7", 3))
                .map(s -> s.replace('\n', ' '))
                .list().ofMaxSize(20);
    }

    // ---- /proc/net/netstat and snmp

    @Provide
    Arbitrary<String> netstatText() {
        return Arbitraries.oneOf(
                KernelText.mutated(Fixtures.text("linux-6.18", "net/netstat"), 6),
                KernelText.mutated(Fixtures.text("linux-6.18", "net/snmp"), 6),
                KernelText.mutated(Fixtures.text("edge-cases", "net/netstat"), 6),
                KernelText.noise());
    }

    @Property
    void netstatNeverThrowsAndKeepsOnlyNumbers(@ForAll("netstatText") String text) throws Exception {
        ParseLog log = new ParseLog();
        KernelCounters counters = Bounded.call(() -> NetstatFile.parse(text, log));
        assertThat(counters.values().values()).allSatisfy(v -> assertThat(v).isNotNaN().isFinite());
        if (KernelText.fieldLines(text) % 2 == 1) {
            assertThat(log.skipped()).isPositive(); // a line left over is always reported
        }
    }

    /** Valid "Section: names" / "Section: values" pairs are read exactly, whatever unprefixed lines sit between. */
    @Property
    void netstatKeepsEveryValidPair(@ForAll("netstatPairs") List<Map.Entry<String, List<Long>>> pairs,
            @ForAll("garbageLines") List<String> garbage) throws Exception {
        StringBuilder text = new StringBuilder();
        int g = 0;
        for (int p = 0; p < pairs.size(); p++) {
            String section = "S" + p + pairs.get(p).getKey();
            List<Long> values = pairs.get(p).getValue();
            text.append(section).append(':');
            for (int i = 0; i < values.size(); i++) {
                text.append(" F").append(i);
            }
            text.append('\n');
            if (g < garbage.size() && !garbage.get(g).strip().split("\\s+")[0].endsWith(":")) {
                text.append(garbage.get(g)).append('\n');
            }
            g++;
            text.append(section).append(':');
            for (long v : values) {
                text.append(' ').append(Long.toUnsignedString(v));
            }
            text.append('\n');
        }
        ParseLog log = new ParseLog();
        KernelCounters c = Bounded.call(() -> NetstatFile.parse(text.toString(), log));
        for (int p = 0; p < pairs.size(); p++) {
            List<Long> values = pairs.get(p).getValue();
            for (int i = 0; i < values.size(); i++) {
                double want = Double.parseDouble(Long.toUnsignedString(values.get(i)));
                assertThat(c.get("S" + p + pairs.get(p).getKey(), "F" + i)).hasValue(want);
            }
        }
    }

    @Provide
    Arbitrary<List<Map.Entry<String, List<Long>>>> netstatPairs() {
        return net.jqwik.api.Combinators.combine(
                        Arbitraries.strings().alpha().ofMaxLength(8),
                        Arbitraries.longs().list().ofMinSize(1).ofMaxSize(30))
                .as(Map::entry)
                .list().ofMaxSize(6);
    }

    // ---- /proc/net/sockstat

    @Provide
    Arbitrary<String> sockstatText() {
        return Arbitraries.oneOf(
                KernelText.mutated(Fixtures.text("linux-6.18", "net/sockstat"), 6),
                KernelText.mutated(Fixtures.text("linux-6.18", "net/sockstat6"), 6),
                KernelText.noise());
    }

    @Property
    void sockstatReadsOrCountsEveryLine(@ForAll("sockstatText") String text) throws Exception {
        ParseLog log = new ParseLog();
        Sockstat s = Bounded.call(() -> SockstatSource.parse(text, log));
        // a protocol named twice keeps its last line, so protocols can be fewer than good lines
        assertThat(s.protocols().size() + log.skipped()).isLessThanOrEqualTo(KernelText.fieldLines(text));
        assertThat(log.skipped()).isGreaterThanOrEqualTo(0);
    }

    // ---- /proc/net/stat/nf_conntrack

    @Provide
    Arbitrary<String> conntrackStatsText() {
        return Arbitraries.oneOf(
                KernelText.mutated(Fixtures.text("linux-6.18", "net/stat/nf_conntrack"), 6),
                KernelText.mutated(Fixtures.text("old-kernel", "net/stat/nf_conntrack"), 6),
                KernelText.noise());
    }

    @Property
    void conntrackStatsAreNeverNegative(@ForAll("conntrackStatsText") String text) throws Exception {
        ParseLog log = new ParseLog();
        Map<String, Long> stats = Bounded.call(() -> ConntrackSource.parseStats(text, log));
        // these become Prometheus counters, which must not be negative
        assertThat(stats.values()).allSatisfy(v -> assertThat(v).isNotNegative());
        assertThat(stats).doesNotContainKey("entries");
        int rows = Math.max(0, KernelText.fieldLines(text) - 1);
        assertThat(log.skipped()).isLessThanOrEqualTo(Math.max(1, rows));
    }

    @Property
    void conntrackStatsSumValidRowsExactly(@ForAll("hexRows") List<List<Long>> rows) throws Exception {
        StringBuilder text = new StringBuilder("entries found drop\n");
        long[] want = new long[3];
        for (List<Long> r : rows) {
            text.append("%08x  %08x %08x\n".formatted(r.get(0), r.get(1), r.get(2)));
            for (int i = 0; i < 3; i++) {
                want[i] += r.get(i);
            }
            text.append("zz not a row\n");
        }
        ParseLog log = new ParseLog();
        Map<String, Long> stats = Bounded.call(() -> ConntrackSource.parseStats(text.toString(), log));
        assertThat(stats).isEqualTo(Map.of("found", want[1], "drop", want[2]));
        assertThat(log.skipped()).isEqualTo(rows.size());
    }

    @Provide
    Arbitrary<List<List<Long>>> hexRows() {
        return Arbitraries.longs().between(0, 0xffffffffL).list().ofSize(3).list().ofMaxSize(64);
    }

    // ---- sysctls

    @Property
    void sysctlValueIsStrippedAndStable(@ForAll("anyText") String text) throws Exception {
        String v = Bounded.call(() -> SysctlSource.value(text));
        assertThat(v).isEqualTo(v.strip());
        assertThat(SysctlSource.value(v)).isEqualTo(v);
    }

    @Property
    void sysctlNumbersNeverThrow(@ForAll("sysctlValues") String value) throws Exception {
        Sysctls s = new Sysctls(Map.of("a", value, Sysctls.PORT_RANGE, value, Sysctls.RESERVED_PORTS, value));
        Bounded.run(() -> {
            s.number("a");
            Optional<long[]> numbers = s.numbers("a");
            numbers.ifPresent(n -> assertThat(n).isNotEmpty());
            s.ephemeralPorts().ifPresent(p -> assertThat(p.range().size()).isPositive());
        });
    }

    @Property
    void sysctlNumbersAreWhatSplittingOnWhitespaceRunsGives(@ForAll("numberLists") String value) {
        Optional<long[]> split;
        try {
            String[] parts = value.trim().split("\\s+");
            long[] out = new long[parts.length];
            for (int i = 0; i < parts.length; i++) {
                out[i] = Long.parseLong(parts[i]);
            }
            split = value.isBlank() ? Optional.empty() : Optional.of(out);
        } catch (NumberFormatException e) {
            split = Optional.empty();
        }
        Optional<long[]> numbers = new Sysctls(Map.of("a", value)).numbers("a");
        assertThat(numbers.isPresent()).as("[" + value + "]").isEqualTo(split.isPresent());
        split.ifPresent(n -> assertThat(numbers.orElseThrow()).as("[" + value + "]").containsExactly(n));
    }

    /** Numbers, signs and every kind of blank and control character, in runs: what the hand-written split must agree on. */
    @Provide
    Arbitrary<String> numberLists() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("0123456789 \t\n\u000b\f\r\u0001\u001c+-\u00a0x.\u0663").ofMaxLength(24),
                Arbitraries.of("4096\t131072\t6291456", "32768\t60999\n", " 1  2 ", "\u0001", "-5 +7", "9223372036854775808", "", "6.18.44-fc-v657", "+", "-", "\u0663\u0664 12", "1 +-2"));
    }

    @Property
    void portListsKeepValidEntriesAndDropTheRest(@ForAll("portLists") String text) throws Exception {
        List<PortRange> ranges = Bounded.call(() -> Sysctls.parsePortList(text));
        for (PortRange r : ranges) {
            assertThat(r.low()).isBetween(0, 65535);
            assertThat(r.high()).isBetween(r.low(), 65535);
        }
        assertThat(ranges.size()).isLessThanOrEqualTo(text.split(",", -1).length);
    }

    @Property
    void validPortListsRoundTrip(@ForAll("validPortRanges") List<PortRange> ranges) throws Exception {
        String text = String.join(",", ranges.stream().map(PortRange::toString).toList());
        assertThat(Bounded.call(() -> Sysctls.parsePortList(text))).isEqualTo(ranges);
    }

    @Provide
    Arbitrary<List<PortRange>> validPortRanges() {
        return net.jqwik.api.Combinators.combine(
                        Arbitraries.integers().between(0, 65535), Arbitraries.integers().between(0, 1000))
                .as((lo, span) -> new PortRange(lo, Math.min(65535, lo + span)))
                .list().ofMaxSize(10);
    }

    @Provide
    Arbitrary<String> sysctlValues() {
        return Arbitraries.oneOf(
                KernelText.mutated("32768\t60999", 3),
                KernelText.mutated("4096\t131072\t6291456", 3),
                KernelText.weirdValues(),
                KernelText.noise());
    }

    @Provide
    Arbitrary<String> portLists() {
        return Arbitraries.oneOf(
                KernelText.mutated("8080,9000-9100,40000-40010", 4),
                Arbitraries.strings().withChars("0123456789,- \t").ofMaxLength(60),
                KernelText.weirdValues().list().ofMaxSize(6).map(l -> String.join(",", l)),
                KernelText.weirdValues().list().ofMaxSize(6).map(l -> String.join("-", l)));
    }

    @Provide
    Arbitrary<String> anyText() {
        return Arbitraries.oneOf(KernelText.noise(), KernelText.weirdValues());
    }

    // ---- sysfs helpers

    @Property
    void sysfsHelpersNeverThrow(@ForAll("anyText") String uevent, @ForAll int arpType, @ForAll boolean tun,
            @ForAll boolean bus) throws Exception {
        Bounded.run(() -> {
            String devType = SysfsInterfaces.devType(uevent);
            if (devType != null) {
                assertThat(devType).isNotBlank().doesNotContain("\n");
            }
            SysfsInterfaces.kind(arpType, uevent, tun, bus);
            SysfsInterfaces.operUp(uevent);
        });
    }
}
