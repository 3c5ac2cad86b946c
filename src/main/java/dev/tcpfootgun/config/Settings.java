package dev.tcpfootgun.config;

import dev.tcpfootgun.footgun.Status;
import dev.tcpfootgun.snapshot.Slot;
import dev.tcpfootgun.source.Collector;
import dev.tcpfootgun.source.Collectors;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.Map;

/**
 * Validated command-line settings. Flag names follow node_exporter's where one exists.
 *
 * @param command "serve" (the default), "doctor", "version" or "train"
 * @param listenAddresses every --web.listen-address, in order (node_exporter's flag is repeatable); never empty
 * @param exporterMetrics process_* and jvm_* on /metrics (off with --web.disable-exporter-metrics)
 * @param webConfigFile --web.config.file (TLS and basic auth, read by the web layer); null for plain HTTP
 * @param doctorFailOn the lowest status that makes doctor exit non-zero (--doctor.fail-on; default warn)
 * @param conntrackDump the conntrack table dump's flags
 * @param ignoredDevices interfaces left out of the interface series (--collector.interfaces.ignored-devices); the checks see all
 * @param collectors the collectors switched on (--[no-]collector.NAME, --collector.disable-defaults), in registry order
 * @param maxRequests requests served at once, 503 beyond (--web.max-requests, node_exporter's; 0: no limit)
 */
