package dev.tcpfootgun.source.netlink;

import java.io.IOException;

/**
 * The kernel refused a netlink request (NLMSG_ERROR, or a negative NLMSG_DONE status) or a socket
 * call failed. {@link #errno()} is the positive errno, {@link #errnoName()} its symbolic name.
 */
public final class NetlinkException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String kernelMessage;

    public NetlinkException(String operation, int errno, String kernelMessage) {
        super(operation + ": " + Errno.name(errno) + (kernelMessage == null ? "" : " (" + kernelMessage + ")"));
        this.errno = errno;
        this.kernelMessage = kernelMessage;
    }

    public int errno() {
        return errno;
    }

    public String errnoName() {
        return Errno.name(errno);
    }

    /** The extended-ACK text (NLMSGERR_ATTR_MSG) when the kernel sent one, else null. */
    public String kernelMessage() {
        return kernelMessage;
    }
}
