#!/usr/bin/env python3
"""IKE-shaped UDP peers for faults.sh and soak.sh: quiet member responders, counting clients, a burst sender.

member NAME ADDRESS [--ports 500,4500] [--tcp-echo PORT]
    Answers every well-formed IKEv2 request on ADDRESS:PORT (4500: after the non-ESP marker) with an IKEv2
    response: the same SPIi, exchange and message ID, flag R, a SPIr (new and random for an IKE_SA_INIT with
    SPIr 0, else the request's), a Vendor ID payload "member=NAME" and, for IKE_SA_INIT, a
    NAT_DETECTION_SOURCE_IP notify. vpnlb's ike health check is such a request, so the responder also passes
    the probes. Anything else (ESP, malformed) is counted, not answered.
    Prints "listening ..." once, then "rx=N answered=N other=N" whenever the counts changed, at most once a
    second (so a log stays small at any rate). With --tcp-echo it also echoes every TCP connection on
    ADDRESS:PORT.

clients VIP PORT CLIENT... --rate R --duration S [--size B] [--grace G]
    CLIENT is ADDRESS:SRCPORT. Each client sends R requests a second for S seconds from its own socket: an
    IKE_SA_INIT (SPIr 0) until it is answered, then INFORMATIONAL requests with the SPIs the member gave and a
    new message ID each; every request is padded to B bytes. An answer is a response from VIP:PORT with an
    outstanding message ID; it names the member. After S seconds the clients wait G seconds for late answers.
    Prints one line per client:
      client ADDRESS:SRCPORT sent=N answered=N first=MEMBER last=MEMBER members=NAME:N,... lost_after_move=N
    ("-" when no answer; lost_after_move: requests after the first one `last` answered that got no answer), then
    "total sent=N answered=N". Exit 0 (even with losses: the scenario judges), 2 usage.

churn VIP PORT NET --new-per-second K --lifetime L --rate R --duration S [--report 10] [--size B]
    Sessions that come and go: every second K new clients start, each from the next address of NET (cycling)
    and a random source port, and send R requests a second (as `clients`) for L seconds, then stop. Every
    --report seconds prints "t=T sent=N answered=N clients=N rx=N foreign=N unexpected=N loops=N open=N", the
    totals so far (a stopped client collects late answers for 3 more seconds; rx: datagrams read, foreign: not
    an answer from the VIP, unexpected: an answer to no outstanding request; loops: scheduler rounds; open:
    client sockets open), and "total sent=N answered=N clients=N" at the end.

tls-hold VIP PORT --hold-file FILE [--timeout 60]
    A TLS client (no certificate check) on VIP:PORT that sends "one\n" and reads it back (through a TCP echo
    member), prints "first ok", waits until FILE exists, sends "two\n" on the same connection and prints
    "second ok" when it comes back, else "second failed: REASON". Exit 0 when both came back, 1 otherwise.

burst VIP PORT ADDRESS --count N [--sockets 64] [--size 1400]
    Sends N ESP-shaped datagrams (SPI 0x10000 + socket, sequence number, zero padding; no answer expected) to
    VIP:PORT as fast as the sockets take them, round-robin over --sockets sockets bound to ADDRESS (so the
    datagrams spread over the listener's SO_REUSEPORT sockets). Prints "sent=N errors=N seconds=S".
"""
import argparse
import errno
import ipaddress
import os
import random
import select
import signal
import socket
import socketserver
import ssl
import threading
import struct
import sys
import time

IKE_SA_INIT, INFORMATIONAL = 34, 37
FLAG_INITIATOR, FLAG_RESPONSE = 0x08, 0x20
PAYLOAD_NONE, PAYLOAD_NOTIFY, PAYLOAD_VENDOR_ID = 0, 41, 43
NAT_DETECTION_SOURCE_IP = 16388
MARKER = b"\0\0\0\0"
HEADER = struct.Struct("!QQBBBBII")  # SPIi SPIr next-payload version exchange flags message-id length


