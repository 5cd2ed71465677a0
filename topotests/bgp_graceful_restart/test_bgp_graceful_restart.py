#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
meshd as the restarting speaker of RFC 4724, against stock FRR bgpd as
the helper:

    m1 (meshd + zebra, AS 65000) --- r1 (FRR bgpd + zebra, AS 65001)

m1 has 'bgp graceful-restart' (restart time 60 s, select-defer-time 30 s)
and originates 10.100.1.0/24 and 10.100.2.0/24; r1 originates
10.101.1.0/24. The test checks:

- the capability r1 receives: restart time 60, IPv4 unicast listed; at the
  first start the R bit (meshd defers its first selection like bgpd's
  startup) and no F bit (nothing was kept before);
- meshd is killed (SIGKILL): r1 keeps m1's routes, marked stale, and its
  kernel keeps forwarding to them;
- meshd comes back without 10.100.2.0/24 in its configuration: its OPEN
  has the R bit and, since zebra was asked to keep its routes, the F bit;
  meshd's selection waits for r1's End-of-RIB (the deferral ends by
  End-of-RIB, not by the timer); r1 refreshes 10.100.1.0/24 (no longer
  stale) and removes 10.100.2.0/24 at m1's End-of-RIB;
- throughout the restart r1's kernel route to 10.100.1.0/24 never went
  away (sampled every 20 ms in r1's namespace);
- meshd as helper: r1 ('bgp graceful-restart', no preserve-fw-state) is
  killed; meshd keeps 10.101.1.0/24 marked stale; r1 comes back with no F
  bit in its OPEN, so meshd drops the stale path at once (RFC 4724 4.2)
  and takes r1's fresh one.
"""

import os
import re
import sys
import time

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.dirname(CWD))

from lib_checks import expect, gear, start_frr, stop_frr
from lib.topogen import get_topogen

pytestmark = [pytest.mark.meshd, pytest.mark.bgpd]

M1, R1 = "10.0.1.1", "10.0.1.2"
KEPT, DROPPED = "10.100.1.0/24", "10.100.2.0/24"
R1_NET = "10.101.1.0/24"


def build_topo(tgen):
    tgen.add_router("m1")
    tgen.add_router("r1")
    tgen.add_link(tgen.gears["m1"], tgen.gears["r1"])


def setup_module(mod):
    start_frr(mod, build_topo, CWD)


def teardown_module(mod):
    stop_frr()


# ----------------------------------------------------------------------
# Queries


def r1_neighbor():
    out = gear("r1").vtysh_cmd("show bgp neighbors {} json".format(M1), isjson=True)
    return (out or {}).get(M1, {})


def r1_paths(prefix):
    out = gear("r1").vtysh_cmd("show bgp ipv4 unicast {} json".format(prefix), isjson=True)
    return (out or {}).get("paths", [])


def m1_summary():
    return gear("m1").vtysh_cmd("show mesh bgp summary json", isjson=True) or {}


def m1_gr():
    return m1_summary().get("gracefulRestart", {})


def r1_gr_info():
    """What r1 knows of m1's graceful restart capability."""
    n = r1_neighbor()
    gr = n.get("gracefulRestartInfo", {})
    return {
        "state": n.get("bgpState"),
        "cap": n.get("neighborCapabilities", {}).get("gracefulRestart"),
        "remoteMode": gr.get("remoteGrMode"),
        "rBit": gr.get("rBit"),
        "restartTime": gr.get("timers", {}).get("receivedRestartTimer"),
        "fBit": gr.get("ipv4Unicast", {}).get("fBit"),
    }


def established():
    m = (m1_summary().get("peers", {}).get(R1) or {}).get("state")
    r = r1_neighbor().get("bgpState")
    if m == "Established" and r == "Established":
        return None
    return {"m1": m, "r1": r}


def r1_has(prefix, stale=None):
    """None when r1 has a valid path for prefix (stale as given)."""
    paths = [p for p in r1_paths(prefix) if p.get("valid")]
    if not paths:
        return "r1 has no valid path for {}; m1: {} {}".format(
            prefix, gear("m1").vtysh_cmd("show mesh bgp neighbors {} json".format(R1)),
            gear("m1").vtysh_cmd("show mesh bgp ipv4 unicast json"))
    if stale is not None and bool(paths[0].get("stale")) != stale:
        return "r1's path for {}: stale={}, want {}".format(
            prefix, paths[0].get("stale"), stale)
    return None


def r1_lacks(prefix):
    paths = r1_paths(prefix)
    return None if not paths else "r1 still has {}: {}".format(prefix, paths)


# ----------------------------------------------------------------------
# Tests


def test_first_start():
    expect(established, "m1-r1 Established")
    expect(lambda: r1_has(KEPT, stale=False), "m1's network at r1")
    expect(lambda: r1_has(DROPPED, stale=False), "m1's second network at r1")

    def m1_has_r1_net():
        out = gear("m1").vtysh_cmd("show mesh bgp ipv4 unicast {} json".format(R1_NET),
                                   isjson=True) or {}
        return None if out.get("routes", {}).get(R1_NET) else out
    expect(m1_has_r1_net, "r1's network at m1")

    info = r1_gr_info()
    assert info["restartTime"] == 60, info
    assert info["remoteMode"] == "Restart", info
    # A first start is a start: selection deferred (R bit), nothing kept.
    assert info["rBit"] is True, info
    assert not info["fBit"], info

    gr = m1_gr()
    assert gr.get("restartingSpeaker") is True, gr
    assert gr.get("state") == "restarted", gr
    assert gr.get("deferralEnd") == "End-of-RIB from every neighbor, own routes ready", gr
    assert gr.get("forwardingPreserved") is False, gr


def start_route_monitor(prefix, path):
    """Samples r1's kernel route to prefix every 20 ms into path."""
    script = (
        "while :; do "
        "if ip -o route show {p} | grep -q {p}; then echo 1; else echo 0; fi; "
        "sleep 0.02; done > {f}"
    ).format(p=prefix.split("/")[0] + "/24", f=path)
    return gear("r1").popen(["/bin/sh", "-c", script])


def test_restart_keeps_forwarding():
    m1 = gear("m1")
    samples = os.path.join(get_topogen().logdir, "r1-route-samples")
    monitor = start_route_monitor(KEPT, samples)
    try:
        time.sleep(0.5)
        m1.killDaemons(["meshd"])  # SIGKILL: no NOTIFICATION, no cleanup

        def r1_lost_session():
            s = r1_neighbor().get("bgpState")
            return None if s != "Established" else s
        expect(r1_lost_session, "r1 notices m1 is gone", count=40, wait=0.25)
        # RFC 4724 4.2: the helper keeps the routes, marked stale.
        expect(lambda: r1_has(KEPT, stale=True), "r1 keeps m1's route stale")
        assert r1_has(DROPPED, stale=True) is None

        # meshd comes back without the second network.
        conf = m1.cmd("cat /etc/frr/frr.conf")
        conf = re.sub(r"\n  network {}\n".format(re.escape(DROPPED)), "\n", conf)
        path = os.path.join(get_topogen().logdir, "m1-restart.conf")
        with open(path, "w") as f:
            f.write(conf)
        time.sleep(1)
        m1.startDaemons(["meshd"])
        m1.cmd("vtysh -f {}".format(path))

        expect(established, "m1-r1 Established again")
        info = r1_gr_info()
        assert info["rBit"] is True, info
        assert info["fBit"] is True, info

        expect(lambda: r1_has(KEPT, stale=False), "m1's route refreshed at r1")
        expect(lambda: r1_lacks(DROPPED), "the network m1 lost swept at its End-of-RIB")
        time.sleep(0.5)
    finally:
        monitor.terminate()
        monitor.wait()

    with open(samples) as f:
        s = f.read().split()
    assert len(s) > 50, "too few samples: {}".format(len(s))
    assert "0" not in s, "r1 lost its route to {} for {} of {} samples".format(
        KEPT, s.count("0"), len(s))

    gr = m1_gr()
    assert gr.get("forwardingPreserved") is True, gr
    assert gr.get("deferralEnd") == "End-of-RIB from every neighbor, own routes ready", gr
    assert gr.get("deferralMsecs", 1e9) < 30000, gr


def m1_r1_net():
    out = gear("m1").vtysh_cmd("show mesh bgp ipv4 unicast {} json".format(R1_NET),
                               isjson=True) or {}
    return out.get("routes", {}).get(R1_NET, [])


def test_helper_drops_stale_without_f_bit():
    r1, m1 = gear("r1"), gear("m1")
    expect(established, "m1-r1 Established")

    def m1_fresh():
        paths = m1_r1_net()
        if len(paths) == 1 and not paths[0].get("stale"):
            return None
        return paths
    expect(m1_fresh, "r1's path at m1 before r1's restart")
    r1.killDaemons(["bgpd"])

    def m1_keeps_stale():
        paths = m1_r1_net()
        if len(paths) == 1 and paths[0].get("stale"):
            return None
        return paths
    expect(m1_keeps_stale, "m1 keeps r1's path, stale", count=40, wait=0.25)
    n = (m1_summary().get("peers", {}).get(R1) or {})
    assert n.get("state") != "Established", n

    r1.startDaemons(["bgpd"])
    r1.cmd("vtysh -f /etc/frr/frr.conf")
    expect(established, "m1-r1 Established after r1's restart")
    expect(m1_fresh, "r1's fresh path at m1")
    log = m1.cmd("cat {}/m1/meshd.log".format(get_topogen().logdir))
    assert re.search(r"10\.0\.1\.2: restarted without forwarding state for IPv4, "
                     r"[1-9][0-9]* stale paths removed", log), "no early sweep logged"

