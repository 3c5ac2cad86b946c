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

    /** A source that notes the thread it was read on. */
    static final class Noting implements Source<Conntrack> {
        final java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final java.util.concurrent.atomic.AtomicLong lastRead = new java.util.concurrent.atomic.AtomicLong();

        @Override
        public Conntrack read(ParseLog log) {
            threads.add(Thread.currentThread().getName());
            lastRead.set(System.nanoTime());
            return new Conntrack(1, OptionalLong.of(100), OptionalLong.empty(), OptionalLong.empty(), Map.of(),
                    Conntrack.StatsOrigin.NONE, "no statistics in this test", "");
        }
    }

    @Test
    void theSourcesAfterTheFirstAreReadInTurnOnOnePooledThread() throws Exception {
        Noting first = new Noting();
        Noting rest = new Noting();
        NodeReader reader = new NodeReader(List.of(new NodeReader.Part<>("sockets", first), new NodeReader.Part<>("conntrack", rest),
                new NodeReader.Part<>("netstat", rest), new NodeReader.Part<>("snmp", rest), new NodeReader.Part<>("sysctl", rest)));
        // a nudge longer than any stall of a loaded machine: the second thread is never helped
        try (DeadlineReader r = new DeadlineReader(reader, Duration.ofSeconds(60), Duration.ofSeconds(30))) {
            String caller = Thread.currentThread().getName();
            for (int i = 0; i < 3; i++) {
                first.threads.clear();
                rest.threads.clear();
                NodeSnapshot s = r.get();
                assertThat(s.conntrack().success()).isTrue();
                assertThat(s.readings()).hasSize(5).allMatch(Reading::success);
                // which pooled thread takes which role changes from scrape to scrape (a quick first read frees its thread for the rest)
                assertThat(rest.threads).hasSize(1).doesNotContain(caller);
                assertThat(first.threads).hasSize(1).doesNotContain(caller);
            }
        }
    }

    @Test
    void aSlowSourceInTurnLetsTheOnesAfterItBeReadOnThreadsOfTheirOwn() throws Exception {
        Stuck stuck = new Stuck();
        Noting after = new Noting();
        NodeReader reader = new NodeReader(List.of(new NodeReader.Part<>("sockets", failing("sockets")),
                new NodeReader.Part<>("conntrack", stuck), new NodeReader.Part<>("netstat", after), new NodeReader.Part<>("snmp", after)));
        try (DeadlineReader r = new DeadlineReader(reader, Duration.ofSeconds(60), Duration.ofMillis(20))) {
            java.util.concurrent.atomic.AtomicLong released = new java.util.concurrent.atomic.AtomicLong();
            Thread releaser = new Thread(() -> {
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                released.set(System.nanoTime());
                stuck.blocking = false;
                stuck.release.countDown();
            });
            releaser.start();
            NodeSnapshot s = r.get();
            releaser.join();
            // the slow one finished within the deadline and was kept; the two after it did not wait for it
            assertThat(s.conntrack().success()).isTrue();
            assertThat(s.readings()).hasSize(4);
            assertThat(s.readings()).filteredOn(x -> x.collector().equals("netstat") || x.collector().equals("snmp"))
                    .hasSize(2).allMatch(Reading::success);
            assertThat(after.lastRead.get()).isLessThan(released.get());
        }
    }
}
