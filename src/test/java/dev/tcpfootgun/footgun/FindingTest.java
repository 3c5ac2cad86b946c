package dev.tcpfootgun.footgun;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
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

    @Test
    void sentencesThatFailToBeWrittenLeaveTheVerdict() {
        Finding f = Finding.of(Footgun.TW_RECYCLE_NAT, 0.8, false, Finding.Explanation.later(() -> {
            throw new IllegalStateException("boom");
        }));
        assertThat(f.status()).isEqualTo(Status.CRITICAL);
        assertThat(f.evidence()).containsExactly("evidence failed: java.lang.IllegalStateException: boom");
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
