package dev.tcpfootgun.source;

import dev.tcpfootgun.snapshot.Sockstat;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Socket counts and memory per protocol from /proc/net/sockstat and sockstat6 (absent without IPv6). */
public final class SockstatSource implements Source<Sockstat> {
    private final ProcFs procFs;

    public SockstatSource(ProcFs procFs) {
        this.procFs = procFs;
    }

    @Override
    public String collector() {
        return "sockstat";
    }

    @Override
    public Sockstat read(ParseLog log) throws IOException {
        try {
            Map<String, Map<String, Long>> protocols = new LinkedHashMap<>();
            parseInto(KernelFiles.required(procFs.net("sockstat")), log, protocols);
            String sockstat6 = KernelFiles.optional(procFs.net("sockstat6"));
            if (sockstat6 != null) {
                parseInto(sockstat6, log, protocols);
            }
            return new Sockstat(protocols);
        } catch (RuntimeException e) {
            throw KernelFiles.failure(collector(), e);
        }
    }

    public static Sockstat parse(String text, ParseLog log) {
        Map<String, Map<String, Long>> protocols = new LinkedHashMap<>();
        parseInto(text, log, protocols);
        return new Sockstat(protocols);
    }

    /** Lines "PROTO: field value field value ...", the protocol name kept as printed ("TCP6"). */
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
}
