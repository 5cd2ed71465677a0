// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd CLI: configuration of the BGP speaker under 'router mesh', its
 * address-family nodes, and the route-map 'set' commands meshd shares
 * with bgpd.
 *
 * Every command only enqueues northbound changes (mesh_bgp_nb.c applies
 * them). Values are checked against the model before they are enqueued
 * (mesh_cli_enqueue()), so a refused line says the model's reason and
 * fails. 'show running-config' is rendered from the data tree by the
 * cli_show callbacks at the end, in the order bgpd uses: speaker lines,
 * neighbors (remote-as first), then one block per address family with
 * its networks and per-neighbor lines.
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/northbound_cli.h"
#include "lib/prefix.h"
#include "lib/printfrr.h"
#include "lib/routemap.h"
#include "lib/sockunion.h"
#include "lib/vty.h"
#include "lib/yang.h"

#include "meshd/mesh_bgp.h"
#include "meshd/mesh_nb.h"
#include "meshd/mesh_vty.h"

#define MESH_BGP_XPATH MESH_XPATH "/bgp"
#define MESH_NEIGHBOR_XPATH MESH_BGP_XPATH "/neighbor[address='%s']"
#define MESH_AF_XPATH MESH_BGP_XPATH "/address-family[afi='%s']"

#define BGP_STR_M "BGP speaker of the mesh\n"
#define NEIGHBOR_ADDR_STR_M                                                    \
	"Neighbor address\n"                                                   \
	"IPv6 neighbor address\n"

#ifndef VTYSH_EXTRACT_PL
#include "meshd/mesh_bgp_cli_clippy.c"
#endif

/* ---- Helpers ---- */

/* The canonical text of a neighbor address: the list key. */
static const char *mesh_cli_addr(const union sockunion *su, char *buf,
				 size_t len)
{
	return sockunion2str(su, buf, len);
}

static bool mesh_cli_exists(struct vty *vty, const char *fmt, ...)
	PRINTFRR(2, 3);
