// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd northbound: the endpoint agent's configuration
 * (/frr-meshd:mesh/router/tunnel).
 *
 * The leaves are read together: every leaf callback only accepts the
 * change, and the container's apply_finish, which runs once per commit
 * that touched the container, reads the whole container into
 * mesh_tunnel_cfg and tells the tunnel manager. The manager then works
 * out what to build, change or tear down from the complete new state,
 * never from half of it.
 */
#include <zebra.h>

#include "lib/log.h"
#include "lib/northbound.h"
#include "lib/yang.h"

#include "meshd/meshd.h"
#include "meshd/mesh_keys.h"
#include "meshd/mesh_nb.h"
#include "meshd/mesh_tunnel.h"

int mesh_tunnel_leaf_modify(struct nb_cb_modify_args *args)
{
	return NB_OK;
}

int mesh_tunnel_leaf_destroy(struct nb_cb_destroy_args *args)
{
	return NB_OK;
}

int mesh_tunnel_neighbor_create(struct nb_cb_create_args *args)
{
	const struct lyd_node *nb;
	unsigned int n = 0;

	if (args->event != NB_EV_VALIDATE)
		return NB_OK;
	LY_LIST_FOR(lyd_child(lyd_parent(args->dnode)), nb)
	n += !strcmp(nb->schema->name, "neighbor");
	if (n > MESH_TUNNEL_MAX) {
		snprintf(args->errmsg, args->errmsg_len,
			 "at most %d tunnel neighbors", MESH_TUNNEL_MAX);
		return NB_ERR_VALIDATION;
	}
	return NB_OK;
}

static void mesh_tunnel_ep_read(const struct lyd_node *dn, const char *addr,
				const char *port, struct mesh_wg_endpoint *ep)
{
	struct ipaddr ip;

	memset(ep, 0, sizeof(*ep));
	if (!yang_dnode_exists(dn, addr))
		return;
	yang_dnode_get_ip(&ip, dn, addr);
	if (IS_IPADDR_V4(&ip)) {
		ep->family = AF_INET;
		memcpy(ep->addr, &ip.ipaddr_v4, 4);
	} else {
		ep->family = AF_INET6;
		memcpy(ep->addr, &ip.ipaddr_v6, 16);
	}
	if (yang_dnode_exists(dn, port))
		ep->port = yang_dnode_get_uint16(dn, port);
}

/* The whole container into c. */
static void mesh_tunnel_cfg_read(const struct lyd_node *dn,
				 struct mesh_tunnel_cfg *c)
{
	const struct lyd_node *nb;
	const char *key;

	memset(c, 0, sizeof(*c));
	if (yang_dnode_exists(dn, "./tenant"))
		c->tenant = yang_dnode_get_uint32(dn, "./tenant");
	if (yang_dnode_exists(dn, "./ivn"))
		c->ivn = yang_dnode_get_uint32(dn, "./ivn");
	mesh_tunnel_ep_read(dn, "./endpoint/address", "./endpoint/port",
			    &c->endpoint);
	if (yang_dnode_exists(dn, "./key-file"))
		strlcpy(c->key_file, yang_dnode_get_string(dn, "./key-file"),
			sizeof(c->key_file));
	if (yang_dnode_exists(dn, "./ca-public-key")) {
		key = yang_dnode_get_string(dn, "./ca-public-key");
		c->have_ca_pub =
			mesh_key_from_base64(key, strlen(key), c->ca_pub) == 0;
	}
	if (yang_dnode_exists(dn, "./ca-signing-key-file"))
		strlcpy(c->ca_sign_file,
			yang_dnode_get_string(dn, "./ca-signing-key-file"),
			sizeof(c->ca_sign_file));
	c->peers = yang_dnode_get_bool(dn, "./full-mesh")
			   ? MESH_TUNNEL_PEERS_FULL_MESH
			   : MESH_TUNNEL_PEERS_CONFIGURED;
	c->driver = yang_dnode_get_enum(dn, "./driver");
	if (yang_dnode_exists(dn, "./key-rotation"))
		c->key_rotation_s = yang_dnode_get_uint32(dn, "./key-rotation");
	c->max_tunnels = yang_dnode_get_uint16(dn, "./max-tunnels");
	c->bandwidth_mbps = yang_dnode_get_uint32(dn, "./bandwidth");
	c->threshold_pct = yang_dnode_get_uint8(dn, "./advertise-threshold");
	c->probe_interval_ms = yang_dnode_get_uint32(dn, "./probe/interval");
	c->probe_down_after = yang_dnode_get_uint8(dn, "./probe/down-after");
	c->probe_up_after = yang_dnode_get_uint8(dn, "./probe/up-after");
	c->probe_clock_synced =
		yang_dnode_get_bool(dn, "./probe/clock-synchronized");
	LY_LIST_FOR(lyd_child(dn), nb)
	{
		struct mesh_tunnel_nbr_cfg *n;
		struct in_addr id;

		if (strcmp(nb->schema->name, "neighbor") ||
		    c->n_nbrs >= MESH_TUNNEL_MAX)
			continue;
		n = &c->nbrs[c->n_nbrs++];
		yang_dnode_get_ipv4(&id, nb, "./node");
		n->node = ntohl(id.s_addr);
		mesh_tunnel_ep_read(nb, "./endpoint-address", "./endpoint-port",
				    &n->endpoint);
		if (n->endpoint.family && !n->endpoint.port)
			n->endpoint.port = MESH_TUNNEL_PORT_DEFAULT;
	}
}

void mesh_tunnel_apply_finish(struct nb_cb_apply_finish_args *args)
{
	mesh_tunnel_cfg_read(args->dnode, &mesh_tunnel_cfg);
	mesh_tunnel_config_changed();
}
