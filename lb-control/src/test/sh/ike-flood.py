#!/usr/bin/env python3
"""IKE_SA_INIT flood generator for ikev2-flood.sh (run it inside the test's own "flood" network namespace).

Sends COUNT IKEv2 IKE_SA_INIT requests to DST:DPORT over a raw IPv4 socket (IPPROTO_RAW, so the IPv4 and UDP
headers are built here and the source address is spoofed), paced at RATE datagrams per second.

Every datagram: IPv4 (kernel fills id and checksum) + UDP (checksum 0, allowed over IPv4) + a 28-byte IKEv2
header: random non-zero SPIi, SPIr 0, next payload 0 (none), version 0x20, exchange type 34 (IKE_SA_INIT),
flags 0x08 (initiator, request), message ID 0, length 28 (the datagram's UDP payload length).

Sources: the host addresses of NET (a /16 or smaller) are shuffled; SOURCES of them are used round-robin, so
the first SOURCES datagrams all come from different addresses and every one of them is used. In addition
HOT_SHARE of the datagrams come from HOT addresses (the last ones of NET, never among the round-robin ones),
which send faster than a per-source new-session rate limit allows. Each datagram has a random source port
(1024..65535), so each one is a new session for a balancer that keys sessions by address and port.

Prints one line of key=value statistics at the end (and a progress line every second with --progress):
  sent=N errors=N sources=N cold_sources=N hot=N hot_sent=N seconds=S rate=R
(sources = distinct source addresses used). ENOBUFS/EAGAIN are retried after 1 ms (up to 50 times).
Exit 0 when COUNT datagrams were sent, 1 otherwise, 2 usage.
"""
import argparse
import errno
import ipaddress
import os
import random
import socket
import struct
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dst", required=True)
    ap.add_argument("--dport", type=int, default=500)
    ap.add_argument("--net", default="10.200.0.0/16")
    ap.add_argument("--count", type=int, default=220000)
    ap.add_argument("--sources", type=int, default=60000)
    ap.add_argument("--hot", type=int, default=4, help="addresses that send fast (0: none)")
    ap.add_argument("--hot-share", type=float, default=0.1, help="fraction of datagrams from the hot addresses")
    ap.add_argument("--rate", type=float, default=15000.0, help="datagrams per second")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--ready-file", default=None, help="written (with the pid) when sending starts")
    ap.add_argument("--progress", action="store_true")
    a = ap.parse_args()

    net = ipaddress.ip_network(a.net)
    hosts = int(net.num_addresses) - 2
    if a.sources + a.hot > hosts:
        print(f"ike-flood: {a.net} has {hosts} host addresses, fewer than --sources {a.sources} + --hot {a.hot}",
              file=sys.stderr)
        return 2
    rng = random.Random(a.seed)
    base = int(net.network_address)
    pool = list(range(base + 1, base + 1 + hosts))
    hot = [struct.pack("!I", x) for x in pool[-a.hot:]] if a.hot else []
    cold = pool[:hosts - a.hot]
    rng.shuffle(cold)
    srcs = [struct.pack("!I", x) for x in cold[:a.sources]]
    dst = socket.inet_aton(a.dst)

    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    except PermissionError as e:
        print(f"ike-flood: cannot open a raw socket: {e}", file=sys.stderr)
        return 2
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)

    ike_len = 28
    udp_len = 8 + ike_len
    ip_len = 20 + udp_len
    pkt = bytearray(ip_len)
    # IPv4: version 4, IHL 5, TOS 0, total length, id 0 (kernel fills), no fragment, TTL 64, UDP, csum 0 (kernel)
    struct.pack_into("!BBHHHBBH4s4s", pkt, 0, 0x45, 0, ip_len, 0, 0, 64, socket.IPPROTO_UDP, 0, b"\0" * 4, dst)
    struct.pack_into("!HHHH", pkt, 20, 0, a.dport, udp_len, 0)
    # IKEv2 header after the SPIs: next payload 0, version 2.0, IKE_SA_INIT, initiator request, msgid 0, length
    struct.pack_into("!BBBBII", pkt, 20 + 8 + 16, 0, 0x20, 34, 0x08, 0, ike_len)

    target = (a.dst, 0)
    hot_every = int(round(1.0 / a.hot_share)) if a.hot and a.hot_share > 0 else 0
    getbits = rng.getrandbits
    randint = rng.randint
    pack_into = struct.pack_into
    sent = errors = hot_sent = 0
    ci = 0
    batch = max(1, int(a.rate / 200))          # ~5 ms worth of datagrams per burst
    start = time.monotonic()
    next_progress = start + 1.0
    if a.ready_file:
        with open(a.ready_file, "w") as f:
            f.write(f"{os.getpid()}\n")
    i = 0
    while i < a.count:
        # pacing: datagram i is due at start + i / rate
        due = start + i / a.rate
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        for _ in range(min(batch, a.count - i)):
            if hot_every and i % hot_every == hot_every - 1:
                src = hot[hot_sent % len(hot)]
                hot_sent += 1
            else:
                src = srcs[ci % len(srcs)]
                ci += 1
            pkt[12:16] = src
            pack_into("!H", pkt, 20, randint(1024, 65535))
            pack_into("!Q", pkt, 28, getbits(64) | 1)
            for attempt in range(50):
                try:
                    s.sendto(pkt, target)
                    sent += 1
                    break
                except OSError as e:
                    if e.errno in (errno.ENOBUFS, errno.EAGAIN):
                        time.sleep(0.001)
                        continue
                    errors += 1
                    if errors <= 3:
                        print(f"ike-flood: sendto: {e}", file=sys.stderr)
                    break
            else:
                errors += 1
            i += 1
        if a.progress and time.monotonic() >= next_progress:
            next_progress += 1.0
            print(f"progress sent={sent} errors={errors} t={time.monotonic() - start:.1f}", flush=True)
    secs = time.monotonic() - start
    distinct = min(ci, len(srcs)) + (min(hot_sent, len(hot)))
    print(f"sent={sent} errors={errors} sources={distinct} cold_sources={min(ci, len(srcs))} "
          f"hot={min(hot_sent, len(hot))} hot_sent={hot_sent} seconds={secs:.2f} rate={sent / secs if secs else 0:.0f}",
          flush=True)
    return 0 if sent == a.count else 1


if __name__ == "__main__":
    sys.exit(main())
