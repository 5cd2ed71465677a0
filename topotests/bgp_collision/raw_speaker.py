#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
A scripted BGP speaker (sockets and struct only) that makes connection
collisions (RFC 4271 6.8) happen on demand, for test_bgp_collision.py.

It runs inside a topotest gear, listens on TCP 179 of its own address and
also connects to the peer's port 179, so it controls the order in which
each side's OPEN arrives. Every connection is recorded (its addresses and
ports, the messages received, the peer's OPEN, the NOTIFICATION it
received as code and subcode, how it closed) in a JSON state file that is
rewritten after every event; the test reads it.

Connections are named from the speaker's side:

  meshd-initiated     the peer connected to our listener
  speaker-initiated   we connected to the peer
  late                we connected while a session was Established
  extra-N             any further connection the peer opened to us
                      (recorded, never answered)

Scenarios (--scenario):

  collide  Accept meshd-initiated and read the peer's OPEN without
           answering it. Connect speaker-initiated, send OPEN there and
           wait for the peer's OPEN and KEEPALIVE on it (the peer is then
           in OpenConfirm on that connection and in OpenSent on the
           other): phase "holding". Once the --go file exists, send our
           OPEN on meshd-initiated, so the peer must resolve the
           collision. When at most one connection is left and it has
           the peer's KEEPALIVE, answer it with KEEPALIVE (phase
           "resolved"; "unresolved" when that does not happen).
  late     Bring a session up on meshd-initiated (phase "established").
           Once the --go file exists, connect "late" and send OPEN on
           it; answer the peer's KEEPALIVE there if one comes (phase
           "late-resolved" once the late connection got a NOTIFICATION,
           was closed, or got a KEEPALIVE).

