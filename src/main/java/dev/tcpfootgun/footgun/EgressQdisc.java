package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.Qdisc;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The qdisc a packet leaving one interface is queued in, by the kernel's rule: the root, or under a
 * multiqueue root (mq, mqprio: one child per TX queue, each listed by the dump) the child of the
 * packet's TX queue. fq there paces (it takes over the socket's pacing); fq_codel and the fifos do
 * not. The rule stops at that qdisc: a classful one's classes without a qdisc of their own use a
 * default pfifo the dump does not list (seen on 6.18 with htb), so fq seen below one cannot show
 * that every packet meets fq. bbr_without_fq and footgun_network_info{child_qdiscs} both read this.
 *
 * @param root the root qdisc's kind; null when the interface has none listed
 * @param queues the kinds of a multiqueue root's per-queue children, sorted; empty for any other root
 */
public record EgressQdisc(String root, List<String> queues) {

    /** Roots whose children, one per TX queue, hold the packets. */
    public static final Set<String> MULTIQUEUE_ROOTS = Set.of("mq", "mqprio");

    /** An interface without a listed qdisc. */
    public static final EgressQdisc NONE = new EgressQdisc(null, List.of());

    public EgressQdisc {
        // sorted without a stream: every interface's is made at every scrape
        String[] sorted = queues.toArray(new String[0]);
        if (sorted.length > 1) {
            java.util.Arrays.sort(sorted);
        }
        queues = sorted.length == 0 ? List.of() : java.util.Collections.unmodifiableList(java.util.Arrays.asList(sorted));
    }

    public boolean multiqueue() {
        return root != null && MULTIQUEUE_ROOTS.contains(root);
    }

    /** Whether every packet this interface sends meets fq. */
    public boolean paced() {
        if ("fq".equals(root)) {
            return true;
        }
        return multiqueue() && !queues.isEmpty() && queues.stream().allMatch("fq"::equals);
    }

    /** "pfifo_fast", "none", "mq with children 1 fq, 1 pfifo_fast", "mq without visible children". */
    public String describe() {
        if (root == null) {
            return "none";
        }
        if (!multiqueue()) {
            return root;
        }
        if (queues.isEmpty()) {
            return root + " without visible children";
        }
        TreeMap<String, Integer> byKind = new TreeMap<>();
        queues.forEach(k -> byKind.merge(k, 1, Integer::sum));
        List<String> parts = new ArrayList<>();
        byKind.forEach((kind, n) -> parts.add(n + " " + kind));
        return root + " with children " + String.join(", ", parts);
    }

    /** The per-queue kinds, each once: "fq,fq_codel"; empty unless the root is multiqueue. */
    public String queueKinds() {
        return String.join(",", new TreeSet<>(queues));
    }

    /**
     * Every interface's egress qdisc from one RTM_GETQDISC dump, by ifindex; an interface with no
     * qdisc listed is absent (see {@link #NONE}). Ingress and clsact (parent TC_H_INGRESS) hold no egress packet.
     */
    public static Map<Integer, EgressQdisc> byInterface(List<Qdisc> qdiscs) {
        Map<Integer, Qdisc> roots = new HashMap<>();
        for (Qdisc q : qdiscs) {
            if (q.isRoot()) {
                roots.put(q.ifindex(), q);
            }
        }
        Map<Integer, List<String>> queues = new HashMap<>();
        for (Qdisc q : qdiscs) {
            Qdisc root = roots.get(q.ifindex());
            if (root != null && !q.isRoot() && q.parent() != Qdisc.TC_H_INGRESS && MULTIQUEUE_ROOTS.contains(root.kind())
                    && q.parent() >>> 16 == root.handle() >>> 16) {
                queues.computeIfAbsent(q.ifindex(), k -> new ArrayList<>()).add(q.kind());
            }
        }
        Map<Integer, EgressQdisc> out = new HashMap<>();
        roots.forEach((ifindex, root) -> out.put(ifindex, new EgressQdisc(root.kind(), queues.getOrDefault(ifindex, List.of()))));
        return Map.copyOf(out);
    }
}
