#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
r1 runs zebra, bgpd and meshd. meshd is configured through vtysh like any
FRR daemon: 'router mesh' appears in 'show mesh json' and in
'show running-config', invalid lines are refused with their reason and
change nothing, and what 'write memory' saved comes back after meshd is
restarted.
"""

import functools
import json
import os
import sys

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))

from lib import topotest
from lib.common_config import kill_router_daemons, start_router_daemons
from lib.topogen import Topogen, TopoRouter, get_topogen

pytestmark = [pytest.mark.meshd, pytest.mark.bgpd]


def build_topo(tgen):
    tgen.add_router("r1")
    switch = tgen.add_switch("s1")
    switch.add_link(tgen.gears["r1"])


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()
    r1 = tgen.gears["r1"]
    r1.load_config(TopoRouter.RD_ZEBRA, os.path.join(CWD, "r1/zebra.conf"))
    r1.load_config(TopoRouter.RD_BGP, os.path.join(CWD, "r1/bgpd.conf"))
    r1.load_config(TopoRouter.RD_MESH, os.path.join(CWD, "r1/meshd.conf"))
    tgen.start_router()


def teardown_module(mod):
    get_topogen().stop_topology()


def vtysh_config(router, *lines):
    """Run configuration lines through vtysh; return its output."""
    args = " ".join('-c "{}"'.format(l) for l in ("configure terminal",) + lines)
    return router.run("vtysh {}".format(args))


def expect_json(router, command, expected):
    test_func = functools.partial(topotest.router_json_cmp, router, command, expected)
    _, result = topotest.run_and_expect(test_func, None, count=20, wait=0.5)
    return result


def test_meshd_running():
    r1 = get_topogen().gears["r1"]
    output = r1.run("vtysh -c 'show mesh json'")
    assert json.loads(output) == {}, "meshd must answer before it is configured"
    daemons = r1.run("vtysh -c 'show daemons'")
    assert "meshd" in daemons


def test_router_mesh_configured():
    r1 = get_topogen().gears["r1"]
    vtysh_config(r1, "router mesh", "router-id 10.0.0.1", "mesh-id 7")
    expected = {
        "routerId": "10.0.0.1",
        "meshId": 7,
        "role": "endpoint",
        "attributeType": 255,
    }
    assert expect_json(r1, "show mesh json", expected) is None

    running = r1.vtysh_cmd("show running-config")
    assert "router mesh\n router-id 10.0.0.1\n mesh-id 7\nexit" in running


def test_invalid_lines_refused():
    r1 = get_topogen().gears["r1"]
    output = vtysh_config(r1, "router mesh", "attribute-type 30")
    assert "deprecated by RFC 8093" in output, output
    output = vtysh_config(r1, "router mesh", "router-id 0.0.0.0")
    assert "must be a unicast address" in output, output
    output = vtysh_config(r1, "router mesh", "mesh-id banana")
    assert "Unknown command" in output, output

    expected = {"routerId": "10.0.0.1", "meshId": 7, "attributeType": 255}
    assert expect_json(r1, "show mesh json", expected) is None


def test_write_memory_and_restart():
    tgen = get_topogen()
    r1 = tgen.gears["r1"]
    vtysh_config(r1, "router mesh", "role controller", "attribute-type 200")
    before = r1.vtysh_cmd("show running-config meshd")
    assert " role controller\n attribute-type 200\n" in before
    r1.vtysh_cmd("write memory")

    kill_router_daemons(tgen, "r1", ["meshd"])
    start_router_daemons(tgen, "r1", ["meshd"])

    expected = {
        "routerId": "10.0.0.1",
        "meshId": 7,
        "role": "controller",
        "attributeType": 200,
    }
    assert expect_json(r1, "show mesh json", expected) is None
    after = r1.vtysh_cmd("show running-config meshd")
    strip = lambda text: [l for l in text.splitlines() if l.startswith(("router", " ", "exit"))]
    assert strip(after) == strip(before)


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
