package dev.tcpfootgun.scrape;

import dev.tcpfootgun.footgun.Checks;
import dev.tcpfootgun.footgun.Finding;
import dev.tcpfootgun.footgun.Observation;
import dev.tcpfootgun.netns.NetnsRef;
import dev.tcpfootgun.netns.NetnsScanner;
import dev.tcpfootgun.snapshot.NodeSnapshot;
import dev.tcpfootgun.snapshot.Reading;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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
    private final Checks checks;
    private final int destinationsTop;
    private final NetnsScanner scanner;
    private final Map<String, String> lastError = new HashMap<>();
    private final TreeMap<String, Long> parseErrorTotals = new TreeMap<>();
    private final Map<Long, NodeSnapshot> previousByNamespace = new HashMap<>();
    private NodeSnapshot previous;
    /** Whether the last read of our own namespace had connections past the detail limit, for one log line per change. */
    private boolean overDetailLimit;
    private long reads;
    private CompletableFuture<Assessment> inFlight;

    public Scraper(Supplier<NodeSnapshot> reader, Checks checks, int destinationsTop) {
        this(reader, checks, destinationsTop, null);
    }

    /** @param scanner reads the node's other network namespaces too; null to read only our own */
    public Scraper(Supplier<NodeSnapshot> reader, Checks checks, int destinationsTop, NetnsScanner scanner) {
        this.reader = reader;
        this.checks = checks;
        this.destinationsTop = destinationsTop;
        this.scanner = scanner;
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
        reads++;
        Observation observation = new Observation(now, previous, destinationsTop);
        List<Finding> own = checks.judge(observation);
        account(now, null);
        logDetailLimit(now);
        previous = now.withoutSockets();
        if (scanner == null) {
            return new Assessment(observation, own, parseErrorTotals, List.of(), reads);
        }
        List<NamespaceAssessment> others = new ArrayList<>();
        Map<Long, NodeSnapshot> seen = new HashMap<>();
        try {
            // each namespace is judged as soon as it is read and keeps only its census: their sockets
            // are never all in memory at once
            scanner.scan(scanner.ownInode(), ref -> NetnsScanner.unreadable("namespace read failed"), ns -> {
                Observation o = new Observation(ns.snapshot(), previousByNamespace.get(ns.ref().inode()), destinationsTop);
                List<Finding> findings = checks.judge(o);
                account(ns.snapshot(), ns.ref());
                seen.put(ns.ref().inode(), ns.snapshot().withoutSockets());
                others.add(new NamespaceAssessment(ns.ref(), o.withoutSockets(), findings));
            });
            logChange("netns", null);
        } catch (IOException e) {
            others.clear();
            logChange("netns", "namespace discovery failed: " + e.getMessage());
        }
        others.sort((x, y) -> Boolean.compare(y.ref().host(), x.ref().host())); // the host's first
        NetnsRef ownRef = scanner.skippedRef();
        List<NamespaceAssessment> namespaces = new ArrayList<>(others.size() + 1);
        namespaces.add(new NamespaceAssessment(ownRef != null ? ownRef : new NetnsRef(scanner.ownInode(),
                ProcessHandle.current().pid(), true, null), observation, own));
        namespaces.addAll(others);
        previousByNamespace.clear();
        previousByNamespace.putAll(seen);
        return new Assessment(observation, worstOf(namespaces), parseErrorTotals, namespaces, reads);
    }

    /**
     * Per footgun, the finding of the namespace at most risk; evidence from another namespace than
     * the exporter's own names that namespace (and its pod).
     */
    static List<Finding> worstOf(List<NamespaceAssessment> namespaces) {
        NamespaceAssessment own = namespaces.getFirst();
        List<Finding> out = new ArrayList<>(own.findings().size());
        for (int i = 0; i < own.findings().size(); i++) {
            NamespaceAssessment worst = own;
            for (NamespaceAssessment ns : namespaces) {
                double r = ns.findings().get(i).risk();
                double best = worst.findings().get(i).risk();
                if (!Double.isNaN(r) && (Double.isNaN(best) || r > best)) {
                    worst = ns;
                }
            }
            Finding f = worst.findings().get(i);
            if (worst != own) {
                List<String> evidence = new ArrayList<>();
                evidence.add("worst in " + worst.ref().describe());
                evidence.addAll(f.evidence());
                f = new Finding(f.footgun(), f.status(), f.risk(), evidence, f.fix(), f.missing());
            }
            out.add(f);
        }
        return out;
    }

    private void account(NodeSnapshot snapshot, NetnsRef ref) {
        for (Reading<?> r : snapshot.readings()) {
            parseErrorTotals.merge(r.collector(), r.skipped(), Long::sum);
            if (ref == null) {
                logChange(r.collector(), r.error());
            }
        }
    }

    /** One log line when reads start or stop leaving connections without their details. */
    private void logDetailLimit(NodeSnapshot now) {
        var table = now.sockets().value();
        int undetailed = table == null ? 0 : table.undetailed();
        if ((undetailed > 0) == overDetailLimit) {
            return;
        }
        overDetailLimit = undetailed > 0;
        if (overDetailLimit) {
            LOG.warn("{} connections past --collector.sockets.detail-limit are counted without tcp_info ({} kept); "
                    + "raise the memory limit (the default limit follows the heap) or the flag to judge them all",
                    undetailed, table.open().size());
        } else {
            LOG.info("every connection is read with its tcp_info again");
        }
    }

    /** One log line when a source starts or stops failing, not one per scrape. */
    private void logChange(String collector, String error) {
        boolean seen = lastError.containsKey(collector);
        String before = lastError.get(collector);
        if (seen && Objects.equals(before, error)) {
            return;
        }
        lastError.put(collector, error);
        if (error != null) {
            LOG.warn("collector {} unavailable: {}", collector, error);
        } else if (seen) {
            LOG.info("collector {} recovered", collector);
        }
    }
}
