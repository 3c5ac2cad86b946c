// The kernel's floor for bench/run.sh: what one scrape's socket read cannot go below. One
// NETLINK_SOCK_DIAG dump of IPv4 and IPv6 together with the request our exporter sends
// (source/netlink/InetDiagSockets.request: TCPDIAG_GETSOCK, struct inet_diag_req with family 0,
// every state bit, INET_DIAG_INFO, INET_DIAG_CONG and INET_DIAG_SKMEMINFO, no cookie), received into
// the same 64 KiB buffer (NetlinkSocket.RECEIVE_BUFFER); every message header and attribute header is
// walked, nothing is decoded. Prints "<sockets> <attributes>" and exits 0; any error exits 1 with one
// line on stderr.
#define _GNU_SOURCE
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RECEIVE_BUFFER (64 * 1024)

static unsigned long sockets, attributes;

static int dump(int fd, unsigned seq, unsigned char *buf) {
    struct {
        struct nlmsghdr h;
        struct inet_diag_req r;
    } req;
    memset(&req, 0, sizeof req);
    req.h.nlmsg_len = sizeof req;
    req.h.nlmsg_type = TCPDIAG_GETSOCK;
    req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.h.nlmsg_seq = seq;
    req.r.idiag_family = 0; // both IPv4 and IPv6 in one walk of the socket hash
    req.r.idiag_ext = 1 << (INET_DIAG_INFO - 1) | 1 << (INET_DIAG_CONG - 1) | 1 << (INET_DIAG_SKMEMINFO - 1);
    req.r.idiag_states = ~0u;
    req.r.id.idiag_cookie[0] = req.r.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    if (sendto(fd, &req, sizeof req, 0, (struct sockaddr *)&kernel, sizeof kernel) != sizeof req) {
        perror("floor: sendto");
        return -1;
    }
    for (;;) {
        ssize_t n = recv(fd, buf, RECEIVE_BUFFER, MSG_TRUNC);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || n > RECEIVE_BUFFER) {
            fprintf(stderr, "floor: recv returned %zd (%s)\n", n, n < 0 ? strerror(errno) : "empty or truncated");
            return -1;
        }
        int len = (int)n;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
            if (h->nlmsg_seq != seq)
                continue;
            if (h->nlmsg_type == NLMSG_DONE)
                return 0;
            if (h->nlmsg_type == NLMSG_ERROR) {
                fprintf(stderr, "floor: NLMSG_ERROR %d\n", ((struct nlmsgerr *)NLMSG_DATA(h))->error);
                return -1;
            }
            if (h->nlmsg_type != TCPDIAG_GETSOCK || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
                continue;
            sockets++;
            struct rtattr *a = (struct rtattr *)((char *)NLMSG_DATA(h) + NLMSG_ALIGN(sizeof(struct inet_diag_msg)));
            int alen = h->nlmsg_len - NLMSG_LENGTH(sizeof(struct inet_diag_msg));
            for (; RTA_OK(a, alen); a = RTA_NEXT(a, alen))
                attributes++;
        }
    }
}

int main(void) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) {
        perror("floor: socket");
        return 1;
    }
    static unsigned char buf[RECEIVE_BUFFER] __attribute__((aligned(8)));
    if (dump(fd, 1, buf) < 0)
        return 1;
    close(fd);
    printf("%lu %lu\n", sockets, attributes);
    return 0;
}
