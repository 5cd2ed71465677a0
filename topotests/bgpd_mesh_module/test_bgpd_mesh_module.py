#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
The bgpd mesh module (bgpd -M mesh) on real FRR bgpd:

    exa1 (ExaBGP, AS 65100) -- r1 (-M mesh) -- r3 (stock) -- r2 (-M mesh)

exa1 announces prefixes carrying mesh attributes (type 255) built here
from doc/mesh-attribute.md, independently of the C codec, plus the
spec's own byte examples. r1's inbound route-map matches on the
attribute (malformed, tenant, latency, bandwidth) and adds 250 us of
path latency; its outbound route-map to r3 adds 100 us more. r3 runs
bgpd without the module and must pass the attribute on byte for byte;
r2 decodes what arrived. The checks compare decoded JSON and the exact
attribute bytes with what the specification says they must be.

The module is loaded from FRR's module directory (bgpd_mesh.so); set
MESHD_BGPD_MODULEDIR to load it from a build tree instead.
"""

import functools
import json
import os
import socket
import struct
import sys

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))

from lib import topotest
from lib.common_config import kill_router_daemons, start_router_daemons
from lib.topogen import Topogen, TopoRouter, get_topogen

pytestmark = [pytest.mark.bgpd]

MESH_TYPE = 255
# RFC 8032 section 7.1 TEST 1: the mesh CA key of the spec's examples.
RFC8032_KEY = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"

# --------------------------------------------------------------------------
# The mesh attribute, encoded from doc/mesh-attribute.md (sections 3-5, 7.1).

T_ORIGINATOR, T_SEQUENCE, T_TENANT, T_IVN, T_LINK = 1, 2, 3, 4, 5
T_PREFIX_OWNER, T_SEG_TAGS, T_SIGNATURE, T_PATH_LATENCY = 7, 8, 9, 0x8001


def node_id(addr):
    return socket.inet_aton(addr)


def u32(v):
    return struct.pack("!I", v)


def link_value(neighbor, flags, delay_us, dv_us, loss, max_bw, avail_bw):
    return (
        node_id(neighbor)
        + struct.pack("!I", (flags << 24) | delay_us)
        + struct.pack("!I", dv_us)
        + struct.pack("!I", loss)
        + struct.pack("!f", max_bw)
        + struct.pack("!f", avail_bw)
    )


def encode(tlvs, version=1, flags=0):
    """Canonical encoding (7.1): ascending type, signature last."""
    body = b"".join(
        struct.pack("!HH", t, len(v)) + v
        for t, v in sorted(tlvs, key=lambda tv: (tv[0] == T_SIGNATURE, tv[0]))
    )
    return bytes([version, flags]) + body


def with_latency(tlvs, latency_us):
    """The TLV list after 'set mesh latency add' brought it to latency_us."""
    return [tv for tv in tlvs if tv[0] != T_PATH_LATENCY] + [
        (T_PATH_LATENCY, u32(latency_us))
    ]


def hexstr(spec_text):
    return "".join(spec_text.split())


# IVN prefix route, tenant 100, path latency 100 us: matches 'le 1000'.
LOW_TLVS = [
    (T_ORIGINATOR, node_id("10.0.0.1")),
    (T_SEQUENCE, struct.pack("!Q", 7)),
    (T_TENANT, u32(100)),
    (T_IVN, u32(10)),
    (T_PREFIX_OWNER, node_id("10.0.0.1")),
    (T_SEG_TAGS, u32(10) + u32(20)),
    (T_PATH_LATENCY, u32(100)),
]
# Node route with a link of 100 MB/s available and 5000 us path latency:
# fails 'latency le 1000', matches 'bandwidth ge 50000000'.
NODE_TLVS = [
    (T_ORIGINATOR, node_id("10.0.0.4")),
    (T_TENANT, u32(100)),
    (T_LINK, link_value("10.0.0.5", 0x80, 1500, 120, 300, 125e6, 100e6)),
    (T_PATH_LATENCY, u32(5000)),
]
# Tenant 666: denied by r1's policy.
TENANT_TLVS = [(T_ORIGINATOR, node_id("10.0.0.6")), (T_TENANT, u32(666))]
# IPv6 prefix route, 100 us.
V6_TLVS = [
    (T_ORIGINATOR, node_id("10.0.0.1")),
    (T_TENANT, u32(100)),
    (T_PATH_LATENCY, u32(100)),
]

# Example 2 of the specification: a node route signed by the RFC 8032
# test key (key ID 1), without Path Latency.
SIGNED_HEX = hexstr(
    """
    0100
    0001 0004 0a000001
    0002 0008 00000000 00000007
    0003 0004 00000064
    0004 0004 0000000a
    0005 0018 0a000002 800005dc 00000078 0000012c 4cee6b28 4cbebc20
    0005 0018 0a000003 a0002ee0 00000320 00000000 4b3ebc20 4b3ebc20
    0006 0028 0001 ca6c c6336401
              8520f009 8930a754 748b7ddc b43ef75a
              0dbf3a0d 26381af4 eba4a98e aa9b4e6a
    0009 0044 00000001
              b03b6888 65b2e4bf f16060bb b83b8a5c
              efefe920 b6cc74ba 3b12bb2d e850ad5b
              ac3e4e0c 44362863 a820e4d9 ff1cee77
              b0097389 0f556905 151f8a40 a665110f
    """
)
SIGNATURE_TLV_HEX = SIGNED_HEX[SIGNED_HEX.index("00090044") :]


def signed_with_latency(latency_us):
    """Example 6: Path Latency inserted before the Signature TLV."""
    head = SIGNED_HEX[: SIGNED_HEX.index("00090044")]
    return head + "80010004%08x" % latency_us + SIGNATURE_TLV_HEX


# Example 5: unknown TLVs 0x0042 (signed) and 0x8042 (mutable).
UNKNOWN_HEX = hexstr("0100 0001 0004 0a000005 0042 0003 616263 8042 0000")


def unknown_with_latency(latency_us):
    return hexstr(
        "0100 0001 0004 0a000005 0042 0003 616263 8001 0004 %08x 8042 0000"
        % latency_us
    )


# Example 8: an Originator whose Length runs past the end (malformed).
MALFORMED_HEX = hexstr("0100 0001 0008 0a000001")
# Example 8: version 2, not interpreted, passed on unchanged.
V2_HEX = hexstr("0200 0001 0004 0a000001")

LOW_HEX = encode(LOW_TLVS).hex()
NODE_HEX = encode(NODE_TLVS).hex()
TENANT_HEX = encode(TENANT_TLVS).hex()
V6_HEX = encode(V6_TLVS).hex()

# prefix -> attribute value exa1 sends (None: no mesh attribute)
ANNOUNCED = {
    "10.1.0.0/24": LOW_HEX,
    "10.2.0.0/24": SIGNED_HEX,
    "10.3.0.0/24": NODE_HEX,
    "10.4.0.0/24": None,
    "10.5.0.0/24": MALFORMED_HEX,
    "10.6.0.0/24": TENANT_HEX,
    "10.7.0.0/24": V2_HEX,
    "10.8.0.0/24": UNKNOWN_HEX,
}
ANNOUNCED6 = {"2001:db8:1::/48": V6_HEX}
# A mesh attribute under another type code (a mesh configured with 200).
OTHER_TYPE = 200
ANNOUNCED_OTHER_TYPE = {"10.9.0.0/24": LOW_HEX}

# --------------------------------------------------------------------------


def exabgp_config():
    def route(prefix, nexthop, value, code=MESH_TYPE):
        line = "        route {} next-hop {}".format(prefix, nexthop)
        if value is not None:
            line += " attribute [ 0x{:02x} 0xc0 0x{} ]".format(code, value)
        return line + ";\n"

    routes = "".join(route(p, "10.0.1.2", v) for p, v in ANNOUNCED.items())
    routes += "".join(route(p, "2001:db8:e::2", v) for p, v in ANNOUNCED6.items())
    routes += "".join(
        route(p, "10.0.1.2", v, OTHER_TYPE) for p, v in ANNOUNCED_OTHER_TYPE.items()
    )
    return (
        "neighbor 10.0.1.1 {\n"
        "    router-id 10.0.1.2;\n"
        "    local-address 10.0.1.2;\n"
        "    local-as 65100;\n"
        "    peer-as 65001;\n"
        "    hold-time 30;\n"
        "    capability {\n        route-refresh;\n    }\n"
        "    family {\n        ipv4 unicast;\n        ipv6 unicast;\n    }\n"
        "    static {\n" + routes + "    }\n"
        "}\n"
    )


def bgpd_module_options():
    moduledir = os.environ.get("MESHD_BGPD_MODULEDIR")
    if moduledir:
        return "--moduledir {} -M mesh".format(moduledir)
    return "-M mesh"


def build_topo(tgen):
    for name in ("r1", "r2", "r3"):
        tgen.add_router(name)
    exa = tgen.add_exabgp_peer("exa1", ip="10.0.1.2/24", defaultRoute="via 10.0.1.1")

    s1 = tgen.add_switch("s1")
    s1.add_link(tgen.gears["r1"])
    s1.add_link(exa)
    s2 = tgen.add_switch("s2")
    s2.add_link(tgen.gears["r1"])
    s2.add_link(tgen.gears["r3"])
    s3 = tgen.add_switch("s3")
    s3.add_link(tgen.gears["r3"])
    s3.add_link(tgen.gears["r2"])


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()

    for name, router in tgen.routers().items():
        router.load_config(
            TopoRouter.RD_ZEBRA, os.path.join(CWD, name, "zebra.conf")
        )
        router.load_config(
            TopoRouter.RD_BGP,
            os.path.join(CWD, name, "bgpd.conf"),
            bgpd_module_options() if name in ("r1", "r2") else None,
        )
    tgen.start_router()

    # Routes that arrive before r1 has read its route-maps are denied
    # (a missing route-map denies); wait for the configuration first.
    r1 = tgen.gears["r1"]

    def r1_configured():
        return "set mesh latency add 100" in r1.vtysh_cmd("show running-config")

    _, loaded = topotest.run_and_expect(r1_configured, True, count=40, wait=0.5)
    assert loaded, "r1 did not load its mesh route-maps"

    # ExaBGP 4 (Debian's); FRR's TopoExaBGP.start() only drives 3.x.
    exa = tgen.gears["exa1"]
    exa.cmd_raises("ip -6 addr add 2001:db8:e::2/64 dev exa1-eth0")
    exa.cmd_raises("mkdir -p /etc/exabgp /var/run/exabgp")
    exa.cmd_raises("cat > /etc/exabgp/exabgp.cfg", stdin=exabgp_config())
    exa.cmd_raises(
        "env exabgp.daemon.daemonize=true"
        " exabgp.daemon.pid=/var/run/exabgp/exabgp.pid"
        " exabgp.daemon.user=root"
        " exabgp.log.destination=/var/log/exabgp.log"
        " exabgp.api.cli=false"
        " exabgp /etc/exabgp/exabgp.cfg"
    )


def teardown_module(mod):
    get_topogen().stop_topology()


def vtysh_config(router, *lines):
    """Run configuration lines through vtysh; return its output."""
    args = " ".join("-c '{}'".format(l) for l in ("configure terminal",) + lines)
    return router.run("vtysh {} 2>&1".format(args))


def expect_json(router, command, expected, count=40, wait=0.5):
    test_func = functools.partial(topotest.router_json_cmp, router, command, expected)
    _, result = topotest.run_and_expect(test_func, None, count=count, wait=wait)
    return result


def mesh_path(hex_value=None, **fields):
    """One path of 'show bgp ... mesh json' with a decodable attribute."""
    path = {"meshStatus": "ok", "partial": True}
    if hex_value is not None:
        path["hex"] = hex_value
        path["length"] = len(hex_value) // 2
    if fields:
        path["mesh"] = fields
    return path


def show_mesh(prefix):
    afi = "ipv6" if ":" in prefix else "ipv4"
    return "show bgp {} unicast {} mesh json".format(afi, prefix)


def test_sessions_up():
    tgen = get_topogen()
    if tgen.routers_have_failure():
        pytest.skip(tgen.errors)
    sessions = {
        "r1": ["10.0.1.2", "10.0.2.3"],
        "r3": ["10.0.2.1", "10.0.3.2"],
        "r2": ["10.0.3.3"],
    }
    for name, peers in sessions.items():
        expected = {
            "ipv4Unicast": {"peers": {p: {"state": "Established"} for p in peers}}
        }
        result = expect_json(
            tgen.gears[name], "show bgp summary json", expected, count=90
        )
        assert result is None, "{} sessions not up: {}".format(name, result)


def test_r1_received_everything():
    """exa1's UPDATEs all arrived: r1 keeps them before policy."""
    r1 = get_topogen().gears["r1"]
    expected = {
        "receivedRoutes": {p: {} for p in list(ANNOUNCED) + list(ANNOUNCED_OTHER_TYPE)}
    }
    result = expect_json(
        r1,
        "show bgp ipv4 unicast neighbors 10.0.1.2 received-routes json",
        expected,
    )
    assert result is None, result


