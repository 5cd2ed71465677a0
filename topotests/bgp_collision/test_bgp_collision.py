#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
Connection collision detection (RFC 4271 6.8), made to happen on demand.

    s1 (raw speaker, AS 65001, BGP ID 192.0.2.1) --+
    s2 (raw speaker, AS 65002, BGP ID 9.0.0.200) --+-- m1 (meshd, AS 65000,
    s3 (raw speaker, AS 65003, BGP ID 10.0.0.30) --+       BGP ID 10.0.0.100)
    s4 (raw speaker, AS 65004, BGP ID 10.0.0.40,   |
        graceful restart) ------------------------+

Real peers cannot be made to collide at will, so each s<n> runs
raw_speaker.py, a BGP speaker of a few hundred lines that listens on its
own port 179 and connects to meshd's, and records in a JSON file what
happened on each TCP connection (ports, messages, the NOTIFICATION's code
and subcode). meshd has all four as active neighbors, so it connects to
them as well. The speakers start listening before meshd starts.

s1 and s2 (scenario "collide"): the speaker accepts meshd's connection
and reads meshd's OPEN without answering, connects to meshd itself, sends
OPEN there and waits for meshd's OPEN and KEEPALIVE: meshd is in
OpenConfirm on the speaker's connection and OpenSent on its own, and m1
has both TCP connections. Then the speaker sends OPEN on meshd's
connection, and meshd must resolve the collision by the BGP Identifiers
compared as unsigned 32-bit numbers in host order (the IDs are chosen so
that a comparison in network byte order, or a signed one, picks the
other connection):

  1. s1's ID is higher: meshd closes the connection it initiated with
     NOTIFICATION Cease / Connection Collision Resolution (6/7) and keeps
     s1's, which reaches Established ("connection": "incoming");
  2. s2's ID is lower: meshd closes s2's connection with Cease/7 and keeps
     its own ("connection": "outgoing").

s3 and s4 (scenario "late"): a session comes up on meshd's connection,
then the speaker opens another connection and sends OPEN on it:

  3. s3 does not advertise graceful restart: the new connection is
     closed with Cease/7 (6.8, last paragraph) and the Established
     session stays up, on the same TCP connection, without a reset;
  4. s4 advertised graceful restart (RFC 4724 4.2, which meshd follows as
     a helper): a new connection means s4 restarted, so meshd drops the
     old session without a NOTIFICATION and the new connection reaches
     Established.

