package dev.tcpfootgun.source.netlink;

import java.util.HashMap;
import java.util.Map;

/** Test oracle: /proc/net/stat/nf_conntrack (hex per CPU, header names the columns) summed. */
final class ProcConntrackStat {
    private ProcConntrackStat() {}

    static Map<String, Long> sums(String text) {
        String[] lines = text.strip().split("\n");
        String[] columns = lines[0].trim().split("\\s+");
        Map<String, Long> sums = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String[] values = lines[i].trim().split("\\s+");
            for (int c = 0; c < columns.length; c++) {
                sums.merge(columns[c], Long.parseLong(values[c], 16), Long::sum);
            }
        }
        return sums;
    }
}