def ike_message(spi_i, spi_r, exchange, flags, msgid, payload_data, nat_detection=False):
    """An IKEv2 header, a Vendor ID payload holding payload_data (RFC 7296 3.2) and, with nat_detection, a
    NAT_DETECTION_SOURCE_IP notify (as in a real IKE_SA_INIT response; vpnlb's ike health check wants an SA
    payload or a notify)."""
    notify = b""
    if nat_detection:
        notify = struct.pack("!BBHBBH", PAYLOAD_NONE, 0, 28, 0, 0, NAT_DETECTION_SOURCE_IP) + os.urandom(20)
    payload = struct.pack("!BBH", PAYLOAD_NOTIFY if notify else PAYLOAD_NONE, 0, 4 + len(payload_data)) \
        + payload_data + notify
    return HEADER.pack(spi_i, spi_r, PAYLOAD_VENDOR_ID, 0x20, exchange, flags, msgid,
                       HEADER.size + len(payload)) + payload


def parse_ike(data):
    """(spi_i, spi_r, exchange, flags, msgid, first payload data) of a well-formed message, else None."""
    if len(data) < HEADER.size:
        return None
    spi_i, spi_r, nxt, version, exchange, flags, msgid, length = HEADER.unpack_from(data)
    if version >> 4 != 2 or length != len(data) or spi_i == 0:
        return None
    body = b""
    if nxt != PAYLOAD_NONE and len(data) >= HEADER.size + 4:
        plen = struct.unpack_from("!H", data, HEADER.size + 2)[0]
        body = data[HEADER.size + 4:HEADER.size + plen]
    return spi_i, spi_r, exchange, flags, msgid, body


STATS = {"rx": 0, "foreign": 0, "unexpected": 0, "loops": 0}


def random_spi():
    return struct.unpack("!Q", os.urandom(8))[0] | 1


# ---------------------------------------------------------------- member
class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        while True:
            data = self.request.recv(65536)
            if not data:
                return
            self.request.sendall(data)


def tcp_echo(address, port):
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    server = socketserver.ThreadingTCPServer((address, port), Echo)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()


def tls_hold(vip, port, hold_file, timeout):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    deadline = time.monotonic() + timeout

    def round_trip(conn, line):
        conn.sendall(line)
        got = b""
        while not got.endswith(b"\n"):
            chunk = conn.recv(4096)
            if not chunk:
                raise ConnectionError("connection closed by the balancer")
            got += chunk
        if got != line:
            raise ConnectionError("echo %r instead of %r" % (got, line))

    with socket.create_connection((vip, port), timeout=10) as raw:
        with context.wrap_socket(raw) as conn:
            round_trip(conn, b"one\n")
            print("first ok", flush=True)
            while not os.path.exists(hold_file):
                if time.monotonic() > deadline:
                    print("second failed: %s never appeared" % hold_file, flush=True)
                    return 1
                time.sleep(0.1)
            try:
                round_trip(conn, b"two\n")
            except (OSError, ConnectionError) as e:
                print("second failed: %s" % e, flush=True)
                return 1
            print("second ok", flush=True)
            return 0


