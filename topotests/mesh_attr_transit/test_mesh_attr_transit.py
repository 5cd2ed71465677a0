#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
The mesh path attribute (type 255, optional transitive) that meshd
originates crosses BGP speakers that do not know it and arrives intact:

    m2 (meshd, AS 65010) -- r1 (FRR bgpd, no module, AS 65001) -- x1
                              |
                              m1 (meshd, AS 65000) -- x1
                              |
                              b1 (BIRD 2, AS 65002)
                              |
    m3 (meshd, AS 65020) -- g1 (GoBGP, AS 65003) -- x1

    x1: ExaBGP, AS 65004, receive-only, one session each with r1, m1, g1

m1 originates 10.100.1.0/24 with its mesh attribute. The test checks:
m2 (through FRR bgpd) and m3 (through BIRD and GoBGP) decode the same
attribute m1 shows on its own local path (originator m1, same sequence,
prefix owner and length); x1 reads the raw UPDATEs: the one m1 sends it
directly (the original: Partial clear), the one r1 (FRR bgpd) passes on
and the one that crossed BIRD and GoBGP (Partial set on both), and finds
the attribute value byte for byte the same in all three. A last test feeds the same checks wrong expectations and requires
them to complain, so they are known to be able to fail.
"""

import os
import sys

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.dirname(CWD))

import lib_meshpeers as mp
from lib.topogen import Topogen, get_topogen

pytestmark = [pytest.mark.meshd]

PREFIX = "10.100.1.0/24"
MESH_TYPE = 255

M1_ID = "10.255.0.1"
M2_ID = "10.255.0.2"
M3_ID = "10.255.0.3"

# Addresses: the peer each receiver learns the prefix from.
M2_FROM = "10.0.3.1"  # r1
M3_FROM = "10.0.5.1"  # g1
X1_FROM_M1 = "10.0.7.1"
X1_FROM_G1 = "10.0.6.1"
X1_FROM_R1 = "10.0.8.1"

M2_ASPATH = "65001 65000"
M3_ASPATH = "65003 65002 65000"
X1_ASPATH_G1 = [65003, 65002, 65000]
X1_ASPATH_M1 = [65000]
X1_ASPATH_R1 = [65001, 65000]

# Hosts' extra interfaces (the first one gets its address from add_host).
HOST_ADDRS = {
    "b1": [("b1-eth1", "10.0.4.1/24")],
    "g1": [("g1-eth1", "10.0.5.1/24"), ("g1-eth2", "10.0.6.1/24")],
    "x1": [("x1-eth1", "10.0.6.2/24"), ("x1-eth2", "10.0.8.2/24")],
}

# Convergence budget for each check, in seconds.
WAIT = 40

peers = {}  # name -> lib_meshpeers daemon object


def build_topo(tgen):
    for name in ("m1", "m2", "m3", "r1"):
        tgen.add_router(name)
    b1 = tgen.add_host("b1", "10.0.2.2/24", "via 10.0.2.1")
    g1 = tgen.add_host("g1", "10.0.4.2/24", "via 10.0.4.1")
    x1 = tgen.add_host("x1", "10.0.7.2/24", "via 10.0.7.1")
    r = tgen.gears
    tgen.add_link(r["m1"], r["r1"])  # m1-eth0 / r1-eth0  10.0.1.0/24
    tgen.add_link(r["m1"], b1)  # m1-eth1 / b1-eth0  10.0.2.0/24
    tgen.add_link(r["m1"], x1)  # m1-eth2 / x1-eth0  10.0.7.0/24
    tgen.add_link(r["r1"], r["m2"])  # r1-eth1 / m2-eth0  10.0.3.0/24
    tgen.add_link(b1, g1)  # b1-eth1 / g1-eth0  10.0.4.0/24
    tgen.add_link(g1, r["m3"])  # g1-eth1 / m3-eth0  10.0.5.0/24
    tgen.add_link(g1, x1)  # g1-eth2 / x1-eth1  10.0.6.0/24
    tgen.add_link(r["r1"], x1)  # r1-eth2 / x1-eth2  10.0.8.0/24


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()

    for name, addrs in HOST_ADDRS.items():
        for ifname, addr in addrs:
            tgen.gears[name].cmd_raises("ip addr add {} dev {}".format(addr, ifname))

    for name in ("m1", "m2", "m3", "r1"):
        tgen.gears[name].load_frr_config(os.path.join(CWD, name, "frr.conf"))
    tgen.start_router()

    def conf(name, filename):
        with open(os.path.join(CWD, name, filename)) as f:
            return f.read()

    peers["x1"] = mp.ExaBGP(tgen.gears["x1"], conf("x1", "exabgp.conf"))
    peers["b1"] = mp.Bird(tgen.gears["b1"], conf("b1", "bird.conf"))
    peers["g1"] = mp.GoBGP(tgen.gears["g1"], conf("g1", "gobgpd.toml"))
    for name in ("x1", "b1", "g1"):
        peers[name].start()


def teardown_module(mod):
    mp.stop_all(peers)


def expect(check, what, timeout=WAIT):
    mp.expect(check, what, timeout)


# ----------------------------------------------------------------------
# Queries


def meshd_paths(name, prefix=PREFIX):
    gear = get_topogen().gears[name]
    out = gear.vtysh_cmd(
        "show mesh bgp ipv4 unicast {} json".format(prefix), isjson=True
    ) or {}
    return out.get("routes", {}).get(prefix, [])


def meshd_path_from(name, peer, prefix=PREFIX):
    for path in meshd_paths(name, prefix):
        if path.get("peer") == peer:
            return path
    return None


def m1_local_mesh():
    """The decoded mesh attribute on m1's own (local) path, or None."""
    path = meshd_path_from("m1", "local")
    return path.get("mesh") if path else None


