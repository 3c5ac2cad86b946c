package dev.tcpfootgun.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --path.procfs and --path.sysfs pointing at an empty folder: every source fails with a clear IOException. */
class EmptyProcFsTest {

    @Test
    void everySourceThrowsIOExceptionNamingWhatIsMissing(@TempDir Path empty) {
        ProcFs fs = ProcFs.of(empty, empty);
        List<Source<?>> sources = List.of(
                new ProcNetTcp(fs), NetstatFile.netstat(fs), NetstatFile.snmp(fs), new ConntrackSource(fs),
                new SockstatSource(fs), new SysctlSource(fs), new SysfsInterfaces(fs));

        for (Source<?> source : sources) {
            Throwable thrown = catchThrowable(() -> source.read(new ParseLog()));
            // no conntrack module is a documented state of the kernel (an absent reading), the rest are failures
            assertThat(thrown).as(source.collector())
                    .isExactlyInstanceOf(source instanceof ConntrackSource ? AbsentException.class : java.io.IOException.class);
            assertThat(thrown.getMessage()).as(source.collector()).contains(empty.toString());
        }
        assertThat(sources).extracting(Source::collector).containsExactly(
                "sockets", "netstat", "snmp", "conntrack", "sockstat", "sysctl", "interfaces");
    }
}