def member(name, address, ports):
    socks = {}
    for port in ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        # room for a few seconds of traffic: a responder starved of CPU for a moment must not drop requests
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        s.bind((address, port))
        s.setblocking(False)
        socks[s] = port
    sas = {}
    counts = {"rx": 0, "answered": 0, "other": 0}
    text = ("member=%s" % name).encode()
    print("listening %s ports %s" % (address, ",".join(map(str, ports))), flush=True)
    printed = dict(counts)
    next_print = time.monotonic() + 1
    while True:
        ready, _, _ = select.select(list(socks), [], [], 1.0)
        for s in ready:
            port = socks[s]
            for _ in range(64):
                try:
                    data, peer = s.recvfrom(65535)
                except BlockingIOError:
                    break
                counts["rx"] += 1
                marker = port == 4500
                if marker:
                    if not data.startswith(MARKER):
                        counts["other"] += 1
                        continue
                    data = data[len(MARKER):]
                parsed = parse_ike(data)
                if parsed is None or parsed[3] & FLAG_RESPONSE:
                    counts["other"] += 1
                    continue
                spi_i, spi_r, exchange, _, msgid, _ = parsed
                if exchange == IKE_SA_INIT and spi_r == 0:
                    if len(sas) > 100000:
                        sas.clear()
                    spi_r = sas.setdefault(spi_i, random_spi())
                answer = ike_message(spi_i, spi_r, exchange, FLAG_RESPONSE, msgid, text, exchange == IKE_SA_INIT)
                try:
                    s.sendto(MARKER + answer if marker else answer, peer)
                    counts["answered"] += 1
                except OSError:
                    counts["other"] += 1
        now = time.monotonic()
        if now >= next_print:
            next_print = now + 1
            if counts != printed:
                print("rx=%(rx)d answered=%(answered)d other=%(other)d" % counts, flush=True)
                printed = dict(counts)


# ---------------------------------------------------------------- clients
class Client:
    """One simulated VPN client: a socket, its SPIs, its outstanding requests and what answered them."""

    def __init__(self, address, port, vip, dport, size):
        self.address, self.port = address, port
        self.target = (vip, dport)
        self.marker = dport == 4500
        self.size = size
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((address, port))
        self.sock.setblocking(False)
        self.spi_i = random_spi()
        self.spi_r = 0
        self.msgid = 0
        self.outstanding = {}      # msgid -> (send time, number of sends with that msgid not yet answered)
        self.sent = 0
        self.answered = 0
        self.members = {}
        self.first = None
        self.last = None
        self.switch_msgid = -1     # message ID of the first answer from `last`

    def send(self, now):
        if self.spi_r == 0:
            msgid, exchange = 0, IKE_SA_INIT
        else:
            self.msgid += 1
            msgid, exchange = self.msgid, INFORMATIONAL
        pad = max(0, self.size - HEADER.size - 4 - (4 if self.marker else 0))
        data = ike_message(self.spi_i, self.spi_r, exchange, FLAG_INITIATOR, msgid, bytes(pad))
        try:
            self.sock.sendto(MARKER + data if self.marker else data, self.target)
        except OSError:
            pass
        self.sent += 1
        t, n = self.outstanding.get(msgid, (now, 0))
        self.outstanding[msgid] = (t, n + 1)

    def receive(self):
        got = 0
        for _ in range(64):
            try:
                data, peer = self.sock.recvfrom(65535)
            except (BlockingIOError, ConnectionRefusedError):
                break
            except OSError:
                break
            STATS["rx"] += 1
            if peer != self.target:
                STATS["foreign"] += 1
                continue
            if self.marker:
                if not data.startswith(MARKER):
                    STATS["foreign"] += 1
                    continue
                data = data[len(MARKER):]
            parsed = parse_ike(data)
            if parsed is None or not parsed[3] & FLAG_RESPONSE or parsed[0] != self.spi_i:
                STATS["foreign"] += 1
                continue
            msgid = parsed[4]
            pending = self.outstanding.get(msgid)
            if pending is None:
                STATS["unexpected"] += 1
                continue
            if pending[1] <= 1:
                del self.outstanding[msgid]
            else:
                self.outstanding[msgid] = (pending[0], pending[1] - 1)
            if parsed[2] == IKE_SA_INIT and self.spi_r == 0:
                self.spi_r = parsed[1]
            fields = dict(f.split("=", 1) for f in parsed[5].decode(errors="replace").split() if "=" in f)
            name = fields.get("member", "?")
            self.answered += 1
            got += 1
            self.members[name] = self.members.get(name, 0) + 1
            if self.first is None:
                self.first = name
            if name != self.last:
                self.last = name
                self.switch_msgid = msgid
        return got

    def line(self):
        members = ",".join("%s:%d" % kv for kv in sorted(self.members.items())) or "-"
        after = sum(n for mid, (_, n) in self.outstanding.items() if mid > self.switch_msgid)
        return "client %s:%d sent=%d answered=%d first=%s last=%s members=%s lost_after_move=%d" % (
            self.address, self.port, self.sent, self.answered, self.first or "-", self.last or "-", members, after)


