package dev.tcpfootgun.footgun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.log.CapturedLog;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A finding's sentences written when first read: once, from its own snapshot, the same as written at once. */
class FindingTest {

    @Test
    void sentencesWrittenLaterAreWrittenOnceAndEqualTheSameWrittenAtOnce() {
        AtomicInteger written = new AtomicInteger();
        Finding later = Finding.of(Footgun.TW_RECYCLE_NAT, 0.5, false, Finding.Explanation.later(() -> {
            written.incrementAndGet();
            return Finding.Explanation.of(List.of(Prose.of("measured ", Prose.ip("10.0.0.7"))), Prose.of("fix it"));
        }));
        Finding now = Finding.of(Footgun.TW_RECYCLE_NAT, 0.5, List.of(Prose.of("measured ", Prose.ip("10.0.0.7"))), Prose.of("fix it"));
        // the verdict needs no sentence
        assertThat(later.status()).isEqualTo(Status.WARN);
        assertThat(later.risk()).isEqualTo(0.5);
        assertThat(written).hasValue(0);
        assertThat(later.settled()).isSameAs(later);
        assertThat(written).hasValue(1);
        assertThat(later.evidence()).containsExactly("measured 10.0.0.7");
        assertThat(later.fix()).isEqualTo("fix it");
        assertThat(later).isEqualTo(now).hasSameHashCodeAs(now);
        assertThat(written).hasValue(1);
    }

    @Test
    void aHazardBelowAWarningIsAdviceWhenItsSentencesComeLater() {
        Finding f = Finding.of(Footgun.TW_RECYCLE_NAT, 0.1, true,
                Finding.Explanation.later(() -> Finding.Explanation.of(List.of(), Prose.of(""))));
        assertThat(f.status()).isEqualTo(Status.ADVICE);
        assertThat(f.risk()).isEqualTo(Status.ADVICE_RISK);
    }

    private static final String UNWRITTEN = "msg=\"finding pmtu_blackhole: the verdict stands; its evidence could not be written\"";
    private static final String WRITTEN = "msg=\"finding pmtu_blackhole: its evidence is written again\"";

    @Test
    void sentencesThatFailToBeWrittenLeaveTheVerdict() {
        try (CapturedLog log = CapturedLog.start()) {
            Finding f = Finding.of(Footgun.TW_RECYCLE_NAT, 0.8, false, Finding.Explanation.later(() -> {
                throw new IllegalStateException("boom");
            }));
            assertThat(f.status()).isEqualTo(Status.CRITICAL);
            assertThat(f.evidence()).containsExactly("evidence failed: java.lang.IllegalStateException: boom");
            assertThat(f.fix()).isEmpty();
            // written once, so said once, however often read
            assertThat(f.evidence()).isEqualTo(f.settled().evidence());
            assertThat(log.lines("msg=\"finding tw_recycle_nat: the verdict stands; its evidence could not be written\""))
                    .singleElement().asString().contains("level=WARN", "err=\"java.lang.IllegalStateException: boom\"");
        }
    }

    @Test
    void sentencesThatFailToBeWrittenAreLoggedOncePerChangeHoweverOftenReadAndOnceWhenWrittenAgain() {
        AtomicReference<String> error = new AtomicReference<>("first");
        Checks checks = new Checks(List.of(writingWhile(error, Set.of())));
        Observation node = Snapshots.observe(Snapshots.node().build(), null);
        try (CapturedLog log = CapturedLog.start()) {
            readAndShow(checks, 3, node);
            assertThat(log.lines(UNWRITTEN)).singleElement().asString().contains("err=\"java.lang.IllegalStateException: first\"");
            error.set("second");
            readAndShow(checks, 3, node);
            assertThat(log.lines(UNWRITTEN)).hasSize(2).last().asString().contains("err=\"java.lang.IllegalStateException: second\"");
            // reads whose findings nobody shows write nothing: not a change
            ChecksTest.read(checks, 3, node);
            error.set(null);
            ChecksTest.read(checks, 3, node);
            assertThat(log.lines(WRITTEN)).isEmpty();
            readAndShow(checks, 3, node);
            assertThat(log.lines(WRITTEN)).singleElement().asString().contains("level=INFO");
            assertThat(log.lines(UNWRITTEN)).hasSize(2);
        }
    }

