#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
The live mesh: four IVN sites joined by WireGuard tunnels that meshd builds,
measures and routes over.

    ha   hb   hc   hd          hosts, one per IVN (10.N.0.2/24)
    |    |    |    |
    a    b    c    d           sites: zebra + meshd (node 10.255.0.N,
    |    |    |    |           tunnel endpoint 172.16.0.N)
    +----+----+----+----+---- e (a fifth node whose node route is signed
         |                       with a key that is not the mesh CA's)
         c1                    controller: meshd route reflector, and the
                               host of two UDP relays on the a-b tunnel

Every site learns the others' node routes (endpoint, WireGuard key, link
metrics, signed by the mesh CA) through c1, builds a full mesh of tunnels
(wireguard-go, one interface per neighbor), probes each with STAMP and
installs the other IVNs' prefixes through zebra with a backup tunnel.

Each of a's three tunnels runs through a pair of UDP relays on c1 (a sends
to one, the neighbor to the other: 'tunnel neighbor ... endpoint'), so the
test can add delay to the a-b tunnel or cut it silently, as a real underlay
would. Relaying all of a's tunnels gives them the same overhead, so a's
direct tunnel to b is its best path to b until the delay is added.

Checks:
- tunnels up on every site, each with a measured delay;
- hosts in every IVN reach each other across the encrypted mesh, and the
  kernel routes point into the tunnel interfaces;
- 40 ms added to the a-b tunnel: a's path to b moves to a two-hop path
  within seconds; the delay removed: it moves back;
- the a-b tunnel cut silently: a's route to b moves to its backup tunnel,
  hosts still reach each other, and the tunnel is reported down;
- d's meshd main thread stopped for 400 ms: no tunnel to or from d flaps
  (its STAMP reflector has a thread of its own);
- e's key does not verify: it is refused, with the reason, and no site
  builds a tunnel to it.
"""

import base64
import functools
import json
import os
import sys
import time

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.dirname(CWD))

from lib import topotest
from lib.topogen import Topogen, get_topogen

import lib_mesh
from udp_relay import RelayProcess

pytestmark = [pytest.mark.meshd]

SITES = {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}
HOSTED = ("a", "b", "c", "d")
C1 = "172.16.0.10"
RELAYED = ("b", "c", "d")


def relay_ports(peer, toward_peer):
    """(listen port, control port) on c1 of the relay a -> peer (toward_peer)
    or peer -> a."""
    k = 10 * SITES[peer] + (1 if toward_peer else 2)
    return 40000 + k, 9900 + k

COUNT, WAIT = 60, 0.5


def node(name):
    return "10.255.0.{}".format(SITES[name])


def tunnel_port(owner, peer):
    """UDP port owner's tunnel to peer listens on."""
    return lib_mesh.tunnel_port(node(peer))


def ifname(local, peer):
    return lib_mesh.ifname(node(local), node(peer))


def build_topo(tgen):
    tgen.add_router("c1")
    sw = tgen.add_switch("underlay")
    sw.add_link(tgen.gears["c1"])
    for name, n in SITES.items():
        tgen.add_router(name)
        sw.add_link(tgen.gears[name])  # <name>-eth0
        if name in HOSTED:
            host = tgen.add_host(
                "h" + name, "10.{}.0.2/24".format(n), "via 10.{}.0.1".format(n)
            )
            tgen.add_link(tgen.gears[name], host)  # <name>-eth1


def site_config(name, workdir, ca_pub, sign_file):
    n = SITES[name]
    tunnel = ["probe interval 20"]
    if name == "a":
        for peer in RELAYED:
            tunnel.append("neighbor {} endpoint {} port {}".format(
                node(peer), C1, relay_ports(peer, True)[0]))
    if name in RELAYED:
        tunnel.append("neighbor {} endpoint {} port {}".format(
            node("a"), C1, relay_ports(name, False)[0]))
    lan = ("{}-eth1".format(name), "10.{}.0.1/24".format(n)) if name in HOSTED else None
    return lib_mesh.site_config(
        name, node(name), ("{}-eth0".format(name), "172.16.0.{}/24".format(n)), C1,
        workdir, ca_pub, sign_file, lan=lan, ivn=n, tunnel=tunnel)


def controller_config():
    return lib_mesh.controller_config(
        "c1", "10.255.0.10", ("c1-eth0", C1 + "/24"),
        ["172.16.0.{}".format(n) for n in SITES.values()])


