/*
 * tlsgen: TLS load generator and members for vpnlb's TLS end-to-end benchmarks (loopback only; OpenSSL).
 *
 * Every connection carries SSTP-shaped bytes, so that vpnlb's sstp services (which check the HTTP request and
 * follow the SSTP packets both ways) and plain TLS proxies carry exactly the same stream: the client sends
 * "SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1" with Windows' headers, the member
 * answers "HTTP/1.1 200 OK", and then both sides send SSTP data packets (0x10 0x00, 12-bit length, 4,000 bytes).
 *
 *   tlsgen serve --listen A:P [--threads 2] [--cert PEM --key PEM]
 *       member: TLS when --cert is given, plain TCP otherwise; one SO_REUSEPORT socket and epoll loop per thread.
 *       Reads the request header, answers 200, then by the request's X-Bench header: "stream" sends data packets
 *       until the client leaves (reading and discarding what it sends), anything else echoes.
 *   tlsgen hs --target A:P [--conns 32] [--threads 1] [--duration 5] [--warmup 2] [--tls 1.3|1.2] [--label L]
 *       full handshakes at a fixed concurrency: each connection connects, handshakes (a fresh session: no
 *       resumption), sends the request, reads the answer's header, sends close_notify and FIN, waits for the
 *       peer's FIN and closes; a new connection takes its place. Counts connections whose answer arrived within
 *       the measured window; prints the rate and the connect-to-answer time.
 *   tlsgen bulk --target A:P [--conns 8] [--threads 1] [--duration 5] [--warmup 2] [--tls 1.3] [--dir down|echo]
 *       long connections: down = the member streams data packets to the client; echo = the client sends data
 *       packets (at most 256 KiB unanswered per connection) and the member echoes them. Counts the application
 *       bytes the client received in the measured window.
 *   Client options: --ciphers LIST (TLS 1.2), --suites LIST (TLS 1.3), --groups LIST (default X25519:P-256),
 *   --cpu-pid PID (reports the CPU time that process used in the measured window, per handshake or per GB),
 *   --label TEXT. The defaults offer one cipher suite and X25519 first, so that every path negotiates the same
 *   algorithms: TLS_AES_128_GCM_SHA256 or ECDHE-{ECDSA,RSA}-AES128-GCM-SHA256 with X25519 (P-256 is offered too:
 *   in TLS 1.2 a server accepts an ECDSA certificate only on a curve the client lists).
 *
 * Output: human lines, and one machine line per result starting with "RESULT ".
 * Build: cc -O2 -pthread -o tlsgen tlsgen.c -lssl -lcrypto
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 16
#define MAX_CONNS 4096
#define PACKET 4000              /* SSTP data packet, header included */
#define CHUNK (4 * PACKET)       /* one write: four whole packets, one TLS record */
#define ECHO_WINDOW (256 * 1024) /* echo: unanswered bytes per connection */
#define MAX_SAMPLES (1 << 20)

static const char REQUEST_FMT[] =
    "SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1\r\n"
    "Host: vpn.bench.test\r\n"
    "SSTPCORRELATIONID: {8B1F7C3A-2D4E-4F60-9A1B-3C5D7E9F0A2B}\r\n"
    "Content-Length: 18446744073709551615\r\n"
    "X-Bench: %s\r\n"
    "\r\n";
static const char RESPONSE[] =
    "HTTP/1.1 200 OK\r\n"
    "Content-Length: 18446744073709551615\r\n"
    "Server: tlsgen\r\n"
    "\r\n";

static struct sockaddr_in addr;
static int nconns = -1, nthreads = 1, tls_version = 13, bulk_echo = 0, cpu_pid = 0;
static double duration = 5, warmup = 2;
static const char *label = "", *cert_file, *key_file, *ciphers, *suites, *groups = "X25519:P-256";
static unsigned char chunk[CHUNK];
static char request[512];
static int request_len;
/* 0 warm-up, 1 measuring, 2 stopping */
static atomic_int phase;
static atomic_int negotiated_printed;

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + t.tv_nsec;
}
static void die(const char *what) { perror(what); exit(2); }
static void die_ssl(const char *what) {
    fprintf(stderr, "%s: ", what);
    ERR_print_errors_fp(stderr);
    exit(2);
}

static void parse_addr(const char *s) {
    char buf[128];
    snprintf(buf, sizeof buf, "%s", s);
    char *colon = strrchr(buf, ':');
    if (!colon) { fprintf(stderr, "bad address %s (expected A:P)\n", s); exit(2); }
    *colon = 0;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(atoi(colon + 1));
    if (inet_pton(AF_INET, buf, &addr.sin_addr) != 1) { fprintf(stderr, "bad address %s\n", s); exit(2); }
}

