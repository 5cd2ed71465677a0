#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
meshd, with a 4-octet AS, beside a peer that does not support 4-octet AS
numbers (RFC 6793 "OLD" speaker), between two 4-octet ASes:

    r1 (FRR bgpd, AS 4200000001) --- b1 (BIRD 2, AS 65002) --- m1 (meshd, AS 4200000003)
         4-octet session                  'enable as4 off' toward m1

b1 leaves the 4-octet AS capability out of its OPEN to m1, so on that
session m1 is AS_TRANS (23456) and AS_PATH carries 2-octet numbers; the
true path travels in AS4_PATH, the aggregator in AS4_AGGREGATOR. A
tcpdump on b1's side of the link keeps the raw messages. The test checks:

- the b1-m1 session is Established; meshd reports 4-octet AS not
  negotiated (capabilities.as4 false); on the wire m1's OPEN has My AS
  23456 (AS_TRANS, what an old speaker reads) and the capability with
  4200000003, b1's OPEN no capability; BIRD's session with m1 is not AS4,
  its session with r1 is. (BIRD with 'enable as4 off' still takes the
  peer's AS from the capability, and reports m1 as 4200000003; b1 knows
  m1 as 'external', see b1/bird.conf.)
- meshd's network 10.100.3.0/24 leaves m1 with AS_PATH [23456] and
  AS4_PATH [4200000003] on the wire; BIRD rebuilds 4200000003 from them,
  and r1 gets AS_PATH "65002 4200000003";
- r1's 10.101.1.0/24 reaches m1 on the wire as AS_PATH [65002 23456] plus
  AS4_PATH [65002 4200000001], and meshd shows the merged AS_PATH
  "65002 4200000001" (RFC 6793 4.2.3) with communities and large
  community intact;
- r1's aggregate 10.201.0.0/16 reaches m1 with AGGREGATOR AS 23456 and
  AS4_AGGREGATOR 4200000001 on the wire; meshd shows aggregator
  "4200000001 10.255.0.11".
"""

import ipaddress
import os
import struct
import sys

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.dirname(CWD))

import lib_meshpeers as mp
from lib.topogen import Topogen, get_topogen

pytestmark = [pytest.mark.meshd]

AS_TRANS = 23456
R1_AS = 4200000001
B1_AS = 65002
M1_AS = 4200000003

R1_ADDR = "10.0.1.1"  # r1-eth0
B1_R1_ADDR = "10.0.1.2"  # b1-eth0, toward r1
B1_M1_ADDR = "10.0.2.2"  # b1-eth1, toward m1
M1_ADDR = "10.0.2.1"  # m1-eth0
R1_ID = "10.255.0.11"

M1_NET = "10.100.3.0/24"
R1_NET = "10.101.1.0/24"
R1_COMM = "65001:1 65001:2"
R1_LCOMM = "4200000001:0:1"
R1_AGGR = "10.201.0.0/16"

# BGP attribute type codes
AS_PATH, AGGREGATOR, AS4_PATH, AS4_AGGREGATOR = 2, 7, 17, 18
CAP_AS4 = 65

# Convergence budget for each check, in seconds.
WAIT = 40

peers = {}  # name -> daemon object (BIRD, the capture)


class Capture(mp.PeerDaemon):
    """tcpdump of the BGP messages on one interface of a gear, written as
    a pcap file the test reads while it grows."""

    name = "tcpdump"

    def __init__(self, gear, ifname):
        super(Capture, self).__init__(gear, None)
        self.ifname = ifname
        self.pcap = self.path("bgp.pcap")

    def start(self):
        # The pcap goes to stdout, so the file is written by the shell
        # whatever user tcpdump drops to; -U writes each packet at once.
        self.run(
            "tcpdump -i {} -n -s 0 -U -w - tcp port 179 >{} 2>{} </dev/null & "
            "echo $! >{}".format(self.ifname, self.pcap, self.path("tcpdump.log"),
                                 self.pidfile)
        )
        if not mp.wait_for(lambda: os.path.getsize(self.pcap) >= 24, timeout=10):
            raise RuntimeError("tcpdump did not start:\n" + self.log_tail())

    def messages(self, src):
        """The BGP messages src sent, as (type, body) in order, every TCP
        connection src opened or accepted one after the other."""
        out = []
        for stream in tcp_streams(pcap_frames(self.pcap), src):
            out.extend(bgp_messages(stream))
        return out


# ----------------------------------------------------------------------
# Raw messages: pcap -> TCP streams -> BGP messages


def pcap_frames(path):
    """Ethernet frames of a pcap file; a record still being written at the
    end is left out."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return []
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        raise ValueError("not a pcap file: " + path)
    if struct.unpack_from(end + "I", data, 20)[0] != 1:
        raise ValueError("pcap link type is not Ethernet: " + path)
    frames, off = [], 24
    while off + 16 <= len(data):
        incl = struct.unpack_from(end + "I", data, off + 8)[0]
        off += 16
        if off + incl > len(data):
            break
        frames.append(data[off:off + incl])
        off += incl
    return frames


