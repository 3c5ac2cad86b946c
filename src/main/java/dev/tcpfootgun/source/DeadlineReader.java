package dev.tcpfootgun.source;

import dev.tcpfootgun.snapshot.NodeSnapshot;
import dev.tcpfootgun.snapshot.Reading;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Runs a node reader's sources under one deadline (--scrape.timeout). A source that overruns is
 * reported as failed for that scrape instead of holding the HTTP thread; while it is still stuck,
 * later scrapes report it failed at once rather than piling up threads behind it, so at most one
 * thread per source is ever busy.
 *
 * <p>The first source (the socket dump, the longest read) runs on a thread of its own and the others
 * one after another on a second: two thread hand-offs a scrape, not one per source. Should that second
 * thread still be busy {@link #NUDGE} into the read (or a quarter of the budget, if less), each of its
 * sources not yet done gets a thread of its own, as every source had before, so one that hangs still
 * costs only its own reading.
 */
public final class DeadlineReader implements Supplier<NodeSnapshot>, AutoCloseable {

    /** How long the sources after the first may take in turn on one thread before each gets its own. */
    static final Duration NUDGE = Duration.ofMillis(50);

    private final NodeReader reader;
    private final Duration deadline;
    private final ExecutorService pool;
    private final Map<String, Future<?>> inFlight = new HashMap<>();
    private final Duration nudge;

    public DeadlineReader(NodeReader reader, Duration deadline) {
        this(reader, deadline, NUDGE);
    }

    DeadlineReader(NodeReader reader, Duration deadline, Duration nudge) {
        this.reader = reader;
        this.deadline = deadline;
        this.nudge = nudge;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "source-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public NodeSnapshot get() {
        return get(System.nanoTime() + deadline.toNanos());
    }

    /** Reads every source, each reported failed if not done by {@code end} (System.nanoTime()): the scrape's budget. */
    public synchronized NodeSnapshot get(long end) {
        long start = System.nanoTime();
        List<NodeReader.Part<?>> parts = reader.parts();
        List<Future<Reading<?>>> futures = new ArrayList<>(parts.size());
        List<FutureTask<Reading<?>>> inTurn = new ArrayList<>(parts.size());
        for (NodeReader.Part<?> p : parts) {
            Future<Reading<?>> f = task(p);
            futures.add(f);
            if (f instanceof FutureTask<Reading<?>> t) {
                if (futures.size() == 1) {
                    pool.execute(t);
                } else {
                    inTurn.add(t);
                }
            }
        }
        if (!inTurn.isEmpty()) {
            pool.execute(() -> inTurn.forEach(FutureTask::run));
            if (!awaitQuietly(inTurn.getLast(), start + Math.min(nudge.toNanos(), Math.max(0, end - start) / 4))) {
                // one of them is slow or stuck: the ones not done run side by side (a task already run or running is not run again)
                for (FutureTask<Reading<?>> t : inTurn) {
                    if (!t.isDone()) {
                        pool.execute(t);
                    }
                }
            }
        }
        List<Reading<?>> readings = new ArrayList<>(futures.size());
        for (int i = 0; i < futures.size(); i++) {
            String collector = parts.get(i).collector();
            readings.add(this.<Reading<?>>await(futures.get(i), end, start, why -> Reading.failed(collector, why, seconds(start))));
        }
        // a finished future holds its result (every socket) until the slot is reused: keep only the stuck ones
        inFlight.values().removeIf(Future::isDone);
        return NodeSnapshot.of(start, readings);
    }

    /** The part's read, not started yet; or its failure at once while the read an earlier scrape started still runs. */
    private Future<Reading<?>> task(NodeReader.Part<?> p) {
        Future<?> previous = inFlight.get(p.collector());
        if (previous != null && !previous.isDone()) {
            return CompletableFuture.completedFuture(Reading.failed(p.collector(),
                    "a read started by an earlier scrape has still not finished (over the " + deadline.toMillis() + " ms deadline)", 0));
        }
        FutureTask<Reading<?>> f = new FutureTask<>(p::read);
        inFlight.put(p.collector(), f);
        return f;
    }

    /** Whether {@code f} finished by {@code until} (System.nanoTime()); its failure is the caller's to read. */
    private static boolean awaitQuietly(Future<?> f, long until) {
        try {
            f.get(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return f.isDone();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private <T> T await(Future<T> f, long end, long start, java.util.function.Function<String, T> failed) {
        try {
            return f.get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return failed.apply("did not finish within the scrape deadline of " + Math.round((end - start) / 1e6) + " ms");
        } catch (ExecutionException e) {
            return failed.apply(String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed.apply("interrupted");
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
