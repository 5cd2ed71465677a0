#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
Revised UPDATE error handling (RFC 7606) seen from outside: a hostile
ExaBGP peer sends malformed UPDATEs to meshd, one case at a time.

    x1 (ExaBGP, AS 65004) -- m1 (meshd, AS 65000) -- r1 (FRR bgpd, AS 65001)

Each case first announces a prefix well-formed (community 65004:100) and
waits until meshd and r1 have it, then announces the same prefix again
with community 65004:101 and one malformed attribute (raw, through
ExaBGP's 'attribute [code flags value]'). The bytes ExaBGP put on the
wire are read back from its packet log, so each case proves its input
before judging meshd's reaction:

  treat-as-withdraw  meshd no longer uses the prefix (the path is gone, or
                     kept flagged: valid false, never best), r1 loses it,
                     the session stays up, counters.treatAsWithdraw moves
  attribute discard  meshd keeps the new version (65004:101) without the
                     attribute (r1 shows it without), the session stays
                     up, counters.attrDiscard moves
  ignored            an unknown optional non-transitive attribute: route
                     kept, attribute neither listed nor passed on
  session reset      meshd sends NOTIFICATION UPDATE/<subcode>, x1 hears
                     it, the session comes back once x1 stops sending it

Expected outcomes follow meshd's codec (meshd/mesh_bgp_wire.c, the
descriptor table and its RFC citations).
"""

import os
import sys

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.dirname(CWD))

import lib_meshpeers as mp
from lib.topogen import Topogen, get_topogen

pytestmark = [pytest.mark.meshd]

X1 = {"v4": "10.0.4.2", "v6": "2001:db8:4::2", "m1v4": "10.0.4.1", "m1v6": "2001:db8:4::1"}
R1 = {"v4": "10.0.1.2", "v6": "2001:db8:1::2"}

TAW = "treat-as-withdraw"
DISCARD = "attribute-discard"
IGNORE = "ignored"
RESET = "session-reset"

def case(name, prefix, good, bad, wire, action, cite, notify=None,
         marker="community [ 65004:101 ]"):
    """One malformed UPDATE: the prefix, extra attributes of its
    well-formed version, the malformed version's attributes (ExaBGP
    syntax), the attribute as it must appear on the wire (flags, type,
    value hex), the expected action, what the codec cites for it, and for
    a reset the NOTIFICATION (code, subcode). The malformed version also
    carries marker (community 65004:101 unless the case replaces
    COMMUNITIES itself), so a kept route shows it was updated."""
    return pytest.param(
        {"name": name, "prefix": prefix, "good": good, "bad": bad, "wire": wire,
         "action": action, "cite": cite, "notify": notify, "marker": marker},
        id=name,
    )


CASES = [
    case("origin-undefined-value", "10.210.1.0/24", "",
         "attribute [0x01 0x40 0x05]", (0x40, 1, "05"), TAW, "RFC 7606 3.e / 7.1"),
    case("origin-flagged-optional", "10.210.2.0/24", "",
         "attribute [0x01 0xc0 0x00]", (0xC0, 1, "00"), TAW, "RFC 7606 3.c"),
    case("as-path-undefined-segment-type", "10.210.3.0/24", "",
         "attribute [0x02 0x40 0x05010000fdec]", (0x40, 2, "05010000fdec"), TAW,
         "RFC 7606 3.e / 7.2"),
    case("as-path-segment-overruns", "10.210.4.0/24", "",
         "attribute [0x02 0x40 0x02030000fdec]", (0x40, 2, "02030000fdec"), TAW,
         "RFC 7606 3.e / 7.2"),
    case("next-hop-multicast", "10.210.5.0/24", "",
         "next-hop 224.0.0.5", (0x40, 3, "e0000005"), TAW, "RFC 7606 3.e / 7.3"),
    case("med-length-3", "10.210.6.0/24", "med 10",
         "attribute [0x04 0x80 0x000001]", (0x80, 4, "000001"), TAW, "RFC 7606 3.e / 7.4"),
    case("communities-length-5", "10.210.7.0/24", "",
         "attribute [0x08 0xc0 0xfdec0001ff]", (0xC0, 8, "fdec0001ff"), TAW, "RFC 7606 7.8",
         marker=""),
    case("large-communities-length-11-ipv6", "2001:db8:210:8::/64", "",
         "attribute [0x20 0xc0 0x0000fdec0000000000000a]",
         (0xC0, 32, "0000fdec0000000000000a"), TAW, "RFC 8092 6"),
    case("atomic-aggregate-length-1", "10.210.9.0/24", "atomic-aggregate",
         "attribute [0x06 0x40 0x00]", (0x40, 6, "00"), DISCARD, "RFC 7606 3.f / 7.6"),
    case("aggregator-length-5", "10.210.10.0/24", "aggregator ( 65004:10.0.4.2 )",
         "attribute [0x07 0xc0 0x0000fdec0a]", (0xC0, 7, "0000fdec0a"), DISCARD,
         "RFC 7606 3.f / 7.7"),
    case("unknown-optional-non-transitive", "10.210.11.0/24", "",
         "attribute [0xcc 0x80 0x01]", (0x80, 204, "01"), IGNORE, "RFC 4271 5, 9"),
    # NOTIFICATION UPDATE Message Error / Unrecognized Well-known Attribute
    case("unknown-well-known", "10.210.12.0/24", "",
         "attribute [0xcb 0x40 0x01]", (0x40, 203, "01"), RESET, "RFC 4271 6.3",
         notify=(3, 2)),
]

WAIT = 20
x1 = None


def build_topo(tgen):
    m1 = tgen.add_router("m1")
    r1 = tgen.add_router("r1")
    tgen.add_link(m1, r1)  # m1-eth0 / r1-eth0
    host = tgen.add_host("x1", X1["v4"] + "/24", "via " + X1["m1v4"])
    tgen.add_link(m1, host)  # m1-eth1 / x1-eth0


def setup_module(mod):
    global x1
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()
    gear = tgen.gears["x1"]
    gear.cmd_raises("sysctl -qw net.ipv6.conf.all.accept_dad=0")
    gear.cmd_raises("ip -6 addr add {}/64 dev x1-eth0 nodad".format(X1["v6"]))
    for name in ("m1", "r1"):
        tgen.gears[name].load_frr_config(os.path.join(CWD, name, "frr.conf"))
    tgen.start_router()
    with open(os.path.join(CWD, "x1", "exabgp.conf")) as f:
        x1 = mp.ExaBGP(gear, f.read())
    x1.start()


def teardown_module(mod):
    if x1:
        x1.stop()
    get_topogen().stop_topology()


def expect(check, what, timeout=WAIT):
    mp.expect(check, what, timeout)


def v6(prefix):
    return ":" in prefix


def family(prefix):
    return "ipv6" if v6(prefix) else "ipv4"


# ----------------------------------------------------------------------
# meshd (m1): the JSON of 'show mesh bgp ...'


def m1_summary():
    m1 = get_topogen().gears["m1"]
    return m1.vtysh_cmd("show mesh bgp summary json", isjson=True) or {}


def m1_neighbor(addr):
    m1 = get_topogen().gears["m1"]
    out = m1.vtysh_cmd("show mesh bgp neighbors {} json".format(addr), isjson=True) or {}
    return out.get(addr, {})


def m1_paths(prefix):
    m1 = get_topogen().gears["m1"]
    out = m1.vtysh_cmd(
        "show mesh bgp {} unicast {} json".format(family(prefix), prefix), isjson=True
    ) or {}
    return out.get("routes", {}).get(prefix, [])


def m1_counters(addr):
    c = m1_neighbor(addr).get("counters", {})
    return c.get("treatAsWithdraw"), c.get("attrDiscard")


def m1_path_from_x1(prefix):
    peer = X1["v6" if v6(prefix) else "v4"]
    for p in m1_paths(prefix):
        if p.get("peer") == peer:
            return p
    return None


# ----------------------------------------------------------------------
# r1: what meshd passed on


def r1_path(prefix):
    r1 = get_topogen().gears["r1"]
    out = r1.vtysh_cmd(
        "show bgp {} unicast {} json".format(family(prefix), prefix), isjson=True
    ) or {}
    for p in out.get("paths", []):
        if p.get("valid"):
            return p
    return None


# ----------------------------------------------------------------------
# x1 (ExaBGP)


def x1_peer(prefix):
    return X1["m1v6" if v6(prefix) else "m1v4"]


def x1_announce(prefix, attrs):
    nh = X1["v6"] if v6(prefix) else "self"
    if "next-hop" not in attrs:
        attrs = "next-hop {} {}".format(nh, attrs)
    x1.send("neighbor {} announce route {} {}".format(x1_peer(prefix), prefix, attrs))


def x1_withdraw(prefix):
    nh = X1["v6"] if v6(prefix) else "self"
    x1.send("neighbor {} withdraw route {} next-hop {}".format(x1_peer(prefix), prefix, nh))


def x1_downs():
    """How many times x1 reported a session with m1 going down."""
    return sum(
        1 for m in x1.messages("state") if m["neighbor"].get("state") == "down"
    )


def x1_sent(prefix):
    """Decoded UPDATEs x1 sent announcing prefix, oldest first, as they
    went on the wire."""
    return x1.sent_updates(prefix)


def x1_notifications():
    """NOTIFICATIONs x1 received: dicts code, subcode, data."""
    out = []
    for m in x1.messages("notification", direction="receive"):
        n = m.get("neighbor", {}).get("notification")
        if isinstance(n, dict):
            out.append(n)
    return out


# ----------------------------------------------------------------------


# The later checks mean nothing without the sessions: they skip when
# test_sessions_established failed (it is the failure to read).
sessions = mp.RequireSessions()
require_sessions = sessions.require


def test_sessions_established():
    expect(sessions_up, "sessions not Established", timeout=60)
    sessions.up()


def well_formed(prefix, extra):
    """Announces prefix well-formed and waits until r1 has it through
    meshd with community 65004:100."""
    x1_announce(prefix, "community [ 65004:100 ] {}".format(extra))

    def check():
        p = m1_path_from_x1(prefix)
        if not p or not p.get("valid") or "65004:100" not in (p.get("communities") or ""):
            return "meshd: {}".format(p)
        r = r1_path(prefix)
        if not r or "65004:100" not in r.get("community", {}).get("string", ""):
            return "r1: {}".format(r)
        return None

    expect(check, "well-formed {} not learned".format(prefix))


def sessions_up():
    got = m1_summary().get("peers", {})
    bad = {a: got.get(a, {}).get("state") for a in (X1["v4"], X1["v6"], R1["v4"], R1["v6"])
           if got.get(a, {}).get("state") != "Established"}
    if bad:
        return bad
    if x1.state(X1["m1v4"]) != "up" or x1.state(X1["m1v6"]) != "up":
        return "x1 reports {} {}".format(x1.state(X1["m1v4"]), x1.state(X1["m1v6"]))
    return None


@pytest.mark.parametrize("c", CASES)
def test_malformed_update(c):
    require_sessions()
    # A case that failed may have left a session resetting: start clean.
    expect(sessions_up, "sessions before the case", timeout=40)
    try:
        malformed_update(c)
    finally:
        # x1 would send the route again on every new session: take it back.
        x1_withdraw(c["prefix"])


def malformed_update(c):
    name, prefix, wire, action = c["name"], c["prefix"], c["wire"], c["action"]
    peer = X1["v6" if v6(prefix) else "v4"]
    well_formed(prefix, c["good"])
    if action == DISCARD:
        # The well-formed attribute shows, so its absence later means
        # something.
        key = {6: "atomicAggregate", 7: "aggregator"}[wire[1]]
        expect(lambda: None if key in (m1_path_from_x1(prefix) or {})
               else m1_path_from_x1(prefix), "{}: meshd shows no {}".format(name, key))
    taw0, disc0 = m1_counters(peer)
    downs0 = x1_downs()
    notes0 = len(x1_notifications())
    sent0 = len(x1_sent(prefix))

    x1_announce(prefix, "{} {}".format(c["marker"], c["bad"]))

    # The input: x1 put the malformed attribute on the wire.
    def sent():
        ups = x1_sent(prefix)
        if len(ups) <= sent0:
            return "x1 has not sent the malformed UPDATE"
        a = mp.update_attr(ups[-1], wire[1])
        if not a or (a["flags"] & 0xF0, a["value"]) != (wire[0], wire[2]):
            return "attribute {} sent as {}, wanted {}".format(wire[1], a, wire)
        return None

    expect(sent, "{}: x1's UPDATE".format(name))

    if action == RESET:
        check_reset(c, peer, notes0)
        return

    if action == TAW:

        def outcome():
            # meshd may keep the path in its Adj-RIB-In, flagged: never
            # valid, never best, never exported.
            p = m1_path_from_x1(prefix)
            if p and (p.get("valid") is not False or p.get("best")):
                return "meshd still uses {}: {}".format(prefix, p)
            if r1_path(prefix):
                return "r1 still has {}".format(prefix)
            return None

    else:

        def outcome():
            p = m1_path_from_x1(prefix)
            if not p or "65004:101" not in (p.get("communities") or ""):
                return "meshd has not taken the new version: {}".format(p)
            r = r1_path(prefix)
            if not r or "65004:101" not in r.get("community", {}).get("string", ""):
                return "r1 has not got the new version: {}".format(r)
            if wire[1] == 6 and (p.get("atomicAggregate") or r.get("atomicAggregate")):
                return "ATOMIC_AGGREGATE kept: meshd {}, r1 {}".format(p, r)
            if wire[1] == 7 and ("aggregator" in p or "aggregatorAs" in r or "aggregatorId" in r):
                return "AGGREGATOR kept: meshd {}, r1 {}".format(p, r)
            if action == IGNORE:
                codes = [a.get("type") for a in p.get("unknownAttributes", []) or []]
                if wire[1] in codes:
                    return "meshd keeps the non-transitive attribute: {}".format(codes)
            return None

    expect(outcome, "{} ({}, {})".format(name, action, c["cite"]))

    # The session stayed up all along, and the right counter moved.
    assert x1_downs() == downs0, "{}: the session went down".format(name)
    assert len(x1_notifications()) == notes0, "{}: x1 got a NOTIFICATION".format(name)
    st = m1_summary().get("peers", {}).get(peer, {}).get("state")
    assert st == "Established", "{}: meshd session {}".format(name, st)
    check_counters(action, (taw0, disc0), m1_counters(peer))

    x1_withdraw(prefix)
    expect(lambda: None if not m1_path_from_x1(prefix) else "still there",
           "{}: withdraw".format(name))


def check_counters(action, before, after):
    """meshd's counters.treatAsWithdraw and counters.attrDiscard: the one
    for the action moved, the other did not."""
    (taw0, disc0), (taw1, disc1) = before, after
    if action == TAW:
        assert taw1 is not None and taw1 > taw0, "treatAsWithdraw {} -> {}".format(taw0, taw1)
        assert disc1 == disc0, "attrDiscard moved {} -> {}".format(disc0, disc1)
    elif action == DISCARD:
        assert disc1 is not None and disc1 > disc0, "attrDiscard {} -> {}".format(disc0, disc1)
        assert taw1 == taw0, "treatAsWithdraw moved {} -> {}".format(taw0, taw1)
    else:
        assert (taw1, disc1) == (taw0, disc0), "counters moved: {} -> {}".format(before, after)


def check_reset(c, peer, notes0):
    name, prefix = c["name"], c["prefix"]
    code, subcode = c["notify"]

    def notified():
        notes = x1_notifications()[notes0:]
        for n in notes:
            if (n.get("code"), n.get("subcode")) == (code, subcode):
                return None
        return "x1 got no NOTIFICATION {}/{}: {}".format(code, subcode, notes)

    expect(notified, "{}: NOTIFICATION to x1".format(name))
    x1_withdraw(prefix)

    n = m1_neighbor(peer).get("lastNotification", {})
    assert (n.get("code"), n.get("subcode"), n.get("sent")) == (
        code, subcode, True), "meshd lastNotification: {}".format(n)

    def back():
        if sessions_up():
            return sessions_up()
        if m1_path_from_x1(prefix) or r1_path(prefix):
            return "{} still present".format(prefix)
        return None

    expect(back, "{}: session back without the route".format(name), timeout=40)


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
