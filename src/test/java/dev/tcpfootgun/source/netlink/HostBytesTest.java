package dev.tcpfootgun.source.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every width read at every offset, aligned or not, of captured kernel replies equals the bytes assembled one by one. */
class HostBytesTest {

    @ParameterizedTest
    @ValueSource(strings = {"inet_diag_loopback.bin", "ctnetlink_conntrack.bin", "qdisc_netns.bin", "links_netns.bin"})
    void readsEqualTheBytesAssembled(String capture) throws IOException {
        byte[] b;
        try (InputStream in = HostBytesTest.class.getResourceAsStream("/netlink/" + capture)) {
            b = in.readAllBytes();
        }
        assertThat(b.length).isGreaterThan(64);
        for (int at = 0; at + 8 <= b.length; at++) {
            assertThat(HostBytes.u8(b, at)).isEqualTo(b[at] & 0xff);
            assertThat(HostBytes.u16(b, at)).isEqualTo((int) assemble(b, at, 2, ByteOrder.nativeOrder()));
            assertThat(HostBytes.u32(b, at)).isEqualTo(assemble(b, at, 4, ByteOrder.nativeOrder()));
            assertThat(HostBytes.s32(b, at)).isEqualTo((int) assemble(b, at, 4, ByteOrder.nativeOrder()));
            assertThat(HostBytes.s64(b, at)).isEqualTo(assemble(b, at, 8, ByteOrder.nativeOrder()));
            assertThat(HostBytes.be16(b, at)).isEqualTo((int) assemble(b, at, 2, ByteOrder.BIG_ENDIAN));
            assertThat(HostBytes.be32(b, at)).isEqualTo((int) assemble(b, at, 4, ByteOrder.BIG_ENDIAN));
            assertThat(HostBytes.be64(b, at)).isEqualTo(assemble(b, at, 8, ByteOrder.BIG_ENDIAN));
        }
        assertThat(ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getInt(0)).isEqualTo(HostBytes.s32(b, 0));
    }

    /** The unsigned value of {@code n} bytes at {@code at}, byte by byte in {@code order}. */
    private static long assemble(byte[] b, int at, int n, ByteOrder order) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            int k = order == ByteOrder.BIG_ENDIAN ? i : n - 1 - i;
            v = v << 8 | (b[at + k] & 0xff);
        }
        return v;
    }
}
