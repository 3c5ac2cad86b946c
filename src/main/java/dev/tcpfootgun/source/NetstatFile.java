package dev.tcpfootgun.source;

import dev.tcpfootgun.snapshot.KernelCounters;
import java.io.IOException;
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
    private final Path file;
    private final String collector;

    private NetstatFile(Path file, String collector) {
        this.file = file;
        this.collector = collector;
    }

    /** TcpExt, IpExt, MPTcpExt... from /proc/net/netstat. */
    public static NetstatFile netstat(ProcFs procFs) {
        return new NetstatFile(procFs.net("netstat"), "netstat");
    }

    /** Ip, Icmp, IcmpMsg, Tcp, Udp, UdpLite from /proc/net/snmp. */
    public static NetstatFile snmp(ProcFs procFs) {
        return new NetstatFile(procFs.net("snmp"), "snmp");
    }

    @Override
    public String collector() {
        return collector;
    }

    @Override
    public KernelCounters read(ParseLog log) throws IOException {
        try {
            return parse(KernelFiles.required(file), log);
        } catch (RuntimeException e) {
            throw KernelFiles.failure(collector, e);
        }
    }

    public static KernelCounters parse(String text, ParseLog log) {
        List<Line> lines = new ArrayList<>();
        FieldCursor f = new FieldCursor(text);
        while (f.nextLine()) {
            String section = f.field(0);
            if (!section.endsWith(":") || section.length() == 1) {
                log.skip("line without a \"Section:\" prefix: " + f.line());
                continue;
            }
            lines.add(Line.of(section.substring(0, section.length() - 1), f));
        }
        Map<String, Double> values = new HashMap<>();
        int i = 0;
        while (i < lines.size()) {
            Line names = lines.get(i);
            if (i + 1 == lines.size() || !lines.get(i + 1).section.equals(names.section)) {
                // an unpaired line: re-pair from the next one rather than shift every later section
                log.skip(names.section + ": names without a values line");
                i++;
                continue;
            }
            Line numbers = lines.get(i + 1);
            i += 2;
            if (names.fields.size() != numbers.fields.size()) {
                log.skip(names.section + ": " + names.fields.size() + " names but " + numbers.fields.size() + " values");
                continue;
            }
            for (int k = 0; k < names.fields.size(); k++) {
                String value = numbers.fields.get(k);
                try {
                    values.put(names.section + "." + names.fields.get(k), counter(value));
                } catch (NumberFormatException e) {
                    log.skip(names.section + "." + names.fields.get(k) + ": not a number: " + value);
                }
            }
        }
        return new KernelCounters(values);
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

    /** One line's section and the fields after it; these files are small, so Strings are fine here. */
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
