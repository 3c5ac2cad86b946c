package dev.tcpfootgun.source.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.snapshot.TcpInfo;
import dev.tcpfootgun.source.ParseLog;
import dev.tcpfootgun.testing.Bounded;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Every netlink decoder on damaged bytes: captured dumps with bits flipped, message and attribute
 * lengths rewritten (below 4, odd, past the message, past the datagram), random bytes and random
 * well-framed messages. A decoder returns what it could read and counts the messages it left out, or
 * throws IOException (the Source contract); nothing else escapes, and no try runs past its time limit.
 */
class DecoderPropertyTest {

    static final List<String> FIXTURES = List.of("inet_diag_loopback.bin", "links_netns.bin", "qdisc_netns.bin",
            "ctnetlink_stats_cpu.bin", "ctnetlink_stats.bin", "ctnetlink_conntrack.bin", "nft_rules_iptables.bin",
            "nft_rules_native.bin");

    /** A decoder under test: returns how many items it produced (-1 when it yields one value, not a list). */
    enum Decoder {
        INET_DIAG, LINKS, QDISCS, CT_CPU, CT_TABLE, CT_DUMP, NFT_RULES, WALK;

        int decode(MemorySegment s, ParseLog log) throws IOException {
            return switch (this) {
                case INET_DIAG -> InetDiagDecoder.decode(s, log).size();
                case LINKS -> RtnetlinkLinks.decode(s, log).size();
                case QDISCS -> RtnetlinkQdiscs.decode(s, log).size();
                case CT_CPU -> {
                    for (long v : CtnetlinkStats.decodeCpuStats(s, log).values()) {
                        if (v < 0) {
                            throw new AssertionError("negative conntrack counter " + v);
                        }
                    }
                    yield -1;
                }
                case CT_TABLE -> {
                    CtnetlinkStats.decodeTableSize(s);
                    yield -1;
                }
                case CT_DUMP -> (int) CtnetlinkDump.decode(s, ConntrackDumpTest.RULES, log).entries();
                case NFT_RULES -> {
                    NftNatRules.decode(s, log); // rules per message vary (0 for a rule that is not NAT)
                    yield -1;
                }
                case WALK -> {
                    int[] n = {0};
                    NetlinkMessages.walk(s, NetlinkMessages.ANY_SEQ, "walk", m -> n[0]++);
                    yield n[0];
                }
            };
        }
    }

    /** The data messages walk hands out, or -1 when the framing itself is malformed. */
    static int dataMessages(byte[] bytes) {
        int[] n = {0};
        long size = bytes.length;
        try {
            NetlinkMessages.walk(MemorySegment.ofArray(bytes), NetlinkMessages.ANY_SEQ, "count", m -> {
                // no message shorter than its header or longer than the datagram ever reaches a decoder
                if (m.byteSize() < NetlinkMessages.HEADER || m.byteSize() > size) {
                    throw new AssertionError("walk handed out a message of " + m.byteSize() + " bytes");
                }
                n[0]++;
            });
            return n[0];
        } catch (IOException e) {
            return -1;
        }
    }

    static void check(byte[] bytes, Decoder decoder) throws Exception {
        Bounded.run(() -> checkUnbounded(bytes, decoder));
    }

    /** {@link #check} without its own time limit, for callers that bound a whole loop of checks. */
    static void checkUnbounded(byte[] bytes, Decoder decoder) {
        int messages = dataMessages(bytes);
        ParseLog log = new ParseLog();
        int items;
        try {
            items = decoder.decode(MemorySegment.ofArray(bytes), log);
        } catch (IOException e) {
            return; // the Source contract's one allowed failure
        }
        if (messages < 0) {
            throw new AssertionError("decoded although the framing is malformed");
        }
        if (items >= 0 && (items > messages || items + log.skipped() < messages)) {
            throw new AssertionError(items + " items and " + log.skipped() + " skips from " + messages + " messages");
        }
    }

    // ---- generators

    record Flip(int offset, int bit) {}

    record Tamper(int target, int value) {}

    static byte[] fixture(String name) {
        return NetlinkBytes.resource(name);
    }

    @Provide
    Arbitrary<byte[]> flipped() {
        return Combinators.combine(
                        Arbitraries.of(FIXTURES),
                        Combinators.combine(Arbitraries.integers().between(0, 1 << 20), Arbitraries.integers().between(0, 7))
                                .as(Flip::new).list().ofMinSize(1).ofMaxSize(8))
                .as((name, flips) -> {
                    byte[] b = fixture(name).clone();
                    for (Flip f : flips) {
                        b[f.offset % b.length] ^= (byte) (1 << f.bit);
                    }
                    return b;
                });
    }

