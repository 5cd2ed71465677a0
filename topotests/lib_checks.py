#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
Checks shared by meshd's topotests, on FRR's topotest library:

  gear(name)                      the running topology's router name
  vtysh_config(name, *lines)      configuration lines through vtysh
  expect(func, what)              poll func until it returns None, else
                                  fail with its last answer
  expect_json(router, cmd, want, what)
                                  poll until cmd's JSON contains want
  stays(func, what, seconds)      func keeps returning None throughout
  start_frr(mod, build_topo, cwd) the topology of build_topo, each router
                                  with <cwd>/<router>/frr.conf; stop_frr()
                                  ends it (setup_module / teardown_module)

Polling budget: 60 tries x 0.5 s unless a test says otherwise.
"""

import functools
import time

import os

from lib import topotest
from lib.topogen import Topogen, get_topogen

COUNT, WAIT = 60, 0.5


def gear(name):
    return get_topogen().gears[name]


def vtysh_config(name, *lines):
    """Runs configuration lines through vtysh on router name."""
    args = " ".join('-c "{}"'.format(l) for l in ("configure terminal",) + lines)
    return gear(name).run("vtysh {}".format(args))


def expect(func, what, count=COUNT, wait=WAIT):
    """Polls func until it returns None; fails with its last answer."""
    _, result = topotest.run_and_expect(func, None, count=count, wait=wait)
    assert result is None, "{}: {}".format(what, result)


def expect_json(router, command, expected, what, count=COUNT, wait=WAIT):
    func = functools.partial(topotest.router_json_cmp, gear(router), command, expected)
    expect(func, what, count, wait)


def stays(func, what, seconds=10):
    """func must keep returning None for the whole period."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = func()
        assert result is None, "{}: {}".format(what, result)
        time.sleep(0.5)


def start_frr(mod, build_topo, cwd):
    """Builds the topology and starts every router on its own frr.conf."""
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()
    for name, router in tgen.routers().items():
        router.load_frr_config(os.path.join(cwd, name, "frr.conf"))
    tgen.start_router()
    return tgen


def stop_frr():
    get_topogen().stop_topology()
