package dev.tcpfootgun.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.snapshot.Sockstat;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SockstatSourceTest {

    @Test
    void readsSockstatAndSockstat6() throws IOException {
        ParseLog log = new ParseLog();
        Sockstat s = new SockstatSource(Fixtures.procFs("linux-6.18")).read(log);

        assertThat(log.skipped()).isZero();
        assertThat(s.protocols()).containsEntry("TCP", Map.of("inuse", 7L, "orphan", 0L, "tw", 4L, "alloc", 15L, "mem", 118L));
        assertThat(s.get("sockets", "used")).hasValue(26);
        assertThat(s.get("FRAG", "memory")).hasValue(0);
        assertThat(s.get("TCP6", "inuse")).hasValue(8);
        assertThat(s.protocols().keySet()).containsExactlyInAnyOrder(
                "sockets", "TCP", "UDP", "UDPLITE", "RAW", "FRAG", "TCP6", "UDP6", "UDPLITE6", "RAW6", "FRAG6");
    }

    @Test
    void badLinesAreSkippedAlone() {
        ParseLog log = new ParseLog();
        Sockstat s = SockstatSource.parse("TCP: inuse 3 orphan\nUDP: inuse x\nRAW: inuse 2", log);
        assertThat(s.protocols()).containsOnlyKeys("RAW");
        assertThat(log.skipped()).isEqualTo(2);
    }
}
