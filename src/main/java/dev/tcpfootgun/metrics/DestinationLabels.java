package dev.tcpfootgun.metrics;

import dev.tcpfootgun.config.DestinationLabelMode;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * --destinations.labels: what per-destination series say about the hosts this node talks to.
 * {@code plain} shows addresses; {@code hash} replaces each by a short SHA-256 digest, so one
 * destination keeps one series (dashboards and alerts work) but its address is not on the page;
 * {@code drop} leaves per-destination series out entirely (risks and totals still cover them).
 *
 * <p>A hash of an IPv4 address is not a secret: anyone with the metrics can hash all 2^32
 * addresses and find it. It keeps addresses out of dashboards, screenshots and casual reading;
 * when they must not leave the node, use {@code drop}. Ports are kept: they name services, not hosts.
 * Pure: no state but the mode.
 */
public final class DestinationLabels {
    /** The summed rest of the top-K series; never hashed, so "other" stays recognisable. */
    public static final String OTHER = "other";
    /** What an address in free text (evidence, the landing page) becomes under drop. */
    public static final String HIDDEN = "[address hidden]";

    private static final Pattern IPV4 = Pattern.compile(
            "(?<![0-9.])(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(?![0-9]|\\.\\d)");
    /** Candidates only: confirmed by InetAddress.ofLiteral, which parses without DNS. */
    private static final Pattern IPV6 = Pattern.compile(
            "(?<![0-9A-Fa-f:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\\d{1,3}\\.){3}\\d{1,3})?(?![0-9A-Fa-f:])");

    private final DestinationLabelMode mode;

    private DestinationLabels(DestinationLabelMode mode) {
        this.mode = mode;
    }

    public static DestinationLabels of(DestinationLabelMode mode) {
        return new DestinationLabels(mode);
    }

    public DestinationLabelMode mode() {
        return mode;
    }

    /** False under drop: the renderer emits no per-destination series. */
    public boolean perDestinationSeries() {
        return mode != DestinationLabelMode.DROP;
    }

    /** The label value for an address (dst_ip, src_ip): as is, "h:" and 12 hex digits of its SHA-256, or hidden. */
    public String address(String ip) {
        if (ip == null || ip.equals(OTHER)) {
            return ip;
        }
        return switch (mode) {
            case PLAIN -> ip;
            case HASH -> "h:" + digest(ip);
            case DROP -> HIDDEN;
        };
    }

    /** Free text (a finding's evidence) with every IPv4 and IPv6 address in it replaced as {@link #address} does. */
    public String text(String s) {
        if (mode == DestinationLabelMode.PLAIN || s == null) {
            return s;
        }
        String v4done = replace(IPV4.matcher(s), false);
        return replace(IPV6.matcher(v4done), true);
    }

    private String replace(Matcher m, boolean confirm) {
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String candidate = m.group();
            String replacement = candidate;
            if (!confirm || isIpv6(candidate)) {
                replacement = address(canonical(candidate));
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static boolean isIpv6(String s) {
        if (s.chars().filter(c -> c == ':').count() < 2) {
            return false;
        }
        try {
            InetAddress.ofLiteral(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The form Endpoint uses, so an address hashes alike in labels and in text. */
    private static String canonical(String ip) {
        if (ip.indexOf(':') < 0) {
            return ip;
        }
        InetAddress a = InetAddress.ofLiteral(ip);
        byte[] b = a.getAddress();
        if (b.length == 4) {
            return a.getHostAddress(); // v4-mapped, which Endpoint prints dotted
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (b[2 * i] & 0xff) << 8 | (b[2 * i + 1] & 0xff);
        }
        return compress(groups);
    }

    /** RFC 5952: lowercase, the longest run (first of equals) of two or more zero groups as "::". */
    private static String compress(int[] g) {
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!s.isEmpty() && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(g[i]));
        }
        return s.toString();
    }

    private static String digest(String ip) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(ip.getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(d, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