    /** Offsets of every message header and every top-level attribute header in a captured dump. */
    static List<Long> messageOffsets(byte[] b) {
        List<Long> out = new ArrayList<>();
        MemorySegment s = MemorySegment.ofArray(b);
        for (long off = 0; off + 16 <= b.length; ) {
            out.add(off);
            off += NetlinkBytes.align(NetlinkMessages.length(s, off));
        }
        return out;
    }

    static List<Long> attributeOffsets(byte[] b) {
        List<Long> out = new ArrayList<>();
        MemorySegment s = MemorySegment.ofArray(b);
        for (long msg : messageOffsets(b)) {
            int len = NetlinkMessages.length(s, msg);
            int type = Short.toUnsignedInt(s.get(Nlattr.U16, msg + 4));
            int body = switch (type) {
                case InetDiagDecoder.SOCK_DIAG_BY_FAMILY -> InetDiagDecoder.INET_DIAG_MSG_SIZE;
                case RtnetlinkLinks.RTM_NEWLINK -> 16;
                case RtnetlinkQdiscs.RTM_NEWQDISC -> 20;
                default -> 4; // nfgenmsg
            };
            for (long off = msg + 16 + body; off + 4 <= msg + len; ) {
                out.add(off);
                int alen = Nlattr.length(s, off);
                if (alen < 4) {
                    break;
                }
                off += Nlattr.align(alen);
            }
        }
        return out;
    }

    static Arbitrary<Integer> weirdLengths() {
        return Arbitraries.oneOf(
                Arbitraries.of(0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 19, 0x7fff, 0x8000, 0xffff, 0xfffe, 0x10000,
                        0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff),
                Arbitraries.integers().between(0, 9000),
                Arbitraries.integers());
    }

    @Provide
    Arbitrary<byte[]> badAttributeLengths() {
        return Combinators.combine(Arbitraries.of(FIXTURES),
                        Combinators.combine(Arbitraries.integers().between(0, 1 << 20), weirdLengths()).as(Tamper::new)
                                .list().ofMinSize(1).ofMaxSize(3))
                .as((name, tampers) -> {
                    byte[] b = fixture(name).clone();
                    List<Long> attrs = attributeOffsets(b);
                    ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
                    for (Tamper t : tampers) {
                        buf.putShort((int) (long) attrs.get(t.target % attrs.size()), (short) t.value);
                    }
                    return b;
                });
    }

    @Provide
    Arbitrary<byte[]> badMessageLengths() {
        return Combinators.combine(Arbitraries.of(FIXTURES),
                        Combinators.combine(Arbitraries.integers().between(0, 1 << 20), weirdLengths()).as(Tamper::new)
                                .list().ofMinSize(1).ofMaxSize(2))
                .as((name, tampers) -> {
                    byte[] b = fixture(name).clone();
                    List<Long> msgs = messageOffsets(b);
                    ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
                    for (Tamper t : tampers) {
                        buf.putInt((int) (long) msgs.get(t.target % msgs.size()), t.value);
                    }
                    return b;
                });
    }

    /** Well-framed messages of the types the decoders know, with random bodies and attributes. */
    @Provide
    Arbitrary<byte[]> randomMessages() {
        // the attribute types the decoders read (name, mtu, operstate, linkinfo, tcp_info, cong, meminfo,
        // ctnetlink counters), often with payloads shorter than their values
        Arbitrary<byte[]> attr = Combinators.combine(
                        Arbitraries.oneOf(Arbitraries.of(1, 2, 3, 4, 7, 8, 9, 10, 16, 18), Arbitraries.integers().between(0, 0x7fff)),
                        Arbitraries.oneOf(Arbitraries.bytes().array(byte[].class).ofMaxSize(6),
                                Arbitraries.bytes().array(byte[].class).ofMaxSize(40)))
                .as(NetlinkBytes::attr);
        Arbitrary<byte[]> msg = Combinators.combine(
                        Arbitraries.of(InetDiagDecoder.SOCK_DIAG_BY_FAMILY, RtnetlinkLinks.RTM_NEWLINK,
                                RtnetlinkQdiscs.RTM_NEWQDISC, CtnetlinkStats.STATS_CPU, CtnetlinkStats.STATS,
                                NetlinkMessages.NLMSG_ERROR, NetlinkMessages.NLMSG_DONE, NetlinkMessages.NLMSG_NOOP, 99),
                        Arbitraries.of(0, NetlinkMessages.NLM_F_MULTI, NetlinkMessages.NLM_F_DUMP_INTR,
                                NetlinkMessages.NLM_F_ACK_TLVS, NetlinkMessages.NLM_F_CAPPED | NetlinkMessages.NLM_F_ACK_TLVS, 0xffff),
                        // the fixed headers the decoders expect (nfgenmsg, ifinfomsg, tcmsg, inet_diag_msg), or not
                        Arbitraries.oneOf(Arbitraries.of(4, 16, 20, 72).flatMap(n -> Arbitraries.bytes().array(byte[].class).ofSize(n)),
                                Arbitraries.bytes().array(byte[].class).ofMaxSize(90)),
                        attr.list().ofMaxSize(6))
                .as((type, flags, body, attrs) -> NetlinkBytes.message(type, flags, 1,
                        NetlinkBytes.concat(body, NetlinkBytes.concat(attrs.toArray(byte[][]::new)))));
        return msg.list().ofMaxSize(6).map(l -> NetlinkBytes.concat(l.toArray(byte[][]::new)));
    }

