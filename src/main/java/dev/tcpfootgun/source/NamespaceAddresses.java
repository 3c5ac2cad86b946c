package dev.tcpfootgun.source;

import dev.tcpfootgun.snapshot.IpText;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
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
    public String collector() {
        return "addresses";
    }

    @Override
    public List<String> read(ParseLog log) throws IOException {
        Set<String> out = new LinkedHashSet<>();
        boolean any = readLines(fs.net("fib_trie"), new FibTrie(out, log)::line);
        any |= readLines(fs.net("if_inet6"), line -> ifInet6(line, out, log));
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
        String[] f = line.strip().split("\\s+");
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

    /** Feeds each line to {@code sink}; false when the file does not exist. A line past the bound is cut, so memory stays bounded. */
    private static boolean readLines(Path file, java.util.function.Consumer<String> sink) throws IOException {
        try {
            if (!Files.readAttributes(file, BasicFileAttributes.class).isRegularFile()) {
                throw new IOException("not a regular file: " + file);
            }
            try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.US_ASCII))) {
                StringBuilder line = new StringBuilder();
                for (int c; (c = r.read()) >= 0; ) {
                    if (c == '\n') {
                        sink.accept(line.toString());
                        line.setLength(0);
                    } else if (line.length() < MAX_LINE) {
                        line.append((char) c);
                    }
                }
                if (!line.isEmpty()) {
                    sink.accept(line.toString());
                }
                return true;
            }
        } catch (NoSuchFileException e) {
            return false;
        }
    }
}
