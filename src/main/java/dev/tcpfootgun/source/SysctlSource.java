package dev.tcpfootgun.source;

import dev.tcpfootgun.snapshot.Sysctls;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sysctls the footgun checks read. One the kernel lacks (tcp_tw_recycle since 4.12) is left out
 * of the map, never reported as zero.
 */
public final class SysctlSource implements Source<Sysctls> {

    public static final List<String> NAMES = List.of(
            "kernel.osrelease", // the release, for checks that depend on it (bbr_without_fq: internal pacing since 4.13)
            "net.ipv4.ip_local_port_range",
            "net.ipv4.ip_local_reserved_ports",
            "net.ipv4.tcp_tw_reuse",
            "net.ipv4.tcp_tw_reuse_delay",
            "net.ipv4.tcp_tw_recycle",
            "net.ipv4.tcp_timestamps",
            "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_max_tw_buckets",
            "net.core.somaxconn",
            "net.ipv4.tcp_max_syn_backlog",
            "net.ipv4.tcp_syncookies",
            "net.ipv4.tcp_keepalive_time",
            "net.ipv4.tcp_keepalive_intvl",
            "net.ipv4.tcp_keepalive_probes",
            "net.ipv4.tcp_retries2",
            "net.core.rmem_max",
            "net.core.wmem_max",
            "net.core.rmem_default",
            "net.core.wmem_default",
            "net.ipv4.tcp_rmem",
            "net.ipv4.tcp_wmem",
            "net.ipv4.tcp_mem",
            "net.ipv4.tcp_window_scaling",
            "net.ipv4.tcp_slow_start_after_idle",
            "net.ipv4.tcp_notsent_lowat",
            "net.ipv4.tcp_mtu_probing",
            "net.ipv4.tcp_base_mss",
            "net.ipv4.tcp_mtu_probe_floor",
            "net.ipv4.ip_no_pmtu_disc",
            "net.ipv4.tcp_congestion_control",
            "net.ipv4.tcp_available_congestion_control",
            "net.core.default_qdisc",
            "net.ipv4.tcp_autocorking");

    /**
     * The longest value read of a sysctl: one page, the most the kernel's proc_dostring and
     * proc_dointvec print (tcp_available_congestion_control stops at TCP_CA_BUF_MAX, 2048). A longer
     * one is not the kernel's: it is refused and counted, never kept or shown as a label.
     */
    public static final int MAX_VALUE = 4096;

    /**
     * ip_local_reserved_ports is a list of up to 65536 ports, printed by proc_do_large_bitmap: every
     * other port reserved prints about 191 KB, the longest such a list can be.
     */
    public static final int MAX_PORT_LIST = 192 * 1024;

    private final ProcFs procFs;

    public SysctlSource(ProcFs procFs) {
        this.procFs = procFs;
    }

    @Override
    public Sysctls read(ParseLog log) throws IOException {
        try {
            Map<String, String> values = new HashMap<>();
            Map<String, String> unread = new HashMap<>();
            byte[] scratch = new byte[MAX_VALUE + 1]; // one buffer for the 33 short ones, not 4 KiB and a copy each
            for (String name : NAMES) {
                Path file = procFs.sysctl(name);
                try {
                    int max = maxLength(name);
                    String text = max == MAX_VALUE ? KernelFiles.optional(file, max, scratch) : KernelFiles.optional(file, max);
                    if (text != null) {
                        values.put(name, value(text));
                    } else {
                        unread.put(name, file + " does not exist");
                    }
                } catch (IOException e) {
                    log.skip(name + ": " + e.getMessage());
                    unread.put(name, e.getMessage());
                }
            }
            if (values.isEmpty()) {
                // every kernel has most of these: none at all means a wrong --path.procfs, not an old kernel
                throw new IOException("none of " + NAMES.size() + " sysctls readable under " + procFs.sysctl("net"));
            }
            return new Sysctls(values, unread);
        } catch (RuntimeException e) {
            throw KernelFiles.failure(e);
        }
    }

    /** The longest value of this sysctl the kernel can print. */
    static int maxLength(String name) {
        return name.equals(Sysctls.RESERVED_PORTS) ? MAX_PORT_LIST : MAX_VALUE;
    }

    /** A sysctl file's value: surrounding blanks and the newline dropped, inner tabs kept ("32768\t60999"). */
    public static String value(String text) {
        return text.strip();
    }
}
