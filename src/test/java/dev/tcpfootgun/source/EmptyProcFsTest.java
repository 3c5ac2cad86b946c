package dev.tcpfootgun.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tcpfootgun.snapshot.SocketTable;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --path.procfs and --path.sysfs pointing at an empty folder: every source fails with a clear IOException. */
class EmptyProcFsTest {

    @Test
    void everySourceThrowsIOExceptionNamingWhatIsMissing(@TempDir Path empty) {
        ProcFs fs = ProcFs.of(empty, empty);
        List<Map.Entry<String, Source<?>>> sources = List.of(
                Map.entry("sockets", new ProcNetTcp(fs, SocketTable.UNLIMITED)), Map.entry("netstat", NetstatFile.netstat(fs)),
                Map.entry("snmp", NetstatFile.snmp(fs)), Map.entry("conntrack", new ConntrackSource(fs)),
                Map.entry("sockstat", new SockstatSource(fs)), Map.entry("sysctl", new SysctlSource(fs)),
                Map.entry("interfaces", new SysfsInterfaces(fs)), Map.entry("addresses", new NamespaceAddresses(fs)));

        for (Map.Entry<String, Source<?>> e : sources) {
            Source<?> source = e.getValue();
            Throwable thrown = catchThrowable(() -> source.read(new ParseLog()));
            // no conntrack module is a documented state of the kernel (an absent reading), the rest are failures
            assertThat(thrown).as(e.getKey())
                    .isExactlyInstanceOf(source instanceof ConntrackSource ? AbsentException.class : java.io.IOException.class);
            assertThat(thrown.getMessage()).as(e.getKey()).contains(empty.toString());
        }
    }
}