RELAYS = {}


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()
    workdir = lib_mesh.key_dir(tgen.logdir, fresh=True)
    sign, pub = lib_mesh.ca_keys(workdir, "mesh")
    rogue_sign, _ = lib_mesh.ca_keys(workdir, "rogue")
    for name in SITES:
        text = site_config(name, workdir, pub, rogue_sign if name == "e" else sign)
        tgen.gears[name].load_frr_config(lib_mesh.write_config(workdir, name, text))
    tgen.gears["c1"].load_frr_config(lib_mesh.write_config(workdir, "c1", controller_config()))
    tgen.start_router()
    # The relays bind c1's underlay address, which zebra has just set.
    c1 = tgen.gears["c1"]
    for peer in RELAYED:
        for toward in (True, False):
            listen, control = relay_ports(peer, toward)
            target = ("172.16.0.{}:{}".format(SITES[peer], tunnel_port(peer, "a")) if toward
                      else "172.16.0.1:{}".format(tunnel_port("a", peer)))
            RELAYS[(peer, toward)] = RelayProcess(
                c1, "{}:{}".format(C1, listen), target, control, max_seconds=900
            ).start()


def teardown_module(mod):
    for relay in RELAYS.values():
        relay.stop()
    get_topogen().stop_topology()


def gear(name):
    return get_topogen().gears[name]


def expect(func, what, count=COUNT, wait=WAIT):
    _, result = topotest.run_and_expect(func, None, count=count, wait=wait)
    assert result is None, "{}: {}".format(what, result)


def tunnels(name):
    return lib_mesh.tunnels(gear(name))


def routes(name):
    return lib_mesh.routes(gear(name))


def paths(name):
    return lib_mesh.paths(gear(name))


def relays(cmd, *args):
    """A command to both relays of the a-b tunnel."""
    for toward in (True, False):
        RELAYS[("b", toward)].command(cmd, *args)


# ----------------------------------------------------------------------


def test_tunnels_up():
    "Every site has a tunnel up to each of the three others, with a delay."
    for name in HOSTED:
        peers = [node(p) for p in HOSTED if p != name]

        def check(name=name, peers=peers):
            t = tunnels(name).get("tunnels", {})
            bad = {p: t.get(p, {}).get("state") for p in peers
                   if t.get(p, {}).get("state") != "up" or not t.get(p, {}).get("delayUs")}
            return bad or None

        _, result = topotest.run_and_expect(check, None, count=120, wait=WAIT)
        if result is not None:
            g = gear(name)
            diag = [json.dumps(tunnels(name), indent=1), g.run("ip -d addr"),
                    g.run("ip route"), g.run("ss -uanp")]
            for n in ("a", "d"):
                diag.append(gear(n).run("for f in /var/run/frr/wg-*.log; do echo $f; tail -15 $f; done"))
            diag.append(g.run("timeout 2 tcpdump -ni {} -c 6 udp 2>&1".format(ifname("a", "d"))))
            assert result is None, "tunnels of {}: {}\n{}".format(name, result, "\n".join(diag))
        t = tunnels(name)["tunnels"]
        for p in peers:
            assert t[p]["probesReceived"] > 0
            assert t[p]["interface"].startswith("m")


def test_routes_and_ping():
    "Each IVN's prefix is installed over the tunnels and hosts reach each other."
    for name in HOSTED:
        for peer in HOSTED:
            if peer == name:
                continue
            prefix = "10.{}.0.0/24".format(SITES[peer])

            def check(name=name, prefix=prefix):
                r = routes(name).get(prefix, {})
                if r.get("state") != "installed" or "backupInterface" not in r:
                    return r
                return None

            expect(check, "{}: route to {}".format(name, prefix))
    # zebra holds meshd's choice as a mesh route with the backup tunnel
    # beside it, and the kernel has it: a reaches b's IVN directly
    def direct():
        zr = gear("a").vtysh_cmd("show ip route 10.2.0.0/24 json", isjson=True)
        entry = (zr.get("10.2.0.0/24") or [{}])[0]
        if (entry.get("protocol") != "mesh" or not entry.get("backupNexthops")
                or entry["nexthops"][0].get("interfaceName") != ifname("a", "b")):
            return entry
        kernel = gear("a").run("ip route show 10.2.0.0/24")
        return None if "dev " + ifname("a", "b") in kernel else kernel

    expect(direct, "a's route to b's IVN in zebra and the kernel")
    for src in HOSTED:
        for dst in HOSTED:
            if src == dst:
                continue
            addr = "10.{}.0.2".format(SITES[dst])
            ok = functools.partial(
                lambda g, a: None if " 0% packet loss" in g.run("ping -c 2 -W 1 " + a) else "loss",
                gear("h" + src), addr,
            )
            expect(ok, "h{} -> {}".format(src, addr), count=10, wait=1)


