package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.MetricsText;
import dev.tcpfootgun.testing.NetNs;

/** Reads the exporter from inside its namespace: /metrics parsed, or one finding of /findings.json. */
final class Scrapes {

    static final int PORT = 9999;

    private Scrapes() {}

    static String[] flags() {
        return new String[] {"--web.listen-address=127.0.0.1:" + PORT};
    }

    static MetricsText metrics(NetNs ns) throws Exception {
        return MetricsText.parse(PortExhaustionIT.scrape(ns, PORT));
    }

    /** The JSON object of one footgun's finding: /findings.json writes each on its own line. */
    static String finding(NetNs ns, String footgun) throws Exception {
        String body = ns.call(() -> {
            var r = ExporterProcess.get("http://127.0.0.1:" + PORT + "/findings.json", null);
            assertThat(r.status()).isEqualTo(200);
            return r.body();
        });
        String key = "{\"footgun\": \"" + footgun + "\"";
        int at = body.indexOf(key);
        assertThat(at).as(body).isGreaterThanOrEqualTo(0);
        int end = body.indexOf('\n', at);
        return body.substring(at, end < 0 ? body.length() : end);
    }

    static double risk(MetricsText m, String footgun) {
        return m.get("footgun_risk_ratio", "footgun", footgun).orElseThrow();
    }
}
