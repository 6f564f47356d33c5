/*
 * udpgen: paced UDP load generator and counting members for vpnlb's end-to-end benchmarks (loopback only).
 *
 * Every datagram is valid ESP in UDP for the NAT-T port (RFC 3948): a non-zero SPI >= 256 first (0x10000 + flow),
 * then a sequence number and a send timestamp, zero-padded to --size (>= 16 bytes).
 *
 *   udpgen search   --target A:P[,A:P...] --sink A:P[,A:P...] [--flows 64] [--src 127.0.2.1] [--size 1400]
 *                   [--trial 2] [--warmup 2] [--max-rate 0] [--label TEXT]
 *       saturation trial (send as fast as one sender thread can), then a bisection for the loss-free rate: the
 *       highest offered rate with under 0.1% loss. --target may list several addresses (flow i goes to the
 *       i-th modulo the list): the direct path sends to the members themselves.
 *   udpgen rate     ... --rate PPS                  one trial at a fixed offered rate
 *   (search, rate, ping: --sport N binds flow i to source port N + i, so that two runs reuse the same sessions)
 *   udpgen ping     --target ... --echo A:P[,...] [--flows 16] [--rate 10000] [--duration 5] [--size 100]
 *       open-loop request/response at a fixed rate through the path; the members echo; prints RTT percentiles.
 *   udpgen newsess  --target A:P --sink A:P[,...] [--size 100] [--trial 1] [--pause 6] [--src-base 127.10.0.1]
 *                   [--max-rate 0] [--count N --rate PPS]
 *       first datagrams, each from a new source address (127.x.y.z chosen per datagram with IP_PKTINFO), counted
 *       at the members: a bisection for the highest rate of new clients admitted with under 0.1% loss and the
 *       admitted rate at saturation; with --count, sends N first datagrams at --rate and reports what arrived.
 *   udpgen sink     --sink A:P[,...] [--duration S] counts datagrams (no reply) and prints the totals.
 *
 * Output: human lines, and one machine line per result starting with "RESULT ".
 * Build: cc -O2 -pthread -o udpgen udpgen.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define MAX_ADDRS 16
#define MAX_FLOWS 1024
#define BATCH 32
#define MAX_SIZE 65507

static struct sockaddr_in targets[MAX_ADDRS], sinks[MAX_ADDRS];
static int ntargets, nsinks;
static int flows = 64, size = 1400, sport = 0;
static double trial = 2, warmup = 2, pause_s = 0, duration = 5, rate = 0, max_rate = 0;
static long count_n = 0;
static const char *label = "";
static struct in_addr src_base, newsess_base;
static int mode_echo;

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}
static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + t.tv_nsec;
}
static void die(const char *what) { perror(what); exit(2); }

static int parse_addrs(const char *list, struct sockaddr_in *out) {
    char buf[1024];
    int n = 0;
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save, *tok = strtok_r(buf, ",", &save); tok && n < MAX_ADDRS; tok = strtok_r(NULL, ",", &save)) {
        char *colon = strrchr(tok, ':');
        if (!colon) { fprintf(stderr, "bad address %s (expected A:P)\n", tok); exit(2); }
        *colon = 0;
        memset(&out[n], 0, sizeof out[n]);
        out[n].sin_family = AF_INET;
        out[n].sin_port = htons(atoi(colon + 1));
        if (inet_pton(AF_INET, tok, &out[n].sin_addr) != 1) { fprintf(stderr, "bad address %s\n", tok); exit(2); }
        n++;
    }
    return n;
}

static void fill_esp(unsigned char *p, int len, uint32_t spi, uint32_t seq, uint64_t ts) {
    uint32_t s = htonl(spi), q = htonl(seq);
    memcpy(p, &s, 4);
    memcpy(p + 4, &q, 4);
    memcpy(p + 8, &ts, 8);
    (void)len;
}

static int udp_socket(void) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) die("socket");
    int big = 8 << 20, one = 1;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    return fd;
}

/* ---------- members: counting sinks and echo servers ---------- */

