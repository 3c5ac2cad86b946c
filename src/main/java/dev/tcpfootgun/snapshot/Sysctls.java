package dev.tcpfootgun.snapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Raw sysctl values keyed by dotted name ("net.ipv4.tcp_tw_reuse"), trimmed. A sysctl the kernel
 * lacks is not in the map: absent, never zero.
 *
 * @param unread why each sysctl the source looked for has no value, in its words ("/proc/sys/... does not exist")
 */
public record Sysctls(Map<String, String> values, Map<String, String> unread) {

    public static final String PORT_RANGE = "net.ipv4.ip_local_port_range";
    public static final String RESERVED_PORTS = "net.ipv4.ip_local_reserved_ports";

    public Sysctls {
        values = Map.copyOf(values);
        unread = Map.copyOf(unread);
    }

    /** Values alone, as a test or a namespace's assumption gives them: nothing was looked for and missed. */
    public Sysctls(Map<String, String> values) {
        this(values, Map.of());
    }

    /**
     * Why {@code name} has no usable value, for a check that cannot judge without it: the source's
     * reason when it looked and found none, else the value that is not what the check reads.
     */
    public String whyMissing(String name) {
        String why = unread.get(name);
        if (why != null) {
            return name + ": " + why;
        }
        String v = values.get(name);
        return v == null ? name + ": not among the sysctls read" : name + ": unexpected value \"" + v + "\"";
    }

    public Optional<String> string(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /** The value as one integer, empty when absent or not a single integer. */
    public OptionalLong number(String name) {
        String v = values.get(name);
        if (v == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** A whitespace-separated list of integers (tcp_rmem, ip_local_port_range), empty when absent or malformed. */
    public Optional<long[]> numbers(String name) {
        String v = values.get(name);
        if (v == null || v.isBlank()) {
            return Optional.empty();
        }
        String t = v.trim();
        if (t.isEmpty()) {
            return Optional.empty();
        }
        // by hand, not split("\\s+"): a regex compiled for each of the checks' many calls a scrape
        long[] out = new long[tokens(t)];
        try {
            int n = 0;
            for (int i = 0; i < t.length(); ) {
                int end = i;
                while (end < t.length() && !isRegexSpace(t.charAt(end))) {
                    end++;
                }
                if (!digits(t, i, end)) {
                    return Optional.empty(); // as parseLong would refuse it, without its exception ("6.18.44-generic", each scrape)
                }
                out[n++] = Long.parseLong(t, i, end, 10);
                i = end;
                while (i < t.length() && isRegexSpace(t.charAt(i))) {
                    i++;
                }
            }
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.of(out);
    }

    /** Whether parseLong could read [from, to): an optional sign, then only digits (any script's, as parseLong's). */
    private static boolean digits(String t, int from, int to) {
        int i = from;
        if (t.charAt(i) == '-' || t.charAt(i) == '+') {
            i++;
        }
        if (i == to) {
            return false;
        }
        for (; i < to; i++) {
            if (Character.digit(t.charAt(i), 10) < 0) {
                return false;
            }
        }
        return true;
    }

    /** How many pieces split on runs of regex whitespace a trimmed, non-empty string makes. */
    private static int tokens(String t) {
        int n = 1;
        for (int i = 1; i < t.length(); i++) {
            if (isRegexSpace(t.charAt(i)) && !isRegexSpace(t.charAt(i - 1))) {
                n++;
            }
        }
        return n;
    }

    /** What the regex whitespace class matches: space and the characters 9 to 13 (tab to carriage return). */
    private static boolean isRegexSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    /** ip_local_port_range and ip_local_reserved_ports, when the range is readable. */
    public Optional<EphemeralPorts> ephemeralPorts() {
        String rangeText = values.get(PORT_RANGE);
        String reservedText = values.getOrDefault(RESERVED_PORTS, "");
        LastPorts last = lastPorts;
        if (last != null && last.range.equals(rangeText) && last.reserved.equals(reservedText)) {
            return last.ports; // the same text as the last read's: parsed once, and the mask made for it found by identity
        }
        Optional<EphemeralPorts> ports = parseEphemeralPorts();
        if (rangeText != null) {
            lastPorts = new LastPorts(rangeText, reservedText, ports);
        }
        return ports;
    }

    /** The last ports parsed, with the text they were parsed from: every scrape reads the same two sysctls. */
    private static volatile LastPorts lastPorts;

    private record LastPorts(String range, String reserved, Optional<EphemeralPorts> ports) {}

    private Optional<EphemeralPorts> parseEphemeralPorts() {
        Optional<long[]> range = numbers(PORT_RANGE);
        if (range.isEmpty() || range.get().length != 2) {
            return Optional.empty();
        }
        long lo = range.get()[0];
        long hi = range.get()[1];
        if (lo < 0 || hi > 65535 || lo > hi) {
            return Optional.empty();
        }
        return Optional.of(new EphemeralPorts(
                new PortRange((int) lo, (int) hi), parsePortList(values.getOrDefault(RESERVED_PORTS, ""))));
    }

    /** Parses the kernel's port-list syntax: "8080,9000-9100" (empty means none). Bad entries are skipped. */
    public static List<PortRange> parsePortList(String text) {
        List<PortRange> out = new ArrayList<>();
        for (String part : text.trim().split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            try {
                int dash = p.indexOf('-');
                if (dash < 0) {
                    int port = Integer.parseInt(p);
                    out.add(new PortRange(port, port));
                } else {
                    out.add(new PortRange(Integer.parseInt(p.substring(0, dash).trim()),
                            Integer.parseInt(p.substring(dash + 1).trim())));
                }
            } catch (IllegalArgumentException e) {
                // a malformed entry reserves nothing; the kernel would have rejected it anyway
            }
        }
        return out;
    }
}
