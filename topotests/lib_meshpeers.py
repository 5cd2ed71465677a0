#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
Real BGP peers for meshd topotests: BIRD 2, GoBGP and ExaBGP run inside
topotest gears (network namespaces), each with its own files under the
gear's log directory, and answer queries as Python structures.

  Bird(gear, config)     bird -c/-s/-P; birdc -s <sock>; "show protocols",
                         "show route all" parsed into dicts
  GoBGP(gear, config)    gobgpd with its gRPC API on 127.0.0.1 inside the
                         namespace; gobgp -u/-p ... -j
  ExaBGP(gear, config)   exabgp with an API process (this file, run as a
                         script) that appends every JSON message exabgp
                         writes to a file and forwards the commands written
                         to a named pipe to exabgp

Test helpers: expect(check, what, timeout) polls for a wall-clock budget,
stop_all(peers) is a teardown_module.

Wire helpers: parse_update() decodes an UPDATE body as ExaBGP reports it
(hex), so a test can read attribute flags exactly as they were sent;
mrt_rib_ipv4() writes a TABLE_DUMPV2 file that "gobgp mrt inject global"
loads, the one way to make GoBGP originate an attribute it does not know.
"""

import ipaddress
import json
import os
import re
import shlex
import struct
import sys
import time

BIRD = "/usr/sbin/bird"
BIRDC = "/usr/sbin/birdc"
GOBGPD = "/usr/bin/gobgpd"
GOBGP = "/usr/bin/gobgp"
EXABGP = "/usr/sbin/exabgp"
PYTHON = "/usr/bin/python3"

ATTR_NAMES = {
    1: "ORIGIN",
    2: "AS_PATH",
    3: "NEXT_HOP",
    4: "MED",
    5: "LOCAL_PREF",
    6: "ATOMIC_AGGREGATE",
    7: "AGGREGATOR",
    8: "COMMUNITIES",
    14: "MP_REACH_NLRI",
    15: "MP_UNREACH_NLRI",
    32: "LARGE_COMMUNITIES",
}

FLAG_OPTIONAL = 0x80
FLAG_TRANSITIVE = 0x40
FLAG_PARTIAL = 0x20
FLAG_EXTLEN = 0x10


def wait_for(func, timeout=30.0, interval=0.5):
    """Calls func until it returns something true; returns that, or the
    last (false) value once timeout seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        result = func()
        if result or time.monotonic() >= deadline:
            return result
        time.sleep(interval)


def expect(check, what, timeout=45.0):
    """Polls check() until it returns None, for timeout seconds of wall
    clock whatever each check costs (lib_checks.expect counts tries
    instead); fails with check's last answer."""
    if not wait_for(lambda: check() is None, timeout=timeout):
        last = check()
        assert last is None, "{}: {}".format(what, last)


def stop_all(peers):
    """teardown_module of a test with peers of this module: the peers,
    then the topology."""
    from lib.topogen import get_topogen

    for p in peers.values():
        p.stop()
    get_topogen().stop_topology()


class RequireSessions(object):
    """Checks that mean nothing without the sessions skip when the test
    that brings them up failed (that failure is the one to read):
    call .up() at its end and .require() first in the others."""

    def __init__(self):
        self.ok = False

    def up(self):
        self.ok = True

    def require(self):
        if not self.ok:
            import pytest

            pytest.skip("sessions did not come up")


