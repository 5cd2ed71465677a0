#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
meshd speaks eBGP with four other implementations, each over an IPv4 and
an IPv6 session on its own link:

    r1 (FRR bgpd, AS 65001) --+
    b1 (BIRD 2,   AS 65002) --+-- m1 (meshd, AS 65000)
    g1 (GoBGP,    AS 65003) --+
    x1 (ExaBGP,   AS 65004) --+

Each peer originates an IPv4 and an IPv6 prefix with communities and
large communities; x1's carry unknown optional transitive attributes
(types 200 and 201), and g1 injects one IPv4 prefix carrying type 202 from
an MRT file. The test checks, from meshd's and from every peer's own CLI:
sessions Established on both families; the peers' routes in meshd with
AS_PATH and communities intact; meshd's networks at every peer; routes
passed from each peer to the others with 65000 prepended, communities
intact; unknown transitive attributes passed on unchanged with the Partial
bit set (x1 reads the raw UPDATE).
"""

import os
import sys

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.dirname(CWD))

import lib_meshpeers as mp
from lib.topogen import Topogen, get_topogen

pytestmark = [pytest.mark.meshd]

# name: AS, IPv4 and IPv6 addresses of the peer and of m1 on their link,
# and the prefixes the peer originates.
PEERS = {
    "r1": {"as": 65001, "v4": "10.0.1.2", "v6": "2001:db8:1::2",
           "m1v4": "10.0.1.1", "m1v6": "2001:db8:1::1",
           "p4": "10.101.1.0/24", "p6": "2001:db8:101:1::/64",
           "path": "65001", "comm": ["65001:1", "65001:2"],
           "lcomm": ["65001:0:1"]},
    "b1": {"as": 65002, "v4": "10.0.2.2", "v6": "2001:db8:2::2",
           "m1v4": "10.0.2.1", "m1v6": "2001:db8:2::1",
           "p4": "10.102.1.0/24", "p6": "2001:db8:102:1::/64",
           "path": "65002", "comm": ["65002:1", "65002:2"],
           "lcomm": ["65002:0:1"]},
    "g1": {"as": 65003, "v4": "10.0.3.2", "v6": "2001:db8:3::2",
           "m1v4": "10.0.3.1", "m1v6": "2001:db8:3::1",
           "p4": "10.103.1.0/24", "p6": "2001:db8:103:1::/64",
           "path": "65003", "comm": ["65003:1", "65003:2"],
           "lcomm": ["65003:0:1"]},
    "x1": {"as": 65004, "v4": "10.0.4.2", "v6": "2001:db8:4::2",
           "m1v4": "10.0.4.1", "m1v6": "2001:db8:4::1",
           "p4": "10.104.1.0/24", "p6": "2001:db8:104:1::/64",
           "path": "65004 65040", "comm": ["65004:1", "65004:2"],
           "lcomm": ["65004:0:1"]},
}

M1_P4 = "10.100.1.0/24"
M1_P6 = "2001:db8:100:1::/64"

# Unknown optional transitive attributes: (prefix, type, value) as their
# originator sends them, flags 0xc0.
X1_UNKNOWN4 = ("10.104.1.0/24", 200, "0102030405")
X1_UNKNOWN6 = ("2001:db8:104:1::/64", 201, "cafe")
G1_UNKNOWN = ("10.103.9.0/24", 202, "0badc0de")
G1_MRT_PATH = "65003 65030"  # as g1 sends it

# Convergence budget for each check, in seconds.
WAIT = 45

peers = {}  # name -> lib_meshpeers daemon object


def build_topo(tgen):
    m1 = tgen.add_router("m1")
    r1 = tgen.add_router("r1")
    tgen.add_link(m1, r1)  # m1-eth0 / r1-eth0
    for name in ("b1", "g1", "x1"):
        p = PEERS[name]
        host = tgen.add_host(name, p["v4"] + "/24", "via " + p["m1v4"])
        tgen.add_link(m1, host)  # m1-eth1.. / <name>-eth0


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()

    for name in ("b1", "g1", "x1"):
        gear = tgen.gears[name]
        gear.cmd_raises("sysctl -qw net.ipv6.conf.all.accept_dad=0")
        gear.cmd_raises(
            "ip -6 addr add {}/64 dev {}-eth0 nodad".format(PEERS[name]["v6"], name)
        )

    for name in ("m1", "r1"):
        tgen.gears[name].load_frr_config(os.path.join(CWD, name, "frr.conf"))
    tgen.start_router()

    def conf(name, filename):
        with open(os.path.join(CWD, name, filename)) as f:
            return f.read()

    peers["b1"] = mp.Bird(tgen.gears["b1"], conf("b1", "bird.conf"))
    peers["g1"] = mp.GoBGP(tgen.gears["g1"], conf("g1", "gobgpd.toml"))
    peers["x1"] = mp.ExaBGP(tgen.gears["x1"], conf("x1", "exabgp.conf"))
    for name in ("b1", "g1", "x1"):
        peers[name].start()

    g1 = peers["g1"]
    extra = "community 65003:1,65003:2 large-community 65003:0:1"
    g1.add_route(PEERS["g1"]["p4"], "ipv4", extra)
    g1.add_route(PEERS["g1"]["p6"], "ipv6", extra)
    mrt = mp.mrt_rib_ipv4(
        os.path.join(g1.workdir, "unknown.mrt"),
        PEERS["g1"]["v4"],
        PEERS["g1"]["as"],
        [{"prefix": G1_UNKNOWN[0], "next_hop": PEERS["g1"]["v4"],
          "as_path": [65030], "communities": ["65003:9"],
          "extra": [(0xC0, G1_UNKNOWN[1], G1_UNKNOWN[2])]}],
    )
    g1.inject_mrt(mrt)


def teardown_module(mod):
    mp.stop_all(peers)


def expect(check, what, timeout=WAIT):
    mp.expect(check, what, timeout)


def family(prefix):
    return "ipv6" if ":" in prefix else "ipv4"


# ----------------------------------------------------------------------
# meshd (m1) queries: the JSON of 'show mesh bgp ...'


def m1_summary():
    m1 = get_topogen().gears["m1"]
    return m1.vtysh_cmd("show mesh bgp summary json", isjson=True) or {}


def m1_paths(prefix):
    """meshd's paths for prefix: a list of dicts (peer, best, asPath,
    communities, largeCommunities, unknownAttributes...)."""
    m1 = get_topogen().gears["m1"]
    out = m1.vtysh_cmd(
        "show mesh bgp {} unicast {} json".format(family(prefix), prefix), isjson=True
    ) or {}
    return out.get("routes", {}).get(prefix, [])


def m1_path_from(prefix, peer_addr):
    for path in m1_paths(prefix):
        if path.get("peer") == peer_addr:
            return path
    return None


def m1_unknown_attr(path, type_code):
    for a in path.get("unknownAttributes", []) or []:
        if a.get("type") == type_code:
            return a
    return None


# ----------------------------------------------------------------------
# What each peer shows for a prefix: (as path string, communities list,
# large communities list), or None when the peer does not have it.


def r1_route(prefix):
    r1 = get_topogen().gears["r1"]
    out = r1.vtysh_cmd(
        "show bgp {} unicast {} json".format(family(prefix), prefix), isjson=True
    ) or {}
    for path in out.get("paths", []):
        if path.get("valid"):
            return (
                path.get("aspath", {}).get("string", ""),
                path.get("community", {}).get("string", "").split(),
                path.get("largeCommunity", {}).get("string", "").split(),
            )
    return None


def b1_route(prefix):
    table = "master6" if ":" in prefix else "master4"
    for r in peers["b1"].routes(prefix, table):
        if r["prefix"] == prefix and r.get("proto", "").startswith("m1_"):
            a = r["attrs"]
            return (
                a.get("as_path", ""),
                mp.bird_communities(a.get("community", "")),
                mp.bird_communities(a.get("large_community", "")),
            )
    return None


def g1_route(prefix):
    for path in peers["g1"].rib(family(prefix)).get(prefix, []):
        if path.get("neighbor-ip") in (PEERS["g1"]["m1v4"], PEERS["g1"]["m1v6"]):
            return (
                mp.gobgp_aspath(path),
                mp.gobgp_communities(path),
                mp.gobgp_large_communities(path),
            )
    return None


def x1_route(prefix):
    peer = PEERS["x1"]["m1v6" if ":" in prefix else "m1v4"]
    got = peers["x1"].received_route(peer, prefix)
    if not got or got[0] != "announce":
        return None
    upd = got[1]
    comm = mp.update_attr(upd, 8)
    lcomm = mp.update_attr(upd, 32)
    return (
        " ".join(str(a) for a in upd["aspath"]),
        mp.communities_from_hex(comm["value"]) if comm else [],
        mp.large_communities_from_hex(lcomm["value"]) if lcomm else [],
    )


PEER_ROUTE = {"r1": r1_route, "b1": b1_route, "g1": g1_route, "x1": x1_route}


def check_peer_route(name, prefix, path, comm, lcomm):
    def check():
        got = PEER_ROUTE[name](prefix)
        if got is None:
            return "{} has no route for {} from m1".format(name, prefix)
        if got[0] != path:
            return "{} {}: AS_PATH '{}', expected '{}'".format(name, prefix, got[0], path)
        missing = [c for c in comm if c not in got[1]]
        missing += [c for c in lcomm if c not in got[2]]
        if missing:
            return "{} {}: communities {} {} lack {}".format(
                name, prefix, got[1], got[2], missing
            )
        return None

    expect(check, "{} learns {} through m1".format(name, prefix))


# ----------------------------------------------------------------------
# Tests


# The later checks mean nothing without the sessions: they skip when
# test_sessions_established failed (it is the failure to read).
sessions = mp.RequireSessions()
require_sessions = sessions.require


def test_sessions_established():
    """Both sessions with every peer reach Established, seen from meshd
    and from the peer."""

    def meshd_side():
        got = m1_summary().get("peers", {})
        bad = {}
        for name, p in PEERS.items():
            for af in ("v4", "v6"):
                st = got.get(p[af], {})
                if st.get("state") != "Established" or st.get("remoteAs") != p["as"]:
                    bad[p[af]] = st.get("state")
        return bad or None

    expect(meshd_side, "meshd sessions not Established")

    r1 = get_topogen().gears["r1"]

    def r1_side():
        out = r1.vtysh_cmd("show bgp summary json", isjson=True) or {}
        s4 = out.get("ipv4Unicast", {}).get("peers", {}).get(PEERS["r1"]["m1v4"], {})
        s6 = out.get("ipv6Unicast", {}).get("peers", {}).get(PEERS["r1"]["m1v6"], {})
        if s4.get("state") == "Established" and s6.get("state") == "Established":
            return None
        return (s4.get("state"), s6.get("state"))

    expect(r1_side, "r1 (FRR) sessions")
    expect(lambda: None if peers["b1"].established("m1_v4") and peers["b1"].established("m1_v6")
           else (peers["b1"].protocol("m1_v4"), peers["b1"].protocol("m1_v6")),
           "b1 (BIRD) sessions")
    g1 = peers["g1"]
    expect(lambda: None if g1.established(PEERS["g1"]["m1v4"]) and g1.established(PEERS["g1"]["m1v6"])
           else g1.gobgp("neighbor", as_json=False), "g1 (GoBGP) sessions")
    x1 = peers["x1"]
    expect(lambda: None if x1.state(PEERS["x1"]["m1v4"]) == "up" and x1.state(PEERS["x1"]["m1v6"]) == "up"
           else (x1.state(PEERS["x1"]["m1v4"]), x1.state(PEERS["x1"]["m1v6"])),
           "x1 (ExaBGP) sessions")
    sessions.up()


@pytest.mark.parametrize("name", sorted(PEERS))
def test_peer_routes_reach_meshd(name):
    """Each peer's IPv4 and IPv6 prefixes are in meshd, learned from the
    peer, with its AS_PATH and communities as sent."""
    require_sessions()
    p = PEERS[name]
    for prefix, af in ((p["p4"], "v4"), (p["p6"], "v6")):

        def check():
            path = m1_path_from(prefix, p[af])
            if not path:
                return "no path from {}: {}".format(p[af], m1_paths(prefix))
            if not path.get("valid"):
                return "path not valid: {}".format(path)
            if path.get("asPath") != p["path"]:
                return "asPath {!r}, expected {!r}".format(path.get("asPath"), p["path"])
            comm = (path.get("communities") or "").split()
            lcomm = (path.get("largeCommunities") or "").split()
            if comm != p["comm"] or lcomm != p["lcomm"]:
                return "communities {} {}, expected {} {}".format(
                    comm, lcomm, p["comm"], p["lcomm"])
            return None

        expect(check, "meshd route {} from {}".format(prefix, name))


def test_unknown_attributes_reach_meshd():
    """The unknown optional transitive attributes x1 and g1 send are kept
    by meshd as they came."""
    require_sessions()
    for prefix, code, value, peer in (
        X1_UNKNOWN4 + (PEERS["x1"]["v4"],),
        X1_UNKNOWN6 + (PEERS["x1"]["v6"],),
        G1_UNKNOWN + (PEERS["g1"]["v4"],),
    ):

        def check():
            path = m1_path_from(prefix, peer)
            if not path:
                return "no path from {}".format(peer)
            a = m1_unknown_attr(path, code)
            if not a:
                return "no unknown attribute {}: {}".format(code, path.get("unknownAttributes"))
            if a.get("value", "").lower() != value:
                return "value {}, expected {}".format(a.get("value"), value)
            if int(a.get("flags", "0"), 16) & 0xC0 != 0xC0:
                return "flags {} not optional transitive".format(a.get("flags"))
            return None

        expect(check, "meshd unknown attribute {} on {}".format(code, prefix))


@pytest.mark.parametrize("name", sorted(PEERS))
def test_meshd_networks_reach_peer(name):
    """meshd's own networks reach every peer with AS_PATH 65000."""
    require_sessions()
    for prefix in (M1_P4, M1_P6):
        check_peer_route(name, prefix, "65000", [], [])


