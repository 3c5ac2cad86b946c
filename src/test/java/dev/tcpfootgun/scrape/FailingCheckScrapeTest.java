package dev.tcpfootgun.scrape;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.footgun.BrokenChecks;
import dev.tcpfootgun.footgun.Check;
import dev.tcpfootgun.footgun.Checks;
import dev.tcpfootgun.footgun.Finding;
import dev.tcpfootgun.footgun.Footgun;
import dev.tcpfootgun.footgun.Observation;
import dev.tcpfootgun.footgun.Prose;
import dev.tcpfootgun.footgun.Status;
import dev.tcpfootgun.log.CapturedLog;
import dev.tcpfootgun.snapshot.NodeSnapshot;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A check that throws, or whose sentences cannot be written, through the scraper: every scrape still
 * answers with the other checks' findings, and the log says it once per change, not once per scrape.
 */
class FailingCheckScrapeTest {

    @Test
    void aThrowingCheckLeavesEveryScrapeAnsweringAndIsLoggedOncePerChange() {
        AtomicBoolean throwing = new AtomicBoolean(true);
        Check check = check(o -> {
            if (throwing.get()) {
                throw new IllegalStateException("boom");
            }
            return Finding.of(Footgun.PMTU_BLACKHOLE, 0, List.of(), "");
        });
        Scraper scraper = new Scraper(() -> NodeSnapshot.of(System.nanoTime(), List.of()), new Checks(List.of(check, okCheck())));
        try (CapturedLog log = CapturedLog.start()) {
            for (int scrape = 0; scrape < 4; scrape++) {
                List<Finding> findings = scraper.assess().findings();
                assertThat(findings).extracting(Finding::status).containsExactly(Status.UNKNOWN, Status.OK);
                assertThat(findings.getFirst().missing()).isEqualTo("check failed: java.lang.IllegalStateException: boom");
            }
            assertThat(log.lines("msg=\"check pmtu_blackhole failed: its finding is unknown\"")).hasSize(1);
            throwing.set(false);
            for (int scrape = 0; scrape < 3; scrape++) {
                assertThat(scraper.assess().findings()).extracting(Finding::status).containsExactly(Status.OK, Status.OK);
            }
            assertThat(log.lines("msg=\"check pmtu_blackhole no longer fails\"")).hasSize(1);
        }
    }

    @Test
    void sentencesThatCannotBeWrittenAreLoggedOnceHoweverManyScrapesShowThem() {
        Check check = check(o -> Finding.of(Footgun.PMTU_BLACKHOLE, 0.5, false, Finding.Explanation.later(() -> {
            throw new IllegalStateException("no words");
        })));
        Scraper scraper = new Scraper(() -> NodeSnapshot.of(System.nanoTime(), List.of()), new Checks(List.of(check, okCheck())));
        try (CapturedLog log = CapturedLog.start()) {
            for (int scrape = 0; scrape < 4; scrape++) {
                Finding f = scraper.assess().findings().getFirst();
                for (int shown = 0; shown < 3; shown++) {
                    assertThat(f.status()).isEqualTo(Status.WARN);
                    assertThat(f.evidence()).containsExactly("evidence failed: java.lang.IllegalStateException: no words");
                }
            }
            assertThat(log.lines("msg=\"finding pmtu_blackhole: the verdict stands; its evidence could not be written\""))
                    .singleElement().asString().contains("err=\"java.lang.IllegalStateException: no words\"");
        }
    }

    private static Check check(java.util.function.Function<Observation, Finding> judge) {
        return BrokenChecks.judging(Footgun.PMTU_BLACKHOLE, judge);
    }

    /** A second check that judges fine, to show the broken one costs only its own finding. */
    private static Check okCheck() {
        return BrokenChecks.judging(Footgun.TW_RECYCLE_NAT, o -> Finding.of(Footgun.TW_RECYCLE_NAT, 0, List.of(Prose.of("fine")), Prose.of("")));
    }
}
