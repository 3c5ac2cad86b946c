package dev.tcpfootgun.netns;

import dev.tcpfootgun.snapshot.NodeSnapshot;
import dev.tcpfootgun.snapshot.Reading;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every other network namespace of the node: one reader and one namespace thread per
 * namespace (not per process), kept while the namespace lives and closed when it goes. Where setns
 * is refused (no CAP_SYS_ADMIN), the namespace is read from /proc/PID/net files alone.
 */
public final class NetnsScanner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NetnsScanner.class);
    static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    /** Builds the reader of one namespace; {@code entered} tells whether netlink and /proc/sys see it. */
    public interface ReaderFactory {
        Supplier<NodeSnapshot> reader(NetnsRef ref, boolean entered);
    }

    private record Slot(NetnsRef ref, NamespaceThread thread, Supplier<NodeSnapshot> reader) {}

    private final Path procRoot;
    private final NetnsDiscovery discovery;
    private final ReaderFactory factory;
    private final Map<Long, Slot> slots = new HashMap<>();
    private final Set<Long> refusalLogged = new HashSet<>();
    private NetnsRef lastSkipped;

    public NetnsScanner(Path procRoot, NetnsDiscovery discovery, ReaderFactory factory) {
        this.procRoot = procRoot;
        this.discovery = discovery;
        this.factory = factory;
    }

    /** The exporter's own namespace inode, which the main reader already covers. */
    public long ownInode() {
        return NetnsDiscovery.inodeOf(procRoot.resolve("self"));
    }

    /**
     * Reads every namespace but {@code skipInode} one after another, handing each snapshot to
     * {@code each} as soon as it is read, so the caller can judge it and let its sockets go before
     * the next namespace is read.
     *
     * @throws IOException when the namespaces cannot be discovered; nothing was read then
     */
    public void scan(long skipInode, Function<NetnsRef, NodeSnapshot> failed, Consumer<NamespaceSnapshot> each)
            throws IOException {
        List<NetnsRef> refs = discovery.discover();
        lastSkipped = null;
        Set<Long> alive = new HashSet<>();
        for (NetnsRef ref : refs) {
            alive.add(ref.inode());
            if (ref.inode() == skipInode) {
                lastSkipped = ref;
                continue;
            }
            Slot slot = slots.get(ref.inode());
            if (slot != null && slot.ref().pid() != ref.pid()) {
                // the process we read through exited; its /proc/PID/net is gone, the namespace is not
                if (slot.thread() != null) {
                    slot.thread().close();
                }
                slot = null;
            }
            if (slot == null) {
                slot = open(ref);
                slots.put(ref.inode(), slot);
            }
            NodeSnapshot snap;
            try {
                snap = slot.thread() == null ? slot.reader().get() : slot.thread().call(slot.reader()::get, READ_TIMEOUT);
            } catch (IOException e) {
                snap = failed.apply(ref);
            }
            each.accept(new NamespaceSnapshot(ref, snap));
        }
        slots.entrySet().removeIf(e -> {
            if (alive.contains(e.getKey())) {
                return false;
            }
            if (e.getValue().thread() != null) {
                e.getValue().thread().close();
            }
            refusalLogged.remove(e.getKey());
            return true;
        });
    }

    private Slot open(NetnsRef ref) {
        Path nsFile = procRoot.resolve(Long.toString(ref.pid())).resolve("ns").resolve("net");
        try {
            NamespaceThread t = NamespaceThread.enter(nsFile, Long.toString(ref.inode()));
            return new Slot(ref, t, factory.reader(ref, true));
        } catch (IOException e) {
            if (refusalLogged.add(ref.inode())) {
                LOG.warn("cannot enter {}: {}; reading its /proc/{}/net files only", ref.describe(), e.getMessage(), ref.pid());
            }
            return new Slot(ref, null, factory.reader(ref, false));
        }
    }

    /** The ref of the namespace the last scan skipped (the exporter's own), or null if it was not found. */
    public NetnsRef skippedRef() {
        return lastSkipped;
    }

    /** A snapshot whose every reading failed with one reason, for a namespace that could not be read at all. */
    public static NodeSnapshot unreadable(String reason) {
        return new NodeSnapshot(System.nanoTime(), System.currentTimeMillis(),
                Reading.failed("sockets", reason, 0), null, Reading.failed("conntrack", reason, 0),
                Reading.failed("netstat", reason, 0), Reading.failed("snmp", reason, 0), Reading.failed("sockstat", reason, 0),
                Reading.failed("sysctl", reason, 0), Reading.failed("interfaces", reason, 0), Reading.failed("qdisc", reason, 0));
    }

    @Override
    public void close() {
        slots.values().forEach(s -> {
            if (s.thread() != null) {
                s.thread().close();
            }
        });
        slots.clear();
    }
}
