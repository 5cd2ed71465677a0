#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
Tunnel key rotation under traffic.

    ha -- a ====(WireGuard)==== b -- hb
           \\                  /
            +------ c1 ------+     controller (meshd route reflector)

a rotates its key ('clear mesh tunnel keys'): the new public key is
drawn on the other lane bit and advertised; a builds a twin tunnel on the
other lane (other port, capitalised interface name) with the new key, b
builds its twin when it learns the key, and each side moves its routes
once the twins have handshaken (make-before-break, meshd/mesh_tunnel.c
"Lanes"). Checks, with a 1000 packets/s stream each way between ha and hb
running through the rotation:
- not one packet lost, duplicated or missing at the end;
- a uses the new key and b's tunnel to a carries it, nothing pending;
- both tunnels are on lane 1 under the lane-1 names and ports, the old
  interfaces and their wireguard-go are gone after the drain;
- the tunnel never went down.
Then b rotates by itself with 'tunnel key-rotation 10' (back to lane 0),
and then both rotate at the same moment: whether each side heard of the
other's key before making its own twins (twins again) or not (the lane
flips twice: the twins are dropped and the tunnels rebuilt), they must
end on both new keys on lane 0, with the hosts reaching each other.
Then b drops everything sent to its lane-1 port for a (nftables) and a
rotates: the twins cannot handshake, so the old tunnels keep the traffic
while they wait; after ten seconds both give up and rebuild on lane 1,
which works once the drop is lifted. Last, 'bgp graceful-restart' is
switched on at a while its wireguard-go would end with meshd: the session
reset remakes the tunnel on one that outlives meshd and moves the STAMP
reflector into a process of its own (checked by killing meshd: both stay,
b keeps its tunnel up and the hosts reach each other), and a restarted
meshd brings the tunnel up again.
"""

import json
import os
import sys
import threading
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
    # probes every 50 ms (down after 150 ms): a flap during the rotation
    # fails the test; at 20 ms a loaded machine starving a meshd for 60 ms
    # looked like one while no packet of the streams was lost
    lib_mesh.configure_star(tgen, SITES, "10.252.0", tunnel=["probe interval 50"])
    tgen.start_router()


def teardown_module(mod):
    # test_graceful_restart_switched_on kills a's meshd with graceful
    # restart on: if it stops half-way, a's wireguard-go would outlive it
    tgen = get_topogen()
    lib_mesh.stop_wireguard_go(tgen, {name: node(name) for name in SITES})
    lib_mesh.stop_reflectors(tgen, SITES)
    tgen.stop_topology()


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
    reaches("ha", "10.2.0.2", "ha -> hb")


def test_rotation_under_traffic():
    "a rotates while 1000 packets/s flow each way between ha and hb."
    before = lib_mesh.tunnels(gear("a"))["localKey"]
    assert tunnel("b", "a")["peerKey"] == before
    flaps = tunnel("a", "b")["flaps"]
    logdir = get_topogen().logdir
    streams = {
        "rotation": Stream(gear("ha"), gear("hb"), "10.2.0.2", seconds=6,
                           workdir=logdir, name="rotation").start(),
        "rotation-reverse": Stream(gear("hb"), gear("ha"), "10.1.0.2", port=5002,
                                   seconds=6, workdir=logdir, name="rotation-reverse").start(),
    }
    time.sleep(1)
    out = gear("a").vtysh_cmd("clear mesh tunnel keys")
    results = {name: s.wait() for name, s in streams.items()}
    assert "New key" in out, out
    # a's one working tunnel (to b) gets a twin at once
    assert "1 working tunnel(s) move to it" in out, out
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
    for name, result in results.items():
        print("\n{} under 1000 pps: sent {sent}, lost {lost}, longest gap "
              "{longest_gap} packets, window {window_ms} ms".format(name, **result))
        with open(os.path.join(logdir, name + ".json"), "w") as f:
            json.dump(result, f)
    for name, result in results.items():
        assert result["end_seen"] and result["lost"] == 0, (name, result)
    check_lane("a", "b", 1)
    check_lane("b", "a", 1)


def reaches(host, addr, what):
    lib_mesh.expect(lambda: None if " 0% packet loss" in gear(host).run("ping -c 2 -W 1 " + addr)
                    else "loss", what, count=10, wait=1)


def settled_on(lane, what):
    "Both tunnels alone on lane, and ha reaches hb."
    check_lane("a", "b", lane)
    check_lane("b", "a", lane)
    reaches("ha", "10.2.0.2", what)


def check_lane(local, peer, lane):
    "local's tunnel to peer runs on lane, alone: no twin, old interface gone."
    name = lib_mesh.ifname(node(local), node(peer))
    name = name[0].upper() + name[1:] if lane else name
    other = name[0].swapcase() + name[1:]
    port = lib_mesh.tunnel_port(node(peer), lane=lane)

    def settled():
        t = tunnel(local, peer)
        if (t.get("lane"), t.get("interface"), t.get("listenPort")) != (lane, name, port) or \
                "twinInterface" in t or "drainingInterface" in t:
            return t
        return None

    lib_mesh.expect(settled, "{}'s tunnel to {} on lane {}".format(local, peer, lane), count=20, wait=0.5)
    links = gear(local).run("ip -o link show")
    assert name in links and other not in links, links
    procs = gear(local).run("pgrep -af 'wireguard-go -f'")
    assert "-f {}".format(name) in procs and "-f {}\n".format(other) not in procs + "\n", procs


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
    gear("b").vtysh_cmd("configure terminal\nrouter mesh\nno tunnel key-rotation 10")
    settled_on(0, "ha -> hb after the rotation")
    reaches("hb", "10.1.0.2", "hb -> ha after the rotation")


def test_simultaneous_rotation():
    "a and b rotate at the same moment: the tunnels converge."
    keys, outs = {}, {}

    def rotate(name):
        outs[name] = gear(name).vtysh_cmd("clear mesh tunnel keys")

    workers = [threading.Thread(target=rotate, args=(name,)) for name in ("a", "b")]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    for name, out in outs.items():
        assert "New key" in out, out
        keys[name] = out.split()[2]

    def converged():
        for local, peer in (("a", "b"), ("b", "a")):
            st = lib_mesh.tunnels(gear(local))
            t = st.get("tunnels", {}).get(node(peer), {})
            if st.get("localKey") != keys[local] or t.get("peerKey") != keys[peer] or \
                    t.get("state") != "up" or "peerKeyPending" in t or "twinInterface" in t:
                return {local: t}
        return None

    lib_mesh.expect(converged, "both tunnels carry both new keys", count=60, wait=0.5)
    # each lane bit flipped once, so the lane is where it was
    settled_on(0, "ha -> hb after both rotated")


def test_twin_without_handshake():
    "Twins that never handshake: the traffic stays, then the fallback."
    port = lib_mesh.tunnel_port(node("a"), lane=1)
    gear("b").cmd_raises("nft add table inet lanetest && "
                         "nft add chain inet lanetest in '{ type filter hook input priority 0; }' && "
                         "nft add rule inet lanetest in udp dport %d drop" % port)
    out = gear("a").vtysh_cmd("clear mesh tunnel keys")
    assert "New key" in out, out
    new = out.split()[2]
    lib_mesh.expect(lambda: None if "twinInterface" in tunnel("a", "b") and
                    "twinInterface" in tunnel("b", "a") else (tunnel("a", "b"), tunnel("b", "a")),
                    "both twins built", count=20, wait=0.25)
    # make-before-break: while the twins wait, the old pair carries
    out = gear("ha").run("ping -c 3 -i 0.2 -W 1 10.2.0.2")
    assert " 0% packet loss" in out, out
    assert tunnel("a", "b").get("lane") == 0 and tunnel("a", "b").get("state") == "up"
    lib_mesh.expect(lambda: None if "twinInterface" not in tunnel("a", "b") and
                    "twinInterface" not in tunnel("b", "a") else "waiting",
                    "both twins given up", count=30, wait=0.5)
    gear("b").cmd_raises("nft delete table inet lanetest")

    def converged():
        ta, tb = tunnel("a", "b"), tunnel("b", "a")
        if tb.get("peerKey") != new or ta.get("state") != "up" or tb.get("state") != "up" or \
                "peerKeyPending" in tb:
            return (ta, tb)
        return None

    lib_mesh.expect(converged, "the fallback converged on a's new key", count=60, wait=0.5)
    settled_on(1, "ha -> hb after the fallback")


def test_wireguard_go_killed():
    "a's wireguard-go is killed: meshd makes the tunnel again."
    name = tunnel("a", "b")["interface"]
    before = tunnel("a", "b")["ifindex"]
    gear("a").run("pkill -f 'wireguard-go -f {}$'".format(name))

    def rebuilt():
        # a new interface (new ifindex) of the same name, up again
        t = tunnel("a", "b")
        return None if t.get("state") == "up" and t.get("ifindex") != before else t

    lib_mesh.expect(rebuilt, "a's tunnel to b made again", count=60)
    reaches("ha", "10.2.0.2", "ha -> hb after the rebuild")


def test_graceful_restart_switched_on():
    "'bgp graceful-restart' at runtime: the tunnels are remade to outlive meshd."
    t = tunnel("a", "b")
    assert t.get("outlivesMeshd") is False, t
    gear("a").vtysh_cmd("configure terminal\nrouter mesh\nbgp graceful-restart")

    # the sessions restart, the node routes with them: the tunnel is made
    # again, on a wireguard-go started to outlive meshd
    def remade():
        t = tunnel("a", "b")
        return None if t.get("outlivesMeshd") and t.get("state") == "up" else t

    lib_mesh.expect(remade, "a's tunnel to b on a wireguard-go that outlives meshd",
                    count=60, wait=0.5)
    name = tunnel("a", "b")["interface"]
    pid = gear("a").run("pgrep -f 'wireguard-go -f {}$'".format(name)).strip()
    assert pid, name
    # the STAMP reflector moved out of meshd into a process of its own
    assert lib_mesh.tunnels(gear("a")).get("reflector") == "process"
    reflector = lib_mesh.reflector_pid(gear("a"))
    assert reflector
    flaps = tunnel("b", "a")["flaps"]
    gear("a").killDaemons(["meshd"])
    time.sleep(1)
    assert gear("a").run("pgrep -f 'wireguard-go -f {}$'".format(name)).strip() == pid, \
        "wireguard-go ended with meshd"
    # b's probes are still answered, so b keeps its side up
    assert lib_mesh.reflector_pid(gear("a")) == reflector
    t = tunnel("b", "a")
    assert t.get("state") == "up" and t.get("flaps") == flaps, t
    reaches("ha", "10.2.0.2", "ha -> hb while a's meshd is down")
    gear("a").startDaemons(["meshd"])
    gear("a").cmd("vtysh -f {}".format(os.path.join(lib_mesh.key_dir(get_topogen().logdir),
                                                     "a.conf")))
    lib_mesh.expect(lambda: None if tunnel("a", "b").get("state") == "up" else tunnel("a", "b"),
                    "a's tunnel to b up after the restart", count=120)
    reaches("ha", "10.2.0.2", "ha -> hb after a's meshd restarted")


def test_memory_leak():
    tgen = get_topogen()
    if not tgen.is_memleak_enabled():
        pytest.skip("Memory leak test/report is disabled")
    tgen.report_memory_leaks()


if __name__ == "__main__":
    sys.exit(pytest.main(["-s"] + sys.argv[1:]))
