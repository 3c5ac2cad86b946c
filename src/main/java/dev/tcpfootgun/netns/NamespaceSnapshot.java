package dev.tcpfootgun.netns;

import dev.tcpfootgun.snapshot.NodeSnapshot;

/** What was read from one network namespace in one scan. */
public record NamespaceSnapshot(NetnsRef ref, NodeSnapshot snapshot) {}
