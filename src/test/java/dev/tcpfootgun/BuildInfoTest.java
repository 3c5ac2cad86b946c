package dev.tcpfootgun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.testing.Cmd;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildInfoTest {

    static final Path SCRIPT = Path.of("src/main/build/git-revision.sh");

    /** The build script where there is no .git (the container build): both "unknown", and BuildInfo says so. */
    @Test
    void withoutGitTheRevisionAndBranchAreUnknown(@TempDir Path dir) throws Exception {
        Path tree = Files.createDirectories(dir.resolve("sources"));
        Path out = dir.resolve("out");
        List<String> cmd = List.of("env", "-u", "GIT_REVISION", "-u", "GIT_BRANCH", "GIT_CEILING_DIRECTORIES=" + dir,
                "sh", SCRIPT.toString(), out.toString(), tree.toString());
        Cmd.run(cmd);
        String written = Files.readString(out.resolve("dev/tcpfootgun/git-revision.properties"));
        assertThat(written).isEqualTo("revision=unknown\nbranch=unknown\n");
        BuildInfo b = BuildInfo.of(properties(written + "version=0.1.0\nbuild.user=${user.name}\n"));
        assertThat(b).isEqualTo(new BuildInfo("0.1.0", "unknown", "unknown", "unknown", "unknown"));
        assertThat(b.print("tcp-footgun-exporter").lines().findFirst().orElseThrow())
                .isEqualTo("tcp-footgun-exporter, version 0.1.0 (branch: unknown, revision: unknown)");
    }

    /** In a git work tree the script records HEAD and the branch; the environment wins when set. */
    @Test
    void inAGitTreeTheRevisionIsHead(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Cmd.available("git"), "needs git");
        Path tree = Files.createDirectories(dir.resolve("repo"));
        Cmd.run("git", "-C", tree.toString(), "init", "-q", "-b", "trunk");
        Files.writeString(tree.resolve("f"), "x\n");
        Cmd.run("git", "-C", tree.toString(), "add", "f");
        Cmd.run("git", "-C", tree.toString(), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "c");
        String head = Cmd.run("git", "-C", tree.toString(), "rev-parse", "HEAD").strip();
        Path out = dir.resolve("out");
        Cmd.run("env", "-u", "GIT_REVISION", "-u", "GIT_BRANCH", "sh", SCRIPT.toString(), out.toString(), tree.toString());
        Path file = out.resolve("dev/tcpfootgun/git-revision.properties");
        assertThat(Files.readString(file)).isEqualTo("revision=" + head + "\nbranch=trunk\n");
        Cmd.run("env", "GIT_REVISION=abc", "GIT_BRANCH=release", "sh", SCRIPT.toString(), out.toString(), tree.toString());
        assertThat(Files.readString(file)).isEqualTo("revision=abc\nbranch=release\n");
    }

    private static Properties properties(String text) throws Exception {
        Properties p = new Properties();
        p.load(new StringReader(text));
        return p;
    }
}
