package dev.tcpfootgun.scrape;

import dev.tcpfootgun.footgun.Checks;
import dev.tcpfootgun.footgun.Finding;
import dev.tcpfootgun.footgun.Footgun;
import dev.tcpfootgun.footgun.Observation;
import dev.tcpfootgun.footgun.Prose;
import dev.tcpfootgun.footgun.Status;
import dev.tcpfootgun.netns.Access;
import dev.tcpfootgun.netns.NetnsRef;
import dev.tcpfootgun.netns.NetnsScanner;
import dev.tcpfootgun.snapshot.NodeSnapshot;
import dev.tcpfootgun.snapshot.Reading;
import dev.tcpfootgun.snapshot.SocketTable;
import dev.tcpfootgun.source.Collector;
import dev.tcpfootgun.source.Collectors;
import dev.tcpfootgun.source.DeadlineReader;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the node and judges it, once per burst of scrapes: a scrape that arrives while a read is in
 * flight waits for that read and shares its result instead of reading the kernel again. Everything
 * one read does (our namespace's sources, namespace discovery, every other namespace) shares one
 * budget: the scrape's deadline.
 */
public final class Scraper {

    private static final Logger LOG = LoggerFactory.getLogger(Scraper.class);
    /** The budget when none is given (--scrape.timeout's default). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(9);
    /**
     * Checks that read no sysctl; every other one, a new one included, says so when judged with the
     * node's sysctls for a namespace read without setns (SysctlAssumptionTest holds this to the checks).
     */
    private static final Set<Footgun> NO_SYSCTLS = EnumSet.of(Footgun.NAGLE_DELAYED_ACK, Footgun.MSS_MTU_MISMATCH,
            Footgun.CONNTRACK_TABLE_FULL);
    static final String ASSUMED_SYSCTLS = "sysctls assumed: the node's (this namespace was read without setns, "
            + "which its own net.* sysctls need; a pod may set net.ipv4.ip_local_port_range itself)";

    private final Supplier<NodeSnapshot> reader;
    private final Checks checks;
    private final NetnsScanner scanner;
    private final Duration timeout;
    private final List<String> collectors;
    private final Map<String, String> lastError = new HashMap<>();
    /** Collectors whose last reading left something out (footgun_parse_errors_total rising). */
    private final java.util.Set<String> skipping = new java.util.HashSet<>();
    private final TreeMap<String, Long> parseErrorTotals = new TreeMap<>();
    private final Map<Long, NodeSnapshot> previousByNamespace = new HashMap<>();
    private NodeSnapshot previous;
    /** Whether the last read of our own namespace had connections past the detail limit, for one log line per change. */
    private boolean overDetailLimit;
    private long reads;
    private Read inFlight;

    public Scraper(Supplier<NodeSnapshot> reader, Checks checks) {
        this(reader, checks, null);
    }

    /** @param scanner reads the node's other network namespaces too; null to read only our own */
    public Scraper(Supplier<NodeSnapshot> reader, Checks checks, NetnsScanner scanner) {
        this(reader, checks, scanner, DEFAULT_TIMEOUT);
    }

    /** @param timeout the whole read's budget (--scrape.timeout) when a scrape brings no shorter one */
    public Scraper(Supplier<NodeSnapshot> reader, Checks checks, NetnsScanner scanner, Duration timeout) {
        this(reader, checks, scanner, timeout, Collectors.ALL.stream().map(Collector::name).toList());
    }

    /** @param collectors the collectors the reader reads, for an answer given without waiting for it */
    public Scraper(Supplier<NodeSnapshot> reader, Checks checks, NetnsScanner scanner, Duration timeout,
            List<String> collectors) {
        this.collectors = List.copyOf(collectors);
        this.reader = reader;
        this.checks = checks;
        this.scanner = scanner;
        this.timeout = timeout;
    }

    /** The budget of a read when the scrape brings none. */
    public Duration timeout() {
        return timeout;
    }

    public Assessment assess() {
        return assess(timeout);
    }

    /**
     * Reads and judges the node within {@code budget} (capped by --scrape.timeout), or shares the
     * read in flight: that one keeps the budget of the scrape that started it. The assessment is the
     * caller's to keep: its socket table is never given back for a later read to fill ({@link #use}).
     */
    public Assessment assess(Duration budget) {
        return assess(budget, null);
    }

    /**
     * {@link #assess(Duration)}, with the assessment used only inside {@code use}: once the last scrape that
     * shares the read is done with it, the read's socket table goes back to its source, whose next read
     * fills the same arrays (SocketTable#recycle). What {@code use} returns must not hold the assessment
     * or anything it reads from the table, and use must not hand either to another thread.
     */
    public <T> T use(Duration budget, Function<Assessment, T> use) {
        Read[] lease = new Read[1];
        Assessment a = assess(budget, lease);
        try {
            return use.apply(a);
        } finally {
            release(lease[0]);
        }
    }

    /**
     * A read in flight and the scrapes that share it. Each one counts in {@link #users}, and only a scrape
     * through {@link #use} ever stops counting, so a read any caller of {@link #assess(Duration)} shared
     * is never given back.
     */
    private static final class Read {
        final CompletableFuture<Assessment> future = new CompletableFuture<>();
        /** Guarded by the Scraper. */
        int users;
    }

    /** One scrape is done with the read; the last gives its own namespace's socket table back. */
    private void release(Read read) {
        synchronized (this) {
            if (--read.users > 0) {
                return;
            }
        }
        Assessment a = read.future.isCompletedExceptionally() ? null : read.future.getNow(null);
        if (a != null) {
            // other namespaces' tables stay as they are: their findings' explanations may still read them
            a.observation().now().sockets().value().ifPresent(SocketTable::recycle);
        }
    }

    private Assessment assess(Duration budget, Read[] lease) {
        long deadline = System.nanoTime() + Math.min(budget.toNanos(), timeout.toNanos());
        Read read;
        boolean mine = false;
        synchronized (this) {
            if (inFlight == null) {
                inFlight = new Read();
                mine = true;
            }
            read = inFlight;
            read.users++;
        }
        if (lease != null) {
            lease[0] = read;
        }
        CompletableFuture<Assessment> future = read.future;
        if (mine) {
            try {
                future.complete(readAndJudge(deadline));
            } catch (RuntimeException | Error e) {
                future.completeExceptionally(e);
            } finally {
                checks.readDone(); // every namespace of this read judged: what no longer fails in any is logged once
                synchronized (this) {
                    inFlight = null;
                }
            }
        }
        if (mine) {
            return future.join();
        }
        try {
            return future.get(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            // the read we joined keeps the longer budget of the scrape that started it; this one answers in its own
            return unread("the read in flight (started by an earlier scrape with a longer deadline) did not finish within this scrape's");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unread("interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /** An assessment in which every source failed with one reason: what a scrape answers when it cannot wait for the read. */
    private Assessment unread(String reason) {
        Observation o = new Observation(NodeSnapshot.failed(System.nanoTime(), collectors, reason), null);
        return new Assessment(o, checks.judge(o, Checks.NO_NAMESPACE), Map.of(), List.of(), reads);
    }

    /** Runs only on the thread that owns the in-flight read, so the state below needs no more locking. */
    private Assessment readAndJudge(long deadline) {
        NodeSnapshot now = reader instanceof DeadlineReader d ? d.get(deadline) : reader.get();
        reads++;
        Observation observation = new Observation(now, previous);
        account(now, null);
        logDetailLimit(now);
        NodeSnapshot before = previous;
        previous = now.withoutSockets();
        if (scanner == null) {
            return new Assessment(observation, checks.judge(observation), parseErrorTotals, List.of(), reads);
        }
        List<NamespaceAssessment> others = new ArrayList<>();
        Map<Long, NodeSnapshot> seen = new HashMap<>();
        try {
            // each namespace is judged as soon as it is read and keeps only its census: their sockets
            // are never all in memory at once
            scanner.scan(deadline, scanner.ownInode(), ns -> {
                boolean outside = ns.access() == Access.PROCFS && ns.snapshot().sockets().success();
                // read without setns, its sysctls are unknown: judged with the node's, and the evidence says so
                NodeSnapshot snap = outside ? ns.snapshot().with(now.sysctls()) : ns.snapshot();
                Observation o = new Observation(snap, previousByNamespace.get(ns.ref().inode()));
                List<Finding> findings = checks.judge(o, ns.ref().inode());
                // written now, while the sockets they may name are still here: only the census is kept
                findings.forEach(Finding::settled);
                if (outside) {
                    findings = assumingNodeSysctls(findings);
                }
                account(ns.snapshot(), ns.ref());
                seen.put(ns.ref().inode(), snap.withoutSockets());
                others.add(new NamespaceAssessment(ns.ref(), o.withoutSockets(), findings, ns.access(), withTcpInfo(ns.snapshot())));
            });
            logChange("netns", Reading.ok("netns", true, 0, 0));
        } catch (IOException e) {
            others.clear();
            logChange("netns", Reading.failed("netns", "namespace discovery failed: " + e.getMessage(), 0));
        }
        others.sort((x, y) -> Boolean.compare(y.ref().host(), x.ref().host())); // the host's first
        // judged once the pods are known, so conntrack's sources are named by the pods owning them
        observation = new Observation(now, before, Assessment.podAddresses(others));
        List<Finding> own = checks.judge(observation);
        NetnsRef ownRef = scanner.skippedRef();
        List<NamespaceAssessment> namespaces = new ArrayList<>(others.size() + 1);
        // not found by discovery (no process of the procfs lives in it): then it is not pid 1's, the host's
        namespaces.add(new NamespaceAssessment(ownRef != null ? ownRef : new NetnsRef(scanner.ownInode(),
                ProcessHandle.current().pid(), false, null), observation, own, Access.OWN, withTcpInfo(now)));
        namespaces.addAll(others);
        previousByNamespace.clear();
        previousByNamespace.putAll(seen);
        return new Assessment(observation, worstOf(namespaces), parseErrorTotals, namespaces, reads);
    }

    private static int withTcpInfo(NodeSnapshot snapshot) {
        var table = snapshot.sockets().value().orElse(null);
        int n = 0;
        if (table != null) {
            var d = table.detailed();
            for (int i = 0; i < d.size(); i++) {
                n += d.hasInfo(i) ? 1 : 0;
            }
        }
        return n;
    }

    static boolean readsSysctls(Footgun footgun) {
        return !NO_SYSCTLS.contains(footgun);
    }

    /** The findings of a namespace judged with the node's sysctls, each that read one saying so. */
    static List<Finding> assumingNodeSysctls(List<Finding> findings) {
        List<Finding> out = new ArrayList<>(findings.size());
        for (Finding f : findings) {
            if (f.status() != Status.UNKNOWN && readsSysctls(f.footgun())) {
                List<Prose> evidence = new ArrayList<>(f.evidenceProse());
                evidence.add(Prose.of(ASSUMED_SYSCTLS));
                f = f.withEvidence(evidence);
            }
            out.add(f);
        }
        return out;
    }

    /**
     * Per footgun, the finding of the namespace at most risk; evidence from another namespace than
     * the exporter's own names that namespace (and its pod).
     */
    static List<Finding> worstOf(List<NamespaceAssessment> namespaces) {
        NamespaceAssessment own = namespaces.getFirst();
        Map<Footgun, NamespaceAssessment> worstOf = Assessment.worstByFootgun(namespaces);
        List<Finding> out = new ArrayList<>(own.findings().size());
        for (Finding mine : own.findings()) {
            NamespaceAssessment worst = worstOf.getOrDefault(mine.footgun(), own);
            Finding f = worst == own ? mine : worst.finding(mine.footgun());
            if (worst != own) {
                List<Prose> evidence = new ArrayList<>();
                evidence.add(Prose.of("worst in " + worst.ref().describe()));
                evidence.addAll(f.evidenceProse());
                f = f.withEvidence(evidence);
            }
            out.add(f);
        }
        return out;
    }

    private void account(NodeSnapshot snapshot, NetnsRef ref) {
        for (Reading<?> r : snapshot.readings()) {
            parseErrorTotals.merge(r.collector(), r.skipped(), Long::sum);
            if (ref == null) {
                logChange(r.collector(), r);
                logSkips(r.collector(), r);
            }
        }
    }

    /** One log line when reads start or stop leaving connections without their details. */
    private void logDetailLimit(NodeSnapshot now) {
        var table = now.sockets().value().orElse(null);
        int undetailed = table == null ? 0 : table.undetailed();
        if ((undetailed > 0) == overDetailLimit) {
            return;
        }
        overDetailLimit = undetailed > 0;
        if (overDetailLimit) {
            LOG.warn("{} connections past --collector.sockets.detail-limit are counted without tcp_info ({} kept); "
                    + "raise the memory limit (the default limit follows the heap) or the flag to judge them all",
                    undetailed, table.detailed().size());
        } else {
            LOG.info("every connection is read with its tcp_info again");
        }
    }

    /**
     * One log line when a source starts leaving lines, values or files out (a sysctl that is a FIFO,
     * a folder or a symlink loop; a malformed line) and one when it reads everything again: the
     * count alone is on /metrics, the reason only here.
     */
    private void logSkips(String collector, Reading<?> r) {
        if (!r.success()) {
            return;
        }
        if (r.firstSkip() != null && skipping.add(collector)) {
            LOG.warn("collector {} left {} out (footgun_parse_errors_total), the first: {}", collector,
                    r.skipped() == 1 ? "1 line or value" : r.skipped() + " lines or values", r.firstSkip());
        } else if (r.firstSkip() == null && skipping.remove(collector)) {
            LOG.info("collector {} reads everything again", collector);
        }
    }

    /** One log line when a source starts or stops failing (or being absent), not one per scrape. */
    private void logChange(String collector, Reading<?> r) {
        String error = r.success() ? null : r.reason();
        boolean seen = lastError.containsKey(collector);
        String before = lastError.get(collector);
        if (seen && Objects.equals(before, error)) {
            return;
        }
        lastError.put(collector, error);
        if (r.state() == Reading.State.FAILED) {
            LOG.warn("collector {} unavailable: {}", collector, error);
        } else if (r.state() == Reading.State.ABSENT) {
            // a documented state of this kernel or setting, not an error: said once, at info
            LOG.info("collector {} unavailable: {}", collector, error);
        } else if (seen) {
            LOG.info("collector {} recovered", collector);
        }
    }
}
