#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
meshd's BGP session features, each checked against real peers:

    m2 (meshd, RR client) --+
                            +-- m1 (meshd, AS 65000, route reflector) -- r1 (FRR bgpd, AS 65001)
    m3 (meshd, RR client) --+

- route reflection (RFC 4456): m2's network reaches m3 through m1 with
  ORIGINATOR_ID m2 and a CLUSTER_LIST of one; m3's own network never comes
  back to m3 as a usable path;
- GTSM (RFC 5082) on m1-r1: Established with ttl-security hops 1 on both
  sides, down when r1 stops sending TTL 255;
- TCP-MD5 (RFC 2385) on m1-r1: Established with the same key, never with a
  different one, back when the key is fixed;
- shutdown communication (RFC 9003): the message given on m1 is what r1
  shows as the last shutdown description;
- soft reconfiguration out: a new outbound route-map toward r1 takes effect
  with 'clear mesh bgp 10.0.1.2 soft out', without the session resetting.
"""

import os
import sys

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.dirname(CWD))

from lib import topotest
from lib_checks import COUNT, WAIT, expect, expect_json, gear, start_frr, stays, stop_frr, vtysh_config

pytestmark = [pytest.mark.meshd, pytest.mark.bgpd]

M1_TO_M2, M2_ADDR = "10.0.12.1", "10.0.12.2"
M1_TO_M3, M3_ADDR = "10.0.13.1", "10.0.13.2"
M1_TO_R1, R1_ADDR = "10.0.1.1", "10.0.1.2"
M2_RID, M3_RID = "10.255.0.2", "10.255.0.3"
M2_NET, M3_NET = "10.102.0.0/24", "10.103.0.0/24"
M1_NET1, M1_NET2 = "10.100.1.0/24", "10.100.2.0/24"
R1_NET = "10.101.1.0/24"
SHUTDOWN_MSG = "maintenance window 42"

# How long a session must stay down to count as "does not come back".
STAY_DOWN = 10


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


def mesh_neighbor(router, addr):
    out = gear(router).vtysh_cmd("show mesh bgp neighbors {} json".format(addr), isjson=True)
    return (out or {}).get(addr, {})


def mesh_paths(router, prefix):
    out = gear(router).vtysh_cmd(
        "show mesh bgp ipv4 unicast {} json".format(prefix), isjson=True
    ) or {}
    return out.get("routes", {}).get(prefix, [])


def r1_neighbor():
    out = gear("r1").vtysh_cmd("show bgp neighbors {} json".format(M1_TO_R1), isjson=True)
    return (out or {}).get(M1_TO_R1, {})


def r1_route(prefix):
    """r1's valid path for prefix, or None."""
    out = gear("r1").vtysh_cmd("show bgp ipv4 unicast {} json".format(prefix), isjson=True) or {}
    for path in out.get("paths", []):
        if path.get("valid"):
            return path
    return None


def m1_r1_established():
    """None when both ends of m1-r1 say Established, else their states."""
    m = mesh_neighbor("m1", R1_ADDR).get("state")
    r = r1_neighbor().get("bgpState")
    if m == "Established" and r == "Established":
        return None
    return {"m1": m, "r1": r}


def m1_r1_down():
    """None when neither end of m1-r1 is Established."""
    m = mesh_neighbor("m1", R1_ADDR).get("state")
    r = r1_neighbor().get("bgpState")
    if m != "Established" and r != "Established":
        return None
    return {"m1": m, "r1": r}


# ----------------------------------------------------------------------
# Tests


def test_sessions_established():
    """All three sessions of m1 come up (MD5 and GTSM are configured on
    m1-r1 from the start, on both sides)."""
    for addr, rem in ((M2_ADDR, 65000), (M3_ADDR, 65000), (R1_ADDR, 65001)):
        expect_json(
            "m1",
            "show mesh bgp summary json",
            {"peers": {addr: {"state": "Established", "remoteAs": rem}}},
            "m1 session with " + addr,
        )
    expect(m1_r1_established, "m1-r1 from both sides")


