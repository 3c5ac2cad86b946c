package dev.tcpfootgun.config;

/**
 * --web.listen-address in node_exporter's syntax: "host:port", ":port" (all interfaces) or
 * "[v6addr]:port".
 *
 * @param host null for all interfaces
 */
public record ListenAddress(String host, int port) {

    public static ListenAddress parse(String text) throws BadFlagException {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new BadFlagException("--web.listen-address: expected host:port or :port, got \"" + text + "\"");
        }
        String host = text.substring(0, colon);
        String portText = text.substring(colon + 1);
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new BadFlagException("--web.listen-address: port \"" + portText + "\" is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new BadFlagException("--web.listen-address: port " + port + " is out of range 0-65535");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new BadFlagException("--web.listen-address: put an IPv6 address in brackets, as [::1]:" + port);
        }
        return new ListenAddress(host.isEmpty() ? null : host, port);
    }

    @Override
    public String toString() {
        String h = host == null ? "" : host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return h + ":" + port;
    }
}
