#!/usr/bin/env python3
"""IKE-shaped UDP peers for ecmp-scaleout.sh: a member responder and a many-address client.

member NAME ADDRESS
    Answers every well-formed IKEv2 datagram on ADDRESS:500 and ADDRESS:4500 (4500: after the non-ESP marker)
    with an IKEv2 response: the same SPIi, exchange and message ID, flag R, and one Vendor ID payload whose
    data is the text "member=NAME saw=IP:PORT sa=STATE". saw is the source the member saw (with source NAT:
    the balancer instance's address on the link to this member). An IKE_SA_INIT request (SPIr 0) opens an SA
    with a new random SPIr (a retransmission gets the same one): sa=new; any other message is sa=known when
    this member opened the SA with those SPIs, else sa=unknown. Logs one line per datagram on stdout.

client STATE VIP PHASE CLIENT...
    CLIENT is ADDRESS:PORT500:PORT4500, one per simulated VPN client. Every flow (one UDP socket bound to the
    client's address and port) resends its request once a second until the member's answer arrives or
    --timeout seconds passed.
      open    IKE_SA_INIT from ADDRESS:PORT500 to VIP:500; once answered, IKE_AUTH (non-ESP marker, the SPIs
              the member gave) from ADDRESS:PORT4500 to VIP:4500. The SPIs go to the JSON file STATE.
      resend  INFORMATIONAL requests with the SPIs in STATE on both flows, at the same time.
    Prints one line per flow:
      flow ADDRESS PORT500|PORT4500 DPORT member=NAME saw=IP:PORT sa=STATE from=IP:PORT sends=N
    or "flow ADDRESS PORT DPORT none sends=N" when no answer came. A reply from anything but the VIP on the
    flow's port, or without the non-ESP marker on 4500, is not an answer. Exit 0 when every flow was
    answered, 3 otherwise, 2 usage.
"""
import argparse
import json
import os
import select
import socket
import struct
import sys
import time

IKE_SA_INIT, IKE_AUTH, INFORMATIONAL = 34, 35, 37
FLAG_INITIATOR, FLAG_RESPONSE = 0x08, 0x20
PAYLOAD_NONE, PAYLOAD_VENDOR_ID, PAYLOAD_ENCRYPTED = 0, 43, 46
MARKER = b"\0\0\0\0"
HEADER = struct.Struct("!QQBBBBII")  # SPIi SPIr next-payload version exchange flags message-id length


def ike_message(spi_i, spi_r, exchange, flags, msgid, payload_type, payload_data):
    """An IKEv2 header followed by one generic payload (RFC 7296 3.2) holding payload_data."""
    payload = struct.pack("!BBH", PAYLOAD_NONE, 0, 4 + len(payload_data)) + payload_data
    return HEADER.pack(spi_i, spi_r, payload_type, 0x20, exchange, flags, msgid, HEADER.size + len(payload)) + payload


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


def member(name, address):
    socks = {}
    for port in (500, 4500):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((address, port))   # bound to the member address, so answers leave from it
        socks[s] = port
    sas = {}                      # SPIi -> SPIr this member opened
    print("listening %s:500 %s:4500" % (address, address), flush=True)
    while True:
        ready, _, _ = select.select(list(socks), [], [])
        for s in ready:
            data, peer = s.recvfrom(65535)
            port = socks[s]
            if port == 4500:
                if not data.startswith(MARKER):
                    print("rx %d from %s:%d not IKE (no non-ESP marker), ignored" % (port, peer[0], peer[1]),
                          flush=True)
                    continue
                data = data[len(MARKER):]
            parsed = parse_ike(data)
            if parsed is None:
                print("rx %d from %s:%d malformed, ignored" % (port, peer[0], peer[1]), flush=True)
                continue
            spi_i, spi_r, exchange, flags, msgid, _ = parsed
            if exchange == IKE_SA_INIT and spi_r == 0:
                spi_r = sas.setdefault(spi_i, struct.unpack("!Q", os.urandom(8))[0] | 1)
                state = "new"
            else:
                state = "known" if sas.get(spi_i) == spi_r else "unknown"
            text = "member=%s saw=%s:%d sa=%s" % (name, peer[0], peer[1], state)
            print("rx %d from %s:%d exchange=%d spi_i=%016x spi_r=%016x sa=%s"
                  % (port, peer[0], peer[1], exchange, spi_i, spi_r, state), flush=True)
            answer = ike_message(spi_i, spi_r, exchange, FLAG_RESPONSE, msgid, PAYLOAD_VENDOR_ID, text.encode())
            s.sendto(MARKER + answer if port == 4500 else answer, peer)