struct member { int fd; atomic_long received; pthread_t thread; };
static struct member members[MAX_ADDRS];
static atomic_int stopping;

static void *member_loop(void *arg) {
    struct member *m = arg;
    static __thread struct mmsghdr msgs[BATCH];
    static __thread struct iovec iov[BATCH];
    static __thread struct sockaddr_in from[BATCH];
    unsigned char *bufs = malloc((size_t)BATCH * 2048);
    for (int i = 0; i < BATCH; i++) {
        iov[i].iov_base = bufs + i * 2048;
        iov[i].iov_len = 2048;
        memset(&msgs[i], 0, sizeof msgs[i]);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &from[i];
    }
    while (!atomic_load(&stopping)) {
        for (int i = 0; i < BATCH; i++) msgs[i].msg_hdr.msg_namelen = sizeof from[i];
        int n = recvmmsg(m->fd, msgs, BATCH, MSG_WAITFORONE, NULL);
        if (n <= 0) continue;   /* SO_RCVTIMEO: look at the stop flag */
        atomic_fetch_add_explicit(&m->received, n, memory_order_relaxed);
        if (mode_echo) {
            for (int i = 0; i < n; i++) iov[i].iov_len = msgs[i].msg_len;
            int sent = 0;
            while (sent < n) {
                int k = sendmmsg(m->fd, msgs + sent, n - sent, 0);
                if (k <= 0) break;
                sent += k;
            }
            for (int i = 0; i < n; i++) iov[i].iov_len = 2048;
        }
    }
    free(bufs);
    return NULL;
}