class PeerDaemon(object):
    """A daemon of our own inside a topotest gear."""

    name = "peer"

    def __init__(self, gear, config):
        self.gear = gear
        self.config = config
        self.workdir = os.path.join(gear.logdir, gear.name, self.name)
        os.makedirs(self.workdir, exist_ok=True)
        self.pidfile = self.path(self.name + ".pid")

    def path(self, filename):
        return os.path.join(self.workdir, filename)

    def write(self, filename, text):
        path = self.path(filename)
        with open(path, "w") as f:
            f.write(text)
        return path

    def run(self, command):
        """Runs a shell command in the gear's namespace; returns its output."""
        return self.gear.cmd(command)

    def spawn(self, argv, env=None, log=None):
        """Starts argv in the background in the gear's namespace, output to
        log; records the pid in self.pidfile."""
        log = log or self.path(self.name + ".out")
        prefix = ""
        if env:
            prefix = "env " + " ".join(
                shlex.quote("{}={}".format(k, v)) for k, v in env.items()
            ) + " "
        command = "{}{} </dev/null >{} 2>&1 & echo $! >{}".format(
            prefix, " ".join(shlex.quote(a) for a in argv), shlex.quote(log),
            shlex.quote(self.pidfile)
        )
        self.run(command)

    def pid(self):
        try:
            with open(self.pidfile) as f:
                return int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def running(self):
        pid = self.pid()
        if not pid:
            return False
        out = self.run("kill -0 {} 2>/dev/null && echo alive".format(pid))
        return "alive" in out

    def stop(self):
        """Stops the daemon started by this object (its pid only)."""
        pid = self.pid()
        if not pid:
            return
        self.run("kill {} 2>/dev/null".format(pid))
        if not wait_for(lambda: not self.running(), timeout=5, interval=0.2):
            self.run("kill -9 {} 2>/dev/null".format(pid))
        try:
            os.unlink(self.pidfile)
        except OSError:
            pass

    def log_tail(self, lines=40):
        out = []
        for f in sorted(os.listdir(self.workdir)):
            if f.endswith((".log", ".out")):
                with open(self.path(f), errors="replace") as fh:
                    text = fh.read().splitlines()[-lines:]
                out.append("--- {} ---\n{}".format(f, "\n".join(text)))
        return "\n".join(out)


# ----------------------------------------------------------------------
# BIRD 2


class Bird(PeerDaemon):
    """BIRD 2 with its own control socket. config is the text of bird.conf;
    '{log}' in it is replaced by the log file's path."""

    name = "bird"

    def start(self):
        self.sock = self.path("bird.ctl")
        conf = self.write("bird.conf", self.config.replace("{log}", self.path("bird.log")))
        out = self.run("{} -p -c {}".format(BIRD, conf))
        if out.strip():
            raise RuntimeError("bird.conf rejected: " + out)
        # bird forks into the background itself and writes the pid file
        self.run("{} -c {} -s {} -P {}".format(BIRD, conf, self.sock, self.pidfile))
        if not wait_for(lambda: "ready" in self.birdc("show status"), timeout=10):
            raise RuntimeError("bird did not start:\n" + self.log_tail())

    def birdc(self, command):
        return self.run("{} -s {} {}".format(BIRDC, self.sock, command))

    def protocol(self, name):
        """'show protocols NAME' as a dict: state (up/start/down) and info
        (Established, Active, Connect...)."""
        for line in self.birdc("show protocols " + name).splitlines():
            cols = line.split()
            if cols and cols[0] == name and len(cols) >= 4:
                return {
                    "proto": cols[1],
                    "table": cols[2],
                    "state": cols[3],
                    "info": " ".join(cols[5:]) if len(cols) > 5 else "",
                }
        return {}

    def established(self, name):
        return self.protocol(name).get("info", "").startswith("Established")

    def routes(self, prefix, table):
        """'show route for PREFIX table TABLE all' as a list of dicts, one
        per route: prefix, proto, primary (best), and each 'BGP.xxx:' line
        as a key 'xxx' with its text (unknown attributes appear under the
        name BIRD gives them)."""
        out = self.birdc("show route for {} table {} all".format(prefix, table))
        return parse_bird_routes(out)


def parse_bird_routes(text):
    routes = []
    cur = None
    last_prefix = None
    for line in text.splitlines():
        if not line.strip() or line.startswith(("BIRD ", "Table ", "Network not")):
            continue
        if not line[0].isspace():
            cols = line.split()
            if "/" in cols[0]:
                last_prefix = cols[0]
                rest = cols[1:]
            else:
                rest = cols
            cur = {"prefix": last_prefix, "primary": "*" in rest, "attrs": {}}
            if "[" in line:
                cur["proto"] = line.split("[", 1)[1].split()[0]
            routes.append(cur)
            continue
        if cur is None:
            continue
        body = line.strip()
        if body.startswith("BGP.") and ":" in body:
            key, _, value = body[4:].partition(":")
            key, value = key.strip(), value.strip()
            cur["attrs"][key] = value
            # unknown attributes: "BGP.c8 [t]: 01 02 03"
            m = re.match(r"^([0-9a-f]{2})(?: \[(\w*)\])?$", key)
            if m:
                cur.setdefault("unknown", {})[int(m.group(1), 16)] = {
                    "flags": m.group(2) or "",
                    "value": value.replace(" ", "").replace(":", "").lower(),
                }
        elif body.startswith("via "):
            cur["via"] = body.split()[1]
        elif body.startswith("Type:"):
            cur["type"] = body[5:].strip()
    return routes


