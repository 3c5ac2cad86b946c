package dev.tcpfootgun.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.snapshot.Family;
import dev.tcpfootgun.snapshot.SocketTable;
import dev.tcpfootgun.snapshot.TcpState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pod's sockets (ProcNetTcp.skippingEmpty), with the files its sockstat says are empty left unread: each read walks the
 * node's whole socket table. A folder stands where a skipped file would be, so reading it fails.
 */
class NamespaceSocketsTest {

    @Test
    void aNamespaceWithSocketsOfBothFamiliesReadsBothFilesAsProcNetTcpDoes() throws IOException {
        ProcFs fs = Fixtures.procFs("linux-6.18");
        SocketTable all = new ProcNetTcp(fs, SocketTable.UNLIMITED).read(new ParseLog());
        SocketTable ours = ProcNetTcp.skippingEmpty(fs, SocketTable.UNLIMITED).read(new ParseLog());
        assertThat(ours.all()).containsExactlyElementsOf(all.all());
    }

    @Test
    void noTcpAtAllReadsNeitherFile(@TempDir Path root) throws IOException {
        ProcFs fs = pod(root, "TCP: inuse 0 orphan 0 tw 0 alloc 0 mem 0\n", "TCP6: inuse 0\n", true, true);
        assertThat(ProcNetTcp.skippingEmpty(fs, SocketTable.UNLIMITED).read(new ParseLog()).size()).isZero();
    }

    @Test
    void anIpv4OnlyPodDoesNotReadTcp6(@TempDir Path root) throws IOException {
        ProcFs fs = pod(root, "TCP: inuse 5 orphan 0 tw 3 alloc 5 mem 1\n", "TCP6: inuse 0\n", false, true);
        SocketTable t = ProcNetTcp.skippingEmpty(fs, SocketTable.UNLIMITED).read(new ParseLog());
        assertThat(t.all()).extracting(s -> s.family()).containsOnly(Family.INET);
        assertThat(t.size()).isEqualTo(10);
        // served by procfs, as the node's own /proc/net/tcp: no tcp_info, no bind()-only sockets, and the checks say so
        assertThat(t.origin()).isEqualTo(dev.tcpfootgun.snapshot.SocketOrigin.PROCFS);
    }

    @Test
    void timeWaitMissingFromTcpSendsItToTcp6(@TempDir Path root) throws IOException {
        // one IPv6 TIME_WAIT more than tcp holds: sockstat's tw counts both families
        ProcFs fs = pod(root, "TCP: inuse 5 orphan 0 tw 4 alloc 5 mem 1\n", "TCP6: inuse 0\n", false, false);
        SocketTable t = ProcNetTcp.skippingEmpty(fs, SocketTable.UNLIMITED).read(new ParseLog());
        assertThat(t.all().stream().filter(s -> s.family() == Family.INET6).map(s -> s.state()).collect(Collectors.toSet()))
                .contains(TcpState.TIME_WAIT);
    }

    /** A pod's net folder: the captured tcp and tcp6, or a folder in place of one that must not be read. */
    private static ProcFs pod(Path root, String sockstat, String sockstat6, boolean noTcp, boolean noTcp6) throws IOException {
        Path net = Files.createDirectories(root.resolve("net"));
        Path captured = Fixtures.procRoot("linux-6.18").resolve("net");
        Files.writeString(net.resolve("sockstat"), sockstat);
        Files.writeString(net.resolve("sockstat6"), sockstat6);
        for (String f : List.of("tcp", "tcp6")) {
            if (f.equals("tcp") ? noTcp : noTcp6) {
                Files.createDirectory(net.resolve(f));
            } else {
                Files.copy(captured.resolve(f), net.resolve(f));
            }
        }
        return ProcFs.of(root, root);
    }
}
