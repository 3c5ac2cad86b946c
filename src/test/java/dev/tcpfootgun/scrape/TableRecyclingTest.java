package dev.tcpfootgun.scrape;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.footgun.Checks;
import dev.tcpfootgun.snapshot.Endpoint;
import dev.tcpfootgun.snapshot.Family;
import dev.tcpfootgun.snapshot.NodeSnapshot;
import dev.tcpfootgun.snapshot.Reading;
import dev.tcpfootgun.snapshot.Recycling;
import dev.tcpfootgun.snapshot.SocketTable;
import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.snapshot.TcpState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The scraper gives a read's socket table back to its source only once the last scrape that shares the
 * read is done with it, and never one a caller of {@code assess} holds: a table given back is refilled by
 * the next read, so one given back early would show a scrape the next read's sockets.
 */
class TableRecyclingTest {
    private static final Duration BUDGET = Duration.ofSeconds(5);

    /** A source whose reads fill columns given back, as the netlink source's do; it remembers its last table. */
    private static final class Source {
        final Recycling recycling = new Recycling();
        final AtomicReference<SocketTable> last = new AtomicReference<>();
        volatile CountDownLatch gate = new CountDownLatch(0);

        NodeSnapshot read() {
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            SocketTable t = table(recycling);
            last.set(t);
            return NodeSnapshot.of(System.nanoTime(), List.of(Reading.ok("sockets", t, 0, 0)));
        }
    }

    private static SocketTable table(Recycling recycling) {
        SocketTable.Builder b = new SocketTable.Builder(4, 4, SocketTable.UNLIMITED, recycling);
        b.add(TcpSocket.basic(Family.INET, TcpState.LISTEN, new Endpoint("0.0.0.0", 80), new Endpoint("0.0.0.0", 0)));
        b.add(TcpSocket.basic(Family.INET, TcpState.ESTABLISHED, new Endpoint("10.0.0.1", 80), new Endpoint("10.0.0.2", 40000)));
        b.add(TcpSocket.basic(Family.INET, TcpState.TIME_WAIT, new Endpoint("10.0.0.1", 80), new Endpoint("10.0.0.2", 40001)));
        return b.build();
    }

    /** Whether {@code t} was given back: the next read of its source takes its columns, which empties it. */
    private static boolean givenBack(Source source, SocketTable t) {
        table(source.recycling);
        return t.detailed().size() == 0;
    }

    @Test
    void aScrapeThroughUseGivesItsTableBackWhenDone() {
        Source source = new Source();
        Scraper scraper = new Scraper(source::read, Checks.all());
        int sockets = scraper.use(BUDGET, a -> a.snapshot().sockets().value().orElseThrow().size());
        assertThat(sockets).isEqualTo(3);
        assertThat(givenBack(source, source.last.get())).isTrue();
    }

    @Test
    void aTableAnAssessCallerHoldsIsNeverGivenBack() {
        Source source = new Source();
        Scraper scraper = new Scraper(source::read, Checks.all());
        Assessment kept = scraper.assess();
        assertThat(givenBack(source, source.last.get())).isFalse();
        assertThat(kept.snapshot().sockets().value().orElseThrow().size()).isEqualTo(3);
    }

    @Test
    void aSharedReadIsGivenBackByTheLastScrapeDoneNotTheFirst() throws Exception {
        Source source = new Source();
        source.gate = new CountDownLatch(1);
        Scraper scraper = new Scraper(source::read, Checks.all());
        CountDownLatch firstMayFinish = new CountDownLatch(1);
        AtomicReference<Integer> firstSaw = new AtomicReference<>();
        Thread first = Thread.ofPlatform().start(() -> firstSaw.set(scraper.use(BUDGET, a -> {
            try {
                firstMayFinish.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return a.snapshot().sockets().value().orElseThrow().size();
        })));
        awaitWaiting(first);
        AtomicReference<Integer> secondSaw = new AtomicReference<>();
        Thread second = Thread.ofPlatform().start(() -> secondSaw.set(scraper.use(BUDGET,
                a -> a.snapshot().sockets().value().orElseThrow().size())));
        awaitWaiting(second); // joined the read in flight
        source.gate.countDown();
        second.join(10_000);
        assertThat(secondSaw.get()).isEqualTo(3);
        // the first scrape still renders the shared read: its table must not be given back yet
        SocketTable shared = source.last.get();
        assertThat(givenBack(source, shared)).isFalse();
        firstMayFinish.countDown();
        first.join(10_000);
        assertThat(firstSaw.get()).isEqualTo(3);
        assertThat(givenBack(source, shared)).isTrue();
    }

    /** Until the thread blocks: on the source's gate, the read in flight, or the first scrape's latch. */
    private static void awaitWaiting(Thread t) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertThat(t.getState()).isIn(Thread.State.WAITING, Thread.State.TIMED_WAITING);
    }
}
