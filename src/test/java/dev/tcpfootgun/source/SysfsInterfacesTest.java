package dev.tcpfootgun.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcpfootgun.snapshot.NetInterface;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tree is built like Linux 6.18's: class/net entries are symlinks into devices/. */
class SysfsInterfacesTest {

    @TempDir
    Path sys;

    @Test
    void readsEveryDeviceWithItsKind() throws IOException {
        device("virtual/net/lo", 1, 65536, 772, "unknown", "INTERFACE=lo\nIFINDEX=1\n");
        Path eth0 = device("pci0000:00/0000:00:03.0/virtio2/net/eth0", 4, 1400, 1, "up", "INTERFACE=eth0\nIFINDEX=4\n");
        Files.createSymbolicLink(eth0.resolve("device"), Path.of("../../../virtio2"));
        device("virtual/net/br0", 7, 1500, 1, "down", "DEVTYPE=bridge\nINTERFACE=br0\nIFINDEX=7\n");
        device("virtual/net/vx0", 8, 1450, 1, "up", "DEVTYPE=vxlan\nINTERFACE=vx0\nIFINDEX=8\n");
        device("virtual/net/wg0", 9, 1420, 65534, "unknown", "DEVTYPE=wireguard\nINTERFACE=wg0\nIFINDEX=9\n");
        Path tun = device("virtual/net/tun0", 10, 1500, 65534, "down", "INTERFACE=tun0\nIFINDEX=10\n");
        Files.writeString(tun.resolve("tun_flags"), "0x1001\n");
        device("virtual/net/veth0", 6, 1500, 1, "lowerlayerdown", "INTERFACE=veth0\nIFINDEX=6\n");
        Files.writeString(sys.resolve("class/net/bonding_masters"), "\n"); // a file, not a device

        ParseLog log = new ParseLog();
        List<NetInterface> interfaces = new SysfsInterfaces(ProcFs.of(sys, sys)).read(log);

        assertThat(log.skipped()).isZero();
        assertThat(interfaces).containsExactly(
                new NetInterface("lo", 1, 65536, "loopback", true),
                new NetInterface("eth0", 4, 1400, "physical", true),
                new NetInterface("veth0", 6, 1500, null, false),
                new NetInterface("br0", 7, 1500, "bridge", false),
                new NetInterface("vx0", 8, 1450, "vxlan", true),
                new NetInterface("wg0", 9, 1420, "wireguard", true),
                new NetInterface("tun0", 10, 1500, "tun", false));
    }

    @Test
    void deviceWithoutIfindexIsSkippedAlone() throws IOException {
        device("virtual/net/lo", 1, 65536, 772, "unknown", "");
        Path gone = Files.createDirectories(sys.resolve("class/net/gone"));
        Files.writeString(gone.resolve("mtu"), "1500\n");

        ParseLog log = new ParseLog();
        List<NetInterface> interfaces = new SysfsInterfaces(ProcFs.of(sys, sys)).read(log);

        assertThat(interfaces).extracting(NetInterface::name).containsExactly("lo");
        assertThat(log.skipped()).isEqualTo(1);
        assertThat(log.firstProblem()).contains("gone");
    }

    @Test
    void missingClassNetFails() {
        assertThatThrownBy(() -> new SysfsInterfaces(ProcFs.of(sys, sys)).read(new ParseLog()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(sys.resolve("class/net").toString());
    }

    @Test
    void kindRules() {
        assertThat(SysfsInterfaces.kind(772, null, false, false)).isEqualTo("loopback");
        assertThat(SysfsInterfaces.kind(1, "DEVTYPE=vlan\n", false, false)).isEqualTo("vlan");
        assertThat(SysfsInterfaces.kind(1, "INTERFACE=x\n", false, true)).isEqualTo("physical");
        assertThat(SysfsInterfaces.kind(1, "INTERFACE=x\n", false, false)).isNull();
        assertThat(SysfsInterfaces.operUp("up\n")).isTrue();
        assertThat(SysfsInterfaces.operUp("dormant\n")).isFalse();
    }

    /** Writes devices/&lt;path&gt; and links class/net/&lt;name&gt; to it, as the kernel does. */
    private Path device(String path, int ifindex, long mtu, int type, String operstate, String uevent) throws IOException {
        Path dir = Files.createDirectories(sys.resolve("devices").resolve(path));
        Files.writeString(dir.resolve("ifindex"), ifindex + "\n");
        Files.writeString(dir.resolve("mtu"), mtu + "\n");
        Files.writeString(dir.resolve("type"), type + "\n");
        Files.writeString(dir.resolve("operstate"), operstate + "\n");
        Files.writeString(dir.resolve("uevent"), uevent);
        Path classNet = Files.createDirectories(sys.resolve("class/net"));
        Files.createSymbolicLink(classNet.resolve(dir.getFileName()), classNet.relativize(dir));
        return dir;
    }
}
