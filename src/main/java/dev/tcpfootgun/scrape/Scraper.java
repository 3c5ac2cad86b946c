package dev.tcpfootgun.scrape;

import dev.tcpfootgun.footgun.Checks;
import dev.tcpfootgun.footgun.Observation;
import dev.tcpfootgun.snapshot.NodeSnapshot;
import dev.tcpfootgun.snapshot.Reading;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the node and judges it, once per burst of scrapes: a scrape that arrives while a read is in
 * flight waits for that read and shares its result instead of reading the kernel again.
 */
public final class Scraper {

    private static final Logger LOG = LoggerFactory.getLogger(Scraper.class);

    private final Supplier<NodeSnapshot> reader;
    private final Map<String, String> lastError = new HashMap<>();
    private final Checks checks;
    private final int destinationsTop;
    private final TreeMap<String, Long> parseErrorTotals = new TreeMap<>();
    private NodeSnapshot previous;
    private CompletableFuture<Assessment> inFlight;

    public Scraper(Supplier<NodeSnapshot> reader, Checks checks, int destinationsTop) {
        this.reader = reader;
        this.checks = checks;
        this.destinationsTop = destinationsTop;
    }

    public Assessment assess() {
        CompletableFuture<Assessment> future;
        boolean mine = false;
        synchronized (this) {
            if (inFlight == null) {
                inFlight = new CompletableFuture<>();
                mine = true;
            }
            future = inFlight;
        }
        if (mine) {
            try {
                future.complete(readAndJudge());
            } catch (RuntimeException | Error e) {
                future.completeExceptionally(e);
            } finally {
                synchronized (this) {
                    inFlight = null;
                }
            }
        }
        return future.join();
    }

    /** Runs only on the thread that owns the in-flight read, so the state below needs no more locking. */
    private Assessment readAndJudge() {
        NodeSnapshot now = reader.get();
        Observation observation = new Observation(now, previous, destinationsTop);
        var findings = checks.judge(observation);
        for (Reading<?> r : now.readings()) {
            parseErrorTotals.merge(r.collector(), r.skipped(), Long::sum);
            logChange(r);
        }
        previous = now.withoutSockets();
        return new Assessment(observation, findings, parseErrorTotals);
    }

    /** One log line when a source starts or stops failing, not one per scrape. */
    private void logChange(Reading<?> r) {
        boolean seen = lastError.containsKey(r.collector());
        String before = lastError.get(r.collector());
        if (seen && Objects.equals(before, r.error())) {
            return;
        }
        lastError.put(r.collector(), r.error());
        if (r.error() != null) {
            LOG.warn("collector {} unavailable: {}", r.collector(), r.error());
        } else if (seen) {
            LOG.info("collector {} recovered", r.collector());
        }
    }
}