def test_r1_policy_on_the_attribute():
    r1 = get_topogen().gears["r1"]

    # match mesh latency le 1000 -> set mesh latency add 250
    expected = {
        "attributeType": MESH_TYPE,
        "paths": [
            mesh_path(
                encode(with_latency(LOW_TLVS, 350)).hex(),
                pathLatencyUs=350,
                tenantId=100,
                segmentationTags=[10, 20],
            )
        ],
    }
    assert expect_json(r1, show_mesh("10.1.0.0/24"), expected) is None

    # The signed Example 2 becomes Example 6; the signature still holds.
    expected = {
        "paths": [
            mesh_path(
                signed_with_latency(250),
                pathLatencyUs=250,
                signature="valid",
                endpoint={"address": "198.51.100.1", "usable": True},
            )
        ]
    }
    assert expect_json(r1, show_mesh("10.2.0.0/24"), expected) is None

    # Fails 'le 1000', matches 'bandwidth ge 50000000': local-pref 300,
    # attribute untouched.
    expected = {"paths": [mesh_path(NODE_HEX, pathLatencyUs=5000)]}
    assert expect_json(r1, show_mesh("10.3.0.0/24"), expected) is None
    expected = {"paths": [{"locPrf": 300}]}
    assert expect_json(r1, "show bgp ipv4 unicast 10.3.0.0/24 json", expected) is None
    other = json.loads(r1.vtysh_cmd("show bgp ipv4 unicast 10.1.0.0/24 json"))
    assert other["paths"][0].get("locPrf") != 300, other

    # No attribute: the mesh matches do not apply, entry 30 permits it.
    expected = {"paths": [{"meshStatus": "absent", "hex": None}]}
    assert expect_json(r1, show_mesh("10.4.0.0/24"), expected) is None

    # Version 2: not interpreted, not changed.
    expected = {
        "paths": [
            {"meshStatus": "unsupported-version", "hex": V2_HEX, "mesh": None}
        ]
    }
    assert expect_json(r1, show_mesh("10.7.0.0/24"), expected) is None

    # Unknown TLVs kept byte for byte; latency inserted in type order.
    expected = {
        "paths": [
            mesh_path(
                unknown_with_latency(250),
                unknownTlvs=[
                    {"type": 0x42, "length": 3},
                    {"type": 0x8042, "length": 0},
                ],
            )
        ]
    }
    assert expect_json(r1, show_mesh("10.8.0.0/24"), expected) is None

    # Denied: 'match mesh malformed' and 'match mesh tenant 666'.
    for prefix in ("10.5.0.0/24", "10.6.0.0/24"):
        output = json.loads(r1.vtysh_cmd(show_mesh(prefix)))
        assert output == {}, "{} should have been denied: {}".format(prefix, output)


