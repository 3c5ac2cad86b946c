package dev.tcpfootgun.scrape;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.Exporter;
import dev.tcpfootgun.config.Settings;
import dev.tcpfootgun.footgun.Checks;
import dev.tcpfootgun.footgun.Finding;
import dev.tcpfootgun.footgun.Observation;
import dev.tcpfootgun.footgun.Status;
import dev.tcpfootgun.snapshot.NodeSnapshot;
import dev.tcpfootgun.snapshot.Reading;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A namespace read without setns is judged with the node's sysctls: every check whose finding
 * depends on a sysctl must say so ("sysctls assumed: the node's"). Judged on a captured kernel's
 * files with and without the sysctls, each finding that changes must come from a check that says it.
 */
class SysctlAssumptionTest {

    @Test
    void everyCheckThatDependsOnASysctlSaysTheNodesWereAssumed() throws Exception {
        Path fixture = Path.of(SysctlAssumptionTest.class.getResource("/proc/linux-6.18").toURI());
        Settings settings = Settings.parse(List.of("--path.procfs=" + fixture, "--path.sysfs=" + fixture.resolve("no-sysfs"),
                "--collector.sockets.source=procfs"));
        NodeSnapshot with = Exporter.reader(settings).get();
        assertThat(with.sysctls().success()).isTrue();
        NodeSnapshot without = with.with(Reading.failed("sysctl", "not read", 0));
        List<Finding> judged = Checks.all().judge(new Observation(with, null));
        List<Finding> blind = Checks.all().judge(new Observation(without, null));
        int depending = 0;
        for (int i = 0; i < judged.size(); i++) {
            Finding a = judged.get(i);
            Finding b = blind.get(i);
            boolean depends = a.status() != b.status() || !a.evidence().equals(b.evidence()) || !a.fix().equals(b.fix());
            if (depends) {
                depending++;
                assertThat(Scraper.readsSysctls(a.footgun())).as(a.footgun().id()).isTrue();
            }
        }
        assertThat(depending).as("the fixture exercises the sysctls").isGreaterThanOrEqualTo(5);
        List<Finding> assumed = Scraper.assumingNodeSysctls(judged);
        for (Finding f : assumed) {
            boolean says = f.evidence().contains(Scraper.ASSUMED_SYSCTLS);
            assertThat(says).as(f.footgun().id()).isEqualTo(f.status() != Status.UNKNOWN && Scraper.readsSysctls(f.footgun()));
        }
    }
}
