package dev.tcpfootgun.snapshot;

import java.util.Map;
import java.util.OptionalLong;

/**
 * /proc/net/sockstat and sockstat6: protocol ("sockets", "TCP", "TCP6", "UDP", ...) to field
 * ("inuse", "orphan", "tw", "alloc", "mem", ...) to value. "mem" is in pages.
 */
public record Sockstat(Map<String, Map<String, Long>> protocols) {

    public Sockstat {
        protocols = Map.copyOf(protocols);
    }

    public OptionalLong get(String protocol, String field) {
        Map<String, Long> fields = protocols.get(protocol);
        Long v = fields == null ? null : fields.get(field);
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }
}
