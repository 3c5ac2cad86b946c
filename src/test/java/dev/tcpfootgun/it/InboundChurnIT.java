package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.NetNs;
import dev.tcpfootgun.testing.TestServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Series that do not churn, for real: a web server in one namespace (198.18.50.1:8080, behind a
 * veth) answers short connections from a client namespace for two minutes, closing each first, so
 * its TIME_WAIT sockets and open connections carry ever new client ports; the exporter in the
 * server's namespace is scraped every 5 s meanwhile. The union of the series over all scrapes stays
 * within a small constant of the largest single scrape, no label value is one of the clients'
 * ephemeral ports, the server's clients are counted under its listener, and one scrape stays within
 * the README's budget for a busy web server (and, before the load, an idle node's).
 */
class InboundChurnIT {

    static final String SERVER = "198.18.50.1";
    static final String CLIENT = "198.18.50.2";
    static final int PORT = 8080;
    static final int EXPORTER_PORT = 10071;
    static final Duration LOAD = Duration.ofMinutes(2);
    static final long SCRAPE_EVERY_MILLIS = 5_000;
    /** Series that may come and go with the moment of a scrape (histogram buckets of a busy moment, a state seen once). */
    static final int CHURN_ALLOWED = 20;
    /** README, Metrics: series per node. */
    static final int IDLE_BUDGET = 450;
    static final int WEB_SERVER_BUDGET = 500;

    static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{.*})?) \\S+$");
    static final Pattern LABEL_VALUE = Pattern.compile("=\"([^\"]*)\"");

    @Test
    void aServersClientPortsNeverBecomeSeries() throws Exception {
        String why = NetNs.unavailableReason();
        assumeTrue(why == null, why);
        String veth = "vethc" + ProcessHandle.current().pid() % 100000;
        try (NetNs server = NetNs.create("fg-churn"); NetNs client = NetNs.create("fg-churnc")) {
            server.exec("ip", "link", "add", veth, "type", "veth", "peer", "name", "fgcc0", "netns", client.name());
            server.exec("ip", "addr", "add", SERVER + "/24", "dev", veth);
            client.exec("ip", "addr", "add", CLIENT + "/24", "dev", "fgcc0");
            server.exec("ip", "link", "set", veth, "up");
            client.exec("ip", "link", "set", "fgcc0", "up");
            TestServer web = TestServer.start(server.call(() -> new ServerSocket(PORT, 512, InetAddress.getByName(SERVER))),
                    (c, received) -> {
                        received.addAndGet(c.getInputStream().read(new byte[64]));
                        c.getOutputStream().write("HTTP/1.0 200 OK\r\n\r\nok".getBytes());
                    }); // the server closes first: its side keeps the TIME_WAIT, keyed by the client's port
            Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
            AtomicBoolean stop = new AtomicBoolean();
            try (ExporterProcess exporter = ExporterProcess.start(server, "--web.listen-address=127.0.0.1:" + EXPORTER_PORT)) {
                Set<String> idle = series(scrape(server));
                System.out.println("[InboundChurnIT] idle namespace: " + idle.size() + " series");
                assertThat(idle.size()).isLessThanOrEqualTo(IDLE_BUDGET);

                Thread load = Thread.ofPlatform().start(() -> {
                    try {
                        while (!stop.get()) {
                            // in bursts of 25 (about a second): one namespace call must stay short
                            client.call(() -> {
                                for (int i = 0; i < 25 && !stop.get(); i++) {
                                    try (Socket s = new Socket(SERVER, PORT)) {
                                        clientPorts.add(s.getLocalPort());
                                        s.getOutputStream().write('G');
                                        InputStream in = s.getInputStream();
                                        while (in.read() >= 0) {
                                            // until the server closes
                                        }
                                    }
                                    Thread.sleep(40);
                                }
                                return null;
                            });
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                Set<String> union = new TreeSet<>();
                int largest = 0;
                int scrapes = 0;
                long end = System.nanoTime() + LOAD.toNanos();
                while (System.nanoTime() < end) {
                    Thread.sleep(SCRAPE_EVERY_MILLIS);
                    Set<String> one = series(scrape(server));
                    union.addAll(one);
                    largest = Math.max(largest, one.size());
                    scrapes++;
                }
                stop.set(true);
                load.join(Duration.ofSeconds(30));
                System.out.println("[InboundChurnIT] " + scrapes + " scrapes, " + clientPorts.size() + " client ports, largest scrape "
                        + largest + " series, union " + union.size());

                assertThat(clientPorts.size()).as("client connections made").isGreaterThan(500);
                assertThat(union.size() - largest).as("series that came and went over " + scrapes + " scrapes")
                        .isLessThanOrEqualTo(CHURN_ALLOWED);
                assertThat(largest).as("one scrape of a busy web server").isLessThanOrEqualTo(WEB_SERVER_BUDGET);
                Set<String> values = new HashSet<>();
                for (String s : union) {
                    Matcher m = LABEL_VALUE.matcher(s);
                    while (m.find()) {
                        values.add(m.group(1));
                    }
                }
                List<String> ports = clientPorts.stream().map(String::valueOf).filter(values::contains).toList();
                assertThat(ports).as("label values that are a client's ephemeral port").isEmpty();
                assertThat(union).anyMatch(s -> s.startsWith("footgun_tcp_time_wait_sockets{")
                        && s.contains("direction=\"inbound\"") && s.contains("dst_ip=\"" + SERVER + "\"") && s.contains("dst_port=\"" + PORT + "\""));
                assertThat(union).noneMatch(s -> s.contains("device=\"" + veth + "\""));
            } finally {
                stop.set(true);
                server.call(() -> {
                    web.close();
                    return null;
                });
            }
        }
    }

    static String scrape(NetNs ns) throws Exception {
        return ns.call(() -> ExporterProcess.get("http://127.0.0.1:" + EXPORTER_PORT + "/metrics", null).body());
    }

    /** Each sample's name and labels: what Prometheus keeps a series for. */
    static Set<String> series(String exposition) {
        Set<String> out = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (!line.startsWith("#") && m.matches()) {
                out.add(m.group(1));
            }
        }
        return out;
    }
}
