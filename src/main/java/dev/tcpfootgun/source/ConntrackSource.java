package dev.tcpfootgun.source;

import dev.tcpfootgun.snapshot.Conntrack;
import dev.tcpfootgun.snapshot.Conntrack.StatsOrigin;
import java.io.IOException;
import java.io.UncheckedIOException;
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
    public Conntrack read(ParseLog log) throws IOException {
        try {
            Path countFile = procFs.sysctl("net.netfilter.nf_conntrack_count");
            String countText = KernelFiles.optional(countFile);
            if (countText == null) {
                throw new AbsentException("nf_conntrack not loaded: " + countFile + " missing");
            }
            long count;
            try {
                count = Long.parseLong(countText.strip());
            } catch (NumberFormatException e) {
                throw new IOException("not a number in " + countFile + ": \"" + countText.strip() + "\"", e);
            }
            Map<String, Long> stats = null;
            Path statsPath = procFs.net("stat/nf_conntrack");
            try (KernelLines statsFile = KernelLines.open(statsPath)) {
                if (statsFile != null) {
                    stats = parseStats(statsFile, log);
                }
            }
            SysctlNumber max = number("net.netfilter.nf_conntrack_max", log);
            return new Conntrack(
                    count,
                    max.value(),
                    number("net.netfilter.nf_conntrack_buckets", log).value(),
                    number("net.netfilter.nf_conntrack_tcp_timeout_time_wait", log).value(),
                    stats == null ? Map.of() : stats,
                    stats == null ? StatsOrigin.NONE : StatsOrigin.PROCFS,
                    stats == null ? statsPath + " does not exist (no CONFIG_NF_CONNTRACK_PROCFS)" : "",
                    max.missing());
        } catch (RuntimeException e) {
            throw KernelFiles.failure(e);
        }
    }

    /** A sysctl's number, or why there is none ("" when read). */
    private record SysctlNumber(OptionalLong value, String missing) {}

    private SysctlNumber number(String sysctl, ParseLog log) throws IOException {
        Path file = procFs.sysctl(sysctl);
        String text = KernelFiles.optional(file);
        if (text == null) {
            return new SysctlNumber(OptionalLong.empty(), file + " does not exist");
        }
        try {
            return new SysctlNumber(OptionalLong.of(Long.parseLong(text.strip())), "");
        } catch (NumberFormatException e) {
            log.skip(sysctl + ": not a number: " + text.strip());
            return new SysctlNumber(OptionalLong.empty(), file + ": not a number: \"" + text.strip() + "\"");
        }
    }

    /**
     * The most columns read: Linux 6.18 prints 17. A header with more is not the kernel's, and the
     * source fails saying so rather than keep (and export) thousands of made-up columns.
     */
    static final int MAX_COLUMNS = 1024;

    /**
     * Sums /proc/net/stat/nf_conntrack's per-CPU hex rows by the header's column names, which differ
     * between kernels (5.x added clashres and chainlength, dropped searched and delete_list).
     */
    public static Map<String, Long> parseStats(String text, ParseLog log) {
        try {
            return parseStats(KernelLines.of(text), log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** As {@link #parseStats(String, ParseLog)}, a row at a time: one row of memory for any number of CPUs. */
    public static Map<String, Long> parseStats(KernelLines lines, ParseLog log) throws IOException {
        FieldCursor f = new FieldCursor(lines, log, "nf_conntrack stats");
        if (!f.nextLine()) {
            log.skip("nf_conntrack stats: empty file");
            return Map.of();
        }
        if (f.count() > MAX_COLUMNS) {
            throw new IOException("nf_conntrack stats: " + f.count() + " columns, more than the " + MAX_COLUMNS
                    + " a kernel could print: not the kernel's file");
        }
        String[] names = new String[f.count()];
        for (int i = 0; i < names.length; i++) {
            names[i] = f.field(i);
        }
        long[] sums = new long[names.length];
        long[] row = new long[names.length];
        while (f.nextLine()) {
            if (f.count() != names.length) {
                log.skip("nf_conntrack stats: " + f.count() + " values for " + names.length + " columns: " + f.line());
                continue;
            }
            try {
                for (int i = 0; i < names.length; i++) {
                    row[i] = f.quantityHex(i);
                }
                for (int i = 0; i < names.length; i++) {
                    row[i] = Math.addExact(sums[i], row[i]);
                }
                long[] summed = sums;
                sums = row;
                row = summed;
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
