package dev.tcpfootgun.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcpfootgun.snapshot.PortRange;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The conntrack dump's flags: a range like --to-ports writes it, a positive limit, one clear line otherwise. */
class ConntrackDumpSettingsTest {

    @Test
    void theNatPortRangeAndTheLimitAreRead() throws BadFlagException {
        Settings s = Settings.parse(List.of("--collector.conntrack.nat-port-range=40000-40099",
                "--collector.conntrack.dump-limit=5000"));
        assertThat(s.conntrackDump().natPortRange()).isEqualTo(new PortRange(40000, 40099));
        assertThat(s.conntrackDump().entryLimit()).isEqualTo(5000);
        assertThat(Settings.parse(List.of("--collector.conntrack.nat-port-range", "1024:65535")).conntrackDump().natPortRange())
                .isEqualTo(new PortRange(1024, 65535));
        assertThat(Settings.parse(List.of()).conntrackDump()).isEqualTo(ConntrackDumpSettings.defaults());
    }

    @Test
    void aBadValueIsOneLineNamingTheFlag() {
        for (String bad : List.of("5-1", "0-100", "100-70000", "abc", "100", "1-2-3")) {
            assertThatThrownBy(() -> Settings.parse(List.of("--collector.conntrack.nat-port-range=" + bad)))
                    .isInstanceOf(BadFlagException.class).hasMessageStartingWith("--collector.conntrack.nat-port-range: ")
                    .hasMessageNotContaining("\n");
        }
        assertThatThrownBy(() -> Settings.parse(List.of("--collector.conntrack.dump-limit=0")))
                .isInstanceOf(BadFlagException.class).hasMessageStartingWith("--collector.conntrack.dump-limit: ");
    }
}