def pump(clients, until):
    """Reads answers of every client until the monotonic time `until`; reads what is there at least once, so
    a sender that is behind its schedule still drains its sockets."""
    by_sock = {c.sock: c for c in clients}
    while by_sock:
        left = until - time.monotonic()
        ready, _, _ = select.select(list(by_sock), [], [], max(0.0, left))
        for s in ready:
            by_sock[s].receive()
        if left <= 0:
            return


def run_clients(vip, dport, specs, rate, duration, size, grace):
    clients = []
    for spec in specs:
        address, port = spec.rsplit(":", 1)
        clients.append(Client(address, int(port), vip, dport, size))
    interval = 1.0 / rate
    start = time.monotonic()
    # stagger the clients over one interval
    next_send = [start + interval * i / len(clients) for i in range(len(clients))]
    end = start + duration
    while True:
        now = time.monotonic()
        if now >= end:
            break
        for i, c in enumerate(clients):
            if now >= next_send[i]:
                c.send(now)
                next_send[i] += interval
                if next_send[i] < now:            # fell behind (a stalled scheduler): do not burst
                    next_send[i] = now + interval
        pump(clients, min(min(next_send), end))
    pump(clients, time.monotonic() + grace)
    total_sent = total_answered = 0
    for c in clients:
        print(c.line())
        total_sent += c.sent
        total_answered += c.answered
    print("total sent=%d answered=%d" % (total_sent, total_answered), flush=True)
    return 0


# ---------------------------------------------------------------- churn
def run_churn(vip, dport, net, per_second, lifetime, rate, duration, report, size):
    hosts = list(ipaddress.ip_network(net).hosts())
    next_host = 0
    live = []           # (stop time, client)
    start = time.monotonic()
    end = start + duration
    next_start = start
    interval = 1.0 / rate
    window = {"sent": 0, "answered": 0, "clients": 0}
    totals = {"sent": 0, "answered": 0, "clients": 0}
    next_report = start + report
    by_sock = {}
    schedule = {}
    retiring = []       # clients stopped sending, still collecting answers for one second

    def retire(c, now):
        retiring.append((now + 3.0, c))

    while True:
        now = time.monotonic()
        STATS["loops"] += 1
        if now >= end:
            break
        while now >= next_start:
            for _ in range(per_second):
                address = str(hosts[next_host % len(hosts)])
                next_host += 1
                try:
                    c = Client(address, random.randint(20000, 60999), vip, dport, size)
                except OSError:
                    continue
                live.append((next_start + lifetime, c))
                by_sock[c.sock] = c
                schedule[c] = now + random.random() * interval
                window["clients"] += 1
            next_start += 1.0
        keep = []
        for stop, c in live:
            if now >= stop:
                retire(c, now)
                del schedule[c]
            else:
                keep.append((stop, c))
        live = keep
        done = [item for item in retiring if now >= item[0]]
        for item in done:
            retiring.remove(item)
            c = item[1]
            del by_sock[c.sock]
            c.sock.close()
        for c, t in list(schedule.items()):
            if now >= t:
                before = c.sent
                c.send(now)
                window["sent"] += c.sent - before
                t += interval
                schedule[c] = t if t > now else now + interval
        if now >= next_report:
            for k in totals:
                totals[k] += window[k]
                window[k] = 0
            print("t=%d sent=%d answered=%d clients=%d rx=%d foreign=%d unexpected=%d loops=%d open=%d" % (
                round(now - start), totals["sent"], totals["answered"], totals["clients"], STATS["rx"],
                STATS["foreign"], STATS["unexpected"], STATS["loops"], len(by_sock)), flush=True)
            next_report += report
        wake = min([next_start, end, next_report] + list(schedule.values()))
        left = max(0.0, wake - time.monotonic())
        if by_sock:    # also when behind schedule (left 0): answers must be read before sockets close
            ready, _, _ = select.select(list(by_sock), [], [], left)
            for s in ready:
                window["answered"] += by_sock[s].receive()
        elif left > 0:
            time.sleep(left)
    deadline = time.monotonic() + 3.0
    while by_sock and time.monotonic() < deadline:
        ready, _, _ = select.select(list(by_sock), [], [], max(0.0, deadline - time.monotonic()))
        for s in ready:
            window["answered"] += by_sock[s].receive()
    for k in totals:
        totals[k] += window[k]
    print("total sent=%(sent)d answered=%(answered)d clients=%(clients)d" % totals, flush=True)
    return 0


