package dev.tcpfootgun.netns;

import dev.tcpfootgun.snapshot.NodeSnapshot;

/**
 * What was read from one network namespace in one scan; its addresses (pod IPs) are the snapshot's
 * {@code addresses} reading.
 *
 * @param access whether it was read from a thread inside it or from its /proc/PID/net files alone
 */
public record NamespaceSnapshot(NetnsRef ref, NodeSnapshot snapshot, Access access) {}