def tcp_streams(frames, src):
    """The byte streams src sent over IPv4 TCP, one per connection, in the
    order the connections started; reassembled by sequence number up to
    the first gap (retransmissions overlap harmlessly)."""
    conns = {}  # (sport, dst, dport) -> {"isn": int or None, "segs": {seq: data}}
    order = []
    for fr in frames:
        if len(fr) < 34 or fr[12:14] != b"\x08\x00":
            continue
        ip = fr[14:]
        ihl = (ip[0] & 0x0F) * 4
        total = struct.unpack_from("!H", ip, 2)[0]
        if ip[9] != 6 or str(ipaddress.IPv4Address(ip[12:16])) != src:
            continue
        tcp = ip[ihl:total]
        sport, dport, seq = struct.unpack_from("!HHI", tcp, 0)
        doff = (tcp[12] >> 4) * 4
        flags = tcp[13]
        key = (sport, str(ipaddress.IPv4Address(ip[16:20])), dport)
        syn = bool(flags & 0x02)
        if syn or key not in conns:  # a new connection (or one under way)
            conns[key] = {"isn": seq if syn else None, "segs": {}}
            if key in order:
                order.remove(key)
            order.append(key)
        payload = tcp[doff:]
        if payload:
            conns[key]["segs"].setdefault(seq, payload)
    streams = []
    for key in order:
        c = conns[key]
        if not c["segs"]:
            continue
        base = (c["isn"] + 1) & 0xFFFFFFFF if c["isn"] is not None else min(c["segs"])
        data = bytearray()
        for rel, payload in sorted(
            ((s - base) & 0xFFFFFFFF, p) for s, p in c["segs"].items()
        ):
            if rel > len(data):
                break
            data += payload[len(data) - rel:]
        streams.append(bytes(data))
    return streams


def bgp_messages(stream):
    out, off = [], 0
    while off + 19 <= len(stream):
        if stream[off:off + 16] != b"\xff" * 16:
            break
        length, mtype = struct.unpack_from("!HB", stream, off + 16)
        if length < 19 or off + length > len(stream):
            break
        out.append((mtype, stream[off + 19:off + length]))
        off += length
    return out


def parse_open(body):
    """My AS and the capabilities (code -> value bytes) of an OPEN body."""
    my_as = struct.unpack_from("!H", body, 1)[0]
    caps, off, end = {}, 10, 10 + body[9]
    while off + 2 <= end:
        ptype, plen = body[off], body[off + 1]
        if ptype == 2:
            c = off + 2
            while c + 2 <= off + 2 + plen:
                caps[body[c]] = body[c + 2:c + 2 + body[c + 1]]
                c += 2 + body[c + 1]
        off += 2 + plen
    return {"my_as": my_as, "caps": caps}


def aspath_ases(value, width):
    """The AS numbers of an AS_PATH / AS4_PATH value, segments flattened."""
    fmt = "!H" if width == 2 else "!I"
    ases, off = [], 0
    while off + 2 <= len(value):
        count = value[off + 1]
        for i in range(count):
            ases.append(struct.unpack_from(fmt, value, off + 2 + width * i)[0])
        off += 2 + width * count
    return ases


def raw_update_for(capture, src, prefix):
    """The attributes (type -> value bytes) of the last UPDATE src sent
    announcing prefix, read from the wire; None when there is none."""
    last = None
    for mtype, body in capture.messages(src):
        if mtype != 2:
            continue
        upd = mp.parse_update(body.hex())
        if prefix in upd["nlri"]:
            last = {a["type"]: bytes.fromhex(a["value"]) for a in upd["attrs"]}
    return last


def raw_opens(src):
    return [parse_open(body) for mtype, body in peers["cap"].messages(src) if mtype == 1]


# ----------------------------------------------------------------------
# Topology