Established connections are kept alive with KEEPALIVEs at a third of the
negotiated hold time until the process is killed.
"""

import argparse
import json
import os
import select
import signal
import socket
import struct
import sys
import time

BGP_PORT = 179
MARKER = b"\xff" * 16
HDR_LEN = 19
MAX_LEN = 4096

MSG_OPEN, MSG_UPDATE, MSG_NOTIFICATION, MSG_KEEPALIVE, MSG_REFRESH = 1, 2, 3, 4, 5
MSG_NAMES = {1: "OPEN", 2: "UPDATE", 3: "NOTIFICATION", 4: "KEEPALIVE", 5: "ROUTE-REFRESH"}

CAP_MP, CAP_GR, CAP_AS4 = 1, 64, 65
AS_TRANS = 23456
RX_LOG_MAX = 50


def bgp_message(msg_type, body=b""):
    return MARKER + struct.pack("!HB", HDR_LEN + len(body), msg_type) + body


def capability(code, value):
    return struct.pack("!BB", code, len(value)) + value


def open_message(asn, hold, bgp_id, gr_time=None):
    """OPEN with Multiprotocol IPv4 unicast (RFC 4760), 4-octet AS
    (RFC 6793) and, when gr_time is given, Graceful Restart (RFC 4724)
    with that restart time and no address family."""
    caps = capability(CAP_MP, struct.pack("!HBB", 1, 0, 1))
    caps += capability(CAP_AS4, struct.pack("!I", asn))
    if gr_time is not None:
        caps += capability(CAP_GR, struct.pack("!H", gr_time & 0x0FFF))
    params = struct.pack("!BB", 2, len(caps)) + caps
    body = struct.pack(
        "!BHH4sB", 4, asn if asn <= 0xFFFF else AS_TRANS, hold,
        socket.inet_aton(bgp_id), len(params)
    ) + params
    return bgp_message(MSG_OPEN, body)


def parse_open(body):
    version, my_as, hold, bgp_id, plen = struct.unpack("!BHH4sB", body[:10])
    params = body[10:10 + plen]
    caps = []
    asn = my_as
    gr = None
    i = 0
    while i + 2 <= len(params):
        ptype, pl = params[i], params[i + 1]
        value = params[i + 2:i + 2 + pl]
        i += 2 + pl
        if ptype != 2:
            continue
        j = 0
        while j + 2 <= len(value):
            code, cl = value[j], value[j + 1]
            cval = value[j + 2:j + 2 + cl]
            j += 2 + cl
            caps.append(code)
            if code == CAP_AS4 and cl == 4:
                asn = struct.unpack("!I", cval)[0]
            elif code == CAP_GR and cl >= 2:
                gr = struct.unpack("!H", cval[:2])[0] & 0x0FFF
    return {
        "version": version,
        "as": asn,
        "holdTime": hold,
        "bgpId": socket.inet_ntoa(bgp_id),
        "capabilities": caps,
        "gracefulRestartTime": gr,
    }


class Conn(object):
    """One TCP connection and what happened on it."""

    def __init__(self, speaker, name, sock):
        self.speaker = speaker
        self.name = name
        self.sock = sock
        self.sock.setblocking(False)
        self.buf = b""
        self.alive = True
        self.hold = None
        self.next_keepalive = None
        local = sock.getsockname()
        remote = sock.getpeername()
        self.rec = {
            "local": "{}:{}".format(*local[:2]),
            "remote": "{}:{}".format(*remote[:2]),
            "localPort": local[1],
            "remotePort": remote[1],
            "openSent": False,
            "keepalivesSent": 0,
            "rx": [],
            "openRx": None,
            "keepalivesRx": 0,
            "updatesRx": 0,
            "notification": None,
            "closed": None,
        }

    # -- sending

    def send(self, data, what):
        if not self.alive:
            return
        try:
            self.sock.sendall(data)
        except OSError as e:
            self.lost("send {}: {}".format(what, e))
            return
        if what == "OPEN":
            self.rec["openSent"] = True
        elif what == "KEEPALIVE":
            self.rec["keepalivesSent"] += 1
        self.speaker.save()

    def send_open(self):
        a = self.speaker.args
        self.send(open_message(a.asn, a.hold, a.bgp_id, a.graceful_restart), "OPEN")

    def send_keepalive(self):
        self.send(bgp_message(MSG_KEEPALIVE), "KEEPALIVE")

    def start_keepalives(self):
        """Answers the peer's KEEPALIVE and keeps the session up."""
        peer_hold = (self.rec["openRx"] or {}).get("holdTime", self.speaker.args.hold)
        self.hold = min(self.speaker.args.hold, peer_hold)
        self.send_keepalive()
        if self.hold:
            self.next_keepalive = time.monotonic() + self.hold / 3.0

    def tick(self, now):
        if self.alive and self.next_keepalive and now >= self.next_keepalive:
            self.send_keepalive()
            self.next_keepalive = now + self.hold / 3.0

    # -- receiving

    def lost(self, how):
        if self.alive:
            self.alive = False
            self.rec["closed"] = how
            try:
                self.sock.close()
            except OSError:
                pass
            self.speaker.save()

    def readable(self):
        try:
            data = self.sock.recv(65536)
        except (ConnectionResetError, ConnectionAbortedError):
            self.lost("reset")
            return
        except BlockingIOError:
            return
        except OSError as e:
            self.lost("error: {}".format(e))
            return
        if not data:
            self.lost("eof")
            return
        self.buf += data
        while len(self.buf) >= HDR_LEN:
            if self.buf[:16] != MARKER:
                self.lost("bad marker")
                return
            length, msg_type = struct.unpack("!HB", self.buf[16:19])
            if length < HDR_LEN or length > MAX_LEN:
                self.lost("bad length {}".format(length))
                return
            if len(self.buf) < length:
                break
            body = self.buf[HDR_LEN:length]
            self.buf = self.buf[length:]
            self.message(msg_type, body)

    def message(self, msg_type, body):
        if len(self.rec["rx"]) < RX_LOG_MAX:
            self.rec["rx"].append(MSG_NAMES.get(msg_type, str(msg_type)))
        if msg_type == MSG_OPEN:
            self.rec["openRx"] = parse_open(body)
        elif msg_type == MSG_KEEPALIVE:
            self.rec["keepalivesRx"] += 1
        elif msg_type == MSG_UPDATE:
            self.rec["updatesRx"] += 1
        elif msg_type == MSG_NOTIFICATION:
            self.rec["notification"] = {
                "code": body[0] if len(body) > 0 else None,
                "subcode": body[1] if len(body) > 1 else None,
                "data": body[2:].hex(),
            }
        self.speaker.save()

    # -- what the scenarios ask

    @property
    def open_rx(self):
        return self.rec["openRx"] is not None

    @property
    def keepalive_rx(self):
        return self.rec["keepalivesRx"] > 0

    @property
    def notified(self):
        return self.rec["notification"] is not None

    @property
    def open_ok(self):
        """Up, with no NOTIFICATION received."""
        return self.alive and not self.notified


class Timeout(Exception):
    pass


