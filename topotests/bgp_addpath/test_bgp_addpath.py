#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
ADD-PATH on send (RFC 7911) from a meshd route reflector:

    m2 (meshd, RR client) --+
                            +-- m1 (meshd, AS 65000, route reflector) -- r1 (FRR bgpd, RR client)
    m3 (meshd, RR client) --+

m2 and m3 both originate 10.200.0.0/24 and 2001:db8:200::/48, an IVN with
two homes. r1 peers with m1 over IPv4 for IPv4 unicast and over IPv6 for
IPv6 unicast (path identifiers in MP_REACH_NLRI / MP_UNREACH_NLRI).

- Without 'addpath-tx-all-paths' m1 sends r1 its best path only, and no
  path identifier, although bgpd offers to receive them;
- with it (the session restarts to renegotiate), r1 holds both paths,
  each with its own add-path identifier, ORIGINATOR_ID m2 and m3;
- when m3 withdraws the prefix, r1 loses exactly that path: m2's path
  stays with the identifier it had; when m3 announces it again it comes
  back, m2's identifier still unchanged;
- m2 and m3 (no ADD-PATH toward them) get m1's best path only, never
  their own back: m3 gets m2's path, m2 none.
"""

import functools
import os
import sys

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.dirname(CWD))

from lib import topotest
from lib_checks import expect, expect_json, gear, start_frr, stop_frr, vtysh_config

pytestmark = [pytest.mark.meshd, pytest.mark.bgpd]

M1_TO_M2, M2_ADDR = "10.0.12.1", "10.0.12.2"
M1_TO_M3, M3_ADDR = "10.0.13.1", "10.0.13.2"
M1_TO_R1, R1_ADDR = "10.0.1.1", "10.0.1.2"
M2_RID, M3_RID = "10.255.0.2", "10.255.0.3"
M1_TO_R1_6, R1_ADDR_6 = "fd00:1::1", "fd00:1::2"
IVN_NET = "10.200.0.0/24"
IVN_NET6 = "2001:db8:200::/48"

# One address family as the checks see it: r1's view of m1 and m1's of r1.
V4 = {"afi": "ipv4", "net": IVN_NET, "m1": M1_TO_R1, "r1": R1_ADDR}
V6 = {"afi": "ipv6", "net": IVN_NET6, "m1": M1_TO_R1_6, "r1": R1_ADDR_6}


def build_topo(tgen):
    for name in ("m1", "m2", "m3", "r1"):
        tgen.add_router(name)
    tgen.add_link(tgen.gears["m1"], tgen.gears["m2"])  # m1-eth0 / m2-eth0
    tgen.add_link(tgen.gears["m1"], tgen.gears["m3"])  # m1-eth1 / m3-eth0
    tgen.add_link(tgen.gears["m1"], tgen.gears["r1"])  # m1-eth2 / r1-eth0


def setup_module(mod):
    start_frr(mod, build_topo, CWD)


def teardown_module(mod):
    stop_frr()


# ----------------------------------------------------------------------
# Queries


def r1_paths(fam=V4):
    out = gear("r1").vtysh_cmd(
        "show bgp {} unicast {} json".format(fam["afi"], fam["net"]), isjson=True
    ) or {}
    return out.get("paths", [])


def r1_by_originator(fam=V4):
    """r1's paths for the IVN prefix as {originator: addpathRxId or None}."""
    return {p.get("originatorId"): p.get("addpathRxId") for p in r1_paths(fam)}


def mesh_paths(router, prefix):
    out = gear(router).vtysh_cmd(
        "show mesh bgp ipv4 unicast {} json".format(prefix), isjson=True
    ) or {}
    return out.get("routes", {}).get(prefix, [])


def m1_r1_established():
    expected = {"peers": {R1_ADDR: {"state": "Established"}}}
    return topotest.router_json_cmp(gear("m1"), "show mesh bgp summary json", expected)


def check_r1(expected, fam=V4):
    """None when r1's paths map originators to identifiers as expected (an
    identifier of True: any, but present); else what r1 has."""
    got = r1_by_originator(fam)
    if set(got) != set(expected):
        return got
    for orig, want in expected.items():
        if want is True and not got[orig]:
            return got
        if want is not True and got[orig] != want:
            return got
    for p in r1_paths(fam):
        if not p.get("valid"):
            return "path not valid at r1: {}".format(p)
    return None


# ----------------------------------------------------------------------
# Tests


def test_sessions_established():
    for addr in (M2_ADDR, M3_ADDR, R1_ADDR):
        expect_json(
            "m1",
            "show mesh bgp summary json",
            {"peers": {addr: {"state": "Established", "remoteAs": 65000}}},
            "m1 session with " + addr,
        )
    expect_json(
        "r1",
        "show bgp neighbors {} json".format(M1_TO_R1),
        {M1_TO_R1: {"bgpState": "Established"}},
        "r1 session with m1",
    )


def test_best_path_only_without_knob():
    """bgpd offers to receive path identifiers, but m1 has not been told to
    send every path: r1 gets m1's best (m2's, lower router ID) only, with
    no identifier; m1 says it does not send them."""

    def m1_has_both():
        paths = [p for p in mesh_paths("m1", IVN_NET) if p.get("valid")]
        return None if len(paths) == 2 else paths

    expect(m1_has_both, "m1 holds both homes of the IVN prefix")
    expect(functools.partial(check_r1, {M2_RID: None}), "r1 with the best path only")
    expect_json(
        "m1",
        "show mesh bgp neighbors {} json".format(R1_ADDR),
        {R1_ADDR: {"capabilities": {"addPathRxIpv4": False, "addPathTxIpv4": False}}},
        "m1 does not send path identifiers to r1",
    )


