package dev.tcpfootgun.netns;

import dev.tcpfootgun.snapshot.NodeSnapshot;
import dev.tcpfootgun.snapshot.Reading;
import java.util.List;

/**
 * What was read from one network namespace in one scan.
 *
 * @param access whether it was read from a thread inside it or from its /proc/PID/net files alone
 * @param addresses the addresses it owns (pod IPs), loopback left out
 */
public record NamespaceSnapshot(NetnsRef ref, NodeSnapshot snapshot, Access access, Reading<List<String>> addresses) {}
