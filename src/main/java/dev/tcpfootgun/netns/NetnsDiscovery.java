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
 * PID namespace): one entry per namespace, reached through its lowest pid, so a namespace with a
 * hundred processes is read once.
 */
public final class NetnsDiscovery {

    private final Path procRoot;
    private final PodResolver pods;

    public NetnsDiscovery(Path procRoot, PodResolver pods) {
        this.procRoot = procRoot;
        this.pods = pods;
    }

    public List<NetnsRef> discover() throws IOException {
        long host = inodeOf(procRoot.resolve("1"));
        if (host < 0) {
            host = inodeOf(procRoot.resolve("self"));
        }
        Map<Long, Long> lowestPid = new TreeMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(procRoot)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0)) || !name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long inode = inodeOf(p);
                if (inode < 0) {
                    continue;
                }
                long pid = Long.parseLong(name);
                lowestPid.merge(inode, pid, Math::min);
            }
        }
        Map<String, Pod> byUid = pods.podsByUid();
        List<NetnsRef> out = new ArrayList<>(lowestPid.size());
        for (var e : lowestPid.entrySet()) {
            boolean isHost = e.getKey() == host;
            out.add(new NetnsRef(e.getKey(), e.getValue(), isHost, isHost ? null : podOf(e.getValue(), byUid)));
        }
        return out;
    }

    private Pod podOf(long pid, Map<String, Pod> byUid) {
        try {
            String uid = PodResolver.uidFromCgroup(Files.readString(procRoot.resolve(Long.toString(pid)).resolve("cgroup")));
            if (uid == null) {
                return null;
            }
            return byUid.getOrDefault(uid, new Pod(uid, "", ""));
        } catch (IOException e) {
            return null;
        }
    }

    /** The network namespace inode of a /proc/PID folder, or -1 when it is gone or unreadable. */
    static long inodeOf(Path pidDir) {
        try {
            String link = Files.readSymbolicLink(pidDir.resolve("ns").resolve("net")).toString();
            int open = link.indexOf('[');
            int close = link.indexOf(']');
            return open >= 0 && close > open ? Long.parseLong(link.substring(open + 1, close)) : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