/* utime + stime of a process, in seconds; -1 when unreadable. */
static double process_cpu(int pid) {
    char path[64], buf[2048];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p) return -1;
    unsigned long ut = 0, st = 0;
    /* after ") ": state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15) */
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2) return -1;
    return (double)(ut + st) / sysconf(_SC_CLK_TCK);
}

/* ---- I/O over TLS or plain TCP: >0 bytes, 0 end of stream, -1 would block, -2 error --------------------------- */

static int io_result(SSL *ssl, int r) {
    if (r > 0) return r;
    switch (SSL_get_error(ssl, r)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE: return -1;
    case SSL_ERROR_ZERO_RETURN: return 0;
    case SSL_ERROR_SYSCALL:
        ERR_clear_error();
        return errno == 0 || errno == ECONNRESET ? 0 : -2;
    default: ERR_clear_error(); return -2;
    }
}
static int io_read(int fd, SSL *ssl, void *buf, int n) {
    if (ssl) return io_result(ssl, SSL_read(ssl, buf, n));
    ssize_t r = read(fd, buf, n);
    if (r >= 0) return (int)r;
    return errno == EAGAIN ? -1 : errno == ECONNRESET ? 0 : -2;
}
static int io_write(int fd, SSL *ssl, const void *buf, int n) {
    if (ssl) return io_result(ssl, SSL_write(ssl, buf, n));
    ssize_t r = send(fd, buf, n, MSG_NOSIGNAL);
    if (r >= 0) return (int)r;
    return errno == EAGAIN ? -1 : -2;
}

/* Finds the end of an HTTP header ("\r\n\r\n") across reads; returns the offset just past it in buf, or -1. */
static int header_end(int *state, const unsigned char *buf, int n) {
    for (int i = 0; i < n; i++) {
        unsigned char b = buf[i];
        if (b == '\r') *state = (*state == 0 || *state == 2) ? *state + 1 : 1;
        else if (b == '\n' && (*state == 1 || *state == 3)) {
            if (++*state == 4) return i + 1;
        } else *state = 0;
    }
    return -1;
}

/* ---- member ------------------------------------------------------------------------------------------------- */

enum { M_HANDSHAKE, M_REQUEST, M_RESPONSE, M_SERVE };

struct member_conn {
    int fd, state, hdr, stream;
    SSL *ssl;
    char req[1024];
    int req_len, resp_off;
    unsigned char buf[CHUNK];
    int buf_len, buf_off;
};

static SSL_CTX *member_ctx;

static void member_close(struct member_conn *c) {
    if (c->ssl) {
        SSL_shutdown(c->ssl);
        SSL_free(c->ssl);
    }
    close(c->fd);
    free(c);
}

/* Runs the connection until it blocks; returns 0 when it ended. */
static int member_drive(struct member_conn *c) {
    for (;;) {
        switch (c->state) {
        case M_HANDSHAKE: {
            int r = io_result(c->ssl, SSL_accept(c->ssl));
            if (r == -1) return 1;
            if (r <= 0) return 0;
            c->state = M_REQUEST;
            break;
        }
        case M_REQUEST: {
            unsigned char tmp[1024];
            int r = io_read(c->fd, c->ssl, tmp, sizeof tmp);
            if (r == -1) return 1;
            if (r <= 0) return 0;
            int end = header_end(&c->hdr, tmp, r);
            int keep = end < 0 ? r : end;
            if (c->req_len + keep < (int)sizeof c->req - 1) {
                memcpy(c->req + c->req_len, tmp, keep);
                c->req_len += keep;
                c->req[c->req_len] = 0;
            }
            if (end < 0) break;
            c->stream = strstr(c->req, "X-Bench: stream") != NULL;
            if (end < r) { /* packets right behind the request: echo them after the answer */
                memcpy(c->buf, tmp + end, r - end);
                c->buf_len = r - end;
                c->buf_off = 0;
            }
            c->state = M_RESPONSE;
            break;
        }
        case M_RESPONSE: {
            int r = io_write(c->fd, c->ssl, RESPONSE + c->resp_off, (int)sizeof RESPONSE - 1 - c->resp_off);
            if (r == -1) return 1;
            if (r <= 0) return 0;
            c->resp_off += r;
            if (c->resp_off == (int)sizeof RESPONSE - 1) c->state = M_SERVE;
            break;
        }
        case M_SERVE:
            if (c->stream) {
                unsigned char tmp[4096];
                int progress = 0, r;
                /* discard what the client sends, and notice when it leaves */
                while ((r = io_read(c->fd, c->ssl, tmp, sizeof tmp)) > 0) progress = 1;
                if (r == 0 || r == -2) return 0;
                r = io_write(c->fd, c->ssl, chunk + c->buf_off, CHUNK - c->buf_off);
                if (r <= -2 || r == 0) return 0;
                if (r > 0) {
                    c->buf_off = (c->buf_off + r) % CHUNK;
                    progress = 1;
                }
                if (!progress) return 1;
            } else {
                if (c->buf_len > 0) {
                    int r = io_write(c->fd, c->ssl, c->buf + c->buf_off, c->buf_len);
                    if (r == -1) return 1;
                    if (r <= 0) return 0;
                    c->buf_off += r;
                    c->buf_len -= r;
                    continue;
                }
                int r = io_read(c->fd, c->ssl, c->buf, sizeof c->buf);
                if (r == -1) return 1;
                if (r <= 0) return 0;
                c->buf_len = r;
                c->buf_off = 0;
            }
            break;
        }
    }
}

