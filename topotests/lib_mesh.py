# SPDX-License-Identifier: GPL-2.0-or-later
"""
Building blocks of meshd topotests with a live mesh: the mesh CA's keys,
the configuration of a site (zebra interfaces plus 'router mesh' with its
tunnels) and of a controller (a meshd route reflector), the names meshd
gives tunnel interfaces and ports, and meshd's JSON state.

    workdir = lib_mesh.key_dir(tgen.logdir, fresh=True)
    sign, pub = lib_mesh.ca_keys(workdir, "mesh")
    text = lib_mesh.site_config(
        "a", node="10.255.0.1", underlay=("a-eth0", "172.16.0.1/24"),
        controller="172.16.0.10", workdir=workdir, ca_pub=pub, sign_file=sign,
        lan=("a-eth1", "10.1.0.1/24"), ivn=1, tunnel=["probe interval 20"])
    gear.load_frr_config(lib_mesh.write_config(workdir, "a", text))

Node IDs (router-id) live only on the tunnels: each test picks a range of
its own (10.255.0.N, 10.253.0.N, ...), since tunnel interface names, and
so wireguard-go's control sockets, are made of node IDs and must not
collide with another test's or the lab's (10.254.0.N) running at once.
"""

import base64
import ipaddress
import os
import shutil
import subprocess

# Re-exported: tests poll with lib_mesh.expect (same 60 x 0.5 s budget).
from lib_checks import expect  # noqa: F401

BASE_PORT = 51820


def key_dir(logdir, fresh=False):
    """A directory for keys and configurations that meshd (user frr) can
    read and write; fresh (at setup): emptied first, so that every run
    starts with keys meshd makes anew rather than a run before's."""
    workdir = os.path.join(logdir, "keys")
    if fresh:
        shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir, exist_ok=True)
    os.chmod(logdir, 0o755)
    subprocess.check_call(["chown", "frr:frr", workdir])
    return workdir


def ca_keys(workdir, tag):
    """An Ed25519 key pair from OpenSSL: (private key file, public key in
    base64), the raw 32 octets of each as doc/user/meshd.rst shows."""
    pem = os.path.join(workdir, "ca-{}.pem".format(tag))
    subprocess.check_call(["openssl", "genpkey", "-algorithm", "ed25519", "-out", pem])
    der = subprocess.check_output(["openssl", "pkey", "-in", pem, "-outform", "DER"])
    pub = subprocess.check_output(["openssl", "pkey", "-in", pem, "-pubout", "-outform", "DER"])
    keyfile = os.path.join(workdir, "ca-{}.key".format(tag))
    with open(keyfile, "w") as f:
        f.write(base64.b64encode(der[-32:]).decode() + "\n")
    os.chmod(keyfile, 0o600)
    subprocess.check_call(["chown", "frr:frr", keyfile])
    return keyfile, base64.b64encode(pub[-32:]).decode()


def _node_int(node):
    return int(ipaddress.IPv4Address(node))


def ifname(local, peer):
    """The tunnel interface local's meshd makes toward peer (node IDs):
    m<local>.<peer> from the low 24 bits of each."""
    return "m{:06x}.{:06x}".format(_node_int(local) & 0xFFFFFF, _node_int(peer) & 0xFFFFFF)


def stop_wireguard_go(tgen, nodes):
    """Stops the wireguard-go of every tunnel of the sites {name: node ID},
    on either lane (m... or M...). For teardowns: a meshd killed with
    graceful restart leaves them running, and they would keep their
    namespaces and UAPI sockets into the next run."""
    for name, node in nodes.items():
        tgen.gears[name].run("pkill -f 'wireguard-go -f [mM]{:06x}[.]'".format(
            _node_int(node) & 0xFFFFFF))


def stop_reflectors(tgen, names):
    """Ends the mesh-reflector of each router named (from the pid file in
    its run directory). For teardowns: a meshd killed with graceful restart
    leaves it running, like its wireguard-go."""
    for name in names:
        tgen.gears[name].run("test -f /var/run/frr/mesh-reflector.pid && "
                             "kill $(cat /var/run/frr/mesh-reflector.pid)")


def reflector_pid(gear):
    """The pid of the router's running mesh-reflector (pid file and
    /proc/<pid>/comm agree), or None."""
    out = gear.run("p=$(cat /var/run/frr/mesh-reflector.pid 2>/dev/null) && "
                   "test \"$(cat /proc/$p/comm 2>/dev/null)\" = mesh-reflector && "
                   "echo $p").strip()
    return int(out) if out.isdigit() else None


def tunnel_port(peer, base=BASE_PORT, lane=0):
    """The UDP port a node's tunnel to peer (node ID) listens on
    (doc/mesh-attribute.md): the base port + (peer mod 1024), 1024 more on
    lane 1 (after a key rotation)."""
    return base + (_node_int(peer) & 0x3FF) + 1024 * lane


