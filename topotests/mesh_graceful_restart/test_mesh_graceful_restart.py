#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
A site's meshd restarts gracefully: its tunnels and routes stay in the
kernel while it is gone, and the restarted meshd takes them over.

    ha -- a ====(WireGuard)==== b -- hb        c -- hc
           \\__________ c1 ____/_____________/
                  (controller, route reflector)

a and b have 'bgp graceful-restart'; c does not. Checks:
- zebra on a holds meshd's graceful restart registration;
- meshd on a is killed (SIGKILL): a's wireguard-go keeps running, zebra
  and the kernel on a keep meshd's routes to 10.2.0.0/24 (b) and
  10.3.0.0/24 (c); the route to b is sampled every 20 ms in a's namespace
  and never goes;
- c's meshd goes away meanwhile (no graceful restart: the controller
  drops its routes at once);
- meshd on a comes back: its OPEN carries R and F bits (the controller
  shows them), it adopts the running wireguard-go (same process, same
  interface index), brings the tunnel up again, re-installs 10.2.0.0/24
  and tells zebra it is done: zebra shows no stale-removal timer for
  meshd and 10.3.0.0/24, which nobody announces any more, is gone; ha
  reaches hb.

While a's meshd is down, b's probes get no replies (the STAMP reflector
is part of meshd, like BFD without control-plane independence), so b's
own tunnel to a goes down meanwhile; that side is not measured here.
"""

import os
import re
import sys
import time

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.dirname(CWD))

from lib.topogen import Topogen, get_topogen

import lib_mesh
from lib_checks import expect, gear

pytestmark = [pytest.mark.meshd]

SITES = {"a": 1, "b": 2, "c": 3}
PREFIX = "10.251.0"
GR_LINES = " bgp graceful-restart\n bgp graceful-restart select-defer-time 20\n"


def node(name):
    return "{}.{}".format(PREFIX, SITES[name])


def build_topo(tgen):
    lib_mesh.build_star(tgen, SITES)


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()
    workdir = lib_mesh.key_dir(tgen.logdir, fresh=True)
    sign, pub = lib_mesh.ca_keys(workdir, "mesh")
    for name, n in SITES.items():
        text = lib_mesh.site_config(
            name, node=node(name), underlay=(name + "-eth0", "172.16.0.{}/24".format(n)),
            controller="172.16.0.10", workdir=workdir, ca_pub=pub, sign_file=sign,
            lan=(name + "-eth1", "10.{}.0.1/24".format(n)), ivn=n,
            tunnel=["probe interval 20"])
        if name != "c":
            text = text.replace(" bgp local-as 65000\n", " bgp local-as 65000\n" + GR_LINES)
        tgen.gears[name].load_frr_config(lib_mesh.write_config(workdir, name, text))
    text = lib_mesh.controller_config(
        "c1", "{}.10".format(PREFIX), ("c1-eth0", "172.16.0.10/24"),
        ["172.16.0.{}".format(n) for n in SITES.values()])
    gear_c1 = tgen.gears["c1"]
    gear_c1.load_frr_config(lib_mesh.write_config(workdir, "c1", text))
    tgen.start_router()


def teardown_module(mod):
    # A meshd killed and not brought back leaves its wireguard-go running
    # (that is graceful restart); they would keep the namespaces alive.
    tgen = get_topogen()
    lib_mesh.stop_wireguard_go(tgen, {name: node(name) for name in SITES})
    tgen.stop_topology()


def tunnel(local, peer):
    return lib_mesh.tunnels(gear(local)).get("tunnels", {}).get(node(peer), {})


def kernel_route(name, prefix):
    """a's kernel route to prefix ('ip -o route' line) or ''."""
    return gear(name).run("ip -o route show {}".format(prefix)).strip()


def wg_pid(name, peer):
    out = gear(name).run("pgrep -f 'wireguard-go -f {}$'".format(
        lib_mesh.ifname(node(name), node(peer)))).split()
    return out[0] if out else None


def zebra_gr_done(name):
    """None once meshd is zebra's client again, registered for graceful
    restart and with no stale-removal countdown left (it said 'route
    update complete'); else what zebra shows of it."""
    out = gear(name).vtysh_cmd("show zebra client")
    m = re.search(r"Client: mesh.*?(?=Client: |\Z)", out, re.S)
    if not m:
        return "meshd is not zebra's client"
    block = m.group(0)
    if "Graceful Restart(" not in block or "Stale delete timer" in block:
        return block
    return None


