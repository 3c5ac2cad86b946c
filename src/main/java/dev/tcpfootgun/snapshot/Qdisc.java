package dev.tcpfootgun.snapshot;

/**
 * One queueing discipline from an rtnetlink RTM_GETQDISC dump.
 *
 * @param parent TC_H_ROOT (0xFFFFFFFF) for a root qdisc, else the parent class handle
 */
public record Qdisc(int ifindex, long handle, long parent, String kind) {
    public static final long TC_H_ROOT = 0xFFFFFFFFL;

    public boolean isRoot() {
        return parent == TC_H_ROOT;
    }
}
