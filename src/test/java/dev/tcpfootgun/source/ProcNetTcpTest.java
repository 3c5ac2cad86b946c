package dev.tcpfootgun.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.snapshot.SocketTable;
import dev.tcpfootgun.snapshot.Endpoint;
import dev.tcpfootgun.snapshot.Family;
import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.snapshot.TcpState;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcNetTcpTest {

    @Test
    void capturedIpv4FromLinux618() {
        ParseLog log = new ParseLog();
        List<TcpSocket> sockets = ProcNetTcp.parse(Fixtures.text("linux-6.18", "net/tcp"), Family.INET, log);

        assertThat(log.skipped()).isZero();
        assertThat(sockets).hasSize(10);
        // "0: 0100007F:46A0 00000000:0000 0A ..." -> 127.0.0.1:18080 listening
        TcpSocket listener = sockets.get(0);
        assertThat(listener.state()).isEqualTo(TcpState.LISTEN);
        assertThat(listener.local()).isEqualTo(new Endpoint("127.0.0.1", 18080));
        assertThat(listener.remote().isUnspecified()).isTrue();
        // "1: 00000000:07E8" -> 0.0.0.0:2024
        assertThat(sockets.get(1).local()).isEqualTo(new Endpoint("0.0.0.0", 2024));
        // "3: ... 01 00000000:000004D2 ... 10515 1 ... 20 4 32 10 -1": 1234 bytes unread
        TcpSocket reader = sockets.get(3);
        assertThat(reader.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(reader.remote()).isEqualTo(new Endpoint("127.0.0.1", 0xEC94)); // 60564
        assertThat(reader.rxQueue()).isEqualTo(1234);
        // "5: 0100007F:EC7E 0100007F:46A0 06 ... 03:00001736 ... 0 3 ptr": 0x1736 = 5942 ticks = 59420 ms
        TcpSocket timeWait = sockets.get(5);
        assertThat(timeWait.state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(timeWait.local()).isEqualTo(new Endpoint("127.0.0.1", 60542));
        assertThat(timeWait.timer()).isEqualTo(TcpSocket.TIMER_TIME_WAIT);
        assertThat(timeWait.timerExpiresMillis()).isEqualTo(59_420);
        assertThat(sockets).filteredOn(s -> s.state() == TcpState.TIME_WAIT).hasSize(3);
        assertThat(sockets).allMatch(s -> s.family() == Family.INET && s.info() == null);
    }

    @Test
    void capturedIpv6FromLinux618() {
        ParseLog log = new ParseLog();
        List<TcpSocket> sockets = ProcNetTcp.parse(Fixtures.text("linux-6.18", "net/tcp6"), Family.INET6, log);

        assertThat(log.skipped()).isZero();
        assertThat(sockets).hasSize(9);
        assertThat(sockets).allMatch(s -> s.family() == Family.INET6);
        // "0: 000...0:46A3" -> [::]:18083, the dual-stack listener
        assertThat(sockets.get(0).local()).isEqualTo(new Endpoint("::", 18083));
        // word 000000FD -> bytes FD 00 00 00, word 02000000 -> 00 00 00 02: fd00:0:0:0:0:0:0:2
        assertThat(sockets.get(1).local()).isEqualTo(new Endpoint("fd00::2", 18082));
        assertThat(sockets.get(2).local()).isEqualTo(new Endpoint("::1", 18081));
        assertThat(sockets.get(4).state()).isEqualTo(TcpState.TIME_WAIT);
        // "8: 0000000000000000FFFF00000100007F:46A3 ...:E69E" -> ::ffff:127.0.0.1 shown dotted, 0xE69E = 59038
        TcpSocket mapped = sockets.get(8);
        assertThat(mapped.local()).isEqualTo(new Endpoint("127.0.0.1", 18083));
        assertThat(mapped.remote()).isEqualTo(new Endpoint("127.0.0.1", 59038));
        // loopback-ness comes with the address: the v4-mapped 127.0.0.1 and ::1 are, fd00::2 is not
        assertThat(mapped.local().isLoopback()).isTrue();
        assertThat(sockets.get(2).local().isLoopback()).isTrue();
        assertThat(sockets.get(1).local().isLoopback()).isFalse();
        assertThat(mapped.family()).isEqualTo(Family.INET6);
    }

    @Test
    void handWrittenIpv4EdgeCases() {
        ParseLog log = new ParseLog();
        List<TcpSocket> sockets = ProcNetTcp.parse(Fixtures.text("edge-cases", "net/tcp"), Family.INET, log);

        // line 2 is cut off after the remote address: skipped, the five others kept
        assertThat(log.skipped()).isEqualTo(1);
        assertThat(log.firstProblem()).contains("0100007F:1F90 0100007F");
        assertThat(sockets).hasSize(5);

        // 0700000A = bytes 0A 00 00 07 reversed -> 10.0.0.7; 0x1538 = 5432; 5 connections waiting in accept
        assertThat(sockets.get(0)).isEqualTo(new TcpSocket(Family.INET, TcpState.LISTEN,
                new Endpoint("10.0.0.7", 5432), new Endpoint("0.0.0.0", 0), 0, 5, 0, 0, 0,
                null, null, null));

        // 1401A8C0 -> 192.168.1.20, 0xC822 = 51234; 097100CB -> 203.0.113.9, 0x01BB = 443;
        // 500 bytes unacked, retransmit timer in 42 ticks = 420 ms, 2 retransmits, 3 probes,
        // rto 408 ticks = 4080 ms, ato 4 ticks = 40 ms, quick 1 + pingpong (3), cwnd 1, ssthresh 7
        TcpSocket stalled = sockets.get(1);
        assertThat(stalled).isEqualTo(new TcpSocket(Family.INET, TcpState.ESTABLISHED,
                new Endpoint("192.168.1.20", 51234), new Endpoint("203.0.113.9", 443), 500, 0,
                TcpSocket.TIMER_RETRANSMIT, 420, 2,
                null, null, null));

        // short TIME_WAIT line (12 fields): 0x9C40 = 40000, 0x1F90 = 8080, 0x1770 = 6000 ticks = 60 s
        assertThat(sockets.get(2)).isEqualTo(new TcpSocket(Family.INET, TcpState.TIME_WAIT,
                new Endpoint("127.0.0.1", 40000), new Endpoint("127.0.0.1", 8080), 0, 0,
                TcpSocket.TIMER_TIME_WAIT, 60_000, 0, null, null, null));

        // SYN_RECV request line: 6300000A -> 10.0.0.99, 0xEA60 = 60000, SYN-ACK timer 100 ticks, 1 resend
        assertThat(sockets.get(3)).isEqualTo(new TcpSocket(Family.INET, TcpState.SYN_RECV,
                new Endpoint("10.0.0.7", 5432), new Endpoint("10.0.0.99", 60000), 0, 0,
                TcpSocket.TIMER_RETRANSMIT, 1000, 1, null, null, null));

        // last line: trailing blanks and no final newline; keepalive in 0x7D0 = 2000 ticks = 20 s
        TcpSocket last = sockets.get(4);
        assertThat(last.remote()).isEqualTo(new Endpoint("127.0.0.1", 40001));
        assertThat(last.timer()).isEqualTo(TcpSocket.TIMER_KEEPALIVE);
        assertThat(last.timerExpiresMillis()).isEqualTo(20_000);
    }

    @Test
    void handWrittenIpv6Addresses() {
        ParseLog log = new ParseLog();
        List<TcpSocket> sockets = ProcNetTcp.parse(Fixtures.text("edge-cases", "net/tcp6"), Family.INET6, log);

        assertThat(log.skipped()).isZero();
        assertThat(sockets).extracting(TcpSocket::local).containsExactly(
                new Endpoint("::", 22),
                new Endpoint("::1", 8080),
                // FFFF0000 -> bytes 00 00 FF FF; 0302010A -> 0A 01 02 03 = ::ffff:10.1.2.3
                new Endpoint("10.1.2.3", 443),
                // B80D0120 -> 20 01 0D B8; 2E8A0000 -> 00 00 8A 2E; 34737003 -> 03 70 73 34
                new Endpoint("2001:db8::8a2e:370:7334", 443),
                // 01000000 -> 00 00 00 01; 01000100 -> 00 01 00 01: one zero group is not shortened
                new Endpoint("2001:db8:0:1:1:1:1:1", 40000));
        assertThat(sockets).extracting(TcpSocket::remote).containsExactly(
                new Endpoint("::", 0),
                new Endpoint("::1", 50000),
                // 076433C6 -> C6 33 64 07 = 198.51.100.7; 0xEE48 = 61000
                new Endpoint("198.51.100.7", 61000),
                // 2001:db8:0:0:1:0:0:1: two zero runs of two, the first is shortened; 0x80E8 = 33000
                new Endpoint("2001:db8::1:0:0:1", 33000),
                new Endpoint("2001:db8::8a2e:370:7334", 443));
        assertThat(sockets.get(4).state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(sockets.get(4).timerExpiresMillis()).isEqualTo(30_000); // 0xBB8 = 3000 ticks
    }

    @Test
    void headerOnlyFileHasNoSockets() {
        ParseLog log = new ParseLog();
        assertThat(ProcNetTcp.parse(Fixtures.text("header-only", "net/tcp"), Family.INET, log)).isEmpty();
        assertThat(ProcNetTcp.parse("", Family.INET, log)).isEmpty();
        assertThat(log.skipped()).isZero();
    }

    @Test
    void wrongAddressWidthAndBadHexAreSkippedAlone() {
        String text = """
                  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
                   0: 00000000000000000000000001000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1 0
                   1: 0100007G:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1 0
                   2: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1 0
                """;
        ParseLog log = new ParseLog();
        List<TcpSocket> sockets = ProcNetTcp.parse(text, Family.INET, log);
        assertThat(log.skipped()).isEqualTo(2);
        assertThat(sockets).extracting(TcpSocket::local).containsExactly(new Endpoint("127.0.0.1", 8080));
    }

    @Test
    void readsTcpAndTcp6FromProcFs() throws IOException {
        ParseLog log = new ParseLog();
        List<TcpSocket> sockets = new ProcNetTcp(Fixtures.procFs("linux-6.18"), SocketTable.UNLIMITED).read(log).all();
        assertThat(sockets).hasSize(10 + 9);
        assertThat(log.skipped()).isZero();
    }

    @Test
    void tcp6IsOptional() throws IOException {
        // header-only has net/tcp and no net/tcp6, as on a kernel booted with ipv6.disable=1
        assertThat(new ProcNetTcp(Fixtures.procFs("header-only"), SocketTable.UNLIMITED).read(new ParseLog()).all()).isEmpty();
    }

    @Test
    void hundredThousandLinesParseCompletely() {
        StringBuilder text = new StringBuilder(Fixtures.text("linux-6.18", "net/tcp").lines().findFirst().orElseThrow()).append('\n');
        for (int i = 0; i < 100_000; i++) {
            // 0100000A -> bytes 0A 00 00 01 = 10.0.0.1; local ports cycle from 1024
            text.append(String.format("%6d: 0100000A:%04X 0200000A:1F90 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000\n",
                    i, 1024 + i % 60000));
        }
        String all = text.toString();
        // speed is measured by the benchmark under bench/, never asserted here
        ParseLog log = new ParseLog();
        List<TcpSocket> sockets = ProcNetTcp.parse(all, Family.INET, log);
        assertThat(sockets).hasSize(100_000);
        assertThat(sockets.get(99_999).local()).isEqualTo(new Endpoint("10.0.0.1", 1024 + 99_999 % 60000));
        assertThat(log.skipped()).isZero();
    }
}