# ---------------------------------------------------------------- burst
def run_burst(vip, dport, address, count, nsocks, size):
    socks = []
    for _ in range(nsocks):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((address, 0))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
        socks.append(s)
    target = (vip, dport)
    pad = bytes(max(0, size - 8))
    sent = errors = 0
    start = time.monotonic()
    i = 0
    while sent < count:
        k = i % nsocks
        try:
            socks[k].sendto(struct.pack("!II", 0x10000 + k, i + 1) + pad, target)
            sent += 1
        except OSError as e:
            errors += 1
            if e.errno in (errno.ENOBUFS, errno.EAGAIN):
                time.sleep(0.0005)
            if errors > count:
                break
        i += 1
    print("sent=%d errors=%d seconds=%.2f" % (sent, errors, time.monotonic() - start), flush=True)
    return 0 if sent == count else 1


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="role", required=True)
    m = sub.add_parser("member")
    m.add_argument("name")
    m.add_argument("address")
    m.add_argument("--ports", default="500,4500")
    m.add_argument("--tcp-echo", type=int, default=0)
    t = sub.add_parser("tls-hold")
    t.add_argument("vip")
    t.add_argument("port", type=int)
    t.add_argument("--hold-file", required=True)
    t.add_argument("--timeout", type=float, default=60.0)
    c = sub.add_parser("clients")
    c.add_argument("vip")
    c.add_argument("port", type=int)
    c.add_argument("clients", nargs="+", metavar="ADDRESS:SRCPORT")
    c.add_argument("--rate", type=float, default=10.0)
    c.add_argument("--duration", type=float, default=10.0)
    c.add_argument("--size", type=int, default=100)
    c.add_argument("--grace", type=float, default=1.0)
    ch = sub.add_parser("churn")
    ch.add_argument("vip")
    ch.add_argument("port", type=int)
    ch.add_argument("net")
    ch.add_argument("--new-per-second", type=int, default=20)
    ch.add_argument("--lifetime", type=float, default=5.0)
    ch.add_argument("--rate", type=float, default=20.0)
    ch.add_argument("--duration", type=float, default=60.0)
    ch.add_argument("--report", type=float, default=10.0)
    ch.add_argument("--size", type=int, default=100)
    b = sub.add_parser("burst")
    b.add_argument("vip")
    b.add_argument("port", type=int)
    b.add_argument("address")
    b.add_argument("--count", type=int, required=True)
    b.add_argument("--sockets", type=int, default=64)
    b.add_argument("--size", type=int, default=1400)
    a = ap.parse_args()
    if a.role == "member":
        if a.tcp_echo:
            tcp_echo(a.address, a.tcp_echo)
        member(a.name, a.address, [int(p) for p in a.ports.split(",")])
        return 0
    if a.role == "tls-hold":
        return tls_hold(a.vip, a.port, a.hold_file, a.timeout)
    if a.role == "clients":
        return run_clients(a.vip, a.port, a.clients, a.rate, a.duration, a.size, a.grace)
    if a.role == "churn":
        return run_churn(a.vip, a.port, a.net, a.new_per_second, a.lifetime, a.rate, a.duration, a.report, a.size)
    return run_burst(a.vip, a.port, a.address, a.count, a.sockets, a.size)


if __name__ == "__main__":
    sys.exit(main())
