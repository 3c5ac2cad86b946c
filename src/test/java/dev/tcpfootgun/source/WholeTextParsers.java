package dev.tcpfootgun.source;

import dev.tcpfootgun.snapshot.Endpoint;
import dev.tcpfootgun.snapshot.Family;
import dev.tcpfootgun.snapshot.IpText;
import dev.tcpfootgun.snapshot.KernelCounters;
import dev.tcpfootgun.snapshot.Sockstat;
import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.snapshot.TcpState;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The text parsers as they were before they streamed (commit e55ebd1: the whole file read into one
 * String, positions into it), kept verbatim as the oracle that StreamingParserPropertyTest holds the
 * streaming parsers to. Not used by the product.
 */
final class WholeTextParsers {
    private WholeTextParsers() {}

    private static final long MILLIS_PER_TICK = 10;
    private static final String ENTRIES = "entries";

    static List<TcpSocket> tcp(String text, Family family, ParseLog log) {
        List<TcpSocket> sockets = new ArrayList<>();
        parseInto(text, family, log, sockets::add);
        return sockets;
    }

    static Sockstat sockstat(String text, ParseLog log) {
        Map<String, Map<String, Long>> protocols = new LinkedHashMap<>();
        parseInto(text, log, protocols);
        return new Sockstat(protocols);
    }

    public static void parseInto(String text, Family family, ParseLog log, Consumer<TcpSocket> out) {
            FieldCursor f = new FieldCursor(text);
            HexEndpoints endpoints = new HexEndpoints(family);
            TcpColumns columns = TcpColumns.KERNEL;
            boolean first = true;
            while (f.nextLine()) {
                if (first) {
                    first = false;
                    TcpColumns header = TcpColumns.fromHeader(f);
                    if (header != null) {
                        if (header.hasAddressesAndState()) {
                            columns = header;
                        } else {
                            log.skip("header without local_address, rem_address or st, using the kernel's layout: " + f.line());
                        }
                        continue;
                    }
                }
                try {
                    out.accept(socket(f, columns, family, endpoints));
                } catch (IllegalArgumentException e) {
                    log.skip(family.label() + " socket line: " + e.getMessage() + ": " + f.line());
                }
            }
        }