def x1_mesh_attr(peer, prefix=PREFIX):
    """(AS path list, attribute dict flags/type/value) of the last UPDATE
    x1 got from peer announcing prefix, or a string saying what is wrong."""
    got = peers["x1"].received_route(peer, prefix)
    if not got or got[0] != "announce":
        return "x1 has no announcement of {} from {}".format(prefix, peer)
    upd = got[1]
    a = mp.update_attr(upd, MESH_TYPE)
    if not a:
        return "no attribute {} from {}: {}".format(MESH_TYPE, peer, upd["attrs"])
    return upd["aspath"], a


# ----------------------------------------------------------------------
# Checks: each returns None when all is as expected, else what differs.


def check_meshd_received(name, peer, aspath, want):
    """name's path from peer carries the mesh attribute decoded as want
    (m1's own: originator, prefixOwner, sequence, length, the rest)."""
    path = meshd_path_from(name, peer)
    if not path:
        return "{}: no path from {}: {}".format(name, peer, meshd_paths(name))
    if not path.get("valid"):
        return "{}: path not valid: {}".format(name, path)
    if path.get("asPath") != aspath:
        return "{}: asPath {!r}, expected {!r}".format(name, path.get("asPath"), aspath)
    got = path.get("mesh")
    if not got:
        return "{}: no decoded mesh attribute: {}".format(name, path)
    if "error" in got:
        return "{}: mesh attribute did not decode: {}".format(name, got)
    for key in ("originator", "prefixOwner", "sequence", "length"):
        if got.get(key) != want.get(key):
            return "{}: mesh {} {!r}, expected {!r} (got {}, m1 has {})".format(
                name, key, got.get(key), want.get(key), got, want)
    if got != want:
        return "{}: decoded attribute differs from m1's: {} vs {}".format(name, got, want)
    return None


