package dev.tcpfootgun.testing;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * /findings.json as served, one finding per line (the layout FindingsJson writes), read without a
 * JSON library: enough to assert a footgun's status, risk and the words of its evidence and fix.
 */
public record ScrapedFindings(String json) {

    private static final Pattern STATUS = Pattern.compile("\"status\": \"(\\w+)\"");
    private static final Pattern RISK = Pattern.compile("\"risk\": ([0-9.]+|null)");

    /** GET /findings.json from inside {@code ns}, where the exporter listens on 127.0.0.1:{@code port}. */
    public static ScrapedFindings get(NetNs ns, int port) throws Exception {
        return ns.call(() -> {
            var r = ExporterProcess.get("http://127.0.0.1:" + port + "/findings.json", null);
            if (r.status() != 200) {
                throw new IllegalStateException("/findings.json answered " + r.status() + ": " + r.body());
            }
            return new ScrapedFindings(r.body());
        });
    }

    /** The JSON object of one footgun, on its own line. */
    public String line(String footgun) {
        for (String l : json.split("\n")) {
            if (l.contains("{\"footgun\": \"" + footgun + "\"")) {
                return l;
            }
        }
        throw new IllegalStateException("no finding for " + footgun + " in " + json);
    }

    public String status(String footgun) {
        Matcher m = STATUS.matcher(line(footgun));
        if (!m.find()) {
            throw new IllegalStateException("no status in " + line(footgun));
        }
        return m.group(1);
    }

    /** NaN when the finding is unknown. */
    public double risk(String footgun) {
        Matcher m = RISK.matcher(line(footgun));
        if (!m.find()) {
            throw new IllegalStateException("no risk in " + line(footgun));
        }
        return m.group(1).equals("null") ? Double.NaN : Double.parseDouble(m.group(1));
    }
}
