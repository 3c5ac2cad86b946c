package dev.tcpfootgun.source.netlink;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds netlink messages and attributes the way the kernel lays them out, for decoder tests. */
final class NetlinkBytes {
    private NetlinkBytes() {}

    static byte[] message(int type, int flags, int seq, byte[]... payload) {
        byte[] body = concat(payload);
        ByteBuffer b = ByteBuffer.allocate(align(16 + body.length)).order(ByteOrder.nativeOrder());
        b.putInt(16 + body.length).putShort((short) type).putShort((short) flags).putInt(seq).putInt(4242);
        b.put(body);
        return b.array();
    }

    static byte[] attr(int type, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(align(4 + payload.length)).order(ByteOrder.nativeOrder());
        b.putShort((short) (4 + payload.length)).putShort((short) type).put(payload);
        return b.array();
    }

    static byte[] string(String s) {
        byte[] ascii = s.getBytes(StandardCharsets.US_ASCII);
        byte[] z = new byte[ascii.length + 1];
        System.arraycopy(ascii, 0, z, 0, ascii.length);
        return z;
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    static byte[] be32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN).putInt(v).array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static MemorySegment segment(byte[]... parts) {
        return MemorySegment.ofArray(concat(parts));
    }

    static byte[] resource(String name) {
        try (InputStream in = NetlinkBytes.class.getResourceAsStream("/netlink/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource netlink/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int align(int n) {
        return (n + 3) & ~3;
    }
}