def site_config(name, node, underlay, controller, workdir, ca_pub, sign_file,
                lan=None, tenant=1, ivn=1, asn=65000, tunnel=()):
    """A site's unified configuration.

    underlay    (interface, address/len): the tunnel endpoint's interface
    controller  the route reflector's underlay address
    lan         (interface, address/len) of the IVN, announced; or None
    tunnel      more 'tunnel ...' lines, without the word 'tunnel'
                ('probe interval 10', 'neighbor N endpoint A port P')
    """
    keydir = os.path.join(workdir, name)
    os.makedirs(keydir, exist_ok=True)
    subprocess.check_call(["chown", "frr:frr", keydir])
    endpoint = underlay[1].split("/")[0]
    lines = ["hostname " + name,
             "interface " + underlay[0], " ip address " + underlay[1], "exit"]
    if lan:
        lines += ["interface " + lan[0], " ip address " + lan[1], "exit"]
    lines += [
        "router mesh",
        " router-id " + node,
        " mesh-id 1",
        " bgp local-as {}".format(asn),
        " neighbor {} remote-as {}".format(controller, asn),
        " neighbor {} timers connect 2".format(controller),
        " address-family ipv4 unicast",
    ]
    if lan:
        lines.append("  network {}".format(ipaddress.ip_interface(lan[1]).network))
    lines += [
        "  neighbor {} activate".format(controller),
        " exit-address-family",
        " tenant {}".format(tenant),
        " ivn {}".format(ivn),
        " tunnel endpoint " + endpoint,
        " tunnel key-file {}/tunnel.key".format(keydir),
        " tunnel ca public-key " + ca_pub,
        " tunnel ca signing-key-file " + sign_file,
        " tunnel full-mesh",
    ]
    lines += [" tunnel " + t for t in tunnel]
    lines.append("exit")
    return "\n".join(lines) + "\n"


def controller_config(name, router_id, underlay, clients, asn=65000):
    """A controller: meshd as route reflector of the clients (underlay
    addresses of the sites)."""
    lines = ["hostname " + name,
             "interface " + underlay[0], " ip address " + underlay[1], "exit",
             "router mesh",
             " router-id " + router_id,
             " mesh-id 1",
             " role controller",
             " bgp local-as {}".format(asn)]
    for c in clients:
        lines += [" neighbor {} remote-as {}".format(c, asn),
                  " neighbor {} timers connect 2".format(c)]
    lines.append(" address-family ipv4 unicast")
    for c in clients:
        lines += ["  neighbor {} activate".format(c),
                  "  neighbor {} route-reflector-client".format(c)]
    lines += [" exit-address-family", "exit"]
    return "\n".join(lines) + "\n"


def write_config(workdir, name, text):
    """Writes name's configuration into workdir; returns its path."""
    path = os.path.join(workdir, name + ".conf")
    with open(path, "w") as f:
        f.write(text)
    return path


# ----------------------------------------------------------------------
# A star of sites: one underlay switch, a controller, hosts behind sites


def build_star(tgen, sites, controller="c1"):
    """The controller and every site on one underlay switch (interface
    <name>-eth0), and a host h<site> (10.N.0.2/24) behind each site
    (<site>-eth1); sites maps a site's name to its number N."""
    tgen.add_router(controller)
    sw = tgen.add_switch("underlay")
    sw.add_link(tgen.gears[controller])
    for name, n in sites.items():
        tgen.add_router(name)
        sw.add_link(tgen.gears[name])
        host = tgen.add_host("h" + name, "10.{}.0.2/24".format(n),
                             "via 10.{}.0.1".format(n))
        tgen.add_link(tgen.gears[name], host)


def configure_star(tgen, sites, node_prefix, tunnel=(), controller="c1",
                   controller_addr="172.16.0.10"):
    """Configurations for build_star's routers: site N is node
    <node_prefix>.N with endpoint 172.16.0.N and IVN 10.N.0.0/24, the
    controller node <node_prefix>.10, one mesh CA for all; tunnel holds
    more 'tunnel ...' lines for every site. Loads them (start_router is
    the caller's)."""
    workdir = key_dir(tgen.logdir, fresh=True)
    sign, pub = ca_keys(workdir, "mesh")
    for name, n in sites.items():
        text = site_config(
            name, node="{}.{}".format(node_prefix, n),
            underlay=(name + "-eth0", "172.16.0.{}/24".format(n)),
            controller=controller_addr, workdir=workdir, ca_pub=pub, sign_file=sign,
            lan=(name + "-eth1", "10.{}.0.1/24".format(n)), ivn=n, tunnel=tunnel)
        tgen.gears[name].load_frr_config(write_config(workdir, name, text))
    text = controller_config(
        controller, "{}.10".format(node_prefix), (controller + "-eth0", controller_addr + "/24"),
        ["172.16.0.{}".format(n) for n in sites.values()])
    tgen.gears[controller].load_frr_config(write_config(workdir, controller, text))


# ----------------------------------------------------------------------
# meshd's state


def tunnels(gear):
    """'show mesh tunnels json': {"tunnels": {node: ...}, "nodes": ...}."""
    return gear.vtysh_cmd("show mesh tunnels json", isjson=True) or {}


def routes(gear):
    """'show mesh routes json' routes: {prefix: {interface, onBackup, ...}}."""
    return (gear.vtysh_cmd("show mesh routes json", isjson=True) or {}).get("routes", {})


def paths(gear):
    """'show mesh paths json': {node: {nextHop, ...}}."""
    return gear.vtysh_cmd("show mesh paths json", isjson=True) or {}