def next_hop_to_b():
    return paths("a").get(node("b"), {}).get("nextHop")


def test_delay_moves_path():
    "40 ms on the a-b tunnel moves a's path to b off it, and back."
    expect(lambda: None if next_hop_to_b() == node("b") else next_hop_to_b(),
           "a reaches b directly before the delay")
    relays("delay", 40)
    started = time.monotonic()

    def moved():
        t = tunnels("a")["tunnels"][node("b")]
        if t["delayUs"] < 30000:
            return "measured {} us".format(t["delayUs"])
        nh = next_hop_to_b()
        return None if nh in (node("c"), node("d")) else "next hop {}".format(nh)

    expect(moved, "path a->b after 40 ms", count=40)
    took = time.monotonic() - started
    r = routes("a")["10.2.0.0/24"]
    assert r["interface"] in (ifname("a", "c"), ifname("a", "d")), r
    assert " 0% packet loss" in gear("ha").run("ping -c 2 -W 1 10.2.0.2")
    relays("delay", 0)
    expect(lambda: None if next_hop_to_b() == node("b") else next_hop_to_b(),
           "path a->b after the delay is removed", count=40)
    expect(lambda: None if routes("a")["10.2.0.0/24"].get("interface") == ifname("a", "b")
           else routes("a")["10.2.0.0/24"], "a's route to b back on the a-b tunnel")
    print("path moved {:.1f} s after the delay was added".format(took))


def test_silent_cut_uses_backup():
    "The a-b tunnel cut silently: traffic goes through the backup."
    expect(lambda: None if routes("a")["10.2.0.0/24"].get("interface") == ifname("a", "b")
           else routes("a")["10.2.0.0/24"], "a's route to b on the a-b tunnel")
    before = routes("a")["10.2.0.0/24"]
    backup = before["backupInterface"]
    relays("drop", "on")
    try:
        def down():
            t = tunnels("a")["tunnels"][node("b")]
            return None if t["state"] == "down" else t["state"]

        expect(down, "a sees its tunnel to b down", count=20, wait=0.25)
        r = routes("a")["10.2.0.0/24"]
        assert r["interface"] != ifname("a", "b"), r
        assert r["interface"] in (backup, ifname("a", "c"), ifname("a", "d")), r
        ok = lambda: None if " 0% packet loss" in gear("ha").run("ping -c 2 -W 1 10.2.0.2") else "loss"
        expect(ok, "ha -> hb during the cut", count=10, wait=1)
    finally:
        relays("drop", "off")
    expect(lambda: None if next_hop_to_b() == node("b") else next_hop_to_b(),
           "a back on its tunnel to b", count=60)


def test_link_down_fails_over_at_once():
    """The a-b tunnel interface set down on a: zebra tells meshd, which
    moves the route to its backup at once (probes at 20 ms x 3 would take
    60 ms; the log says the interface did it); set up again, the probes
    bring the tunnel back and the route returns."""
    expect(lambda: None if routes("a")["10.2.0.0/24"].get("interface") == ifname("a", "b")
           else routes("a")["10.2.0.0/24"], "a's route to b on the a-b tunnel")
    gear("a").run("ip link set {} down".format(ifname("a", "b")))
    try:
        def moved():
            r = routes("a")["10.2.0.0/24"]
            return None if r.get("interface") not in (None, ifname("a", "b")) else r

        expect(moved, "a's route to b on a backup", count=20, wait=0.25)
        assert tunnels("a")["tunnels"][node("b")]["state"] == "down"
        log = gear("a").run("cat {}/a/meshd.log".format(get_topogen().logdir))
        assert "{}: interface down, failing the tunnel over now".format(ifname("a", "b")) in log
    finally:
        gear("a").run("ip link set {} up".format(ifname("a", "b")))
    expect(lambda: None if tunnels("a")["tunnels"][node("b")]["state"] == "up"
           else tunnels("a")["tunnels"][node("b")], "a's tunnel to b up again", count=60)
    expect(lambda: None if next_hop_to_b() == node("b") else next_hop_to_b(),
           "a back on its tunnel to b", count=60)


