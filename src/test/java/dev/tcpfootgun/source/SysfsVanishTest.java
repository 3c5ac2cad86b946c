package dev.tcpfootgun.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.snapshot.NetInterface;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Devices removed while the interfaces are read, as when a container's veth goes away mid-scrape:
 * a thread deletes and recreates device folders in a loop while the source reads. Every read must
 * succeed; a device caught half-removed is skipped and counted, never an exception.
 */
class SysfsVanishTest {
    private static final int DEVICES = 64;

    @TempDir
    Path sys;

    @Test
    void devicesVanishingBetweenListingAndReadingAreSkippedAndCounted() throws Exception {
        Path classNet = Files.createDirectories(sys.resolve("class/net"));
        for (int i = 0; i < DEVICES; i++) {
            write(classNet.resolve("veth" + i), i + 1);
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong churns = new AtomicLong();
        Thread churn = new Thread(() -> {
            for (int i = 0; !stop.get(); i = (i + 1) % DEVICES) {
                Path dev = classNet.resolve("veth" + i);
                try {
                    remove(dev);
                    write(dev, i + 1);
                    churns.incrementAndGet();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }
        }, "sysfs-churn");
        churn.start();
        long skipped = 0;
        long reads = 0;
        SysfsInterfaces source = new SysfsInterfaces(ProcFs.of(sys, sys));
        long deadline = System.nanoTime() + 3_000_000_000L;
        try {
            // bounded in count and time: 200 reads once a vanished device was seen, at most 2000 or 3 s
            while (reads < 2000 && System.nanoTime() < deadline && (skipped == 0 || reads < 200)) {
                ParseLog log = new ParseLog();
                List<NetInterface> found = source.read(log); // never throws
                reads++;
                skipped += log.skipped();
                assertThat(found.size() + log.skipped()).isLessThanOrEqualTo(DEVICES);
                assertThat(found).allSatisfy(i -> assertThat(i.mtu()).isEqualTo(1500));
                if (log.skipped() > 0) {
                    assertThat(log.firstProblem()).contains("veth");
                }
            }
        } finally {
            stop.set(true);
            churn.join(10_000);
        }
        assertThat(churns.get()).isPositive();
        assertThat(skipped).as("a device removed between listing and reading, in %d reads", reads).isPositive();
    }

    private static void write(Path dev, int ifindex) throws IOException {
        Files.createDirectories(dev);
        Files.writeString(dev.resolve("ifindex"), ifindex + "\n");
        Files.writeString(dev.resolve("mtu"), "1500\n");
        Files.writeString(dev.resolve("type"), "1\n");
        Files.writeString(dev.resolve("operstate"), "up\n");
    }

    private static void remove(Path dev) throws IOException {
        for (String f : List.of("mtu", "ifindex", "type", "operstate")) {
            Files.deleteIfExists(dev.resolve(f));
        }
        try {
            Files.delete(dev);
        } catch (NoSuchFileException e) {
            // already gone
        }
    }
}