def bird_communities(text):
    """'(65001,1) (65001,2)' -> ['65001:1', '65001:2']; large communities
    '(65001, 0, 1)' -> ['65001:0:1']."""
    out = []
    for part in text.replace(" ", "").split(")"):
        part = part.strip("(")
        if part:
            out.append(":".join(part.split(",")))
    return out


# ----------------------------------------------------------------------
# GoBGP


class GoBGP(PeerDaemon):
    """gobgpd from a TOML configuration, API on 127.0.0.1:api_port inside
    the gear's namespace."""

    name = "gobgp"

    def __init__(self, gear, config, api_port=50051):
        super(GoBGP, self).__init__(gear, config)
        self.api_port = api_port

    def start(self):
        conf = self.write("gobgpd.toml", self.config)
        # --dry-run: reads the configuration and exits; a bad one logs at
        # level fatal or error.
        out = self.run("{} -d -f {}".format(GOBGPD, conf))
        if '"level":"fatal"' in out or '"level":"error"' in out:
            raise RuntimeError("gobgpd.toml rejected: " + out)
        self.spawn(
            [
                GOBGPD,
                "-f",
                conf,
                "-t",
                "toml",
                "-p",
                "-l",
                "info",
                "--api-hosts",
                "127.0.0.1:{}".format(self.api_port),
                "--pprof-disable",
            ],
            log=self.path("gobgpd.log"),
        )
        if not wait_for(lambda: self.gobgp("global", as_json=True) is not None, timeout=10):
            raise RuntimeError("gobgpd did not start:\n" + self.log_tail())

    def gobgp(self, args, as_json=True):
        """Runs 'gobgp ARGS' against this daemon; JSON output decoded (None
        when it is not JSON), else the text."""
        cmd = "{} -u 127.0.0.1 -p {} {}{}".format(
            GOBGP, self.api_port, args, " -j" if as_json else ""
        )
        out = self.run(cmd)
        if not as_json:
            return out
        try:
            return json.loads(out)
        except ValueError:
            return None

    def neighbor(self, addr):
        return self.gobgp("neighbor " + addr) or {}

    def established(self, addr):
        state = self.neighbor(addr).get("state", {})
        # gobgp 3 reports session_state 6 (ESTABLISHED) in JSON
        return state.get("session_state") in (6, "established", "ESTABLISHED")

    def rib(self, family="ipv4"):
        """The global RIB: {prefix: [path, ...]}; each path with 'attrs'."""
        return self.gobgp("global rib -a " + family) or {}

    def add_route(self, prefix, family="ipv4", extra=""):
        out = self.gobgp(
            "global rib -a {} add {} {}".format(family, prefix, extra), as_json=False
        )
        if out.strip():
            raise RuntimeError("gobgp global rib add {}: {}".format(prefix, out))

    def inject_mrt(self, path):
        out = self.gobgp("mrt inject global " + path, as_json=False)
        if out.strip():
            raise RuntimeError("gobgp mrt inject: " + out)


def gobgp_attr(path, type_code):
    for a in path.get("attrs", []):
        if a.get("type") == type_code:
            return a
    return None


def gobgp_aspath(path):
    """AS numbers of a GoBGP path's AS_PATH, flattened, as a string."""
    a = gobgp_attr(path, 2)
    if not a:
        return ""
    asns = []
    for seg in a.get("as_paths", []):
        asns.extend(str(x) for x in seg.get("asns", []))
    return " ".join(asns)


def gobgp_communities(path):
    a = gobgp_attr(path, 8)
    if not a:
        return []
    return ["{}:{}".format(c >> 16, c & 0xFFFF) for c in a.get("communities", [])]


