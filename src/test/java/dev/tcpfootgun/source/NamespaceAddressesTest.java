package dev.tcpfootgun.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pod IPs from net/fib_trie and net/if_inet6, captured from a namespace with a veth on this kernel. */
class NamespaceAddressesTest {

    @Test
    void localHostRoutesAndGlobalIpv6AreThePodsAddressesLoopbackIsNot() throws IOException {
        ParseLog log = new ParseLog();
        List<String> ips = new NamespaceAddresses(Fixtures.procFs("pod-addresses")).read(log);
        assertThat(ips).containsExactly("10.244.1.7", "fd00:10:244::7");
        assertThat(log.skipped()).isZero();
    }

    @Test
    void aNamespaceWithOnlyLoopbackHasNoAddresses() throws IOException {
        ParseLog log = new ParseLog();
        assertThat(new NamespaceAddresses(Fixtures.procFs("pod-loopback-only")).read(log)).isEmpty();
        assertThat(log.skipped()).isZero();
    }

    @Test
    void badLinesAreSkippedAloneAndTheCountIsBounded(@TempDir Path root) throws IOException {
        Path net = Files.createDirectories(root.resolve("net"));
        StringBuilder trie = new StringBuilder("Local:\n  +-- 0.0.0.0/0 3 0 5\n");
        trie.append("     |-- 10.0.0.x\n        /32 host LOCAL\n");
        for (int i = 1; i <= NamespaceAddresses.MAX_ADDRESSES + 5; i++) {
            trie.append("     |-- 10.0.0.").append(i).append("\n        /32 host LOCAL\n");
        }
        trie.append("     |-- 10.0.1.0\n        /24 link UNICAST\n");
        Files.writeString(net.resolve("fib_trie"), trie);
        Files.writeString(net.resolve("if_inet6"), "zz\n" + "x".repeat(100_000) + "\n");
        ParseLog log = new ParseLog();
        List<String> ips = new NamespaceAddresses(ProcFs.of(root, root)).read(log);
        assertThat(ips).hasSize(NamespaceAddresses.MAX_ADDRESSES).startsWith("10.0.0.1").doesNotContain("10.0.1.0");
        assertThat(log.skipped()).isEqualTo(3);
    }

    @Test
    void neitherFileIsAFailure(@TempDir Path root) {
        assertThatThrownBy(() -> new NamespaceAddresses(ProcFs.of(root, root)).read(new ParseLog()))
                .hasMessageContaining("fib_trie");
    }
}