def test_r1_ipv6():
    r1 = get_topogen().gears["r1"]
    expected = {
        "prefix": "2001:db8:1::/48",
        "paths": [
            mesh_path(encode(with_latency(V6_TLVS, 350)).hex(), pathLatencyUs=350)
        ],
    }
    assert expect_json(r1, show_mesh("2001:db8:1::/48"), expected) is None


def test_text_output():
    r1 = get_topogen().gears["r1"]
    output = r1.vtysh_cmd("show bgp ipv4 unicast 10.2.0.5 mesh")
    assert "BGP routing table entry for 10.2.0.0/24, mesh attribute type 255" in output
    assert "path-latency 250us" in output, output
    assert "signature key-id 1 valid" in output, output
    assert "endpoint 198.51.100.1 port 51820" in output, output


def test_stock_bgpd_carries_it():
    """r3 has no module: it knows no mesh command and keeps the routes."""
    r3 = get_topogen().gears["r3"]
    carried = [p for p in ANNOUNCED if p not in ("10.5.0.0/24", "10.6.0.0/24")]
    carried += list(ANNOUNCED_OTHER_TYPE)
    expected = {"routes": {p: [{"valid": True}] for p in carried}}
    assert expect_json(r3, "show bgp ipv4 unicast json", expected) is None
    output = r3.run("vtysh -c 'show bgp ipv4 unicast 10.1.0.0/24 mesh json' 2>&1")
    assert "Unknown command" in output, output


