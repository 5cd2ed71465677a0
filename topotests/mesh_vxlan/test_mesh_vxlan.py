#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
The VXLAN tunnel driver, for underlays that are trusted already.

    ha   hb   hc        hosts (10.N.0.2/24)
    |    |    |
    a    b    c         sites: zebra + meshd, 'tunnel driver vxlan'
    |    |    |
    +----+----+---- c1  controller (meshd route reflector)

Checks:
- every site builds a kernel VXLAN interface to each other site, both ends
  of a pair agree on the VNI, and STAMP probes bring them up;
- remote IVN prefixes are installed with the far node as gateway on the
  VXLAN interface (VXLAN is a broadcast link) and a backup beside it;
- hosts reach each other, and the underlay carries their packets in VXLAN
  in clear text, as the driver promises (no encryption).
"""

import json
import os
import sys

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.dirname(CWD))

from lib import topotest
from lib.topogen import Topogen, get_topogen

import lib_mesh

pytestmark = [pytest.mark.meshd]

SITES = {"a": 1, "b": 2, "c": 3}
COUNT, WAIT = 60, 0.5


def node(name):
    # a range of its own: tunnel names must not collide with other tests
    return "10.253.0.{}".format(SITES[name])


def vx_ifname(local, peer):
    return "v" + lib_mesh.ifname(node(local), node(peer))[1:]


def build_topo(tgen):
    lib_mesh.build_star(tgen, SITES)


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()
    lib_mesh.configure_star(tgen, SITES, "10.253.0", tunnel=["driver vxlan", "probe interval 50"])
    tgen.start_router()


def teardown_module(mod):
    get_topogen().stop_topology()


def gear(name):
    return get_topogen().gears[name]


def test_vxlan_tunnels_up():
    "A VXLAN interface per neighbor, same VNI at both ends, probes answered."
    for name in SITES:
        def check(name=name):
            t = lib_mesh.tunnels(gear(name)).get("tunnels", {})
            bad = {p: t.get(node(p), {}).get("state") for p in SITES
                   if p != name and t.get(node(p), {}).get("state") != "up"}
            return bad or None

        lib_mesh.expect(check, "tunnels of " + name, count=120)
    for name in SITES:
        t = lib_mesh.tunnels(gear(name))["tunnels"]
        for peer in SITES:
            if peer == name:
                continue
            mine = t[node(peer)]
            assert mine["driver"] == "vxlan", mine
            assert mine["interface"] == vx_ifname(name, peer), mine
            theirs = lib_mesh.tunnels(gear(peer))["tunnels"][node(name)]
            assert mine["vni"] == theirs["vni"], (mine, theirs)
            link = gear(name).run("ip -d link show " + mine["interface"])
            assert "vxlan id {}".format(mine["vni"]) in link, link
            assert "remote 172.16.0.{}".format(SITES[peer]) in link, link


def test_show_text():
    "The text forms of topology and paths read as tables, not JSON."
    def check():
        out = gear("a").vtysh_cmd("show mesh paths")
        want = "{} > {}".format(node("a"), node("b"))
        return None if want in out and "backup: ok" in out else out

    lib_mesh.expect(check, "show mesh paths on a")
    topo = gear("a").vtysh_cmd("show mesh topology")
    assert "Node {}".format(node("b")) in topo and "{" not in topo, topo
    stats = gear("a").vtysh_cmd("show mesh spf statistics")
    assert "runs" in stats and "{" not in stats, stats


def test_vxlan_routes_and_ping():
    "Routes name the far node as gateway; hosts reach each other in clear."
    def check():
        r = lib_mesh.routes(gear("a")).get("10.2.0.0/24", {})
        return None if r.get("state") == "installed" and "backupInterface" in r else r

    lib_mesh.expect(check, "a's route to b's IVN")
    zr = gear("a").vtysh_cmd("show ip route 10.2.0.0/24 json", isjson=True)["10.2.0.0/24"][0]
    assert zr["protocol"] == "mesh", zr
    nh = zr["nexthops"][0]
    # The path follows measured delay: under load it may run through c.
    # Whichever tunnel carries it, the gateway is that tunnel's far node.
    far = [p for p in ("b", "c") if nh.get("interfaceName") == vx_ifname("a", p)]
    assert far and nh.get("ip") == node(far[0]), zr
    assert zr.get("backupNexthops"), zr
    for src in SITES:
        for dst, n in SITES.items():
            if src == dst:
                continue
            addr = "10.{}.0.2".format(n)
            ok = lambda g=gear("h" + src), a=addr: (
                None if " 0% packet loss" in g.run("ping -c 2 -W 1 " + a) else "loss")
            _, result = topotest.run_and_expect(ok, None, count=10, wait=1)
            if result is not None:
                # what both ends' meshd and kernel say, for the log
                diag = ["{}: {}\n{}\n{}".format(
                    r, json.dumps(lib_mesh.routes(gear(r))),
                    json.dumps(lib_mesh.tunnels(gear(r)).get("tunnels")),
                    gear(r).run("ip route; ip neigh")) for r in (src, dst)]
                assert result is None, "h{} -> {}: {}\n{}".format(
                    src, addr, result, "\n".join(diag))
    # On the underlay the inner ICMP is readable: VXLAN does not encrypt.
    cap = gear("a").popen(["timeout", "4", "tcpdump", "-lni", "a-eth0", "-T", "vxlan",
                           "udp port {}".format(lib_mesh.BASE_PORT)])
    gear("ha").run("sleep 1; ping -c 3 -i 0.2 10.2.0.2")
    out, _ = cap.communicate(timeout=15)
    assert "10.1.0.2 > 10.2.0.2: ICMP echo request" in out, out


def test_memory_leak():
    tgen = get_topogen()
    if not tgen.is_memleak_enabled():
        pytest.skip("Memory leak test/report is disabled")
    tgen.report_memory_leaks()


if __name__ == "__main__":
    sys.exit(pytest.main(["-s"] + sys.argv[1:]))
