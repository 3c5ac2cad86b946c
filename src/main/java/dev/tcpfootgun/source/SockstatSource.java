package dev.tcpfootgun.source;

import dev.tcpfootgun.snapshot.Sockstat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Socket counts and memory per protocol from /proc/net/sockstat and sockstat6 (absent without IPv6). */
public final class SockstatSource implements Source<Sockstat> {
    private final ProcFs procFs;

    public SockstatSource(ProcFs procFs) {
        this.procFs = procFs;
    }

    /**
     * The most protocols kept: Linux prints 6 in sockstat and 5 in sockstat6 (sockets, TCP, UDP,
     * UDPLITE, RAW, FRAG); lines past the bound are skipped and counted, so a file of any size costs
     * bounded memory.
     */
    static final int MAX_PROTOCOLS = 64;
    /** The most fields kept of all protocols (Linux 6.18 prints 18; TCP has 5: inuse orphan tw alloc mem); past it a line is skipped. */
    static final int MAX_FIELDS = 1024;

    @Override
    public Sockstat read(ParseLog log) throws IOException {
        try {
            Map<String, Map<String, Long>> protocols = new LinkedHashMap<>();
            try (KernelLines sockstat = KernelLines.required(procFs.net("sockstat"))) {
                parseInto(sockstat, "sockstat", log, protocols);
            }
            try (KernelLines sockstat6 = KernelLines.open(procFs.net("sockstat6"))) {
                if (sockstat6 != null) {
                    parseInto(sockstat6, "sockstat6", log, protocols);
                }
            }
            return new Sockstat(protocols);
        } catch (RuntimeException e) {
            throw KernelFiles.failure(e);
        }
    }

    public static Sockstat parse(String text, ParseLog log) {
        Map<String, Map<String, Long>> protocols = new LinkedHashMap<>();
        try {
            parseInto(KernelLines.of(text), "sockstat", log, protocols);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // text in memory has no I/O to fail
        }
        return new Sockstat(protocols);
    }

    /** Lines "PROTO: field value field value ...", the protocol name kept as printed ("TCP6"). */
    static void parseInto(KernelLines lines, String file, ParseLog log, Map<String, Map<String, Long>> protocols)
            throws IOException {
        FieldCursor f = new FieldCursor(lines, log, file);
        int fieldsKept = 0;
        for (Map<String, Long> fields : protocols.values()) {
            fieldsKept += fields.size();
        }
        while (f.nextLine()) {
            String protocol = f.field(0);
            if (!protocol.endsWith(":") || protocol.length() == 1 || f.count() % 2 == 0) {
                log.skip("sockstat: not \"PROTO: name value ...\": " + f.line());
                continue;
            }
            String name = protocol.substring(0, protocol.length() - 1);
            if (protocols.size() >= MAX_PROTOCOLS && !protocols.containsKey(name)) {
                log.skip("sockstat: more than " + MAX_PROTOCOLS + " protocols, left out: " + f.line());
                continue;
            }
            if (fieldsKept + f.count() / 2 > MAX_FIELDS) {
                log.skip("sockstat: more than " + MAX_FIELDS + " fields, left out: " + f.line());
                continue;
            }
            try {
                Map<String, Long> fields = new LinkedHashMap<>();
                for (int i = 1; i < f.count(); i += 2) {
                    fields.put(f.field(i), f.decimal(i + 1));
                }
                Map<String, Long> replaced = protocols.put(name, Map.copyOf(fields));
                fieldsKept += fields.size() - (replaced == null ? 0 : replaced.size());
            } catch (NumberFormatException e) {
                log.skip("sockstat: not a number: " + f.line());
            }
        }
    }
}