def build_topo(tgen):
    r1 = tgen.add_router("r1")
    m1 = tgen.add_router("m1")
    b1 = tgen.add_host("b1", B1_R1_ADDR + "/24", "via " + R1_ADDR)
    tgen.add_link(r1, b1)  # r1-eth0 / b1-eth0  10.0.1.0/24
    tgen.add_link(m1, b1)  # m1-eth0 / b1-eth1  10.0.2.0/24


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()

    b1 = tgen.gears["b1"]
    b1.cmd_raises("ip addr add {}/24 dev b1-eth1".format(B1_M1_ADDR))
    # Listening before any daemon starts: the capture sees the OPENs.
    peers["cap"] = Capture(b1, "b1-eth1")
    peers["cap"].start()

    for name in ("r1", "m1"):
        tgen.gears[name].load_frr_config(os.path.join(CWD, name, "frr.conf"))
    tgen.start_router()

    with open(os.path.join(CWD, "b1", "bird.conf")) as f:
        peers["b1"] = mp.Bird(b1, f.read())
    peers["b1"].start()


def teardown_module(mod):
    mp.stop_all(peers)


def expect(check, what, timeout=WAIT):
    mp.expect(check, what, timeout)


# ----------------------------------------------------------------------
# Queries


def m1_neighbor():
    m1 = get_topogen().gears["m1"]
    out = m1.vtysh_cmd("show mesh bgp neighbors {} json".format(B1_M1_ADDR), isjson=True)
    return (out or {}).get(B1_M1_ADDR, {})


def m1_path_from_b1(prefix):
    m1 = get_topogen().gears["m1"]
    out = m1.vtysh_cmd("show mesh bgp ipv4 unicast {} json".format(prefix), isjson=True)
    for path in (out or {}).get("routes", {}).get(prefix, []):
        if path.get("peer") == B1_M1_ADDR:
            return path
    return None


def r1_paths(prefix):
    r1 = get_topogen().gears["r1"]
    out = r1.vtysh_cmd("show bgp ipv4 unicast {} json".format(prefix), isjson=True)
    return (out or {}).get("paths", [])


def bird_protocol_all(name):
    """'show protocols all NAME' of b1: the value of each 'Key: value'
    line ('Neighbor AS', 'Session', 'BGP state'...)."""
    info = {}
    for line in peers["b1"].birdc("show protocols all " + name).splitlines():
        key, sep, value = line.strip().partition(":")
        if sep and key and key not in info:
            info[key] = value.strip()
    return info


def b1_route_from(proto, prefix):
    for r in peers["b1"].routes(prefix, "master4"):
        if r["prefix"] == prefix and r.get("proto") == proto:
            return r
    return None


# ----------------------------------------------------------------------
# Checks: each returns None when all is as expected, else what differs.


def check_wire_aspath(src, prefix, want2, want4):
    """The last UPDATE src sent for prefix has AS_PATH want2 (2-octet
    numbers) and AS4_PATH want4."""
    attrs = raw_update_for(peers["cap"], src, prefix)
    if attrs is None:
        return "no UPDATE from {} for {} captured".format(src, prefix)
    if AS_PATH not in attrs or AS4_PATH not in attrs:
        return "attributes {}".format(sorted(attrs))
    p2 = aspath_ases(attrs[AS_PATH], 2)
    p4 = aspath_ases(attrs[AS4_PATH], 4)
    if p2 != want2 or p4 != want4:
        return "AS_PATH {} AS4_PATH {}, expected {} {}".format(p2, p4, want2, want4)
    return None


def check_wire_aggregator(src, prefix, want2, want4):
    """The last UPDATE src sent for prefix has AGGREGATOR AS want2 (2
    octets) and AS4_AGGREGATOR AS want4, both with r1's router ID."""
    attrs = raw_update_for(peers["cap"], src, prefix)
    if attrs is None:
        return "no UPDATE from {} for {} captured".format(src, prefix)
    a2, a4 = attrs.get(AGGREGATOR), attrs.get(AS4_AGGREGATOR)
    if a2 is None or a4 is None:
        return "attributes {}".format(sorted(attrs))
    rid = ipaddress.IPv4Address(R1_ID).packed
    if a2 != struct.pack("!H", want2) + rid:
        return "AGGREGATOR {}, expected AS {}".format(a2.hex(), want2)
    if a4 != struct.pack("!I", want4) + rid:
        return "AS4_AGGREGATOR {}, expected AS {}".format(a4.hex(), want4)
    return None


def check_meshd_path(prefix, want):
    """meshd's path for prefix from b1 has the fields of want."""
    path = m1_path_from_b1(prefix)
    if not path:
        return "meshd has no path for {} from b1".format(prefix)
    got = {k: path.get(k) for k in want}
    return None if got == want else "got {}, expected {}".format(got, want)