def test_r2_receives_bytes_as_r1_sent_them():
    """
    r1 added 250 (in) and 100 (out); r3 passed the attribute on; r2 must
    see exactly the canonical encoding with the accumulated latency.
    """
    r2 = get_topogen().gears["r2"]
    cases = {
        "10.1.0.0/24": mesh_path(
            encode(with_latency(LOW_TLVS, 450)).hex(), pathLatencyUs=450
        ),
        "10.2.0.0/24": mesh_path(
            signed_with_latency(350), pathLatencyUs=350, signature="valid"
        ),
        "10.3.0.0/24": mesh_path(
            encode(with_latency(NODE_TLVS, 5100)).hex(), pathLatencyUs=5100
        ),
        "10.8.0.0/24": mesh_path(unknown_with_latency(350)),
        "2001:db8:1::/48": mesh_path(
            encode(with_latency(V6_TLVS, 450)).hex(), pathLatencyUs=450
        ),
    }
    for prefix, path in cases.items():
        result = expect_json(r2, show_mesh(prefix), {"paths": [path]})
        assert result is None, "{}: {}".format(prefix, result)

    # Unchanged version 2 attribute, byte for byte through r1 and r3.
    expected = {"paths": [{"meshStatus": "unsupported-version", "hex": V2_HEX}]}
    assert expect_json(r2, show_mesh("10.7.0.0/24"), expected) is None
    expected = {"paths": [{"meshStatus": "absent"}]}
    assert expect_json(r2, show_mesh("10.4.0.0/24"), expected) is None
    for prefix in ("10.5.0.0/24", "10.6.0.0/24"):
        output = json.loads(r2.vtysh_cmd(show_mesh(prefix)))
        assert output == {}, output