    /** Bytes meant for one decoder. */
    record Shaped(Decoder decoder, byte[] bytes) {
        @Override
        public String toString() {
            return decoder + " " + java.util.Arrays.toString(bytes);
        }
    }

    /**
     * Messages shaped exactly as one decoder expects (its type, its fixed header) whose attributes are
     * the ones it reads, with every payload length from none to a little more than the value.
     */
    @Provide
    Arbitrary<Shaped> shapedMessages() {
        record Shape(Decoder decoder, int type, int header, List<Integer> attributes) {}
        Arbitrary<Shape> shape = Arbitraries.of(
                new Shape(Decoder.INET_DIAG, InetDiagDecoder.SOCK_DIAG_BY_FAMILY, InetDiagDecoder.INET_DIAG_MSG_SIZE, List.of(2, 4, 7)),
                new Shape(Decoder.LINKS, RtnetlinkLinks.RTM_NEWLINK, 16, List.of(3, 4, 16, 18)),
                new Shape(Decoder.QDISCS, RtnetlinkQdiscs.RTM_NEWQDISC, 20, List.of(1, 2)),
                new Shape(Decoder.CT_CPU, CtnetlinkStats.STATS_CPU, 4, List.of(2, 4, 8, 9, 10, 11, 12, 13, 14, 15)),
                new Shape(Decoder.CT_TABLE, CtnetlinkStats.STATS, 4, List.of(1, 2)));
        Arbitrary<byte[]> payload = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 5).flatMap(n -> Arbitraries.bytes().array(byte[].class).ofSize(n)),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(260));
        return shape.flatMap(sh -> Combinators.combine(
                        Arbitraries.bytes().array(byte[].class).ofSize(sh.header()),
                        Combinators.combine(Arbitraries.of(sh.attributes()), payload).as(NetlinkBytes::attr).list().ofMaxSize(5))
                .as((header, attrs) -> {
                    byte[] h = header.clone();
                    if (sh.type() == InetDiagDecoder.SOCK_DIAG_BY_FAMILY) {
                        h[0] = (byte) (h[0] % 2 == 0 ? InetDiagDecoder.AF_INET : InetDiagDecoder.AF_INET6);
                    }
                    return new Shaped(sh.decoder(), NetlinkBytes.message(sh.type(), 0, 1, h,
                            NetlinkBytes.concat(attrs.toArray(byte[][]::new))));
                }));
    }

    @Property
    void attributesOfEveryLengthInTheRightPlace(@ForAll("shapedMessages") Shaped shaped) throws Exception {
        check(shaped.bytes(), shaped.decoder());
    }

    @Provide
    Arbitrary<byte[]> randomBytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(700);
    }

    // ---- properties

    @Property
    void bitFlipsInCapturedDumps(@ForAll("flipped") byte[] bytes, @ForAll Decoder decoder) throws Exception {
        check(bytes, decoder);
    }

    @Property
    void attributeLengthsBelowFourOddOrPastTheMessage(@ForAll("badAttributeLengths") byte[] bytes, @ForAll Decoder decoder)
            throws Exception {
        check(bytes, decoder);
    }

    @Property
    void messageLengthsThatDoNotFit(@ForAll("badMessageLengths") byte[] bytes, @ForAll Decoder decoder) throws Exception {
        check(bytes, decoder);
    }

    @Property
    void randomWellFramedMessages(@ForAll("randomMessages") byte[] bytes, @ForAll Decoder decoder) throws Exception {
        check(bytes, decoder);
    }

    @Property
    void randomBytes(@ForAll("randomBytes") byte[] bytes, @ForAll Decoder decoder) throws Exception {
        check(bytes, decoder);
    }

    /** tcp_info of any length up to its payload: fields that do not fit read -1, the rest as sent. */
    @Property
    void tcpInfoOfAnyLength(@ForAll("randomBytes") byte[] payload, @ForAll int lengthSeed) throws Exception {
        int len = payload.length == 0 ? 0 : Math.floorMod(lengthSeed, payload.length + 1);
        TcpInfo info = Bounded.call(() -> TcpInfoDecoder.decode(MemorySegment.ofArray(payload), 0, len));
        assertThat(info.size()).isEqualTo(len);
        for (TcpInfoFields f : TcpInfoFields.ALL) {
            if (f.end() > len) {
                assertThat(f.value().applyAsLong(info)).as(f.name()).isEqualTo(-1);
            }
        }
    }
}
