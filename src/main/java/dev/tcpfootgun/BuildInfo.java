package dev.tcpfootgun;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Properties;

/**
 * What was built: version, git revision and branch, who built it and when (build-info.properties,
 * filled in by Maven), and where it runs. A value the build did not know is "unknown".
 */
public record BuildInfo(String version, String revision, String branch, String buildUser, String buildDate) {

    public static final String UNKNOWN = "unknown";

    private static final BuildInfo CURRENT = load();

    public static BuildInfo current() {
        return CURRENT;
    }

    static BuildInfo load() {
        return of(resources("build-info.properties", "git-revision.properties"));
    }

    /** The build's facts from these properties; a key missing or left a placeholder is "unknown". */
    static BuildInfo of(Properties p) {
        return new BuildInfo(known(p, "version"), known(p, "revision"), known(p, "branch"),
                known(p, "build.user"), known(p, "build.date"));
    }

    private static Properties resources(String... names) {
        Properties p = new Properties();
        for (String resource : names) {
            try (InputStream in = BuildInfo.class.getResourceAsStream(resource)) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return p;
    }

    /** A filtered value, or "unknown" where Maven left the placeholder or the build wrote nothing. */
    private static String known(Properties p, String key) {
        String v = p.getProperty(key, "").trim();
        return v.isEmpty() || v.contains("${") ? UNKNOWN : v;
    }

    /** The running JVM's version, as java -version names it (25.0.1+8-LTS). */
    public static String javaVersion() {
        return JAVA_VERSION;
    }

    /** Made once: Runtime.Version.toString builds the string anew, and every scrape's build info asks. */
    private static final String JAVA_VERSION = Runtime.version().toString();

    /** os/arch in Go's spelling, as node_exporter prints it: linux/amd64, linux/arm64. */
    public static String platform() {
        String arch = System.getProperty("os.arch", UNKNOWN);
        arch = switch (arch) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            default -> arch;
        };
        return System.getProperty("os.name", UNKNOWN).toLowerCase(Locale.ROOT) + "/" + arch;
    }

    /** node_exporter's --version text (prometheus/common version.Print), with the Java version for Go's. */
    public String print(String program) {
        return program + ", version " + version + " (branch: " + branch + ", revision: " + revision + ")\n"
                + "  build user:       " + buildUser + "\n"
                + "  build date:       " + buildDate + "\n"
                + "  java version:     " + javaVersion() + "\n"
                + "  platform:         " + platform() + "\n";
    }

    /** The one-line form node_exporter logs at start: (version=..., branch=..., revision=...). */
    public String summary() {
        return "(version=" + version + ", branch=" + branch + ", revision=" + revision + ")";
    }
}
