package dev.tcpfootgun.source;

import dev.tcpfootgun.snapshot.NodeSnapshot;
import dev.tcpfootgun.snapshot.Reading;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Runs a node reader's sources side by side under one deadline (--scrape.timeout). A source that
 * overruns is reported as failed for that scrape instead of holding the HTTP thread; while it is
 * still stuck, later scrapes report it failed at once rather than piling up threads behind it, so
 * at most one thread per source is ever busy.
 */
public final class DeadlineReader implements Supplier<NodeSnapshot>, AutoCloseable {

    private final NodeReader reader;
    private final Duration deadline;
    private final ExecutorService pool;
    private final Map<String, Future<?>> inFlight = new HashMap<>();

    public DeadlineReader(NodeReader reader, Duration deadline) {
        this.reader = reader;
        this.deadline = deadline;
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
        List<Future<Reading<?>>> futures = new ArrayList<>(reader.parts().size());
        for (NodeReader.Part<?> p : reader.parts()) {
            futures.add(this.<Reading<?>>submit(p.collector(), p::read, why -> Reading.failed(p.collector(), why, 0)));
        }
        List<Reading<?>> readings = new ArrayList<>(futures.size());
        for (int i = 0; i < futures.size(); i++) {
            String collector = reader.parts().get(i).collector();
            readings.add(this.<Reading<?>>await(futures.get(i), end, start, why -> Reading.failed(collector, why, seconds(start))));
        }
        // a finished future holds its result (every socket) until the slot is reused: keep only the stuck ones
        inFlight.values().removeIf(Future::isDone);
        return NodeSnapshot.of(start, readings);
    }

    private <T> Future<T> submit(String slot, Callable<T> task, java.util.function.Function<String, T> refused) {
        Future<?> previous = inFlight.get(slot);
        if (previous != null && !previous.isDone()) {
            return CompletableFuture.completedFuture(refused.apply(
                    "a read started by an earlier scrape has still not finished (over the " + deadline.toMillis() + " ms deadline)"));
        }
        Future<T> f = pool.submit(task);
        inFlight.put(slot, f);
        return f;
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
