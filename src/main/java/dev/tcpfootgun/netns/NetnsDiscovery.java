package dev.tcpfootgun.netns;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Lists the node's network namespaces from a host procfs (--path.procfs=/host/proc with the host
 * PID namespace), with no capability: a namespace is told apart by the inode of /proc/PID/net/tcp,
 * which every user may stat (/proc/PID/ns/net needs ptrace access). One entry per namespace, reached
 * through its lowest pid, so a namespace with a hundred processes is read once. Only directory
 * listings and stat calls happen here; the files that can block (cgroup, net/*) are read by each
 * namespace's own read, under the scrape deadline.
 */
public final class NetnsDiscovery {

    /** The namespaces found, and the pods the kubelet's log folders name (uid to pod). */
    public record Found(List<NetnsRef> namespaces, Map<String, Pod> podsByUid) {}

    private final Path procRoot;
    private final PodResolver pods;

    public NetnsDiscovery(Path procRoot, PodResolver pods) {
        this.procRoot = procRoot;
        this.pods = pods;
    }

    public Found discover() throws IOException {
        long host = identityOf(procRoot.resolve("1"));
        if (host < 0) {
            host = identityOf(procRoot.resolve("self"));
        }
        Map<Long, Long> lowestPid = new TreeMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(procRoot)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (name.isEmpty() || name.length() > 10 || !name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long identity = identityOf(p);
                if (identity >= 0) {
                    lowestPid.merge(identity, Long.parseLong(name), Math::min);
                }
            }
        }
        List<NetnsRef> out = new ArrayList<>(lowestPid.size());
        for (var e : lowestPid.entrySet()) {
            out.add(new NetnsRef(e.getKey(), e.getValue(), e.getKey() == host, null));
        }
        return new Found(out, pods.podsByUid());
    }

    /** The pod process {@code pid} belongs to, from its cgroup path; null for none or when it is gone. */
    public Pod podOf(long pid, Map<String, Pod> byUid) {
        try {
            String uid = PodResolver.uidFromCgroup(dev.tcpfootgun.source.ProcFs.readText(
                    procRoot.resolve(Long.toString(pid)).resolve("cgroup")));
            if (uid == null) {
                return null;
            }
            return byUid.getOrDefault(uid, new Pod(uid, "", ""));
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The network namespace identity of a /proc/PID folder: the inode of its net/tcp, one per
     * namespace; -1 when the process is gone or has no such file.
     */
    public static long identityOf(Path pidDir) {
        try {
            Object ino = Files.getAttribute(pidDir.resolve("net").resolve("tcp"), "unix:ino");
            return ino instanceof Long l ? l : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