@pytest.mark.parametrize("name", sorted(PEERS))
def test_transit_to_peer(name):
    """What the other peers originate reaches this one through meshd:
    65000 prepended, communities and large communities intact."""
    require_sessions()
    for other, p in sorted(PEERS.items()):
        if other == name:
            continue
        for prefix in (p["p4"], p["p6"]):
            check_peer_route(name, prefix, "65000 " + p["path"], p["comm"], p["lcomm"])


def test_unknown_attribute_partial_bit_on_the_wire():
    """g1's type 202 attribute arrives at x1 in meshd's UPDATE with the
    value unchanged and the Partial bit set (read from the raw message),
    after AS_PATH 65000 65003 65030."""
    require_sessions()
    x1 = peers["x1"]
    prefix, code, value = G1_UNKNOWN

    def check():
        got = x1.received_route(PEERS["x1"]["m1v4"], prefix)
        if not got or got[0] != "announce":
            return "x1 has no announcement of {}".format(prefix)
        upd = got[1]
        if upd["aspath"] != [65000, 65003, 65030]:
            return "AS_PATH {}".format(upd["aspath"])
        a = mp.update_attr(upd, code)
        if not a:
            return "attribute {} missing: {}".format(code, upd["attrs"])
        if a["value"] != value:
            return "value {}, expected {}".format(a["value"], value)
        want = mp.FLAG_OPTIONAL | mp.FLAG_TRANSITIVE | mp.FLAG_PARTIAL
        if a["flags"] & 0xE0 != want:
            return "flags 0x{:02x}, expected O, T and P set".format(a["flags"])
        return None

    expect(check, "x1 raw UPDATE for {}".format(prefix))