def gobgp_large_communities(path):
    a = gobgp_attr(path, 32)
    if not a:
        return []
    return [
        "{}:{}:{}".format(c["ASN"], c["LocalData1"], c["LocalData2"])
        for c in a.get("value", [])
    ]


def gobgp_unknown_attr(path, type_code):
    """An attribute GoBGP does not know, as it keeps it from the wire:
    (flags, value as hex), or None."""
    import base64

    a = gobgp_attr(path, type_code)
    if not a or "flags" not in a:
        return None
    return a["flags"], base64.b64decode(a.get("value", "")).hex()


# ----------------------------------------------------------------------
# ExaBGP


class ExaBGP(PeerDaemon):
    """ExaBGP with one API process: every message ExaBGP writes to it lands
    as one line in events.jsonl; commands given to send() reach ExaBGP
    through a named pipe. In the configuration, '{api}' is replaced by the
    process's run line; name the process 'api'."""

    name = "exabgp"

    def start(self):
        self.fifo = self.path("commands.fifo")
        self.events = self.path("events.jsonl")
        if not os.path.exists(self.fifo):
            os.mkfifo(self.fifo)
        open(self.events, "w").close()
        api = "{} {} --exabgp-api {} {}".format(
            PYTHON, os.path.realpath(__file__), self.fifo, self.events
        )
        conf = self.write("exabgp.conf", self.config.replace("{api}", api))
        env = {
            "exabgp_daemon_user": "root",
            "exabgp_daemon_drop": "false",
            "exabgp_daemon_daemonize": "false",
            "exabgp_daemon_umask": "0o022",
            "exabgp_log_destination": self.path("exabgp.log"),
            "exabgp_log_level": "DEBUG",
            "exabgp_log_packets": "true",
            "exabgp_log_parser": "true",
            "exabgp_api_cli": "false",
            "exabgp_api_ack": "false",
            "exabgp_tcp_bind": "",
        }
        self.spawn([EXABGP, conf], env=env)
        if not wait_for(self.running, timeout=10):
            raise RuntimeError("exabgp did not start:\n" + self.log_tail())

    def send(self, command):
        """Hands one API command (e.g. 'neighbor 10.0.4.1 announce route
        ...') to ExaBGP."""
        # The relay keeps the pipe open for reading; a writer never blocks
        # long. Open non-blocking so a dead relay shows up as an error.
        fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
        try:
            os.write(fd, (command.strip() + "\n").encode())
        finally:
            os.close(fd)

    def messages(self, mtype=None, direction=None, peer=None):
        """Decoded JSON messages ExaBGP reported, oldest first, filtered by
        type ('update', 'state', 'notification', 'open'), direction
        ('receive'/'send') and peer address."""
        out = []
        try:
            with open(self.events) as f:
                lines = f.read().splitlines()
        except OSError:
            return out
        for line in lines:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if not isinstance(msg, dict):
                continue
            if mtype and msg.get("type") != mtype:
                continue
            nb = msg.get("neighbor", {})
            if direction and nb.get("direction") != direction:
                continue
            if peer and nb.get("address", {}).get("peer") != peer:
                continue
            out.append(msg)
        return out

    def sent_messages(self):
        """Every BGP message ExaBGP wrote to a socket, as bytes (header
        included), oldest first, read from its packet log. This is the
        wire as sent: unlike its 'send' API reports, it does not depend on
        ExaBGP parsing back what it sent, which it cannot do for the
        malformed attributes a test sends on purpose."""
        out = []
        try:
            with open(self.path("exabgp.log"), errors="replace") as f:
                for line in f:
                    m = re.search(r"sending TCP payload \(\s*(\d+)\) ([0-9A-F ]+)$", line.rstrip())
                    if m:
                        raw = bytes.fromhex(m.group(2).replace(" ", ""))
                        if len(raw) == int(m.group(1)):
                            out.append(raw)
        except OSError:
            pass
        return out

    def sent_updates(self, prefix=None):
        """Decoded UPDATEs ExaBGP sent (see sent_messages), those
        announcing prefix when given."""
        out = []
        for raw in self.sent_messages():
            if len(raw) < 19 or raw[18] != 2:
                continue
            u = parse_update(raw[19:].hex())
            if prefix is None or prefix in u["nlri"] or prefix in u["mp_nlri"]:
                out.append(u)
        return out

    def state(self, peer):
        """Last reported state of the session with peer ('up', 'down',
        'connected'), or None."""
        states = self.messages("state", peer=peer)
        return states[-1]["neighbor"].get("state") if states else None

    def received_updates(self, peer):
        """(parsed JSON, decoded wire UPDATE) for each UPDATE received from
        peer, oldest first."""
        out = []
        for msg in self.messages("update", direction="receive", peer=peer):
            body = msg.get("neighbor", {}).get("message", {}).get("body") or msg.get("body")
            out.append((msg, parse_update(body) if body else None))
        return out

    def received_route(self, peer, prefix):
        """The wire form of the last UPDATE from peer that announced or
        withdrew prefix: ('announce', update) or ('withdraw', update), or
        None."""
        last = None
        for _, upd in self.received_updates(peer):
            if upd is None:
                continue
            if prefix in upd["nlri"] or prefix in upd["mp_nlri"]:
                last = ("announce", upd)
            elif prefix in upd["withdrawn"] or prefix in upd["mp_withdrawn"]:
                last = ("withdraw", upd)
        return last