def test_all_paths_with_knob():
    """With addpath-tx-all-paths toward r1 (the session restarts), r1 holds
    both homes' paths, each with an identifier of its own."""
    set_knob(True)
    expect_json(
        "m1",
        "show mesh bgp neighbors {} json".format(R1_ADDR),
        {R1_ADDR: {"state": "Established", "capabilities": {"addPathTxIpv4": True}}},
        "m1 sends path identifiers to r1",
    )
    expect(functools.partial(check_r1, {M2_RID: True, M3_RID: True}),
           "r1 with both paths and their identifiers")
    ids = r1_by_originator()
    assert ids[M2_RID] != ids[M3_RID], "identifiers not distinct: {}".format(ids)
    # bgpd says m1 offered to send path identifiers (the send mode of
    # m1's capability) for IPv4 unicast.
    nb = gear("r1").vtysh_cmd("show bgp neighbors {} json".format(M1_TO_R1), isjson=True)
    ap = nb[M1_TO_R1]["neighborCapabilities"]["addPath"]["ipv4Unicast"]
    assert ap.get("txReceived"), "r1 add-path capability: {}".format(ap)


def set_network(router, on, fam=V4):
    vtysh_config(router, "router mesh", "address-family {} unicast".format(fam["afi"]),
                 "{}network {}".format("" if on else "no ", fam["net"]))


def set_knob(on, fam=V4):
    vtysh_config("m1", "router mesh", "address-family {} unicast".format(fam["afi"]),
                 "{}neighbor {} addpath-tx-all-paths".format("" if on else "no ", fam["r1"]))


def withdraw_and_back(home, home_rid, other_rid, fam=V4):
    """home withdraws the IVN prefix: r1 loses exactly home's path, the
    other home's path keeping its identifier; home announces it again: it
    comes back, the other identifier still the same."""
    before = r1_by_originator(fam)
    set_network(home, False, fam)
    expect(functools.partial(check_r1, {other_rid: before[other_rid]}, fam),
           "r1 without {}'s path, the other identifier unchanged".format(home))
    set_network(home, True, fam)
    expect(functools.partial(check_r1, {other_rid: before[other_rid], home_rid: True}, fam),
           "{}'s path back, the other identifier unchanged".format(home))


def test_withdraw_one_path():
    """m3 (not m1's best) withdraws and announces again."""
    withdraw_and_back("m3", M3_RID, M2_RID)


def test_withdraw_best_path():
    """m2 (m1's best) withdraws and announces again: m3's path keeps its
    identifier although m1's best moves to it and back."""
    withdraw_and_back("m2", M2_RID, M3_RID)


def test_clients_without_addpath():
    """m2 and m3 are not sent every path: m1 sends each its best path only,
    and never back where it came from, so m3 gets m2's path and m2 gets
    nothing from m1 for the prefix (the gap ADD-PATH closes)."""

    def m3_gets_m2():
        refl = [p for p in mesh_paths("m3", IVN_NET) if p.get("peer") == M1_TO_M3]
        if len(refl) == 1 and refl[0].get("valid") \
                and refl[0].get("originatorId") == M2_RID and "pathId" not in refl[0]:
            return None
        return mesh_paths("m3", IVN_NET)

    def m2_gets_none():
        refl = [p for p in mesh_paths("m2", IVN_NET) if p.get("peer") == M1_TO_M2]
        return None if not refl else refl

    expect(m3_gets_m2, "m3 gets m2's path, without identifier")
    expect(m2_gets_none, "m2 gets no path from m1")


def test_knob_off_again():
    """Removing the setting goes back to the best path only."""
    set_knob(False)
    expect(functools.partial(check_r1, {M2_RID: None}), "r1 with the best path only")


def test_ipv6():
    """The same over IPv6: best path only, then both paths with their
    identifiers (MP_REACH_NLRI), then a withdrawal of one home removing
    exactly its identifier (MP_UNREACH_NLRI)."""
    expect_json(
        "r1",
        "show bgp neighbors {} json".format(M1_TO_R1_6),
        {M1_TO_R1_6: {"bgpState": "Established"}},
        "r1 IPv6 session with m1",
    )
    expect(functools.partial(check_r1, {M2_RID: None}, V6), "r1 IPv6: best path only")
    set_knob(True, V6)
    expect_json(
        "m1",
        "show mesh bgp neighbors {} json".format(R1_ADDR_6),
        {R1_ADDR_6: {"state": "Established", "capabilities": {"addPathTxIpv6": True}}},
        "m1 sends IPv6 path identifiers to r1",
    )
    expect(functools.partial(check_r1, {M2_RID: True, M3_RID: True}, V6),
           "r1 IPv6: both paths with their identifiers")
    withdraw_and_back("m3", M3_RID, M2_RID, V6)
    withdraw_and_back("m2", M2_RID, M3_RID, V6)
    # The IPv4 session was left alone: still the best path only there.
    expect(functools.partial(check_r1, {M2_RID: None}), "r1 IPv4 unchanged")


if __name__ == "__main__":
    sys.exit(pytest.main(["-s"] + sys.argv[1:]))