@pytest.mark.parametrize("unknown", [X1_UNKNOWN4, X1_UNKNOWN6], ids=["ipv4", "ipv6"])
def test_unknown_attribute_reaches_gobgp_and_bird(unknown):
    """x1's type 200 (IPv4) and 201 (IPv6) attributes reach GoBGP and BIRD
    through meshd with their values unchanged; GoBGP keeps the flags as
    they came on the wire: optional, transitive and Partial."""
    require_sessions()
    prefix, code, value = unknown

    def gobgp():
        for path in peers["g1"].rib(family(prefix)).get(prefix, []):
            got = mp.gobgp_unknown_attr(path, code)
            if not got:
                continue
            if got[1] != value:
                return "GoBGP value {}, expected {}".format(got[1], value)
            if got[0] & 0xE0 != 0xE0:
                return "GoBGP flags 0x{:02x}, expected O, T and P set".format(got[0])
            return None
        return "GoBGP has no attribute {} on {}".format(code, prefix)

    expect(gobgp, "g1 unknown attribute")

    def bird():
        table = "master6" if ":" in prefix else "master4"
        routes = peers["b1"].routes(prefix, table)
        for r in routes:
            a = r.get("unknown", {}).get(code)
            if a:
                return None if a["value"] == value else "BIRD value {}".format(a)
        return "BIRD has no attribute {} on {}: {}".format(code, prefix, routes)

    expect(bird, "b1 unknown attribute")


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