    private static TcpSocket socket(FieldCursor f, TcpColumns c, Family family, HexEndpoints endpoints) {
            if (f.count() < c.named()) {
                throw new IllegalArgumentException(f.count() + " fields, expected at least " + c.named());
            }
            long txQueue = 0;
            long rxQueue = 0;
            if (c.queues() >= 0) {
                int colon = f.find(c.queues(), ':');
                txQueue = f.quantityHex(f.start(c.queues()), colon);
                rxQueue = f.quantityHex(colon + 1, f.end(c.queues()));
            }
            int timer = TcpSocket.TIMER_NONE;
            long timerTicks = 0;
            if (c.timer() >= 0) {
                int colon = f.find(c.timer(), ':');
                timer = f.smallHex(f.start(c.timer()), colon);
                timerTicks = f.quantityHex(colon + 1, f.end(c.timer()));
            }
            // every number read is range-checked: a value out of range skips the line, it never wraps into another
            return new TcpSocket(
                    family,
                    TcpState.fromCode(f.smallHex(c.state())),
                    endpoints.endpoint(f, c.local()),
                    endpoints.endpoint(f, c.remote()),
                    txQueue,
                    rxQueue,
                    timer,
                    FieldCursor.ticksToMillis(timerTicks, MILLIS_PER_TICK),
                    c.retransmits() >= 0 ? f.smallHex(c.retransmits()) : 0,
                    null,
                    null,
                    null);
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

    private static double counter(String value) {
            if (value.startsWith("-")) {
                return Long.parseLong(value);
            }
            long v = Long.parseUnsignedLong(value);
            // above 2^63: halve keeping the low bit sticky, so the one rounding to double is the correct one
            return v >= 0 ? v : (double) ((v >>> 1) | (v & 1)) * 2.0;
        }

    private record Line(String section, List<String> fields) {
            static Line of(String section, FieldCursor f) {
                List<String> fields = new ArrayList<>(f.count() - 1);
                for (int i = 1; i < f.count(); i++) {
                    fields.add(f.field(i));
                }
                return new Line(section, fields);
            }
        }

    static void parseInto(String text, ParseLog log, Map<String, Map<String, Long>> protocols) {
            FieldCursor f = new FieldCursor(text);
            while (f.nextLine()) {
                String protocol = f.field(0);
                if (!protocol.endsWith(":") || protocol.length() == 1 || f.count() % 2 == 0) {
                    log.skip("sockstat: not \"PROTO: name value ...\": " + f.line());
                    continue;
                }
                try {
                    Map<String, Long> fields = new LinkedHashMap<>();
                    for (int i = 1; i < f.count(); i += 2) {
                        fields.put(f.field(i), f.decimal(i + 1));
                    }
                    protocols.put(protocol.substring(0, protocol.length() - 1), Map.copyOf(fields));
                } catch (NumberFormatException e) {
                    log.skip("sockstat: not a number: " + f.line());
                }
            }
        }

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

    /**
     * Walks a kernel text file line by line and remembers where each whitespace-separated field of the
     * current line starts and ends, so that parsing 100k socket lines makes no String per field.
     * Number readers throw {@link NumberFormatException}; callers skip the line.
     */
    static final class FieldCursor {
        private final String text;
        private int next;
        private int lineStart;
        private int lineEnd;
        private int count;
        private int[] starts = new int[32];
        private int[] ends = new int[32];

        FieldCursor(String text) {
            this.text = text;
        }

        /** Moves to the next line that has at least one field; false at the end of the text. */
        boolean nextLine() {
            while (next < text.length()) {
                lineStart = next;
                int newline = text.indexOf('\n', next);
                lineEnd = newline < 0 ? text.length() : newline;
                next = lineEnd + 1;
                split();
                if (count > 0) {
                    return true;
                }
            }
            count = 0;
            return false;
        }

        private void split() {
            count = 0;
            int i = lineStart;
            while (i < lineEnd) {
                while (i < lineEnd && isBlank(text.charAt(i))) {
                    i++;
                }
                if (i == lineEnd) {
                    break;
                }
                int start = i;
                while (i < lineEnd && !isBlank(text.charAt(i))) {
                    i++;
                }
                if (count == starts.length) {
                    starts = Arrays.copyOf(starts, count * 2);
                    ends = Arrays.copyOf(ends, count * 2);
                }
                starts[count] = start;
                ends[count] = i;
                count++;
            }
        }

        private static boolean isBlank(char c) {
            return c == ' ' || c == '\t' || c == '\r';
        }

        int count() {
            return count;
        }

        int start(int field) {
            return starts[field];
        }

        int end(int field) {
            return ends[field];
        }

        char charAt(int position) {
            return text.charAt(position);
        }

        String field(int field) {
            return text.substring(starts[field], ends[field]);
        }

        boolean is(int field, String value) {
            return ends[field] - starts[field] == value.length()
                    && text.regionMatches(starts[field], value, 0, value.length());
        }

        /** The current line without surrounding blanks, cut short, for a skip message. */
        String line() {
            String line = text.substring(lineStart, lineEnd).strip();
            return line.length() > 120 ? line.substring(0, 120) + "..." : line;
        }

        /** Absolute position of {@code separator} inside the field; throws when it is not there. */
        int find(int field, char separator) {
            for (int i = starts[field]; i < ends[field]; i++) {
                if (text.charAt(i) == separator) {
                    return i;
                }
            }
            throw new NumberFormatException("no '" + separator + "' in \"" + field(field) + "\"");
        }

        /** Unsigned hex between two absolute positions, up to 16 digits. */
        long hex(int from, int to) {
            return Long.parseUnsignedLong(text, from, to, 16);
        }

        long hex(int field) {
            return hex(starts[field], ends[field]);
        }

        /** Unsigned hex below 2^63, for quantities; a larger value throws rather than turning negative. */
        long quantityHex(int from, int to) {
            long v = hex(from, to);
            if (v < 0) {
                throw new NumberFormatException("hex value above 2^63-1: \"" + text.substring(from, to) + "\"");
            }
            return v;
        }

        long quantityHex(int field) {
            return quantityHex(starts[field], ends[field]);
        }

        /** Unsigned hex that fits an int (states, timer codes, retransmit counts); larger values throw. */
        int smallHex(int from, int to) {
            long v = quantityHex(from, to);
            if (v > Integer.MAX_VALUE) {
                throw new NumberFormatException("hex value above 2^31-1: \"" + text.substring(from, to) + "\"");
            }
            return (int) v;
        }

        int smallHex(int field) {
            return smallHex(starts[field], ends[field]);
        }

        /** Signed decimal, as the kernel prints %d, %u and %lu below 2^63. */
        long decimal(int field) {
            return Long.parseLong(text, starts[field], ends[field], 10);
        }

        /** A decimal the kernel prints unsigned (%u, %lu); a minus sign throws. */
        long unsignedDecimal(int field) {
            long v = decimal(field);
            if (v < 0) {
                throw new NumberFormatException("negative value where the kernel prints unsigned: \"" + field(field) + "\"");
            }
            return v;
        }

        /** A decimal the kernel prints as %d; outside the int range throws instead of being truncated. */
        int intDecimal(int field) {
            long v = decimal(field);
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new NumberFormatException("value outside int: \"" + field(field) + "\"");
            }
            return (int) v;
        }

        /** Clock ticks as milliseconds; a tick count whose milliseconds exceed a long throws. */
        static long ticksToMillis(long ticks, long millisPerTick) {
            if (ticks < 0 || ticks > Long.MAX_VALUE / millisPerTick) {
                throw new NumberFormatException("tick count out of range: " + ticks);
            }
            return ticks * millisPerTick;
        }
    }