    @Test
    void sentencesFailingInOneNamespaceAndWrittenInOthersAreLoggedOnceNotOnEveryRead() {
        AtomicReference<String> error = new AtomicReference<>("boom");
        Observation node = Snapshots.observe(Snapshots.node().build(), null);
        Observation pod = Snapshots.observe(Snapshots.node().build(), null);
        Observation otherPod = Snapshots.observe(Snapshots.node().build(), null);
        Checks checks = new Checks(List.of(writingWhile(error, Set.of(pod))));
        try (CapturedLog log = CapturedLog.start()) {
            readAndShow(checks, 5, node, pod, otherPod);
            readAndShow(checks, 5, node, otherPod, pod);
            assertThat(log.lines(UNWRITTEN)).hasSize(1);
            assertThat(log.lines(WRITTEN)).isEmpty();
            error.set(null);
            readAndShow(checks, 2, node, pod, otherPod);
            assertThat(log.lines(WRITTEN)).hasSize(1);
        }
    }

    @Test
    void theNodesSentencesFailingWhenShownAreNotWrittenAgainByThePodsTheScraperWritesEachRead() {
        AtomicReference<String> error = new AtomicReference<>("boom");
        Observation node = Snapshots.observe(Snapshots.node().build(), null);
        Observation pod = Snapshots.observe(Snapshots.node().build(), null);
        Checks checks = new Checks(List.of(writingWhile(error, Set.of(node))));
        try (CapturedLog log = CapturedLog.start()) {
            for (int read = 0; read < 8; read++) {
                // as the scraper does: a pod's sentences written during the read, the node's when a page shows them
                checks.judge(pod, 4026532301L).forEach(Finding::settled);
                List<Finding> own = checks.judge(node);
                checks.readDone();
                if (read % 4 == 0) {
                    own.forEach(f -> assertThat(f.evidence()).containsExactly("evidence failed: java.lang.IllegalStateException: boom"));
                }
            }
            assertThat(log.lines(UNWRITTEN)).hasSize(1);
            assertThat(log.lines(WRITTEN)).isEmpty();
        }
    }

    /**
     * {@code reads} reads judging these observations (the first the exporter's own namespace's, the
     * others another namespace's each), each finding's sentences shown many times, as every request and scrape does.
     */
    private static void readAndShow(Checks checks, int reads, Observation... observations) {
        for (int i = 0; i < reads; i++) {
            for (int n = 0; n < observations.length; n++) {
                for (Finding f : checks.judge(observations[n], Checks.OWN_NAMESPACE + n)) {
                    for (int shown = 0; shown < 3; shown++) {
                        assertThat(f.status()).isEqualTo(Status.WARN);
                        assertThat(f.settled().evidence()).hasSize(1);
                        assertThat(f.fix()).isNotNull();
                        assertThat(f.toString()).contains("evidence");
                    }
                }
            }
            checks.readDone();
        }
    }

    /** pmtu_blackhole at a warning, its writer throwing while {@code error} holds a text, for {@code only} (every observation when empty). */
    private static Check writingWhile(AtomicReference<String> error, Set<Observation> only) {
        return BrokenChecks.judging(Footgun.PMTU_BLACKHOLE, o -> Finding.of(Footgun.PMTU_BLACKHOLE, 0.5, false, Finding.Explanation.later(() -> {
            BrokenChecks.throwWhile(error, only, o);
            return Finding.Explanation.of(List.of(Prose.of("measured")), Prose.of("fix it"));
        })));
    }

    @Test
    void eachFindingIsWrittenFromItsOwnSnapshot() {
        // judged first, read afterwards: each finding's sentences still name its own snapshot's figures
        var check = new TimeWaitTuningCheck();
        Finding shortened = check.judge(Snapshots.observe(Snapshots.node().sysctl("net.ipv4.tcp_fin_timeout", "10").build(), null));
        Finding kept = check.judge(Snapshots.observe(Snapshots.node().sysctl("net.ipv4.tcp_fin_timeout", "60").build(), null));
        assertThat(kept.evidence()).contains("tcp_fin_timeout is 60 s");
        assertThat(shortened.evidence()).contains("tcp_fin_timeout is 10 s (default 60): it only shortens FIN_WAIT_2, TIME_WAIT stays 60 s");
        assertThat(shortened.status()).isEqualTo(Status.ADVICE);
        assertThat(kept.status()).isEqualTo(Status.OK);
    }

    @Test
    void theListeningPeersAreDerivedOncePerObservation() {
        Observation o = Snapshots.observe(Snapshots.node().listener("0.0.0.0", 8080, 0, 128).build(), null);
        assertThat(o.listeningPeers()).isSameAs(o.listeningPeers());
        assertThat(o.listeningPeers().inbound("10.0.0.5", 8080)).isTrue();
        assertThat(o.listeningPeers().inbound("10.0.0.5", 8081)).isFalse();
    }
}
