#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
Tunnel key rotation under traffic.

    ha -- a ====(WireGuard)==== b -- hb
           \\                  /
            +------ c1 ------+     controller (meshd route reflector)

a rotates its key ('clear mesh tunnel keys'): the new public key is
advertised first, b holds it beside the old one, a switches two seconds
later and b follows when the new key completes a handshake. Checks, with a
1000 packets/s stream from ha to hb running through the rotation:
- a uses a new key and b's tunnel to a carries it, nothing left pending;
- the tunnel never went down and the stream arrived after the rotation;
- the loss is printed (packets and window) for doc/benchmarks.md.
Then b rotates by itself with 'tunnel key-rotation 10' and the hosts still
reach each other.
"""

import json
import os
import sys
import time

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.dirname(CWD))

from lib.topogen import Topogen, get_topogen

import lib_mesh
from lib_traffic import Stream

pytestmark = [pytest.mark.meshd]

SITES = {"a": 1, "b": 2}


def node(name):
    return "10.252.0.{}".format(SITES[name])


def build_topo(tgen):
    lib_mesh.build_star(tgen, SITES)


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()
    lib_mesh.configure_star(tgen, SITES, "10.252.0", tunnel=["probe interval 20"])
    tgen.start_router()


def teardown_module(mod):
    get_topogen().stop_topology()


def gear(name):
    return get_topogen().gears[name]


def tunnel(local, peer):
    return lib_mesh.tunnels(gear(local)).get("tunnels", {}).get(node(peer), {})


def test_mesh_up():
    for name, peer in (("a", "b"), ("b", "a")):
        lib_mesh.expect(lambda: None if tunnel(name, peer).get("state") == "up" else tunnel(name, peer),
               name + "'s tunnel", count=120)
    lib_mesh.expect(lambda: None if lib_mesh.routes(gear("a")).get("10.2.0.0/24", {}).get("state")
           == "installed" else lib_mesh.routes(gear("a")), "a's route to hb")
    lib_mesh.expect(lambda: None if " 0% packet loss" in gear("ha").run("ping -c 2 -W 1 10.2.0.2")
           else "loss", "ha -> hb", count=10, wait=1)


def test_rotation_under_traffic():
    "a rotates while 1000 packets/s flow from ha to hb."
    before = lib_mesh.tunnels(gear("a"))["localKey"]
    assert tunnel("b", "a")["peerKey"] == before
    flaps = tunnel("a", "b")["flaps"]
    stream = Stream(gear("ha"), gear("hb"), "10.2.0.2", seconds=6,
                    workdir=get_topogen().logdir, name="rotation").start()
    time.sleep(1)
    out = gear("a").vtysh_cmd("clear mesh tunnel keys")
    result = stream.wait()
    assert "New key" in out, out
    new = out.split()[2]
    state = lib_mesh.tunnels(gear("a"))

    def settled():
        t = tunnel("b", "a")
        if t.get("peerKey") != new or "peerKeyPending" in t:
            return t
        return None

    lib_mesh.expect(settled, "b follows a's new key")
    assert state["localKey"] == new != before, state
    assert state["keyRotations"] == 1, state
    assert tunnel("a", "b")["flaps"] == flaps, tunnel("a", "b")
    assert result["tail_lost"] < 50, result
    print("\nrotation under 1000 pps: sent {sent}, lost {lost}, longest gap "
          "{longest_gap} packets, window {window_ms} ms".format(**result))
    with open(os.path.join(get_topogen().logdir, "rotation.json"), "w") as f:
        json.dump(result, f)


def test_periodic_rotation():
    "'tunnel key-rotation 10' on b: a new key within the period, still reachable."
    before = lib_mesh.tunnels(gear("b"))["localKey"]
    gear("b").vtysh_cmd("configure terminal\nrouter mesh\ntunnel key-rotation 10")
    assert " tunnel key-rotation 10" in gear("b").vtysh_cmd("show running-config")

    def rotated():
        st = lib_mesh.tunnels(gear("b"))
        if st.get("keyRotations", 0) < 1 or st["localKey"] == before:
            return st.get("keyRotations")
        t = tunnel("a", "b")
        return None if t.get("peerKey") == st["localKey"] and "peerKeyPending" not in t else t

    lib_mesh.expect(rotated, "b rotated and a follows", count=40, wait=1)
    lib_mesh.expect(lambda: None if " 0% packet loss" in gear("hb").run("ping -c 2 -W 1 10.1.0.2")
           else "loss", "hb -> ha after the rotation", count=10, wait=1)
    gear("b").vtysh_cmd("configure terminal\nrouter mesh\nno tunnel key-rotation 10")


def test_wireguard_go_killed():
    "a's wireguard-go is killed: meshd makes the tunnel again."
    name = lib_mesh.ifname(node("a"), node("b"))
    before = tunnel("a", "b")["ifindex"]
    gear("a").run("pkill -f 'wireguard-go -f {}$'".format(name))

    def rebuilt():
        # a new interface (new ifindex) of the same name, up again
        t = tunnel("a", "b")
        return None if t.get("state") == "up" and t.get("ifindex") != before else t

    lib_mesh.expect(rebuilt, "a's tunnel to b made again", count=60)
    lib_mesh.expect(lambda: None if " 0% packet loss" in gear("ha").run("ping -c 2 -W 1 10.2.0.2")
           else "loss", "ha -> hb after the rebuild", count=10, wait=1)


def test_memory_leak():
    tgen = get_topogen()
    if not tgen.is_memleak_enabled():
        pytest.skip("Memory leak test/report is disabled")
    tgen.report_memory_leaks()


if __name__ == "__main__":
    sys.exit(pytest.main(["-s"] + sys.argv[1:]))
