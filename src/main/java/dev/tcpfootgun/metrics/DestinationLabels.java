package dev.tcpfootgun.metrics;

import dev.tcpfootgun.config.DestinationLabelMode;
import dev.tcpfootgun.footgun.Finding;
import dev.tcpfootgun.footgun.Prose;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

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
    /** What an address in a finding's text (evidence, fix) becomes under drop. */
    public static final String HIDDEN = "[address hidden]";

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

    /**
     * A finding's sentence as users see it: its address parts as {@link #address} shows them, its
     * words as written. The one place --destinations.labels reaches a finding's text.
     */
    public String text(Prose p) {
        return p.render(this::address);
    }

    /** The finding's evidence, one sentence each, as {@link #text} shows them. */
    public List<String> evidence(Finding f) {
        return f.evidenceProse().stream().map(this::text).toList();
    }

    /** The finding's fix as {@link #text} shows it. */
    public String fix(Finding f) {
        return text(f.fixProse());
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
