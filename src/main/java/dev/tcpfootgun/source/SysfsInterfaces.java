package dev.tcpfootgun.source;

import dev.tcpfootgun.snapshot.NetInterface;
import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Network interfaces from /sys/class/net/&lt;dev&gt;: index, MTU, whether up, and what kind of link it
 * is as far as sysfs tells. sysfs shows the kernel's namespace of the reading process only.
 */
public final class SysfsInterfaces implements Source<List<NetInterface>> {
    /** ARPHRD_LOOPBACK from include/uapi/linux/if_arp.h. */
    static final int TYPE_LOOPBACK = 772;
    /** IFNAMSIZ less its NUL: no kernel interface has a longer name, so a longer folder is not one. */
    static final int MAX_NAME = 15;
    /** A driver's DEVTYPE is a short word ("vlan", "wireguard"); a longer value is not shown as a kind. */
    static final int MAX_DEVTYPE = 32;

    private final ProcFs procFs;

    public SysfsInterfaces(ProcFs procFs) {
        this.procFs = procFs;
    }

    @Override
    public List<NetInterface> read(ParseLog log) throws IOException {
        Path classNet = procFs.sys("class/net");
        if (!Files.isDirectory(classNet)) {
            throw new IOException("required folder missing: " + classNet);
        }
        try {
            List<NetInterface> interfaces = new ArrayList<>();
            try (DirectoryStream<Path> devices = Files.newDirectoryStream(classNet)) {
                for (Path device : devices) {
                    if (Files.isDirectory(device)) { // skips bonding_masters, a file beside the devices
                        NetInterface i = readInterface(device, log);
                        if (i != null) {
                            interfaces.add(i);
                        }
                    }
                }
            }
            interfaces.sort(Comparator.comparingInt(NetInterface::ifindex));
            return interfaces;
        } catch (DirectoryIteratorException e) {
            throw e.getCause(); // the listing failed midway: an IOException, as the contract says
        } catch (java.nio.file.AccessDeniedException e) {
            throw KernelFiles.denied(classNet, e);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("required folder missing: " + classNet, e); // removed after the look above
        } catch (RuntimeException e) {
            throw KernelFiles.failure(e);
        }
    }

    /** One device, or null (logged) when it vanished or its ifindex or mtu cannot be read. */
    private static NetInterface readInterface(Path device, ParseLog log) {
        String name = device.getFileName().toString();
        if (name.length() > MAX_NAME) {
            log.skip("interface " + name.substring(0, MAX_NAME) + "...: a name of " + name.length() + " characters, longer than IFNAMSIZ allows");
            return null;
        }
        try {
            String ifindex = KernelFiles.optional(device.resolve("ifindex"));
            String mtu = KernelFiles.optional(device.resolve("mtu"));
            if (ifindex == null || mtu == null) {
                log.skip("interface " + name + ": no ifindex or mtu (removed while reading?)");
                return null;
            }
            String type = KernelFiles.optional(device.resolve("type"));
            String uevent = KernelFiles.optional(device.resolve("uevent"));
            String devType = devType(uevent);
            if (devType != null && devType.length() > MAX_DEVTYPE) {
                log.skip("interface " + name + ": a DEVTYPE of " + devType.length() + " characters, longer than " + MAX_DEVTYPE);
                uevent = null;
            }
            return new NetInterface(
                    name,
                    Integer.parseInt(ifindex.strip()),
                    Long.parseLong(mtu.strip()),
                    kind(
                            type == null ? -1 : Integer.parseInt(type.strip()),
                            uevent,
                            Files.exists(device.resolve("tun_flags")),
                            Files.exists(device.resolve("device"), LinkOption.NOFOLLOW_LINKS)),
                    operUp(KernelFiles.optional(device.resolve("operstate"))));
        } catch (IOException | NumberFormatException e) {
            log.skip("interface " + name + ": " + e.getMessage());
            return null;
        }
    }

    /**
     * The link kind by the signs sysfs gives: loopback by ARPHRD type, the uevent's DEVTYPE (bridge,
     * vlan, vxlan, wireguard, bond, geneve... as the driver names it), tun/tap by their tun_flags file,
     * "physical" when a bus device backs it. veth, dummy and ifb leave no sign in sysfs: null.
     */
    public static String kind(int arpType, String uevent, boolean hasTunFlags, boolean hasBusDevice) {
        if (arpType == TYPE_LOOPBACK) {
            return "loopback";
        }
        String devType = devType(uevent);
        if (devType != null) {
            return devType;
        }
        if (hasTunFlags) {
            return "tun";
        }
        return hasBusDevice ? "physical" : null;
    }

    /** The DEVTYPE= value of a uevent file, or null. */
    public static String devType(String uevent) {
        if (uevent == null) {
            return null;
        }
        for (String line : uevent.split("\n")) {
            if (line.startsWith("DEVTYPE=")) {
                String value = line.substring("DEVTYPE=".length()).strip();
                return value.isEmpty() ? null : value;
            }
        }
        return null;
    }

    /** Loopback and many tunnels report "unknown" although they carry traffic. */
    public static boolean operUp(String operstate) {
        if (operstate == null) {
            return false;
        }
        String state = operstate.strip();
        return state.equals("up") || state.equals("unknown");
    }
}
