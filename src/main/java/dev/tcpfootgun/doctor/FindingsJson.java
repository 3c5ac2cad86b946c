package dev.tcpfootgun.doctor;

import dev.tcpfootgun.JsonString;
import dev.tcpfootgun.footgun.Finding;
import dev.tcpfootgun.metrics.DestinationLabels;
import dev.tcpfootgun.scrape.Assessment;
import dev.tcpfootgun.snapshot.Reading;
import java.util.List;
import java.util.Locale;

/** The findings as JSON, for `doctor --output json` and /findings.json alike. */
public final class FindingsJson {

    private FindingsJson() {}

    /** @param labels shows the addresses in the findings' text as --destinations.labels asks */
    public static String render(Assessment a, int exitCode, DestinationLabels labels) {
        StringBuilder b = new StringBuilder(4096);
        b.append("{\n  \"exit_code\": ").append(exitCode).append(",\n  \"sources\": [");
        boolean first = true;
        for (Reading<?> r : a.snapshot().readings()) {
            b.append(first ? "\n" : ",\n").append("    {\"collector\": ").append(str(r.collector()))
                    .append(", \"success\": ").append(r.success());
            if (!r.success()) {
                b.append(", \"error\": ").append(str(r.reason()));
            }
            b.append('}');
            first = false;
        }
        b.append("\n  ],\n  \"findings\": [");
        first = true;
        for (Finding f : a.findings()) {
            b.append(first ? "\n" : ",\n").append("    {\"footgun\": ").append(str(f.footgun().id()))
                    .append(", \"title\": ").append(str(f.footgun().title()))
                    .append(", \"seed_section\": ").append(str(f.footgun().seedSection()))
                    .append(", \"status\": ").append(str(f.status().label()))
                    .append(", \"risk\": ").append(Double.isNaN(f.risk()) ? "null" : String.format(Locale.ROOT, "%.4f", f.risk()))
                    .append(", \"evidence\": [");
            List<String> evidence = labels.evidence(f);
            for (int i = 0; i < evidence.size(); i++) {
                b.append(i == 0 ? "" : ", ").append(str(evidence.get(i)));
            }
            b.append("], \"missing\": ").append(f.missing() == null ? "null" : str(f.missing()))
                    .append(", \"fix\": ").append(str(labels.fix(f))).append('}');
            first = false;
        }
        return b.append("\n  ]\n}\n").toString();
    }

    static String str(String s) {
        return JsonString.of(s);
    }
}