class Flow:
    def __init__(self, address, port, vip, dport, request):
        self.address, self.port, self.dport, self.request = address, port, dport, request
        self.target = (vip, dport)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((address, port))
        self.sends = 0
        self.answer = None        # (text fields, spi_r, reply source)

    def send(self):
        self.sends += 1
        self.sock.sendto(MARKER + self.request if self.dport == 4500 else self.request, self.target)

    def receive(self):
        data, peer = self.sock.recvfrom(65535)
        if peer != self.target:
            return
        if self.dport == 4500:
            if not data.startswith(MARKER):
                return
            data = data[len(MARKER):]
        parsed = parse_ike(data)
        if parsed is None or not parsed[3] & FLAG_RESPONSE:
            return
        fields = dict(f.split("=", 1) for f in parsed[5].decode(errors="replace").split() if "=" in f)
        self.answer = (fields, parsed[1], "%s:%d" % peer)

    def line(self):
        head = "flow %s %d %d" % (self.address, self.port, self.dport)
        if self.answer is None:
            return "%s none sends=%d" % (head, self.sends)
        f = self.answer[0]
        return "%s member=%s saw=%s sa=%s from=%s sends=%d" % (
            head, f.get("member", "?"), f.get("saw", "?"), f.get("sa", "?"), self.answer[2], self.sends)


def exchange_all(flows, timeout):
    """Sends every flow's request and resends once a second until all are answered or the deadline passes."""
    deadline = time.monotonic() + timeout
    by_sock = {f.sock: f for f in flows}
    next_send = 0.0
    while time.monotonic() < deadline:
        waiting = [f for f in flows if f.answer is None]
        if not waiting:
            return
        now = time.monotonic()
        if now >= next_send:
            for f in waiting:
                f.send()
            next_send = now + 1.0
        ready, _, _ = select.select([f.sock for f in waiting], [], [], max(0.0, min(next_send, deadline) - now))
        for s in ready:
            by_sock[s].receive()


def client(state_file, vip, phase, specs, timeout):
    clients = []
    for spec in specs:
        address, p500, p4500 = spec.split(":")
        clients.append((address, int(p500), int(p4500)))
    flows = []
    if phase == "open":
        state = {}
        inits = {}
        for address, p500, _ in clients:
            spi_i = struct.unpack("!Q", os.urandom(8))[0] | 1
            state[address] = {"spi_i": spi_i}
            inits[address] = Flow(address, p500, vip, 500, ike_message(
                spi_i, 0, IKE_SA_INIT, FLAG_INITIATOR, 0, PAYLOAD_VENDOR_ID, b"ecmp-scaleout " + address.encode()))
        exchange_all(list(inits.values()), timeout)
        auths = []
        for address, _, p4500 in clients:
            answer = inits[address].answer
            if answer is None:
                continue
            state[address]["spi_r"] = answer[1]
            # The SK payload's content is opaque to a balancer; any bytes do.
            auths.append(Flow(address, p4500, vip, 4500, ike_message(
                state[address]["spi_i"], answer[1], IKE_AUTH, FLAG_INITIATOR, 1, PAYLOAD_ENCRYPTED, os.urandom(48))))
        exchange_all(auths, timeout)
        with open(state_file, "w") as out:
            json.dump(state, out)
        flows = list(inits.values()) + auths
        complete = len(auths) == len(clients)
    else:
        with open(state_file) as f:
            state = json.load(f)
        for address, p500, p4500 in clients:
            sa = state.get(address)
            if sa is None or "spi_r" not in sa:
                print("client %s has no SA in %s" % (address, state_file), file=sys.stderr)
                return 3
            for port, dport, msgid in ((p500, 500, 2), (p4500, 4500, 3)):
                flows.append(Flow(address, port, vip, dport, ike_message(
                    sa["spi_i"], sa["spi_r"], INFORMATIONAL, FLAG_INITIATOR, msgid, PAYLOAD_ENCRYPTED, os.urandom(32))))
        exchange_all(flows, timeout)
        complete = True
    for f in flows:
        print(f.line())
    return 0 if complete and all(f.answer is not None for f in flows) else 3


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="role", required=True)
    m = sub.add_parser("member")
    m.add_argument("name")
    m.add_argument("address")
    c = sub.add_parser("client")
    c.add_argument("state")
    c.add_argument("vip")
    c.add_argument("phase", choices=("open", "resend"))
    c.add_argument("clients", nargs="+", metavar="ADDRESS:PORT500:PORT4500")
    c.add_argument("--timeout", type=float, default=20.0)
    a = ap.parse_args()
    if a.role == "member":
        member(a.name, a.address)
        return 0
    return client(a.state, a.vip, a.phase, a.clients, a.timeout)


if __name__ == "__main__":
    sys.exit(main())