def check_b1_aspath(prefix, want):
    r = b1_route_from("m1", prefix)
    if not r:
        return "b1 has no route for {} from m1".format(prefix)
    got = r["attrs"].get("as_path")
    return None if got == want else "b1 as_path {!r}, expected {!r}".format(got, want)


def check_r1_aspath(prefix, want):
    paths = [p for p in r1_paths(prefix) if p.get("valid")]
    if not paths:
        return "r1 has no valid path for {}".format(prefix)
    got = paths[0].get("aspath", {}).get("string")
    return None if got == want else "r1 AS_PATH {!r}, expected {!r}".format(got, want)


def check_meshd_as4(want):
    caps = m1_neighbor().get("capabilities", {})
    got = caps.get("as4")
    return None if got is want else "meshd capabilities.as4 {!r}: {}".format(got, caps)


# What each prefix should look like.
M1_WIRE = ([AS_TRANS], [M1_AS])
R1_WIRE = ([B1_AS, AS_TRANS], [B1_AS, R1_AS])
R1_PATH = "{} {}".format(B1_AS, R1_AS)
M1_PATH_AT_R1 = "{} {}".format(B1_AS, M1_AS)
R1_MESHD = {
    "valid": True,
    "best": True,
    "asPath": R1_PATH,
    "communities": R1_COMM,
    "largeCommunities": R1_LCOMM,
}
R1_AGGR_MESHD = {
    "valid": True,
    "asPath": R1_PATH,
    "aggregator": "{} {}".format(R1_AS, R1_ID),
    "atomicAggregate": True,
}


# ----------------------------------------------------------------------
# Tests


# The later checks mean nothing without the sessions: they skip when
# test_sessions_established failed (it is the failure to read).
sessions = mp.RequireSessions()
require_sessions = sessions.require


def test_sessions_established():
    """b1-m1 and r1-b1 reach Established, seen from every daemon."""

    def meshd_side():
        n = m1_neighbor()
        if n.get("state") != "Established" or n.get("remoteAs") != B1_AS:
            return "m1 neighbor {}: state {}, remoteAs {}".format(
                B1_M1_ADDR, n.get("state"), n.get("remoteAs"))
        return None

    expect(meshd_side, "meshd session with b1")

    r1 = get_topogen().gears["r1"]

    def r1_side():
        out = r1.vtysh_cmd("show bgp summary json", isjson=True) or {}
        st = out.get("ipv4Unicast", {}).get("peers", {}).get(B1_R1_ADDR, {})
        return None if st.get("state") == "Established" else st

    expect(r1_side, "r1 (FRR) session with b1")
    for proto in ("m1", "r1"):
        expect(lambda: None if peers["b1"].established(proto)
               else peers["b1"].protocol(proto), "b1 (BIRD) protocol " + proto)
    sessions.up()


def test_as4_not_negotiated_with_b1():
    """meshd reports the 4-octet AS capability not negotiated with b1,
    though its OPEN offered it (My AS 23456, capability 4200000003) and
    b1's OPEN did not; BIRD's session with m1 is without AS4, its session
    with r1 is AS4. BIRD reads m1's AS from the capability (it stays
    AS4-aware inside), so it names m1 4200000003."""
    require_sessions()

    n = m1_neighbor()
    assert n.get("localAs") == M1_AS, n
    assert check_meshd_as4(False) is None, check_meshd_as4(False)

    m1_opens = raw_opens(M1_ADDR)
    b1_opens = raw_opens(B1_M1_ADDR)
    assert m1_opens and b1_opens, "no OPEN captured: m1 {}, b1 {}".format(m1_opens, b1_opens)
    for o in m1_opens:
        assert o["my_as"] == AS_TRANS, "m1 OPEN My AS {}".format(o["my_as"])
        cap = o["caps"].get(CAP_AS4)
        assert cap is not None and struct.unpack("!I", cap)[0] == M1_AS, (
            "m1 OPEN 4-octet AS capability {}".format(cap))
    for o in b1_opens:
        assert o["my_as"] == B1_AS, "b1 OPEN My AS {}".format(o["my_as"])
        assert CAP_AS4 not in o["caps"], "b1 offered 4-octet AS: {}".format(o["caps"])

    m1 = bird_protocol_all("m1")
    assert m1.get("Neighbor AS") == str(M1_AS), m1
    assert "AS4" not in m1.get("Session", "").split(), m1
    r1 = bird_protocol_all("r1")
    assert r1.get("Neighbor AS") == str(R1_AS), r1
    assert "AS4" in r1.get("Session", "").split(), r1


