package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.testing.Cmd;
import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.NetNs;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The landing page as a person sees it: headless Chromium (Debian's package) renders "/" of an
 * exporter in a namespace with a known footgun, and the screenshot shows the findings table with
 * that finding's colour (tcp_fin_timeout lowered is advice: configuration alone), not a blank or error page. The PNG is kept in target/ to look at.
 */
class PageScreenshotIT {

    static final int PORT = 9994;
    /** Background of an advice row, from the page's stylesheet. */
    static final int ADVICE_RGB = 0xe8f0fe;

    @Test
    void screenshotShowsTheFindings(@TempDir Path profile) throws Exception {
        String why = NetNs.unavailableReason();
        assumeTrue(why == null, why);
        String chromium = Cmd.available("chromium") ? "chromium" : null;
        assumeTrue(chromium != null, "needs Debian's chromium package");
        try (NetNs ns = NetNs.create("fg-page")) {
            ns.sysctl("net.ipv4.tcp_fin_timeout", "5");
            try (ExporterProcess exporter = ExporterProcess.start(ns, "--web.listen-address=127.0.0.1:" + PORT)) {
                Path png = Path.of("target", "landing-page.png").toAbsolutePath();
                Files.deleteIfExists(png);
                List<String> flags = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--user-data-dir=" + profile, "--window-size=1280,1600");
                String url = "http://127.0.0.1:" + PORT + "/";
                String dom = run(ns, chromium, flags, "--dump-dom", url);
                assertThat(dom).contains("<td id=\"footgun-time-wait-misguided-tuning\">")
                        .contains("tcp_fin_timeout is 5 s (default 60)").contains("<tr class=\"advice\"><td id=\"footgun-time-wait-misguided-tuning\">");
                run(ns, chromium, flags, "--screenshot=" + png, url);
                BufferedImage image = ImageIO.read(png.toFile());
                assertThat(image.getWidth()).isEqualTo(1280);
                long advicePixels = 0;
                for (int y = 0; y < image.getHeight(); y++) {
                    for (int x = 0; x < image.getWidth(); x++) {
                        if ((image.getRGB(x, y) & 0xffffff) == ADVICE_RGB) {
                            advicePixels++;
                        }
                    }
                }
                assertThat(advicePixels).as("pixels of the advice rows' background").isGreaterThan(5_000);
            }
        }
    }

    private static String run(NetNs ns, String chromium, List<String> flags, String... more) throws Exception {
        var cmd = new java.util.ArrayList<String>();
        cmd.add(chromium);
        cmd.addAll(flags);
        cmd.addAll(List.of(more));
        Process p = new ProcessBuilder(ns.prefixed(cmd.toArray(String[]::new))).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