def _exabgp_api_relay(fifo, events):
    """Runs as ExaBGP's API process: stdin (messages from ExaBGP) is
    appended to events; lines written to fifo go to stdout (commands)."""
    import threading

    def commands():
        # Opened for reading and writing: never sees end-of-file when a
        # writer closes, and a writer never finds it without a reader.
        fd = os.open(fifo, os.O_RDWR)
        with os.fdopen(fd, "r") as f:
            for line in f:
                sys.stdout.write(line)
                sys.stdout.flush()

    t = threading.Thread(target=commands, daemon=True)
    t.start()
    with open(events, "a") as out:
        for line in sys.stdin:
            out.write(line)
            out.flush()


# ----------------------------------------------------------------------
# Wire decoding of an UPDATE body (as ExaBGP reports it: no header)


def _prefixes(data, afi):
    out = []
    i = 0
    size = 4 if afi == 1 else 16
    while i < len(data):
        plen = data[i]
        n = (plen + 7) // 8
        raw = data[i + 1 : i + 1 + n] + bytes(size - n)
        addr = ipaddress.ip_address(raw)
        out.append("{}/{}".format(addr, plen))
        i += 1 + n
    return out


def parse_update(body_hex):
    """Decodes an UPDATE body (hex, after the 19-octet header) with
    4-octet AS numbers. Returns a dict: withdrawn, nlri, mp_nlri,
    mp_withdrawn (prefix strings), attrs (list of dicts flags/type/value
    with value as hex) and aspath (list of AS numbers)."""
    if body_hex.lower().startswith("0x"):
        body_hex = body_hex[2:]
    data = bytes.fromhex(body_hex)
    wlen = struct.unpack_from("!H", data, 0)[0]
    withdrawn = _prefixes(data[2 : 2 + wlen], 1)
    alen = struct.unpack_from("!H", data, 2 + wlen)[0]
    abuf = data[4 + wlen : 4 + wlen + alen]
    nlri = _prefixes(data[4 + wlen + alen :], 1)
    attrs = []
    mp_nlri, mp_withdrawn, aspath = [], [], []
    i = 0
    while i < len(abuf):
        flags, code = abuf[i], abuf[i + 1]
        if flags & FLAG_EXTLEN:
            length = struct.unpack_from("!H", abuf, i + 2)[0]
            i += 4
        else:
            length = abuf[i + 2]
            i += 3
        value = abuf[i : i + length]
        i += length
        attrs.append({"flags": flags, "type": code, "value": value.hex()})
        # What a test may have sent on purpose can be malformed: decode
        # what fits, keep the raw value either way.
        try:
            if code == 2:
                j = 0
                while j + 2 <= len(value):
                    count = value[j + 1]
                    for k in range(count):
                        aspath.append(struct.unpack_from("!I", value, j + 2 + 4 * k)[0])
                    j += 2 + 4 * count
            elif code == 14:
                afi = struct.unpack_from("!H", value, 0)[0]
                nhlen = value[3]
                mp_nlri += _prefixes(value[5 + nhlen :], afi)
            elif code == 15:
                afi = struct.unpack_from("!H", value, 0)[0]
                mp_withdrawn += _prefixes(value[3:], afi)
        except (struct.error, IndexError, ValueError):
            attrs[-1]["malformed"] = True
    return {
        "withdrawn": withdrawn,
        "nlri": nlri,
        "mp_nlri": mp_nlri,
        "mp_withdrawn": mp_withdrawn,
        "attrs": attrs,
        "aspath": aspath,
    }


