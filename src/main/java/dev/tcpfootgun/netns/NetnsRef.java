package dev.tcpfootgun.netns;

/**
 * One network namespace of the node, reached through one process living in it.
 *
 * @param inode the namespace's identity: the inode of /proc/PID/net/tcp, one per namespace and the
 *     same for all its processes ({@code stat -L -c %i /proc/PID/net/tcp}); readable by any user,
 *     unlike /proc/PID/ns/net
 * @param pid the lowest pid found in it; its /proc/PID/net files show this namespace
 * @param host true for the node's own namespace (the one pid 1 is in)
 * @param pod the Kubernetes pod whose sandbox owns it, or null
 */
public record NetnsRef(long inode, long pid, boolean host, Pod pod) {

    /** The netns label: "host", or the namespace identity. */
    public String label() {
        return host ? "host" : Long.toString(inode);
    }

    /** This namespace, named after the pod its process belongs to. */
    public NetnsRef withPod(Pod owner) {
        return new NetnsRef(inode, pid, host, owner);
    }

    /** Who a reader sees in evidence: "host" or "pod shop/cart-7d9 (netns 4026532451)". */
    public String describe() {
        if (host) {
            return "host";
        }
        return pod == null ? "netns " + inode + " (pid " + pid + ")"
                : "pod " + pod.namespace() + "/" + pod.name() + " (netns " + inode + ")";
    }
}