def test_r2_wrong_ca_key_makes_signature_bad():
    r2 = get_topogen().gears["r2"]
    other_key = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
    vtysh_config(r2, "router bgp 65002", "bgp mesh ca-key 1 {}".format(other_key))
    expected = {
        "paths": [
            mesh_path(signature="bad", endpoint={"usable": False}, pathLatencyUs=350)
        ]
    }
    assert expect_json(r2, show_mesh("10.2.0.0/24"), expected) is None
    vtysh_config(r2, "router bgp 65002", "no bgp mesh ca-key 1")
    expected = {"paths": [mesh_path(signature="unchecked")]}
    assert expect_json(r2, show_mesh("10.2.0.0/24"), expected) is None
    vtysh_config(r2, "router bgp 65002", "bgp mesh ca-key 1 {}".format(RFC8032_KEY))
    expected = {"paths": [mesh_path(signature="valid")]}
    assert expect_json(r2, show_mesh("10.2.0.0/24"), expected) is None


def test_r2_attribute_type_is_configurable():
    """r2 switched to type 200 decodes 10.9.0.0/24 and no longer 10.1."""
    r2 = get_topogen().gears["r2"]
    # r1 (type 255) did not see 10.9.0.0/24 as a mesh route: not changed.
    expected = {"attributeType": 255, "paths": [{"meshStatus": "absent"}]}
    assert expect_json(r2, show_mesh("10.9.0.0/24"), expected) is None

    vtysh_config(r2, "router bgp 65002", "bgp mesh attribute-type 200")
    expected = {
        "attributeType": 200,
        "paths": [mesh_path(LOW_HEX, pathLatencyUs=100)],
    }
    assert expect_json(r2, show_mesh("10.9.0.0/24"), expected) is None
    expected = {"attributeType": 200, "paths": [{"meshStatus": "absent"}]}
    assert expect_json(r2, show_mesh("10.1.0.0/24"), expected) is None
    assert " bgp mesh attribute-type 200" in r2.vtysh_cmd("show running-config")

    vtysh_config(r2, "router bgp 65002", "no bgp mesh attribute-type")
    expected = {"attributeType": 255, "paths": [mesh_path(pathLatencyUs=450)]}
    assert expect_json(r2, show_mesh("10.1.0.0/24"), expected) is None
    assert "attribute-type" not in r2.vtysh_cmd("show running-config")


