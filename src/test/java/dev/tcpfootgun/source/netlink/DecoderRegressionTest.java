package dev.tcpfootgun.source.netlink;

import static dev.tcpfootgun.source.netlink.NetlinkBytes.attr;
import static dev.tcpfootgun.source.netlink.NetlinkBytes.message;
import static dev.tcpfootgun.source.netlink.NetlinkBytes.segment;
import static dev.tcpfootgun.source.netlink.NetlinkBytes.string;
import static dev.tcpfootgun.source.netlink.NetlinkBytes.u32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcpfootgun.snapshot.NetInterface;
import dev.tcpfootgun.source.ParseLog;
import dev.tcpfootgun.testing.Bounded;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Inputs the decoder properties found exceptions for, kept as plain examples, and every cut of every capture. */
class DecoderRegressionTest {

    /** Found: an NLMSG_ERROR with extended-ACK TLVs whose echoed request claims a negative length threw IndexOutOfBounds. */
    @Test
    void anEchoedRequestLengthThatDoesNotFitStillGivesTheErrno() {
        byte[] err = message(NetlinkMessages.NLMSG_ERROR, NetlinkMessages.NLM_F_ACK_TLVS, 1,
                u32(-105), // -ENOBUFS
                u32(0xff00_0014), new byte[12]); // the echoed nlmsghdr: length 0xff000014
        assertThatThrownBy(() -> NetlinkMessages.walk(segment(err), NetlinkMessages.ANY_SEQ, "test", m -> { }))
                .isInstanceOfSatisfying(NetlinkException.class, e -> {
                    assertThat(e.errnoName()).isEqualTo("ENOBUFS");
                    assertThat(e.kernelMessage()).isNull();
                });
    }

    /** Found: an IFLA_MTU of length 4 (no value) as the last attribute read past the message. */
    @Test
    void anMtuAttributeWithoutItsValueCountsAsAbsent() throws IOException {
        byte[] link = message(RtnetlinkLinks.RTM_NEWLINK, 0, 1, new byte[16], attr(3, string("eth9")), attr(16, new byte[0]),
                attr(4, new byte[0]));
        ParseLog log = new ParseLog();
        List<NetInterface> links = RtnetlinkLinks.decode(segment(link), log);
        assertThat(links).singleElement().satisfies(i -> {
            assertThat(i.name()).isEqualTo("eth9");
            assertThat(i.mtu()).isEqualTo(-1);
            assertThat(i.operUp()).isTrue(); // no operstate value: IF_OPER_UNKNOWN, which counts as up
        });
    }

    /** Every capture cut at every byte: each decoder returns or throws IOException, nothing else. */
    @Test
    void capturesCutAtEveryOffset() throws Exception {
        for (String name : DecoderPropertyTest.FIXTURES) {
            byte[] full = NetlinkBytes.resource(name);
            for (DecoderPropertyTest.Decoder d : DecoderPropertyTest.Decoder.values()) {
                Bounded.run(() -> {
                    for (int cut = 0; cut <= full.length; cut++) {
                        DecoderPropertyTest.checkUnbounded(java.util.Arrays.copyOf(full, cut), d);
                    }
                });
            }
        }
    }

    /** A message whose length reaches 2^31-1 must not wrap the walk's offset back to the start. */
    @Test
    void aHugeMessageLengthEndsTheWalk() throws Exception {
        byte[] done = message(NetlinkMessages.NLMSG_DONE, 0, 1, u32(0));
        MemorySegment s = MemorySegment.ofArray(done);
        s.set(Nlattr.U32, 0, Integer.MAX_VALUE);
        assertThatThrownBy(() -> Bounded.run(() -> NetlinkMessages.walk(s, NetlinkMessages.ANY_SEQ, "t", m -> { })))
                .isInstanceOf(IOException.class).hasMessageContaining("malformed");
    }
}