Each check reads three independent views: the speaker's record of which
socket got which message, meshd's 'show mesh bgp neighbors json' (state,
connection direction, remote router ID, last NOTIFICATION, counters), and
the TCP connections that 'ss' lists in m1's namespace, matched by port
against the speaker's surviving socket.
"""

import json
import os
import re
import sys

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.dirname(CWD))

import lib_meshpeers as mp
from lib.topogen import Topogen, get_topogen
from lib_checks import stays

pytestmark = [pytest.mark.meshd]

M1_ID = "10.0.0.100"
CEASE, COLLISION = 6, 7

# name: the speaker's address, m1's on their link, AS, BGP ID, scenario,
# graceful restart time (None: not advertised).
SPEAKERS = {
    # 192.0.2.1 > 10.0.0.100 as unsigned host-order numbers; smaller read
    # in network byte order (0x010200c0 < 0x6400000a) or as signed.
    "s1": {"addr": "10.0.1.2", "m1": "10.0.1.1", "as": 65001,
           "id": "192.0.2.1", "scenario": "collide", "gr": None},
    # 9.0.0.200 < 10.0.0.100; larger in network byte order
    # (0xc8000009 > 0x6400000a).
    "s2": {"addr": "10.0.2.2", "m1": "10.0.2.1", "as": 65002,
           "id": "9.0.0.200", "scenario": "collide", "gr": None},
    "s3": {"addr": "10.0.3.2", "m1": "10.0.3.1", "as": 65003,
           "id": "10.0.0.30", "scenario": "late", "gr": None},
    "s4": {"addr": "10.0.4.2", "m1": "10.0.4.1", "as": 65004,
           "id": "10.0.0.40", "scenario": "late", "gr": 120},
}

# The hold time the speakers offer (meshd's default is larger, so this is
# the negotiated one; the speakers send KEEPALIVE every 30 s).
SPEAKER_HOLD = 90
# Budget of each wait, in seconds.
WAIT = 60
# How long a result must stay as it is to count as stable.
STABLE = 5

speakers = {}  # name -> RawSpeaker


class RawSpeaker(mp.PeerDaemon):
    """raw_speaker.py in a gear; state() reads its JSON state file and
    go() lets it take its next step."""

    name = "raw"

    def __init__(self, gear, spec):
        super(RawSpeaker, self).__init__(gear, None)
        self.spec = spec
        self.state_file = self.path("state.json")
        self.go_file = self.path("go")

    def start(self):
        for f in (self.state_file, self.go_file):
            if os.path.exists(f):
                os.unlink(f)
        argv = [
            mp.PYTHON, os.path.join(CWD, "raw_speaker.py"),
            "--local", self.spec["addr"], "--peer", self.spec["m1"],
            "--asn", str(self.spec["as"]), "--bgp-id", self.spec["id"],
            "--hold", str(SPEAKER_HOLD), "--scenario", self.spec["scenario"],
            "--state", self.state_file, "--go", self.go_file,
            "--timeout", str(WAIT),
        ]
        if self.spec["gr"] is not None:
            argv += ["--graceful-restart", str(self.spec["gr"])]
        self.spawn(argv)
        if not mp.wait_for(lambda: self.state().get("phases"), timeout=10, interval=0.2):
            raise RuntimeError("raw speaker did not start:\n" + self.log_tail())

    def state(self):
        try:
            with open(self.state_file) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def conn(self, name):
        return self.state().get("conns", {}).get(name, {})

    def go(self):
        with open(self.go_file, "w") as f:
            f.write("go\n")


def build_topo(tgen):
    m1 = tgen.add_router("m1")
    for name in sorted(SPEAKERS):
        s = SPEAKERS[name]
        host = tgen.add_host(name, s["addr"] + "/24", "via " + s["m1"])
        tgen.add_link(m1, host)  # m1-eth0.. / s<n>-eth0


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()
    # The speakers listen before meshd starts, so meshd's first connection
    # (made at once when the neighbor is configured) reaches them.
    for name in sorted(SPEAKERS):
        speakers[name] = RawSpeaker(tgen.gears[name], SPEAKERS[name])
        speakers[name].start()
    tgen.gears["m1"].load_frr_config(os.path.join(CWD, "m1", "frr.conf"))
    tgen.start_router()


def teardown_module(mod):
    for s in speakers.values():
        s.stop()
    get_topogen().stop_topology()


# Not lib_checks.expect, which counts tries: this budget is WAIT seconds
# of wall clock whatever each check costs, like the raw speakers' own
# waits (--timeout WAIT), polled every 0.3 s.
def expect(check, what, timeout=WAIT):
    """Polls check() until it returns None; fails with its last answer."""
    if not mp.wait_for(lambda: check() is None, timeout=timeout, interval=0.3):
        last = check()
        assert last is None, "{}: {}".format(what, last)


# ----------------------------------------------------------------------
# Views: meshd, m1's TCP connections, the speaker


def neighbor(name):
    addr = SPEAKERS[name]["addr"]
    m1 = get_topogen().gears["m1"]
    out = m1.vtysh_cmd("show mesh bgp neighbors {} json".format(addr), isjson=True)
    return (out or {}).get(addr, {})


def summary_state(name):
    m1 = get_topogen().gears["m1"]
    out = m1.vtysh_cmd("show mesh bgp summary json", isjson=True) or {}
    return out.get("peers", {}).get(SPEAKERS[name]["addr"], {}).get("state")


def m1_tcp(name):
    """m1's established TCP connections with speaker name, as a sorted
    list of (m1's port, the speaker's port)."""
    addr = SPEAKERS[name]["addr"]
    out = get_topogen().gears["m1"].cmd(
        "ss -Htn state established dst {}".format(addr))
    conns = []
    for line in out.splitlines():
        ends = re.findall(r"(\d+\.\d+\.\d+\.\d+):(\d+)", line)
        if len(ends) == 2 and ends[1][0] == addr:
            conns.append((int(ends[0][1]), int(ends[1][1])))
    return sorted(conns)


def seen_from_m1(rec):
    """A speaker's connection record as (m1's port, the speaker's port)."""
    return (rec["remotePort"], rec["localPort"])