def test_route_reflection():
    """m2's network reaches m3 through m1 carrying ORIGINATOR_ID m2 and a
    CLUSTER_LIST of length 1; m3's own network comes back to m3 from m1
    at most as an invalid path (originator ID loop)."""

    def m2_net_at_m3():
        paths = mesh_paths("m3", M2_NET)
        for p in paths:
            if p.get("peer") == M1_TO_M3 and p.get("valid"):
                if p.get("originatorId") != M2_RID or p.get("clusterListLength") != 1:
                    return "reflected path attributes: {}".format(p)
                if not p.get("best"):
                    return "reflected path not best: {}".format(p)
                return None
        return "m3 has no valid path from m1: {}".format(paths)

    expect(m2_net_at_m3, "m2's network reflected to m3")

    # The reverse direction too, so m1 has had m3's route and has reflected
    # it to its clients before the loop check below.
    def m3_net_at_m2():
        for p in mesh_paths("m2", M3_NET):
            if (p.get("peer") == M1_TO_M2 and p.get("valid")
                    and p.get("originatorId") == M3_RID
                    and p.get("clusterListLength") == 1):
                return None
        return "m2: {}".format(mesh_paths("m2", M3_NET))

    expect(m3_net_at_m2, "m3's network reflected to m2")

    def own_route_not_back():
        for p in mesh_paths("m3", M3_NET):
            if p.get("peer") == M1_TO_M3 and (p.get("valid") or p.get("best")):
                return "m3 accepted its own route back from m1: {}".format(p)
        return None

    stays(own_route_not_back, "m3's own route", seconds=3)


def test_gtsm():
    """ttl-security hops 1 on both sides: Established, and m1 shows it.
    When r1 drops its ttl-security (so sends TTL 1), m1 must refuse the
    session; restoring it brings the session back."""
    expect(m1_r1_established, "m1-r1 with GTSM")
    n = mesh_neighbor("m1", R1_ADDR)
    assert n.get("ttlSecurityHops") == 1, "m1 ttlSecurityHops: {}".format(n)

    vtysh_config("r1", "router bgp 65001",
                 "no neighbor {} ttl-security hops 1".format(M1_TO_R1))
    gear("r1").vtysh_cmd("clear bgp *")
    expect(m1_r1_down, "m1-r1 goes down once r1 sends TTL 1")
    stays(m1_r1_down, "m1-r1 must stay down without GTSM on r1", seconds=STAY_DOWN)

    vtysh_config("r1", "router bgp 65001",
                 "neighbor {} ttl-security hops 1".format(M1_TO_R1))
    gear("r1").vtysh_cmd("clear bgp *")
    _, result = topotest.run_and_expect(m1_r1_established, None, count=COUNT, wait=WAIT)
    if result is None:
        return
    # Leave the session up for the tests that follow, and tell whether
    # only m1's stuck connection was in the way: a hard reset on m1 makes
    # m1 connect out again (with TTL 255).
    stuck = mesh_neighbor("m1", R1_ADDR).get("state")
    gear("m1").vtysh_cmd("clear mesh bgp {}".format(R1_ADDR))
    _, after = topotest.run_and_expect(m1_r1_established, None, count=COUNT, wait=WAIT)
    assert result is None, (
        "m1-r1 did not come back by itself once GTSM was restored on r1: {} "
        "(m1 was in {}; after 'clear mesh bgp {}' on m1: {})".format(
            result, stuck, R1_ADDR, after or "Established"))


def test_md5():
    """Same TCP-MD5 key: Established. A different key on r1: the session
    does not come back after 'clear bgp *'. The right key again: back."""
    expect(m1_r1_established, "m1-r1 with matching MD5 keys")
    assert mesh_neighbor("m1", R1_ADDR).get("md5") is True

    vtysh_config("r1", "router bgp 65001",
                 "neighbor {} password sf-wrong-2".format(M1_TO_R1))
    gear("r1").vtysh_cmd("clear bgp *")
    expect(m1_r1_down, "m1-r1 goes down after the key change")
    stays(m1_r1_down, "m1-r1 must stay down with different MD5 keys", seconds=STAY_DOWN)

    vtysh_config("r1", "router bgp 65001",
                 "neighbor {} password sf-secret-1".format(M1_TO_R1))
    gear("r1").vtysh_cmd("clear bgp *")
    expect(m1_r1_established, "m1-r1 back with matching MD5 keys")