class Speaker(object):
    def __init__(self, args):
        self.args = args
        self.conns = {}
        self.order = []
        self.extra = 0
        self.state = {
            "scenario": args.scenario,
            "bgpId": args.bgp_id,
            "as": args.asn,
            "holdTime": args.hold,
            "gracefulRestart": args.graceful_restart,
            "phase": "starting",
            "phases": [],
            "error": None,
            "conns": {},
        }
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((args.local, BGP_PORT))
        self.listener.listen(8)
        self.listener.setblocking(False)
        self.phase("listening")

    def save(self):
        self.state["conns"] = {n: self.conns[n].rec for n in self.order}
        tmp = self.args.state + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.state, f, indent=1, sort_keys=True)
        os.rename(tmp, self.args.state)

    def phase(self, name):
        self.state["phase"] = name
        self.state["phases"].append([name, round(time.time(), 3)])
        print("phase", name, flush=True)
        self.save()

    def add(self, name, sock):
        c = Conn(self, name, sock)
        self.conns[name] = c
        self.order.append(name)
        self.save()
        return c

    def accept(self):
        try:
            sock, _ = self.listener.accept()
        except BlockingIOError:
            return
        if "meshd-initiated" not in self.conns:
            name = "meshd-initiated"
        else:
            self.extra += 1
            name = "extra-{}".format(self.extra)
        self.add(name, sock)

    def connect(self, name):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((self.args.local, 0))
        sock.settimeout(10)
        sock.connect((self.args.peer, BGP_PORT))
        return self.add(name, sock)

    def pump(self, timeout):
        """Waits up to timeout seconds for input and handles it."""
        now = time.monotonic()
        for c in self.conns.values():
            c.tick(now)
        live = [c for c in self.conns.values() if c.alive]
        rlist = [self.listener] + [c.sock for c in live]
        deadline = min(
            [now + timeout] + [c.next_keepalive for c in live if c.next_keepalive]
        )
        r, _, _ = select.select(rlist, [], [], max(0.0, deadline - now))
        for s in r:
            if s is self.listener:
                self.accept()
            else:
                for c in live:
                    if c.sock is s:
                        c.readable()

    def wait(self, pred, timeout, what):
        deadline = time.monotonic() + timeout
        while not pred():
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout(what)
            self.pump(min(left, 0.2))

    def wait_go(self):
        self.wait(lambda: os.path.exists(self.args.go), 600, "the go file")

    def forever(self):
        while True:
            self.pump(1.0)


def require(conn, what):
    if not conn.open_ok:
        raise Timeout("{} lost before {}".format(conn.name, what))
    return True


def scenario_collide(sp, timeout):
    a = None

    def accepted():
        return "meshd-initiated" in sp.conns

    sp.wait(accepted, timeout, "the peer's connection")
    a = sp.conns["meshd-initiated"]
    sp.wait(lambda: require(a, "its OPEN") and a.open_rx, timeout,
            "the peer's OPEN on meshd-initiated")
    sp.phase("meshd-open")

    b = sp.connect("speaker-initiated")
    b.send_open()
    sp.wait(lambda: require(b, "OpenConfirm") and b.open_rx and b.keepalive_rx,
            timeout, "the peer's OPEN and KEEPALIVE on speaker-initiated")
    require(a, "holding")
    sp.phase("holding")

    sp.wait_go()
    a.send_open()
    sp.phase("resolving")

    def resolved():
        left = [c for c in (a, b) if c.open_ok]
        return len(left) <= 1 and all(c.keepalive_rx for c in left)

    try:
        sp.wait(resolved, timeout, "collision resolution")
    except Timeout:
        sp.phase("unresolved")
        return
    left = [c for c in (a, b) if c.open_ok]
    if not left:
        sp.phase("no-survivor")
        return
    left[0].start_keepalives()
    sp.state["survivor"] = left[0].name
    sp.phase("resolved")


def scenario_late(sp, timeout):
    sp.wait(lambda: "meshd-initiated" in sp.conns, timeout, "the peer's connection")
    a = sp.conns["meshd-initiated"]
    sp.wait(lambda: require(a, "its OPEN") and a.open_rx, timeout, "the peer's OPEN")
    a.send_open()
    sp.wait(lambda: require(a, "OpenConfirm") and a.keepalive_rx, timeout,
            "the peer's KEEPALIVE")
    a.start_keepalives()
    sp.phase("established")

    sp.wait_go()
    c = sp.connect("late")
    c.send_open()
    sp.phase("late-open")

    def done():
        return not c.open_ok or c.keepalive_rx

    try:
        sp.wait(done, timeout, "an answer on the late connection")
    except Timeout:
        sp.phase("late-unanswered")
        return
    if c.open_ok and c.keepalive_rx and c.open_rx:
        c.start_keepalives()
    sp.phase("late-resolved")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--local", required=True, help="our address (listen and source)")
    p.add_argument("--peer", required=True, help="the peer's address")
    p.add_argument("--asn", type=int, required=True)
    p.add_argument("--bgp-id", required=True, help="our BGP Identifier")
    p.add_argument("--hold", type=int, default=90, help="hold time we offer")
    p.add_argument("--graceful-restart", type=int, default=None, metavar="SECS",
                   help="advertise Graceful Restart with this restart time")
    p.add_argument("--scenario", choices=("collide", "late"), required=True)
    p.add_argument("--state", required=True, help="JSON state file")
    p.add_argument("--go", required=True, help="file whose creation starts the next step")
    p.add_argument("--timeout", type=float, default=60.0, help="per step")
    args = p.parse_args()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sp = Speaker(args)
    try:
        {"collide": scenario_collide, "late": scenario_late}[args.scenario](
            sp, args.timeout)
    except Timeout as e:
        sp.state["error"] = "timed out waiting for {}".format(e)
        sp.phase("failed")
    except OSError as e:
        sp.state["error"] = "{}: {}".format(type(e).__name__, e)
        sp.phase("failed")
    sp.forever()


if __name__ == "__main__":
    main()