def notification(rec):
    n = rec.get("notification")
    return None if n is None else (n.get("code"), n.get("subcode"))


def phase_is(name, *phases):
    def check():
        st = speakers[name].state()
        if st.get("phase") in phases:
            return None
        return {"phase": st.get("phase"), "error": st.get("error"), "state": st}
    return check


def established_on(name, direction, rec):
    """None when meshd has name's session Established over the TCP
    connection rec (the speaker's record of it) and on no other."""

    def check():
        n = neighbor(name)
        tcp = m1_tcp(name)
        if (n.get("state") == "Established" and n.get("connection") == direction
                and summary_state(name) == "Established"
                and tcp == [seen_from_m1(rec)]):
            return None
        return {"state": n.get("state"), "connection": n.get("connection"),
                "summary": summary_state(name), "m1 TCP": tcp,
                "expected TCP": [seen_from_m1(rec)],
                "lastNotification": n.get("lastNotification")}

    return check


# ----------------------------------------------------------------------
# Tests


def test_collision_set_up():
    """s1 and s2 hold meshd's connection in OpenSent (meshd's OPEN read,
    none sent back) while meshd is in OpenConfirm on theirs: m1 has both
    TCP connections with each, one on each side's port 179, and meshd
    reports OpenConfirm."""
    for name in ("s1", "s2"):
        expect(phase_is(name, "holding"), name + " holding both connections")
        st = speakers[name].state()
        a = st["conns"]["meshd-initiated"]
        b = st["conns"]["speaker-initiated"]
        # meshd's OPEN only on its own connection; OPEN, then KEEPALIVE
        # (and at most more KEEPALIVEs) on the speaker's.
        assert a["localPort"] == 179 and a["rx"] == ["OPEN"], a
        assert b["remotePort"] == 179 and b["rx"][:2] == ["OPEN", "KEEPALIVE"], b
        assert set(b["rx"][2:]) <= {"KEEPALIVE"}, b
        assert a["openRx"]["bgpId"] == M1_ID and b["openRx"]["bgpId"] == M1_ID
        want = sorted([seen_from_m1(a), seen_from_m1(b)])
        expect(lambda: None if m1_tcp(name) == want else m1_tcp(name),
               "m1's TCP connections with {} (want {})".format(name, want))
        expect(lambda: None if neighbor(name).get("state") == "OpenConfirm"
               else neighbor(name), "meshd in OpenConfirm with " + name)


def check_collision(name, loser, winner, direction):
    """Lets speaker name send its OPEN on meshd's connection, then checks
    that meshd closed connection loser with Cease/7, kept winner, and
    that the session is Established on winner (meshd says direction)."""
    sp = speakers[name]
    expect(phase_is(name, "holding"), name + " holding both connections")
    sp.go()
    expect(phase_is(name, "resolved", "unresolved", "no-survivor", "failed"),
           name + " collision resolved")
    st = sp.state()
    lost, kept = st["conns"][loser], st["conns"][winner]
    assert st["phase"] == "resolved" and st.get("survivor") == winner, (
        "{}: meshd kept the wrong connection or none: {}".format(name, st))
    assert notification(lost) == (CEASE, COLLISION), (
        "{}: {} should get NOTIFICATION Cease/Connection Collision "
        "Resolution (6/7): {}".format(name, loser, lost))
    assert lost["closed"] is not None, "{}: {} not closed: {}".format(name, loser, lost)
    assert notification(kept) is None and kept["closed"] is None, (
        "{}: {} should survive: {}".format(name, winner, kept))
    # meshd's OPEN on the surviving connection was followed by KEEPALIVE,
    # which the speaker answered: meshd goes Established on it.
    expect(established_on(name, direction, kept),
           "{} Established over {} only".format(name, winner))
    n = neighbor(name)
    # (remoteRouterId is not compared: meshd prints it with "%pI4h", which
    # FRR 8.4's printfrr does not know, so it comes out byte-swapped.)
    assert n.get("holdTime") == SPEAKER_HOLD, n
    last = n.get("lastNotification", {})
    assert (last.get("code"), last.get("subcode"), last.get("sent")) == (
        CEASE, COLLISION, True), "meshd's last NOTIFICATION: {}".format(last)
    assert n["counters"]["established"] == 1, n["counters"]
    assert n["counters"]["dropped"] == 0, n["counters"]
    # It stays that way: no late NOTIFICATION, no reset, no reconnect.
    stays(established_on(name, direction, kept),
          "{} Established over {}".format(name, winner), seconds=STABLE)
    kept = sp.conn(winner)
    assert notification(kept) is None and kept["closed"] is None, kept
    assert meshd_counter(name, "established") == 1