def test_cli_refuses_bad_lines():
    r1 = get_topogen().gears["r1"]
    output = vtysh_config(r1, "router bgp 65001", "bgp mesh attribute-type 241")
    assert "deprecated by RFC 8093" in output, output
    output = vtysh_config(r1, "router bgp 65001", "bgp mesh ca-key 2 abcd")
    assert "64 hexadecimal digits" in output, output
    output = vtysh_config(r1, "route-map MESH-IN permit 10", "match mesh latency lt 5")
    assert "Unknown command" in output, output
    running = r1.vtysh_cmd("show running-config")
    assert "attribute-type" not in running and "ca-key 2" not in running


def rmap_block(running, name_seq):
    lines = running.splitlines()
    start = lines.index("route-map {}".format(name_seq))
    end = lines.index("exit", start)
    return lines[start + 1 : end]


def test_running_config_write_memory_and_restart():
    tgen = get_topogen()
    r1 = tgen.gears["r1"]

    running = r1.vtysh_cmd("show running-config")
    expected = {
        "MESH-IN deny 5": [" match mesh malformed"],
        "MESH-IN deny 6": [" match mesh tenant 666"],
        "MESH-IN permit 10": [
            " match mesh latency le 1000",
            " set mesh latency add 250",
        ],
        "MESH-IN permit 20": [" match mesh bandwidth ge 50000000"],
        "MESH-OUT permit 10": [" set mesh latency add 100"],
    }
    for entry, lines in expected.items():
        block = rmap_block(running, entry)
        for line in lines:
            assert line in block, "{}: {} missing from {}".format(entry, line, block)

    # Change a line through vtysh, save, restart bgpd: the change survives.
    vtysh_config(r1, "route-map MESH-IN permit 10", "set mesh latency add 400")
    r1.vtysh_cmd("write memory")
    kill_router_daemons(tgen, "r1", ["bgpd"], save_config=False)
    start_router_daemons(tgen, "r1", ["bgpd"])

    running = r1.vtysh_cmd("show running-config")
    block = rmap_block(running, "MESH-IN permit 10")
    assert " set mesh latency add 400" in block, block
    assert " set mesh latency add 250" not in block, block
    assert " match mesh latency le 1000" in block, block

    expected = {"paths": [mesh_path(pathLatencyUs=500)]}
    assert expect_json(r1, show_mesh("10.1.0.0/24"), expected, count=120) is None
    expected = {"paths": [mesh_path(pathLatencyUs=600)]}
    assert (
        expect_json(tgen.gears["r2"], show_mesh("10.1.0.0/24"), expected, count=120)
        is None
    )


def test_memory_leaks():
    tgen = get_topogen()
    if not tgen.is_memleak_enabled():
        pytest.skip("Memory leak test/report is disabled")
    tgen.report_memory_leaks()


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
