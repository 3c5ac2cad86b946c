package dev.tcpfootgun.netns;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the pod a process belongs to from what the node holds: the pod uid in the process's cgroup
 * path (systemd "kubepods-...-pod<uid with _>.slice" or cgroupfs "/kubepods/.../pod<uid>/"), and
 * namespace and name from the kubelet's pod log folders ("<namespace>_<name>_<uid>").
 */
public final class PodResolver {

    private static final Pattern UID = Pattern.compile(
            "pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})");

    private final Path podLogs;

    public PodResolver(Path podLogs) {
        this.podLogs = podLogs;
    }

    /** The pod uid in a /proc/PID/cgroup text, or null. */
    public static String uidFromCgroup(String cgroupText) {
        Matcher m = UID.matcher(cgroupText);
        return m.find() ? m.group(1).replace('_', '-') : null;
    }

    /** uid to pod, from the pod log folders; read once per scan. */
    public Map<String, Pod> podsByUid() {
        Map<String, Pod> out = new HashMap<>();
        if (podLogs == null || !Files.isDirectory(podLogs)) {
            return out;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(podLogs)) {
            for (Path d : dirs) {
                String n = d.getFileName().toString();
                int last = n.lastIndexOf('_');
                int first = n.indexOf('_');
                if (first <= 0 || last <= first) {
                    continue;
                }
                String uid = n.substring(last + 1);
                out.put(uid, new Pod(uid, n.substring(0, first), n.substring(first + 1, last)));
            }
        } catch (IOException e) {
            // no pod names this time; uids from cgroups still label the namespaces
        }
        return out;
    }
}