def meshd_counter(name, counter):
    return neighbor(name).get("counters", {}).get(counter)


def test_higher_peer_id_keeps_its_connection():
    """Case 1: s1's BGP ID (192.0.2.1) is higher than meshd's: meshd closes
    the connection it initiated with Cease/7 and keeps s1's, which comes
    up (meshd: connection incoming, m1's port 179)."""
    check_collision("s1", "meshd-initiated", "speaker-initiated", "incoming")
    assert m1_tcp("s1")[0][0] == 179, m1_tcp("s1")


def test_lower_peer_id_loses_its_connection():
    """Case 2: s2's BGP ID (9.0.0.200) is lower than meshd's: meshd closes
    s2's connection with Cease/7 and keeps its own (meshd: connection
    outgoing, s2's port 179)."""
    check_collision("s2", "speaker-initiated", "meshd-initiated", "outgoing")
    assert m1_tcp("s2")[0][1] == 179, m1_tcp("s2")


def late_connection(name):
    """Brings speaker name's session up on meshd's connection, then lets
    it open another; returns (state before, state after) of meshd's
    neighbor and the speaker's state once the late connection was
    answered."""
    sp = speakers[name]
    expect(phase_is(name, "established"), name + " session up")
    a = sp.conn("meshd-initiated")
    expect(established_on(name, "outgoing", a), name + " Established")
    before = neighbor(name)
    assert before["counters"]["established"] == 1, before["counters"]
    sp.go()
    expect(phase_is(name, "late-resolved", "late-unanswered", "failed"),
           name + " late connection answered")
    return before, sp.state()


def test_connection_while_established():
    """Case 3: s3 (no graceful restart) opens a second connection while
    its session is Established: meshd closes the new one with Cease/7
    and the Established session stays, on the same TCP connection, never
    reset."""
    before, st = late_connection("s3")
    late, old = st["conns"]["late"], st["conns"]["meshd-initiated"]
    assert notification(late) == (CEASE, COLLISION), (
        "s3: the connection made while Established should get "
        "NOTIFICATION Cease/Connection Collision Resolution (6/7): {}".format(late))
    assert late["closed"] is not None and late["keepalivesRx"] == 0, late
    assert notification(old) is None and old["closed"] is None, old
    stays(established_on("s3", "outgoing", old), "s3's session", seconds=STABLE)
    old = speakers["s3"].conn("meshd-initiated")
    assert notification(old) is None and old["closed"] is None, old
    after = neighbor("s3")
    assert (after["counters"]["notificationsOut"]
            == before["counters"]["notificationsOut"] + 1), after["counters"]
    assert after["counters"]["established"] == 1, after["counters"]
    assert after["counters"]["dropped"] == 0, after["counters"]
    # The session was not reset: it has been up since before.
    assert after["uptime"] >= before["uptime"], (before["uptime"], after["uptime"])


def test_connection_after_graceful_restart():
    """Case 3, RFC 4724 exception: s4 advertised graceful restart, so a
    new connection from it means it restarted. meshd drops the old
    session without a NOTIFICATION, and the new connection reaches
    Established (meshd: incoming)."""
    before, st = late_connection("s4")
    late, old = st["conns"]["late"], st["conns"]["meshd-initiated"]
    assert before["capabilities"].get("gracefulRestartTime") == 120, before
    assert old["closed"] is not None and notification(old) is None, (
        "s4: the old session should end without NOTIFICATION: {}".format(old))
    assert notification(late) is None and late["closed"] is None, late
    assert late["rx"][:2] == ["OPEN", "KEEPALIVE"], late
    expect(established_on("s4", "incoming", late), "s4 Established again")
    n = neighbor("s4")
    assert n["counters"]["established"] == 2, n["counters"]
    assert n["counters"]["dropped"] == 1, n["counters"]
    stays(established_on("s4", "incoming", late), "s4's new session", seconds=STABLE)
