package dev.tcpfootgun;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package layering of the README's Architecture section (read → judge → render), held by the
 * compiled classes' constant pools: every class, descriptor and signature a class refers to is
 * there, whether imported or written out in full, and comments are not. A package may use only the
 * packages listed for it; the root package's composition root (Main, Exporter, Training) is above
 * every package, its leaf helpers (BuildInfo, JsonString: they use no other package) below them.
 */
class LayeringTest {

    private static final String ROOT = "(root)";
    private static final String PROMETHEUS = "io.prometheus";

    /** What each package may use besides itself, the root package's leaf helpers and the JDK. */
    static final Map<String, Set<String>> MAY_USE = Map.ofEntries(
            Map.entry("snapshot", Set.of()),
            Map.entry("source", Set.of("snapshot", "source.netlink")),
            Map.entry("source.netlink", Set.of("snapshot", "source")),
            Map.entry("netns", Set.of("snapshot", "source")),
            // checks: pure functions of snapshots (and the pods' addresses), no file, HTTP or Prometheus
            Map.entry("footgun", Set.of("snapshot", "netns")),
            Map.entry("scrape", Set.of("snapshot", "source", "netns", "footgun")),
            // settings name the registry's collectors and the levels; never the web layer
            Map.entry("config", Set.of("snapshot", "source", "footgun")),
            Map.entry("metrics", Set.of("snapshot", "source", "netns", "footgun", "scrape", "config", PROMETHEUS)),
            Map.entry("doctor", Set.of("snapshot", "footgun", "scrape", "metrics", "config")),
            // the page and /findings.json render what they are handed: no call into doctor/
            Map.entry("web", Set.of("snapshot", "footgun", "scrape", "metrics", "config", PROMETHEUS)),
            Map.entry("log", Set.of("config")));

    private static final Pattern REFERENCE = Pattern.compile("(dev/tcpfootgun/(?:[a-z0-9_]+/)*)([A-Z][\\w$]*)|io/prometheus/");

    @Test
    void noPackageUsesOneAboveIt() throws IOException {
        Map<String, Set<String>> uses = uses(classes());
        // the rule covers the packages that exist: one renamed away would leave its line checking nothing
        assertThat(uses.keySet().stream().map(LayeringTest::packageOf).distinct()).containsAll(MAY_USE.keySet());
        assertThat(violations(uses, leafRootClasses(uses))).isEmpty();
    }

    /** The rule itself, on a made-up graph: the upward arrows this test exists to catch are found. */
    @Test
    void anUpwardArrowIsFound() {
        Map<String, Set<String>> uses = new TreeMap<>();
        uses.put("config.WebConfig", Set.of("web.Bcrypt", "snapshot.PortRange"));
        uses.put("source.ProcNetTcp", Set.of(PROMETHEUS, "snapshot.TcpSocket"));
        uses.put("web.LandingPage", Set.of("doctor.Doctor", "(root).JsonString"));
        uses.put("doctor.Doctor", Set.of("(root).Exporter"));
        uses.put("(root).Exporter", Set.of("doctor.Doctor", "web.ExporterServer"));
        uses.put("(root).JsonString", Set.of());
        uses.put("gadgets.Thing", Set.of("snapshot.Reading"));
        assertThat(violations(uses, Set.of("(root).JsonString"))).containsExactly(
                "config.WebConfig uses web.Bcrypt", "doctor.Doctor uses (root).Exporter",
                "gadgets.Thing: package gadgets has no place in the layering",
                "source.ProcNetTcp uses io.prometheus", "web.LandingPage uses doctor.Doctor");
    }