def check_x1_original(want_len):
    """m1's own UPDATE to x1: type 255, optional transitive, Partial clear,
    value as long as m1 says. Returns (None, value) or (complaint, None)."""
    got = x1_mesh_attr(X1_FROM_M1)
    if isinstance(got, str):
        return got, None
    aspath, a = got
    if aspath != X1_ASPATH_M1:
        return "AS_PATH from m1 {}".format(aspath), None
    if a["flags"] & 0xE0 != mp.FLAG_OPTIONAL | mp.FLAG_TRANSITIVE:
        return "flags from m1 0x{:02x}, expected O+T, Partial clear".format(a["flags"]), None
    if len(a["value"]) // 2 != want_len:
        return "length from m1 {}, m1 shows {}".format(len(a["value"]) // 2, want_len), None
    return None, a["value"]


def check_x1_transit(original, peer=X1_FROM_G1, aspath_want=X1_ASPATH_G1):
    """The UPDATE that crossed routers not knowing the attribute (b1 and
    g1, or r1): Partial set, value byte for byte the original."""
    got = x1_mesh_attr(peer)
    if isinstance(got, str):
        return got
    aspath, a = got
    if aspath != aspath_want:
        return "AS_PATH from {} {}, expected {}".format(peer, aspath, aspath_want)
    want = mp.FLAG_OPTIONAL | mp.FLAG_TRANSITIVE | mp.FLAG_PARTIAL
    if a["flags"] & 0xE0 != want or a["flags"] & 0x0F:
        return "flags from {} 0x{:02x}, expected 0xe0 or 0xf0".format(peer, a["flags"])
    if a["value"] != original:
        return "value from {} {}, m1 sent {}".format(peer, a["value"], original)
    return None


# ----------------------------------------------------------------------
# Tests

state = {}


def require(key):
    if key not in state:
        pytest.skip("needs {} (see the earlier failure)".format(key))


def test_m1_originates():
    """m1 has its network as a local path carrying a decodable mesh
    attribute with itself as originator."""

    def check():
        m = m1_local_mesh()
        if not m:
            return "no local path with a mesh attribute: {}".format(meshd_paths("m1"))
        if "error" in m or m.get("originator") != M1_ID:
            return "local mesh attribute {}".format(m)
        if not m.get("length") or "sequence" not in m:
            return "local mesh attribute lacks length/sequence: {}".format(m)
        return None

    expect(check, "m1 local path")
    state["m1"] = m1_local_mesh()


def test_through_frr_bgpd():
    """m2 gets m1's prefix through stock FRR bgpd with the mesh attribute
    decoded as m1 shows it."""
    require("m1")
    want = state["m1"]
    expect(lambda: check_meshd_received("m2", M2_FROM, M2_ASPATH, want),
           "m2 via r1 (FRR bgpd)")
    state["m2"] = True


def test_through_bird_and_gobgp():
    """m3 gets it through BIRD and GoBGP (AS path m1 b1 g1), same decoded
    attribute."""
    require("m1")
    want = state["m1"]
    expect(lambda: check_meshd_received("m3", M3_FROM, M3_ASPATH, want),
           "m3 via b1 (BIRD) and g1 (GoBGP)")
    state["m3"] = True


def test_wire_bytes_at_x1():
    """x1's raw UPDATEs: m1 sends type 255 with flags O+T, Partial clear;
    from r1 (FRR bgpd) and after BIRD and GoBGP it is O+T+Partial with
    the very same value."""
    require("m1")
    want_len = state["m1"]["length"]
    expect(lambda: check_x1_original(want_len)[0], "x1 raw UPDATE from m1")
    original = check_x1_original(want_len)[1]
    expect(lambda: check_x1_transit(original, X1_FROM_R1, X1_ASPATH_R1),
           "x1 raw UPDATE via r1 (FRR bgpd)")
    expect(lambda: check_x1_transit(original), "x1 raw UPDATE via b1 and g1")
    state["original"] = original


def test_checks_can_fail():
    """The checks above, given wrong expectations, complain: m2's and m3's
    attribute names m1, not themselves; another sequence or length is
    noticed; a value differing in one byte is noticed."""
    require("m2")
    require("m3")
    require("original")
    want = state["m1"]
    for name, peer, aspath, own in (("m2", M2_FROM, M2_ASPATH, M2_ID),
                                    ("m3", M3_FROM, M3_ASPATH, M3_ID)):
        path = meshd_path_from(name, peer)
        assert path["mesh"]["originator"] == M1_ID != own
        assert check_meshd_received(name, peer, aspath, dict(want, originator=own))
        assert check_meshd_received(name, peer, aspath,
                                    dict(want, sequence=want["sequence"] + 1))
        assert check_meshd_received(name, peer, aspath,
                                    dict(want, length=want["length"] + 1))
        assert check_meshd_received(name, peer, "65000", want)
    original = state["original"]
    assert check_x1_original(want["length"] + 1)[0]
    flipped = "{:02x}".format(int(original[-2:], 16) ^ 0x01)
    for peer, aspath in ((X1_FROM_R1, X1_ASPATH_R1), (X1_FROM_G1, X1_ASPATH_G1)):
        assert check_x1_transit(original[:-2] + flipped, peer, aspath)
        assert check_x1_transit(original, peer, X1_ASPATH_M1)
        assert check_x1_transit(original, peer, aspath) is None
    # What m1 itself sends has Partial clear: the transit check refuses it.
    assert check_x1_transit(original, X1_FROM_M1, X1_ASPATH_M1)


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
