package dev.tcpfootgun.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The read's budget from Prometheus's X-Prometheus-Scrape-Timeout-Seconds header. */
class FootgunCollectorTest {

    private static final Duration CAP = Duration.ofSeconds(9);

    @Test
    void theHeaderMinusTheMarginCappedByTheFlag() {
        assertThat(FootgunCollector.budget("2", CAP)).isEqualTo(Duration.ofMillis(1500));
        assertThat(FootgunCollector.budget("10", CAP)).isEqualTo(CAP);
        assertThat(FootgunCollector.budget("8.6", CAP)).isEqualTo(Duration.ofMillis(8100));
        assertThat(FootgunCollector.budget("1", CAP)).isEqualTo(Duration.ofMillis(750));
        assertThat(FootgunCollector.budget("0.4", CAP)).isEqualTo(Duration.ofMillis(300));
    }

    @Test
    void noHeaderOrANonsenseOneLeavesTheFlag() {
        for (String h : new String[] {null, "", "abc", "-1", "0", "NaN", "Infinity"}) {
            assertThat(FootgunCollector.budget(h, CAP)).as(h).isEqualTo(CAP);
        }
    }
}
