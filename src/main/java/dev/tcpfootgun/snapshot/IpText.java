package dev.tcpfootgun.snapshot;

/**
 * Address text as {@link Endpoint} wants it, whichever source read the address: dotted quad for IPv4
 * and for v4-mapped IPv6 (::ffff:a.b.c.d), RFC 5952 for the rest of IPv6.
 */
public final class IpText {

    private IpText() {}

    /** Dotted quad of an IPv4 address held big-endian in an int. */
    public static String ipv4(int address) {
        return new StringBuilder(15)
                .append(address >>> 24).append('.')
                .append((address >>> 16) & 0xff).append('.')
                .append((address >>> 8) & 0xff).append('.')
                .append(address & 0xff)
                .toString();
    }

    /**
     * An IPv6 address given as its two big-endian 64-bit halves: lowercase, no leading zeros, the
     * longest run of two or more zero groups as "::" (the first of equal runs), v4-mapped as IPv4.
     */
    public static String ipv6(long high, long low) {
        if (high == 0 && (low >>> 32) == 0xffffL) {
            return ipv4((int) low);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 4; i++) {
            groups[i] = (int) (high >>> (48 - 16 * i)) & 0xffff;
            groups[i + 4] = (int) (low >>> (48 - 16 * i)) & 0xffff;
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is not shortened (RFC 5952 4.2.2)
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) { // strictly longer: the first of equal runs wins (4.2.3)
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder out = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }
}