public record Settings(
        String command,
        List<ListenAddress> listenAddresses,
        String telemetryPath,
        Path procfs,
        Path sysfs,
        int destinationsTop,
        SocketSourceMode socketSource,
        String output,
        boolean netns,
        int netnsTop,
        Path podLogs,
        Duration scrapeTimeout,
        boolean help,
        Path webConfigFile,
        DestinationLabelMode destinationLabels,
        int socketDetailLimit,
        Status doctorFailOn,
        Pattern ignoredDevices,
        LogLevel logLevel,
        LogFormat logFormat,
        boolean exporterMetrics,
        ConntrackDumpSettings conntrackDump,
        List<String> collectors,
        int maxRequests) {

    public Settings {
        collectors = List.copyOf(collectors);
    }

    /**
     * Interface names left out of footgun_network_* by default: the host ends of pods' veths as the
     * common CNIs and runtimes name them (docker/bridge/flannel veth, Calico cali, Cilium lxc, GKE gke,
     * Azure azv, AWS VPC CNI eni, libvirt vnet, tap), which come and go with pods.
     */
    public static final String DEFAULT_IGNORED_DEVICES = "^(veth|cali|lxc|gke|azv|eni|vnet|tap)";

    /** {@link #socketDetailLimit} when no flag sets it: sized from the heap (see {@link #detailLimitForHeap}). */
    public static final int DETAIL_LIMIT_AUTO = -1;

    /** node_exporter's --web.max-requests default. */
    public static final int DEFAULT_MAX_REQUESTS = 40;

    /** Default port: from the range after 9100-9999, which the Prometheus port allocation list has used up. */
    public static final int DEFAULT_PORT = 10071;

    public static final String USAGE = """
            usage: tcp-footgun-exporter [serve|doctor|version|train] [flags]

            Commands:
              serve                       run the exporter (default)
              doctor                      read this node once, print findings and fixes, exit 0/1/2/3
              version                     print the version and exit
              train                       serve on 127.0.0.1 (any free port), scrape itself, run doctor, exit:
                                          the training run of the container image's JVM cache (README)

            Flags:
              --web.listen-address=ADDR   address to listen on, host:port, :port or [v6addr]:port; repeat the flag
                                          to listen on several (default :%d)
              --web.disable-exporter-metrics
                                          leave the exporter's own process_* and jvm_* metrics out of /metrics
              --web.max-requests=N        requests served at once; more get 503 (default %d, 0: no limit)
              --web.telemetry-path=PATH   path under which to expose metrics (default /metrics)
              --path.procfs=PATH          procfs mount point (default /proc)
              --path.sysfs=PATH           sysfs mount point (default /sys)
              --destinations.top=K        destinations kept as their own series; the rest sum into "other" (default 20)
              --scrape.timeout=DURATION   the whole read's budget: a source or namespace not done by then is reported
                                          failed for that scrape; a shorter X-Prometheus-Scrape-Timeout-Seconds
                                          (minus a quarter, at most 0.5s) wins (default 9s); durations as
                                          Prometheus writes them: 500ms, 10s, 1m30s
              --destinations.labels=plain|hash|drop
                                          addresses in per-destination labels: as is, as a short hash, or no such series (default plain)
              --web.config.file=FILE      TLS and basic auth, in the Prometheus exporter-toolkit web config format
              --collector.sockets.source=auto|netlink|procfs
                                          where sockets are read from (default auto: netlink, else /proc)
              --collector.sockets.detail-limit=N
                                          connections per read kept with tcp_info for the checks; the rest are
                                          only counted (default: 1 per KiB of heap over 16 MiB, at least 1000)
              --collector.netns           also read every other network namespace of the node (pods); needs the
                                          host's /proc (--path.procfs) and PID namespace (--no-collector.netns: off, the default)
              --collector.conntrack.dump-limit=N
                                          entries after which the conntrack_entries dump stops and is marked
                                          partial (default %d); it needs CAP_NET_ADMIN in the host namespace
              --collector.conntrack.nat-port-range=LOW-HIGH
                                          the ports source NAT may use, when the node's NAT rules cannot be read
                                          (iptables-legacy) or to override them (default: read from nf_tables)
              --netns.top=K               namespaces kept as their own series, by risk and sockets (default 10)
              --path.pod-logs=PATH        the kubelet's pod log folder, for pod names (default /var/log/pods)
              --output=text|json          doctor's output format (default text)
              --doctor.fail-on=advice|warn|critical
                                          lowest finding status that makes doctor exit non-zero (default warn;
                                          advice exits 1 like a warning, critical lets warnings pass)
              --collector.interfaces.ignored-devices=REGEX
                                          interfaces left out of footgun_network_* (a name matching anywhere;
                                          default %s, pods' veths); the checks still judge every interface
              --log.level=LEVEL           debug, info, warn or error: the least severe lines written (default info)
              --log.format=FORMAT         logfmt or json, one line per message on stderr (default logfmt)
              --version                   print the version and exit (as the version command)
              --[no-]collector.NAME       switch a collector on or off (node_exporter's flags); NAME is one of:
            %s  --collector.disable-defaults
                                          switch off every collector not named by --collector.NAME
              -h, --help                  show this help
            """.formatted(DEFAULT_PORT, DEFAULT_MAX_REQUESTS, ConntrackDumpSettings.DEFAULT_ENTRY_LIMIT, DEFAULT_IGNORED_DEVICES, collectorLines());

    private static String collectorLines() {
        StringBuilder b = new StringBuilder();
        for (Collector<?> c : Collectors.ALL) {
            b.append(String.format(Locale.ROOT, "    %-12s %s (default %s)%n", c.name(), c.help(), c.enabledByDefault() ? "on" : "off"));
        }
        return b.toString();
    }

    public static Settings defaults() {
        return new Settings("serve", List.of(new ListenAddress(null, DEFAULT_PORT)), "/metrics", Path.of("/proc"),
                Path.of("/sys"), 20, SocketSourceMode.AUTO, "text", false, 10, Path.of("/var/log/pods"), Duration.ofSeconds(9), false,
                null, DestinationLabelMode.PLAIN, DETAIL_LIMIT_AUTO, Status.WARN,
                Pattern.compile(DEFAULT_IGNORED_DEVICES), LogLevel.INFO, LogFormat.LOGFMT, true,
                ConntrackDumpSettings.defaults(), names(Collectors.enabled(Map.of(), false)), DEFAULT_MAX_REQUESTS);
    }

    /**
     * How many connections one read keeps with their details (tcp_info, socket memory) when no flag
     * says: one per KiB of heap beyond 16 MiB, at least 1000. Such a socket takes 164 bytes of columns
     * (DetailedSockets), and the checks' own per-socket work comes on top, so the read fits the heap the container's memory limit gives the JVM, and a
     * bigger limit keeps more; the connections past it are counted, not judged one by one.
     */
    public static int detailLimitForHeap(long maxHeapBytes) {
        long perKiB = (maxHeapBytes - (16L << 20)) >> 10;
        return (int) Math.max(1000, Math.min(Integer.MAX_VALUE, perKiB));
    }

    /**
     * These settings for another command run inside this process (train runs serve and doctor): the
     * same sources, paths and limits, without help or the web config.
     */
    public Settings forCommand(String command, List<ListenAddress> listen, String output) {
        return new Settings(command, listen, telemetryPath, procfs, sysfs, destinationsTop, socketSource, output, netns,
                netnsTop, podLogs, scrapeTimeout, false, null, destinationLabels, socketDetailLimit, doctorFailOn, ignoredDevices, logLevel,
                logFormat, exporterMetrics, conntrackDump, collectors, maxRequests);
    }

    /** The detail limit in force: the flag's, or the one the heap allows. */
    public int effectiveSocketDetailLimit() {
        return socketDetailLimit >= 0 ? socketDetailLimit : detailLimitForHeap(Runtime.getRuntime().maxMemory());
    }

    /** Parses arguments; any unknown flag or bad value is one clear line in the exception. */
    public static Settings parse(List<String> args) throws BadFlagException {
        Settings s = defaults();
        String command = null;
        List<ListenAddress> listen = new ArrayList<>();
        String path = s.telemetryPath;
        Path procfs = s.procfs;
        Path sysfs = s.sysfs;
        int top = s.destinationsTop;
        SocketSourceMode mode = s.socketSource;
        String output = s.output;
        boolean netns = s.netns;
        int netnsTop = s.netnsTop;
        Path podLogs = s.podLogs;
        Duration scrapeTimeout = s.scrapeTimeout;
        boolean help = false;
        Path web = null;
        DestinationLabelMode labels = s.destinationLabels;
        int detailLimit = s.socketDetailLimit;
        Status failOn = s.doctorFailOn;
        Pattern ignored = s.ignoredDevices;
        LogLevel logLevel = s.logLevel;
        LogFormat logFormat = s.logFormat;
        boolean exporterMetrics = s.exporterMetrics;
        ConntrackDumpSettings dump = s.conntrackDump;
        Map<String, Boolean> collectorSwitches = new LinkedHashMap<>();
        boolean disableDefaults = false;
        int maxRequests = s.maxRequests;
        List<String> rest = new ArrayList<>(args);
        for (Iterator<String> it = rest.iterator(); it.hasNext(); ) {
            String arg = it.next();
            if (!arg.startsWith("-")) {
                if (command != null) {
                    throw new BadFlagException("unexpected argument \"" + arg + "\"");
                }
                if (!List.of("serve", "doctor", "version", "train").contains(arg)) {
                    throw new BadFlagException("unknown command \"" + arg + "\" (expected serve, doctor, version or train)");
                }
                command = arg;
                continue;
            }
            if (arg.equals("-h") || arg.equals("--help")) {
                help = true;
                continue;
            }
            if (arg.equals("--version")) {
                command = "version";
                continue;
            }
            if (arg.equals("--web.disable-exporter-metrics")) {
                exporterMetrics = false;
                continue;
            }
            if (arg.equals("--collector.netns") || arg.equals("--no-collector.netns")) {
                netns = arg.equals("--collector.netns");
                continue;
            }
            if (arg.equals("--collector.disable-defaults")) {
                disableDefaults = true;
                continue;
            }
            String switched = arg.startsWith("--collector.") ? arg.substring("--collector.".length())
                    : arg.startsWith("--no-collector.") ? arg.substring("--no-collector.".length()) : null;
            if (switched != null && Collectors.named(switched).isPresent()) {
                collectorSwitches.put(switched, arg.startsWith("--collector."));
                continue;
            }
            String name;
            String value;
            int eq = arg.indexOf('=');
            if (eq >= 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
                String bare = name.replaceFirst("^--(no-)?collector\\.", "");
                if (!bare.equals(name) && (Collectors.named(bare).isPresent() || bare.equals("disable-defaults"))) {
                    throw new BadFlagException(name + " takes no value (--collector." + bare + " or --no-collector." + bare + ")");
                }
            } else {
                name = arg;
                if (!it.hasNext()) {
                    throw new BadFlagException(isKnown(name) ? name + ": missing value" : "unknown flag " + name);
                }
                value = it.next();
            }
            switch (name) {
                case "--web.listen-address" -> listen.add(ListenAddress.parse(value));
                case "--web.telemetry-path" -> {
                    if (!value.startsWith("/") || value.length() < 2 || value.contains(" ")) {
                        throw new BadFlagException("--web.telemetry-path: must start with / and name a path, got \"" + value + "\"");
                    }
                    path = value;
                }
                case "--path.procfs" -> procfs = nonEmptyPath(name, value);
                case "--path.sysfs" -> sysfs = nonEmptyPath(name, value);
                case "--destinations.top" -> top = positiveInt(name, value, 1, 10_000);
                case "--collector.sockets.source" -> {
                    try {
                        mode = SocketSourceMode.valueOf(value.toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        throw new BadFlagException(name + ": expected auto, netlink or procfs, got \"" + value + "\"");
                    }
                }
                case "--scrape.timeout" -> scrapeTimeout = duration(name, value);
                case "--collector.sockets.detail-limit" -> detailLimit = positiveInt(name, value, 0, Integer.MAX_VALUE);
                case "--collector.conntrack.dump-limit" -> dump = dump.withEntryLimit(positiveInt(name, value, 1, Integer.MAX_VALUE));
                case "--collector.conntrack.nat-port-range" -> dump = dump.withNatPortRange(name, value);
                case "--web.max-requests" -> maxRequests = positiveInt(name, value, 0, 100_000);
                case "--netns.top" -> netnsTop = positiveInt(name, value, 1, 10_000);
                case "--path.pod-logs" -> podLogs = nonEmptyPath(name, value);
                case "--collector.netns" -> throw new BadFlagException("--collector.netns takes no value (use --no-collector.netns to turn it off)");
                case "--destinations.labels" -> {
                    try {
                        labels = DestinationLabelMode.valueOf(value.toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        throw new BadFlagException(name + ": expected plain, hash or drop, got \"" + value + "\"");
                    }
                }
                case "--log.level" -> logLevel = LogLevel.parse(value);
                case "--log.format" -> logFormat = LogFormat.parse(value);
                case "--version", "--web.disable-exporter-metrics" -> throw new BadFlagException(name + " takes no value");
                case "--web.config.file" -> web = nonEmptyPath(name, value);
                case "--output" -> {
                    if (!value.equals("text") && !value.equals("json")) {
                        throw new BadFlagException("--output: expected text or json, got \"" + value + "\"");
                    }
                    output = value;
                }
                case "--doctor.fail-on" -> failOn = switch (value) {
                    case "advice" -> Status.ADVICE;
                    case "warn" -> Status.WARN;
                    case "critical" -> Status.CRITICAL;
                    default -> throw new BadFlagException("--doctor.fail-on: expected advice, warn or critical, got \"" + value + "\"");
                };
                case "--collector.interfaces.ignored-devices" -> {
                    try {
                        ignored = Pattern.compile(value);
                    } catch (PatternSyntaxException e) {
                        throw new BadFlagException(name + ": not a regular expression: " + e.getDescription() + " in \"" + value + "\"");
                    }
                }
                default -> throw new BadFlagException("unknown flag " + name);
            }
        }
        List<String> enabled = names(Collectors.enabled(collectorSwitches, disableDefaults));
        return new Settings(command == null ? "serve" : command, listen.isEmpty() ? s.listenAddresses : List.copyOf(listen),
                path, procfs, sysfs, top, mode, output, netns, netnsTop, podLogs, scrapeTimeout, help, web, labels, detailLimit,
                failOn, ignored, logLevel, logFormat, exporterMetrics,
                dump.withEnabled(enabled.contains(Slot.CONNTRACK_ENTRIES.name())), enabled, maxRequests);
    }

    private static List<String> names(List<Collector<?>> collectors) {
        return collectors.stream().map(Collector::name).toList();
    }

    private static boolean isKnown(String name) {
        return USAGE.contains(name + "=");
    }

    /** A duration as Prometheus writes it (1h30m, 10s, 500ms), within 10ms-10m. */
    static Duration duration(String name, String value) throws BadFlagException {
        Duration d;
        try {
            d = PrometheusDuration.parse(value);
        } catch (IllegalArgumentException e) {
            throw new BadFlagException(name + ": \"" + value + "\" is not a duration like 500ms, 10s or 1m30s: " + e.getMessage());
        }
        if (d.toMillis() < 10 || d.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new BadFlagException(name + ": " + value + " is out of range 10ms-10m");
        }
        return d;
    }

    private static Path nonEmptyPath(String name, String value) throws BadFlagException {
        if (value.isBlank()) {
            throw new BadFlagException(name + ": empty path");
        }
        return Path.of(value);
    }

    private static int positiveInt(String name, String value, int min, int max) throws BadFlagException {
        try {
            int v = Integer.parseInt(value);
            if (v < min || v > max) {
                throw new BadFlagException(name + ": " + v + " is out of range " + min + "-" + max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new BadFlagException(name + ": \"" + value + "\" is not a whole number");
        }
    }
}
