package dev.tcpfootgun.source;

import dev.tcpfootgun.snapshot.KernelCounters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * /proc/net/netstat or /proc/net/snmp: pairs of lines "Section: Name1 Name2 ..." and
 * "Section: value1 value2 ...", every field kept as "Section.Name".
 */
public final class NetstatFile implements Source<KernelCounters> {
    /**
     * The most counters kept of one file. Linux 6.18 prints 229 in netstat and 83 in snmp; a
     * file with more is not the kernel's, and what it adds past the bound is skipped and counted.
     */
    static final int MAX_COUNTERS = 4096;

    private final Path file;
    private final Keys keys = new Keys();

    private NetstatFile(Path file) {
        this.file = file;
    }

    /** TcpExt, IpExt, MPTcpExt... from /proc/net/netstat. */
    public static NetstatFile netstat(ProcFs procFs) {
        return new NetstatFile(procFs.net("netstat"));
    }

    /** Ip, Icmp, IcmpMsg, Tcp, Udp, UdpLite from /proc/net/snmp. */
    public static NetstatFile snmp(ProcFs procFs) {
        return new NetstatFile(procFs.net("snmp"));
    }

    @Override
    public KernelCounters read(ParseLog log) throws IOException {
        try (KernelLines lines = KernelLines.required(file)) {
            return parse(lines, file.getFileName().toString(), log, keys);
        } catch (RuntimeException e) {
            throw KernelFiles.failure(e);
        }
    }

    public static KernelCounters parse(String text, ParseLog log) {
        try {
            return parse(KernelLines.of(text), "netstat", log, new Keys());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // text in memory has no I/O to fail
        }
    }

    /**
     * Pairs the lines as they are read: a names line waits for the next prefixed line, which is its
     * values if it names the same section. Memory is one line and the counters kept, at most
     * {@link #MAX_COUNTERS} of them, whatever the file's size.
     */
    public static KernelCounters parse(KernelLines lines, String file, ParseLog log) throws IOException {
        return parse(lines, file, log, new Keys());
    }

    /**
     * Each section's names line and "Section.Name" keys as the last read of one file made them, and how
     * many counters it kept: the kernel prints the same names at every read, so a names line equal to the
     * one kept is compared in place and its keys reused (a read had made about 300 Strings of names, 300
     * keys hashed anew and 300 Strings of values a scrape). A read publishes the sections it paired.
     */
    static final class Keys {
        private volatile Map<String, Names> bySection = Map.of();
        private volatile int lastCount;
    }

    /** One names line: its section, its fields and the keys made of them, in the same order. */
    private record Names(String section, List<String> fields, String[] keys) {
        static Names of(String section, FieldCursor f) {
            List<String> fields = new ArrayList<>(f.count() - 1);
            String[] keys = new String[f.count() - 1];
            for (int i = 1; i < f.count(); i++) {
                fields.add(f.field(i));
                keys[i - 1] = section + "." + fields.getLast();
            }
            return new Names(section, fields, keys);
        }

        /** Whether the cursor's line after its section is these names, compared without making Strings of them. */
        boolean same(FieldCursor f) {
            if (f.count() - 1 != fields.size()) {
                return false;
            }
            for (int i = 1; i < f.count(); i++) {
                if (!f.is(i, fields.get(i - 1))) {
                    return false;
                }
            }
            return true;
        }
    }

    static KernelCounters parse(KernelLines lines, String file, ParseLog log, Keys keys) throws IOException {
        FieldCursor f = new FieldCursor(lines, log, file);
        Map<String, Double> values = HashMap.newHashMap(keys.lastCount);
        Map<String, Names> known = keys.bySection;
        Map<String, Names> paired = new HashMap<>();
        boolean changed = false;
        Names names = null;
        while (f.nextLine()) {
            String section = f.field(0);
            if (!section.endsWith(":") || section.length() == 1) {
                log.skip("line without a \"Section:\" prefix: " + f.line());
                continue;
            }
            section = section.substring(0, section.length() - 1);
            if (names == null) {
                names = names(section, f, known);
            } else if (!names.section.equals(section)) {
                // an unpaired line: re-pair from the next one rather than shift every later section
                log.skip(names.section + ": names without a values line");
                names = names(section, f, known);
            } else {
                pair(names, f, values, log);
                changed |= known.get(section) != names;
                paired.put(section, names);
                names = null;
            }
        }
        if (names != null) {
            log.skip(names.section + ": names without a values line");
        }
        if (changed || paired.size() != known.size()) {
            keys.bySection = Map.copyOf(paired);
        }
        keys.lastCount = values.size();
        return new KernelCounters(values);
    }

    /** The cursor's line as a names line: the one kept for its section when it is the same. */
    private static Names names(String section, FieldCursor f, Map<String, Names> known) {
        Names kept = known.get(section);
        return kept != null && kept.same(f) ? kept : Names.of(section, f);
    }

    /** The values line under the cursor, paired with {@code names}. */
    private static void pair(Names names, FieldCursor numbers, Map<String, Double> values, ParseLog log) {
        int count = numbers.count() - 1;
        if (names.fields.size() != count) {
            log.skip(names.section + ": " + names.fields.size() + " names but " + count + " values");
            return;
        }
        for (int k = 0; k < count; k++) {
            String key = names.keys[k];
            if (values.size() >= MAX_COUNTERS && !values.containsKey(key)) {
                log.skip(names.section + ": " + (count - k) + " counters past the bound of " + MAX_COUNTERS + " left out");
                return;
            }
            double plain = plainDigits(numbers, k + 1);
            if (plain >= 0) {
                values.put(key, plain);
                continue;
            }
            String value = numbers.field(k + 1);
            try {
                values.put(key, counter(value));
            } catch (NumberFormatException e) {
                log.skip(names.section + "." + names.fields.get(k) + ": not a number: " + value);
            }
        }
    }

    /**
     * A field of 1 to 18 decimal digits (below 2^63, so what {@link #counter} gives for it) read in place;
     * -1 for anything else, which goes through {@link #counter} as a String.
     */
    private static double plainDigits(FieldCursor f, int field) {
        int from = f.start(field);
        int to = f.end(field);
        if (to - from > 18) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            char c = f.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** Unsigned up to 2^64-1, or negative (Tcp.MaxConn is -1). */
    private static double counter(String value) {
        if (value.startsWith("-")) {
            return Long.parseLong(value);
        }
        long v = Long.parseUnsignedLong(value);
        // above 2^63: halve keeping the low bit sticky, so the one rounding to double is the correct one
        return v >= 0 ? v : (double) ((v >>> 1) | (v & 1)) * 2.0;
    }
}
