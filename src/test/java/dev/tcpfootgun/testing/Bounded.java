package dev.tcpfootgun.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one try of a property on a worker thread with a time limit, so a parser that loops forever
 * fails that try (with its input) instead of hanging the build. A hung worker is abandoned.
 */
public final class Bounded {
    /** Generous for a parse of a few kilobytes, even on a loaded 2-core runner. */
    public static final Duration PER_TRY = Duration.ofSeconds(5);

    private static ExecutorService worker = newWorker();

    private Bounded() {}

    /** The task's result, its exception unchanged, or an AssertionError when it overran the limit. */
    public static synchronized <T> T call(Callable<T> task) throws Exception {
        Future<T> f = worker.submit(task);
        try {
            return f.get(PER_TRY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            worker.shutdownNow();
            worker = newWorker();
            throw new AssertionError("no result within " + PER_TRY + ": the parser hangs on this input");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw (Error) e.getCause();
        }
    }

    public interface Task {
        void run() throws Exception;
    }

    public static void run(Task task) throws Exception {
        call(() -> {
            task.run();
            return null;
        });
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bounded-try");
            t.setDaemon(true);
            return t;
        });
    }
}