def test_shutdown_communication():
    """'neighbor shutdown message' on m1: r1 sees the session go down and
    shows the message (RFC 9003) as lastShutdownDescription; 'no neighbor
    shutdown' brings the session back."""
    expect(m1_r1_established, "m1-r1 before shutdown")
    vtysh_config("m1", "router mesh",
                 "neighbor {} shutdown message {}".format(R1_ADDR, SHUTDOWN_MSG))

    def r1_saw_shutdown():
        n = r1_neighbor()
        if n.get("bgpState") == "Established":
            return "r1 still Established"
        if n.get("lastShutdownDescription") != SHUTDOWN_MSG:
            return {k: n.get(k) for k in ("bgpState", "lastResetDueTo",
                                          "lastNotificationReason",
                                          "lastShutdownDescription")}
        return None

    expect(r1_saw_shutdown, "r1 shows m1's shutdown communication")
    n = mesh_neighbor("m1", R1_ADDR)
    assert n.get("adminShutdown") is True, "m1 adminShutdown: {}".format(n)
    assert n.get("lastNotification", {}).get("code") == 6, "m1: {}".format(n)
    assert n.get("lastNotification", {}).get("subcode") == 2, "m1: {}".format(n)
    stays(m1_r1_down, "m1-r1 stays down while shut down", seconds=3)

    vtysh_config("m1", "router mesh", "no neighbor {} shutdown".format(R1_ADDR))
    expect(m1_r1_established, "m1-r1 back after 'no neighbor shutdown'")


def test_soft_out():
    """An outbound route-map toward r1 that denies one of m1's networks and
    tags the rest with a community takes effect after 'clear mesh bgp
    10.0.1.2 soft out', and the session is not reset."""
    expect(m1_r1_established, "m1-r1 before the policy change")
    for prefix in (M1_NET1, M1_NET2):
        expect(lambda: None if r1_route(prefix) else "missing",
               "r1 has {} from m1".format(prefix))

    est_m1 = mesh_neighbor("m1", R1_ADDR)["counters"]["established"]
    est_r1 = r1_neighbor().get("connectionsEstablished")

    vtysh_config(
        "m1",
        "ip prefix-list SF_NET2 seq 5 permit {}".format(M1_NET2),
        "route-map SF_OUT deny 10",
        "match ip address prefix-list SF_NET2",
        "exit",
        "route-map SF_OUT permit 20",
        "set community 65000:42",
        "exit",
        "router mesh",
        "address-family ipv4 unicast",
        "neighbor {} route-map SF_OUT out".format(R1_ADDR),
    )
    gear("m1").vtysh_cmd("clear mesh bgp {} soft out".format(R1_ADDR))

    def r1_table_changed():
        if r1_route(M1_NET2):
            return "{} still at r1".format(M1_NET2)
        p = r1_route(M1_NET1)
        if not p:
            return "{} gone from r1".format(M1_NET1)
        comm = p.get("community", {}).get("string", "").split()
        if "65000:42" not in comm:
            return "{} communities at r1: {}".format(M1_NET1, comm)
        return None

    expect(r1_table_changed, "r1's table after soft out")

    n = mesh_neighbor("m1", R1_ADDR)
    assert n.get("state") == "Established", "m1: {}".format(n)
    assert n["counters"]["established"] == est_m1, \
        "m1 session was reset: established {} -> {}".format(est_m1, n["counters"])
    r = r1_neighbor()
    assert r.get("bgpState") == "Established"
    assert r.get("connectionsEstablished") == est_r1, \
        "r1 session was reset: connectionsEstablished {} -> {}".format(
            est_r1, r.get("connectionsEstablished"))


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