static bool mesh_cli_exists(struct vty *vty, const char *fmt, ...)
{
	char xpath[XPATH_MAXLEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintfrr(xpath, sizeof(xpath), fmt, ap);
	va_end(ap);
	return yang_dnode_exists(vty->candidate_config->dnode, xpath);
}

static bool mesh_cli_need_local_as(struct vty *vty)
{
	if (mesh_cli_exists(vty, "%s", MESH_BGP_XPATH "/local-as"))
		return true;
	vty_out(vty, "%% Configure 'bgp local-as' first\n");
	return false;
}

/* Neighbor commands other than remote-as need the neighbor. */
static bool mesh_cli_need_neighbor(struct vty *vty, const char *addr)
{
	if (mesh_cli_exists(vty, MESH_NEIGHBOR_XPATH, addr))
		return true;
	vty_out(vty,
		"%% Specify remote-as first: neighbor %s is not configured\n",
		addr);
	return false;
}

/* The neighbor's leaf 'leaf' (a path below the neighbor entry). */
static int mesh_cli_neighbor_leaf(struct vty *vty, const union sockunion *su,
				  const char *leaf, enum nb_operation op,
				  const char *value)
{
	char addr[SU_ADDRSTRLEN];
	char xpath[XPATH_MAXLEN];

	mesh_cli_addr(su, addr, sizeof(addr));
	if (!mesh_cli_need_neighbor(vty, addr))
		return CMD_WARNING_CONFIG_FAILED;
	snprintf(xpath, sizeof(xpath), MESH_NEIGHBOR_XPATH "/%s", addr, leaf);
	if (mesh_cli_enqueue(vty, xpath, op, value))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

static enum mesh_afi mesh_cli_node_afi(const struct vty *vty)
{
	return vty->node == MESH_IPV6_NODE ? MESH_AFI_IP6 : MESH_AFI_IP;
}

static const char *mesh_cli_afi_key(enum mesh_afi afi)
{
	return afi == MESH_AFI_IP6 ? "ipv6-unicast" : "ipv4-unicast";
}

/* A leaf of the neighbor's entry for the address family of this node. */
static int mesh_cli_neighbor_af_leaf(struct vty *vty, const union sockunion *su,
				     const char *leaf, enum nb_operation op,
				     const char *value)
{
	char path[96];

	snprintf(path, sizeof(path), "address-family[afi='%s']/%s",
		 mesh_cli_afi_key(mesh_cli_node_afi(vty)), leaf);
	return mesh_cli_neighbor_leaf(vty, su, path, op, value);
}

/* ---- router mesh: the speaker ---- */

DEFPY_YANG(mesh_bgp_local_as, mesh_bgp_local_as_cmd,
	   "bgp local-as (1-4294967295)$asn",
	   BGP_STR_M "Autonomous system of this speaker\n"
		     "AS number\n")
{
	if (mesh_cli_enqueue(vty, MESH_BGP_XPATH "/local-as", NB_OP_MODIFY,
			     asn_str))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_mesh_bgp_local_as, no_mesh_bgp_local_as_cmd,
	   "no bgp local-as [(1-4294967295)]",
	   NO_STR BGP_STR_M "Autonomous system of this speaker\n"
			    "AS number\n")
{
	if (mesh_cli_exists(vty, "%s", MESH_BGP_XPATH "/neighbor") ||
	    mesh_cli_exists(vty, "%s", MESH_BGP_XPATH "/address-family")) {
		vty_out(vty, "%% Remove the neighbors and address families "
			     "first: they need the local AS\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	nb_cli_enqueue_change(vty, MESH_BGP_XPATH "/local-as", NB_OP_DESTROY,
			      NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(mesh_bgp_cluster_id, mesh_bgp_cluster_id_cmd,
	   "bgp cluster-id A.B.C.D$id",
	   BGP_STR_M "Route reflector cluster ID (RFC 4456)\n"
		     "Cluster ID\n")
{
	if (mesh_cli_enqueue(vty, MESH_BGP_XPATH "/cluster-id", NB_OP_MODIFY,
			     id_str))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_mesh_bgp_cluster_id, no_mesh_bgp_cluster_id_cmd,
	   "no bgp cluster-id [A.B.C.D]",
	   NO_STR BGP_STR_M "Route reflector cluster ID (RFC 4456)\n"
			    "Cluster ID\n")
{
	nb_cli_enqueue_change(vty, MESH_BGP_XPATH "/cluster-id", NB_OP_DESTROY,
			      NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(mesh_bgp_listen_port, mesh_bgp_listen_port_cmd,
	   "bgp listen port (1-65535)$port",
	   BGP_STR_M "Where the speaker accepts connections\n"
		     "TCP port (default 179)\n"
		     "Port number\n")
{
	if (mesh_cli_enqueue(vty, MESH_BGP_XPATH "/listen-port", NB_OP_MODIFY,
			     port_str))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_mesh_bgp_listen_port, no_mesh_bgp_listen_port_cmd,
	   "no bgp listen port [(1-65535)]",
	   NO_STR BGP_STR_M "Where the speaker accepts connections\n"
			    "TCP port (default 179)\n"
			    "Port number\n")
{
	nb_cli_enqueue_change(vty, MESH_BGP_XPATH "/listen-port", NB_OP_MODIFY,
			      NULL);
	return nb_cli_apply_changes(vty, NULL);
}

#define MESH_GR_XPATH MESH_BGP_XPATH "/graceful-restart"
#define GR_STR_M "Graceful restart (RFC 4724): meshd restarts gracefully\n"

DEFPY_YANG(mesh_bgp_gr, mesh_bgp_gr_cmd, "bgp graceful-restart",
	   BGP_STR_M GR_STR_M)
{
	if (mesh_cli_enqueue(vty, MESH_GR_XPATH "/enabled", NB_OP_MODIFY,
			     "true"))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_mesh_bgp_gr, no_mesh_bgp_gr_cmd, "no bgp graceful-restart",
	   NO_STR BGP_STR_M GR_STR_M)
{
	nb_cli_enqueue_change(vty, MESH_GR_XPATH "/enabled", NB_OP_MODIFY,
			      "false");
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(mesh_bgp_gr_time, mesh_bgp_gr_time_cmd,
	   "bgp graceful-restart <restart-time (1-4095)$rt"
	   "|select-defer-time (1-3600)$dt>",
	   BGP_STR_M GR_STR_M
	   "How long neighbors keep our routes while we restart\n"
	   "Seconds (default 120)\n"
	   "Longest wait for the neighbors' End-of-RIB after a restart\n"
	   "Seconds (default 360)\n")
{
	if (rt_str ? mesh_cli_enqueue(vty, MESH_GR_XPATH "/restart-time",
				      NB_OP_MODIFY, rt_str)
		   : mesh_cli_enqueue(vty, MESH_GR_XPATH "/select-defer-time",
				      NB_OP_MODIFY, dt_str))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_mesh_bgp_gr_time, no_mesh_bgp_gr_time_cmd,
	   "no bgp graceful-restart <restart-time$rt [(1-4095)]"
	   "|select-defer-time [(1-3600)]>",
	   NO_STR BGP_STR_M GR_STR_M
	   "How long neighbors keep our routes while we restart\n"
	   "Seconds (default 120)\n"
	   "Longest wait for the neighbors' End-of-RIB after a restart\n"
	   "Seconds (default 360)\n")
{
	nb_cli_enqueue_change(vty,
			      rt ? MESH_GR_XPATH "/restart-time"
				 : MESH_GR_XPATH "/select-defer-time",
			      NB_OP_MODIFY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(mesh_bgp_timers, mesh_bgp_timers_cmd,
	   "timers bgp (0-65535)$keepalive (0-65535)$holdtime",
	   "Adjust routing timers\n"
	   "BGP timers\n"
	   "Keepalive interval (seconds)\n"
	   "Hold time (seconds; 0 or at least 3)\n")
{
	if (mesh_cli_enqueue(vty, MESH_BGP_XPATH "/timers/keepalive",
			     NB_OP_MODIFY, keepalive_str) ||
	    mesh_cli_enqueue(vty, MESH_BGP_XPATH "/timers/hold-time",
			     NB_OP_MODIFY, holdtime_str))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_mesh_bgp_timers, no_mesh_bgp_timers_cmd,
	   "no timers bgp [(0-65535) (0-65535)]",
	   NO_STR "Adjust routing timers\n"
		  "BGP timers\n"
		  "Keepalive interval (seconds)\n"
		  "Hold time (seconds)\n")
{
	nb_cli_enqueue_change(vty, MESH_BGP_XPATH "/timers/keepalive",
			      NB_OP_MODIFY, NULL);
	nb_cli_enqueue_change(vty, MESH_BGP_XPATH "/timers/hold-time",
			      NB_OP_MODIFY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

/* ---- router mesh: neighbors ---- */

DEFPY_YANG(mesh_neighbor_remote_as, mesh_neighbor_remote_as_cmd,
	   "neighbor <A.B.C.D|X:X::X:X>$peer remote-as (1-4294967295)$asn",
	   NEIGHBOR_STR NEIGHBOR_ADDR_STR_M
	   "Specify the neighbor's AS\n"
	   "AS number (the local AS for an internal neighbor)\n")
{
	char addr[SU_ADDRSTRLEN];
	char xpath[XPATH_MAXLEN];

	if (!mesh_cli_need_local_as(vty))
		return CMD_WARNING_CONFIG_FAILED;
	mesh_cli_addr(peer, addr, sizeof(addr));
	snprintf(xpath, sizeof(xpath), MESH_NEIGHBOR_XPATH, addr);
	nb_cli_enqueue_change(vty, xpath, NB_OP_CREATE, NULL);
	strlcat(xpath, "/remote-as", sizeof(xpath));
	if (mesh_cli_enqueue(vty, xpath, NB_OP_MODIFY, asn_str))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_mesh_neighbor, no_mesh_neighbor_cmd,
	   "no neighbor <A.B.C.D|X:X::X:X>$peer [remote-as (1-4294967295)]",
	   NO_STR NEIGHBOR_STR NEIGHBOR_ADDR_STR_M "Specify the neighbor's AS\n"
						   "AS number\n")
{
	char addr[SU_ADDRSTRLEN];
	char xpath[XPATH_MAXLEN];

	mesh_cli_addr(peer, addr, sizeof(addr));
	if (!mesh_cli_exists(vty, MESH_NEIGHBOR_XPATH, addr)) {
		vty_out(vty, "%% Neighbor %s is not configured\n", addr);
		return CMD_WARNING_CONFIG_FAILED;
	}
	snprintf(xpath, sizeof(xpath), MESH_NEIGHBOR_XPATH, addr);
	nb_cli_enqueue_change(vty, xpath, NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(mesh_neighbor_description, mesh_neighbor_description_cmd,
	   "neighbor <A.B.C.D|X:X::X:X>$peer description LINE...",
	   NEIGHBOR_STR NEIGHBOR_ADDR_STR_M
	   "Neighbor specific description\n"
	   "Up to 80 characters describing this neighbor\n")
{
	int idx = 0;
	char *text;
	int ret;

	argv_find(argv, argc, "description", &idx);
	text = argv_concat(argv, argc, idx + 1);
	ret = mesh_cli_neighbor_leaf(vty, peer, "description", NB_OP_MODIFY,
				     text);
	XFREE(MTYPE_TMP, text);
	return ret;
}

DEFPY_YANG(no_mesh_neighbor_description, no_mesh_neighbor_description_cmd,
	   "no neighbor <A.B.C.D|X:X::X:X>$peer description",
	   NO_STR NEIGHBOR_STR NEIGHBOR_ADDR_STR_M
	   "Neighbor specific description\n")
{
	return mesh_cli_neighbor_leaf(vty, peer, "description", NB_OP_DESTROY,
				      NULL);
}

DEFPY_YANG(no_mesh_neighbor_description_text,
	   no_mesh_neighbor_description_text_cmd,
	   "no neighbor <A.B.C.D|X:X::X:X>$peer description LINE...",
	   NO_STR NEIGHBOR_STR NEIGHBOR_ADDR_STR_M
	   "Neighbor specific description\n"
	   "Up to 80 characters describing this neighbor\n")
{
	return mesh_cli_neighbor_leaf(vty, peer, "description", NB_OP_DESTROY,
				      NULL);
}

DEFPY_YANG(mesh_neighbor_password, mesh_neighbor_password_cmd,
	   "neighbor <A.B.C.D|X:X::X:X>$peer password LINE$key",
	   NEIGHBOR_STR NEIGHBOR_ADDR_STR_M "TCP MD5 signature (RFC 2385)\n"
					    "The key, up to 80 characters\n")
{
	return mesh_cli_neighbor_leaf(vty, peer, "password", NB_OP_MODIFY, key);
}

DEFPY_YANG(no_mesh_neighbor_password, no_mesh_neighbor_password_cmd,
	   "no neighbor <A.B.C.D|X:X::X:X>$peer password [LINE]",
	   NO_STR NEIGHBOR_STR NEIGHBOR_ADDR_STR_M
	   "TCP MD5 signature (RFC 2385)\n"
	   "The key\n")
{
	return mesh_cli_neighbor_leaf(vty, peer, "password", NB_OP_DESTROY,
				      NULL);
}

DEFPY_YANG(mesh_neighbor_ttl_security, mesh_neighbor_ttl_security_cmd,
	   "neighbor <A.B.C.D|X:X::X:X>$peer ttl-security hops (1-254)$hops",
	   NEIGHBOR_STR NEIGHBOR_ADDR_STR_M
	   "Generalized TTL Security Mechanism (RFC 5082)\n"
	   "How many hops away the neighbor may be\n"
	   "Number of hops\n")
{
	return mesh_cli_neighbor_leaf(vty, peer, "ttl-security-hops",
				      NB_OP_MODIFY, hops_str);
}

DEFPY_YANG(no_mesh_neighbor_ttl_security, no_mesh_neighbor_ttl_security_cmd,
	   "no neighbor <A.B.C.D|X:X::X:X>$peer ttl-security hops [(1-254)]",
	   NO_STR NEIGHBOR_STR NEIGHBOR_ADDR_STR_M
	   "Generalized TTL Security Mechanism (RFC 5082)\n"
	   "How many hops away the neighbor may be\n"
	   "Number of hops\n")
{
	return mesh_cli_neighbor_leaf(vty, peer, "ttl-security-hops",
				      NB_OP_DESTROY, NULL);
}

DEFPY_YANG(mesh_neighbor_passive, mesh_neighbor_passive_cmd,
	   "[no] neighbor <A.B.C.D|X:X::X:X>$peer passive",
	   NO_STR NEIGHBOR_STR NEIGHBOR_ADDR_STR_M
	   "Never connect: only accept the neighbor's connections\n")
{
	return mesh_cli_neighbor_leaf(vty, peer, "passive", NB_OP_MODIFY,
				      no ? NULL : "true");
}

/* Shutdown and its message (RFC 9003) are one setting: a shutdown
 * without a message clears an old one. */
static int mesh_cli_neighbor_shutdown(struct vty *vty,
				      const union sockunion *peer, bool down,
				      const char *text)
{
	char addr[SU_ADDRSTRLEN];
	char xpath[XPATH_MAXLEN];

	mesh_cli_addr(peer, addr, sizeof(addr));
	if (!mesh_cli_need_neighbor(vty, addr))
		return CMD_WARNING_CONFIG_FAILED;
	snprintf(xpath, sizeof(xpath), MESH_NEIGHBOR_XPATH "/shutdown-message",
		 addr);
	if (mesh_cli_enqueue(vty, xpath, text ? NB_OP_MODIFY : NB_OP_DESTROY,
			     text))
		return CMD_WARNING_CONFIG_FAILED;
	snprintf(xpath, sizeof(xpath), MESH_NEIGHBOR_XPATH "/shutdown", addr);
	nb_cli_enqueue_change(vty, xpath, NB_OP_MODIFY, down ? "true" : NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(mesh_neighbor_shutdown, mesh_neighbor_shutdown_cmd,
	   "[no] neighbor <A.B.C.D|X:X::X:X>$peer shutdown",
	   NO_STR NEIGHBOR_STR NEIGHBOR_ADDR_STR_M
	   "Administratively shut down the session\n")
{
	return mesh_cli_neighbor_shutdown(vty, peer, !no, NULL);
}

DEFPY_YANG(mesh_neighbor_shutdown_msg, mesh_neighbor_shutdown_msg_cmd,
	   "[no] neighbor <A.B.C.D|X:X::X:X>$peer shutdown message MSG...",
	   NO_STR NEIGHBOR_STR NEIGHBOR_ADDR_STR_M
	   "Administratively shut down the session\n"
	   "Shutdown communication sent to the neighbor (RFC 9003)\n"
	   "Up to 255 octets of text\n")
{
	char *text = NULL;
	int idx = 0;
	int ret;

	if (no)
		return mesh_cli_neighbor_shutdown(vty, peer, false, NULL);
	argv_find(argv, argc, "message", &idx);
	text = argv_concat(argv, argc, idx + 1);
	ret = mesh_cli_neighbor_shutdown(vty, peer, true, text);
	XFREE(MTYPE_TMP, text);
	return ret;
}

DEFPY_YANG(mesh_neighbor_timers, mesh_neighbor_timers_cmd,
	   "neighbor <A.B.C.D|X:X::X:X>$peer timers (0-65535)$keepalive "
	   "(0-65535)$holdtime",
	   NEIGHBOR_STR NEIGHBOR_ADDR_STR_M
	   "BGP per neighbor timers\n"
	   "Keepalive interval (seconds)\n"
	   "Hold time (seconds; 0 or at least 3)\n")
{
	char addr[SU_ADDRSTRLEN];
	char xpath[XPATH_MAXLEN];

	mesh_cli_addr(peer, addr, sizeof(addr));
	if (!mesh_cli_need_neighbor(vty, addr))
		return CMD_WARNING_CONFIG_FAILED;
	snprintf(xpath, sizeof(xpath), MESH_NEIGHBOR_XPATH "/timers/keepalive",
		 addr);
	if (mesh_cli_enqueue(vty, xpath, NB_OP_MODIFY, keepalive_str))
		return CMD_WARNING_CONFIG_FAILED;
	snprintf(xpath, sizeof(xpath), MESH_NEIGHBOR_XPATH "/timers/hold-time",
		 addr);
	if (mesh_cli_enqueue(vty, xpath, NB_OP_MODIFY, holdtime_str))
		return CMD_WARNING_CONFIG_FAILED;
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_mesh_neighbor_timers, no_mesh_neighbor_timers_cmd,
	   "no neighbor <A.B.C.D|X:X::X:X>$peer timers [(0-65535) (0-65535)]",
	   NO_STR NEIGHBOR_STR NEIGHBOR_ADDR_STR_M
	   "BGP per neighbor timers\n"
	   "Keepalive interval (seconds)\n"
	   "Hold time (seconds)\n")
{
	char addr[SU_ADDRSTRLEN];
	char xpath[XPATH_MAXLEN];

	mesh_cli_addr(peer, addr, sizeof(addr));
	if (!mesh_cli_need_neighbor(vty, addr))
		return CMD_WARNING_CONFIG_FAILED;
	snprintf(xpath, sizeof(xpath), MESH_NEIGHBOR_XPATH "/timers/keepalive",
		 addr);
	nb_cli_enqueue_change(vty, xpath, NB_OP_DESTROY, NULL);
	snprintf(xpath, sizeof(xpath), MESH_NEIGHBOR_XPATH "/timers/hold-time",
		 addr);
	nb_cli_enqueue_change(vty, xpath, NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(mesh_neighbor_timers_connect, mesh_neighbor_timers_connect_cmd,
	   "neighbor <A.B.C.D|X:X::X:X>$peer timers connect (1-65535)$secs",
	   NEIGHBOR_STR NEIGHBOR_ADDR_STR_M
	   "BGP per neighbor timers\n"
	   "Time between connection attempts (ConnectRetryTime)\n"
	   "Seconds (default 120)\n")
{
	return mesh_cli_neighbor_leaf(vty, peer, "timers/connect-retry",
				      NB_OP_MODIFY, secs_str);
}

DEFPY_YANG(no_mesh_neighbor_timers_connect, no_mesh_neighbor_timers_connect_cmd,
	   "no neighbor <A.B.C.D|X:X::X:X>$peer timers connect [(1-65535)]",
	   NO_STR NEIGHBOR_STR NEIGHBOR_ADDR_STR_M
	   "BGP per neighbor timers\n"
	   "Time between connection attempts (ConnectRetryTime)\n"
	   "Seconds\n")
{
	return mesh_cli_neighbor_leaf(vty, peer, "timers/connect-retry",
				      NB_OP_MODIFY, NULL);
}

/* The CLI takes any uint16 so that the model gives its reason. */
DEFPY_YANG(mesh_neighbor_adv_interval, mesh_neighbor_adv_interval_cmd,
	   "neighbor <A.B.C.D|X:X::X:X>$peer advertisement-interval "
	   "(0-65535)$secs",
	   NEIGHBOR_STR NEIGHBOR_ADDR_STR_M
	   "Minimum interval between announcements (MRAI)\n"
	   "Seconds, 0-600 (default 0)\n")
{
	return mesh_cli_neighbor_leaf(vty, peer, "advertisement-interval",
				      NB_OP_MODIFY, secs_str);
}

DEFPY_YANG(no_mesh_neighbor_adv_interval, no_mesh_neighbor_adv_interval_cmd,
	   "no neighbor <A.B.C.D|X:X::X:X>$peer advertisement-interval "
	   "[(0-65535)]",
	   NO_STR NEIGHBOR_STR NEIGHBOR_ADDR_STR_M
	   "Minimum interval between announcements (MRAI)\n"
	   "Seconds\n")
{
	return mesh_cli_neighbor_leaf(vty, peer, "advertisement-interval",
				      NB_OP_MODIFY, NULL);
}

DEFPY_YANG(mesh_neighbor_port, mesh_neighbor_port_cmd,
	   "neighbor <A.B.C.D|X:X::X:X>$peer port (1-65535)$port",
	   NEIGHBOR_STR NEIGHBOR_ADDR_STR_M "TCP port the neighbor listens on\n"
					    "Port number (default 179)\n")
{
	return mesh_cli_neighbor_leaf(vty, peer, "port", NB_OP_MODIFY,
				      port_str);
}

DEFPY_YANG(no_mesh_neighbor_port, no_mesh_neighbor_port_cmd,
	   "no neighbor <A.B.C.D|X:X::X:X>$peer port [(1-65535)]",
	   NO_STR NEIGHBOR_STR NEIGHBOR_ADDR_STR_M
	   "TCP port the neighbor listens on\n"
	   "Port number\n")
{
	return mesh_cli_neighbor_leaf(vty, peer, "port", NB_OP_MODIFY, NULL);
}

/* ---- Address families ---- */

DEFPY_YANG_NOSH(mesh_address_family, mesh_address_family_cmd,
		"address-family <ipv4|ipv6>$af [unicast]",
		"Enter Address Family command mode\n"
		"Address Family\n"
		"Address Family\n"
		"Address Family modifier\n")
{
	enum mesh_afi afi = strmatch(af, "ipv6") ? MESH_AFI_IP6 : MESH_AFI_IP;
	char xpath[XPATH_MAXLEN];
	int ret;

	if (!mesh_cli_need_local_as(vty))
		return CMD_WARNING_CONFIG_FAILED;
	snprintf(xpath, sizeof(xpath), MESH_AF_XPATH, mesh_cli_afi_key(afi));
	nb_cli_enqueue_change(vty, xpath, NB_OP_CREATE, NULL);
	ret = nb_cli_apply_changes(vty, NULL);
	if (ret == CMD_SUCCESS)
		VTY_PUSH_XPATH(afi == MESH_AFI_IP6 ? MESH_IPV6_NODE
						   : MESH_IPV4_NODE,
			       xpath);
	return ret;
}

/* All of the family's configuration: networks and neighbors' settings.
 * The neighbors' entries are taken out of the candidate directly: there
 * may be more of them than one command can enqueue (VTY_MAXCFGCHANGES);
 * the commit below carries them all, or none. */
DEFPY_YANG(no_mesh_address_family, no_mesh_address_family_cmd,
	   "no address-family <ipv4|ipv6>$af [unicast]",
	   NO_STR "Remove an address family's configuration\n"
		  "Address Family\n"
		  "Address Family\n"
		  "Address Family modifier\n")
{
	const char *key =
		strmatch(af, "ipv6") ? "ipv6-unicast" : "ipv4-unicast";
	char xpath[XPATH_MAXLEN];
	const struct lyd_node *bgp, *child;

	bgp = yang_dnode_get(vty->candidate_config->dnode, MESH_BGP_XPATH);
	if (bgp) {
		LY_LIST_FOR(lyd_child(bgp), child)
		{
			if (!strmatch(child->schema->name, "neighbor"))
				continue;
			snprintf(
				xpath, sizeof(xpath),
				MESH_NEIGHBOR_XPATH "/address-family[afi='%s']",
				yang_dnode_get_string(child, "./address"), key);
			if (yang_dnode_exists(bgp, xpath))
				nb_candidate_edit(vty->candidate_config,
						  nb_node_find(xpath),
						  NB_OP_DESTROY, xpath, NULL,
						  NULL);
		}
	}
	snprintf(xpath, sizeof(xpath), MESH_AF_XPATH, key);
	nb_cli_enqueue_change(vty, xpath, NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_NOSH(mesh_exit_address_family, mesh_exit_address_family_cmd,
	   "exit-address-family",
	   "Exit from Address Family configuration mode\n")
{
	if (vty->node == MESH_IPV4_NODE || vty->node == MESH_IPV6_NODE) {
		vty->node = MESH_NODE;
		if (vty->xpath_index > 0)
			vty->xpath_index--;
	}
	return CMD_SUCCESS;
}

DEFPY_YANG(mesh_network, mesh_network_cmd,
	   "[no] network <A.B.C.D/M|X:X::X:X/M>$prefix",
	   NO_STR "Originate a prefix\n"
		  "IPv4 prefix\n"
		  "IPv6 prefix\n")
{
	enum mesh_afi afi = mesh_cli_node_afi(vty);
	struct prefix masked;
	char xpath[XPATH_MAXLEN];

	if ((prefix->family == AF_INET6) != (afi == MESH_AFI_IP6)) {
		vty_out(vty,
			"%% %s is not an %s prefix: configure it under "
			"address-family %s unicast\n",
			prefix_str, afi == MESH_AFI_IP6 ? "IPv6" : "IPv4",
			prefix->family == AF_INET6 ? "ipv6" : "ipv4");
		return CMD_WARNING_CONFIG_FAILED;
	}
	prefix_copy(&masked, prefix);
	apply_mask(&masked);
	if (!prefix_same(&masked, prefix)) {
		vty_out(vty, "%% %s has host bits set: did you mean %pFX?\n",
			prefix_str, &masked);
		return CMD_WARNING_CONFIG_FAILED;
	}
	snprintfrr(xpath, sizeof(xpath), "./network[prefix='%pFX']", &masked);
	nb_cli_enqueue_change(vty, xpath, no ? NB_OP_DESTROY : NB_OP_CREATE,
			      NULL);
	return nb_cli_apply_changes(vty, NULL);
}

/*
 * A neighbor carries its own address family unless told otherwise, so
 * only the exception is stored: 'no neighbor X activate' in its own
 * family, 'neighbor X activate' in the other.
 */
DEFPY_YANG(mesh_neighbor_activate, mesh_neighbor_activate_cmd,
	   "[no] neighbor <A.B.C.D|X:X::X:X>$peer activate",
	   NO_STR NEIGHBOR_STR NEIGHBOR_ADDR_STR_M
	   "Carry this address family with the neighbor\n")
{
	bool native = (sockunion_family(peer) == AF_INET6) ==
		      (mesh_cli_node_afi(vty) == MESH_AFI_IP6);

	if (native == !no)
		return mesh_cli_neighbor_af_leaf(vty, peer, "activate",
						 NB_OP_DESTROY, NULL);
	return mesh_cli_neighbor_af_leaf(vty, peer, "activate", NB_OP_MODIFY,
					 no ? "false" : "true");
}

DEFPY_YANG(mesh_neighbor_rr_client, mesh_neighbor_rr_client_cmd,
	   "[no] neighbor <A.B.C.D|X:X::X:X>$peer route-reflector-client",
	   NO_STR NEIGHBOR_STR NEIGHBOR_ADDR_STR_M
	   "The neighbor is a route reflector client (RFC 4456)\n")
{
	return mesh_cli_neighbor_af_leaf(vty, peer, "route-reflector-client",
					 NB_OP_MODIFY, no ? NULL : "true");
}

DEFPY_YANG(mesh_neighbor_nhself, mesh_neighbor_nhself_cmd,
	   "[no] neighbor <A.B.C.D|X:X::X:X>$peer next-hop-self",
	   NO_STR NEIGHBOR_STR NEIGHBOR_ADDR_STR_M
	   "Send this speaker's address as the next hop\n")
{
	return mesh_cli_neighbor_af_leaf(vty, peer, "next-hop-self",
					 NB_OP_MODIFY, no ? NULL : "true");
}

DEFPY_YANG(mesh_neighbor_addpath_tx, mesh_neighbor_addpath_tx_cmd,
	   "[no] neighbor <A.B.C.D|X:X::X:X>$peer addpath-tx-all-paths",
	   NO_STR NEIGHBOR_STR NEIGHBOR_ADDR_STR_M
	   "Send every path of a prefix (RFC 7911)\n")
{
	return mesh_cli_neighbor_af_leaf(vty, peer, "addpath-tx-all-paths",
					 NB_OP_MODIFY, no ? NULL : "true");
}

DEFPY_YANG(
	mesh_neighbor_prefix_list, mesh_neighbor_prefix_list_cmd,
	"neighbor <A.B.C.D|X:X::X:X>$peer prefix-list WORD$name <in|out>$dir",
	NEIGHBOR_STR NEIGHBOR_ADDR_STR_M "Filter routes with a prefix-list\n"
					 "Name of the prefix-list\n"
					 "Routes from the neighbor\n"
					 "Routes to the neighbor\n")
{
	char leaf[32];

	snprintf(leaf, sizeof(leaf), "prefix-list/%s", dir);
	return mesh_cli_neighbor_af_leaf(vty, peer, leaf, NB_OP_MODIFY, name);
}

DEFPY_YANG(
	no_mesh_neighbor_prefix_list, no_mesh_neighbor_prefix_list_cmd,
	"no neighbor <A.B.C.D|X:X::X:X>$peer prefix-list [WORD] <in|out>$dir",
	NO_STR NEIGHBOR_STR NEIGHBOR_ADDR_STR_M
	"Filter routes with a prefix-list\n"
	"Name of the prefix-list\n"
	"Routes from the neighbor\n"
	"Routes to the neighbor\n")
{
	char leaf[32];

	snprintf(leaf, sizeof(leaf), "prefix-list/%s", dir);
	return mesh_cli_neighbor_af_leaf(vty, peer, leaf, NB_OP_DESTROY, NULL);
}

DEFPY_YANG(mesh_neighbor_route_map, mesh_neighbor_route_map_cmd,
	   "neighbor <A.B.C.D|X:X::X:X>$peer route-map RMAP_NAME$name "
	   "<in|out>$dir",
	   NEIGHBOR_STR NEIGHBOR_ADDR_STR_M "Apply a route-map to routes\n"
					    "Name of the route-map\n"
					    "Routes from the neighbor\n"
					    "Routes to the neighbor\n")
{
	char leaf[32];

	snprintf(leaf, sizeof(leaf), "route-map/%s", dir);
	return mesh_cli_neighbor_af_leaf(vty, peer, leaf, NB_OP_MODIFY, name);
}

DEFPY_YANG(no_mesh_neighbor_route_map, no_mesh_neighbor_route_map_cmd,
	   "no neighbor <A.B.C.D|X:X::X:X>$peer route-map [RMAP_NAME] "
	   "<in|out>$dir",
	   NO_STR NEIGHBOR_STR NEIGHBOR_ADDR_STR_M
	   "Apply a route-map to routes\n"
	   "Name of the route-map\n"
	   "Routes from the neighbor\n"
	   "Routes to the neighbor\n")
{
	char leaf[32];

	snprintf(leaf, sizeof(leaf), "route-map/%s", dir);
	return mesh_cli_neighbor_af_leaf(vty, peer, leaf, NB_OP_DESTROY, NULL);
}

/* ---- route-map 'set' commands of BGP attributes ----
 *
 * libfrr has 'set metric'; these are bgpd's. The command strings are
 * bgpd's exactly, so vtysh sends one line to both daemons, and the data
 * goes into bgpd's YANG module (frr-bgp-route-map), whose lines libfrr
 * already renders in 'show running-config'.
 */

#define RMAP_SET_XPATH "./set-action[action='frr-bgp-route-map:%s']"

static int mesh_rmap_set(struct vty *vty, const char *action, const char *leaf,
			 const char *value)
{
	char xpath[XPATH_MAXLEN];
	char xpath_value[XPATH_MAXLEN + 64];

	snprintf(xpath, sizeof(xpath), RMAP_SET_XPATH, action);
	nb_cli_enqueue_change(vty, xpath, NB_OP_CREATE, NULL);
	snprintf(xpath_value, sizeof(xpath_value),
		 "%s/rmap-set-action/frr-bgp-route-map:%s", xpath, leaf);
	nb_cli_enqueue_change(vty, xpath_value, NB_OP_MODIFY, value);
	return nb_cli_apply_changes(vty, NULL);
}

static int mesh_rmap_unset(struct vty *vty, const char *action)
{
	char xpath[XPATH_MAXLEN];

	snprintf(xpath, sizeof(xpath), RMAP_SET_XPATH, action);
	nb_cli_enqueue_change(vty, xpath, NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

/* "N", "+N" or "-N", N a 32-bit unsigned value. */
static bool mesh_rmap_value_ok(const char *s)
{
	char *end;
	unsigned long long v;

	if (*s == '+' || *s == '-')
		s++;
	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0' && v <= UINT32_MAX;
}

DEFPY_YANG(mesh_set_local_pref, mesh_set_local_pref_cmd,
	   "set local-preference WORD",
	   SET_STR "BGP local preference path attribute\n"
		   "Preference value (0-4294967295)\n")
{
	const char *lp = argv[2]->arg;

	if (!mesh_rmap_value_ok(lp)) {
		vty_out(vty,
			"%% local-preference %s: use N, +N or -N with N in "
			"0-4294967295\n",
			lp);
		return CMD_WARNING_CONFIG_FAILED;
	}
	return mesh_rmap_set(vty, "set-local-preference", "local-pref", lp);
}

DEFPY_YANG(no_mesh_set_local_pref, no_mesh_set_local_pref_cmd,
	   "no set local-preference [WORD]",
	   NO_STR SET_STR "BGP local preference path attribute\n"
			  "Preference value (0-4294967295)\n")
{
	return mesh_rmap_unset(vty, "set-local-preference");
}

DEFPY_YANG(mesh_set_aspath_prepend, mesh_set_aspath_prepend_cmd,
	   "set as-path prepend (1-4294967295)...",
	   SET_STR "Transform BGP AS_PATH attribute\n"
		   "Prepend to the as-path\n"
		   "AS number\n")
{
	char *list = argv_concat(argv, argc, 3);
	int ret;

	ret = mesh_rmap_set(vty, "as-path-prepend", "prepend-as-path", list);
	XFREE(MTYPE_TMP, list);
	return ret;
}

DEFPY_YANG(no_mesh_set_aspath_prepend, no_mesh_set_aspath_prepend_cmd,
	   "no set as-path prepend [(1-4294967295)]",
	   NO_STR SET_STR "Transform BGP AS_PATH attribute\n"
			  "Prepend to the as-path\n"
			  "AS number\n")
{
	return mesh_rmap_unset(vty, "as-path-prepend");
}

DEFPY_YANG(
	mesh_set_community, mesh_set_community_cmd, "set community AA:NN...",
	SET_STR
	"BGP community attribute\n"
	"Community number in AA:NN format (where AA and NN are (0-65535)) or "
	"local-AS|no-advertise|no-export|internet|graceful-shutdown|accept-own-"
	"nexthop|accept-own|route-filter-translated-v4|route-filter-v4|route-"
	"filter-translated-v6|route-filter-v6|llgr-stale|no-llgr|blackhole|no-"
	"peer or additive\n")
{
	char *list = argv_concat(argv, argc, 2);
	char canon[1024];
	int ret;

	if (!mesh_community_canon(list, canon, sizeof(canon))) {
		vty_out(vty, "%% Malformed communities attribute '%s'\n", list);
		XFREE(MTYPE_TMP, list);
		return CMD_WARNING_CONFIG_FAILED;
	}
	XFREE(MTYPE_TMP, list);
	ret = mesh_rmap_set(vty, "set-community", "community-string", canon);
	return ret;
}

DEFPY_YANG(mesh_set_community_none, mesh_set_community_none_cmd,
	   "set community none",
	   SET_STR "BGP community attribute\n"
		   "No community attribute\n")
{
	return mesh_rmap_set(vty, "set-community", "community-none", "true");
}

DEFPY_YANG(no_mesh_set_community, no_mesh_set_community_cmd,
	   "no set community AA:NN...",
	   NO_STR SET_STR
	   "BGP community attribute\n"
	   "Community number in AA:NN format or well-known name\n")
{
	return mesh_rmap_unset(vty, "set-community");
}

DEFPY_YANG(no_mesh_set_community_all, no_mesh_set_community_all_cmd,
	   "no set community", NO_STR SET_STR "BGP community attribute\n")
{
	return mesh_rmap_unset(vty, "set-community");
}

/* ---- show running-config ---- */

void mesh_cli_show_bgp_local_as(struct vty *vty, const struct lyd_node *dnode,
				bool show_defaults)
{
	vty_out(vty, " bgp local-as %s\n", yang_dnode_get_string(dnode, NULL));
}

void mesh_cli_show_bgp_cluster_id(struct vty *vty, const struct lyd_node *dnode,
				  bool show_defaults)
{
	vty_out(vty, " bgp cluster-id %s\n",
		yang_dnode_get_string(dnode, NULL));
}

void mesh_cli_show_bgp_listen_port(struct vty *vty,
				   const struct lyd_node *dnode,
				   bool show_defaults)
{
	if (show_defaults || !yang_dnode_is_default(dnode, NULL))
		vty_out(vty, " bgp listen port %s\n",
			yang_dnode_get_string(dnode, NULL));
}

void mesh_cli_show_bgp_gr(struct vty *vty, const struct lyd_node *dnode,
			  bool show_defaults)
{
	if (show_defaults || yang_dnode_get_bool(dnode, "./enabled"))
		vty_out(vty, " %sbgp graceful-restart\n",
			yang_dnode_get_bool(dnode, "./enabled") ? "" : "no ");
	if (show_defaults || !yang_dnode_is_default(dnode, "./restart-time"))
		vty_out(vty, " bgp graceful-restart restart-time %s\n",
			yang_dnode_get_string(dnode, "./restart-time"));
	if (show_defaults ||
	    !yang_dnode_is_default(dnode, "./select-defer-time"))
		vty_out(vty, " bgp graceful-restart select-defer-time %s\n",
			yang_dnode_get_string(dnode, "./select-defer-time"));
}

void mesh_cli_show_bgp_timers(struct vty *vty, const struct lyd_node *dnode,
			      bool show_defaults)
{
	if (show_defaults || !yang_dnode_is_default(dnode, "./keepalive") ||
	    !yang_dnode_is_default(dnode, "./hold-time"))
		vty_out(vty, " timers bgp %s %s\n",
			yang_dnode_get_string(dnode, "./keepalive"),
			yang_dnode_get_string(dnode, "./hold-time"));
}

/* IPv4 neighbors first, then IPv6, each in address order. */
int mesh_cli_cmp_bgp_neighbor(const struct lyd_node *dnode1,
			      const struct lyd_node *dnode2)
{
	union sockunion a, b;

	str2sockunion(yang_dnode_get_string(dnode1, "./address"), &a);
	str2sockunion(yang_dnode_get_string(dnode2, "./address"), &b);
	if (sockunion_family(&a) != sockunion_family(&b))
		return sockunion_family(&a) == AF_INET ? -1 : 1;
	return sockunion_cmp(&a, &b);
}

/* All of a neighbor's 'router mesh' lines: remote-as first (it creates
 * the neighbor), shutdown next (so a restart never brings it up). */
void mesh_cli_show_bgp_neighbor(struct vty *vty, const struct lyd_node *dnode,
				bool show_defaults)
{
	const char *addr = yang_dnode_get_string(dnode, "./address");

	vty_out(vty, " neighbor %s remote-as %s\n", addr,
		yang_dnode_get_string(dnode, "./remote-as"));
	if (yang_dnode_exists(dnode, "./description"))
		vty_out(vty, " neighbor %s description %s\n", addr,
			yang_dnode_get_string(dnode, "./description"));
	if (yang_dnode_get_bool(dnode, "./shutdown")) {
		if (yang_dnode_exists(dnode, "./shutdown-message"))
			vty_out(vty, " neighbor %s shutdown message %s\n", addr,
				yang_dnode_get_string(dnode,
						      "./shutdown-message"));
		else
			vty_out(vty, " neighbor %s shutdown\n", addr);
	}
	if (yang_dnode_exists(dnode, "./password"))
		vty_out(vty, " neighbor %s password %s\n", addr,
			yang_dnode_get_string(dnode, "./password"));
	if (yang_dnode_get_bool(dnode, "./passive"))
		vty_out(vty, " neighbor %s passive\n", addr);
	if (yang_dnode_exists(dnode, "./ttl-security-hops"))
		vty_out(vty, " neighbor %s ttl-security hops %s\n", addr,
			yang_dnode_get_string(dnode, "./ttl-security-hops"));
	if (show_defaults || !yang_dnode_is_default(dnode, "./port"))
		vty_out(vty, " neighbor %s port %s\n", addr,
			yang_dnode_get_string(dnode, "./port"));
	if (yang_dnode_exists(dnode, "./timers/keepalive"))
		vty_out(vty, " neighbor %s timers %s %s\n", addr,
			yang_dnode_get_string(dnode, "./timers/keepalive"),
			yang_dnode_get_string(dnode, "./timers/hold-time"));
	if (show_defaults ||
	    !yang_dnode_is_default(dnode, "./timers/connect-retry"))
		vty_out(vty, " neighbor %s timers connect %s\n", addr,
			yang_dnode_get_string(dnode, "./timers/connect-retry"));
	if (show_defaults ||
	    !yang_dnode_is_default(dnode, "./advertisement-interval"))
		vty_out(vty, " neighbor %s advertisement-interval %s\n", addr,
			yang_dnode_get_string(dnode,
					      "./advertisement-interval"));
}

/* The lines of one neighbor in one address family; returns how many. */
static int mesh_cli_show_neighbor_af(struct vty *vty,
				     const struct lyd_node *nbr,
				     const char *afi_key, bool print)
{
	static const char *const dirs[] = {"in", "out"};
	const char *addr = yang_dnode_get_string(nbr, "./address");
	const struct lyd_node *af;
	union sockunion su;
	bool native;
	int lines = 0;

	af = yang_dnode_getf(nbr, "./address-family[afi='%s']", afi_key);
	if (!af)
		return 0;
	str2sockunion(addr, &su);
	native = (sockunion_family(&su) == AF_INET6) ==
		 strmatch(afi_key, "ipv6-unicast");

#define LINE(...)                                                              \
	do {                                                                   \
		lines++;                                                       \
		if (print)                                                     \
			vty_out(vty, __VA_ARGS__);                             \
	} while (0)

	if (yang_dnode_exists(af, "./activate")) {
		bool on = yang_dnode_get_bool(af, "./activate");

		if (on && !native)
			LINE("  neighbor %s activate\n", addr);
		else if (!on && native)
			LINE("  no neighbor %s activate\n", addr);
	}
	if (yang_dnode_get_bool(af, "./route-reflector-client"))
		LINE("  neighbor %s route-reflector-client\n", addr);
	if (yang_dnode_get_bool(af, "./next-hop-self"))
		LINE("  neighbor %s next-hop-self\n", addr);
	if (yang_dnode_get_bool(af, "./addpath-tx-all-paths"))
		LINE("  neighbor %s addpath-tx-all-paths\n", addr);
	for (int i = 0; i < 2; i++)
		if (yang_dnode_existsf(af, "./prefix-list/%s", dirs[i]))
			LINE("  neighbor %s prefix-list %s %s\n", addr,
			     yang_dnode_get_string(af, "./prefix-list/%s",
						   dirs[i]),
			     dirs[i]);
	for (int i = 0; i < 2; i++)
		if (yang_dnode_existsf(af, "./route-map/%s", dirs[i]))
			LINE("  neighbor %s route-map %s %s\n", addr,
			     yang_dnode_get_string(af, "./route-map/%s",
						   dirs[i]),
			     dirs[i]);
#undef LINE
	return lines;
}

static int mesh_cli_nbr_qsort_cmp(const void *a, const void *b)
{
	return mesh_cli_cmp_bgp_neighbor(*(const struct lyd_node *const *)a,
					 *(const struct lyd_node *const *)b);
}

/* Neighbor lines of the family of 'af' (an address-family entry of the
 * speaker), neighbors in running-config order; returns how many. */
static int mesh_cli_show_af_neighbors(struct vty *vty,
				      const struct lyd_node *af, bool print)
{
	const char *afi_key = yang_dnode_get_string(af, "./afi");
	const struct lyd_node *bgp = lyd_parent(af);
	const struct lyd_node *child;
	const struct lyd_node **nbrs;
	size_t n = 0, i;
	int lines = 0;

	LY_LIST_FOR(lyd_child(bgp), child)
	if (strmatch(child->schema->name, "neighbor"))
		n++;
	if (n == 0)
		return 0;
	nbrs = XCALLOC(MTYPE_TMP, n * sizeof(*nbrs));
	i = 0;
	LY_LIST_FOR(lyd_child(bgp), child)
	if (strmatch(child->schema->name, "neighbor"))
		nbrs[i++] = child;
	qsort(nbrs, n, sizeof(*nbrs), mesh_cli_nbr_qsort_cmp);
	for (i = 0; i < n; i++)
		lines +=
			mesh_cli_show_neighbor_af(vty, nbrs[i], afi_key, print);
	XFREE(MTYPE_TMP, nbrs);
	return lines;
}

/* An address family with nothing in it is not written out. */
static bool mesh_cli_af_empty(const struct lyd_node *af)
{
	return !yang_dnode_exists(af, "./network") &&
	       mesh_cli_show_af_neighbors(NULL, af, false) == 0;
}

int mesh_cli_cmp_bgp_af(const struct lyd_node *dnode1,
			const struct lyd_node *dnode2)
{
	return yang_dnode_get_enum(dnode1, "./afi") -
	       yang_dnode_get_enum(dnode2, "./afi");
}

void mesh_cli_show_bgp_af(struct vty *vty, const struct lyd_node *dnode,
			  bool show_defaults)
{
	if (mesh_cli_af_empty(dnode))
		return;
	vty_out(vty, " !\n address-family %s unicast\n",
		yang_dnode_get_enum(dnode, "./afi") == 1 ? "ipv6" : "ipv4");
}

void mesh_cli_show_bgp_network(struct vty *vty, const struct lyd_node *dnode,
			       bool show_defaults)
{
	vty_out(vty, "  network %s\n",
		yang_dnode_get_string(dnode, "./prefix"));
}

void mesh_cli_show_bgp_af_end(struct vty *vty, const struct lyd_node *dnode)
{
	if (mesh_cli_af_empty(dnode))
		return;
	mesh_cli_show_af_neighbors(vty, dnode, true);
	vty_out(vty, " exit-address-family\n");
}

/* ---- Installation ---- */

static struct cmd_node mesh_ipv4_node = {
	.name = "mesh ipv4 unicast",
	.node = MESH_IPV4_NODE,
	.parent_node = MESH_NODE,
	.prompt = "%s(config-mesh-af)# ",
};

static struct cmd_node mesh_ipv6_node = {
	.name = "mesh ipv6 unicast",
	.node = MESH_IPV6_NODE,
	.parent_node = MESH_NODE,
	.prompt = "%s(config-mesh-af)# ",
};

void mesh_bgp_cli_init(void)
{
	install_node(&mesh_ipv4_node);
	install_node(&mesh_ipv6_node);
	install_default(MESH_IPV4_NODE);
	install_default(MESH_IPV6_NODE);

	install_element(MESH_NODE, &mesh_bgp_local_as_cmd);
	install_element(MESH_NODE, &no_mesh_bgp_local_as_cmd);
	install_element(MESH_NODE, &mesh_bgp_cluster_id_cmd);
	install_element(MESH_NODE, &mesh_bgp_gr_cmd);
	install_element(MESH_NODE, &no_mesh_bgp_gr_cmd);
	install_element(MESH_NODE, &mesh_bgp_gr_time_cmd);
	install_element(MESH_NODE, &no_mesh_bgp_gr_time_cmd);
	install_element(MESH_NODE, &no_mesh_bgp_cluster_id_cmd);
	install_element(MESH_NODE, &mesh_bgp_listen_port_cmd);
	install_element(MESH_NODE, &no_mesh_bgp_listen_port_cmd);
	install_element(MESH_NODE, &mesh_bgp_timers_cmd);
	install_element(MESH_NODE, &no_mesh_bgp_timers_cmd);
	install_element(MESH_NODE, &mesh_neighbor_remote_as_cmd);
	install_element(MESH_NODE, &no_mesh_neighbor_cmd);
	install_element(MESH_NODE, &mesh_neighbor_description_cmd);
	install_element(MESH_NODE, &no_mesh_neighbor_description_cmd);
	install_element(MESH_NODE, &no_mesh_neighbor_description_text_cmd);
	install_element(MESH_NODE, &mesh_neighbor_password_cmd);
	install_element(MESH_NODE, &no_mesh_neighbor_password_cmd);
	install_element(MESH_NODE, &mesh_neighbor_ttl_security_cmd);
	install_element(MESH_NODE, &no_mesh_neighbor_ttl_security_cmd);
	install_element(MESH_NODE, &mesh_neighbor_passive_cmd);
	install_element(MESH_NODE, &mesh_neighbor_shutdown_cmd);
	install_element(MESH_NODE, &mesh_neighbor_shutdown_msg_cmd);
	install_element(MESH_NODE, &mesh_neighbor_timers_cmd);
	install_element(MESH_NODE, &no_mesh_neighbor_timers_cmd);
	install_element(MESH_NODE, &mesh_neighbor_timers_connect_cmd);
	install_element(MESH_NODE, &no_mesh_neighbor_timers_connect_cmd);
	install_element(MESH_NODE, &mesh_neighbor_adv_interval_cmd);
	install_element(MESH_NODE, &no_mesh_neighbor_adv_interval_cmd);
	install_element(MESH_NODE, &mesh_neighbor_port_cmd);
	install_element(MESH_NODE, &no_mesh_neighbor_port_cmd);
	install_element(MESH_NODE, &mesh_address_family_cmd);
	install_element(MESH_NODE, &no_mesh_address_family_cmd);

	install_element(MESH_IPV4_NODE, &mesh_exit_address_family_cmd);
	install_element(MESH_IPV4_NODE, &mesh_network_cmd);
	install_element(MESH_IPV4_NODE, &mesh_neighbor_activate_cmd);
	install_element(MESH_IPV4_NODE, &mesh_neighbor_rr_client_cmd);
	install_element(MESH_IPV4_NODE, &mesh_neighbor_nhself_cmd);
	install_element(MESH_IPV4_NODE, &mesh_neighbor_addpath_tx_cmd);
	install_element(MESH_IPV4_NODE, &mesh_neighbor_prefix_list_cmd);
	install_element(MESH_IPV4_NODE, &no_mesh_neighbor_prefix_list_cmd);
	install_element(MESH_IPV4_NODE, &mesh_neighbor_route_map_cmd);
	install_element(MESH_IPV4_NODE, &no_mesh_neighbor_route_map_cmd);

	install_element(MESH_IPV6_NODE, &mesh_exit_address_family_cmd);
	install_element(MESH_IPV6_NODE, &mesh_network_cmd);
	install_element(MESH_IPV6_NODE, &mesh_neighbor_activate_cmd);
	install_element(MESH_IPV6_NODE, &mesh_neighbor_rr_client_cmd);
	install_element(MESH_IPV6_NODE, &mesh_neighbor_nhself_cmd);
	install_element(MESH_IPV6_NODE, &mesh_neighbor_addpath_tx_cmd);
	install_element(MESH_IPV6_NODE, &mesh_neighbor_prefix_list_cmd);
	install_element(MESH_IPV6_NODE, &no_mesh_neighbor_prefix_list_cmd);
	install_element(MESH_IPV6_NODE, &mesh_neighbor_route_map_cmd);
	install_element(MESH_IPV6_NODE, &no_mesh_neighbor_route_map_cmd);
}

/* After route_map_init(): RMAP_NODE exists from then on. */
void mesh_bgp_rmap_cli_init(void)
{
	install_element(RMAP_NODE, &mesh_set_local_pref_cmd);
	install_element(RMAP_NODE, &no_mesh_set_local_pref_cmd);
	install_element(RMAP_NODE, &mesh_set_aspath_prepend_cmd);
	install_element(RMAP_NODE, &no_mesh_set_aspath_prepend_cmd);
	install_element(RMAP_NODE, &mesh_set_community_cmd);
	install_element(RMAP_NODE, &mesh_set_community_none_cmd);
	install_element(RMAP_NODE, &no_mesh_set_community_cmd);
	install_element(RMAP_NODE, &no_mesh_set_community_all_cmd);
}
