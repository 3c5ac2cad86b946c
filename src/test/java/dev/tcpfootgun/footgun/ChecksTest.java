package dev.tcpfootgun.footgun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.config.LogLevel;
import dev.tcpfootgun.log.CapturedLog;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ChecksTest {

    private static final String FAILED = "msg=\"check pmtu_blackhole failed: its finding is unknown\"";
    private static final String FINE = "msg=\"check pmtu_blackhole no longer fails\"";

    @Test
    void everyFootgunOfTheCatalogueIsJudgedOnceInCatalogueOrder() {
        var findings = Checks.all().judge(Snapshots.observe(Snapshots.node().build(), null));
        assertThat(findings).extracting(Finding::footgun).containsExactly(Footgun.values());
    }

    @Test
    void aCheckThatThrowsBecomesUnknownInsteadOfLosingTheRest() {
        Checks checks = new Checks(Arrays.asList(failingWhile(new AtomicReference<>("boom"), Set.of()), new TwRecycleNatCheck()));
        try (CapturedLog log = CapturedLog.start()) {
            for (int read = 0; read < 3; read++) {
                var findings = checks.judge(Snapshots.observe(Snapshots.node().sysctl("net.ipv4.tcp_timestamps", "1").build(), null));
                checks.readDone();
                assertThat(findings.get(0).status()).isEqualTo(Status.UNKNOWN);
                assertThat(findings.get(0).missing()).isEqualTo("check failed: java.lang.IllegalStateException: boom");
                assertThat(findings.get(1).status()).isEqualTo(Status.OK);
            }
            // said once over three reads, at warn, with the error's text and (below debug) no stack
            assertThat(log.lines(FAILED)).singleElement().satisfies(l -> assertThat(l)
                    .startsWith("time=").contains("level=WARN", "err=\"java.lang.IllegalStateException: boom\"")
                    .doesNotContain("stack="));
        }
    }

    @Test
    void aThrowingCheckIsLoggedOncePerChangeOfItsTextAndOnceWhenItNoLongerFails() {
        AtomicReference<String> error = new AtomicReference<>("first");
        Checks checks = new Checks(List.of(failingWhile(error, Set.of())));
        Observation node = Snapshots.observe(Snapshots.node().build(), null);
        try (CapturedLog log = CapturedLog.start()) {
            read(checks, 3, node);
            assertThat(log.lines(FAILED)).singleElement().asString().contains("err=\"java.lang.IllegalStateException: first\"");
            error.set("second");
            read(checks, 3, node);
            assertThat(log.lines(FAILED)).hasSize(2).last().asString().contains("err=\"java.lang.IllegalStateException: second\"");
            assertThat(log.lines(FINE)).isEmpty();
            error.set(null);
            read(checks, 3, node);
            assertThat(log.lines(FINE)).singleElement().asString().contains("level=INFO");
            // failing again after working is a change again; the same text as before is said again
            error.set("second");
            read(checks, 1, node);
            assertThat(log.lines(FAILED)).hasSize(3);
            assertThat(log.lines(FINE)).hasSize(1);
        }
    }

    @Test
    void aCheckFailingInOneNamespaceAndWorkingInOthersIsLoggedOnceNotOnEveryRead() {
        AtomicReference<String> error = new AtomicReference<>("boom");
        Observation node = Snapshots.observe(Snapshots.node().build(), null);
        Observation pod = Snapshots.observe(Snapshots.node().build(), null);
        Observation otherPod = Snapshots.observe(Snapshots.node().build(), null);
        Map<Observation, Long> inodes = Map.of(node, Checks.OWN_NAMESPACE, pod, 4026532301L, otherPod, 4026532302L);
        Checks checks = new Checks(List.of(failingWhile(error, Set.of(pod))));
        try (CapturedLog log = CapturedLog.start()) {
            // as the scraper judges each read: the namespaces (in the order they are read), then the node, then done
            for (int read = 0; read < 6; read++) {
                List<Finding> judged = new ArrayList<>();
                for (Observation o : read % 2 == 0 ? List.of(pod, otherPod, node) : List.of(otherPod, pod, node)) {
                    judged.addAll(checks.judge(o, inodes.get(o)));
                }
                // a scrape that could not wait for the read judges no namespace: it clears nothing
                checks.judge(Snapshots.observe(Snapshots.node().build(), null), Checks.NO_NAMESPACE);
                checks.readDone();
                assertThat(judged).extracting(Finding::status).containsOnlyOnce(Status.UNKNOWN);
            }
            assertThat(log.lines(FAILED)).hasSize(1);
            assertThat(log.lines(FINE)).isEmpty();
            error.set(null);
            for (int read = 0; read < 2; read++) {
                inodes.forEach((o, inode) -> checks.judge(o, inode));
                checks.readDone();
            }
            assertThat(log.lines(FINE)).hasSize(1);
            assertThat(log.lines(FAILED)).hasSize(1);
        }
    }

    @Test
    void aCheckFailingOnlyInANamespaceThatIsGoneNoLongerFails() {
        Observation node = Snapshots.observe(Snapshots.node().build(), null);
        Observation pod = Snapshots.observe(Snapshots.node().build(), null);
        Checks checks = new Checks(List.of(failingWhile(new AtomicReference<>("boom"), Set.of(pod))));
        try (CapturedLog log = CapturedLog.start()) {
            read(checks, 3, node, pod);
            assertThat(log.lines(FAILED)).hasSize(1);
            assertThat(log.lines(FINE)).isEmpty();
            // the pod is deleted: its namespace is no longer read
            read(checks, 3, node);
            assertThat(log.lines(FINE)).hasSize(1);
        }
    }

    @Test
    void theStackOfAThrowingCheckIsLoggedAtDebug() {
        Checks checks = new Checks(List.of(failingWhile(new AtomicReference<>("boom"), Set.of())));
        try (CapturedLog log = CapturedLog.start(LogLevel.DEBUG)) {
            read(checks, 2, Snapshots.observe(Snapshots.node().build(), null));
            assertThat(log.lines(FAILED)).singleElement().asString().contains("stack=\"\\tat dev.tcpfootgun.footgun.BrokenChecks.throwWhile(");
        }
    }

    /**
     * {@code reads} reads, each judging these observations then done: the first is the exporter's own
     * namespace's, the others another namespace's each (inode 1, 2...).
     */
    static void read(Checks checks, int reads, Observation... observations) {
        for (int i = 0; i < reads; i++) {
            for (int n = 0; n < observations.length; n++) {
                checks.judge(observations[n], Checks.OWN_NAMESPACE + n);
            }
            checks.readDone();
        }
    }

    /** pmtu_blackhole, throwing while {@code error} holds a text, in {@code only} (every observation when empty); fine otherwise. */
    private static Check failingWhile(AtomicReference<String> error, Set<Observation> only) {
        return BrokenChecks.judging(Footgun.PMTU_BLACKHOLE, o -> {
            BrokenChecks.throwWhile(error, only, o);
            return Finding.of(Footgun.PMTU_BLACKHOLE, 0, List.of("fine"), "");
        });
    }
}