static void *member_thread(void *arg) {
    (void)arg;
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(ls, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (bind(ls, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
    if (listen(ls, 4096) < 0) die("listen");
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
    struct epoll_event events[256];
    for (;;) {
        int n = epoll_wait(ep, events, 256, -1);
        for (int i = 0; i < n; i++) {
            struct member_conn *c = events[i].data.ptr;
            if (!c) {
                int fd;
                while ((fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    c = calloc(1, sizeof *c);
                    c->fd = fd;
                    c->state = M_REQUEST;
                    if (member_ctx) {
                        c->ssl = SSL_new(member_ctx);
                        SSL_set_fd(c->ssl, fd);
                        SSL_set_accept_state(c->ssl);
                        c->state = M_HANDSHAKE;
                    }
                    struct epoll_event cev = {.events = EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP, .data.ptr = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev);
                    if (!member_drive(c)) member_close(c);
                }
                continue;
            }
            if (!member_drive(c)) member_close(c);
        }
    }
    return NULL;
}

static void cmd_serve(void) {
    if (cert_file) {
        member_ctx = SSL_CTX_new(TLS_server_method());
        if (!member_ctx) die_ssl("SSL_CTX_new");
        SSL_CTX_set_min_proto_version(member_ctx, TLS1_2_VERSION);
        if (SSL_CTX_use_certificate_chain_file(member_ctx, cert_file) != 1) die_ssl(cert_file);
        if (SSL_CTX_use_PrivateKey_file(member_ctx, key_file ? key_file : cert_file, SSL_FILETYPE_PEM) != 1)
            die_ssl("private key");
        SSL_CTX_set_mode(member_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    }
    pthread_t t[MAX_THREADS];
    for (int i = 0; i < nthreads; i++) pthread_create(&t[i], NULL, member_thread, NULL);
    fprintf(stderr, "member on %s:%d, %s, %d thread(s)\n", inet_ntoa(addr.sin_addr), ntohs(addr.sin_port),
            cert_file ? "TLS" : "plain TCP", nthreads);
    for (int i = 0; i < nthreads; i++) pthread_join(t[i], NULL);
}

/* ---- client ------------------------------------------------------------------------------------------------- */

enum { C_IDLE, C_CONNECT, C_HANDSHAKE, C_REQUEST, C_HEADER, C_DATA, C_CLOSING };

struct client_conn {
    int fd, state, hdr, req_off, chunk_off;
    SSL *ssl;
    uint64_t start;
    long long unanswered;
    struct worker *w;
};

struct worker {
    int id, ep, conns;
    SSL_CTX *ctx;
    struct client_conn *c;
    long long done, failed, resumed, bytes;
    uint32_t *samples; /* connect-to-answer times, microseconds */
    long nsamples;
    pthread_t thread;
};

static struct worker workers[MAX_THREADS];
static int mode_hs;

static void print_negotiated(SSL *ssl) {
    int expected = 0;
    if (!atomic_compare_exchange_strong(&negotiated_printed, &expected, 1)) return;
    int group = SSL_get_negotiated_group(ssl), sig = 0, digest = 0;
    SSL_get_peer_signature_type_nid(ssl, &sig);
    SSL_get_peer_signature_nid(ssl, &digest);
    X509 *cert = SSL_get0_peer_certificate(ssl);
    EVP_PKEY *key = cert ? X509_get0_pubkey(cert) : NULL;
    fprintf(stderr, "negotiated: %s %s, group %s, signature %s with %s, server key %s %d bits\n",
            SSL_get_version(ssl), SSL_CIPHER_get_name(SSL_get_current_cipher(ssl)), group ? OBJ_nid2sn(group) : "?",
            sig ? OBJ_nid2sn(sig) : "?", digest ? OBJ_nid2sn(digest) : "?", key ? EVP_PKEY_get0_type_name(key) : "?",
            key ? EVP_PKEY_get_bits(key) : 0);
}

static void client_release(struct client_conn *c) {
    if (c->ssl) SSL_free(c->ssl);
    c->ssl = NULL;
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    c->state = C_IDLE;
}

static void client_fail(struct client_conn *c) {
    if (atomic_load_explicit(&phase, memory_order_relaxed) == 1) c->w->failed++;
    client_release(c);
}

/* Opens a new connection; leaves the connection idle (retried later) when the socket cannot be made. */
static void client_open(struct client_conn *c) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) { c->state = C_IDLE; return; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->fd = fd;
    c->start = now_ns();
    c->hdr = c->req_off = c->chunk_off = 0;
    c->unanswered = 0;
    int r = connect(fd, (struct sockaddr *)&addr, sizeof addr);
    if (r < 0 && errno != EINPROGRESS) { client_fail(c); return; }
    c->ssl = SSL_new(c->w->ctx);
    SSL_set_fd(c->ssl, fd);
    SSL_set_connect_state(c->ssl);
    c->state = C_CONNECT;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP, .data.ptr = c};
    epoll_ctl(c->w->ep, EPOLL_CTL_ADD, fd, &ev);
}

static void count_bytes(struct client_conn *c, int n) {
    if (atomic_load_explicit(&phase, memory_order_relaxed) == 1) c->w->bytes += n;
}

/* Runs the connection until it blocks. */
static void client_drive(struct client_conn *c) {
    unsigned char buf[CHUNK + 1024];
    for (;;) {
        switch (c->state) {
        case C_IDLE: return;
        case C_CONNECT: {
            int err = 0;
            socklen_t len = sizeof err;
            getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
            if (err) { client_fail(c); return; }
            struct sockaddr_in peer;
            socklen_t plen = sizeof peer;
            if (getpeername(c->fd, (struct sockaddr *)&peer, &plen) < 0) return; /* still connecting */
            c->state = C_HANDSHAKE;
            break;
        }
        case C_HANDSHAKE: {
            int r = io_result(c->ssl, SSL_connect(c->ssl));
            if (r == -1) return;
            if (r <= 0) { client_fail(c); return; }
            print_negotiated(c->ssl);
            if (SSL_session_reused(c->ssl)) c->w->resumed++;
            c->state = C_REQUEST;
            break;
        }
        case C_REQUEST: {
            int r = io_write(c->fd, c->ssl, request + c->req_off, request_len - c->req_off);
            if (r == -1) return;
            if (r <= 0) { client_fail(c); return; }
            c->req_off += r;
            if (c->req_off == request_len) c->state = C_HEADER;
            break;
        }
        case C_HEADER: {
            int r = io_read(c->fd, c->ssl, buf, sizeof buf);
            if (r == -1) return;
            if (r <= 0) { client_fail(c); return; }
            int end = header_end(&c->hdr, buf, r);
            if (end < 0) break;
            if (mode_hs) {
                if (atomic_load_explicit(&phase, memory_order_relaxed) == 1) {
                    struct worker *w = c->w;
                    w->done++;
                    if (w->nsamples < MAX_SAMPLES) w->samples[w->nsamples++] = (uint32_t)((now_ns() - c->start) / 1000);
                }
                SSL_shutdown(c->ssl); /* close_notify */
                shutdown(c->fd, SHUT_WR);
                c->state = C_CLOSING;
                break;
            }
            count_bytes(c, r - end);
            c->unanswered -= r - end;
            c->state = C_DATA;
            break;
        }
        case C_DATA: {
            int progress = 0;
            if (bulk_echo && c->unanswered < ECHO_WINDOW) {
                int r = io_write(c->fd, c->ssl, chunk + c->chunk_off, CHUNK - c->chunk_off);
                if (r <= -2 || r == 0) { client_fail(c); return; }
                if (r > 0) {
                    c->chunk_off = (c->chunk_off + r) % CHUNK;
                    c->unanswered += r;
                    progress = 1;
                }
            }
            int r = io_read(c->fd, c->ssl, buf, sizeof buf);
            if (r == 0 || r == -2) { client_fail(c); return; }
            if (r > 0) {
                count_bytes(c, r);
                c->unanswered -= r;
                progress = 1;
            }
            if (!progress) return;
            break;
        }
        case C_CLOSING: {
            /* the peer's close_notify and FIN; the bytes themselves do not matter any more */
            ssize_t r;
            while ((r = read(c->fd, buf, sizeof buf)) > 0) {
            }
            if (r < 0 && errno == EAGAIN) return;
            client_release(c);
            if (atomic_load_explicit(&phase, memory_order_relaxed) < 2) client_open(c);
            return;
        }
        }
    }
}

static void *client_thread(void *arg) {
    struct worker *w = arg;
    struct epoll_event events[256];
    for (int i = 0; i < w->conns; i++) {
        w->c[i].w = w;
        w->c[i].fd = -1;
        client_open(&w->c[i]);
    }
    while (atomic_load(&phase) < 2) {
        int idle = 0;
        for (int i = 0; i < w->conns; i++) {
            if (w->c[i].state == C_IDLE) {
                client_open(&w->c[i]);
                idle += w->c[i].state == C_IDLE;
            }
        }
        int n = epoll_wait(w->ep, events, 256, idle ? 1 : 50);
        for (int i = 0; i < n; i++) client_drive(events[i].data.ptr);
    }
    for (int i = 0; i < w->conns; i++) client_release(&w->c[i]);
    return NULL;
}

static SSL_CTX *client_ctx(void) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) die_ssl("SSL_CTX_new");
    int v = tls_version == 12 ? TLS1_2_VERSION : TLS1_3_VERSION;
    SSL_CTX_set_min_proto_version(ctx, v);
    SSL_CTX_set_max_proto_version(ctx, v);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    const char *c12 = ciphers ? ciphers : "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256";
    const char *c13 = suites ? suites : "TLS_AES_128_GCM_SHA256";
    if (SSL_CTX_set_cipher_list(ctx, c12) != 1) die_ssl("--ciphers");
    if (SSL_CTX_set_ciphersuites(ctx, c13) != 1) die_ssl("--suites");
    if (SSL_CTX_set1_groups_list(ctx, groups) != 1) die_ssl("--groups");
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return ctx;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void cmd_client(void) {
    if (nconns < 0) nconns = mode_hs ? 32 : 8;
    if (nconns > MAX_CONNS) nconns = MAX_CONNS;
    if (nthreads > nconns) nthreads = nconns;
    request_len = snprintf(request, sizeof request, REQUEST_FMT, mode_hs ? "close" : bulk_echo ? "echo" : "stream");
    for (int i = 0; i < nthreads; i++) {
        struct worker *w = &workers[i];
        w->id = i;
        w->conns = nconns / nthreads + (i < nconns % nthreads);
        w->c = calloc(w->conns, sizeof *w->c);
        w->ctx = client_ctx();
        w->ep = epoll_create1(0);
        if (mode_hs) w->samples = malloc(sizeof(uint32_t) * MAX_SAMPLES);
        pthread_create(&w->thread, NULL, client_thread, w);
    }
    struct timespec ts = {(time_t)warmup, (long)((warmup - (time_t)warmup) * 1e9)};
    nanosleep(&ts, NULL);
    double cpu0 = cpu_pid ? process_cpu(cpu_pid) : -1;
    uint64_t t0 = now_ns();
    atomic_store(&phase, 1);
    ts.tv_sec = (time_t)duration;
    ts.tv_nsec = (long)((duration - (time_t)duration) * 1e9);
    nanosleep(&ts, NULL);
    atomic_store(&phase, 2);
    uint64_t t1 = now_ns();
    double cpu1 = cpu_pid ? process_cpu(cpu_pid) : -1;
    long long done = 0, failed = 0, resumed = 0, bytes = 0;
    long ns = 0;
    for (int i = 0; i < nthreads; i++) {
        pthread_join(workers[i].thread, NULL);
        done += workers[i].done;
        failed += workers[i].failed;
        resumed += workers[i].resumed;
        bytes += workers[i].bytes;
        ns += workers[i].nsamples;
    }
    double secs = (t1 - t0) / 1e9;
    double cpu = cpu0 >= 0 && cpu1 >= 0 ? cpu1 - cpu0 : -1;
    if (mode_hs) {
        uint32_t *all = malloc(sizeof(uint32_t) * (ns ? ns : 1));
        long k = 0;
        for (int i = 0; i < nthreads; i++)
            for (long j = 0; j < workers[i].nsamples; j++) all[k++] = workers[i].samples[j];
        qsort(all, ns, sizeof *all, cmp_u32);
        double p50 = ns ? all[ns / 2] / 1000.0 : 0, p99 = ns ? all[(long)(ns * 0.99)] / 1000.0 : 0;
        printf("%s: %lld handshakes in %.2f s = %.0f/s, %lld failed, %lld resumed; connect-to-answer p50 %.2f ms"
               " p99 %.2f ms%s", label, done, secs, done / secs, failed, resumed, p50, p99, cpu >= 0 ? "" : "\n");
        if (cpu >= 0) printf("; balancer CPU %.2f s = %.0f us per handshake\n", cpu, done ? cpu * 1e6 / done : 0);
        printf("RESULT label=%s handshakes=%lld seconds=%.3f rate=%.1f failed=%lld resumed=%lld p50_ms=%.3f "
               "p99_ms=%.3f cpu_s=%.3f cpu_us_per_hs=%.1f\n", label, done, secs, done / secs, failed, resumed, p50,
               p99, cpu, cpu >= 0 && done ? cpu * 1e6 / done : -1);
    } else {
        double mbps = bytes / secs / 1e6;
        printf("%s: %lld bytes in %.2f s = %.1f MB/s over %d connections, %lld failed%s", label, bytes, secs, mbps,
               nconns, failed, cpu >= 0 ? "" : "\n");
        if (cpu >= 0) printf("; balancer CPU %.2f s = %.2f s per GB\n", cpu, bytes ? cpu * 1e9 / bytes : 0);
        printf("RESULT label=%s bytes=%lld seconds=%.3f mbps=%.1f failed=%lld cpu_s=%.3f cpu_s_per_gb=%.3f\n", label,
               bytes, secs, mbps, failed, cpu, cpu >= 0 && bytes ? cpu * 1e9 / bytes : -1);
    }
    fflush(stdout);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: tlsgen serve|hs|bulk [options] (see the comment at the top of tlsgen.c)\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    const char *mode = argv[1];
    for (int i = 2; i < argc; i += 2) {
        const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
        if (!strcmp(k, "--listen") || !strcmp(k, "--target")) parse_addr(v);
        else if (!strcmp(k, "--threads")) nthreads = atoi(v);
        else if (!strcmp(k, "--conns")) nconns = atoi(v);
        else if (!strcmp(k, "--duration")) duration = atof(v);
        else if (!strcmp(k, "--warmup")) warmup = atof(v);
        else if (!strcmp(k, "--tls")) tls_version = !strcmp(v, "1.2") ? 12 : 13;
        else if (!strcmp(k, "--dir")) bulk_echo = !strcmp(v, "echo");
        else if (!strcmp(k, "--cert")) cert_file = v;
        else if (!strcmp(k, "--key")) key_file = v;
        else if (!strcmp(k, "--ciphers")) ciphers = v;
        else if (!strcmp(k, "--suites")) suites = v;
        else if (!strcmp(k, "--groups")) groups = v;
        else if (!strcmp(k, "--cpu-pid")) cpu_pid = atoi(v);
        else if (!strcmp(k, "--label")) label = v;
        else { fprintf(stderr, "unknown option %s\n", k); return 2; }
    }
    if (nthreads < 1 || nthreads > MAX_THREADS) { fprintf(stderr, "--threads 1..%d\n", MAX_THREADS); return 2; }
    /* SSTP data packets: version 0x10, data (C bit 0), 12-bit length; the payload's bytes do not matter */
    for (int p = 0; p < CHUNK; p += PACKET) {
        chunk[p] = 0x10;
        chunk[p + 1] = 0x00;
        chunk[p + 2] = (PACKET >> 8) & 0x0F;
        chunk[p + 3] = PACKET & 0xFF;
        for (int j = 4; j < PACKET; j++) chunk[p + j] = (unsigned char)(p + j);
    }
    if (!strcmp(mode, "serve")) {
        cmd_serve();
    } else if (!strcmp(mode, "hs") || !strcmp(mode, "bulk")) {
        mode_hs = !strcmp(mode, "hs");
        cmd_client();
    } else {
        fprintf(stderr, "unknown mode %s\n", mode);
        return 2;
    }
    return 0;
}