def test_meshd_network_on_the_wire_to_b1():
    """meshd's UPDATE for its network carries AS_PATH [23456] in 2-octet
    numbers and AS4_PATH [4200000003], and no aggregator attributes."""
    require_sessions()
    expect(lambda: check_wire_aspath(M1_ADDR, M1_NET, *M1_WIRE),
           "m1 UPDATE for {} on the wire".format(M1_NET))
    attrs = raw_update_for(peers["cap"], M1_ADDR, M1_NET)
    assert AGGREGATOR not in attrs and AS4_AGGREGATOR not in attrs, sorted(attrs)


def test_meshd_network_reaches_r1():
    """BIRD rebuilds m1's AS from AS_PATH and AS4_PATH, and r1 gets the
    true path 65002 4200000003."""
    require_sessions()
    expect(lambda: check_b1_aspath(M1_NET, str(M1_AS)), "b1 route for " + M1_NET)
    expect(lambda: check_r1_aspath(M1_NET, M1_PATH_AT_R1), "r1 route for " + M1_NET)


def test_r1_route_on_the_wire_to_meshd():
    """What b1 sends m1 for r1's prefix needs the merge: AS_PATH
    [65002 23456] and AS4_PATH [65002 4200000001]."""
    require_sessions()
    expect(lambda: check_wire_aspath(B1_M1_ADDR, R1_NET, *R1_WIRE),
           "b1 UPDATE for {} on the wire".format(R1_NET))


def test_r1_route_reaches_meshd():
    """meshd merges AS_PATH and AS4_PATH (RFC 6793 4.2.3): r1's prefix
    shows AS_PATH 65002 4200000001, is valid and best, and keeps its
    communities and large community."""
    require_sessions()
    expect(lambda: check_meshd_path(R1_NET, R1_MESHD), "meshd route for " + R1_NET)


def test_aggregator_as4():
    """r1's aggregate reaches m1 with AGGREGATOR 23456 and AS4_AGGREGATOR
    4200000001 on the wire; meshd shows the aggregator as 4200000001
    10.255.0.11, with ATOMIC_AGGREGATE and AS_PATH 65002 4200000001."""
    require_sessions()
    expect(lambda: check_wire_aggregator(B1_M1_ADDR, R1_AGGR, AS_TRANS, R1_AS),
           "b1 UPDATE for {} on the wire".format(R1_AGGR))
    expect(lambda: check_meshd_path(R1_AGGR, R1_AGGR_MESHD), "meshd route for " + R1_AGGR)


def test_checks_can_fail():
    """The checks above, handed what a speaker without RFC 6793 handling
    would produce (AS_TRANS left in place, the capability negotiated,
    AS4_* attributes missing or unmerged), complain: they read real
    values."""
    require_sessions()
    wrong = {
        "capability": check_meshd_as4(True),
        "m1 wire, no AS4_PATH": check_wire_aspath(M1_ADDR, M1_NET, [AS_TRANS], [AS_TRANS]),
        "m1 wire, 4-octet AS_PATH": check_wire_aspath(M1_ADDR, M1_NET, [M1_AS], [M1_AS]),
        "b1 view, AS_TRANS": check_b1_aspath(M1_NET, str(AS_TRANS)),
        "r1 view, AS_TRANS": check_r1_aspath(M1_NET, "{} {}".format(B1_AS, AS_TRANS)),
        "b1 wire, unmerged": check_wire_aspath(B1_M1_ADDR, R1_NET, R1_WIRE[1], R1_WIRE[1]),
        "meshd, unmerged": check_meshd_path(
            R1_NET, dict(R1_MESHD, asPath="{} {}".format(B1_AS, AS_TRANS))),
        "meshd, communities lost": check_meshd_path(R1_NET, dict(R1_MESHD, communities=None)),
        "aggregator wire": check_wire_aggregator(B1_M1_ADDR, R1_AGGR, R1_AS & 0xFFFF, R1_AS),
        "meshd aggregator AS_TRANS": check_meshd_path(
            R1_AGGR, dict(R1_AGGR_MESHD, aggregator="{} {}".format(AS_TRANS, R1_ID))),
    }
    silent = [name for name, complaint in wrong.items() if complaint is None]
    assert not silent, "checks that accept wrong values: {}".format(silent)
    # The same checks with the right values are content right now.
    right = {
        "capability": check_meshd_as4(False),
        "m1 wire": check_wire_aspath(M1_ADDR, M1_NET, *M1_WIRE),
        "meshd": check_meshd_path(R1_NET, R1_MESHD),
        "meshd aggregate": check_meshd_path(R1_AGGR, R1_AGGR_MESHD),
    }
    assert all(v is None for v in right.values()), right


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