def update_attr(update, type_code):
    for a in update["attrs"]:
        if a["type"] == type_code:
            return a
    return None


def large_communities_from_hex(value_hex):
    data = bytes.fromhex(value_hex)
    return [
        "{}:{}:{}".format(*struct.unpack_from("!III", data, i))
        for i in range(0, len(data), 12)
    ]


def communities_from_hex(value_hex):
    data = bytes.fromhex(value_hex)
    return [
        "{}:{}".format(*struct.unpack_from("!HH", data, i)) for i in range(0, len(data), 4)
    ]


# ----------------------------------------------------------------------
# MRT TABLE_DUMPV2 (RFC 6396) for 'gobgp mrt inject global'


def _attr(flags, code, value):
    if len(value) > 255:
        return struct.pack("!BBH", flags | FLAG_EXTLEN, code, len(value)) + value
    return struct.pack("!BBB", flags, code, len(value)) + value


def mrt_rib_ipv4(path, peer_ip, peer_as, routes, bgp_id="10.255.255.1", repeat=300):
    """Writes a TABLE_DUMPV2 file with one peer and RIB_IPV4_UNICAST
    records for routes. Each route is a dict: prefix, next_hop, as_path
    (list), communities (list 'a:b'), extra (list of (flags, type, hex))
    for attributes written as they are.

    The records are written repeat times over: gobgp 3.10's 'mrt inject'
    exits without closing its gRPC stream, so the last records it sends
    can be lost; identical repeats change nothing once one has landed."""
    routes = list(routes) * repeat
    ts = int(time.time())

    def record(subtype, body):
        return struct.pack("!IHHI", ts, 13, subtype, len(body)) + body

    # PEER_INDEX_TABLE: one IPv4 peer with a 4-octet AS (peer type 0x02)
    peers = struct.pack("!B", 0x02)
    peers += ipaddress.IPv4Address(peer_ip).packed  # peer BGP ID
    peers += ipaddress.IPv4Address(peer_ip).packed
    peers += struct.pack("!I", peer_as)
    body = ipaddress.IPv4Address(bgp_id).packed + struct.pack("!H", 0)
    body += struct.pack("!H", 1) + peers
    out = record(1, body)

    for seq, r in enumerate(routes):
        net = ipaddress.IPv4Network(r["prefix"])
        attrs = _attr(FLAG_TRANSITIVE, 1, b"\x00")
        asp = b""
        if r.get("as_path"):
            asp = struct.pack("!BB", 2, len(r["as_path"]))
            asp += b"".join(struct.pack("!I", a) for a in r["as_path"])
        attrs += _attr(FLAG_TRANSITIVE, 2, asp)
        attrs += _attr(FLAG_TRANSITIVE, 3, ipaddress.IPv4Address(r["next_hop"]).packed)
        if r.get("communities"):
            val = b"".join(
                struct.pack("!HH", *(int(x) for x in c.split(":"))) for c in r["communities"]
            )
            attrs += _attr(FLAG_OPTIONAL | FLAG_TRANSITIVE, 8, val)
        for flags, code, hexval in r.get("extra", []):
            attrs += _attr(flags, code, bytes.fromhex(hexval))
        n = (net.prefixlen + 7) // 8
        rib = struct.pack("!IB", seq, net.prefixlen) + net.network_address.packed[:n]
        rib += struct.pack("!H", 1)  # entry count
        rib += struct.pack("!HIH", 0, ts, len(attrs)) + attrs
        out += record(2, rib)
    with open(path, "wb") as f:
        f.write(out)
    return path


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--exabgp-api":
        _exabgp_api_relay(sys.argv[2], sys.argv[3])
    else:
        sys.stderr.write("usage: lib_meshpeers.py --exabgp-api FIFO EVENTS\n")
        sys.exit(2)
