package dev.tcpfootgun.footgun;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ChecksTest {

    @Test
    void everyFootgunOfTheCatalogueIsJudgedOnceInCatalogueOrder() {
        var findings = Checks.all().judge(Snapshots.observe(Snapshots.node().build(), null));
        assertThat(findings).extracting(Finding::footgun).containsExactly(Footgun.values());
    }

    @Test
    void aCheckThatThrowsBecomesUnknownInsteadOfLosingTheRest() {
        Check broken = new Check() {
            @Override
            public Footgun footgun() {
                return Footgun.PMTU_BLACKHOLE;
            }

            @Override
            public Finding judge(Observation o) {
                throw new IllegalStateException("boom");
            }
        };
        var findings = new Checks(Arrays.asList(broken, new TwRecycleNatCheck()))
                .judge(Snapshots.observe(Snapshots.node().sysctl("net.ipv4.tcp_timestamps", "1").build(), null));
        assertThat(findings.get(0).status()).isEqualTo(Status.UNKNOWN);
        assertThat(findings.get(0).missing()).contains("boom");
        assertThat(findings.get(1).status()).isEqualTo(Status.OK);
    }
}
