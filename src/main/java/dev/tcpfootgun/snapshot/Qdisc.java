package dev.tcpfootgun.snapshot;

/**
 * One queueing discipline from an rtnetlink RTM_GETQDISC dump.
 *
 * @param parent TC_H_ROOT (0xFFFFFFFF) for a root qdisc, else the parent class handle
 */
public record Qdisc(int ifindex, long handle, long parent, String kind) {
    public static final long TC_H_ROOT = 0xFFFFFFFFL;
    /** Parent of the ingress and clsact qdiscs, which shape nothing on egress. */
    public static final long TC_H_INGRESS = 0xFFFFFFF1L;

    public boolean isRoot() {
        return parent == TC_H_ROOT;
    }
}
