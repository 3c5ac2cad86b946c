package dev.tcpfootgun.footgun;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A kernel's major.minor version, as far as the checks compare releases ("6.18.44-foo" is 6.18). */
public record KernelRelease(int major, int minor) implements Comparable<KernelRelease> {

    private static final Pattern LEADING = Pattern.compile("^(\\d+)\\.(\\d+)");

    /** Parses kernel.osrelease (uname -r); empty when it does not start with major.minor. */
    public static Optional<KernelRelease> parse(String osrelease) {
        if (osrelease == null) {
            return Optional.empty();
        }
        Matcher m = LEADING.matcher(osrelease.strip());
        if (!m.find()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new KernelRelease(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    public boolean atLeast(KernelRelease other) {
        return compareTo(other) >= 0;
    }

    @Override
    public int compareTo(KernelRelease o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