    /** Each class (package.Simple, nested classes folded into their top-level class) to what it refers to. */
    static Map<String, Set<String>> uses(List<Path> classFiles) throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        for (Path file : classFiles) {
            Set<String> refs = new TreeSet<>();
            for (String utf8 : utf8Constants(file)) {
                Matcher m = REFERENCE.matcher(utf8);
                while (m.find()) {
                    refs.add(m.group(1) == null ? PROMETHEUS : name(m.group(1), m.group(2)));
                }
            }
            String path = file.toString().replace('\\', '/');
            int at = path.lastIndexOf("dev/tcpfootgun/");
            String inside = path.substring(at, path.length() - ".class".length());
            String self = name(inside.substring(0, inside.lastIndexOf('/') + 1), inside.substring(inside.lastIndexOf('/') + 1));
            refs.remove(self);
            uses.computeIfAbsent(self, k -> new TreeSet<>()).addAll(refs);
        }
        return uses;
    }

    /** "dev/tcpfootgun/source/netlink/", "Nlattr$Cursor" as "source.netlink.Nlattr". */
    private static String name(String folder, String simple) {
        String pkg = folder.substring("dev/tcpfootgun/".length());
        pkg = pkg.isEmpty() ? ROOT : pkg.substring(0, pkg.length() - 1).replace('/', '.');
        int nested = simple.indexOf('$');
        return pkg + "." + (nested < 0 ? simple : simple.substring(0, nested));
    }

    private static String packageOf(String name) {
        return name.equals(PROMETHEUS) ? PROMETHEUS : name.substring(0, name.lastIndexOf('.'));
    }

    /** The root package's classes that use no other package of ours: helpers every layer may use. */
    static Set<String> leafRootClasses(Map<String, Set<String>> uses) {
        Set<String> leaves = new TreeSet<>();
        uses.forEach((c, refs) -> {
            if (packageOf(c).equals(ROOT) && refs.stream().allMatch(r -> packageOf(r).equals(ROOT))
                    && refs.stream().filter(r -> packageOf(r).equals(ROOT)).allMatch(r -> uses.getOrDefault(r, Set.of()).stream()
                            .allMatch(x -> packageOf(x).equals(ROOT)))) {
                leaves.add(c);
            }
        });
        return leaves;
    }

    static List<String> violations(Map<String, Set<String>> uses, Set<String> leafRootClasses) {
        List<String> out = new ArrayList<>();
        uses.forEach((c, refs) -> {
            String pkg = packageOf(c);
            if (pkg.equals(ROOT)) {
                return; // the composition root wires everything
            }
            Set<String> allowed = MAY_USE.get(pkg);
            if (allowed == null) {
                out.add(c + ": package " + pkg + " has no place in the layering");
                return;
            }
            for (String r : refs) {
                String to = packageOf(r);
                if (!to.equals(pkg) && !allowed.contains(to) && !leafRootClasses.contains(r)) {
                    out.add(c + " uses " + r);
                }
            }
        });
        out.sort(null);
        return out;
    }

    static List<Path> classes() throws IOException {
        Path root;
        try {
            root = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        try (Stream<Path> files = Files.walk(root.resolve("dev/tcpfootgun"))) {
            List<Path> out = files.filter(p -> p.toString().endsWith(".class")).sorted().toList();
            assertThat(out).as("compiled main classes under " + root).hasSizeGreaterThan(50);
            return out;
        }
    }

    /** The CONSTANT_Utf8 entries of a class file (JVMS 4.4): class names, descriptors and signatures among them. */
    static List<String> utf8Constants(Path classFile) throws IOException {
        try (InputStream in = Files.newInputStream(classFile); DataInputStream d = new DataInputStream(in)) {
            if (d.readInt() != 0xCAFEBABE) {
                throw new IOException("not a class file: " + classFile);
            }
            d.readUnsignedShort(); // minor
            d.readUnsignedShort(); // major
            int count = d.readUnsignedShort();
            List<String> out = new ArrayList<>();
            for (int i = 1; i < count; i++) {
                int tag = d.readUnsignedByte();
                switch (tag) {
                    case 1 -> out.add(d.readUTF());
                    case 7, 8, 16, 19, 20 -> d.skipBytes(2);
                    case 15 -> d.skipBytes(3);
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> d.skipBytes(4);
                    case 5, 6 -> {
                        d.skipBytes(8);
                        i++; // a long or double takes two entries
                    }
                    default -> throw new IOException("constant pool tag " + tag + " at entry " + i + " of " + classFile);
                }
            }
            return out;
        }
    }
}