def zebra_protocol(name, prefix):
    out = gear(name).vtysh_cmd("show ip route {} json".format(prefix), isjson=True) or {}
    entries = out.get(prefix, [])
    return entries[0].get("protocol") if entries else None


def test_mesh_up():
    for local, peer in (("a", "b"), ("b", "a"), ("a", "c"), ("c", "a")):
        expect(lambda: None if tunnel(local, peer).get("state") == "up" else tunnel(local, peer),
               "{}'s tunnel to {}".format(local, peer), count=120)
    for p in ("10.2.0.0/24", "10.3.0.0/24"):
        expect(lambda: None if lib_mesh.routes(gear("a")).get(p, {}).get("state") == "installed"
               else lib_mesh.routes(gear("a")), "a's route to " + p)
    expect(lambda: None if " 0% packet loss" in gear("ha").run("ping -c 2 -W 1 10.2.0.2")
           else "loss", "ha -> hb", count=10, wait=1)
    out = gear("a").vtysh_cmd("show zebra client")
    assert re.search(r"Capabilities : Graceful Restart\(\d+ seconds\)", out), out


def test_restart_keeps_the_data_plane():
    a = gear("a")
    wg_before = wg_pid("a", "b")
    ifindex_before = tunnel("a", "b")["ifindex"]
    assert wg_before, "no wireguard-go for a's tunnel to b"
    samples = os.path.join(get_topogen().logdir, "a-route-samples")
    monitor = a.popen(["/bin/sh", "-c",
                       "while :; do ip -o route show 10.2.0.0/24 | grep -c . ; "
                       "sleep 0.02; done > " + samples])
    try:
        time.sleep(0.5)
        a.killDaemons(["meshd"])
        # zebra keeps meshd's routes (stale until meshd is back), and
        # the kernel with it
        time.sleep(1)
        for p in ("10.2.0.0/24", "10.3.0.0/24"):
            assert zebra_protocol("a", p) == "mesh", p
            assert p in kernel_route("a", p), p
        assert wg_pid("a", "b") == wg_before, "wireguard-go died with meshd"

        # c goes away for good while a's meshd is down (no graceful
        # restart: the controller drops c's routes at once)
        gear("c").killDaemons(["meshd"])
        time.sleep(2)

        a.startDaemons(["meshd"])
        a.cmd("vtysh -f {}".format(os.path.join(lib_mesh.key_dir(get_topogen().logdir),
                                                 "a.conf")))
        expect(lambda: None if tunnel("a", "b").get("state") == "up" else tunnel("a", "b"),
               "a's tunnel to b up after the restart", count=120)
        # the zebra route to c is swept once meshd says it is done
        expect(lambda: zebra_gr_done("a"), "meshd tells zebra its routes are complete",
               count=60)
        expect(lambda: None if not kernel_route("a", "10.3.0.0/24")
               else kernel_route("a", "10.3.0.0/24"), "a's stale route to c removed")
        time.sleep(0.5)
    finally:
        monitor.terminate()
        monitor.wait()

    t = tunnel("a", "b")
    assert t.get("adoptedAtRestart") is True, t
    assert t.get("ifindex") == ifindex_before, t
    assert wg_pid("a", "b") == wg_before
    assert lib_mesh.routes(a).get("10.2.0.0/24", {}).get("state") == "installed"

    with open(samples) as f:
        s = f.read().split()
    assert len(s) > 50, "too few samples: {}".format(len(s))
    assert "0" not in s, "a's kernel route to 10.2.0.0/24 missing in {} of {} samples".format(
        s.count("0"), len(s))

    c1 = (gear("c1").vtysh_cmd("show mesh bgp neighbors 172.16.0.1 json", isjson=True)
          or {}).get("172.16.0.1", {})
    assert c1.get("capabilities", {}).get("gracefulRestartRBit") is True, c1
    gr = (a.vtysh_cmd("show mesh bgp summary json", isjson=True) or {}).get("gracefulRestart", {})
    assert gr.get("forwardingPreserved") is True, gr
    assert gr.get("zebraUpdatePending") is False, gr
    expect(lambda: None if " 0% packet loss" in gear("ha").run("ping -c 2 -W 1 10.2.0.2")
           else "loss", "ha -> hb after the restart", count=20, wait=1)
