// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd CLI: the endpoint agent's configuration under 'router mesh'
 * (tenant, ivn, tunnel ...). Every command enqueues northbound changes;
 * the running configuration is rendered from the data tree by
 * mesh_cli_show_tunnel().
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/northbound_cli.h"
#include "lib/vty.h"
#include "lib/yang.h"

#include "meshd/meshd.h"
#include "meshd/mesh_nb.h"
#include "meshd/mesh_tunnel.h"
#include "meshd/mesh_vty.h"

#ifndef VTYSH_EXTRACT_PL
#include "meshd/mesh_tunnel_cli_clippy.c"
#endif

#define TUNNEL_STR "Tunnels of the endpoint agent\n"
#define TX "./tunnel"

/* Set (or, with no, remove) one leaf and commit. */
static int mesh_tunnel_leaf(struct vty *vty, const char *no, const char *xpath,
			    const char *value)
{
	if (no)
		nb_cli_enqueue_change(vty, xpath, NB_OP_DESTROY, NULL);
	else if (mesh_cli_enqueue(vty, xpath, NB_OP_MODIFY, value))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(mesh_tenant, mesh_tenant_cmd, "[no] tenant (0-4294967295)$v",
	   NO_STR "Tenant of this node's IVN\n"
		  "Tenant ID\n")
{
	return mesh_tunnel_leaf(vty, no, TX "/tenant", v_str);
}

DEFPY_YANG(mesh_ivn, mesh_ivn_cmd, "[no] ivn (0-4294967295)$v",
	   NO_STR "This node's IVN\n"
		  "IVN ID within the tenant\n")
{
	return mesh_tunnel_leaf(vty, no, TX "/ivn", v_str);
}

DEFPY_YANG(mesh_tunnel_endpoint, mesh_tunnel_endpoint_cmd,
	   "tunnel endpoint <A.B.C.D|X:X::X:X>$addr [port (1-65535)$port]",
	   TUNNEL_STR "Underlay endpoint of this node's tunnels\n"
		      "IPv4 address\n"
		      "IPv6 address\n"
		      "Base UDP port (default 51820)\n"
		      "Port\n")
{
	if (mesh_cli_enqueue(vty, TX "/endpoint/address", NB_OP_MODIFY,
			     addr_str))
		return CMD_WARNING_CONFIG_FAILED;
	if (port_str) {
		if (mesh_cli_enqueue(vty, TX "/endpoint/port", NB_OP_MODIFY,
				     port_str))
			return CMD_WARNING_CONFIG_FAILED;
	} else {
		nb_cli_enqueue_change(vty, TX "/endpoint/port", NB_OP_DESTROY,
				      NULL);
	}
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_mesh_tunnel_endpoint, no_mesh_tunnel_endpoint_cmd,
	   "no tunnel endpoint [<A.B.C.D|X:X::X:X> [port (1-65535)]]",
	   NO_STR TUNNEL_STR "Underlay endpoint of this node's tunnels\n"
			     "IPv4 address\n"
			     "IPv6 address\n"
			     "Base UDP port\n"
			     "Port\n")
{
	nb_cli_enqueue_change(vty, TX "/endpoint/address", NB_OP_DESTROY, NULL);
	nb_cli_enqueue_change(vty, TX "/endpoint/port", NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(mesh_tunnel_key_file, mesh_tunnel_key_file_cmd,
	   "[no] tunnel key-file PATH$path",
	   NO_STR TUNNEL_STR "This node's private key file\n"
			     "Absolute path\n")
{
	return mesh_tunnel_leaf(vty, no, TX "/key-file", path);
}

DEFPY_YANG(mesh_tunnel_key_rotation, mesh_tunnel_key_rotation_cmd,
	   "[no] tunnel key-rotation (10-31536000)$v",
	   NO_STR TUNNEL_STR "Make a new key pair periodically\n"
			     "Seconds between rotations\n")
{
	return mesh_tunnel_leaf(vty, no, TX "/key-rotation", v_str);
}

DEFPY_YANG(mesh_tunnel_ca_pub, mesh_tunnel_ca_pub_cmd,
	   "[no] tunnel ca public-key WORD$key",
	   NO_STR TUNNEL_STR "Mesh certificate authority\n"
			     "Ed25519 public key that signs node routes\n"
			     "32 octets in base64\n")
{
	return mesh_tunnel_leaf(vty, no, TX "/ca-public-key", key);
}

DEFPY_YANG(mesh_tunnel_ca_sign, mesh_tunnel_ca_sign_cmd,
	   "[no] tunnel ca signing-key-file PATH$path",
	   NO_STR TUNNEL_STR
	   "Mesh certificate authority\n"
	   "File with the Ed25519 key that signs this node's node route\n"
	   "Absolute path\n")
{
	return mesh_tunnel_leaf(vty, no, TX "/ca-signing-key-file", path);
}

DEFPY_YANG(mesh_tunnel_full_mesh, mesh_tunnel_full_mesh_cmd,
	   "[no] tunnel full-mesh",
	   NO_STR TUNNEL_STR "Tunnels to every node of the same tenant\n")
{
	return mesh_tunnel_leaf(vty, NULL, TX "/full-mesh",
				no ? "false" : "true");
}

DEFPY_YANG(mesh_tunnel_driver, mesh_tunnel_driver_cmd,
	   "[no] tunnel driver <wireguard|vxlan>$drv",
	   NO_STR TUNNEL_STR
	   "How tunnels are made\n"
	   "Encrypted, wireguard-go (default)\n"
	   "Unencrypted kernel VXLAN, for trusted underlays\n")
{
	return mesh_tunnel_leaf(vty, no, TX "/driver", drv);
}

DEFPY_YANG(mesh_tunnel_max, mesh_tunnel_max_cmd,
	   "[no] tunnel max-tunnels (1-64)$v",
	   NO_STR TUNNEL_STR "Most tunnels this node keeps (default 16)\n"
			     "Tunnels\n")
{
	return mesh_tunnel_leaf(vty, no, TX "/max-tunnels", v_str);
}

DEFPY_YANG(mesh_tunnel_bw, mesh_tunnel_bw_cmd,
	   "[no] tunnel bandwidth (1-4000000)$v",
	   NO_STR TUNNEL_STR "Bandwidth advertised per tunnel (default 1000)\n"
			     "Mbit/s\n")
{
	return mesh_tunnel_leaf(vty, no, TX "/bandwidth", v_str);
}

DEFPY_YANG(mesh_tunnel_threshold, mesh_tunnel_threshold_cmd,
	   "[no] tunnel advertise-threshold (1-100)$v",
	   NO_STR TUNNEL_STR "Delay change that is re-advertised (default 10)\n"
			     "Percent\n")
{
	return mesh_tunnel_leaf(vty, no, TX "/advertise-threshold", v_str);
}

DEFPY_YANG(mesh_tunnel_probe, mesh_tunnel_probe_cmd,
	   "[no] tunnel probe <interval (10-60000)$ivl|down-after "
	   "(1-255)$down|up-after (1-255)$up>",
	   NO_STR TUNNEL_STR
	   "STAMP probes through every tunnel\n"
	   "Time between probes (default 100)\n"
	   "Milliseconds\n"
	   "Intervals without replies before down (default 3)\n"
	   "Intervals\n"
	   "Replies before up again (default 3)\n"
	   "Replies\n")
{
	if (ivl_str)
		return mesh_tunnel_leaf(vty, no, TX "/probe/interval", ivl_str);
	if (down_str)
		return mesh_tunnel_leaf(vty, no, TX "/probe/down-after",
					down_str);
	return mesh_tunnel_leaf(vty, no, TX "/probe/up-after", up_str);
}

DEFPY_YANG(mesh_tunnel_probe_sync, mesh_tunnel_probe_sync_cmd,
	   "[no] tunnel probe clock-synchronized",
	   NO_STR TUNNEL_STR
	   "STAMP probes through every tunnel\n"
	   "This node's clock is synchronized to UTC: measure one-way delay\n")
{
	return mesh_tunnel_leaf(vty, NULL, TX "/probe/clock-synchronized",
				no ? "false" : "true");
}

DEFPY_YANG(mesh_tunnel_neighbor, mesh_tunnel_neighbor_cmd,
	   "[no] tunnel neighbor A.B.C.D$node [endpoint <A.B.C.D|X:X::X:X>$ep "
	   "port (1-65535)$epport]",
	   NO_STR TUNNEL_STR
	   "Build a tunnel to this node\n"
	   "Node ID (router-id) of the neighbor\n"
	   "Send to this underlay address instead of the advertised one\n"
	   "IPv4 address\n"
	   "IPv6 address\n"
	   "UDP port\n"
	   "Port\n")
{
	char xp[XPATH_MAXLEN];

	snprintf(xp, sizeof(xp), TX "/neighbor[node='%s']", node_str);
	if (no) {
		nb_cli_enqueue_change(vty, xp, NB_OP_DESTROY, NULL);
		return nb_cli_apply_changes(vty, NULL);
	}
	nb_cli_enqueue_change(vty, xp, NB_OP_CREATE, NULL);
	strlcat(xp, "/endpoint-address", sizeof(xp));
	nb_cli_enqueue_change(vty, xp, ep_str ? NB_OP_MODIFY : NB_OP_DESTROY,
			      ep_str);
	snprintf(xp, sizeof(xp), TX "/neighbor[node='%s']/endpoint-port",
		 node_str);
	nb_cli_enqueue_change(vty, xp, ep_str ? NB_OP_MODIFY : NB_OP_DESTROY,
			      epport_str);
	return nb_cli_apply_changes(vty, NULL);
}

/* 'show running-config': the container, defaults only when asked. */
void mesh_cli_show_tunnel(struct vty *vty, const struct lyd_node *dn,
			  bool show_defaults)
{
	static const struct {
		const char *xpath, *cmd;
	} leaves[] = {
		{"./driver", "tunnel driver"},
		{"./key-file", "tunnel key-file"},
		{"./key-rotation", "tunnel key-rotation"},
		{"./ca-public-key", "tunnel ca public-key"},
		{"./ca-signing-key-file", "tunnel ca signing-key-file"},
		{"./max-tunnels", "tunnel max-tunnels"},
		{"./bandwidth", "tunnel bandwidth"},
		{"./advertise-threshold", "tunnel advertise-threshold"},
		{"./probe/interval", "tunnel probe interval"},
		{"./probe/down-after", "tunnel probe down-after"},
		{"./probe/up-after", "tunnel probe up-after"},
	};
	const struct lyd_node *nb;

	if (yang_dnode_exists(dn, "./tenant"))
		vty_out(vty, " tenant %s\n",
			yang_dnode_get_string(dn, "./tenant"));
	if (yang_dnode_exists(dn, "./ivn"))
		vty_out(vty, " ivn %s\n", yang_dnode_get_string(dn, "./ivn"));
	if (yang_dnode_exists(dn, "./endpoint/address")) {
		vty_out(vty, " tunnel endpoint %s",
			yang_dnode_get_string(dn, "./endpoint/address"));
		if (show_defaults ||
		    !yang_dnode_is_default(dn, "./endpoint/port"))
			vty_out(vty, " port %s",
				yang_dnode_get_string(dn, "./endpoint/port"));
		vty_out(vty, "\n");
	}
	if (yang_dnode_get_bool(dn, "./full-mesh"))
		vty_out(vty, " tunnel full-mesh\n");
	if (yang_dnode_get_bool(dn, "./probe/clock-synchronized"))
		vty_out(vty, " tunnel probe clock-synchronized\n");
	for (size_t i = 0; i < array_size(leaves); i++)
		if (yang_dnode_exists(dn, leaves[i].xpath) &&
		    (show_defaults ||
		     !yang_dnode_is_default(dn, leaves[i].xpath)))
			vty_out(vty, " %s %s\n", leaves[i].cmd,
				yang_dnode_get_string(dn, leaves[i].xpath));
	LY_LIST_FOR(lyd_child(dn), nb)
	{
		if (strcmp(nb->schema->name, "neighbor"))
			continue;
		vty_out(vty, " tunnel neighbor %s",
			yang_dnode_get_string(nb, "./node"));
		if (yang_dnode_exists(nb, "./endpoint-address"))
			vty_out(vty, " endpoint %s port %s",
				yang_dnode_get_string(nb, "./endpoint-address"),
				yang_dnode_exists(nb, "./endpoint-port")
					? yang_dnode_get_string(
						  nb, "./endpoint-port")
					: "51820");
		vty_out(vty, "\n");
	}
}

void mesh_tunnel_cli_init(void)
{
	install_element(MESH_NODE, &mesh_tenant_cmd);
	install_element(MESH_NODE, &mesh_ivn_cmd);
	install_element(MESH_NODE, &mesh_tunnel_endpoint_cmd);
	install_element(MESH_NODE, &no_mesh_tunnel_endpoint_cmd);
	install_element(MESH_NODE, &mesh_tunnel_key_file_cmd);
	install_element(MESH_NODE, &mesh_tunnel_key_rotation_cmd);
	install_element(MESH_NODE, &mesh_tunnel_ca_pub_cmd);
	install_element(MESH_NODE, &mesh_tunnel_ca_sign_cmd);
	install_element(MESH_NODE, &mesh_tunnel_full_mesh_cmd);
	install_element(MESH_NODE, &mesh_tunnel_driver_cmd);
	install_element(MESH_NODE, &mesh_tunnel_max_cmd);
	install_element(MESH_NODE, &mesh_tunnel_bw_cmd);
	install_element(MESH_NODE, &mesh_tunnel_threshold_cmd);
	install_element(MESH_NODE, &mesh_tunnel_probe_cmd);
	install_element(MESH_NODE, &mesh_tunnel_probe_sync_cmd);
	install_element(MESH_NODE, &mesh_tunnel_neighbor_cmd);
}
