package dev.tcpfootgun.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EphemeralPortsTest {

    @Test
    void theMaskAgreesWithIsEphemeralOnEveryPort() {
        // reserved ranges that overlap, touch the range's ends and lie partly outside it
        EphemeralPorts ports = new EphemeralPorts(new PortRange(1024, 60999), List.of(new PortRange(1000, 1030),
                new PortRange(8000, 8099), new PortRange(8050, 8100), new PortRange(9000, 9000), new PortRange(60990, 61500)));
        boolean[] mask = ports.mask();
        assertThat(mask).hasSize(65536);
        int usable = 0;
        for (int p = 0; p < 65536; p++) {
            assertThat(mask[p]).as("port " + p).isEqualTo(ports.isEphemeral(p));
            usable += mask[p] ? 1 : 0;
        }
        assertThat(usable).isEqualTo(ports.usable());
    }
}
