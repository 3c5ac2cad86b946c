package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.NodeSnapshot;

/**
 * One footgun's judgement: a pure function of a snapshot and, where a rate is needed, the snapshot
 * before it. Knows nothing of files or HTTP.
 */
public interface Check {

    Footgun footgun();

    /**
     * @param now the snapshot to judge
     * @param previous the snapshot before it, or null on the first read
     */
    Finding judge(NodeSnapshot now, NodeSnapshot previous);
}
