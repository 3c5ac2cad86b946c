package dev.tcpfootgun.snapshot;

import java.util.Map;
import java.util.OptionalDouble;

/**
 * Counters from /proc/net/netstat or /proc/net/snmp, keyed "Section.Field" (for example
 * "TcpExt.PAWSPassive"; TcpExt and MPTcpExt both have RcvPruned, so the section is part of the key).
 * Values are doubles: some exceed 2^32, a few (Tcp.MaxConn) are -1.
 */
public record KernelCounters(Map<String, Double> values) {

    public KernelCounters {
        values = Map.copyOf(values);
    }

    public OptionalDouble get(String section, String field) {
        Double v = values.get(section + "." + field);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }
}