    /**
     * Which field of a /proc/net/tcp line holds what, found from the header's names. "tx_queue rx_queue"
     * and "tr tm->when" are two names over one "a:b" field. The fields after the last named one have no
     * header and are read by position from {@code named}. -1 means the header lacks that name.
     *
     * @param named how many fields the header names: a line with fewer is not a socket's
     */
    record TcpColumns(int local, int remote, int state, int queues, int timer, int retransmits, int named) {

        /** The layout every kernel since 2.6 prints (net/ipv4/tcp_ipv4.c), for a file without a header. */
        static final TcpColumns KERNEL = new TcpColumns(1, 2, 3, 4, 5, 6, 10);

        /** The header's layout, or null when the line is not a header (it starts with "sl"). */
        static TcpColumns fromHeader(FieldCursor f) {
            if (f.count() == 0 || !f.is(0, "sl")) {
                return null;
            }
            int local = -1, remote = -1, state = -1, queues = -1, timer = -1;
            int retransmits = -1;
            int column = 0;
            for (int i = 0; i < f.count(); i++, column++) {
                switch (f.field(i)) {
                    case "local_address" -> local = column;
                    case "rem_address", "remote_address" -> remote = column; // tcp6 spells it out
                    case "st" -> state = column;
                    case "tx_queue" -> {
                        queues = column;
                        i += next(f, i, "rx_queue");
                    }
                    case "tr" -> {
                        timer = column;
                        i += next(f, i, "tm->when");
                    }
                    case "retrnsmt" -> retransmits = column;
                    default -> { } // "sl", uid, timeout, inode and names this build does not know still take a field
                }
            }
            return new TcpColumns(local, remote, state, queues, timer, retransmits, column);
        }

        private static int next(FieldCursor f, int i, String name) {
            return i + 1 < f.count() && f.is(i + 1, name) ? 1 : 0;
        }

        boolean hasAddressesAndState() {
            return local >= 0 && remote >= 0 && state >= 0;
        }
    }

    /**
     * Decodes the "ADDR:PORT" hex endpoints of /proc/net/tcp{,6}. The kernel prints each network-order
     * 32-bit word of the address as a host-order %08X, so on little-endian machines the bytes appear
     * reversed. One instance per file: it reuses the text of addresses already seen, since thousands of
     * sockets share a few addresses.
     */
    static final class HexEndpoints {
        private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

        private final Family family;
        private final Map<Integer, String> ipv4Text = new HashMap<>();
        private final Map<Ipv6Words, String> ipv6Text = new HashMap<>();

        private record Ipv6Words(long high, long low) {}

        HexEndpoints(Family family) {
            this.family = family;
        }

        Endpoint endpoint(FieldCursor f, int field) {
            int colon = f.find(field, ':');
            int start = f.start(field);
            int portDigits = f.end(field) - colon - 1;
            if (portDigits < 1 || portDigits > 4) {
                throw new NumberFormatException("bad port in \"" + f.field(field) + "\"");
            }
            int port = (int) f.hex(colon + 1, f.end(field));
            int hexDigits = colon - start;
            if (family == Family.INET) {
                if (hexDigits != 8) {
                    throw new NumberFormatException("IPv4 address is not 8 hex digits: \"" + f.field(field) + "\"");
                }
                int word = (int) f.hex(start, colon);
                return new Endpoint(ipv4Text.computeIfAbsent(word, w -> IpText.ipv4(networkOrder(w))), port);
            }
            if (hexDigits != 32) {
                throw new NumberFormatException("IPv6 address is not 32 hex digits: \"" + f.field(field) + "\"");
            }
            long high = f.hex(start, start + 16);
            long low = f.hex(start + 16, colon);
            return new Endpoint(ipv6Text.computeIfAbsent(new Ipv6Words(high, low), HexEndpoints::ipv6), port);
        }

        /** The word's four bytes in network order, as one big-endian int. */
        private static int networkOrder(int printedWord) {
            return LITTLE_ENDIAN ? Integer.reverseBytes(printedWord) : printedWord;
        }

        private static String ipv6(Ipv6Words w) {
            long high = (long) networkOrder((int) (w.high >>> 32)) << 32 | Integer.toUnsignedLong(networkOrder((int) w.high));
            long low = (long) networkOrder((int) (w.low >>> 32)) << 32 | Integer.toUnsignedLong(networkOrder((int) w.low));
            return IpText.ipv6(high, low);
        }
    }
}