static void start_members(int echo) {
    mode_echo = echo;
    for (int i = 0; i < nsinks; i++) {
        members[i].fd = udp_socket();
        struct timeval tv = {0, 100000};
        setsockopt(members[i].fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        if (bind(members[i].fd, (struct sockaddr *)&sinks[i], sizeof sinks[i]) < 0) die("bind member");
        atomic_store(&members[i].received, 0);
        pthread_create(&members[i].thread, NULL, member_loop, &members[i]);
    }
}
static void stop_members(void) {
    atomic_store(&stopping, 1);
    for (int i = 0; i < nsinks; i++) { pthread_join(members[i].thread, NULL); close(members[i].fd); }
}
static long received_total(void) {
    long sum = 0;
    for (int i = 0; i < nsinks; i++) sum += atomic_load(&members[i].received);
    return sum;
}
/* Waits until the members' count has not moved for 300 ms (the path has drained), at most 3 s. */
static long drain(void) {
    long last = received_total();
    double until = now_s() + 3;
    int still = 0;
    for (;;) {
        usleep(100000);
        long cur = received_total();
        still = cur == last ? still + 1 : 0;
        if (still >= 3 || now_s() > until) return cur;
        last = cur;
    }
}

/* ---------- client flows ---------- */

static int flow_fd[MAX_FLOWS];
static uint32_t flow_seq[MAX_FLOWS];
static unsigned char *payload;

static void open_flows(void) {
    for (int f = 0; f < flows; f++) {
        flow_fd[f] = udp_socket();
        struct sockaddr_in src = {0};
        src.sin_family = AF_INET;
        src.sin_addr.s_addr = htonl(ntohl(src_base.s_addr) + f);
        src.sin_port = htons(sport ? sport + f : 0);
        if (bind(flow_fd[f], (struct sockaddr *)&src, sizeof src) < 0) die("bind flow");
        if (connect(flow_fd[f], (struct sockaddr *)&targets[f % ntargets], sizeof targets[0]) < 0) die("connect");
        flow_seq[f] = 0;
    }
}

struct trial_result { double offered, delivered, loss, secs; long sent, recv, errors; };

/* Sends from all flows at `pps` (0 = as fast as possible) for `secs`, then waits for the path to drain. */
static struct trial_result run_trial(double pps, double secs) {
    static unsigned char bufs[BATCH][2048];
    static struct mmsghdr msgs[BATCH];
    static struct iovec iov[BATCH];
    long sent = 0, errors = 0;
    int f = 0;
    for (int i = 0; i < BATCH; i++) {
        memcpy(bufs[i], payload, size > 2048 ? 2048 : size);
        iov[i].iov_base = bufs[i];
        iov[i].iov_len = size;
        memset(&msgs[i], 0, sizeof msgs[i]);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    long before = drain();
    double start = now_s(), end = start + secs, t;
    while ((t = now_s()) < end) {
        long due = pps > 0 ? (long)((t - start) * pps) - sent : BATCH;
        if (due <= 0) {
            struct timespec ts = {0, 20000};
            nanosleep(&ts, NULL);
            continue;
        }
        int k = due > BATCH / 4 && pps > 0 ? BATCH / 4 : (due > BATCH ? BATCH : (int)due);
        uint64_t stamp = now_ns();
        for (int i = 0; i < k; i++) fill_esp(bufs[i], size, 0x10000 + f, ++flow_seq[f], stamp);
        int n = sendmmsg(flow_fd[f], msgs, k, 0);
        if (n > 0) sent += n; else errors++;
        f = (f + 1) % flows;
    }
    double elapsed = now_s() - start;
    long after = drain();
    struct trial_result r;
    r.sent = sent;
    r.recv = after - before;
    r.errors = errors;
    r.secs = elapsed;
    r.offered = sent / elapsed;
    r.delivered = r.recv / elapsed;
    r.loss = sent > 0 ? 1.0 - (double)r.recv / sent : 0;
    if (r.loss < 0) r.loss = 0;
    return r;
}

static void print_trial(const char *what, double target_pps, struct trial_result r) {
    printf("  %-10s target %9.0f pps  offered %9.0f pps  delivered %9.0f pps  loss %6.3f%%  (sent %ld recv %ld)\n",
           what, target_pps, r.offered, r.delivered, r.loss * 100, r.sent, r.recv);
    fflush(stdout);
}

static void cmd_search(int fixed) {
    start_members(0);
    open_flows();
    usleep(200000);
    /* Warm-up: open the sessions (vpnlb, nginx) and let the JIT compile the balancer's path, uncounted. */
    if (warmup > 0) run_trial(20000, warmup);
    if (fixed) {
        struct trial_result r = run_trial(rate, trial);
        print_trial("fixed", rate, r);
        printf("RESULT label=%s size=%d flows=%d target_pps=%.0f offered_pps=%.0f delivered_pps=%.0f loss_pct=%.4f "
               "sent=%ld recv=%ld\n", label, size, flows, rate, r.offered, r.delivered, r.loss * 100, r.sent, r.recv);
        stop_members();
        return;
    }
    struct trial_result sat = run_trial(0, trial);
    print_trial("saturation", 0, sat);
    double hi = max_rate > 0 && max_rate < sat.offered ? max_rate : sat.offered;
    double lo = 0, best = 0;
    int generator_bound = 0;
    struct trial_result top = run_trial(hi, trial);
    print_trial("top", hi, top);
    if (top.loss < 0.001 && top.offered > 0.97 * hi) {
        best = top.offered;
        generator_bound = 1;
    } else {
        lo = 0;
        for (int i = 0; i < 9 && hi - lo > 0.03 * hi; i++) {
            double mid = lo == 0 ? hi / 2 : (lo + hi) / 2;
            struct trial_result r = run_trial(mid, trial);
            print_trial("probe", mid, r);
            if (r.loss < 0.001 && r.offered > 0.97 * mid) {
                lo = mid;
                if (r.offered > best) best = r.offered;
            } else {
                hi = mid;
            }
        }
    }
    printf("RESULT label=%s size=%d flows=%d lossfree_pps=%.0f sat_offered_pps=%.0f sat_delivered_pps=%.0f "
           "sat_loss_pct=%.3f generator_bound=%d\n",
           label, size, flows, best, sat.offered, sat.delivered, sat.loss * 100, generator_bound);
    stop_members();
}

/* ---------- latency ---------- */

static uint64_t *rtts;
static atomic_long nrtt;
static long rtt_cap;
static atomic_int measuring;
static _Atomic uint64_t measure_from_ns = UINT64_MAX;

static void *ping_receiver(void *arg) {
    (void)arg;
    int ep = epoll_create1(0);
    for (int f = 0; f < flows; f++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = flow_fd[f]};
        epoll_ctl(ep, EPOLL_CTL_ADD, flow_fd[f], &ev);
    }
    struct epoll_event evs[64];
    unsigned char buf[2048];
    while (!atomic_load(&stopping)) {
        int n = epoll_wait(ep, evs, 64, 100);
        for (int i = 0; i < n; i++) {
            for (;;) {
                ssize_t len = recv(evs[i].data.fd, buf, sizeof buf, MSG_DONTWAIT);
                if (len < 16) break;
                uint64_t ts;
                memcpy(&ts, buf + 8, 8);
                uint64_t rtt = now_ns() - ts;
                if (atomic_load(&measuring) && ts >= atomic_load(&measure_from_ns)) {
                    long k = atomic_fetch_add(&nrtt, 1);
                    if (k < rtt_cap) rtts[k] = rtt;
                }
            }
        }
    }
    close(ep);
    return NULL;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void cmd_ping(void) {
    start_members(1);
    open_flows();
    rtt_cap = (long)(rate * duration * 1.2) + 1000;
    rtts = malloc(rtt_cap * sizeof *rtts);
    pthread_t rx;
    pthread_create(&rx, NULL, ping_receiver, NULL);
    usleep(200000);
    unsigned char buf[MAX_SIZE];
    memset(buf, 0, sizeof buf);
    long sent = 0, measured_sent = 0;
    double warm = 1.0, start = now_s(), end = start + warm + duration, t;
    int f = 0;
    while ((t = now_s()) < end) {
        if (!atomic_load(&measuring) && t - start >= warm) {
            atomic_store(&measure_from_ns, now_ns());
            atomic_store(&measuring, 1);
            measured_sent = sent;
        }
        long due = (long)((t - start) * rate) - sent;
        if (due <= 0) {
            /* Sleep until the next datagram is due: one datagram at a time, no bursts. */
            double next = start + (sent + 1) / rate;
            double wait = next - now_s();
            if (wait > 0.00002) {
                struct timespec ts = {0, (long)((wait - 0.00001) * 1e9)};
                nanosleep(&ts, NULL);
            }
            continue;
        }
        fill_esp(buf, size, 0x10000 + f, ++flow_seq[f], now_ns());
        send(flow_fd[f], buf, size, 0);
        sent++;
        f = (f + 1) % flows;
    }
    long requests = sent - measured_sent;
    usleep(300000);
    atomic_store(&measuring, 0);
    atomic_store(&stopping, 1);
    pthread_join(rx, NULL);
    long n = atomic_load(&nrtt);
    if (n > rtt_cap) n = rtt_cap;
    qsort(rtts, n, sizeof *rtts, cmp_u64);
#define PCT(p) (n ? rtts[(long)((p) * (n - 1))] / 1000.0 : 0)
    printf("  %s size %d rate %.0f/s: %ld requests, %ld replies; RTT us p50 %.1f p90 %.1f p99 %.1f p99.9 %.1f max %.1f\n",
           label, size, rate, requests, n, PCT(0.5), PCT(0.9), PCT(0.99), PCT(0.999), n ? rtts[n - 1] / 1000.0 : 0);
    printf("RESULT label=%s size=%d rate=%.0f requests=%ld replies=%ld p50_us=%.1f p90_us=%.1f p99_us=%.1f "
           "p999_us=%.1f max_us=%.1f total_sent=%ld\n", label, size, rate, requests, n, PCT(0.5), PCT(0.9),
           PCT(0.99), PCT(0.999), n ? rtts[n - 1] / 1000.0 : 0, sent);
    atomic_store(&stopping, 0);
    stop_members();
}

/* ---------- new sessions: one first datagram per new source address ---------- */

static uint32_t next_source;

static struct trial_result newsess_trial(int fd, double pps, double secs, long limit) {
    static unsigned char buf[2048];
    static struct mmsghdr msgs[BATCH];
    static struct iovec iov[BATCH];
    static char ctl[BATCH][CMSG_SPACE(sizeof(struct in_pktinfo))];
    for (int i = 0; i < BATCH; i++) {
        iov[i].iov_base = buf;
        iov[i].iov_len = size;
        memset(&msgs[i], 0, sizeof msgs[i]);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &targets[0];
        msgs[i].msg_hdr.msg_namelen = sizeof targets[0];
        msgs[i].msg_hdr.msg_control = ctl[i];
        msgs[i].msg_hdr.msg_controllen = sizeof ctl[i];
        struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[i].msg_hdr);
        c->cmsg_level = IPPROTO_IP;
        c->cmsg_type = IP_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
    }
    fill_esp(buf, size, 0x20000, 1, 0);
    long sent = 0;
    long before = drain();
    double start = now_s(), end = start + secs, t;
    while ((t = now_s()) < end && (limit <= 0 || sent < limit)) {
        long due = pps > 0 ? (long)((t - start) * pps) - sent : BATCH;
        if (limit > 0 && due > limit - sent) due = limit - sent;
        if (due <= 0) {
            struct timespec ts = {0, 20000};
            nanosleep(&ts, NULL);
            continue;
        }
        int k = due > BATCH ? BATCH : (int)due;
        for (int i = 0; i < k; i++) {
            struct in_pktinfo *pi = (struct in_pktinfo *)CMSG_DATA(CMSG_FIRSTHDR(&msgs[i].msg_hdr));
            memset(pi, 0, sizeof *pi);
            uint32_t a;
            do a = next_source++; while ((a & 0xFF) == 0 || (a & 0xFF) == 0xFF);  /* skip .0 and .255 */
            pi->ipi_spec_dst.s_addr = htonl(a);
        }
        int n = sendmmsg(fd, msgs, k, 0);
        if (n > 0) sent += n;
    }
    double elapsed = now_s() - start;
    long after = drain();
    struct trial_result r = {0};
    r.sent = sent;
    r.recv = after - before;
    r.secs = elapsed;
    r.offered = sent / elapsed;
    r.delivered = r.recv / elapsed;
    r.loss = sent > 0 ? 1.0 - (double)r.recv / sent : 0;
    if (r.loss < 0) r.loss = 0;
    return r;
}

static void cmd_newsess(void) {
    start_members(0);
    int fd = udp_socket();
    struct sockaddr_in any = {0};
    any.sin_family = AF_INET;
    any.sin_port = htons(0);
    if (bind(fd, (struct sockaddr *)&any, sizeof any) < 0) die("bind");
    next_source = ntohl(newsess_base.s_addr);
    usleep(200000);
    if (count_n > 0) {
        struct trial_result r = newsess_trial(fd, rate, 3600, count_n);
        print_trial("sessions", rate, r);
        printf("RESULT label=%s sent=%ld admitted=%ld offered_pps=%.0f admitted_pps=%.0f last_source=%u.%u.%u.%u\n",
               label, r.sent, r.recv, r.offered, r.delivered, next_source >> 24, (next_source >> 16) & 255,
               (next_source >> 8) & 255, next_source & 255);
        stop_members();
        return;
    }
    struct trial_result sat = newsess_trial(fd, 0, trial, 0);
    print_trial("saturation", 0, sat);
    double hi = max_rate > 0 && max_rate < sat.offered ? max_rate : sat.offered, lo = 0, best = 0;
    for (int i = 0; i < 8 && hi - lo > 0.05 * hi; i++) {
        if (pause_s > 0) usleep((useconds_t)(pause_s * 1e6));
        double mid = lo == 0 ? hi / 2 : (lo + hi) / 2;
        struct trial_result r = newsess_trial(fd, mid, trial, 0);
        print_trial("probe", mid, r);
        if (r.loss < 0.001 && r.offered > 0.97 * mid) {
            lo = mid;
            if (r.offered > best) best = r.offered;
        } else {
            hi = mid;
        }
    }
    printf("RESULT label=%s size=%d lossfree_new_per_s=%.0f sat_offered_per_s=%.0f sat_admitted_per_s=%.0f "
           "sat_loss_pct=%.3f sources_used=%u\n", label, size, best, sat.offered, sat.delivered, sat.loss * 100,
           next_source - ntohl(newsess_base.s_addr));
    stop_members();
}

static void cmd_sink(void) {
    start_members(0);
    double end = now_s() + (duration > 0 ? duration : 1e9);
    while (now_s() < end) usleep(100000);
    printf("RESULT label=%s received=%ld\n", label, received_total());
    stop_members();
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: see the comment at the top of udpgen.c\n"); return 2; }
    const char *mode = argv[1];
    inet_pton(AF_INET, "127.0.2.1", &src_base);
    inet_pton(AF_INET, "127.10.0.1", &newsess_base);
    for (int i = 2; i < argc; i++) {
        const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
        int used = 1;
        if (!strcmp(k, "--target")) ntargets = parse_addrs(v, targets);
        else if (!strcmp(k, "--sink") || !strcmp(k, "--echo")) nsinks = parse_addrs(v, sinks);
        else if (!strcmp(k, "--flows")) flows = atoi(v);
        else if (!strcmp(k, "--size")) size = atoi(v);
        else if (!strcmp(k, "--trial")) trial = atof(v);
        else if (!strcmp(k, "--pause")) pause_s = atof(v);
        else if (!strcmp(k, "--warmup")) warmup = atof(v);
        else if (!strcmp(k, "--sport")) sport = atoi(v);
        else if (!strcmp(k, "--duration")) duration = atof(v);
        else if (!strcmp(k, "--rate")) rate = atof(v);
        else if (!strcmp(k, "--max-rate")) max_rate = atof(v);
        else if (!strcmp(k, "--count")) count_n = atol(v);
        else if (!strcmp(k, "--label")) label = v;
        else if (!strcmp(k, "--src")) inet_pton(AF_INET, v, &src_base);
        else if (!strcmp(k, "--src-base")) inet_pton(AF_INET, v, &newsess_base);
        else { fprintf(stderr, "unknown option %s\n", k); return 2; }
        i += used;
    }
    if (size < 16 || size > 2048) { fprintf(stderr, "--size must be 16..2048\n"); return 2; }
    if (flows < 1 || flows > MAX_FLOWS) { fprintf(stderr, "--flows must be 1..%d\n", MAX_FLOWS); return 2; }
    prctl(PR_SET_TIMERSLACK, 1UL);
    payload = calloc(1, 2048);
    if (!strcmp(mode, "search") || !strcmp(mode, "rate")) {
        if (!ntargets || !nsinks) { fprintf(stderr, "--target and --sink are required\n"); return 2; }
        cmd_search(!strcmp(mode, "rate"));
    } else if (!strcmp(mode, "ping")) {
        if (!ntargets || !nsinks || rate <= 0) { fprintf(stderr, "--target, --echo and --rate are required\n"); return 2; }
        cmd_ping();
    } else if (!strcmp(mode, "newsess")) {
        if (!ntargets || !nsinks) { fprintf(stderr, "--target and --sink are required\n"); return 2; }
        cmd_newsess();
    } else if (!strcmp(mode, "sink")) {
        cmd_sink();
    } else {
        fprintf(stderr, "unknown mode %s\n", mode);
        return 2;
    }
    return 0;
}
