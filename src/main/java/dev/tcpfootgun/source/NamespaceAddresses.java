package dev.tcpfootgun.source;

import dev.tcpfootgun.snapshot.IpText;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The addresses a network namespace owns (a pod's IPs), from files any user can read through one of
 * its processes: IPv4 from net/fib_trie ("/32 host LOCAL" leaves), IPv6 from net/if_inet6 (global
 * scope). Loopback is left out: every namespace has it. Read a line at a time and capped, so a huge
 * routing table costs bounded memory.
 */
public final class NamespaceAddresses implements Source<List<String>> {

    /** split("\\s+")'s pattern, compiled once rather than for each line of each pod's if_inet6. */
    private static final java.util.regex.Pattern BLANKS = java.util.regex.Pattern.compile("\\s+");

    /** More than any pod has; a namespace past it (a router) keeps the first ones. */
    public static final int MAX_ADDRESSES = 16;
    /** A fib_trie or if_inet6 line is under 100 bytes; a longer one is not the kernel's. */
    private static final int MAX_LINE = 512;
    private static final int IF_INET6_SCOPE_GLOBAL = 0x00;

    private final ProcFs fs;

    public NamespaceAddresses(ProcFs fs) {
        this.fs = fs;
    }

    @Override
    public List<String> read(ParseLog log) throws IOException {
        Set<String> out = new LinkedHashSet<>();
        boolean any = readLines(fs.net("fib_trie"), new FibTrie(out, log)::line, log);
        any |= readLines(fs.net("if_inet6"), line -> ifInet6(line, out, log), log);
        if (!any) {
            throw new IOException("required file missing: " + fs.net("fib_trie") + " and " + fs.net("if_inet6"));
        }
        return List.copyOf(out);
    }

    /** Parses fib_trie: an address line "|-- 10.244.1.7" followed by its leaf lines "/32 host LOCAL". */
    private static final class FibTrie {
        private final Set<String> out;
        private final ParseLog log;
        private String address;

        FibTrie(Set<String> out, ParseLog log) {
            this.out = out;
            this.log = log;
        }

        void line(String raw) {
            String line = raw.strip();
            if (line.startsWith("|-- ")) {
                address = line.substring(4).strip();
            } else if (line.startsWith("/") && address != null) {
                if (line.equals("/32 host LOCAL") && !address.startsWith("127.")) {
                    if (!isIpv4(address)) {
                        log.skip("fib_trie: not an IPv4 address: " + address);
                    } else if (out.size() < MAX_ADDRESSES) {
                        out.add(address);
                    }
                }
            } else {
                address = null;
            }
        }
    }

    /** if_inet6: "fd000010024400000000000000000007 02 40 00 82  eth0" (address, ifindex, prefix, scope, flags, name). */
    static void ifInet6(String line, Set<String> out, ParseLog log) {
        String[] f = BLANKS.split(line.strip());
        if (f.length < 6 || f[0].length() != 32) {
            if (!line.isBlank()) {
                log.skip("if_inet6: unexpected line: " + line);
            }
            return;
        }
        try {
            int scope = Integer.parseInt(f[3], 16);
            long high = Long.parseUnsignedLong(f[0].substring(0, 16), 16);
            long low = Long.parseUnsignedLong(f[0].substring(16), 16);
            if (scope == IF_INET6_SCOPE_GLOBAL && !(high == 0 && low == 1) && out.size() < MAX_ADDRESSES) {
                out.add(IpText.ipv6(high, low));
            }
        } catch (NumberFormatException e) {
            log.skip("if_inet6: unexpected line: " + line);
        }
    }

    private static boolean isIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    /** Feeds each line to {@code sink}; false when the file does not exist. A line over the bound is skipped and counted. */
    private static boolean readLines(Path file, java.util.function.Consumer<String> sink, ParseLog log) throws IOException {
        try (KernelLines lines = KernelLines.open(file, MAX_LINE)) {
            if (lines == null) {
                return false;
            }
            while (lines.next()) {
                if (lines.overlong()) {
                    log.skip(file.getFileName() + ": line " + lines.number() + " is longer than " + MAX_LINE + " characters");
                } else {
                    sink.accept(lines.line());
                }
            }
            return true;
        }
    }
}
