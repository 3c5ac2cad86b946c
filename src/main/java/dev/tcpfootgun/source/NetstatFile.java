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
            return parse(lines, file.getFileName().toString(), log);
        } catch (RuntimeException e) {
            throw KernelFiles.failure(e);
        }
    }

    public static KernelCounters parse(String text, ParseLog log) {
        try {
            return parse(KernelLines.of(text), "netstat", log);
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
        FieldCursor f = new FieldCursor(lines, log, file);
        Map<String, Double> values = new HashMap<>();
        Line names = null;
        while (f.nextLine()) {
            String section = f.field(0);
            if (!section.endsWith(":") || section.length() == 1) {
                log.skip("line without a \"Section:\" prefix: " + f.line());
                continue;
            }
            Line line = Line.of(section.substring(0, section.length() - 1), f);
            if (names == null) {
                names = line;
            } else if (!names.section.equals(line.section)) {
                // an unpaired line: re-pair from the next one rather than shift every later section
                log.skip(names.section + ": names without a values line");
                names = line;
            } else {
                pair(names, line, values, log);
                names = null;
            }
        }
        if (names != null) {
            log.skip(names.section + ": names without a values line");
        }
        return new KernelCounters(values);
    }

    private static void pair(Line names, Line numbers, Map<String, Double> values, ParseLog log) {
        if (names.fields.size() != numbers.fields.size()) {
            log.skip(names.section + ": " + names.fields.size() + " names but " + numbers.fields.size() + " values");
            return;
        }
        for (int k = 0; k < names.fields.size(); k++) {
            String key = names.section + "." + names.fields.get(k);
            if (values.size() >= MAX_COUNTERS && !values.containsKey(key)) {
                log.skip(names.section + ": " + (names.fields.size() - k) + " counters past the bound of " + MAX_COUNTERS + " left out");
                return;
            }
            String value = numbers.fields.get(k);
            try {
                values.put(key, counter(value));
            } catch (NumberFormatException e) {
                log.skip(names.section + "." + names.fields.get(k) + ": not a number: " + value);
            }
        }
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

    /** One line's section and the fields after it: a line is bounded (KernelLines), so Strings are fine here. */
    private record Line(String section, List<String> fields) {
        static Line of(String section, FieldCursor f) {
            List<String> fields = new ArrayList<>(f.count() - 1);
            for (int i = 1; i < f.count(); i++) {
                fields.add(f.field(i));
            }
            return new Line(section, fields);
        }
    }
}
