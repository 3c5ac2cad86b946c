package dev.tcpfootgun.source;

import dev.tcpfootgun.snapshot.Conntrack;
import dev.tcpfootgun.snapshot.Conntrack.StatsOrigin;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The conntrack table's size and limits from /proc/sys/net/netfilter, and its per-CPU statistics
 * from /proc/net/stat/nf_conntrack when the kernel has CONFIG_NF_CONNTRACK_PROCFS.
 */
public final class ConntrackSource implements Source<Conntrack> {
    /** The table size repeated on every CPU row, not a counter. */
    private static final String ENTRIES = "entries";

    private final ProcFs procFs;

    public ConntrackSource(ProcFs procFs) {
        this.procFs = procFs;
    }

    @Override
    public String collector() {
        return "conntrack";
    }

    @Override
    public Conntrack read(ParseLog log) throws IOException {
        try {
            Path countFile = procFs.sysctl("net.netfilter.nf_conntrack_count");
            String countText = KernelFiles.optional(countFile);
            if (countText == null) {
                throw new IOException("nf_conntrack not loaded: " + countFile + " missing");
            }
            long count;
            try {
                count = Long.parseLong(countText.strip());
            } catch (NumberFormatException e) {
                throw new IOException("not a number in " + countFile + ": \"" + countText.strip() + "\"", e);
            }
            String statsText = KernelFiles.optional(procFs.net("stat/nf_conntrack"));
            return new Conntrack(
                    count,
                    optionalNumber("net.netfilter.nf_conntrack_max", log),
                    optionalNumber("net.netfilter.nf_conntrack_buckets", log),
                    optionalNumber("net.netfilter.nf_conntrack_tcp_timeout_time_wait", log),
                    statsText == null ? Map.of() : parseStats(statsText, log),
                    statsText == null ? StatsOrigin.NONE : StatsOrigin.PROCFS);
        } catch (RuntimeException e) {
            throw KernelFiles.failure(collector(), e);
        }
    }

    private OptionalLong optionalNumber(String sysctl, ParseLog log) throws IOException {
        String text = KernelFiles.optional(procFs.sysctl(sysctl));
        if (text == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(text.strip()));
        } catch (NumberFormatException e) {
            log.skip(sysctl + ": not a number: " + text.strip());
            return OptionalLong.empty();
        }
    }

    /**
     * Sums /proc/net/stat/nf_conntrack's per-CPU hex rows by the header's column names, which differ
     * between kernels (5.x added clashres and chainlength, dropped searched and delete_list).
     */
    public static Map<String, Long> parseStats(String text, ParseLog log) {
        FieldCursor f = new FieldCursor(text);
        if (!f.nextLine()) {
            log.skip("nf_conntrack stats: empty file");
            return Map.of();
        }
        String[] names = new String[f.count()];
        for (int i = 0; i < names.length; i++) {
            names[i] = f.field(i);
        }
        long[] sums = new long[names.length];
        while (f.nextLine()) {
            if (f.count() != names.length) {
                log.skip("nf_conntrack stats: " + f.count() + " values for " + names.length + " columns: " + f.line());
                continue;
            }
            try {
                long[] row = new long[names.length];
                for (int i = 0; i < names.length; i++) {
                    row[i] = f.quantityHex(i);
                }
                long[] next = new long[names.length];
                for (int i = 0; i < names.length; i++) {
                    next[i] = Math.addExact(sums[i], row[i]);
                }
                sums = next;
            } catch (NumberFormatException e) {
                log.skip("nf_conntrack stats: not hex: " + f.line());
            } catch (ArithmeticException e) {
                // a counter that would pass 2^63 cannot be exported; the sums stay as they were
                log.skip("nf_conntrack stats: sum out of range: " + f.line());
            }
        }
        Map<String, Long> stats = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            if (!names[i].equals(ENTRIES)) {
                stats.put(names[i], sums[i]);
            }
        }
        return stats;
    }
}