def test_busy_main_loop_keeps_tunnels_up():
    """d's meshd main thread stopped for 400 ms (ptrace stops that thread
    alone), as a long task in its event loop would: its peers probe every
    20 ms and call a tunnel down after 60 ms without a reply, but d's STAMP
    reflector runs in a pthread of its own and answers on, so no tunnel to
    d flaps; nor does any of d's (it sent no probes while stopped)."""
    others = [p for p in HOSTED if p != "d"]

    def flaps():
        f = {(p, "d"): tunnels(p)["tunnels"][node("d")]["flaps"] for p in others}
        t = tunnels("d")["tunnels"]
        f.update({("d", p): t[node(p)]["flaps"] for p in others})
        return f

    def all_up():
        bad = {p: tunnels(p)["tunnels"][node("d")]["state"] for p in others
               if tunnels(p)["tunnels"][node("d")]["state"] != "up"}
        bad.update({("d", p): s for p, s in
                    ((p, tunnels("d")["tunnels"][node(p)]["state"]) for p in others)
                    if s != "up"})
        return bad or None

    expect(all_up, "tunnels with d up")
    before = flaps()
    pid = gear("d").run("cat /var/run/frr/meshd.pid").strip()
    assert pid.isdigit(), pid
    out = gear("d").run("/usr/bin/python3 {} {} 0.4 2>&1".format(
        os.path.join(os.path.dirname(CWD), "freeze_thread.py"), pid))
    assert out.startswith("stopped"), out
    time.sleep(0.5)
    assert all_up() is None, all_up()
    assert flaps() == before, (before, flaps())


def test_bad_signature_refused():
    "e's node route is signed by another key: refused, no tunnel to it."
    for name in HOSTED:
        def check(name=name):
            n = tunnels(name).get("nodes", {}).get(node("e"))
            if not n:
                return "e unknown"
            if n.get("keyAccepted") or n.get("tunnel"):
                return n
            return None if "signature" in n.get("refused", "") else n

        expect(check, name + " refuses e")
        assert node("e") not in tunnels(name)["tunnels"]
    # e itself refuses everyone's keys: it holds the mesh CA's public key
    # but its own signing key is a stranger's, so nobody talks to it.
    assert not tunnels("e")["tunnels"].get(node("a"), {}).get("state") == "up"


def test_ca_key_change_judges_keys_again():
    """A new mesh CA public key on d is applied to the node routes d holds
    at once, without waiting for them to be advertised again: with a
    stranger's key every node is refused and d's tunnels go; with the
    mesh's key again they are accepted and come back up."""
    import re

    running = gear("d").vtysh_cmd("show running-config")
    ca = re.search(r"tunnel ca public-key (\S+)", running).group(1)
    stranger = base64.b64encode(os.urandom(32)).decode()
    peers = [node(p) for p in HOSTED if p != "d"]

    def set_ca(key):
        gear("d").vtysh_cmd("configure terminal\nrouter mesh\ntunnel ca public-key " + key)

    set_ca(stranger)
    try:
        def refused():
            st = tunnels("d")
            for p in peers:
                n = st.get("nodes", {}).get(p, {})
                if n.get("keyAccepted") or "signature" not in n.get("refused", ""):
                    return {p: n}
                if p in st.get("tunnels", {}):
                    return {p: "tunnel still there"}
            return None

        expect(refused, "d refuses every node under a stranger's CA key", count=20, wait=0.5)
    finally:
        set_ca(ca)

    def back():
        st = tunnels("d")
        for p in peers:
            if st.get("tunnels", {}).get(p, {}).get("state") != "up":
                return {p: st.get("tunnels", {}).get(p), "node": st.get("nodes", {}).get(p)}
        return None

    expect(back, "d's tunnels up again under the mesh CA's key", count=120)


def test_memory_leak():
    tgen = get_topogen()
    if not tgen.is_memleak_enabled():
        pytest.skip("Memory leak test/report is disabled")
    tgen.report_memory_leaks()


if __name__ == "__main__":
    sys.exit(pytest.main(["-s"] + sys.argv[1:]))
