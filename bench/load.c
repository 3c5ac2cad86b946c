// Load generator for bench/run.sh. Loopback only; meant to run inside the benchmark's own network
// namespace. Two modes:
//
//   load tw N NDSTIP NDSTPORT NSRC PORTBASE
//       N TIME_WAIT sockets on the client side, towards NDSTIP x NDSTPORT destinations
//       (127.0.0.1.. x PORTBASE..), from NSRC source addresses 127.0.1.1..; one process, synchronous:
//       connect, accept, client closes first, server closes -> the client end sits in TIME_WAIT.
//       The destinations' listeners live only while this runs. Prints the elapsed time and exits.
//
//   load estab NCONN NPORTS PORTBASE SECONDS [PERIOD]
//       NPORTS listeners on 127.0.0.1:PORTBASE.. and NCONN connections to them, both ends in this
//       process, with data flowing: every connection sends 128 bytes about once every PERIOD seconds
//       (default 1) and the server end echoes them. Prints "ready" once connected; exits after SECONDS (a bound, so
//       nothing outlives the benchmark) or on SIGTERM.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

static void die(const char *what) {
    fprintf(stderr, "load: %s: %s\n", what, strerror(errno));
    exit(1);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct sockaddr_in addr(unsigned a, unsigned b, unsigned c, unsigned d, int port) {
    struct sockaddr_in s = {0};
    s.sin_family = AF_INET;
    s.sin_port = htons(port);
    s.sin_addr.s_addr = htonl(a << 24 | b << 16 | c << 8 | d);
    return s;
}

static int listener(struct sockaddr_in a, int backlog) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket");
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) die("bind listener");
    if (listen(fd, backlog) < 0) die("listen");
    return fd;
}

static int time_wait(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: load tw N NDSTIP NDSTPORT NSRC PORTBASE\n");
        return 2;
    }
    long n = atol(argv[2]);
    int nip = atoi(argv[3]), nport = atoi(argv[4]), nsrc = atoi(argv[5]), base = atoi(argv[6]);
    int ndst = nip * nport;
    int *ls = calloc(ndst, sizeof *ls);
    struct sockaddr_in *dst = calloc(ndst, sizeof *dst);
    for (int i = 0; i < nip; i++) {
        for (int p = 0; p < nport; p++) {
            dst[i * nport + p] = addr(127, 0, 0, 1 + i, base + p);
            ls[i * nport + p] = listener(dst[i * nport + p], 1024);
        }
    }
    double t0 = now();
    int one = 1;
    for (long k = 0; k < n; k++) {
        int d = k % ndst;
        int s = (k / ndst) % nsrc;
        int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (c < 0) die("socket");
        setsockopt(c, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        struct sockaddr_in src = addr(127, 0, 1, 1 + s, 0);
        if (bind(c, (struct sockaddr *)&src, sizeof src) < 0) die("bind source");
        if (connect(c, (struct sockaddr *)&dst[d], sizeof dst[d]) < 0) die("connect");
        int a = accept4(ls[d], NULL, NULL, SOCK_CLOEXEC);
        if (a < 0) die("accept");
        close(c); // the client closes first: its end goes FIN_WAIT_2, then TIME_WAIT
        close(a); // the server end has read nothing unread, so this is a FIN, not a reset
    }
    for (int i = 0; i < ndst; i++) close(ls[i]);
    fprintf(stderr, "load tw: %ld TIME_WAIT sockets in %.2f s\n", n, now() - t0);
    return 0;
}

static volatile sig_atomic_t stop;
static void on_term(int sig) { (void)sig; stop = 1; }

static void nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

static int established(int argc, char **argv) {
    if (argc != 6 && argc != 7) {
        fprintf(stderr, "usage: load estab NCONN NPORTS PORTBASE SECONDS [PERIOD]\n");
        return 2;
    }
    int n = atoi(argv[2]), nport = atoi(argv[3]), base = atoi(argv[4]);
    double limit = atof(argv[5]);
    double period = argc == 7 ? atof(argv[6]) : 1.0;
    if (period <= 0) period = 1.0;
    double every = period / 20;  // a 20th of the connections per tick
    int wait_ms = every < 1 ? (int)(every * 1000 / 2.5) : 400;
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    signal(SIGPIPE, SIG_IGN);
    int *ls = calloc(nport, sizeof *ls);
    for (int p = 0; p < nport; p++) ls[p] = listener(addr(127, 0, 0, 1, base + p), 4096);
    int *cli = calloc(n, sizeof *cli), *srv = calloc(n, sizeof *srv);
    for (int k = 0; k < n; k++) {
        struct sockaddr_in d = addr(127, 0, 0, 1, base + k % nport);
        cli[k] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (cli[k] < 0) die("socket");
        if (connect(cli[k], (struct sockaddr *)&d, sizeof d) < 0) die("connect");
        srv[k] = accept4(ls[k % nport], NULL, NULL, SOCK_CLOEXEC);
        if (srv[k] < 0) die("accept");
        nonblock(cli[k]);
        nonblock(srv[k]);
    }
    int ep = epoll_create1(EPOLL_CLOEXEC);
    for (int k = 0; k < n; k++) {
        struct epoll_event e = {.events = EPOLLIN, .data.u64 = (unsigned long)k << 1};
        epoll_ctl(ep, EPOLL_CTL_ADD, srv[k], &e);
        e.data.u64 = (unsigned long)k << 1 | 1;
        epoll_ctl(ep, EPOLL_CTL_ADD, cli[k], &e);
    }
    printf("ready\n");
    fflush(stdout);
    char buf[4096];
    memset(buf, 'x', sizeof buf);
    double start = now(), tick = start;
    int next = 0;
    struct epoll_event ev[256];
    while (!stop && now() - start < limit) {
        // every PERIOD/20 s, 1/20 of the client ends send a request: each connection about once a PERIOD
        double t = now();
        if (t - tick >= every) {
            tick = t;
            int batch = (n + 19) / 20;
            for (int i = 0; i < batch; i++, next = (next + 1) % n) {
                if (write(cli[next], buf, 128) < 0 && errno != EAGAIN) die("write");
            }
        }
        int m = epoll_wait(ep, ev, 256, wait_ms);
        for (int i = 0; i < m; i++) {
            int k = ev[i].data.u64 >> 1;
            int fd = (ev[i].data.u64 & 1) ? cli[k] : srv[k];
            ssize_t r = read(fd, buf, sizeof buf);
            if (r > 0 && !(ev[i].data.u64 & 1)) {
                if (write(srv[k], buf, r) < 0 && errno != EAGAIN) die("echo");
            }
        }
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "tw") == 0) return time_wait(argc, argv);
    if (argc > 1 && strcmp(argv[1], "estab") == 0) return established(argc, argv);
    fprintf(stderr, "usage: load tw ... | load estab ...\n");
    return 2;
}
