#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
meshd's MinRouteAdvertisementIntervalTimer (RFC 4271 9.2.1.1) toward a
stock FRR bgpd:

    m1 (meshd, AS 65000) -- r1 (FRR bgpd, AS 65001)
    neighbor 10.0.1.2 advertisement-interval 5

- the first change after a quiet period goes out at once and starts the
  interval;
- a burst of changes while the interval runs (the outbound route-map's
  community edited three times, a new network) reaches r1 as the last
  state only, about one interval later: r1's UPDATE log never shows the
  intermediate communities;
- a withdrawal is not held: it reaches r1 while an announcement queued
  with it still waits for the interval.
"""

import functools
import os
import sys
import time

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.dirname(CWD))

from lib.topogen import get_topogen
from lib_checks import expect, gear, start_frr, stop_frr, vtysh_config

pytestmark = [pytest.mark.meshd, pytest.mark.bgpd]

M1_ADDR, R1_ADDR = "10.0.1.1", "10.0.1.2"
NET1, NET2, NET3, NET4 = (
    "10.100.1.0/24",
    "10.100.2.0/24",
    "10.100.3.0/24",
    "10.100.4.0/24",
)
MRAI = 5


def build_topo(tgen):
    for name in ("m1", "r1"):
        tgen.add_router(name)
    tgen.add_link(tgen.gears["m1"], tgen.gears["r1"])  # m1-eth0 / r1-eth0


def setup_module(mod):
    start_frr(mod, build_topo, CWD)


def teardown_module(mod):
    stop_frr()


# ----------------------------------------------------------------------
# Queries


def m1_neighbor():
    out = gear("m1").vtysh_cmd(
        "show mesh bgp neighbors {} json".format(R1_ADDR), isjson=True
    )
    return (out or {}).get(R1_ADDR, {})


def r1_communities():
    """prefix -> community string of r1's valid path, for m1's prefixes."""
    out = gear("r1").vtysh_cmd("show bgp ipv4 unicast json detail", isjson=True) or {}
    got = {}
    for prefix, paths in (out.get("routes") or {}).items():
        if isinstance(paths, dict):
            paths = paths.get("paths", [])
        for path in paths:
            if path.get("valid"):
                got[prefix] = (path.get("community") or {}).get("string", "")
    return got


def r1_has(expected):
    """None when r1 holds exactly the prefixes of expected with those
    communities, else what it holds."""
    got = r1_communities()
    return None if got == expected else got


def r1_update_log():
    tgen = get_topogen()
    path = os.path.join(tgen.logdir, "r1", "bgpd.log")
    with open(path, errors="replace") as f:
        return f.read()


def m1_quiet():
    """None when m1's interval toward r1 is not running."""
    n = m1_neighbor()
    if n.get("state") == "Established" and not n.get("mraiTimerRunningIpv4"):
        return None
    return n


# ----------------------------------------------------------------------
# Tests


def test_session_and_config():
    def established():
        n = m1_neighbor()
        return None if n.get("state") == "Established" else n.get("state")

    expect(established, "m1-r1 Established")
    n = m1_neighbor()
    assert n.get("advertisementInterval") == MRAI, n
    running = gear("m1").vtysh_cmd("show running-config")
    assert "neighbor {} advertisement-interval {}".format(R1_ADDR, MRAI) in running
    expect(functools.partial(r1_has, {NET1: "65000:1"}), "r1 learns NET1")


def test_burst_reaches_r1_as_last_state():
    # A quiet period: the next change goes out at once and starts the
    # interval.
    expect(m1_quiet, "m1's interval toward r1 over")
    vtysh_config(
        "m1", "router mesh", "address-family ipv4 unicast", "network " + NET2
    )
    expect(
        functools.partial(r1_has, {NET1: "65000:1", NET2: "65000:1"}),
        "the first change after a quiet period reaches r1",
        count=10,
    )
    assert m1_neighbor().get("mraiTimerRunningIpv4"), "interval started"

    # The burst, while the interval runs.
    t0 = time.monotonic()
    vtysh_config(
        "m1",
        "route-map R1OUT permit 10",
        "set community 65000:2",
        "set community 65000:3",
        "set community 65000:4",
        "exit",
        "router mesh",
        "address-family ipv4 unicast",
        "network " + NET3,
    )
    held = r1_communities()
    assert NET3 not in held, "NET3 waits for the interval: {}".format(held)

    last = {NET1: "65000:4", NET2: "65000:4", NET3: "65000:4"}
    expect(functools.partial(r1_has, last), "r1 gets the last state")
    delay = time.monotonic() - t0
    print("held announcements reached r1 after {:.1f} s".format(delay))
    assert delay < 6 * MRAI, delay

    log = r1_update_log()
    assert "65000:4" in log, "r1 logged the last state"
    for stale in ("65000:2", "65000:3"):
        assert stale not in log, "intermediate community {} was sent".format(stale)


def test_withdraw_not_held():
    # Start an interval with an announcement, then queue a withdrawal
    # and an announcement together: the withdrawal goes at once, the
    # announcement waits.
    expect(m1_quiet, "m1's interval toward r1 over")
    vtysh_config("m1", "route-map R1OUT permit 10", "set community 65000:5")
    base = {NET1: "65000:5", NET2: "65000:5", NET3: "65000:5"}
    expect(functools.partial(r1_has, base), "change after quiet period", count=10)
    assert m1_neighbor().get("mraiTimerRunningIpv4"), "interval started"

    vtysh_config(
        "m1",
        "router mesh",
        "address-family ipv4 unicast",
        "no network " + NET2,
        "network " + NET4,
    )
    # Order, not timing: NET2 is gone from r1 while NET4 still waits.
    withdrawn = {NET1: "65000:5", NET3: "65000:5"}
    expect(
        functools.partial(r1_has, withdrawn),
        "withdrawal reaches r1 before the held announcement",
        count=20,
        wait=0.1,
    )
    withdrawn[NET4] = "65000:5"
    expect(functools.partial(r1_has, withdrawn), "held announcement arrives")


def test_memory_leak():
    tgen = get_topogen()
    if not tgen.is_memleak_enabled():
        pytest.skip("memory leak test disabled")
    tgen.report_memory_leaks()


if __name__ == "__main__":
    sys.exit(pytest.main(["-s"] + sys.argv[1:]))
