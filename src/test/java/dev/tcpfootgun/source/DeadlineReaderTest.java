package dev.tcpfootgun.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.snapshot.Conntrack;
import dev.tcpfootgun.snapshot.NodeSnapshot;
import dev.tcpfootgun.snapshot.Reading;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class DeadlineReaderTest {

    /** A conntrack source that blocks until released, as a hung kernel file would. */
    static final class Stuck implements Source<Conntrack> {
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean blocking = true;

        @Override
        public Conntrack read(ParseLog log) throws IOException {
            if (blocking) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IOException("interrupted");
                }
            }
            return new Conntrack(7, OptionalLong.of(100), OptionalLong.empty(), OptionalLong.empty(), Map.of(),
                    Conntrack.StatsOrigin.NONE, "no statistics in this test", "");
        }
    }

    static <T> Source<T> failing(String collector) {
        return new Unavailable<>("absent in this test");
    }

    @Test
    void anOverrunningSourceFailsThatScrapeAloneAndDoesNotPileUp() throws Exception {
        Stuck stuck = new Stuck();
        NodeReader reader = new NodeReader(List.of(new NodeReader.Part<>("sockets", failing("sockets")),
                new NodeReader.Part<>("conntrack", stuck), new NodeReader.Part<>("sysctl", failing("sysctl"))));
        try (DeadlineReader r = new DeadlineReader(reader, Duration.ofMillis(1000))) {
            NodeSnapshot first = r.get();
            assertThat(first.conntrack().success()).isFalse();
            assertThat(first.conntrack().reason()).contains("deadline of 1000 ms");
            assertThat(first.sysctls().state()).isEqualTo(Reading.State.ABSENT);
            assertThat(first.sysctls().reason()).isEqualTo("absent in this test");

            NodeSnapshot second = r.get();
            assertThat(second.conntrack().reason()).contains("has still not finished");

            stuck.blocking = false;
            stuck.release.countDown();
            NodeSnapshot third = null;
            for (int i = 0; i < 100 && (third == null || !third.conntrack().success()); i++) {
                Thread.sleep(20);
                third = r.get();
            }
            assertThat(third.conntrack().success()).isTrue();
            assertThat(third.conntrack().value().orElseThrow().count()).isEqualTo(7);
        }
    }
}
