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

With graceful restart the STAMP reflector is a process of its own
(mesh-reflector) that outlives meshd: while a's meshd is down, b's probes
are still answered, so b's tunnel to a stays up and b's route to ha never
goes (sampled like a's); a 1000 packets/s stream each way between ha and
hb runs through the restart and loses nothing. The restarted meshd takes
the same mesh-reflector over, and sends its End-of-RIB only once its
node route is out again (else the controller would drop that route and b
remake its tunnel). c, without graceful restart, reflects in a thread of
meshd. Last, graceful restart switched off on a: its reflector moves back
into meshd and the process ends.
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
from lib_traffic import Stream

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
    lib_mesh.stop_reflectors(tgen, SITES)
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
    for name, kind in (("a", "process"), ("b", "process"), ("c", "thread")):
        t = lib_mesh.tunnels(gear(name))
        assert t.get("reflector") == kind, (name, t.get("reflector"))
        text = gear(name).vtysh_cmd("show mesh tunnels")
        if kind == "process":
            assert t.get("reflectorPid") == lib_mesh.reflector_pid(gear(name)), t
            assert "STAMP reflector: process mesh-reflector, pid {}".format(
                t["reflectorPid"]) in text, text
        else:
            assert lib_mesh.reflector_pid(gear(name)) is None, name
            assert "STAMP reflector: thread of meshd" in text, text


def route_monitor(name, prefix):
    "Samples name's kernel route to prefix every 20 ms into a file."
    samples = os.path.join(get_topogen().logdir, "{}-route-samples".format(name))
    return samples, gear(name).popen(["/bin/sh", "-c",
                                      "while :; do ip -o route show {} | grep -c . ; "
                                      "sleep 0.02; done > {}".format(prefix, samples)])


def never_missing(samples, what):
    with open(samples) as f:
        s = f.read().split()
    assert len(s) > 50, "too few samples: {}".format(len(s))
    assert "0" not in s, "{} missing in {} of {} samples".format(what, s.count("0"), len(s))


def test_restart_keeps_the_data_plane():
    a = gear("a")
    wg_before = wg_pid("a", "b")
    ifindex_before = tunnel("a", "b")["ifindex"]
    assert wg_before, "no wireguard-go for a's tunnel to b"
    reflector_before = lib_mesh.reflector_pid(a)
    assert reflector_before, "no mesh-reflector on a"
    b_flaps = tunnel("b", "a")["flaps"]
    b_ifindex = tunnel("b", "a")["ifindex"]
    samples, monitor = route_monitor("a", "10.2.0.0/24")
    b_samples, b_monitor = route_monitor("b", "10.1.0.0/24")
    logdir = get_topogen().logdir
    streams = {
        "gr": Stream(gear("ha"), gear("hb"), "10.2.0.2", seconds=8, workdir=logdir,
                     name="gr").start(),
        "gr-reverse": Stream(gear("hb"), gear("ha"), "10.1.0.2", port=5002, seconds=8,
                             workdir=logdir, name="gr-reverse").start(),
    }
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
        assert lib_mesh.reflector_pid(a) == reflector_before, "mesh-reflector died with meshd"
        # b's probes are still answered: its tunnel to a stays up
        t = tunnel("b", "a")
        assert t.get("state") == "up" and t.get("flaps") == b_flaps, t

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
        results = {name: st.wait() for name, st in streams.items()}
    finally:
        for m in (monitor, b_monitor):
            m.terminate()
            m.wait()

    t = tunnel("a", "b")
    assert t.get("adoptedAtRestart") is True, t
    assert t.get("ifindex") == ifindex_before, t
    assert wg_pid("a", "b") == wg_before
    assert lib_mesh.routes(a).get("10.2.0.0/24", {}).get("state") == "installed"

    never_missing(samples, "a's kernel route to 10.2.0.0/24")
    never_missing(b_samples, "b's kernel route to 10.1.0.0/24")
    # b never remade its tunnel either: the restarted a sent its
    # End-of-RIB only after its node route, so the controller never
    # dropped that route (it did before, and b rebuilt the tunnel)
    t = tunnel("b", "a")
    assert t.get("state") == "up" and t.get("flaps") == b_flaps, t
    assert t.get("ifindex") == b_ifindex, t
    assert lib_mesh.reflector_pid(a) == reflector_before
    assert lib_mesh.tunnels(a).get("reflectorPid") == reflector_before
    log = a.run("cat {}/a/meshd.log".format(logdir))
    assert "took over mesh-reflector (pid {})".format(reflector_before) in log
    for name, r in results.items():
        assert r["lost"] == 0, (name, r)

    c1 = (gear("c1").vtysh_cmd("show mesh bgp neighbors 172.16.0.1 json", isjson=True)
          or {}).get("172.16.0.1", {})
    assert c1.get("capabilities", {}).get("gracefulRestartRBit") is True, c1
    gr = (a.vtysh_cmd("show mesh bgp summary json", isjson=True) or {}).get("gracefulRestart", {})
    assert gr.get("forwardingPreserved") is True, gr
    assert gr.get("zebraUpdatePending") is False, gr
    expect(lambda: None if " 0% packet loss" in gear("ha").run("ping -c 2 -W 1 10.2.0.2")
           else "loss", "ha -> hb after the restart", count=20, wait=1)


def test_graceful_restart_off_ends_the_reflector():
    "'no bgp graceful-restart' on a: the reflector moves back into meshd."
    a = gear("a")
    pid = lib_mesh.reflector_pid(a)
    assert pid
    a.vtysh_cmd("configure terminal\nrouter mesh\nno bgp graceful-restart")
    expect(lambda: None if lib_mesh.tunnels(a).get("reflector") == "thread"
           else lib_mesh.tunnels(a).get("reflector"), "a's reflector in meshd again")
    assert lib_mesh.reflector_pid(a) is None
    assert a.run("kill -0 {} 2>&1 || echo gone".format(pid)).strip().endswith("gone")
    expect(lambda: None if tunnel("b", "a").get("state") == "up" else tunnel("b", "a"),
           "b's tunnel to a up", count=120)
