package dev.tcpfootgun.netns;

import dev.tcpfootgun.snapshot.NodeSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every other network namespace of the node under the scrape's deadline: discovery and each
 * namespace's read run off the scrape thread, {@link #LANES} namespaces at a time (a read slower
 * than {@link #PATIENCE} stops holding its lane), and all share what is left of one budget. A read that overruns is reported failed for that scrape and
 * the namespace skipped (failed at once) while the read stays stuck, so a blocking file costs one
 * thread and one namespace, never the scrape. Where setns works (CAP_SYS_ADMIN), a namespace gets a
 * thread inside it, kept while it lives; elsewhere it is read from its /proc/PID/net files alone.
 */
public final class NetnsScanner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NetnsScanner.class);
    /** Namespaces read side by side: one stuck read leaves the other lane to the rest. */
    static final int LANES = 2;
    /** A read taking longer (a namespace of 100 000 sockets takes about this) is waited for beside the lanes, not in one. */
    static final long PATIENCE = TimeUnit.MILLISECONDS.toNanos(500);

    /** Builds the reader of one namespace; {@code entered} tells whether netlink and /proc/sys see it. */
    public interface ReaderFactory {
        Supplier<NodeSnapshot> reader(NetnsRef ref, boolean entered);
    }

    /**
     * One namespace's reader, kept while the namespace lives, and its read in flight, if any. Whether
     * it is entered is decided by its first read, off the scrape thread: opening ns/net can block too.
     */
    private static final class Slot {
        final NetnsRef ref;
        volatile boolean decided;
        volatile NamespaceThread thread;
        volatile Supplier<NodeSnapshot> reader;
        NetnsRef named;
        CompletableFuture<NamespaceSnapshot> read;
        long startedNanos;

        Slot(NetnsRef ref) {
            this.ref = ref;
            this.named = ref;
        }

        Access access() {
            return thread == null ? Access.PROCFS : Access.SETNS;
        }

        boolean busy() {
            return read != null && !read.isDone();
        }

        void close() {
            NamespaceThread t = thread;
            if (t != null) {
                t.close();
            }
        }
    }

    private final Path procRoot;
    private final NetnsDiscovery discovery;
    private final ReaderFactory factory;
    private final Map<Long, Slot> slots = new HashMap<>();
    private final Map<Long, String> problemLogged = new HashMap<>();
    private final ExecutorService pool;
    private Future<NetnsDiscovery.Found> discovering;
    /** Whether a refused setns was logged: once, since capabilities do not change while the process runs. */
    private final java.util.concurrent.atomic.AtomicBoolean enterRefused = new java.util.concurrent.atomic.AtomicBoolean();
    private final List<String> collectors;
    private NetnsRef lastSkipped;
    /** Whether the last scan ran out of time before reading some namespaces, for one log line per change. */
    private boolean deadlineSpent;
    private static final String UNREAD = "not read: the scrape deadline was spent on other namespaces";

    /** @param collectors the collectors each namespace's reader reads, for a namespace that cannot be read at all */
    public NetnsScanner(Path procRoot, NetnsDiscovery discovery, ReaderFactory factory, List<String> collectors) {
        this.procRoot = procRoot;
        this.discovery = discovery;
        this.factory = factory;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "netns-read-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.collectors = List.copyOf(collectors);
    }

    /** The exporter's own namespace identity, which the main reader already covers. */
    public long ownInode() {
        return NetnsDiscovery.identityOf(procRoot.resolve("self"));
    }

    /**
     * Reads every namespace but {@code skipInode} until {@code deadlineNanos} (System.nanoTime()),
     * handing each to {@code each} on the calling thread as soon as it is read, so the caller can
     * judge it and let its sockets go. A namespace not read in time is handed over as failed; one
     * whose process exited during its read is left out (it is found again through another process).
     *
     * @throws IOException when the namespaces cannot be discovered in time; nothing was read then
     */
    public void scan(long deadlineNanos, long skipInode, Consumer<NamespaceSnapshot> each) throws IOException {
        NetnsDiscovery.Found found = discover(deadlineNanos);
        lastSkipped = null;
        Set<Long> alive = new HashSet<>();
        int unread = 0;
        List<Slot> active = new ArrayList<>(LANES);
        List<Slot> overdue = new ArrayList<>();
        for (NetnsRef ref : found.namespaces()) {
            alive.add(ref.inode());
            if (ref.inode() == skipInode) {
                lastSkipped = ref;
                continue;
            }
            Slot slot = slots.get(ref.inode());
            if (slot != null && slot.busy()) {
                each.accept(failed(slot, "a read started by an earlier scrape is still running; skipped while it stays stuck"));
                continue;
            }
            if (slot != null && slot.ref.pid() != ref.pid()) {
                // the process we read through exited; its /proc/PID/net is gone, the namespace is not
                slot.close();
                slot = null;
            }
            if (slot == null) {
                slot = new Slot(ref);
                slots.put(ref.inode(), slot);
            }
            if (System.nanoTime() >= deadlineNanos) {
                // one line for all of them (below), not one per namespace: on a big node that is hundreds
                unread++;
                each.accept(new NamespaceSnapshot(slot.named, unreadable(UNREAD), slot.access()));
                continue;
            }
            start(slot, found.podsByUid());
            active.add(slot);
            while (active.size() >= LANES) {
                awaitLane(active, overdue, deadlineNanos, each);
            }
        }
        while (!active.isEmpty() || !overdue.isEmpty()) {
            awaitLane(active, overdue, deadlineNanos, each);
        }
        if ((unread > 0) != deadlineSpent) {
            deadlineSpent = unread > 0;
            if (deadlineSpent) {
                LOG.warn("{} namespaces not read: the scrape deadline was spent on the others (raise --scrape.timeout or "
                        + "the CPU limit); said once until every namespace is read again", unread);
            } else {
                LOG.info("every namespace is read within the scrape deadline again");
            }
        }
        slots.entrySet().removeIf(e -> {
            if (alive.contains(e.getKey())) {
                return false;
            }
            e.getValue().close();
            problemLogged.remove(e.getKey());
            return true;
        });
    }

    private NetnsDiscovery.Found discover(long deadlineNanos) throws IOException {
        if (discovering != null && !discovering.isDone()) {
            throw new IOException("namespace discovery started by an earlier scrape is still running");
        }
        discovering = pool.submit(discovery::discover);
        try {
            NetnsDiscovery.Found found = discovering.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            discovering = null;
            return found;
        } catch (TimeoutException e) {
            throw new IOException("namespace discovery did not finish within the scrape deadline");
        } catch (ExecutionException e) {
            discovering = null;
            throw e.getCause() instanceof IOException io ? io : new IOException(String.valueOf(e.getCause()), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Starts the read of one namespace on the pool; the scrape thread only waits for it, until the deadline. */
    private void start(Slot slot, Map<String, Pod> podsByUid) {
        CompletableFuture<NamespaceSnapshot> result = new CompletableFuture<>();
        slot.read = result;
        slot.startedNanos = System.nanoTime();
        pool.execute(() -> {
            try {
                result.complete(read(slot, podsByUid));
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        });
    }

    /**
     * One namespace's read, on a pool thread (its sources on the namespace's own thread when entered);
     * it takes as long as the kernel makes it, the scrape does not wait past its deadline. Null when its
     * process left it meanwhile (the namespace may be gone).
     */
    private NamespaceSnapshot read(Slot slot, Map<String, Pod> podsByUid) {
        NetnsRef ref = slot.ref;
        if (!slot.decided) {
            enterOrNot(slot);
        }
        NetnsRef named = ref.withPod(discovery.podOf(ref.pid(), podsByUid));
        NodeSnapshot snapshot;
        NamespaceThread inside = slot.thread;
        if (inside == null) {
            snapshot = slot.reader.get();
        } else {
            try {
                snapshot = inside.submit(slot.reader::get).get();
            } catch (ExecutionException e) {
                snapshot = unreadable("read inside the namespace failed: " + e.getCause());
            } catch (InterruptedException | java.util.concurrent.RejectedExecutionException e) {
                return null; // the scanner is closing
            }
        }
        if (NetnsDiscovery.identityOf(procRoot.resolve(Long.toString(ref.pid()))) != ref.inode()) {
            return null;
        }
        return new NamespaceSnapshot(named, snapshot, slot.access());
    }

    /**
     * Waits until a read ends, a lane's read outlasts {@link #PATIENCE} (it then waits beside the
     * lanes) or the deadline passes (every read still running is then failed for this scrape), and
     * hands over every finished read.
     */
    private void awaitLane(List<Slot> active, List<Slot> overdue, long deadlineNanos, Consumer<NamespaceSnapshot> each) {
        long until = deadlineNanos;
        for (Slot s : active) {
            until = Math.min(until, s.startedNanos + PATIENCE);
        }
        List<Slot> all = new ArrayList<>(active);
        all.addAll(overdue);
        try {
            CompletableFuture.anyOf(all.stream().map(s -> s.read).toArray(CompletableFuture[]::new))
                    .get(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // sorted out below: finished reads are handed over, a failed one as its namespace's failure
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            deadlineNanos = System.nanoTime();
        }
        long now = System.nanoTime();
        for (List<Slot> list : List.of(active, overdue)) {
            for (Iterator<Slot> it = list.iterator(); it.hasNext(); ) {
                Slot s = it.next();
                if (s.read.isDone()) {
                    it.remove();
                    deliver(s, each);
                } else if (now >= deadlineNanos) {
                    // left running, not interrupted: what blocks (an open() of a FIFO, a netlink recv) would not
                    // notice, and the slot stays busy, so the namespace is skipped until the read ends
                    it.remove();
                    each.accept(failed(s, "did not finish within the scrape deadline; skipped while it stays stuck"));
                } else if (list == active && now >= s.startedNanos + PATIENCE) {
                    it.remove();
                    overdue.add(s);
                }
            }
        }
    }

    private void deliver(Slot s, Consumer<NamespaceSnapshot> each) {
        NamespaceSnapshot r;
        try {
            r = s.read.join();
        } catch (RuntimeException e) {
            s.read = null;
            each.accept(failed(s, "read failed: " + e.getCause()));
            return;
        }
        s.read = null; // its sockets go with the caller's judgement, not with the slot
        if (r == null) {
            return;
        }
        s.named = r.ref();
        problem(s, null);
        each.accept(r);
    }

    private NamespaceSnapshot failed(Slot s, String reason) {
        problem(s, reason);
        return new NamespaceSnapshot(s.named, unreadable(reason), s.access());
    }

    /** One log line when a namespace's read starts or stops failing as a whole. */
    private void problem(Slot s, String reason) {
        String before = problemLogged.get(s.ref.inode());
        if (Objects.equals(before, reason) || (before == null && reason == null)) {
            return;
        }
        if (reason == null) {
            problemLogged.remove(s.ref.inode());
            LOG.info("{} is read again", s.named.describe());
        } else {
            problemLogged.put(s.ref.inode(), reason);
            LOG.warn("{}: {}", s.named.describe(), reason);
        }
    }

    /** Enters the namespace (a thread inside it) where setns is allowed; reads its /proc/PID/net files otherwise. */
    private void enterOrNot(Slot slot) {
        NetnsRef ref = slot.ref;
        Path nsFile = procRoot.resolve(Long.toString(ref.pid())).resolve("ns").resolve("net");
        try {
            slot.thread = NamespaceThread.enter(nsFile, Long.toString(ref.inode()));
            slot.reader = factory.reader(ref, true);
        } catch (IOException e) {
            if (enterRefused.compareAndSet(false, true)) {
                LOG.warn("cannot enter {} ({}): other namespaces are read from their /proc/PID/net files only "
                        + "(no tcp_info, conntrack, links, qdiscs; the node's sysctls assumed); said once", ref.describe(), e.getMessage());
            }
            slot.reader = factory.reader(ref, false);
        }
        slot.decided = true;
    }

    /** The ref of the namespace the last scan skipped (the exporter's own), or null if it was not found. */
    public NetnsRef skippedRef() {
        return lastSkipped;
    }

    /** A snapshot whose every reading failed with one reason, for a namespace that could not be read at all. */
    public NodeSnapshot unreadable(String reason) {
        return NodeSnapshot.failed(System.nanoTime(), collectors, reason);
    }

    @Override
    public void close() {
        slots.values().forEach(Slot::close);
        slots.clear();
        pool.shutdownNow();
    }
}
